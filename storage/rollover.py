"""The year rollover, and reading a past year: everything keyed by (bloc, year) stays, the
bloc's ``year`` moves on, so the new year starts empty and the old one stays readable."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, func, select

from domain.text import sort_key
from storage import audit, roles, roster
from storage import reminders as reminder_store
from storage.models import (Bloc, Covenant, Milestone, Registration, RegistrationDraft, Reminder, Role, RoleKind,
                            Unit, Vote)

ROLLOVER = "bloc.rollover"


def vote_status(*, session: Session, bloc_id: int, year: int) -> str | None:
    """The status of the year's secret ballot (draft, open, closed), None when there is none."""
    return session.exec(select(Vote.status).where(Vote.bloc_id == bloc_id, Vote.year == year)).first()


def leaders(*, session: Session, bloc: Bloc, year: int) -> dict[str, Unit]:
    """The year's Trưởng khối / Phó khối (role kind → unit), among the bloc's units today."""
    units = {u.id: u for u in roster.active_units(session=session, bloc_id=bloc.id)}
    return {kind: units[unit_id] for unit_id, kind in roles.unit_roles(session=session, bloc=bloc, year=year).items()
            if unit_id in units}


def _year_milestones(bloc_id: int, year: int):
    return select(Milestone.id).where(Milestone.bloc_id == bloc_id, Milestone.year == year)


def pending_reminders(*, session: Session, bloc: Bloc) -> int:
    """Reminders of this year's milestones not sent yet: they stop at the rollover."""
    return session.exec(select(func.count()).select_from(Reminder).where(
        Reminder.status == reminder_store.PENDING,
        col(Reminder.milestone_id).in_(_year_milestones(bloc.id, bloc.year)))).one()


@dataclass
class Outcome:
    moved: bool
    bloc: Bloc | None = None  # the bloc as it is now (after the move, or as found)
    vote_open: bool = False
    secretaries: list[int] = field(default_factory=list)  # user ids carried over
    reminders_stopped: int = 0
    drafts_dropped: int = 0


def roll_over(*, session: Session, bloc_id: int, from_year: int, by: int, now: datetime) -> Outcome:
    """Move the bloc from ``from_year`` to the next year, in the caller's transaction.

    Nothing is deleted: the year's registrations, covenants, milestones, scores, votes and
    roles stay under ``from_year``. The move is a conditional update, so of two presses
    only one moves the bloc; the other (and a press for a year already left) gets
    ``moved=False``. Refused, changing nothing, while the year's vote is open."""
    if vote_status(session=session, bloc_id=bloc_id, year=from_year) == "open":
        return Outcome(moved=False, bloc=session.get(Bloc, bloc_id), vote_open=True)
    to_year = from_year + 1
    result = session.execute(update(Bloc).where(Bloc.id == bloc_id, Bloc.year == from_year).values(year=to_year))
    bloc = session.get(Bloc, bloc_id, populate_existing=True)
    if result.rowcount != 1:
        return Outcome(moved=False, bloc=bloc)
    # The secretaries go on; next year's leaders were recorded (or elected) under to_year already.
    staying = {role.user_id for role, _ in roles.secretaries(session=session, bloc=bloc, year=to_year)}
    carried = [role.user_id for role, _ in roles.secretaries(session=session, bloc=bloc, year=from_year)
               if role.user_id not in staying]
    session.add_all([Role(bloc_id=bloc_id, year=to_year, kind=RoleKind.SECRETARY, user_id=user_id,
                          created_by=by, created_at=now) for user_id in dict.fromkeys(carried)])
    # What would act on the old year under the new one: its reminders, half-filled registrations.
    stopped = session.execute(update(Reminder).where(
        Reminder.status == reminder_store.PENDING,
        col(Reminder.milestone_id).in_(_year_milestones(bloc_id, from_year))).values(
        status=reminder_store.CANCELLED, done_at=now, note=reminder_store.NOTE_ROLLOVER)).rowcount
    drafts = list(session.exec(select(RegistrationDraft).where(
        RegistrationDraft.bloc_id == bloc_id, RegistrationDraft.year == from_year)))
    for draft in drafts:
        session.delete(draft)
    led = leaders(session=session, bloc=bloc, year=to_year)
    audit.record(session=session, bloc_id=bloc_id, actor_id=by, now=now, action=ROLLOVER, from_year=from_year,
                 to_year=to_year, secretaries=carried, reminders_stopped=stopped, drafts_dropped=len(drafts),
                 lead=led[RoleKind.LEAD].id if RoleKind.LEAD in led else None,
                 deputy=led[RoleKind.DEPUTY].id if RoleKind.DEPUTY in led else None)
    return Outcome(moved=True, bloc=bloc, secretaries=carried, reminders_stopped=stopped,
                   drafts_dropped=len(drafts))


# ---- reading a past year ---------------------------------------------------------------------

def years_with_data(*, session: Session, bloc: Bloc) -> list[int]:
    """The years up to the current one the bloc has records for (roles, registrations,
    covenants), and its current year. Next year's leaders, recorded ahead, are no year to read."""
    years = {bloc.year}
    for table in (Role, Registration, Covenant):
        years.update(session.exec(select(table.year).where(table.bloc_id == bloc.id, table.year < bloc.year)
                                  .distinct()))
    return sorted(years)


def left_year_at(*, session: Session, bloc_id: int, year: int) -> datetime | None:
    """When the bloc moved on from ``year`` (None: it has not, or before rollovers were recorded)."""
    return next((entry.at for entry in audit.entries(session=session, bloc_id=bloc_id, action=ROLLOVER)
                 if entry.detail.get("from_year") == year), None)


def members_in_year(*, session: Session, bloc: Bloc, year: int) -> list[Unit]:
    """The units that were members in ``year``, sorted the Vietnamese way: today's units for
    the current year; for a past one, those that registered or signed that year, and those
    that were on the roster when the bloc left it (units added later were not members)."""
    if year == bloc.year:
        return roster.active_units(session=session, bloc_id=bloc.id)
    took_part = set(session.exec(select(Registration.unit_id).where(
        Registration.bloc_id == bloc.id, Registration.year == year)))
    took_part.update(session.exec(select(Covenant.unit_id).where(Covenant.bloc_id == bloc.id, Covenant.year == year)))
    ended = left_year_at(session=session, bloc_id=bloc.id, year=year)

    def member(unit: Unit) -> bool:
        if unit.id in took_part:
            return True
        if ended is None:
            return unit.removed_at is None
        return unit.created_at <= ended and (unit.removed_at is None or unit.removed_at > ended)

    units = session.exec(select(Unit).where(Unit.bloc_id == bloc.id))
    return sorted((u for u in units if member(u)), key=lambda u: sort_key(u.name))


def deadline_in_year(*, session: Session, bloc_id: int, year: int, kind: str) -> Milestone | None:
    """The year's active milestone of this kind (e.g. a past year's registration deadline)."""
    return session.exec(select(Milestone).where(
        Milestone.bloc_id == bloc_id, Milestone.year == year, Milestone.kind == kind,
        col(Milestone.cancelled_at).is_(None)).order_by(col(Milestone.id).desc())).first()
