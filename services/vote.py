"""The vote's life, as the bloc's secretaries run it from /binhxet: prepare (or rebuild) the
ballot, add a candidate, open it with the rules and a deadline, close it, settle a tie, record
the meeting's attendance and chair, compile the list with its documents. Each function is one
decision in the caller's transaction, checks who acts, and returns a typed outcome (with what
the chat shows after, read in that same transaction) or a typed refusal.

``setup`` (Setup) is what they read besides the database, in plain values the caller builds
from its settings; the database is the ``session`` only. The voter's own ballot is
services.ballot's.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, time, tzinfo
from enum import StrEnum

from sqlmodel import Session

from domain import ballot as rules
from domain.catalogue import Catalogue
from domain.dates import DateParseError, accepted_years, is_past, parse_vn_datetime
from domain.milestones import Kind
from domain.provinces import Provinces
from domain.review import ReviewRecord, TitleOutcome, clean_chair
from domain.text import fold
from services import review as reckoning
from services.ballot import deadline as deadline_of
from services.blocs import Actor, is_secretary
from services.naming import Catalogues, NamingFor, as_typed, catalogue_of
from services.milestones import working_days
from services.reminders import RulesOf
from services.review import LeaderName
from storage import milestones, quotas, registrations, reminders, roles, roster, votes
from storage.models import Bloc, Milestone, RoleKind, TgUser, Unit, Vote
from storage.sealing import Seal
from storage.users import reachable


@dataclass(frozen=True)
class Setup:
    """What the vote's decisions read besides the database (the caller builds it from its
    settings for each call)."""

    catalogue: Catalogues              # the titles, named for each bloc's province in a year
    rules: rules.Rules                 # the counting rules configured: fixed on a vote when it opens
    elect_leaders: bool                # the ballot holds next year's Trưởng/Phó khối lines
    tz: tzinfo                         # the province's time: deadlines typed, documents dated
    reminder_rules: RulesOf            # a bloc's reminder hour -> when its deadline's reminders go
    seal: Seal                         # what seals the ballots until the close
    document_place: str                # where the documents are signed ("": the bloc's province)
    leader_name: LeaderName
    naming: NamingFor = as_typed       # what the documents call the bloc's province in a year
    provinces: Provinces = Provinces()  # the provinces' own days off, for the deadline's reminders

    def titles(self, bloc: Bloc, year: int | None = None) -> Catalogue:
        return catalogue_of(self.catalogue, bloc, year)

    def entry_name(self, bloc: Bloc, code: str, year: int) -> str:
        return reckoning.entry_name(self.titles(bloc, year), self.leader_name, code, year)

    def compute(self, session: Session, bloc: Bloc, vote: Vote) -> list[TitleOutcome]:
        return reckoning.compute(session, bloc, vote, catalogue=self.titles(bloc, vote.year),
                                 leader_name=self.leader_name)

    def record(self, session: Session, bloc: Bloc, vote: Vote, outcomes: list[TitleOutcome], *, secretary: str,
               now: datetime) -> ReviewRecord:
        return reckoning.build_record(session, bloc, vote, outcomes, secretary=secretary, tz=self.tz,
                                      place=self.document_place, now=now, naming=self.naming(bloc, vote.year))


class Refusal(StrEnum):
    NOT_SECRETARY = "not_secretary"
    STALE = "stale"                    # the vote is not at the step the press was made for
    NOT_DRAFT = "not_draft"            # no prepared ballot (none, or already open)
    NOT_CLOSED = "not_closed"          # the meeting's facts wait for the close
    NOTHING_TO_VOTE = "nothing_to_vote"  # no title line has a candidate
    DEADLINE_UNREAD = "deadline_unread"  # not a date and hour (``problem``: format, impossible)
    DEADLINE_FAR = "deadline_far"      # too far from the bloc's year to be meant (``years``)
    DEADLINE_PAST = "deadline_past"
    QUOTA = "quota"                    # not a whole number from 0 to the member units
    QUOTA_LOCKED = "quota_locked"      # the ballot opened meanwhile: its quotas are fixed
    ATTENDED = "attended"              # not a whole number up to the member units
    CHAIR = "chair"                    # not a name (at most 200 characters)


@dataclass(frozen=True)
class Refused:
    code: Refusal
    members: int = 0                   # for QUOTA, ATTENDED: the member units
    vote: Vote | None = None           # for NOT_CLOSED from the list: the vote as it is
    problem: str | None = None         # for DEADLINE_UNREAD
    at: datetime | None = None         # for DEADLINE_FAR, DEADLINE_PAST: the deadline read
    years: tuple[int, int] | None = None  # for DEADLINE_FAR: the years accepted


def may_act(session: Session, bloc: Bloc, actor: Actor) -> bool:
    """A secretary of the bloc (services.blocs.is_secretary: listed, or its group's administrator
    while administrators count as such)."""
    return is_secretary(session, bloc=bloc, actor=actor)


# ---- what the panel shows --------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    """A line of the ballot, with names, for the templates."""

    code: str
    name: str
    quota: int
    leader: bool
    candidates: list[str]
    added: list[str]


@dataclass(frozen=True)
class Panel:
    """The vote as the panel shows it: its stage, and what that stage shows."""

    bloc: Bloc
    vote: Vote | None
    entries: list[Entry] = field(default_factory=list)
    voted: int = 0
    deadline: Milestone | None = None
    outcomes: list[TitleOutcome] = field(default_factory=list)
    attended: int = 0
    lead_unit: str = ""                  # this year's Trưởng khối unit, once closed (the chair's default)

    @property
    def stage(self) -> str | None:
        return self.vote.status if self.vote else None

    def context(self) -> dict:
        """The template's values (review.panel, review.progress)."""
        return dict(bloc=self.bloc, vote=self.vote, entries=self.entries, voted=self.voted, deadline=self.deadline,
                    outcomes=self.outcomes, attended=self.attended)


