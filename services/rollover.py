"""/namsau's decisions: what the bloc's move from year Y to Y + 1 would do, next year's
Trưởng/Phó khối, and the move itself. Each function is one decision in the caller's
transaction; every one is refused once the bloc has left the year the secretary's button
was made for, so a confirmation pressed late cannot move the bloc a second time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session

from domain import rollover as rules
from storage import roles, roster
from storage import rollover as store
from storage.models import Bloc, RoleKind, Unit
from storage.users import display_name


class Refusal(StrEnum):
    VOTE_OPEN = rules.Refusal.VOTE_OPEN.value  # the year's ballot is under way
    TOO_EARLY = rules.Refusal.TOO_EARLY.value  # Y + 1 would be more than a year ahead of the calendar
    STALE_YEAR = "stale_year"  # the button was made for a year the bloc has left
    UNIT_GONE = "unit_gone"  # the unit named is not (or no longer) the bloc's
    NOT_BOTH = "not_both"  # next year's Trưởng khối cannot be its Phó khối too


@dataclass(frozen=True)
class Preview:
    """What the move would do, as the preview, the pickers and the confirmation show it."""

    bloc: Bloc
    lead: Unit | None
    deputy: Unit | None
    secretaries: list[str]
    units: list[Unit]
    vote: str | None  # the year's ballot status (draft, open, closed), None when there is none
    reminders_left: int

    @property
    def year(self) -> int:
        return self.bloc.year

    @property
    def next_year(self) -> int:
        return self.bloc.year + 1

    @property
    def deputy_choices(self) -> list[Unit]:
        """The units that may be next year's Phó khối: any but its Trưởng khối (not both)."""
        return [u for u in self.units if self.lead is None or u.id != self.lead.id]


@dataclass(frozen=True)
class Refused:
    code: Refusal
    made_for: int | None = None  # the year the button was made for (STALE_YEAR)
    current: int | None = None  # the bloc's year now (STALE_YEAR)
    preview: Preview | None = None  # for VOTE_OPEN and TOO_EARLY: what the message shows


@dataclass(frozen=True)
class RolledOver:
    bloc: Bloc  # as it is now, in its new year
    previous: int
    lead: Unit | None
    deputy: Unit | None
    reminders_stopped: int
    secretaries: list[int] = field(default_factory=list)  # user ids carried over


def _preview(session: Session, bloc: Bloc) -> Preview:
    led = store.leaders(session=session, bloc=bloc, year=bloc.year + 1)
    return Preview(bloc=bloc, lead=led.get(RoleKind.LEAD), deputy=led.get(RoleKind.DEPUTY),
                   secretaries=[display_name(user) for _, user in roles.secretaries(session=session, bloc=bloc) if user],
                   units=roster.active_units(session=session, bloc_id=bloc.id),
                   vote=store.vote_status(session=session, bloc_id=bloc.id, year=bloc.year),
                   reminders_left=store.pending_reminders(session=session, bloc=bloc))


def _bloc(session: Session, bloc_id: int, year: int | None) -> Bloc | Refused:
    """The bloc, unless the button's ``year`` (None: a command, the current year) was left."""
    bloc = session.get(Bloc, bloc_id, populate_existing=True)
    if year is not None and year != bloc.year:
        return Refused(Refusal.STALE_YEAR, made_for=year, current=bloc.year)
    return bloc


def preview(session: Session, *, bloc_id: int, year: int | None = None) -> Preview | Refused:
    """What the move would do (the preview and the pickers show it, whether or not it may happen now)."""
    bloc = _bloc(session, bloc_id, year)
    return bloc if isinstance(bloc, Refused) else _preview(session, bloc)


def may_move(session: Session, *, bloc_id: int, year: int | None, local_year: int) -> Preview | Refused:
    """The preview if the bloc may move on now; refused while the year's ballot is open, or
    when the next year would be more than one ahead of the calendar (domain.rollover)."""
    found = preview(session, bloc_id=bloc_id, year=year)
    if isinstance(found, Refused):
        return found
    refusal = rules.refusal(year=found.year, local_year=local_year, vote_status=found.vote)
    return found if refusal is None else Refused(Refusal(refusal.value), preview=found)


def set_leader(session: Session, *, bloc_id: int, year: int, kind: RoleKind, unit_id: int | None, by: int,
               now: datetime) -> Preview | Refused:
    """Record next year's Trưởng or Phó khối (a unit of the bloc; not both for one unit)."""
    bloc = _bloc(session, bloc_id, year)
    if isinstance(bloc, Refused):
        return bloc
    unit = roster.unit_of_bloc(session=session, bloc_id=bloc.id, unit_id=unit_id) if unit_id else None
    if unit is None:
        return Refused(Refusal.UNIT_GONE)
    led = store.leaders(session=session, bloc=bloc, year=bloc.year + 1)
    if kind == RoleKind.DEPUTY and RoleKind.LEAD in led and led[RoleKind.LEAD].id == unit.id:
        return Refused(Refusal.NOT_BOTH)
    roles.set_unit_role(session=session, bloc=bloc, unit=unit, kind=kind, by=by, now=now, year=bloc.year + 1)
    return _preview(session, bloc)


def confirm(session: Session, *, bloc_id: int, year: int, local_year: int, by: int,
            now: datetime) -> RolledOver | Refused:
    """Move the bloc from ``year`` to the next (storage.rollover.roll_over), the new year's
    leaders read in the same transaction for the group's announcement."""
    allowed = may_move(session, bloc_id=bloc_id, year=year, local_year=local_year)
    if isinstance(allowed, Refused):
        return allowed
    outcome = store.roll_over(session=session, bloc_id=bloc_id, from_year=year, by=by, now=now)
    if outcome.vote_open:  # opened since it was read above
        return Refused(Refusal.VOTE_OPEN, preview=allowed)
    if not outcome.moved:  # another press got there first
        return Refused(Refusal.STALE_YEAR, made_for=year, current=outcome.bloc.year)
    new = outcome.bloc
    led = store.leaders(session=session, bloc=new, year=new.year)
    return RolledOver(bloc=new, previous=year, lead=led.get(RoleKind.LEAD), deputy=led.get(RoleKind.DEPUTY),
                      reminders_stopped=outcome.reminders_stopped, secretaries=outcome.secretaries)
