"""Rules for setting a bloc up: its name and year as a secretary types them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from domain.text import clean

MAX_BLOC_NAME = 200
_TRAILING_YEAR = re.compile(r"[\s,;:–-]*(?:năm\s+)?((?:19|20)\d\d)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class BlocSetup:
    name: str
    year: int


class SetupError(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def parse_setup(text: str, current_year: int) -> BlocSetup:
    """Read "Khối thi đua các Tổ chức xã hội 2025" as a name and a year.

    Without a year the bloc starts in the current year; a year more than one
    away from it is most likely a typo and is refused.
    """
    text = clean(text)
    year = current_year
    match = _TRAILING_YEAR.search(text)
    if match:
        year = int(match.group(1))
        text = clean(text[: match.start()])
    if len(text) < 3 or not any(ch.isalpha() for ch in text):
        raise SetupError("name_missing")
    if len(text) > MAX_BLOC_NAME:
        raise SetupError("name_too_long")
    if abs(year - current_year) > 1:
        raise SetupError("year_out_of_range")
    return BlocSetup(name=text, year=year)


def bloc_name_problem(name: str) -> str | None:
    """Why a bloc's new name (a rename, not a set-up) cannot be used, or None."""
    if len(name) < 3:
        return "name_missing"
    if len(name) > MAX_BLOC_NAME or not any(ch.isalpha() for ch in name):
        return "name_too_long"
    return None


MAX_PROVINCE = 100


def province_problem(province: str) -> bool:
    """A province name is given and not overlong."""
    return not province or len(province) > MAX_PROVINCE
