"""A bloc's roster (/donvi): the list, what a pasted list of names adds, renaming a unit,
removing it (asked first: its people, links and roles end with it), marking this year's
Trưởng khối and Phó khối. Each function is one decision in the caller's transaction; the
bloc it acts on is found and the secretary checked by services.blocs.bloc_in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session

from domain.roster import AddPlan, name_problem, plan_additions
from domain.text import fold
from services.blocs import Actor, Refused, bloc_in
from storage import invitations, roles, roster
from storage.models import Bloc, RoleKind, Unit
from storage.users import reachable

# The unit's menu buttons that give it a role of this year.
UNIT_ROLES = {"lead": RoleKind.LEAD, "dep": RoleKind.DEPUTY}


class Problem(StrEnum):
    UNIT_GONE = "unit_gone"          # removed meanwhile, or an id not of this bloc
    PLAN = "plan"                    # a pasted list refused (``plan`` says why)
    NAME = "name"                    # a new name refused (``problem``) or like another unit's (``clash``)


@dataclass(frozen=True)
class RosterRefused:
    code: Problem
    plan: AddPlan | None = None
    problem: str | None = None
    clash: Unit | None = None


@dataclass(frozen=True)
class Listing:
    """The roster as /donvi shows it: a row per unit (a dict the templates read)."""

    bloc: Bloc
    rows: list[dict]
    represented: int

    def row(self, unit_id: int) -> dict:
        return next(r for r in self.rows if r["unit"].id == unit_id)

    def view(self) -> dict:
        return dict(bloc=self.bloc, rows=self.rows, represented=self.represented)


@dataclass(frozen=True)
class Added:
    plan: AddPlan
    units: list[Unit]
    listing: Listing


@dataclass(frozen=True)
class UnitShown:
    """A unit of the roster and its line (its menu), after ``done`` (a role given) if any."""

    unit: Unit
    listing: Listing
    done: str | None = None


@dataclass(frozen=True)
class Removed:
    unit: Unit


@dataclass(frozen=True)
class UnitRenamed:
    unit: Unit
    old: str


def listing(session: Session, *, bloc: Bloc, now: datetime) -> Listing:
    units = roster.active_units(session=session, bloc_id=bloc.id)
    people = roster.representatives(session=session, bloc_id=bloc.id)
    unit_roles = roles.unit_roles(session=session, bloc=bloc)
    invited = invitations.open_invitations(session=session, bloc_id=bloc.id, now=now)
    # Representatives the bot cannot write to first (never started it, or blocked it) are
    # named, as the reminders name them.
    rows = [dict(unit=u, people=people.get(u.id, []), role=unit_roles.get(u.id), invited=u.id in invited,
                 unreached={user.id for user in people.get(u.id, []) if not reachable(user)})
            for u in units]
    return Listing(bloc, rows, sum(1 for r in rows if r["people"]))


def show(session: Session, *, chat_id: int, now: datetime) -> Listing | Refused:
    """/donvi alone: anyone may look."""
    bloc = bloc_in(session, chat_id=chat_id)
    return bloc if isinstance(bloc, Refused) else listing(session, bloc=bloc, now=now)


def add(session: Session, *, bloc: Bloc, actor: Actor, text: str, capacity: int,
        now: datetime) -> Added | RosterRefused:
    """The names pasted (one per line) that are new to the roster, added; a list with a bad
    line, or past the bloc's ``capacity``, or adding nothing, is refused whole."""
    existing = roster.name_keys(roster.active_units(session=session, bloc_id=bloc.id))
    plan = plan_additions(text, existing, capacity)
    if plan.refused or not plan.to_add:
        return RosterRefused(Problem.PLAN, plan=plan)
    units = roster.add_units(session=session, bloc=bloc, names=plan.to_add, by=actor.user_id, now=now)
    session.flush()
    return Added(plan, units, listing(session, bloc=bloc, now=now))


def paste(session: Session, *, chat_id: int, actor: Actor, text: str, capacity: int,
          now: datetime) -> Added | RosterRefused | Refused:
    """/donvi with names: a secretary adds them."""
    bloc = bloc_in(session, chat_id=chat_id, actor=actor, secretary=True)
    if isinstance(bloc, Refused):
        return bloc
    return add(session, bloc=bloc, actor=actor, text=text, capacity=capacity, now=now)


def units(session: Session, *, bloc: Bloc) -> list[Unit]:
    """The units of the picker."""
    return roster.active_units(session=session, bloc_id=bloc.id)


def unit(session: Session, *, bloc: Bloc, unit_id: int | None) -> Unit | RosterRefused:
    found = roster.unit_of_bloc(session=session, bloc_id=bloc.id, unit_id=unit_id) if unit_id else None
    return found if found is not None else RosterRefused(Problem.UNIT_GONE)


def shown(session: Session, *, bloc: Bloc, unit_id: int | None, now: datetime) -> UnitShown | RosterRefused:
    """A unit's menu."""
    found = unit(session, bloc=bloc, unit_id=unit_id)
    if isinstance(found, RosterRefused):
        return found
    return UnitShown(found, listing(session, bloc=bloc, now=now))


def remove(session: Session, *, bloc: Bloc, actor: Actor, unit_id: int | None,
           now: datetime) -> Removed | RosterRefused:
    """The unit ends, and with it its representatives, open links and roles (the secretary
    confirmed: the menu asks first)."""
    found = unit(session, bloc=bloc, unit_id=unit_id)
    if isinstance(found, RosterRefused):
        return found
    roster.remove_unit(session=session, unit=found, by=actor.user_id, now=now)
    return Removed(found)


def give_role(session: Session, *, bloc: Bloc, actor: Actor, unit_id: int | None, action: str,
              now: datetime) -> UnitShown | RosterRefused:
    """Make the unit this year's Trưởng khối (``action`` "lead") or Phó khối ("dep")."""
    found = unit(session, bloc=bloc, unit_id=unit_id)
    if isinstance(found, RosterRefused):
        return found
    kind = UNIT_ROLES[action]
    roles.set_unit_role(session=session, bloc=bloc, unit=found, kind=kind, by=actor.user_id, now=now)
    session.flush()
    return UnitShown(found, listing(session, bloc=bloc, now=now), done=kind)


def rename(session: Session, *, bloc: Bloc, actor: Actor, unit_id: int | None, name: str,
           now: datetime) -> UnitRenamed | RosterRefused:
    """A unit's new name: a valid name, not (once folded) another unit's."""
    found = unit(session, bloc=bloc, unit_id=unit_id)
    if isinstance(found, RosterRefused):
        return found
    problem = name_problem(name)
    clash = next((u for u in roster.active_units(session=session, bloc_id=bloc.id)
                  if u.name_key == fold(name) and u.id != found.id), None)
    if problem or clash:
        return RosterRefused(Problem.NAME, problem=problem, clash=clash)
    old = found.name
    roster.rename_unit(session=session, unit=found, name=name, by=actor.user_id, now=now)
    return UnitRenamed(found, old)
