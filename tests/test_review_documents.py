"""The year-end review documents (domain.md §4.3–4.5): the minutes, the nomination list
(.docx and .xlsx) and the proposal, built from a hand-made ReviewRecord of the Huế bloc,
opened back with python-docx / openpyxl and checked on their actual text."""

from __future__ import annotations

import dataclasses
import io
import re
import unicodedata
import zipfile
from datetime import date, datetime
from zoneinfo import ZoneInfo

import docx
import openpyxl
import pytest
from docx.oxml.ns import qn
from docx.shared import Pt

from domain.review import Line, Note, NoteCode, ReviewRecord, ScoreLine, TitleOutcome
from exports import review_documents as rd
from tests.samples import HUE_BLOC, HUE_UNITS

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
ISSUER = "KHỐI THI ĐUA CÁC TỔ CHỨC XÃ HỘI"
CO_CP = "Cờ thi đua của Chính phủ"
CO_TINH = "Cờ thi đua của Ủy ban nhân dân tỉnh"
BK_UBND = "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh"

(KHKT, VHNT, HUUNGHI, CTD, NGUOIMU, NKT, TREEM, KHUYENHOC, NHABAO, LICHSU, LUATGIA, DONGY) = HUE_UNITS
HOSTILE = "=1+1 <b>Hội</b> {{ x }} {year}\x07 & Co"
HOSTILE_SHOWN = "=1+1 <b>Hội</b> {{ x }} {year} & Co"

SCORES = {KHKT: 98.5, VHNT: 91.0, HUUNGHI: 88.25, CTD: 96.0, NGUOIMU: 90.0, NKT: 87.0, TREEM: 86.5,
          KHUYENHOC: 93.0, NHABAO: 95.5, LICHSU: 89.0, LUATGIA: 90.0, DONGY: None}
DATE_LINES = [
    (date(2026, 1, 5), "Huế, ngày 05 tháng 01 năm 2026"),
    (date(2026, 3, 3), "Huế, ngày 03 tháng 3 năm 2026"),
    (date(2025, 12, 20), "Huế, ngày 20 tháng 12 năm 2025"),
]


def line(rank, unit, votes, percent, selected, *notes, score="table"):
    return Line(rank=rank, unit=unit, votes=votes, percent=percent,
                score=SCORES.get(unit) if score == "table" else score, selected=selected, notes=tuple(notes))


def co_tinh(lead=KHKT) -> TitleOutcome:
    return TitleOutcome(code="CO_TINH", name=CO_TINH, quota=1, issued=12, returned=12, valid=12, lines=(
        line(1, lead, 9, 75.0, True, score=98.5),
        line(2, VHNT, 2, 16.67, False, Note(NoteCode.BELOW_THRESHOLD)),
        line(3, CTD, 1, 8.33, False, Note(NoteCode.BELOW_THRESHOLD)),
    ))


def bk_ubnd(*, decided: bool = False) -> TitleOutcome:
    """Quota 4: three chosen, Luật gia and Người mù tied on 7 votes and 90 points for the
    last seat (or, with `decided`, the meeting gave it to Luật gia)."""
    tie = Note(NoteCode.TIE_UNRESOLVED)
    if decided:
        luatgia = line(4, LUATGIA, 7, 58.33, True, Note(NoteCode.DECIDED_BY_MEETING))
        nguoimu = line(5, NGUOIMU, 7, 58.33, False)
    else:
        luatgia = line(4, LUATGIA, 7, 58.33, False, tie)
        nguoimu = line(5, NGUOIMU, 7, 58.33, False, tie)
    return TitleOutcome(code="BK_UBND", name=BK_UBND, quota=4, issued=12, returned=12, valid=11, lines=(
        line(1, CTD, 10, 83.33, True),
        line(2, DONGY, 9, 75.0, True, Note(NoteCode.ADDED)),
        line(3, NHABAO, 7, 58.33, True, Note(NoteCode.TIE_WON_BY_SCORE)),
        luatgia,
        nguoimu,
        line(6, KHUYENHOC, 5, 41.67, False, Note(NoteCode.BELOW_THRESHOLD)),
        line(7, LICHSU, 3, 25.0, False, Note(NoteCode.BELOW_THRESHOLD),
             Note(NoteCode.MISSING_YEARS, years=(2023, 2024), title=BK_UBND)),
    ))


