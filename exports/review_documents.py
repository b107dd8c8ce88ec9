"""The year-end review documents (shared/domain.md §4.3–4.5), rendered from a ReviewRecord:
the minutes (Biên bản họp bình xét, suy tôn), the nomination list (Danh sách đề nghị khen
thưởng, as .docx and as .xlsx) and the covering proposal (Tờ trình) to the province.

Layout after Nghị định 30/2020/NĐ-CP: A4, margins 2 cm top and bottom, 3 cm left, 2 cm
right; Times New Roman everywhere (the East Asian and complex-script slots too, so that
Vietnamese never falls back to another face); the heading as a borderless two-column
table, the issuer on the left and the national heading and date line on the right.

Every text that comes from the record is NFC-normalised and stripped of the characters XML
cannot hold, then written literally: nothing is interpreted as markup, as a template or,
in the workbook, as a formula. Pure: bytes in memory; the words are read once from
templates/documents/review.toml.
"""

from __future__ import annotations

import io
import math
import re
import tomllib
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from domain.dates import document_date, document_date_line
from domain.review import Line, Note, NoteCode, ReviewRecord, TitleOutcome
from domain.text import fold

_TEXTS = tomllib.loads((Path(__file__).resolve().parent.parent / "templates" / "documents"
                        / "review.toml").read_text(encoding="utf-8"))
_H = _TEXTS["heading"]
_C = _TEXTS["common"]
_N = _TEXTS["notes"]
_M = _TEXTS["minutes"]
_L = _TEXTS["list"]
_P = _TEXTS["proposal"]

KINDS = ("minutes", "list", "proposal", "list_xlsx")
_EXTENSIONS = {"minutes": "docx", "list": "docx", "proposal": "docx", "list_xlsx": "xlsx"}

FONT_NAME = "Times New Roman"
BODY_PT = 13            # body text (Nghị định 30: 13–14)
TABLE_PT = 12           # inside tables
HEADING_PT = 12         # the issuer and the nation's name
MOTTO_PT = 13
TITLE_PT = 14
SMALL_PT = 11           # the "Nơi nhận" lines

A4_WIDTH, A4_HEIGHT = Cm(21), Cm(29.7)
MARGIN_TOP = MARGIN_BOTTOM = Cm(2)
MARGIN_LEFT = Cm(3)
MARGIN_RIGHT = Cm(2)
_PORTRAIT_TEXT_CM = 21 - 3 - 2          # 16 cm between the margins
_LANDSCAPE_TEXT_CM = 29.7 - 3 - 2       # 24.7 cm

# XML 1.0 allows tab, LF and CR among the C0 controls; lone surrogates and the two
# non-characters below cannot be written either.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_FORMULA_STARTS = ("=", "+", "-", "@")
EXCEL_CELL_LIMIT = 32_767
ELLIPSIS = "…"

_CENTER = WD_ALIGN_PARAGRAPH.CENTER
_LEFT = WD_ALIGN_PARAGRAPH.LEFT
_JUSTIFY = WD_ALIGN_PARAGRAPH.JUSTIFY


# --- public ------------------------------------------------------------------------