def bloc_quotas(setup: Setup, session: Session, bloc: Bloc) -> dict[str, int | None]:
    """code → the bloc's quota for its year (its own, else the catalogue's)."""
    members = len(roster.active_units(session=session, bloc_id=bloc.id))
    return quotas.for_year(session=session, bloc_id=bloc.id, year=bloc.year, catalogue=setup.titles(bloc),
                           members=members)


def entries(setup: Setup, session: Session, bloc: Bloc, vote: Vote) -> list[Entry]:
    """The ballot's lines with their quotas: while prepared, the bloc's quotas as they are now
    (set from /tinhhinh or here); fixed on the ballot once it opens (storage.votes.open_vote)."""
    lines = (vote.ballot if vote.status != votes.DRAFT
             else rules.with_quotas(vote.ballot, bloc_quotas(setup, session, bloc)))
    names = reckoning.names(session, sorted({u for e in vote.ballot for u in e.candidates}))
    return [Entry(code=e.code, name=setup.entry_name(bloc, e.code, vote.year), quota=e.quota,
                  leader=e.code in rules.LEADERS, candidates=[names.get(u, "?") for u in e.candidates],
                  added=[names.get(u, "?") for u in e.added]) for e in lines]


def panel(setup: Setup, session: Session, bloc: Bloc) -> Panel:
    vote = votes.vote_of(session=session, bloc=bloc)
    if vote is None:
        return Panel(bloc, None)
    if vote.status == votes.DRAFT:
        return Panel(bloc, vote, entries=entries(setup, session, bloc, vote))
    voted = votes.voted_count(session=session, vote_id=vote.id)
    if vote.status == votes.OPEN:
        return Panel(bloc, vote, entries=entries(setup, session, bloc, vote), voted=voted,
                     deadline=deadline_of(session, vote))
    return Panel(bloc, vote, voted=voted, outcomes=setup.compute(session, bloc, vote),
                 attended=reckoning.attended(vote, voted), lead_unit=lead_unit(session, bloc, vote.year))