def co_cp() -> TitleOutcome:
    return TitleOutcome(code="CO_CP", name=CO_CP, quota=1, issued=12, returned=12, valid=12, lines=(
        line(1, CTD, 5, 41.67, False, Note(NoteCode.BELOW_THRESHOLD),
             Note(NoteCode.NOT_PROVINCIAL_NOMINEE, title=CO_TINH)),
    ))


def make_record(**overrides) -> ReviewRecord:
    lead = overrides.pop("lead", KHKT)
    units = [lead if u == KHKT else u for u in HUE_UNITS]
    fields = dict(
        bloc=HUE_BLOC, province="Thừa Thiên Huế", place="Huế", year=2025, issued_on=date(2026, 1, 5),
        number="12", meeting_at=datetime(2026, 1, 5, 14, 0, tzinfo=TZ),
        meeting_place="Hội trường Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh",
        closed_at=datetime(2026, 1, 5, 9, 30, tzinfo=ZoneInfo("UTC")),      # 16:30 in Huế
        lead_unit=lead, deputy_unit=CTD, secretary="Nguyễn Thị Thu Hà", members=12, present=12,
        guests="đại diện Ban Thi đua - Khen thưởng tỉnh",
        scores=tuple(ScoreLine(u, SCORES[KHKT if u == lead else u], adjusted=(u == NHABAO)) for u in units),
        titles=(co_tinh(lead), bk_ubnd(), co_cp()),
        next_lead=CTD, next_deputy=None, version=2,
    )
    fields.update(overrides)
    return ReviewRecord(**fields)


# --- reading the files back ------------------------------------------------------------

def open_docx(data: bytes):
    return docx.Document(io.BytesIO(data))


def paragraphs(document) -> list[str]:
    """Body paragraphs, outside tables."""
    return [p.text for p in document.paragraphs]


def cell_texts(table) -> list[list[str]]:
    """Rows of cell texts; a merged cell is read once."""
    rows = []
    for row in table.rows:
        seen, texts = set(), []
        for cell in row.cells:
            if id(cell._tc) not in seen:
                seen.add(id(cell._tc))
                texts.append(cell.text)
        rows.append(texts)
    return rows


def all_text(document) -> str:
    parts = paragraphs(document)
    for table in document.tables:
        for row in cell_texts(table):
            parts.extend(row)
    return "\n".join(parts)


def heading(document) -> list[list[str]]:
    """The heading table's cells, without the empty paragraphs that draw the short rules."""
    return [[text.strip("\n") for text in row] for row in cell_texts(document.tables[0])]


def table_after(document, text: str):
    """The first table that follows the body paragraph reading `text`."""
    body = document.element.body
    found = False
    for child in body.iterchildren():
        if child.tag == qn("w:p") and "".join(t.text or "" for t in child.iter(qn("w:t"))) == text:
            found = True
        elif found and child.tag == qn("w:tbl"):
            return next(t for t in document.tables if t._tbl is child)
    raise AssertionError(f"no table after {text!r}")


@pytest.fixture(scope="module")
def record() -> ReviewRecord:
    return make_record()


@pytest.fixture(scope="module")
def minutes(record):
    return open_docx(rd.minutes_docx(record, TZ))


@pytest.fixture(scope="module")
def nomination_list(record):
    return open_docx(rd.nomination_list_docx(record, TZ))


@pytest.fixture(scope="module")
def proposal(record):
    return open_docx(rd.proposal_docx(record, TZ))


@pytest.fixture(scope="module")
def sheet(record):
    workbook = openpyxl.load_workbook(io.BytesIO(rd.nomination_list_xlsx(record, TZ)))
    assert workbook.sheetnames == ["Danh sách đề nghị"]
    return workbook.active


# --- names, kinds, dispatch --------------------------------------------------------------

def test_file_names_are_ascii_with_year_and_version(record):
    assert rd.KINDS == ("minutes", "list", "proposal", "list_xlsx")
    assert rd.filename("minutes", record) == "bien-ban-binh-xet-2025-v2.docx"
    assert rd.filename("list", record) == "danh-sach-de-nghi-2025-v2.docx"
    assert rd.filename("proposal", record) == "to-trinh-de-nghi-khen-thuong-2025-v2.docx"
    assert rd.filename("list_xlsx", dataclasses.replace(record, version=1)) == "danh-sach-de-nghi-2025-v1.xlsx"
    for kind in rd.KINDS:
        assert re.fullmatch(r"[a-z0-9-]+-2025-v2\.(docx|xlsx)", rd.filename(kind, record))
    with pytest.raises(ValueError):
        rd.filename("memo", record)