def minutes_docx(record: ReviewRecord, tz: ZoneInfo) -> bytes:
    """Biên bản họp bình xét, suy tôn."""
    d = _Docx()
    d.heading(record, _M["number"].format(number=_number(record.number)))
    d.title(_M["title"], _M["subtitle"].format(year=record.year))
    bloc = _bloc_name(record)
    place = _filled(record.meeting_place)
    if record.meeting_at is not None:
        opening = _M["opening_at"].format(clock=_clock(record.meeting_at, tz), place=place, bloc=bloc,
                                          date=document_date(record.meeting_at, tz), year=record.year)
    else:
        opening = _M["opening_on"].format(date=document_date(record.issued_on), place=place, bloc=bloc,
                                          year=record.year)
    d.body(opening)

    d.section(_M["section_attendance"])
    d.bullet(_chair_line(record))
    d.bullet(_M["secretary"].format(name=_filled(record.secretary)))
    d.bullet(_M["present"].format(present=record.present, members=record.members))
    if _clean(record.guests).strip():
        d.bullet(_M["guests"].format(guests=_clean(record.guests).strip()))

    d.section(_M["section_content"])
    d.subsection(_M["scores_heading"].format(year=record.year))
    if record.scores:
        d.table(_M["scores_headers"], [(str(i), s.unit, _score_text(s.total, s.adjusted))
                                       for i, s in enumerate(record.scores, start=1)],
                widths=(1.2, 10.8, 4.0), centred=(0, 2))
    else:
        d.body(_M["scores_none"])

    d.subsection(_M["ballots_heading"])
    if not record.titles:
        d.body(_M["no_titles"])
    for index, title in enumerate(record.titles, start=1):
        d.subsection(_M["title_heading"].format(index=index, name=_clean(title.name), quota=title.quota),
                     italic=True)
        d.body(_M["ballots"].format(issued=title.issued, returned=title.returned, valid=title.valid))
        if title.lines:
            d.table(_M["votes_headers"],
                    [(str(line.rank), line.unit, str(line.votes), _number_text(line.percent),
                      _score_text(line.score), _notes_text(line, mark_selected=True))
                     for line in title.lines],
                    widths=(1.2, 5.6, 1.8, 1.8, 1.8, 3.8), centred=(0, 2, 3, 4))
        else:
            d.body(_M["no_candidates"])

    next_year = record.year + 1
    lead = " ".join(_clean(record.next_lead).split()) or _M["not_elected"]      # None or "": not decided
    deputy = " ".join(_clean(record.next_deputy).split()) or _M["not_elected"]
    d.subsection(_M["leaders_heading"].format(year=next_year))
    d.bullet(_M["next_lead"].format(unit=lead))
    d.bullet(_M["next_deputy"].format(unit=deputy))

    d.section(_M["section_conclusion"])
    d.body(_M["conclusion_intro"])
    for title in record.titles:
        for sentence in _conclusions(title):
            d.bullet(sentence)
    d.bullet(_M["conclusion_leaders"].format(year=next_year, lead=lead, deputy=deputy))

    d.body(_closing(record, tz))
    d.signatures(left=_M["sign_left"], right=_M["sign_right"], left_name=_clean(record.secretary),
                 right_name=_clean(record.chair_name))
    return d.bytes()


def nomination_list_docx(record: ReviewRecord, tz: ZoneInfo) -> bytes:
    """Danh sách đề nghị khen thưởng: the selected units, grouped by title."""
    d = _Docx(landscape=True)
    d.heading(record, None)
    d.title(_L["title"], _L["subtitle"].format(year=record.year))
    d.paragraph(_attached(record), italic=True, align=_CENTER, space_after=12)

    table = d.new_table(_L["headers"], widths=(1.3, 7.0, 6.0, 3.4, 1.8, 5.2))
    for item in _list_items(record):
        if item.kind == "group":
            d.wide_row(table, item.text, bold=True)
        elif item.kind == "note":
            d.wide_row(table, item.text, italic=True)
        else:
            line, title = item.line, item.title
            d.row(table, (str(item.number) if item.number else "", line.unit, _clean(title.name),
                          _votes_text(line, title), _score_text(line.score), _notes_text(line)),
                  centred=(0, 3, 4))
    d.body(_total(record), indent=False)
    d.signatures(left=[], right=_L["sign_right"], right_name=_lead_signer(record))
    return d.bytes()


def proposal_docx(record: ReviewRecord, tz: ZoneInfo) -> bytes:
    """Tờ trình đề nghị khen thưởng, from the Trưởng khối to the province."""
    d = _Docx()
    d.heading(record, _P["number"].format(number=_number(_proposal_number(record))))
    d.title(_P["title"], _P["subtitle"].format(year=record.year))

    province = _province(record)
    d.recipients(_P["to_label"], [r.format(province=province) for r in _P["recipients"]])

    bloc = _bloc_name(record)
    meeting_day = record.meeting_at if record.meeting_at is not None else record.issued_on
    day = document_date(meeting_day, tz)
    fields = dict(year=record.year, bloc=bloc, date=day, Date=day[:1].upper() + day[1:],
                  present=record.present, members=record.members, province=province,
                  lead=_filled(record.lead_unit))
    for basis in _P["basis"]:
        d.body(basis.format(**fields), italic=True)
    d.body(_P["meeting"].format(**fields))
    d.body(_P["proposes"].format(**fields))
    for index, title in enumerate(record.titles, start=1):
        name = _clean(title.name)
        selected = title.selected
        if selected:
            d.body(_P["item"].format(index=index, name=name, count=len(selected)), bold=True)
            for position, line in enumerate(selected, start=1):
                template = _P["item_unit_last"] if position == len(selected) else _P["item_unit"]
                d.body(template.format(unit=_clean(line.unit)))
        else:
            d.body(_P["item_none"].format(index=index, name=name), bold=True)
        ties = _open_ties(title)
        if ties:
            d.body(_P["item_tie"].format(units=_names(ties), seats=_seats_left(title)))
    d.body(_P["attached"], italic=True)
    d.body(_P["closing"].format(**fields))
    d.signatures(left=[], right=_P["sign_right"], right_name=_lead_signer(record),
                 received=(_P["received_label"], _P["received"]))
    return d.bytes()


