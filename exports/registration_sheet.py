"""Bản đăng ký thi đua: the bloc's registration sheet as an .xlsx workbook.

Columns as in shared/domain.md §4.1. Every text cell is NFC-normalised, stripped of the
characters XML cannot hold, capped at Excel's 32,767-character limit and written as text
(never as a formula, whatever it starts with). Pure: bytes in memory; its words are read
once from templates/documents/registration_sheet.toml.
"""

from __future__ import annotations

import io
import math
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

# The sheet's words live with the other texts people read, under templates/.
_TEXTS = tomllib.loads((Path(__file__).resolve().parent.parent / "templates" / "documents"
                        / "registration_sheet.toml").read_text(encoding="utf-8"))
SHEET_TITLE = _TEXTS["sheet_title"]
HEADERS = tuple(_TEXTS["headers"])
# Widths in Excel character units, one per column above (A4 landscape, fit to width).
COLUMN_WIDTHS = (6, 30, 26, 32, 36, 50, 17, 22)

EXCEL_CELL_LIMIT = 32_767        # characters (UTF-16 code units) a cell can hold
ELLIPSIS = "…"
FONT_NAME = "Times New Roman"
FONT_SIZE = 12
LINE_HEIGHT = 15.75              # points per line of 12 pt Times New Roman
MAX_ROW_HEIGHT = 409             # Excel's limit, in points

_TITLE_ROW = 1
_SUBTITLE_ROW = 2
_HEADER_ROW = 4                  # row 3 stays empty

# XML 1.0 allows tab, LF and CR among the C0 controls; lone surrogates and the two
# non-characters below cannot be written either.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_FORMULA_STARTS = ("=", "+", "-", "@")

_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


@dataclass(frozen=True)
class SheetRow:
    unit: str                       # Tên đơn vị
    collective: list[str]           # danh hiệu tập thể đăng ký
    commendations: list[str]        # hình thức khen thưởng đăng ký
    individuals: list[tuple[str, int, list[str]]]   # (title, count, names)
    targets: str                    # Nội dung, chỉ tiêu chính (free text)
    registered_at: datetime | None  # aware; None = chưa đăng ký
    note: str                       # Ghi chú


def header_row_index() -> int:
    """1-based row of the table's header; data rows follow it directly."""
    return _HEADER_ROW