def test_build_dispatches_to_each_document(record):
    expected = {"minutes": "BIÊN BẢN HỌP BÌNH XÉT, SUY TÔN", "list": "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG",
                "proposal": "TỜ TRÌNH"}
    for kind, title in expected.items():
        assert title in paragraphs(open_docx(rd.build(kind, record, TZ)))
    data = rd.build("list_xlsx", record, TZ)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "xl/workbook.xml" in archive.namelist()
    with pytest.raises(ValueError):
        rd.build("memo", record, TZ)


# --- the heading, the page, the fonts -------------------------------------------------------

@pytest.mark.parametrize("issued_on, date_line", DATE_LINES)
@pytest.mark.parametrize("render", [rd.minutes_docx, rd.nomination_list_docx, rd.proposal_docx])
def test_national_heading_and_date_line(render, issued_on, date_line):
    document = open_docx(render(make_record(issued_on=issued_on), TZ))
    (issuer, nation), (_, dated) = heading(document)
    assert issuer == ISSUER
    assert nation.split("\n")[:2] == [NATION, MOTTO]
    assert dated == date_line
    runs = {r.text: r for p in document.tables[0].rows[0].cells[1].paragraphs for r in p.runs}
    assert runs[NATION].bold and runs[MOTTO].bold
    date_run = document.tables[0].rows[1].cells[1].paragraphs[0].runs[0]
    assert date_run.italic
    # the heading table has no borders; the data tables do
    borders = document.tables[0]._tbl.tblPr.find(qn("w:tblBorders"))
    assert borders is not None and {e.get(qn("w:val")) for e in borders} == {"nil"}


def test_missing_place_and_names_leave_something_to_fill_in():
    record = make_record(place="", meeting_place="", lead_unit="", secretary="")
    document = open_docx(rd.minutes_docx(record, TZ))
    assert heading(document)[1][1] == "Thừa Thiên Huế, ngày 05 tháng 01 năm 2026"
    text = paragraphs(document)
    assert "- Chủ trì: đại diện lãnh đạo …………………………, đơn vị Trưởng khối năm 2025." in text
    assert "- Thư ký: …………………………." in text
    assert any(t.startswith("Vào lúc 14 giờ 00 phút, ngày 05 tháng 01 năm 2026, tại …………………………, Khối")
               for t in text)
    nowhere = open_docx(rd.nomination_list_docx(make_record(place="", province=""), TZ))
    assert heading(nowhere)[1][1] == "Ngày 05 tháng 01 năm 2026"


def test_bloc_name_gets_its_prefix_when_it_lacks_one():
    document = open_docx(rd.minutes_docx(make_record(bloc="các Hội đặc thù"), TZ))
    assert heading(document)[0][0] == "KHỐI THI ĐUA CÁC HỘI ĐẶC THÙ"


def test_number_lines():
    numbered = open_docx(rd.minutes_docx(make_record(number="12"), TZ))
    assert heading(numbered)[1][0] == "Số: 12/BB-KTĐ"
    blank = open_docx(rd.minutes_docx(make_record(number=""), TZ))
    assert heading(blank)[1][0] == "Số:      /BB-KTĐ"
    proposal = open_docx(rd.proposal_docx(make_record(number="12"), TZ))
    assert re.fullmatch(r"Số: +/TTr-KTĐ", heading(proposal)[1][0])
    assert heading(open_docx(rd.nomination_list_docx(make_record(), TZ)))[1][0] == ""
    numbered = open_docx(rd.proposal_docx(make_record(extra={"proposal_number": "05"}), TZ))
    assert heading(numbered)[1][0] == "Số: 05/TTr-KTĐ"


@pytest.mark.parametrize("render, landscape", [(rd.minutes_docx, False), (rd.nomination_list_docx, True),
                                               (rd.proposal_docx, False)])
