"""The secret ballot, as a unit's representative fills it in: start it, tick a candidate,
move between lines, cancel, confirm. Each function is one decision in the caller's
transaction; the ballot being filled in is a sealed ``ballot_draft`` row (storage/sealing.py),
and a confirmed ballot marks the unit and adds its sealed choices in that same transaction
(storage.votes.cast), with nothing linking the two."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session

from domain import ballot as rules
from storage import drafts, roster, votes
from storage.models import Bloc, Milestone, Unit, Vote
from storage.sealing import Seal


class Refusal(StrEnum):
    STALE = "stale"                  # no such draft, not its current message, or an impossible press
    NOT_YOUR_UNIT = "not_your_unit"  # the person does not represent the unit
    NOT_REPRESENTATIVE = "not_representative"  # the person represents no unit at all
    NOT_OPEN = "not_open"            # no vote, or only prepared
    CLOSED = "closed"
    NOT_ISSUED = "not_issued"        # the unit was not issued a ballot when the vote opened
    ALREADY_VOTED = "already_voted"
    PAST_DEADLINE = "past_deadline"
    CHOICE = "choice"                # a tick the rules refuse (``problem``: not_candidate, self_vote, over_quota)
    INVALID = "invalid"              # the ballot as a whole cannot be counted (``problem``)


@dataclass(frozen=True)
class Refused:
    code: Refusal
    at: datetime | None = None       # when it closed / was cast / the deadline, when known
    problem: str | None = None
    details: dict = field(default_factory=dict)
    unit: Unit | None = None
    bloc: Bloc | None = None
    ended: bool = False              # the draft was dropped: its message should say why


@dataclass(frozen=True)
class Step:
    """The draft as it is now, to show (a new ballot, a tick, a move)."""

    draft: votes.Draft
    vote: Vote
    unit: Unit
    bloc: Bloc
    names: dict[int, str]            # the candidates' names, to show

    @property
    def choosable(self) -> list[int]:
        """The units this unit may tick on the draft's line (none on the summary): the line's
        candidates, less itself where self-votes are not allowed (domain.ballot.choosable)."""
        if self.draft.step >= len(self.vote.ballot):
            return []
        return rules.choosable(self.vote.ballot[self.draft.step], self.unit.id, self.vote.rules)


def _step(session: Session, draft: votes.Draft, vote: Vote, unit: Unit, bloc: Bloc) -> Step:
    ids = sorted({u for e in vote.ballot for u in e.candidates})
    return Step(draft, vote, unit, bloc, {u.id: u.name for u in votes.units_by_id(session=session, ids=ids).values()})


def shown(session: Session, *, step: Step, message_id: int, now: datetime, seal: Seal) -> None:
    """The draft's step is now on ``message_id`` (known once the message is sent): only that
    message's buttons answer from now on."""
    votes.save_draft(session=session, draft=step.draft, now=now, seal=seal, message_id=message_id)


@dataclass(frozen=True)
class Cancelled:
    unit: Unit


@dataclass(frozen=True)
class Cast:
    unit: Unit
    bloc: Bloc
    vote: Vote
    at: datetime


def deadline(session: Session, vote: Vote) -> Milestone | None:
    """The vote's deadline, unless it was cancelled."""
    if vote.deadline_milestone_id is None:
        return None
    milestone = session.get(Milestone, vote.deadline_milestone_id)
    return milestone if milestone is not None and milestone.cancelled_at is None else None


def why_not(session: Session, vote: Vote | None, unit: Unit, now: datetime) -> Refused | None:
    """Why this unit cannot vote now; None if it can."""
    if vote is None or vote.status == votes.DRAFT:
        return Refused(Refusal.NOT_OPEN)
    if vote.status == votes.CLOSED:
        return Refused(Refusal.CLOSED, at=vote.closed_at)
    if unit.id not in vote.voters:
        return Refused(Refusal.NOT_ISSUED)
    mark = votes.cast_marks(session=session, vote_id=vote.id).get(unit.id)
    if mark is not None:
        return Refused(Refusal.ALREADY_VOTED, at=mark.cast_at)
    due = deadline(session, vote)
    if due is not None and due.at <= now:
        return Refused(Refusal.PAST_DEADLINE, at=due.at)
    return None


def represented(session: Session, user_id: int, unit_id: int) -> tuple[Unit, Bloc] | None:
    return next(((u, b) for u, b in roster.units_of_user(session=session, user_id=user_id) if u.id == unit_id), None)


@dataclass(frozen=True)
class Several:
    """The person represents several units: which one votes is theirs to choose."""

    units: list[tuple[Unit, Bloc]]


