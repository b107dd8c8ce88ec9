"""Which days are days off for a bloc, and the working day before one: Vietnam's public
holidays (the ``holidays`` package's calendar, lunar dates and in-lieu days included), the
weekends joined to them, the province's own days off, and weekends where the bloc chooses.

The package gives the days the Labour Code (2019, Điều 112) and the Government's yearly
swaps give off; the official breaks also take in the weekends they touch: Tết Ất Tỵ 2025 is
25/01–02/02/2025 (Thông báo 6150/TB-BLĐTBXH, 2024), Tết Bính Ngọ 2026 is 14/02–22/02/2026
(the Bộ Nội vụ's plan the Prime Minister approved, as announced in 2025: 9 days, 27 tháng
Chạp to mùng 6 tháng Giêng). So a weekend next to a holiday is part of its break, whatever
the bloc chose for weekends.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache

import holidays


class Off(StrEnum):
    """Why a day is off; templates name each (templates/messages/schedule.j2 day_off)."""

    TET = "tet"
    NEW_YEAR = "new_year"
    HUNG_KINGS = "hung_kings"
    REUNIFICATION = "reunification"  # 30/4
    LABOUR = "labour"  # 1/5
    NATIONAL = "national"  # 2/9 and the day next to it
    CULTURE = "culture"  # 24/11, from 2026
    HOLIDAY = "holiday"  # a holiday of the package this list does not know: shown by its name
    PROVINCE = "province"  # the province's own day off (configuration)
    SATURDAY = "saturday"  # where the bloc chose weekends as days off
    SUNDAY = "sunday"


@dataclass(frozen=True)
class DayOff:
    why: Off
    name: str = ""  # the package's Vietnamese name (shown for Off.HOLIDAY only)
    in_break: bool = False  # a weekend, in-lieu or swapped day of the holiday's break, not the holiday itself


# The package's English names (its source strings) sorted into our kinds, first match wins;
# in-lieu and swapped days («Day off (substituted from …)», «… (observed)») take the kind of
# the holiday they belong to.
_KINDS = (("Lunar New Year", Off.TET), ("New Year's Day", Off.NEW_YEAR), ("Hung Kings", Off.HUNG_KINGS),
          ("Liberation Day", Off.REUNIFICATION), ("Labor Day", Off.LABOUR), ("National Day", Off.NATIONAL),
          ("Cultural Day", Off.CULTURE))
_SWAPPED = "substituted"


def _kind(english: str) -> Off | None:
    """None for a swapped day (named after the break it lengthens)."""
    if _SWAPPED in english:
        return None
    return next((kind for key, kind in _KINDS if key in english), Off.HOLIDAY)


@lru_cache(maxsize=64)
def _national(year: int) -> dict[date, DayOff]:
    """Vietnam's days off in ``year``, with the weekends their breaks take in."""
    english = holidays.country_holidays("VN", years=year, language="en_US")
    vietnamese = holidays.country_holidays("VN", years=year, language="vi")
    days: dict[date, DayOff] = {}
    for day, name in english.items():
        kind = _kind(name)
        days[day] = DayOff(kind or Off.HOLIDAY, vietnamese.get(day, ""), kind is None or "observed" in name)
    # Breaks: a run of holidays and the weekends around and inside it. A swapped day and a
    # weekend take the kind of the nearest real holiday of their run.
    runs: list[list[date]] = []
    for day in sorted(days):
        if runs and _joined(runs[-1][-1], day, days):
            runs[-1].append(day)
        else:
            runs.append([day])
    for run in runs:
        start, end = run[0], run[-1]
        while (start - timedelta(days=1)).weekday() >= 5:
            start -= timedelta(days=1)
        while (end + timedelta(days=1)).weekday() >= 5:
            end += timedelta(days=1)
        real = [d for d in run if not days[d].in_break] or run
        day = start
        while day <= end:
            if day not in days or days[day].in_break:
                nearest = min(real, key=lambda r: (abs((r - day).days), r))
                days[day] = DayOff(days[nearest].why, days[nearest].name, in_break=True)
            day += timedelta(days=1)
    return days


def _joined(last: date, day: date, days: dict[date, DayOff]) -> bool:
    """Whether only weekend days lie between two days off."""
    between = last + timedelta(days=1)
    while between < day:
        if between.weekday() < 5 and between not in days:
            return False
        between += timedelta(days=1)
    return True


def national_day_off(day: date) -> DayOff | None:
    """The national day off ``day`` is, if it is one (a holiday or part of its break)."""
    # A break at the turn of a year (Tết in late January) is found in either year's table.
    for year in (day.year, day.year - 1, day.year + 1):
        found = _national(year).get(day)
        if found:
            return found
    return None


@dataclass(frozen=True)
class WorkingDays:
    """A bloc's days off: the national ones, its province's own (``extra_days_off``), and
    Saturdays and Sundays if the bloc chose (``weekends``)."""

    extra_days_off: frozenset[date] = frozenset()
    weekends: bool = False

    @classmethod
    def of(cls, extra_days_off: Iterable[date] = (), weekends: bool = False) -> WorkingDays:
        return cls(frozenset(extra_days_off), weekends)

    def day_off(self, day: date) -> DayOff | None:
        """Why ``day`` is off, or None for a working day."""
        national = national_day_off(day)
        if national:
            return national
        if day in self.extra_days_off:
            return DayOff(Off.PROVINCE)
        if self.weekends and day.weekday() >= 5:
            return DayOff(Off.SATURDAY if day.weekday() == 5 else Off.SUNDAY)
        return None

    def is_day_off(self, day: date) -> bool:
        return self.day_off(day) is not None

    def before(self, day: date) -> date:
        """The latest working day on or before ``day``."""
        while self.is_day_off(day):
            day -= timedelta(days=1)
        return day