def test_a4_pages_and_margins(record, render, landscape):
    section = open_docx(render(record, TZ)).sections[0]
    size = (round(section.page_width.mm), round(section.page_height.mm))       # stored in twips
    assert size == ((297, 210) if landscape else (210, 297))
    assert round(section.top_margin.mm) == round(section.bottom_margin.mm) == 20
    assert round(section.left_margin.mm) == 30
    assert 15 <= round(section.right_margin.mm) <= 20


@pytest.mark.parametrize("render", [rd.minutes_docx, rd.nomination_list_docx, rd.proposal_docx])
def test_every_run_is_times_new_roman_also_for_east_asian_text(record, render):
    document = open_docx(render(record, TZ))
    runs = [r for p in document.paragraphs for r in p.runs]
    runs += [r for t in document.tables for row in t.rows for c in row.cells for p in c.paragraphs
             for r in p.runs]
    assert len([r for r in runs if r.text.strip()]) > 20
    for run in runs:
        fonts = run._r.rPr.rFonts
        assert run.font.name == "Times New Roman", run.text
        assert fonts.get(qn("w:eastAsia")) == "Times New Roman", run.text
        assert run.font.size >= Pt(11)
    normal = document.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    assert normal.element.rPr.rFonts.get(qn("w:eastAsia")) == "Times New Roman"
    body = [r for p in document.paragraphs for r in p.runs if len(r.text) > 30]
    assert body and all(Pt(13) <= r.font.size <= Pt(14) for r in body)


def test_titles_are_bold_centred_capitals(minutes, nomination_list, proposal):
    for document, title in ((minutes, "BIÊN BẢN HỌP BÌNH XÉT, SUY TÔN"),
                            (nomination_list, "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG"), (proposal, "TỜ TRÌNH")):
        paragraph = next(p for p in document.paragraphs if p.text == title)
        assert paragraph.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.CENTER
        assert all(r.bold for r in paragraph.runs)


# --- the minutes -------------------------------------------------------------------------------

def test_minutes_meeting_people_and_attendance(minutes):
    text = all_text(minutes)
    assert ("Vào lúc 14 giờ 00 phút, ngày 05 tháng 01 năm 2026, tại Hội trường Liên hiệp các Hội Khoa học "
            "và Kỹ thuật tỉnh, Khối thi đua các Tổ chức xã hội tổ chức") in text
    assert f"- Chủ trì: đại diện lãnh đạo {KHKT}, đơn vị Trưởng khối năm 2025." in text
    assert "- Thư ký: Nguyễn Thị Thu Hà." in text
    assert "- Đơn vị thành viên dự họp: 12/12 đơn vị." in text
    assert "- Khách mời: đại diện Ban Thi đua - Khen thưởng tỉnh." in text


def test_minutes_without_guests_or_meeting_hour():
    document = open_docx(rd.minutes_docx(make_record(guests="", meeting_at=None, present=11,
                                                     issued_on=date(2026, 1, 6)), TZ))
    text = all_text(document)
    assert "Khách mời" not in text
    assert "Vào ngày 06 tháng 01 năm 2026, tại Hội trường" in text
    assert "giờ 00 phút, ngày" not in text
    assert "- Đơn vị thành viên dự họp: 11/12 đơn vị." in text
    # voting closed on the 5th, the minutes are dated the 6th: the closing gives the date
    assert "Hội nghị kết thúc vào lúc 16 giờ 30 phút, ngày 05 tháng 01 năm 2026." in text


def test_minutes_scores_table(minutes):
    rows = cell_texts(table_after(minutes, "1. Kết quả chấm điểm thi đua năm 2025"))
    assert rows[0] == ["STT", "Đơn vị", "Tổng điểm"]
    assert len(rows) == 13
    by_unit = {unit: total for _, unit, total in rows[1:]}
    assert [r[0] for r in rows[1:]] == [str(i) for i in range(1, 13)]
    assert by_unit[KHKT] == "98,5"
    assert by_unit[HUUNGHI] == "88,25"
    assert by_unit[NHABAO] == "95,5 (đã điều chỉnh)"
    assert by_unit[CTD] == "96"
    assert by_unit[DONGY] == "chưa chấm"