def nomination_list_xlsx(record: ReviewRecord, tz: ZoneInfo) -> bytes:
    """The nomination list as a workbook: one sheet, numbers as numbers, text as text."""
    return _ListSheet(record).bytes()


def filename(kind: str, record: ReviewRecord) -> str:
    """ASCII file name with the year and version: "bien-ban-binh-xet-2025-v2.docx"."""
    if kind not in KINDS:
        raise ValueError(f"unknown document kind: {kind!r}")
    stem = _slug(_TEXTS["filenames"][kind]) or kind.replace("_", "-")
    return f"{stem}-{int(record.year)}-v{int(record.version)}.{_EXTENSIONS[kind]}"


_BUILDERS: dict[str, Callable[[ReviewRecord, ZoneInfo], bytes]] = {
    "minutes": minutes_docx,
    "list": nomination_list_docx,
    "proposal": proposal_docx,
    "list_xlsx": nomination_list_xlsx,
}


def build(kind: str, record: ReviewRecord, tz: ZoneInfo) -> bytes:
    try:
        builder = _BUILDERS[kind]
    except KeyError:
        raise ValueError(f"unknown document kind: {kind!r}") from None
    return builder(record, tz)


# --- text --------------------------------------------------------------------------

def _clean(text: object) -> str:
    """NFC, CRLF/CR to LF, no XML-illegal characters. None reads as empty."""
    if text is None:
        return ""
    text = unicodedata.normalize("NFC", str(text))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _XML_ILLEGAL.sub("", text)


def _number_text(value: float) -> str:
    """58.333 → "58,33"; 95.5 → "95,5"; 100.0 → "100" (a decimal comma, up to 2 decimals)."""
    text = f"{round(float(value), 2):.2f}".rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text.replace(".", ",")


def _score_text(total: float | None, adjusted: bool = False) -> str:
    if total is None:
        return _C["score_missing"]
    text = _number_text(total)
    return _C["score_adjusted"].format(score=text) if adjusted else text


def _votes_text(line: Line, title: TitleOutcome) -> str:
    return _C["votes"].format(votes=line.votes, base=_base(title), percent=_number_text(line.percent))


def _base(title: TitleOutcome) -> int:
    """What the percentages are of: the ballots issued (all members) or the valid ballots.

    The record carries only the percentages, so the base is the count that reproduces them;
    the ballots issued when both do (or when no unit had a vote).
    """
    for base in (title.issued, title.valid):
        if base and all(abs(100.0 * line.votes / base - line.percent) <= 0.011
                        for line in title.lines if line.votes):
            return base
    return title.issued


def _note_text(note: Note) -> str:
    code = NoteCode(note.code)
    template = _N[code.value]
    title = _clean(note.title).strip() or _N["default_title"]
    years = _C["name_separator"].join(str(y) for y in note.years)
    return template.format(title=title, years=years)


def _notes_text(line: Line, *, mark_selected: bool = False) -> str:
    parts = [_C["selected"]] if mark_selected and line.selected else []
    parts += [_note_text(n) for n in line.notes]
    return _C["note_separator"].join(parts)


def _names(lines: Sequence[Line]) -> str:
    return _C["name_separator"].join(_clean(line.unit) for line in lines)


def _open_ties(title: TitleOutcome) -> tuple[Line, ...]:
    """Units still tied on votes and score at the quota's edge. None once the meeting has
    settled the tie (a line of the title carries DECIDED_BY_MEETING)."""
    if any(n.code is NoteCode.DECIDED_BY_MEETING for line in title.lines for n in line.notes):
        return ()
    return tuple(line for line in title.unresolved if not line.selected)


def _seats_left(title: TitleOutcome) -> int:
    return max(0, title.quota - len(title.selected))


def _conclusions(title: TitleOutcome) -> list[str]:
    name = _clean(title.name)
    out = []
    selected = title.selected
    ties = _open_ties(title)
    if selected:
        out.append(_M["conclusion_selected"].format(name=name, count=len(selected), units=_names(selected)))
    if ties:
        out.append(_M["conclusion_tie"].format(name=name, units=_names(ties), seats=_seats_left(title)))
    if not selected and not ties:
        out.append(_M["conclusion_none"].format(name=name))
    return out


def _proposal_number(record: ReviewRecord) -> str:
    number = record.extra.get("proposal_number", "") if isinstance(record.extra, dict) else ""
    return str(number or "")


def _attached(record: ReviewRecord) -> str:
    """"(Kèm theo Tờ trình số 05/TTr-KTĐ ngày 10 tháng 12 năm 2025 của Khối …)": the list goes
    with the Tờ trình made with it, so on the same day (the documents' date)."""
    day = record.issued_on
    return _L["attached"].format(number=_number(_proposal_number(record)), day=day.day, month=day.month,
                                 year=day.year, bloc=_bloc_name(record))