def opening(session: Session, *, user_id: int, now: datetime, seal: Seal) -> Step | Several | Refused:
    """/bophieu: the ballot of the one unit the person represents (as ``start``), or the
    units to choose among."""
    units = roster.units_of_user(session=session, user_id=user_id)
    if not units:
        return Refused(Refusal.NOT_REPRESENTATIVE)
    if len(units) > 1:
        return Several(list(units))
    return start(session, user_id=user_id, unit_id=units[0][0].id, now=now, seal=seal)


def _may_vote(session: Session, user_id: int, unit_id: int, now: datetime) -> tuple[Vote, Unit, Bloc] | Refused:
    """The bloc's vote, the unit and its bloc, if the person represents the unit and it may vote now."""
    found = represented(session, user_id, unit_id)
    if found is None:
        return Refused(Refusal.NOT_YOUR_UNIT)
    unit, bloc = found
    vote = votes.vote_of(session=session, bloc=bloc)
    refusal = why_not(session, vote, unit, now)
    if refusal is not None:
        return Refused(refusal.code, at=refusal.at, unit=unit, bloc=bloc)
    return vote, unit, bloc


def start(session: Session, *, user_id: int, unit_id: int, now: datetime, seal: Seal) -> Step | Refused:
    """A new ballot for the unit (any other draft of the person's goes), if it may vote."""
    may = _may_vote(session, user_id, unit_id, now)
    if isinstance(may, Refused):
        return may
    vote, unit, bloc = may
    draft = votes.start_draft(session=session, user_id=user_id, vote_id=vote.id, unit_id=unit.id, now=now, seal=seal)
    return _step(session, draft, vote, unit, bloc)


def current(session: Session, *, user_id: int, draft_id: int | None, message_id: int | None, now: datetime,
            seal: Seal) -> Step | Refused:
    """The person's draft a press on ``message_id`` is for: stale unless it is that draft's
    current message and the person still represents its unit; a unit that can no longer vote
    (closed, voted from another draft, past the deadline) ends the draft."""
    draft = votes.draft_of(session=session, user_id=user_id, seal=seal)
    if draft is None or not drafts.answers(draft.message_id, draft_id=draft.id, pressed_draft=draft_id,
                                           pressed_message=message_id):
        return Refused(Refusal.STALE)
    found = represented(session, user_id, draft.unit_id)
    if found is None:
        return Refused(Refusal.STALE)
    unit, bloc = found
    vote = votes.get(session=session, vote_id=draft.vote_id)
    refusal = why_not(session, vote, unit, now)
    if refusal is not None:
        drafts.BALLOT.drop(session=session, draft_id=draft.id)
        return Refused(refusal.code, at=refusal.at, unit=unit, bloc=bloc, ended=True)
    return _step(session, draft, vote, unit, bloc)


def toggle(session: Session, *, user_id: int, draft_id: int | None, message_id: int | None, choice: int | None,
           now: datetime, seal: Seal) -> Step | Refused:
    """Tick or untick ``choice`` (a unit id; None for data that names none) on the current line."""
    step = current(session, user_id=user_id, draft_id=draft_id, message_id=message_id, now=now, seal=seal)
    if isinstance(step, Refused):
        return step
    draft, vote = step.draft, step.vote
    if draft.step >= len(vote.ballot):
        return Refused(Refusal.STALE)
    try:
        choices = rules.toggle(draft.choices, vote.ballot[draft.step], -1 if choice is None else choice, step.unit.id,
                               vote.rules)
    except rules.ChoiceError as exc:
        return Refused(Refusal.CHOICE, problem=exc.code, details=exc.details, unit=step.unit, bloc=step.bloc)
    draft = votes.save_draft(session=session, draft=draft, now=now, seal=seal, choices=choices)
    return replace(step, draft=draft)


def move(session: Session, *, user_id: int, draft_id: int | None, message_id: int | None, by: int,
         now: datetime, seal: Seal) -> Step | Refused:
    """One line on (``by`` 1, up to the summary after the last line) or back (-1)."""
    step = current(session, user_id=user_id, draft_id=draft_id, message_id=message_id, now=now, seal=seal)
    if isinstance(step, Refused):
        return step
    to = step.draft.step + by
    if by not in (1, -1) or not 0 <= to <= len(step.vote.ballot):
        return Refused(Refusal.STALE)
    draft = votes.save_draft(session=session, draft=step.draft, now=now, seal=seal, step=to)
    return replace(step, draft=draft)


