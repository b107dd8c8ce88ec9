"""The year rollover's rules (shared/domain.md §2): when a bloc may move from year Y to
Y + 1, and how a year typed after a command is read. Pure: no Telegram, no database."""

from __future__ import annotations

from enum import StrEnum

# A year typed after /tinhhinh or /xuat: four digits, nothing else.
YEAR_DIGITS = 4


class Refusal(StrEnum):
    VOTE_OPEN = "vote_open"  # the year's secret ballot is under way
    TOO_EARLY = "too_early"  # Y + 1 would be more than a year ahead of the calendar


class YearArgumentError(ValueError):
    """What follows the command is not a year."""


def refusal(*, year: int, local_year: int, vote_status: str | None) -> Refusal | None:
    """Why the bloc may not move from ``year`` to ``year + 1`` now, or None when it may.

    A bloc rolls over without a ballot held through the bot (the meeting may have voted
    on paper), but never while one is open: its ballots belong to ``year``. Like a new
    bloc's year, the next year is at most one ahead of the calendar, which also keeps a
    second /namsau from jumping two years at once."""
    if vote_status == "open":
        return Refusal.VOTE_OPEN
    if year + 1 > local_year + 1:
        return Refusal.TOO_EARLY
    return None


def voted(vote_status: str | None) -> bool:
    """Whether the year's ballot was held and closed through the bot (else the secretary is warned)."""
    return vote_status == "closed"


def parse_year(text: str) -> int | None:
    """The year typed after a command: None when nothing was typed (the current year)."""
    text = text.strip()
    if not text:
        return None
    if len(text) != YEAR_DIGITS or not text.isascii() or not text.isdigit():
        raise YearArgumentError(text)
    return int(text)