def _total(record: ReviewRecord) -> str:
    """Collectives proposed (each once) and proposals (a collective may have two titles)."""
    proposed = [line.unit for title in record.titles for line in title.selected]
    collectives = len({" ".join(fold(_clean(unit)).split()) for unit in proposed})
    if collectives == len(proposed):
        return _L["total"].format(count=collectives)
    return _L["total_proposals"].format(count=collectives, proposals=len(proposed))


def _chair_line(record: ReviewRecord) -> str:
    name = " ".join(_clean(record.chair_name).split())
    if not name:
        return _M["chair"].format(unit=_filled(record.lead_unit), year=record.year)
    position = " ".join(_clean(record.chair_position).split())
    if position:
        return _M["chair_other"].format(name=name, position=position)
    return _M["chair_lead"].format(name=name, unit=_filled(record.lead_unit), year=record.year)


def _lead_signer(record: ReviewRecord) -> str:
    """Who signs for the Trưởng khối (the list, the Tờ trình): the chair when they are a
    leader of the Trưởng khối unit; else a blank for the signer's name."""
    return "" if record.chair_position else _clean(record.chair_name)


def _local(moment: datetime, tz: ZoneInfo) -> datetime:
    return moment.astimezone(tz) if moment.tzinfo is not None else moment


def _clock(moment: datetime, tz: ZoneInfo) -> str:
    local = _local(moment, tz)
    return _C["clock"].format(hour=local.hour, minute=local.minute)


def _closing(record: ReviewRecord, tz: ZoneInfo) -> str:
    closed = _local(record.closed_at, tz)
    meeting_day: date = (_local(record.meeting_at, tz).date() if record.meeting_at is not None
                         else record.issued_on)
    clock = _clock(record.closed_at, tz)
    if closed.date() == meeting_day:
        return _M["closing_same_day"].format(clock=clock)
    return _M["closing_other_day"].format(clock=clock, date=document_date(closed.date()))


def _filled(text: str) -> str:
    """The text on one line, or a dotted blank to fill in by hand when there is none."""
    return " ".join(_clean(text).split()) or _C["blank"]


def _date_line(record: ReviewRecord) -> str:
    """"Huế, ngày 05 tháng 01 năm 2026"; the province stands in for a missing place."""
    place = " ".join(_clean(record.place).split()) or " ".join(_clean(record.province).split())
    if place:
        return document_date_line(place, record.issued_on)
    day = document_date(record.issued_on)
    return day[:1].upper() + day[1:]


def _number(number: str) -> str:
    """The typed number ("12"), or the blank the clerk fills in by hand."""
    return _clean(number).strip() or _H["blank_number"]


def _starts_with_word(text: str, words: Sequence[str]) -> bool:
    folded = fold(text)
    for word in words:
        key = fold(word)
        if folded == key or folded.startswith(key + " ") or folded.startswith(key + "."):
            return True
    return False


def _bloc_name(record: ReviewRecord) -> str:
    """"Khối thi đua các Tổ chức xã hội"; the prefix is added when the name lacks it."""
    name = " ".join(_clean(record.bloc).split())
    if not _starts_with_word(name, _H["bloc_words"]):
        name = f"{_H['bloc_prefix']} {name}".strip()
    return name


def _province(record: ReviewRecord) -> str:
    """"tỉnh Thừa Thiên Huế"; "thành phố Huế" stays as typed."""
    name = " ".join(_clean(record.province).split())
    if not name or _starts_with_word(name, _C["province_words"]):
        return name
    return f"{_C['province_prefix']} {name}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


def _roman(number: int) -> str:
    out = []
    for value, letters in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                           (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while number >= value:
            out.append(letters)
            number -= value
    return "".join(out)


@dataclass(frozen=True)
class _Item:
    """One row of the nomination list: a title's row ("group"), a "note", a selected unit
    ("line", numbered) or a unit still tied ("tie", not numbered)."""

    kind: str
    text: str = ""
    line: Line | None = None
    title: TitleOutcome | None = None
    number: int = 0


def _list_items(record: ReviewRecord) -> list[_Item]:
    """The list's rows, shared by the .docx and the .xlsx: per title its row, the selected
    units in rank order (numbered from 1), then any units still tied (not numbered)."""
    items = [] if record.titles else [_Item("note", text=_L["nobody"])]
    for index, title in enumerate(record.titles, start=1):
        items.append(_Item("group", text=_L["group"].format(numeral=_roman(index), name=_clean(title.name),
                                                            quota=title.quota)))
        selected = sorted(title.selected, key=lambda line: line.rank)
        ties = _open_ties(title)
        for number, line in enumerate(selected, start=1):
            items.append(_Item("line", line=line, title=title, number=number))
        if not selected and not ties:
            items.append(_Item("note", text=_L["nobody"]))
        if ties:
            items.append(_Item("note", text=_L["tie_note"].format(seats=_seats_left(title))))
            for line in ties:
                items.append(_Item("tie", line=line, title=title))
    return items


# --- .docx -------------------------------------------------------------------------

def _set_fonts(rpr, size: float | None = None) -> None:
    """Times New Roman in all four rFonts slots of an rPr (run, style or document default),
    with the theme fonts removed so that they cannot take precedence."""
    fonts = rpr.get_or_add_rFonts()
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT_NAME)
    if size is not None:
        rpr.get_or_add_sz().set(qn("w:val"), str(int(size * 2)))
        complex_size = rpr.find(qn("w:szCs"))
        if complex_size is not None:
            complex_size.set(qn("w:val"), str(int(size * 2)))