def test_minutes_ballot_counts_and_votes_per_title(minutes):
    text = paragraphs(minutes)
    for index, name, quota, valid in ((1, CO_TINH, 1, 12), (2, BK_UBND, 4, 11), (3, CO_CP, 1, 12)):
        heading_text = f"2.{index}. {name} (chỉ tiêu: {quota})"
        assert heading_text in text
        counts = text[text.index(heading_text) + 1]
        assert counts == f"Số phiếu phát ra: 12; số phiếu thu về: 12; số phiếu hợp lệ: {valid}."
        rows = cell_texts(table_after(minutes, counts))
        assert rows[0] == ["STT", "Đơn vị", "Số phiếu", "Tỷ lệ (%)", "Điểm", "Ghi chú"]
    rows = cell_texts(table_after(minutes, "Số phiếu phát ra: 12; số phiếu thu về: 12; số phiếu hợp lệ: 11."))
    assert rows[1:] == [
        ["1", CTD, "10", "83,33", "96", "Đề nghị"],
        ["2", DONGY, "9", "75", "chưa chấm", "Đề nghị; Ngoại lệ: không đăng ký, thư ký bổ sung"],
        ["3", NHABAO, "7", "58,33", "95,5", "Đề nghị; Bằng phiếu, xếp trên nhờ điểm cao hơn"],
        ["4", LUATGIA, "7", "58,33", "90", "Bằng phiếu và điểm: hội nghị quyết định"],
        ["5", NGUOIMU, "7", "58,33", "90", "Bằng phiếu và điểm: hội nghị quyết định"],
        ["6", KHUYENHOC, "5", "41,67", "93", "Không đạt tỷ lệ phiếu"],
        ["7", LICHSU, "3", "25", "89", "Không đạt tỷ lệ phiếu; Thiếu kết quả năm 2023, 2024"],
    ]
    co_cp_rows = cell_texts(table_after(minutes, "2.3. " + CO_CP + " (chỉ tiêu: 1)"))
    assert co_cp_rows[1][5] == f"Không đạt tỷ lệ phiếu; Chưa là đơn vị đề nghị {CO_TINH}"


def test_minutes_conclusion_leaders_closing_and_signatures(minutes):
    text = paragraphs(minutes)
    assert f"- {CO_TINH}: đề nghị 01 tập thể: {KHKT}." in text
    assert f"- {BK_UBND}: đề nghị 03 tập thể: {CTD}, {DONGY}, {NHABAO}." in text
    assert (f"- {BK_UBND}: {LUATGIA}, {NGUOIMU} bằng số phiếu và bằng điểm cho 1 suất còn lại; "
            "đề nghị hội nghị xem xét, quyết định.") in text
    assert f"- {CO_CP}: không có tập thể đủ điều kiện đề nghị." in text
    assert "3. Trưởng khối, Phó khối năm 2026" in text
    assert f"- Trưởng khối: {CTD}." in text
    assert "- Phó khối: chưa bầu." in text
    assert "Hội nghị kết thúc vào lúc 16 giờ 30 phút cùng ngày." in text
    signature = cell_texts(minutes.tables[-1])[0]
    left, right = (cell.split("\n") for cell in signature)
    assert left[0] == "THƯ KÝ" and left[-1] == "Nguyễn Thị Thu Hà"
    assert right[0] == "CHỦ TRÌ" and right[-1] == ""          # the chair signs and writes the name
    assert len(right) >= 4                                    # room to sign


def test_minutes_when_the_meeting_settled_the_tie():
    document = open_docx(rd.minutes_docx(make_record(titles=(co_tinh(), bk_ubnd(decided=True))), TZ))
    text = paragraphs(document)
    assert f"- {BK_UBND}: đề nghị 04 tập thể: {CTD}, {DONGY}, {NHABAO}, {LUATGIA}." in text
    assert not any("suất còn lại" in t for t in text)
    rows = cell_texts(table_after(document, "Số phiếu phát ra: 12; số phiếu thu về: 12; số phiếu hợp lệ: 11."))
    assert rows[4] == ["4", LUATGIA, "7", "58,33", "90", "Đề nghị; Hội nghị quyết định"]


def test_documents_without_titles_or_scores():
    record = make_record(titles=(), scores=())
    minutes = paragraphs(open_docx(rd.minutes_docx(record, TZ)))
    assert "Chưa có kết quả chấm điểm." in minutes
    assert "Không có danh hiệu, hình thức khen thưởng nào được bỏ phiếu." in minutes
    rows = cell_texts(open_docx(rd.nomination_list_docx(record, TZ)).tables[1])
    assert rows[1:] == [["Không có tập thể được đề nghị."]]