def view(setup: Setup, session: Session, bloc: Bloc, actor: Actor, *, at: str | None = None) -> Panel | Refused:
    """The panel, for a secretary; with ``at``, only while the vote is at that stage (a
    press made for a step of it: stale once the vote moved on)."""
    if not may_act(session, bloc, actor):
        return Refused(Refusal.NOT_SECRETARY)
    shown = panel(setup, session, bloc)
    return shown if at is None or shown.stage == at else Refused(Refusal.STALE)


def progress(setup: Setup, session: Session, vote_id: int) -> Panel | None:
    """The vote as the group's progress message shows it (how many voted, never who chose whom)."""
    vote = votes.get(session=session, vote_id=vote_id)
    bloc = session.get(Bloc, vote.bloc_id) if vote else None
    if bloc is None:
        return None
    return Panel(bloc, vote, entries=entries(setup, session, bloc, vote), voted=votes.voted_count(session=session, vote_id=vote.id),
                 deadline=deadline_of(session, vote))


# ---- the outcomes ----------------------------------------------------------------------

@dataclass(frozen=True)
class ConfirmRebuild:
    """The ballot is prepared already: rebuilding it (dropping what was set by hand) is asked first."""

    vote_id: int


@dataclass(frozen=True)
class Exceptions:
    """The units that may be added to one title's line."""

    code: str
    title: str
    units: list[Unit]


@dataclass(frozen=True)
class TieChoice:
    """One line's tie left to the meeting, and the tied units (id, name) to choose from."""

    outcome: TitleOutcome
    units: list[tuple[int, str]]


@dataclass(frozen=True)
class Prepared:
    panel: Panel
    rebuilt: bool


@dataclass(frozen=True)
class CandidateAdded:
    panel: Panel
    unit: Unit
    title: str


@dataclass(frozen=True)
class QuotaSet:
    panel: Panel
    title: str
    quota: int


@dataclass(frozen=True)
class Opened:
    panel: Panel
    invited: list[tuple[TgUser, Unit]]   # each representative of a unit issued a ballot


@dataclass(frozen=True)
class Closed:
    vote: Vote
    bloc: Bloc
    unfinished: list[tuple[int, int]]    # (chat, message) of ballots being filled in, dropped
    outcomes: list[TitleOutcome]
    voted: int
    next_leaders: tuple[str | None, str | None]
    panel: Panel


@dataclass(frozen=True)
class TieDecided:
    panel: Panel
    unit: Unit
    title: str


@dataclass(frozen=True)
class MeetingRecorded:
    panel: Panel
    attended: int | None = None
    chair: str | None = None
    listing: Listing | None = None       # the documents made anew with it, when asked for


@dataclass(frozen=True)
class Listing:
    """The compiled list and the documents' latest version; ``ask_chair``: the chair is not
    recorded yet (the minutes sign under it), with this year's Trưởng khối unit to suggest."""

    record: ReviewRecord
    documents: dict
    ask_chair: bool
    lead_unit: str
    chair: str


# ---- deciding ---------------------------------------------------------------------------

def _draft(session: Session, bloc: Bloc, actor: Actor) -> Vote | Refused:
    if not may_act(session, bloc, actor):
        return Refused(Refusal.NOT_SECRETARY)
    vote = votes.vote_of(session=session, bloc=bloc)
    return vote if vote is not None and vote.status == votes.DRAFT else Refused(Refusal.NOT_DRAFT)


def _closed(session: Session, bloc: Bloc, actor: Actor) -> Vote | Refused:
    if not may_act(session, bloc, actor):
        return Refused(Refusal.NOT_SECRETARY)
    vote = votes.vote_of(session=session, bloc=bloc)
    return vote if vote is not None and vote.status == votes.CLOSED else Refused(Refusal.NOT_CLOSED)