def _borderless(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    # schema order: tblBorders comes before shd, tblLayout, tblCellMar and tblLook
    table._tbl.tblPr.insert_element_before(borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook",
                                           "w:tblCaption", "w:tblDescription", "w:tblPrChange")


def _bottom_border(paragraph) -> None:
    """A thin line under the paragraph (the rules under the issuer and the motto)."""
    ppr = paragraph._p.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "auto")):
        bottom.set(qn(key), value)
    border.append(bottom)
    # schema order: pBdr comes before shd, tabs, spacing, ind, jc...
    ppr.insert_element_before(border, "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
                              "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi",
                              "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
                              "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection",
                              "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle",
                              "w:rPr", "w:sectPr", "w:pPrChange")


class _Docx:
    def __init__(self, landscape: bool = False):
        self.doc = Document()
        self.text_cm = _LANDSCAPE_TEXT_CM if landscape else _PORTRAIT_TEXT_CM
        self._set_up_styles()
        section = self.doc.sections[0]
        if landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = A4_HEIGHT, A4_WIDTH
        else:
            section.orientation = WD_ORIENT.PORTRAIT
            section.page_width, section.page_height = A4_WIDTH, A4_HEIGHT
        section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
        section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
        section.header_distance = section.footer_distance = Cm(1)
        self._page_numbers(section)

    def _set_up_styles(self) -> None:
        styles = self.doc.styles.element
        defaults = styles.find(qn("w:docDefaults"))
        if defaults is not None:
            rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
            if rpr is not None:
                _set_fonts(rpr, BODY_PT)
                language = rpr.find(qn("w:lang"))
                if language is not None:
                    language.set(qn("w:val"), "vi-VN")
        normal = self.doc.styles["Normal"]
        normal.font.name = FONT_NAME
        normal.font.size = Pt(BODY_PT)
        _set_fonts(normal.element.get_or_add_rPr(), BODY_PT)
        self.doc.core_properties.author = "khoibot"

    def _page_numbers(self, section) -> None:
        """Nghị định 30: page numbers centred at the top, from the second page."""
        section.different_first_page_header_footer = True
        paragraph = section.header.paragraphs[0]
        paragraph.alignment = _CENTER
        for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "2"), ("end", None)):
            run = paragraph.add_run()
            self._font(run, BODY_PT)
            if kind is not None:
                char = OxmlElement("w:fldChar")
                char.set(qn("w:fldCharType"), kind)
                run._r.append(char)
            elif text == " PAGE ":
                instr = OxmlElement("w:instrText")
                instr.set(qn("xml:space"), "preserve")
                instr.text = text
                run._r.append(instr)
            else:
                run.text = text

    # paragraphs

    @staticmethod
    def _font(run, size: float, bold: bool = False, italic: bool = False) -> None:
        _set_fonts(run._r.get_or_add_rPr())
        run.font.size = Pt(size)
        run.bold = bold
        run.italic = italic

    def paragraph(self, text: str = "", *, bold: bool = False, italic: bool = False, size: float = BODY_PT,
                  align=_JUSTIFY, first_indent: float | None = None, space_before: float = 0,
                  space_after: float = 6, container=None, reuse: bool = False, keep_with_next: bool = False):
        """A paragraph of `text` (cleaned, written literally). In a table cell, `reuse`
        fills the cell's first, empty paragraph."""
        target = container if container is not None else self.doc
        if reuse and target.paragraphs and not target.paragraphs[-1].text:
            paragraph = target.paragraphs[-1]
        else:
            paragraph = target.add_paragraph()
        paragraph.alignment = align
        fmt = paragraph.paragraph_format
        fmt.space_before = Pt(space_before)
        fmt.space_after = Pt(space_after)
        fmt.line_spacing = 1.1
        fmt.keep_with_next = keep_with_next
        if first_indent is not None:
            fmt.first_line_indent = Cm(first_indent)
        if text:
            run = paragraph.add_run(_clean(text))
            self._font(run, size, bold, italic)
        return paragraph

    def body(self, text: str, *, bold: bool = False, italic: bool = False, indent: bool = True):
        return self.paragraph(text, bold=bold, italic=italic, first_indent=1.0 if indent else None)

    def bullet(self, text: str):
        return self.paragraph(_C["bullet"] + text, first_indent=1.0)

    def section(self, text: str):
        return self.paragraph(text, bold=True, align=_LEFT, space_before=6, keep_with_next=True)

    def subsection(self, text: str, italic: bool = False):
        return self.paragraph(text, bold=True, italic=italic, first_indent=1.0, keep_with_next=True)

    def title(self, *lines: str) -> None:
        for index, line in enumerate(lines):
            self.paragraph(line, bold=True, size=TITLE_PT, align=_CENTER, space_before=18 if index == 0 else 0,
                           space_after=12 if index == len(lines) - 1 else 0, keep_with_next=True)

    def heading(self, record: ReviewRecord, number_line: str | None) -> None:
        """The issuer (bloc) on the left, the national heading on the right; the number and
        the place-and-date line on a second row so that they line up."""
        left_cm = 6.0 if self.text_cm < 20 else 9.0
        right_cm = self.text_cm - left_cm
        table = self._table(2, (left_cm, right_cm), borders=False)
        top, bottom = table.add_row(), table.add_row()
        self._size_row(top, (left_cm, right_cm))
        self._size_row(bottom, (left_cm, right_cm))

        issuer = top.cells[0]
        self.paragraph(_bloc_name(record).upper(), bold=True, size=HEADING_PT, align=_CENTER, space_after=0,
                       container=issuer, reuse=True)
        self._rule(issuer, left_cm, 2.0)

        nation = top.cells[1]
        self.paragraph(_H["nation"], bold=True, size=HEADING_PT, align=_CENTER, space_after=0,
                       container=nation, reuse=True)
        self.paragraph(_H["motto"], bold=True, size=MOTTO_PT, align=_CENTER, space_after=0, container=nation)
        self._rule(nation, right_cm, 6.2)

        if number_line:
            self.paragraph(number_line, size=BODY_PT, align=_CENTER, space_before=6, space_after=0,
                           container=bottom.cells[0], reuse=True)
        self.paragraph(_date_line(record), italic=True, size=BODY_PT, align=_CENTER, space_before=6, space_after=0,
                       container=bottom.cells[1], reuse=True)

    def _rule(self, cell, cell_cm: float, length_cm: float) -> None:
        """A centred line of about `length_cm` under the text above it in `cell`."""
        paragraph = cell.add_paragraph()
        fmt = paragraph.paragraph_format
        side = max(0.0, (cell_cm - 0.4 - length_cm) / 2)
        fmt.left_indent = fmt.right_indent = Cm(side)
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.line_spacing = Pt(2)
        _bottom_border(paragraph)

    # tables

    def _table(self, columns: int, widths: Sequence[float], *, borders: bool = True):
        table = self.doc.add_table(rows=0, cols=columns)
        table.autofit = False
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        if borders:
            table.style = self.doc.styles["Table Grid"]
        else:
            _borderless(table)
        for column, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths):
            column.set(qn("w:w"), str(int(Cm(width).twips)))
        return table

    @staticmethod
    def _size_row(row, widths: Sequence[float]) -> None:
        for cell, width in zip(row.cells, widths):
            cell.width = Cm(width)

    def new_table(self, headers: Sequence[str], widths: Sequence[float]):
        table = self._table(len(headers), widths)
        table._widths = tuple(widths)
        row = table.add_row()
        self._size_row(row, widths)
        trpr = row._tr.get_or_add_trPr()
        trpr.append(OxmlElement("w:tblHeader"))         # repeated on every page
        for cell, text in zip(row.cells, headers):
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            self.paragraph(text, bold=True, size=TABLE_PT, align=_CENTER, space_before=2, space_after=2,
                           container=cell, reuse=True)
        self._no_split(row)
        return table

    @staticmethod
    def _no_split(row) -> None:
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))

    def row(self, table, values: Sequence[str], centred: Sequence[int] = ()) -> None:
        row = table.add_row()
        self._size_row(row, table._widths)
        for index, (cell, text) in enumerate(zip(row.cells, values)):
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            self.paragraph(text, size=TABLE_PT, align=_CENTER if index in centred else _LEFT,
                           space_before=2, space_after=2, container=cell, reuse=True)
        self._no_split(row)

    def wide_row(self, table, text: str, *, bold: bool = False, italic: bool = False) -> None:
        """One cell across the table: a title's row, or a note."""
        row = table.add_row()
        self._size_row(row, table._widths)
        cell = row.cells[0].merge(row.cells[-1])
        self.paragraph(text, bold=bold, italic=italic, size=TABLE_PT, align=_LEFT, space_before=2,
                       space_after=2, container=cell, reuse=True)
        self._no_split(row)

    def table(self, headers: Sequence[str], rows: Sequence[Sequence[str]], *, widths: Sequence[float],
              centred: Sequence[int] = ()) -> None:
        table = self.new_table(headers, widths)
        for values in rows:
            self.row(table, values, centred)
        self.paragraph("", space_after=6)   # air between the table and what follows

    def recipients(self, label: str, names: Sequence[str]) -> None:
        """"Kính gửi:" and the recipients, one a line, centred under each other."""
        if len(names) == 1:
            self.paragraph(f"{label} {names[0]}", align=_CENTER, space_before=6, space_after=12)
            return
        self.paragraph(label, align=_LEFT, space_before=6, space_after=0, first_indent=3.0)
        for index, name in enumerate(names):
            paragraph = self.paragraph(_C["bullet"] + name, align=_LEFT, space_after=12 if index == len(names) - 1 else 0)
            paragraph.paragraph_format.left_indent = Cm(4.0)

    def signatures(self, *, left: Sequence[str], right: Sequence[str], left_name: str = "",
                   right_name: str = "", received: tuple[str, Sequence[str]] | None = None) -> None:
        """Two borderless columns: the left signer (or the "Nơi nhận" block), the right signer;
        room to sign under each title, then the name (blank when unknown)."""
        half = self.text_cm / 2
        table = self._table(2, (half, half), borders=False)
        row = table.add_row()
        self._size_row(row, (half, half))
        self.paragraph("", space_after=0, container=self.doc)
        blank = int(_C["signature_space_lines"])
        for cell, lines, name in ((row.cells[0], left, left_name), (row.cells[1], right, right_name)):
            for index, line in enumerate(lines):
                self.paragraph(line, bold=True, size=BODY_PT, align=_CENTER, space_before=12 if index == 0 else 0,
                               space_after=0, container=cell, reuse=index == 0)
            if lines:
                for _ in range(blank):
                    self.paragraph("", space_after=0, container=cell)
                self.paragraph(name, bold=True, size=BODY_PT, align=_CENTER, space_after=0, container=cell)
        if received is not None:
            label, lines = received
            cell = row.cells[0]
            self.paragraph(label, bold=True, italic=True, size=HEADING_PT, align=_LEFT, space_before=12,
                           space_after=0, container=cell, reuse=True)
            for line in lines:
                self.paragraph(line, size=SMALL_PT, align=_LEFT, space_after=0, container=cell)

    def bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()