def test_minutes_next_year_leaders_not_elected():
    text = paragraphs(open_docx(rd.minutes_docx(make_record(next_lead=None, next_deputy=None), TZ)))
    assert "- Trưởng khối: chưa bầu." in text and "- Phó khối: chưa bầu." in text


# --- the nomination list (.docx) -----------------------------------------------------------------

def test_list_has_exactly_the_selected_units_grouped_and_ranked(nomination_list):
    rows = cell_texts(nomination_list.tables[1])
    assert rows[0] == ["STT", "Tên tập thể", "Danh hiệu / hình thức đề nghị", "Số phiếu, tỷ lệ %", "Điểm",
                       "Ghi chú"]
    assert rows[1:] == [
        [f"I. {CO_TINH} (chỉ tiêu: 1)"],
        ["1", KHKT, CO_TINH, "9/12 (75%)", "98,5", ""],
        [f"II. {BK_UBND} (chỉ tiêu: 4)"],
        ["1", CTD, BK_UBND, "10/12 (83,33%)", "96", ""],
        ["2", DONGY, BK_UBND, "9/12 (75%)", "chưa chấm", "Ngoại lệ: không đăng ký, thư ký bổ sung"],
        ["3", NHABAO, BK_UBND, "7/12 (58,33%)", "95,5", "Bằng phiếu, xếp trên nhờ điểm cao hơn"],
        ["Chưa xác định (1 suất còn lại): các đơn vị sau bằng số phiếu và bằng điểm, hội nghị quyết định:"],
        ["", LUATGIA, BK_UBND, "7/12 (58,33%)", "90", "Bằng phiếu và điểm: hội nghị quyết định"],
        ["", NGUOIMU, BK_UBND, "7/12 (58,33%)", "90", "Bằng phiếu và điểm: hội nghị quyết định"],
        [f"III. {CO_CP} (chỉ tiêu: 1)"],
        ["Không có tập thể được đề nghị."],
    ]
    text = paragraphs(nomination_list)
    assert "Tổng số: 04 tập thể được đề nghị." in text
    for unit in (VHNT, KHUYENHOC, LICHSU):
        assert unit not in all_text(nomination_list)
    right = cell_texts(nomination_list.tables[-1])[0][1].split("\n")
    assert right[:2] == ["TM. KHỐI THI ĐUA", "TRƯỞNG KHỐI"]


def test_list_title_rows_are_bold_and_span_the_table(nomination_list):
    table = nomination_list.tables[1]
    title_row = table.rows[1]
    assert len({id(c._tc) for c in title_row.cells}) == 1
    assert all(r.bold for r in title_row.cells[0].paragraphs[0].runs)
    # the header row repeats on every page
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None


def test_list_votes_use_the_valid_ballots_when_the_percentages_do():
    title = TitleOutcome(code="BK_UBND", name=BK_UBND, quota=2, issued=12, returned=11, valid=11, lines=(
        line(1, CTD, 7, 63.64, True), line(2, NHABAO, 4, 36.36, False)))
    document = open_docx(rd.nomination_list_docx(make_record(titles=(title,)), TZ))
    assert cell_texts(document.tables[1])[2][3] == "7/11 (63,64%)"


def test_list_when_the_meeting_settled_the_tie():
    document = open_docx(rd.nomination_list_docx(make_record(titles=(bk_ubnd(decided=True),)), TZ))
    rows = cell_texts(document.tables[1])
    assert [r[1] for r in rows[2:]] == [CTD, DONGY, NHABAO, LUATGIA]
    assert rows[-1][0] == "4" and rows[-1][5] == "Hội nghị quyết định"
    assert NGUOIMU not in all_text(document)


# --- the proposal ---------------------------------------------------------------------------------

