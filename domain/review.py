"""What a year-end review meeting produced, as plain data: the record the chat messages,
the minutes, the nomination list and the covering proposal are all rendered from.

Built by the ballot feature from the database (scores, the tally, the roles); read by
exports.review_documents and the templates. Names are the units' names as shown; notes
are codes (their words live in templates), so nothing here is Vietnamese text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class NoteCode(StrEnum):
    ADDED = "added"  # not registered for the title: added by the secretary as an exception
    NOT_REGISTERED = "not_registered"  # not registered and not added (kept for imported data)
    TIE_WON_BY_SCORE = "tie_won_by_score"  # tied on votes, placed above the others by its higher score
    TIE_LOST_BY_SCORE = "tie_lost_by_score"  # tied on votes, placed below another by its lower score
    TIE_UNRESOLVED = "tie_unresolved"  # tied on votes and score at the quota's edge: the meeting decides
    BELOW_THRESHOLD = "below_threshold"  # did not reach the vote threshold
    NOT_PROVINCIAL_NOMINEE = "not_provincial_nominee"  # a Government-flag nominee who is not the provincial-flag nominee
    MISSING_YEARS = "missing_years"  # needs earlier years' results the unit does not have (see Note.years)
    DECIDED_BY_MEETING = "decided_by_meeting"  # an unresolved tie the meeting settled, recorded by the secretary


@dataclass(frozen=True)
class Note:
    code: NoteCode
    years: tuple[int, ...] = ()  # for MISSING_YEARS: the years without the needed result
    title: str = ""  # for NOT_PROVINCIAL_NOMINEE / MISSING_YEARS: the title's name it refers to


@dataclass(frozen=True)
class Line:
    """One candidate for one title."""

    rank: int
    unit: str
    votes: int
    percent: float  # 0–100, rounded to 2 decimals
    score: float | None  # the unit's total score, if scored
    selected: bool  # proposed for the title (within the quota, over the threshold)
    notes: tuple[Note, ...] = ()
    # The unit's id, for what is written from the outcome (results, decisions). Left out of
    # the repr, which the documents' fingerprint is made from (services.review.fingerprint):
    # what the documents say is the name.
    unit_id: int = field(default=0, repr=False)

    @property
    def warnings(self) -> tuple[Note, ...]:
        return tuple(n for n in self.notes if n.code in (
            NoteCode.ADDED, NoteCode.NOT_REGISTERED, NoteCode.NOT_PROVINCIAL_NOMINEE, NoteCode.MISSING_YEARS))


@dataclass(frozen=True)
class TitleOutcome:
    """The ballot's result for one title (or for next year's Trưởng/Phó khối)."""

    code: str
    name: str
    quota: int
    issued: int  # ballots issued: the member units when voting opened
    returned: int
    valid: int
    lines: tuple[Line, ...]  # ranked

    @property
    def selected(self) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if line.selected)

    @property
    def unresolved(self) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if any(n.code is NoteCode.TIE_UNRESOLVED for n in line.notes))


@dataclass(frozen=True)
class ScoreLine:
    unit: str
    total: float | None  # None: no score entered
    adjusted: bool = False  # the secretary changed at least one criterion


@dataclass(frozen=True)
class ReviewRecord:
    bloc: str  # "Khối thi đua các Tổ chức xã hội"
    province: str  # "Thừa Thiên Huế"
    place: str  # the place name of the date line: "Huế"
    year: int  # the year under review
    issued_on: date  # the documents' date
    number: str  # the minutes' number as typed by the secretary ("12"), or "" to leave a blank
    meeting_at: datetime | None  # local, aware
    meeting_place: str
    closed_at: datetime  # voting closed (local, aware)
    lead_unit: str  # Trưởng khối this year: chairs the meeting, signs the proposal
    deputy_unit: str
    secretary: str  # who took the minutes (a person's name)
    members: int  # member units (ballots issued)
    present: int  # units at the meeting: as the secretary recorded it, else the units that voted
    guests: str = ""
    scores: tuple[ScoreLine, ...] = ()
    titles: tuple[TitleOutcome, ...] = ()  # the voted titles, in catalogue order
    next_lead: str | None = None  # next year's Trưởng khối (elected or recorded); None: not decided
    next_deputy: str | None = None
    version: int = 1
    extra: dict = field(default_factory=dict)
    # Who chaired the meeting, as the secretary recorded it: "Nguyễn Văn An" (a leader of the
    # Trưởng khối unit), or "Nguyễn Văn An, Phó Chủ tịch Hội Nông dân tỉnh" (anyone else,
    # with what they are after a comma); "" when not recorded.
    chair: str = ""

    @property
    def chair_name(self) -> str:
        """The chair's name alone, as signed under «CHỦ TRÌ»."""
        return " ".join(self.chair.split(",", 1)[0].split())

    @property
    def chair_position(self) -> str:
        """What the chair is when they are not a leader of the Trưởng khối unit ("" when they are)."""
        return " ".join(self.chair.split(",", 1)[1].split()) if "," in self.chair else ""


def clean_chair(text: str) -> str | None:
    """Who chaired, as typed, spaces tidied: a name (a leader of the Trưởng khối unit), or a
    name, a comma and what they are; None when it is no name (no letter before the comma)
    or longer than the minutes' line holds (200 characters)."""
    chair = " ".join(text.split())
    name = chair.split(",", 1)[0].strip()
    if not name or len(chair) > 200 or not any(ch.isalpha() for ch in name):
        return None
    return chair
