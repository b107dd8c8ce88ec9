"""The milestones of a bloc's year, what each asks of the units, and their order."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from enum import StrEnum

from domain.text import clean
from domain.working_days import WorkingDays


class Kind(StrEnum):
    REGISTRATION_DEADLINE = "registration_deadline"
    COVENANT_MEETING = "covenant_meeting"
    MIDYEAR_MEETING = "midyear_meeting"
    YEAREND_MEETING = "yearend_meeting"
    DOSSIER_DEADLINE = "dossier_deadline"
    # Set when the secretary opens the secret ballot with a deadline; voting closes then.
    BALLOT_DEADLINE = "ballot_deadline"
    # The province's deadline for the blocs' dossiers (``Province.dossier_due``): written by the
    # bot from the configuration, never typed; reminders go to the secretaries.
    DOSSIER_DUE = "dossier_due"


MEETINGS = {Kind.COVENANT_MEETING, Kind.MIDYEAR_MEETING, Kind.YEAREND_MEETING}


class Duty(StrEnum):
    """What a unit owes before a milestone."""

    REGISTRATION = "registration"
    COVENANT = "covenant"
    MIDYEAR_REPORT = "report_midyear"
    YEAREND_REPORT = "report_yearend"
    BALLOT = "ballot"


DUTIES: dict[Kind, tuple[Duty, ...]] = {
    Kind.REGISTRATION_DEADLINE: (Duty.REGISTRATION,),
    Kind.COVENANT_MEETING: (Duty.COVENANT,),
    Kind.MIDYEAR_MEETING: (Duty.MIDYEAR_REPORT,),
    Kind.YEAREND_MEETING: (Duty.YEAREND_REPORT,),
    Kind.DOSSIER_DEADLINE: (),  # the secretary's own deadline: reminders go to the group only
    Kind.BALLOT_DEADLINE: (Duty.BALLOT,),
    Kind.DOSSIER_DUE: (),  # the secretaries' duty (services/dossier_due.py), no unit's
}

# Report periods a unit sends a file for, by the duty it fulfils.
REPORT_PERIODS = {Duty.MIDYEAR_REPORT: "midyear", Duty.YEAREND_REPORT: "yearend"}

# (earlier, later): a year reads in this order.
ORDER: tuple[tuple[Kind, Kind], ...] = (
    (Kind.REGISTRATION_DEADLINE, Kind.MIDYEAR_MEETING),
    (Kind.COVENANT_MEETING, Kind.MIDYEAR_MEETING),
    (Kind.MIDYEAR_MEETING, Kind.YEAREND_MEETING),
    (Kind.REGISTRATION_DEADLINE, Kind.YEAREND_MEETING),
    (Kind.YEAREND_MEETING, Kind.DOSSIER_DEADLINE),
)


# A usual day and hour for each milestone (month, day, hour, minute), for the example a
# prompt gives; in the order ORDER asks for.
_USUAL = {
    Kind.REGISTRATION_DEADLINE: (3, 31, 17, 0),
    Kind.COVENANT_MEETING: (3, 15, 8, 0),
    Kind.MIDYEAR_MEETING: (7, 15, 14, 0),
    Kind.YEAREND_MEETING: (12, 10, 14, 0),
    Kind.DOSSIER_DEADLINE: (12, 25, 17, 0),
    Kind.BALLOT_DEADLINE: (12, 10, 16, 30),
    Kind.DOSSIER_DUE: (12, 20, 17, 0),
}


def example(kind: Kind, *, year: int, now: datetime, days: WorkingDays | None = None) -> datetime:
    """A time to show as an example when asking for ``kind``'s date: its usual day in the
    bloc's year, or, when that has passed (a prompt's example must be one the step
    accepts, and past times are refused), the same hour a week from today; on a day off
    (``days``), the working day before if that is still to come. ``now`` is aware, in the
    bloc's timezone; so is the answer."""
    month, day, hour, minute = _USUAL[kind]
    usual = datetime(year, month, day, hour, minute, tzinfo=now.tzinfo)
    if usual <= now:
        usual = (now + timedelta(days=7)).replace(hour=hour, minute=minute, second=0, microsecond=0)
    if days is None:
        return usual
    moved = datetime.combine(days.before(usual.date()), usual.timetz())
    return moved if moved > now else usual


def order_problem(kind: Kind, at: datetime, others: dict[Kind, datetime]) -> tuple[Kind, Kind] | None:
    """The pair of milestones that would be out of order if ``kind`` were at ``at``."""
    for earlier, later in ORDER:
        if kind == earlier and later in others and at >= others[later]:
            return earlier, later
        if kind == later and earlier in others and others[earlier] >= at:
            return earlier, later
    return None


def owed(kind: Kind, *, registered: bool, signed: bool, periods_sent: set[str], voted: bool = True) -> list[Duty]:
    """What one unit still owes before a milestone."""
    done = {Duty.REGISTRATION: registered, Duty.COVENANT: signed, Duty.BALLOT: voted,
            Duty.MIDYEAR_REPORT: "midyear" in periods_sent, Duty.YEAREND_REPORT: "yearend" in periods_sent}
    return [duty for duty in DUTIES[kind] if not done[duty]]


_PLACE = re.compile(r"\s*(?:,|;|\btại\b)\s*", re.IGNORECASE)
_HOUR = re.compile(r"\s*(\d{1,2})\s*(?:[:hg]\s*0{0,2})?\s*(?:giờ)?\s*", re.IGNORECASE)


def split_place(text: str) -> tuple[str, str]:
    """"14:00 15/7/2025, Hội trường A" or "… tại Hội trường A" → the time and the place."""
    match = _PLACE.search(text)
    if not match:
        return clean(text), ""
    # The place is stored and shown: no control characters, one line (domain.text.clean).
    return clean(text[: match.start()]), clean(text[match.end():])


def parse_hour(text: str) -> int | None:
    """The hour of day reminders go out at, as typed ("8", "14h", "14:00", "9 giờ"), if
    it is a daytime hour (6 to 20); else None."""
    match = _HOUR.fullmatch(text)
    hour = int(match.group(1)) if match else None
    return hour if hour is not None and 6 <= hour <= 20 else None