def cancel(session: Session, *, user_id: int, draft_id: int | None, message_id: int | None, now: datetime,
           seal: Seal) -> Cancelled | Refused:
    step = current(session, user_id=user_id, draft_id=draft_id, message_id=message_id, now=now, seal=seal)
    if isinstance(step, Refused):
        return step
    drafts.BALLOT.drop(session=session, draft_id=step.draft.id)
    return Cancelled(step.unit)


def confirm(session: Session, *, user_id: int, draft_id: int | None, message_id: int | None, now: datetime,
            seal: Seal) -> Cast | Refused:
    """Put the ballot in the box: everything checked and written in the caller's one
    transaction (the vote still open, the unit not voted, the deadline not passed, the
    choices within the rules), the draft deleted with it."""
    step = current(session, user_id=user_id, draft_id=draft_id, message_id=message_id, now=now, seal=seal)
    if isinstance(step, Refused):
        return step
    draft, vote, unit = step.draft, step.vote, step.unit
    if draft.step != len(vote.ballot):
        return Refused(Refusal.STALE)
    problem = rules.check_ballot(vote.ballot, draft.choices, unit.id, vote.rules)
    if problem is not None:
        return Refused(Refusal.INVALID, problem=problem, unit=unit, bloc=step.bloc)
    try:
        votes.cast(session=session, vote=vote, unit_id=unit.id, choices=draft.choices, by=user_id, now=now,
                   seal=seal)
    except votes.AlreadyVoted:
        # Another ballot of the unit's was counted meanwhile (the unique row refused this
        # one): what this transaction wrote goes, and so does the draft.
        if not session.is_active:
            session.rollback()
        drafts.BALLOT.drop(session=session, draft_id=draft.id)
        return Refused(Refusal.ALREADY_VOTED, unit=unit, bloc=step.bloc, ended=True)
    return Cast(unit, step.bloc, vote, now)


# ---- the form (Mini App): the whole ballot at once ---------------------------------------------

@dataclass(frozen=True)
class Sheet:
    """The unit's ballot to fill in on one page: the vote, its lines and the candidates' names."""

    vote: Vote
    unit: Unit
    bloc: Bloc
    names: dict[int, str]

    def choosable(self, line: rules.BallotLine) -> list[int]:
        return rules.choosable(line, self.unit.id, self.vote.rules)


def sheet(session: Session, *, user_id: int, unit_id: int, now: datetime) -> Sheet | Refused:
    """The unit's ballot, if the person represents the unit and it may vote now."""
    may = _may_vote(session, user_id, unit_id, now)
    if isinstance(may, Refused):
        return may
    vote, unit, bloc = may
    ids = sorted({u for e in vote.ballot for u in e.candidates})
    return Sheet(vote, unit, bloc, {u.id: u.name for u in votes.units_by_id(session=session, ids=ids).values()})


def cast_form(session: Session, *, user_id: int, unit_id: int, choices: dict, now: datetime,
              seal: Seal) -> Cast | Refused:
    """A whole ballot sent from the form, into the box exactly as ``confirm`` puts a chat
    ballot: the same checks (open, issued, not voted, before the deadline, within the
    quotas and the candidates: a forged request is refused whole), one transaction, the
    turnout mark and the sealed choices with nothing linking them. ``choices``: line code →
    unit ids, as sent (checked here: ids must be whole numbers)."""
    found = sheet(session, user_id=user_id, unit_id=unit_id, now=now)
    if isinstance(found, Refused):
        return found
    vote, unit = found.vote, found.unit
    if not isinstance(choices, dict) or not all(
            isinstance(code, str) and isinstance(ids, list)
            and all(isinstance(u, int) and not isinstance(u, bool) for u in ids)
            for code, ids in choices.items()):
        return Refused(Refusal.INVALID, problem="not_candidate", unit=unit, bloc=found.bloc)
    chosen = {code: list(ids) for code, ids in choices.items() if ids}
    problem = rules.check_ballot(vote.ballot, chosen, unit.id, vote.rules)
    if problem is not None:
        return Refused(Refusal.INVALID, problem=problem, unit=unit, bloc=found.bloc)
    try:
        votes.cast(session=session, vote=vote, unit_id=unit.id, choices=chosen, by=user_id, now=now, seal=seal)
    except votes.AlreadyVoted:
        if not session.is_active:
            session.rollback()
        return Refused(Refusal.ALREADY_VOTED, unit=unit, bloc=found.bloc)
    return Cast(unit, found.bloc, vote, now)  # the unit's chat draft went with it (votes.cast)