def registration_sheet(*, bloc_name: str, year: int, province: str, rows: list[SheetRow],
                       generated_at: datetime, tz: ZoneInfo) -> bytes:
    """The registration sheet as .xlsx bytes; `rows` are written in the order given."""
    _require_aware(generated_at, "generated_at")
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_TITLE
    wb.properties.title = _TEXTS["document_title"].format(year=year)
    wb.properties.creator = "khoibot"

    last_col = len(HEADERS)
    last_letter = get_column_letter(last_col)
    for index, width in enumerate(COLUMN_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width

    # Title and bloc line, merged across the table.
    title = _put(ws, _TITLE_ROW, 1, _TEXTS["heading"].format(year=year))
    title.font = Font(name=FONT_NAME, size=14, bold=True)
    title.alignment = Alignment(horizontal="center", vertical="center")
    ws.merge_cells(f"A{_TITLE_ROW}:{last_letter}{_TITLE_ROW}")
    ws.row_dimensions[_TITLE_ROW].height = 22

    subtitle_text = _clean(bloc_name).strip()
    if _clean(province).strip():
        subtitle_text = f"{subtitle_text}, {_clean(province).strip()}"
    subtitle = _put(ws, _SUBTITLE_ROW, 1, subtitle_text)
    subtitle.font = Font(name=FONT_NAME, size=FONT_SIZE, bold=True)
    subtitle.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.merge_cells(f"A{_SUBTITLE_ROW}:{last_letter}{_SUBTITLE_ROW}")

    # Header.
    header_font = Font(name=FONT_NAME, size=FONT_SIZE, bold=True)
    header_alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for col, text in enumerate(HEADERS, start=1):
        cell = _put(ws, _HEADER_ROW, col, text)
        cell.font = header_font
        cell.alignment = header_alignment
        cell.border = _BORDER
    ws.row_dimensions[_HEADER_ROW].height = _row_height(HEADERS)

    # One row per unit.
    body_font = Font(name=FONT_NAME, size=FONT_SIZE)
    left = Alignment(horizontal="left", vertical="top", wrap_text=True)
    centre = Alignment(horizontal="center", vertical="top", wrap_text=True)
    row_index = _HEADER_ROW
    for number, row in enumerate(rows, start=1):
        row_index = _HEADER_ROW + number
        values = _row_values(number, row, tz)
        for col, value in enumerate(values, start=1):
            cell = _put(ws, row_index, col, value)
            cell.font = body_font
            cell.border = _BORDER
            cell.alignment = centre if col in (1, 7) else left
        ws.row_dimensions[row_index].height = _row_height(
            tuple(_clean(v) if isinstance(v, str) else str(v) for v in values))

    # Footer line, one empty row below the table.
    footer_row = row_index + 2
    local = generated_at.astimezone(tz)
    footer = _put(ws, footer_row, 1, _TEXTS["footer"].format(date=f"{local.day:02d}/{local.month:02d}/{local.year:04d}"))
    footer.font = Font(name=FONT_NAME, size=FONT_SIZE, italic=True)
    footer.alignment = Alignment(horizontal="right", vertical="center")
    ws.merge_cells(f"A{footer_row}:{last_letter}{footer_row}")

    ws.freeze_panes = ws.cell(row=_HEADER_ROW + 1, column=1).coordinate
    _page_setup(ws, last_letter)

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# --- cells ---------------------------------------------------------------------------

def _row_values(number: int, row: SheetRow, tz: ZoneInfo) -> tuple:
    registered = ""
    if row.registered_at is not None:
        _require_aware(row.registered_at, "registered_at")
        local = row.registered_at.astimezone(tz)
        registered = (f"{local.day:02d}/{local.month:02d}/{local.year:04d} "
                      f"{local.hour:02d}:{local.minute:02d}")
    return (
        number,
        row.unit,
        "\n".join(row.collective),
        "\n".join(row.commendations),
        "\n".join(_individual_line(*entry) for entry in row.individuals),
        row.targets,
        registered,
        row.note,
    )


def _individual_line(title: str, count: int, names: list[str]) -> str:
    """"Chiến sĩ thi đua cơ sở: 2 (Nguyễn Văn A, Trần Thị B)"; no brackets without names."""
    line = f"{title}: {count}"
    if names:
        line += f" ({', '.join(names)})"
    return line


def _put(ws: Worksheet, row: int, col: int, value):
    """Write one cell; text always as text, never as a formula."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        text = _clean(value)
        if not text:
            return cell          # left empty (None), still styled by the caller
        cell.value = text
        cell.data_type = "s"     # openpyxl would take "=…" for a formula
        if text.startswith(_FORMULA_STARTS):
            cell.quotePrefix = True  # Excel keeps it text even when the cell is edited
    else:
        cell.value = value
    return cell


def _clean(text: str) -> str:
    """NFC, CRLF/CR to LF, no XML-illegal characters, at most EXCEL_CELL_LIMIT units."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _XML_ILLEGAL.sub("", text)
    return _truncate(text)


def _utf16_len(text: str) -> int:
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _truncate(text: str) -> str:
    """Excel counts UTF-16 code units; cut on a character boundary and end with "…"."""
    if _utf16_len(text) <= EXCEL_CELL_LIMIT:
        return text
    budget = EXCEL_CELL_LIMIT - 1          # room for the ellipsis
    out, used = [], 0
    for ch in text:
        size = 2 if ord(ch) > 0xFFFF else 1
        if used + size > budget:
            break
        out.append(ch)
        used += size
    return "".join(out) + ELLIPSIS


def _row_height(values: tuple[str, ...]) -> float:
    """Estimated height for wrapped text (openpyxl cannot measure; Excel does not refit)."""
    lines = 1
    for text, width in zip(values, COLUMN_WIDTHS):
        per_line = max(1, int(width * 1.1))
        cell_lines = sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))
        lines = max(lines, cell_lines)
    return min(MAX_ROW_HEIGHT, lines * LINE_HEIGHT + 4)


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValueError(f"{name} must be an aware datetime")


# --- page --------------------------------------------------------------------------

def _page_setup(ws: Worksheet, last_letter: str) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0          # as many pages tall as needed
    ws.print_title_rows = f"{_HEADER_ROW}:{_HEADER_ROW}"   # header repeated on every page
    ws.print_area = f"A1:{last_letter}{ws.max_row}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "Trang &P/&N"