def test_proposal_recipients_body_and_signature(proposal):
    text = paragraphs(proposal)
    assert "Kính gửi:" in text
    assert "- Hội đồng Thi đua - Khen thưởng tỉnh Thừa Thiên Huế;" in text
    assert "- Ban Thi đua - Khen thưởng (Sở Nội vụ)." in text
    assert any(t.startswith("Ngày 05 tháng 01 năm 2026, Khối thi đua các Tổ chức xã hội đã tổ chức hội nghị")
               and "12/12 đơn vị thành viên tham dự" in t for t in text)
    assert any(t.startswith(f"{KHKT}, đơn vị Trưởng khối năm 2025, kính đề nghị")
               and t.endswith("xem xét, trình khen thưởng cho các tập thể sau:") for t in text)
    start = text.index(f"1. {CO_TINH}: 01 tập thể")
    assert text[start + 1] == f"- {KHKT}."
    start = text.index(f"2. {BK_UBND}: 03 tập thể")
    assert text[start + 1:start + 5] == [
        f"- {CTD};", f"- {DONGY};", f"- {NHABAO}.",
        f"- {LUATGIA}, {NGUOIMU}: bằng số phiếu và bằng điểm cho 1 suất còn lại, chờ hội nghị quyết định."]
    assert f"3. {CO_CP}: không có tập thể đề nghị." in text
    assert "(Có danh sách, biên bản kèm theo)" in text
    assert ("Kính đề nghị Hội đồng Thi đua - Khen thưởng tỉnh Thừa Thiên Huế xem xét, trình Chủ tịch "
            "Ủy ban nhân dân tỉnh Thừa Thiên Huế quyết định khen thưởng./.") in text
    received, signature = cell_texts(proposal.tables[-1])[0]
    assert received.split("\n") == ["Nơi nhận:", "- Như trên;", "- Các đơn vị thành viên Khối;",
                                    "- Lưu: VT, Khối."]
    assert signature.split("\n")[:2] == ["TM. KHỐI THI ĐUA", "TRƯỞNG KHỐI"]


def test_proposal_keeps_a_city_as_typed():
    text = paragraphs(open_docx(rd.proposal_docx(make_record(province="thành phố Huế"), TZ)))
    assert "- Hội đồng Thi đua - Khen thưởng thành phố Huế;" in text
    assert not any("tỉnh thành phố" in t for t in text)


# --- the nomination list (.xlsx) ------------------------------------------------------------------

def row_values(ws, row: int) -> list:
    return [ws.cell(row=row, column=c).value for c in range(1, 8)]


def find_row(ws, first: str) -> int:
    for row in range(1, ws.max_row + 1):
        if ws.cell(row=row, column=1).value == first or ws.cell(row=row, column=2).value == first:
            return row
    raise AssertionError(f"no row starting {first!r}")


def test_xlsx_title_rows_and_header(sheet):
    assert sheet["A1"].value == ISSUER
    assert sheet["A2"].value == "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG" and sheet["A2"].font.b
    assert sheet["A3"].value == "Thành tích thi đua năm 2025"
    assert sheet["A4"].value == "Huế, ngày 05 tháng 01 năm 2026"
    assert row_values(sheet, 6) == ["STT", "Tên tập thể", "Danh hiệu / hình thức đề nghị", "Số phiếu, tỷ lệ %",
                                    None, "Điểm", "Ghi chú"]
    assert row_values(sheet, 7)[3:5] == ["Số phiếu", "Tỷ lệ (%)"]
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert {"A1:G1", "A2:G2", "D6:E6", "A6:A7"} <= merged


def test_xlsx_groups_units_and_numbers(sheet):
    group = find_row(sheet, f"II. {BK_UBND} (chỉ tiêu: 4)")
    assert sheet.cell(row=group, column=1).font.b
    assert f"A{group}:G{group}" in {str(r) for r in sheet.merged_cells.ranges}
    assert row_values(sheet, group + 1) == [1, CTD, BK_UBND, 10, 83.33, 96, None]
    assert row_values(sheet, group + 3) == [3, NHABAO, BK_UBND, 7, 58.33, 95.5, "Bằng phiếu, xếp trên nhờ điểm cao hơn"]
    votes, percent, score = (sheet.cell(row=group + 3, column=c) for c in (4, 5, 6))
    assert votes.data_type == percent.data_type == score.data_type == "n"
    assert isinstance(votes.value, int) and isinstance(percent.value, float)
    assert row_values(sheet, group + 2)[5] == "chưa chấm"             # no score: said in words
    assert sheet.cell(row=group + 4, column=1).value.startswith("Chưa xác định (1 suất còn lại)")
    assert row_values(sheet, group + 5) == [None, LUATGIA, BK_UBND, 7, 58.33, 90,
                                            "Bằng phiếu và điểm: hội nghị quyết định"]
    assert row_values(sheet, group + 6)[:2] == [None, NGUOIMU]
    assert sheet.cell(row=group + 8, column=1).value == "Không có tập thể được đề nghị."
    units = [sheet.cell(row=r, column=2).value for r in range(8, sheet.max_row + 1)
             if isinstance(sheet.cell(row=r, column=1).value, int)]
    assert units == [KHKT, CTD, DONGY, NHABAO]
    texts = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert not any("58,33" in t for t in texts)                     # the percentage is a number