def fresh_ballot(setup: Setup, session: Session, bloc: Bloc) -> list[rules.BallotLine]:
    """The ballot from the roster, the registrations and the bloc's quotas."""
    units = roster.active_units(session=session, bloc_id=bloc.id)
    current = registrations.current(session=session, bloc_id=bloc.id, year=bloc.year)
    registered = {u: set(r.collective) for u, r in current.items() if not r.withdrawn}
    return rules.prepare(titles=setup.titles(bloc).voted(bloc.year), members=[u.id for u in units],
                         registered=registered, elect_leaders=setup.elect_leaders,
                         quotas=bloc_quotas(setup, session, bloc))


def prepare(setup: Setup, session: Session, bloc: Bloc, actor: Actor, *, now: datetime,
            rebuild: int | None = None) -> Prepared | ConfirmRebuild | Refused:
    """The ballot made from the registrations: the first time (``rebuild`` None), or again,
    confirmed for the prepared vote ``rebuild`` (the exceptions and quotas set by hand go)."""
    if not may_act(session, bloc, actor):
        return Refused(Refusal.NOT_SECRETARY)
    vote = votes.vote_of(session=session, bloc=bloc)
    if rebuild is None and vote is not None and vote.status == votes.DRAFT:
        return ConfirmRebuild(vote.id)
    if rebuild is None and vote is None:
        votes.prepare(session=session, bloc=bloc, ballot=fresh_ballot(setup, session, bloc), by=actor.user_id, now=now)
    elif rebuild is not None and vote is not None and vote.status == votes.DRAFT and vote.id == rebuild:
        votes.change_ballot(session=session, vote=vote, ballot=fresh_ballot(setup, session, bloc), by=actor.user_id,
                            now=now, action="vote.rebuild")
    else:
        return Refused(Refusal.STALE)
    return Prepared(panel(setup, session, bloc), rebuilt=rebuild is not None)


def add_candidate(setup: Setup, session: Session, bloc: Bloc, actor: Actor, *, code: str | None,
                  unit_id: int | None, now: datetime) -> CandidateAdded | Refused:
    """A unit of the bloc that did not register, added to one title's line (an exception);
    None for what a press did not name."""
    vote = _draft(session, bloc, actor)
    if isinstance(vote, Refused):
        return vote
    entry = line_of(vote, code)
    unit = roster.unit_of_bloc(session=session, bloc_id=bloc.id, unit_id=unit_id) if unit_id is not None else None
    if entry is None or code in rules.LEADERS or unit is None or unit.id in entry.candidates:
        return Refused(Refusal.STALE)
    votes.change_ballot(session=session, vote=vote, ballot=rules.add_candidate(vote.ballot, code, unit.id),
                        by=actor.user_id, now=now, action="vote.add_exception", code=code, unit_id=unit.id)
    return CandidateAdded(panel(setup, session, bloc), unit, setup.entry_name(bloc, code, vote.year))


def exceptions(setup: Setup, session: Session, bloc: Bloc, actor: Actor, code: str | None) -> Exceptions | Refused:
    vote = _draft(session, bloc, actor)
    if isinstance(vote, Refused):
        return vote
    entry = line_of(vote, code)
    if entry is None or entry.code in rules.LEADERS:
        return Refused(Refusal.STALE)
    units = [u for u in roster.active_units(session=session, bloc_id=bloc.id) if u.id not in entry.candidates]
    return Exceptions(entry.code, setup.entry_name(bloc, entry.code, vote.year), units)


def quota_line(setup: Setup, session: Session, bloc: Bloc, actor: Actor, code: str | None) -> str | Refused:
    """The title's name whose quota the secretary sets from the prepared ballot."""
    vote = _draft(session, bloc, actor)
    if isinstance(vote, Refused):
        return vote
    entry = line_of(vote, code)
    if entry is None or entry.code in rules.LEADERS:
        return Refused(Refusal.STALE)
    return setup.entry_name(bloc, entry.code, vote.year)


