"""Milestones of a bloc's year: deadlines and meetings (kinds in domain.milestones)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from domain.milestones import Kind
from storage import audit
from storage.models import Bloc, Milestone

REGISTRATION_DEADLINE = Kind.REGISTRATION_DEADLINE.value


def active(*, session: Session, bloc: Bloc, kind: str) -> Milestone | None:
    return session.exec(select(Milestone).where(
        Milestone.bloc_id == bloc.id, Milestone.year == bloc.year, Milestone.kind == kind,
        col(Milestone.cancelled_at).is_(None)).order_by(col(Milestone.id).desc())).first()


def all_active(*, session: Session, bloc: Bloc) -> list[Milestone]:
    return list(session.exec(select(Milestone).where(
        Milestone.bloc_id == bloc.id, Milestone.year == bloc.year,
        col(Milestone.cancelled_at).is_(None)).order_by(Milestone.at)))


def set_milestone(*, session: Session, bloc: Bloc, kind: str, at: datetime, by: int, now: datetime,
                  place: str = "") -> Milestone:
    """Set or move a milestone: the row is kept and its time changed, so what hangs on
    it (reminders) can follow."""
    milestone = active(session=session, bloc=bloc, kind=kind)
    old = milestone.at.isoformat() if milestone else None
    if milestone is None:
        milestone = Milestone(bloc_id=bloc.id, year=bloc.year, kind=kind, at=at, place=place, created_by=by,
                              created_at=now)
    milestone.at, milestone.place = at, place or milestone.place
    session.add(milestone)
    audit.record(session=session, bloc_id=bloc.id, actor_id=by, now=now, action="milestone.set", kind=kind,
                 old=old, new=at.isoformat())
    return milestone


def cancel(*, session: Session, milestone: Milestone, by: int, now: datetime) -> None:
    milestone = session.merge(milestone)
    milestone.cancelled_at = now
    session.add(milestone)
    audit.record(session=session, bloc_id=milestone.bloc_id, actor_id=by, now=now, action="milestone.cancel",
                 kind=milestone.kind, at=milestone.at.isoformat())
