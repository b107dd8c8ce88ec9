"""Vietnamese dates: display formats, document date lines, parsing typed dates."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from domain.text import fold

DEFAULT_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def _local(d: date | datetime, tz: ZoneInfo | None) -> date | datetime:
    """Aware datetimes are shown in `tz` (default Vietnam); naive ones are taken as local."""
    if isinstance(d, datetime) and d.tzinfo is not None:
        return d.astimezone(tz or DEFAULT_TZ)
    return d


def fmt_date(d: date | datetime, tz: ZoneInfo | None = None) -> str:
    d = _local(d, tz)
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def fmt_time(dt: datetime | time, tz: ZoneInfo | None = None) -> str:
    if isinstance(dt, datetime):
        dt = _local(dt, tz)
    return f"{dt.hour:02d}:{dt.minute:02d}"


def fmt_datetime(dt: datetime, tz: ZoneInfo | None = None) -> str:
    return f"{fmt_time(dt, tz)} ngày {fmt_date(dt, tz)}"


def document_date(d: date | datetime, tz: ZoneInfo | None = None) -> str:
    """Nghị định 30/2020: pad days below 10, and only months 1 and 2."""
    d = _local(d, tz)
    month = f"{d.month:02d}" if d.month <= 2 else str(d.month)
    return f"ngày {d.day:02d} tháng {month} năm {d.year:04d}"


def document_date_line(place: str, d: date | datetime, tz: ZoneInfo | None = None) -> str:
    return f"{place}, {document_date(d, tz)}"


def is_past(dt: datetime, now: datetime) -> bool:
    return dt < now


def accepted_years(bloc_year: int, this_year: int) -> tuple[int, int]:
    """The years a typed date of a bloc's year may fall in (first, last): a year either
    side of the bloc's year and of this year. «31/12/9999» is a slip of the keyboard."""
    return min(bloc_year, this_year) - 1, max(bloc_year, this_year) + 1


def year_problem(at: datetime, *, bloc_year: int, now: datetime, tz: ZoneInfo) -> dict | None:
    """When a typed date is too far from the bloc's year to be meant: the accepted years."""
    low, high = accepted_years(bloc_year, now.astimezone(tz).year)
    return None if low <= at.astimezone(tz).year <= high else dict(at=at, low=low, high=high)


# --- parsing ------------------------------------------------------------------

class DateParseError(ValueError):
    """code: "format" (unreadable) or "impossible" (31/2, 25:00...)."""

    def __init__(self, code: str, text: str):
        super().__init__(f"{code}: {text!r}")
        self.code = code
        self.text = text


@dataclass(frozen=True)
class ParsedDateTime:
    value: datetime  # aware, in the requested tz
    has_time: bool   # False when the text had no time and default_time was used


# Patterns run on fold()ed text: lower case, no accents ("giờ" -> "gio"),
# dashes unified and unspaced ("15 – 3" -> "15-3").
_NOT_BEFORE = r"(?<![\d/.:-])"
_PERIOD = r"(?:\s*(?P<period>sang|trua|chieu|toi|dem)\b)?"
_TIMES = [
    re.compile(_NOT_BEFORE + r"(?P<h>\d{1,2}):(?P<m>\d{2})(?![\d:])" + _PERIOD),  # 14:00
    re.compile(_NOT_BEFORE + r"(?P<h>\d{1,2}) ?[hg](?:(?P<m>\d{1,2})(?![\d/.-]))?"
               r"(?:p|ph|phut)?(?![a-z\d])" + _PERIOD),                            # 14h30, 8g
    re.compile(_NOT_BEFORE + r"(?P<h>\d{1,2}) ?gio(?: ?(?P<m>\d{1,2})(?![\d/.-])(?: ?phut)?)?\b"
               + _PERIOD),                                                          # 14 giờ 30 phút
]
_DATES = [
    re.compile(r"(?<!\d)(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})(?![\d-])"),  # 2025-03-15
    re.compile(_NOT_BEFORE + r"(?P<d>\d{1,2})(?P<sep>[/.-])(?P<mo>\d{1,2})"
               r"(?:(?P=sep)(?P<y>\d{4}|\d{2}))?(?![\d/.:-])"),                       # 15/3/2025
    re.compile(r"(?<!\d)(?P<d>\d{1,2}) ?thang ?(?P<mo>\d{1,2})"
               r"(?:,? ?(?:nam ?(?P<y2>\d{2}|\d{4})|(?P<y>\d{4})))?(?!\d)"),         # 15 tháng 3 năm 2025
]
# Words that may surround a date and carry nothing: "ngày", "lúc", "vào", weekdays.
_FILLER = re.compile(
    r"\b(?:ngay|luc|vao|thu (?:[2-7]|hai|ba|tu|nam|sau|bay)|chu nhat|cn)\b|[,;()]")
# hour ranges that "chiều", "tối"... move to the afternoon
_PM = {"chieu": range(1, 12), "toi": range(1, 12), "trua": range(1, 4), "dem": range(6, 12)}


def _take(patterns: list[re.Pattern], s: str, text: str) -> tuple[re.Match | None, str]:
    """The single match of any pattern, and `s` with it blanked out."""
    found = None
    for p in patterns:
        for m in p.finditer(s):
            if found:
                raise DateParseError("format", text)  # two dates or two times
            found = m
        if found:
            s = s[: found.start()] + " " + s[found.end():]
            break
    if found:  # a second one written in another style
        for p in patterns:
            if p.search(s):
                raise DateParseError("format", text)
    return found, s


def _date(day: int, month: int, year: int | None, today: date, text: str) -> date:
    if year is not None:
        try:
            return date(year, month, day)
        except ValueError:
            raise DateParseError("impossible", text) from None
    # no year: the next occurrence on or after today (29/2 may be years away)
    for y in range(today.year, today.year + 9):
        try:
            d = date(y, month, day)
        except ValueError:
            continue
        if d >= today:
            return d
    raise DateParseError("impossible", text)


def parse_vn_datetime(text: str, *, now: datetime, tz: ZoneInfo,
                      default_time: time | None = None) -> ParsedDateTime:
    s = fold(text)
    tm, s = _take(_TIMES, s, text)
    dm, s = _take(_DATES, s, text)
    if dm is None or _FILLER.sub(" ", s).strip(" -."):
        raise DateParseError("format", text)

    g = dm.groupdict()
    year_s = g.get("y") or g.get("y2")
    year = None if year_s is None else int(year_s) + (2000 if len(year_s) == 2 else 0)
    if now.tzinfo is None:
        now = now.replace(tzinfo=tz)
    day = _date(int(g["d"]), int(g["mo"]), year, now.astimezone(tz).date(), text)

    if tm is None:
        t = default_time or time(0, 0)
        clock = time(t.hour, t.minute, t.second)
    else:
        h, mi = int(tm["h"]), int(tm["m"] or 0)
        if h in _PM.get(tm["period"] or "", ()):
            h += 12
        if h > 23 or mi > 59:
            raise DateParseError("impossible", text)
        clock = time(h, mi)
    return ParsedDateTime(datetime.combine(day, clock, tzinfo=tz), tm is not None)