def set_quota(setup: Setup, session: Session, bloc: Bloc, actor: Actor, *, code: str | None, quota: int | None,
              now: datetime) -> QuotaSet | Refused:
    """The bloc's quota for the year for one title of the prepared ballot (the one fact
    /tinhhinh sets too, not a copy on the ballot): a whole number from 0 to the member units
    (``quota`` None: not a number)."""
    title = quota_line(setup, session, bloc, actor, code)
    if isinstance(title, Refused):
        return title
    members = len(roster.active_units(session=session, bloc_id=bloc.id))
    if quota is None or not 0 <= quota <= members:
        return Refused(Refusal.QUOTA, members=members)
    if not quotas.set_quota(session=session, bloc=bloc, code=code, quota=quota, by=actor.user_id, now=now):
        return Refused(Refusal.QUOTA_LOCKED)
    return QuotaSet(panel(setup, session, bloc), title, quota)


def line_of(vote: Vote, code: str | None) -> rules.BallotLine | None:
    return next((e for e in vote.ballot if e.code == code), None)


def may_open(session: Session, bloc: Bloc, actor: Actor) -> Vote | Refused:
    """Whether the prepared vote can be opened (asked before the deadline is): some title
    line has a candidate."""
    vote = _draft(session, bloc, actor)
    if isinstance(vote, Refused):
        return vote
    if not any(e.candidates for e in vote.ballot if e.code not in rules.LEADERS):
        return Refused(Refusal.NOTHING_TO_VOTE)
    return vote


def read_deadline(setup: Setup, bloc: Bloc, text: str, now: datetime) -> datetime | None | Refused:
    """The deadline as the secretary typed it ("16:30 10/12/2025"; a day without an hour runs
    to its end), None for none ("không"), or why it cannot be one."""
    if fold(text) in ("khong", "0", "-"):
        return None
    try:
        at = parse_vn_datetime(text, now=now, tz=setup.tz, default_time=time(23, 59)).value
    except DateParseError as exc:
        return Refused(Refusal.DEADLINE_UNREAD, problem=exc.code)
    low, high = accepted_years(bloc.year, now.astimezone(setup.tz).year)
    if not low <= at.astimezone(setup.tz).year <= high:
        return Refused(Refusal.DEADLINE_FAR, at=at, years=(low, high))
    if is_past(at, now):
        return Refused(Refusal.DEADLINE_PAST, at=at)
    return at


def open_vote(setup: Setup, session: Session, bloc: Bloc, actor: Actor, *, deadline: str, now: datetime,
              close: str) -> Opened | Refused:
    """Voting opens for the bloc's active units, with the configured rules and the deadline
    typed (read_deadline): unless none, a milestone, with reminders to those who have not
    voted and the row of kind ``close`` that closes the vote then."""
    vote = _draft(session, bloc, actor)
    if isinstance(vote, Refused):
        return vote
    deadline_at = read_deadline(setup, bloc, deadline, now)
    if isinstance(deadline_at, Refused):
        return deadline_at
    units = roster.active_units(session=session, bloc_id=bloc.id)
    milestone = None
    if deadline_at is not None:
        milestone = milestones.set_milestone(session=session, bloc=bloc, kind=Kind.BALLOT_DEADLINE.value,
                                             at=deadline_at, by=actor.user_id, now=now)
        session.flush()
    if not votes.open_vote(session=session, vote=vote, voters=[u.id for u in units], rules=setup.rules,
                           deadline_milestone_id=milestone.id if milestone else None, by=actor.user_id, now=now,
                           default_quotas=setup.titles(bloc).quotas(bloc.year, len(units))):
        session.rollback()  # opened meanwhile: the milestone set above goes too
        return Refused(Refusal.NOT_DRAFT)
    if milestone is not None:
        reckoning.plan_deadline(session, milestone, now, tz=setup.tz, rule=setup.reminder_rules(bloc.reminder_hour),
                                close=close, days=working_days(bloc, setup.provinces))
    session.refresh(vote)
    people = roster.representatives(session=session, bloc_id=bloc.id)
    by_id = {u.id: u for u in units}
    invited = [(person, by_id[unit_id]) for unit_id in vote.voters if unit_id in by_id
               for person in people.get(unit_id, []) if reachable(person)]
    return Opened(panel(setup, session, bloc), invited)


