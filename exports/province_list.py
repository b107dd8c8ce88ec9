"""The province's nominations as one .xlsx: one row per proposal of every bloc, grouped by
title in the catalogue's order (a row naming the title above its proposals), with the votes,
the score, the warnings of the province's rules with their sources, and the dossier's
version the officers received. Pure: bytes in memory; its words are read once from
templates/documents/province.toml."""

from __future__ import annotations

import io
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from domain.dates import fmt_date
from exports.registration_sheet import FONT_NAME, _put

_TEXTS = tomllib.loads((Path(__file__).resolve().parent.parent / "templates" / "documents"
                        / "province.toml").read_text(encoding="utf-8"))
HEADERS = tuple(_TEXTS["headers"])
WIDTHS = (6, 34, 34, 40, 10, 10, 10, 60, 14, 16)
HEADER_ROW = 4

_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


@dataclass(frozen=True)
class ListRow:
    title: str
    bloc: str
    unit: str
    votes: int | None
    percent: float | None
    score: float | None
    warnings: list[str]          # each as the officers read it, with its source
    version_sent: int | None
    sent_at: datetime | None


def province_list(*, province: str, year: int, groups: list[tuple[str, list[ListRow]]], generated_at: datetime,
                  tz: ZoneInfo) -> bytes:
    """``groups``: (title name, its rows), in the catalogue's order."""
    wb = Workbook()
    ws = wb.active
    ws.title = _TEXTS["sheet_title"]
    last = get_column_letter(len(HEADERS))
    bold = Font(name=FONT_NAME, size=12, bold=True)
    plain = Font(name=FONT_NAME, size=12)
    wrap = Alignment(wrap_text=True, vertical="top")
    for row, text in ((1, _TEXTS["heading"].format(year=year)), (2, _TEXTS["subheading"].format(province=province))):
        ws.merge_cells(f"A{row}:{last}{row}")
        _put(ws, row, 1, text).font = bold
        ws.cell(row=row, column=1).alignment = Alignment(horizontal="center")
    for col, (header, width) in enumerate(zip(HEADERS, WIDTHS), start=1):
        cell = _put(ws, HEADER_ROW, col, header)
        cell.font, cell.border, cell.alignment = bold, _BORDER, Alignment(wrap_text=True, horizontal="center")
        ws.column_dimensions[get_column_letter(col)].width = width
    row = HEADER_ROW
    number = 0
    for title, rows in groups:
        row += 1
        ws.merge_cells(f"A{row}:{last}{row}")
        _put(ws, row, 1, title).font = bold
        for item in rows:
            row += 1
            number += 1
            values = (number, title, item.bloc, item.unit, item.votes, item.percent, item.score,
                      "\n".join(item.warnings),
                      _TEXTS["sent_version"].format(version=item.version_sent) if item.version_sent else _TEXTS[
                          "not_sent"],
                      fmt_date(item.sent_at.astimezone(tz)) if item.sent_at else "")
            for col, value in enumerate(values, start=1):
                cell = _put(ws, row, col, value)
                cell.font, cell.border, cell.alignment = plain, _BORDER, wrap
            if item.percent is not None:
                ws.cell(row=row, column=6).number_format = "0.0"
    row += 2
    _put(ws, row, 1, _TEXTS["footer"].format(date=fmt_date(generated_at.astimezone(tz)))).font = plain
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