# --- .xlsx -------------------------------------------------------------------------

_THIN = Side(style="thin")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_XLSX_PT = 12
_XLSX_LINE = 15.75            # points per line of 12 pt Times New Roman
_XLSX_MAX_HEIGHT = 409
# STT, Tên tập thể, Danh hiệu / hình thức, Số phiếu, Tỷ lệ (%), Điểm, Ghi chú
_XLSX_WIDTHS = (6, 40, 36, 10, 10, 10, 40)
_PERCENT_FORMAT = "0.00"
_SCORE_FORMAT = "0.##"


def _truncate(text: str) -> str:
    """Excel counts UTF-16 code units; cut on a character boundary and end with "…"."""
    if len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF) <= EXCEL_CELL_LIMIT:
        return text
    out, used = [], 0
    for ch in text:
        size = 2 if ord(ch) > 0xFFFF else 1
        if used + size > EXCEL_CELL_LIMIT - 1:
            break
        out.append(ch)
        used += size
    return "".join(out) + ELLIPSIS


class _ListSheet:
    def __init__(self, record: ReviewRecord):
        self.record = record
        self.wb = Workbook()
        self.ws = self.wb.active
        self.ws.title = _clean(_L["sheet_title"])[:31]
        self.wb.properties.title = _L["title"]
        self.wb.properties.creator = "khoibot"
        self.columns = len(_XLSX_WIDTHS)
        self.last = get_column_letter(self.columns)
        for index, width in enumerate(_XLSX_WIDTHS, start=1):
            self.ws.column_dimensions[get_column_letter(index)].width = width
        self._fill()
        self._page_setup()

    def _put(self, row: int, col: int, value, *, bold: bool = False, italic: bool = False,
             horizontal: str = "left", border: bool = True, number_format: str | None = None):
        """One cell: text always as text (never a formula), numbers as numbers."""
        cell = self.ws.cell(row=row, column=col)
        if isinstance(value, str):
            text = _truncate(_clean(value))
            if text:
                cell.value = text
                cell.data_type = "s"
                if text.startswith(_FORMULA_STARTS):
                    cell.quotePrefix = True
        elif value is not None:
            cell.value = value
            if number_format:
                cell.number_format = number_format
        cell.font = Font(name=FONT_NAME, size=_XLSX_PT, bold=bold, italic=italic)
        cell.alignment = Alignment(horizontal=horizontal, vertical="center", wrap_text=True)
        if border:
            cell.border = _BORDER
        return cell

    def _wide(self, row: int, text: str, *, bold: bool = False, italic: bool = False, border: bool = True,
              horizontal: str = "left", size: int | None = None) -> None:
        cell = self._put(row, 1, text, bold=bold, italic=italic, border=border, horizontal=horizontal)
        if size:
            cell.font = Font(name=FONT_NAME, size=size, bold=bold, italic=italic)
        if border:
            for col in range(2, self.columns + 1):
                self.ws.cell(row=row, column=col).border = _BORDER
        self.ws.merge_cells(f"A{row}:{self.last}{row}")
        self.ws.row_dimensions[row].height = self._height({1: _clean(text)}, merged=True)

    def _height(self, texts: dict[int, str], merged: bool = False) -> float:
        lines = 1
        for col, text in texts.items():
            width = sum(_XLSX_WIDTHS) if merged else _XLSX_WIDTHS[col - 1]
            per_line = max(1, int(width * 1.1))
            lines = max(lines, sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n")))
        return min(_XLSX_MAX_HEIGHT, lines * _XLSX_LINE + 4)

    def _fill(self) -> None:
        record = self.record
        self._wide(1, _bloc_name(record).upper(), bold=True, border=False, horizontal="center")
        self._wide(2, _L["title"], bold=True, border=False, horizontal="center", size=14)
        self._wide(3, _L["subtitle"].format(year=record.year), bold=True, border=False, horizontal="center")
        self._wide(4, _date_line(record), italic=True,
                   border=False, horizontal="center")
        top, sub = 6, 7
        headers = _L["headers"]
        # STT, Tên tập thể, Danh hiệu: two rows tall; "Số phiếu, tỷ lệ %" over two columns.
        for col, text in ((1, headers[0]), (2, headers[1]), (3, headers[2]), (6, headers[4]), (7, headers[5])):
            self._put(top, col, text, bold=True, horizontal="center")
            self._put(sub, col, "", bold=True, horizontal="center")
            letter = get_column_letter(col)
            self.ws.merge_cells(f"{letter}{top}:{letter}{sub}")
        self._put(top, 4, headers[3], bold=True, horizontal="center")
        self._put(top, 5, "", bold=True, horizontal="center")
        self.ws.merge_cells(f"D{top}:E{top}")
        self._put(sub, 4, _L["sheet_votes"], bold=True, horizontal="center")
        self._put(sub, 5, _L["sheet_percent"], bold=True, horizontal="center")
        self.ws.row_dimensions[top].height = 2 * _XLSX_LINE + 4

        self._wide(5, _attached(record), italic=True, border=False, horizontal="center")
        row = sub
        for item in _list_items(record):
            row += 1
            if item.kind == "group":
                self._wide(row, item.text, bold=True)
            elif item.kind == "note":
                self._wide(row, item.text, italic=True)
            else:
                line, title = item.line, item.title
                notes = _notes_text(line)
                self._put(row, 1, item.number or None, horizontal="center")
                self._put(row, 2, line.unit)
                self._put(row, 3, title.name)
                self._put(row, 4, int(line.votes), horizontal="center")
                self._put(row, 5, float(line.percent), horizontal="center", number_format=_PERCENT_FORMAT)
                self._put(row, 6, float(line.score) if line.score is not None else _C["score_missing"],
                          horizontal="center", number_format=_SCORE_FORMAT)
                self._put(row, 7, notes)
                self.ws.row_dimensions[row].height = self._height(
                    {2: _clean(line.unit), 3: _clean(title.name), 7: notes})
        row += 2
        self._wide(row, _total(record), italic=True, border=False)
        self.ws.freeze_panes = f"A{sub + 1}"
        self.header_rows = (top, sub)

    def _page_setup(self) -> None:
        ws = self.ws
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        top, sub = self.header_rows
        ws.print_title_rows = f"{top}:{sub}"
        ws.print_area = f"A1:{self.last}{ws.max_row}"
        ws.print_options.horizontalCentered = True
        # inches: 2 cm top and bottom, 3 cm left (binding), 2 cm right
        ws.page_margins.top = ws.page_margins.bottom = round(2 / 2.54, 3)
        ws.page_margins.left = round(3 / 2.54, 3)
        ws.page_margins.right = round(2 / 2.54, 3)

    def bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.wb.save(buffer)
        return buffer.getvalue()