def close_now(setup: Setup, session: Session, bloc: Bloc, actor: Actor, *, vote_id: int | None,
              now: datetime) -> Closed | Refused:
    """A secretary closes the bloc's open vote ``vote_id`` (the one they confirmed) before
    or without its deadline."""
    if not may_act(session, bloc, actor):
        return Refused(Refusal.NOT_SECRETARY)
    vote = votes.vote_of(session=session, bloc=bloc)
    if vote is None or vote.id != vote_id:
        return Refused(Refusal.STALE)
    return _close(setup, session, bloc, vote, actor.user_id, now)


def _close(setup: Setup, session: Session, bloc: Bloc, vote: Vote, by: int | None, now: datetime) -> Closed | Refused:
    """Close an open vote (a secretary ``by``, or the deadline with ``by`` None), count the
    box, keep the results; only the first call closes. Closed before its deadline, the
    deadline and its reminders go."""
    vote_id = vote.id
    unfinished = votes.close_vote(session=session, vote_id=vote_id, by=by, now=now, seal=setup.seal)
    if unfinished is None:
        return Refused(Refusal.STALE)
    due = session.get(Milestone, vote.deadline_milestone_id) if vote.deadline_milestone_id else None
    if by is not None and due is not None and due.at > now:
        milestones.cancel(session=session, milestone=due, by=by, now=now)
        reminders.cancel(session=session, milestone_id=due.id)
    session.refresh(vote)
    outcomes = setup.compute(session, bloc, vote)
    reckoning.save_results(session, bloc, vote, outcomes, now)
    shown = panel(setup, session, bloc)
    return Closed(vote, bloc, unfinished, outcomes, shown.voted, reckoning.next_leaders(session, bloc, vote, outcomes),
                  shown)


def close_at_deadline(setup: Setup, session: Session, milestone: Milestone, *, now: datetime) -> Closed | None:
    """The deadline came: the vote it is the deadline of closes, if still open."""
    bloc = session.get(Bloc, milestone.bloc_id)
    vote = votes.vote_of(session=session, bloc=bloc, year=milestone.year) if bloc else None
    if vote is None or vote.status != votes.OPEN or vote.deadline_milestone_id != milestone.id:
        return None
    closed = _close(setup, session, bloc, vote, None, now)
    return closed if isinstance(closed, Closed) else None


def ties(setup: Setup, session: Session, bloc: Bloc, actor: Actor, code: str | None = None) -> list[TitleOutcome] | Refused:
    """The lines whose tie the tally left to the meeting (``code``: that line only)."""
    vote = _closed(session, bloc, actor)
    if isinstance(vote, Refused):
        return vote
    return [o for o in setup.compute(session, bloc, vote) if o.unresolved and code in (None, o.code)]


def tie_choice(setup: Setup, session: Session, bloc: Bloc, actor: Actor, code: str | None) -> TieChoice | Refused:
    found = ties(setup, session, bloc, actor, code)
    if isinstance(found, Refused):
        return found
    if code is None or not found:
        return Refused(Refusal.STALE)
    outcome = found[0]
    return TieChoice(outcome, [(line.unit_id, line.unit) for line in outcome.unresolved])


def decide_tie(setup: Setup, session: Session, bloc: Bloc, actor: Actor, *, code: str | None, unit_id: int | None,
               now: datetime) -> TieDecided | Refused:
    """The meeting settled a tie the tally left open: the unit it chose is recorded, and the
    results kept anew. None for what a press did not name."""
    vote = _closed(session, bloc, actor)
    if isinstance(vote, Refused):
        return vote
    outcome = next((o for o in setup.compute(session, bloc, vote) if o.code == code and o.unresolved), None)
    unit = roster.unit_of_bloc(session=session, bloc_id=bloc.id, unit_id=unit_id) if unit_id is not None else None
    if outcome is None or unit is None or unit.id not in {line.unit_id for line in outcome.unresolved}:
        return Refused(Refusal.STALE)
    vote = votes.record_decision(session=session, vote=vote, code=code, unit_ids=[*vote.decisions.get(code, []), unit.id],
                                 by=actor.user_id, now=now)
    reckoning.save_results(session, bloc, vote, setup.compute(session, bloc, vote), now)
    return TieDecided(panel(setup, session, bloc), unit, setup.entry_name(bloc, code, vote.year))