def test_xlsx_fonts_widths_and_page(sheet):
    for row in sheet.iter_rows(min_row=1, max_row=sheet.max_row):
        for cell in row:
            if cell.value is not None:
                assert cell.font.name == "Times New Roman"
    assert all(sheet.column_dimensions[c].width >= 6 for c in "ABCDEFG")
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["A"].width
    assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.print_title_rows == "$6:$7"


# --- hostile and decomposed text ----------------------------------------------------------------------

def hostile_record() -> ReviewRecord:
    decomposed_place = unicodedata.normalize("NFD", "Huế")
    return make_record(lead=HOSTILE, place=decomposed_place,
                       bloc=HUE_BLOC + " <i>{{ bloc }}</i>", secretary="Trần {0} Bình\x0b")


@pytest.mark.parametrize("render", [rd.minutes_docx, rd.nomination_list_docx, rd.proposal_docx])
def test_hostile_names_appear_literally_in_the_documents(render):
    document = open_docx(render(hostile_record(), TZ))
    text = all_text(document)
    assert HOSTILE_SHOWN in text
    assert "\x07" not in text
    assert "KHỐI THI ĐUA CÁC TỔ CHỨC XÃ HỘI <I>{{ BLOC }}</I>" in text
    assert "Huế, ngày 05 tháng 01 năm 2026" in text                  # NFC from a decomposed place
    assert unicodedata.normalize("NFD", "Huế") not in text


def test_hostile_secretary_in_the_minutes():
    text = all_text(open_docx(rd.minutes_docx(hostile_record(), TZ)))
    assert "- Thư ký: Trần {0} Bình." in text


def test_hostile_name_is_a_string_cell_not_a_formula():
    data = rd.nomination_list_xlsx(hostile_record(), TZ)
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    row = find_row(ws, HOSTILE_SHOWN)
    cell = ws.cell(row=row, column=2)
    assert cell.value == HOSTILE_SHOWN
    assert cell.data_type == "s"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()


# --- words and numbers ---------------------------------------------------------------------------------

def test_every_note_code_has_its_words():
    expected = {
        NoteCode.ADDED: "Ngoại lệ: không đăng ký, thư ký bổ sung",
        NoteCode.NOT_REGISTERED: "Không đăng ký",
        NoteCode.TIE_WON_BY_SCORE: "Bằng phiếu, xếp trên nhờ điểm cao hơn",
        NoteCode.TIE_LOST_BY_SCORE: "Bằng phiếu, xếp dưới vì điểm thấp hơn",
        NoteCode.TIE_UNRESOLVED: "Bằng phiếu và điểm: hội nghị quyết định",
        NoteCode.BELOW_THRESHOLD: "Không đạt tỷ lệ phiếu",
        NoteCode.NOT_PROVINCIAL_NOMINEE: f"Chưa là đơn vị đề nghị {CO_TINH}",
        NoteCode.MISSING_YEARS: "Thiếu kết quả năm 2024",
        NoteCode.DECIDED_BY_MEETING: "Hội nghị quyết định",
    }
    assert set(expected) == set(NoteCode)
    for code, words in expected.items():
        note = Note(code, years=(2024,), title=CO_TINH)
        assert rd._note_text(note) == words
    assert rd._note_text(Note(NoteCode.NOT_PROVINCIAL_NOMINEE)) == f"Chưa là đơn vị đề nghị {CO_TINH}"


@pytest.mark.parametrize("value, shown", [(58.333, "58,33"), (95.5, "95,5"), (100.0, "100"), (0.0, "0"),
                                          (66.67, "66,67"), (8.3, "8,3")])
def test_numbers_are_written_with_a_decimal_comma(value, shown):
    assert rd._number_text(value) == shown