def record_attended(setup: Setup, session: Session, bloc: Bloc, actor: Actor, *, attended: int | None,
                    now: datetime) -> MeetingRecorded | Refused:
    """How many member units attended the meeting (a unit may attend and not vote): a whole
    number up to the units issued a ballot (``attended`` None: not a number)."""
    vote = _closed(session, bloc, actor)
    if isinstance(vote, Refused):
        return vote
    if attended is None or not 0 <= attended <= len(vote.voters):
        return Refused(Refusal.ATTENDED, members=len(vote.voters))
    votes.record_meeting(session=session, vote=vote, by=actor.user_id, now=now, attended=attended)
    return MeetingRecorded(panel(setup, session, bloc), attended=attended)


def record_chair(setup: Setup, session: Session, bloc: Bloc, actor: Actor, *, text: str, now: datetime,
                 by_name: str | None = None) -> MeetingRecorded | Refused:
    """Who chaired the meeting, as typed (domain.review.clean_chair). With ``by_name`` (the
    list was posted already), the documents are made anew with it (compile_list)."""
    vote = _closed(session, bloc, actor)
    if isinstance(vote, Refused):
        return vote
    chair = clean_chair(text)
    if chair is None:
        return Refused(Refusal.CHAIR)
    votes.record_meeting(session=session, vote=vote, by=actor.user_id, now=now, chair=chair)
    listing = compile_list(setup, session, bloc, actor, by_name=by_name, now=now) if by_name is not None else None
    return MeetingRecorded(panel(setup, session, bloc), chair=chair,
                           listing=listing if isinstance(listing, Listing) else None)


def lead_unit(session: Session, bloc: Bloc, year: int) -> str:
    """This year's Trưởng khối unit (its leader chairs the meeting by default), or ""."""
    lead = next((unit for unit, kind in roles.unit_roles(session=session, bloc=bloc, year=year).items()
                 if kind == RoleKind.LEAD), None)
    unit = session.get(Unit, lead) if lead is not None else None
    return unit.name if unit else ""


def compile_list(setup: Setup, session: Session, bloc: Bloc, actor: Actor, *, by_name: str,
                 now: datetime) -> Listing | Refused:
    """The closed vote's list and its documents (a new version when the record changed), for
    a secretary; the minutes name the first listed secretary, else ``by_name`` who asked."""
    if not may_act(session, bloc, actor):
        return Refused(Refusal.NOT_SECRETARY)
    vote = votes.vote_of(session=session, bloc=bloc)
    if vote is None or vote.status != votes.CLOSED:
        return Refused(Refusal.NOT_CLOSED, vote=vote)
    outcomes = setup.compute(session, bloc, vote)
    listed = roles.secretaries(session=session, bloc=bloc)
    name = next((u.first_name + (" " + u.last_name if u.last_name else "") for _, u in listed if u), "")
    record = setup.record(session, bloc, vote, outcomes, secretary=name or by_name, now=now)
    documents = reckoning.documents(session, bloc, record, by=actor.user_id, tz=setup.tz, now=now)
    record = replace(record, version=next(iter(documents.values())).version)
    return Listing(record, documents, ask_chair=not vote.chair, lead_unit=lead_unit(session, bloc, vote.year),
                   chair=vote.chair or "")


def public_list(setup: Setup, session: Session, bloc: Bloc, *, now: datetime) -> ReviewRecord | Refused:
    """The list as anyone in the group may read it (no documents made, no secretary named)."""
    vote = votes.vote_of(session=session, bloc=bloc)
    if vote is None or vote.status != votes.CLOSED:
        return Refused(Refusal.NOT_CLOSED, vote=vote)
    return setup.record(session, bloc, vote, setup.compute(session, bloc, vote), secretary="", now=now)
