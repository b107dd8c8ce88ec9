"""Registrations, their drafts, covenant signatures and reopenings."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from storage import audit
from storage.models import Bloc, Covenant, Registration, RegistrationDraft, Reopening


def current(*, session: Session, bloc_id: int, year: int) -> dict[int, Registration]:
    """unit id → the registration that counts now (withdrawn ones included)."""
    rows = session.exec(select(Registration).where(
        Registration.bloc_id == bloc_id, Registration.year == year, col(Registration.current).is_(True)))
    return {r.unit_id: r for r in rows}


def current_of_unit(*, session: Session, unit_id: int, year: int) -> Registration | None:
    return session.exec(select(Registration).where(
        Registration.unit_id == unit_id, Registration.year == year, col(Registration.current).is_(True))).first()


def history(*, session: Session, unit_id: int, year: int) -> list[Registration]:
    return list(session.exec(select(Registration).where(
        Registration.unit_id == unit_id, Registration.year == year).order_by(Registration.id)))


def _replace(session: Session, bloc: Bloc, unit_id: int, new: Registration, action: str, by: int,
             now: datetime) -> Registration:
    previous = current_of_unit(session=session, unit_id=unit_id, year=bloc.year)
    if previous is not None:
        previous.current = False
        session.add(previous)
        session.flush()
    session.add(new)
    session.flush()
    audit.record(session=session, bloc_id=bloc.id, actor_id=by, now=now, action=action, unit_id=unit_id,
                 registration_id=new.id, previous_id=previous.id if previous else None,
                 collective=new.collective, individuals=new.individuals)
    return new


def confirm(*, session: Session, bloc: Bloc, unit_id: int, collective: list[str], individuals: list[dict],
            targets: str, by: int, now: datetime) -> Registration:
    new = Registration(bloc_id=bloc.id, unit_id=unit_id, year=bloc.year, collective=collective,
                       individuals=individuals, targets=targets, confirmed_by=by, confirmed_at=now)
    return _replace(session, bloc, unit_id, new, "registration.confirm", by, now)


def withdraw(*, session: Session, bloc: Bloc, unit_id: int, by: int, now: datetime) -> Registration:
    new = Registration(bloc_id=bloc.id, unit_id=unit_id, year=bloc.year, withdrawn=True, confirmed_by=by,
                       confirmed_at=now)
    return _replace(session, bloc, unit_id, new, "registration.withdraw", by, now)


def covenants(*, session: Session, bloc_id: int, year: int) -> dict[int, Covenant]:
    rows = session.exec(select(Covenant).where(Covenant.bloc_id == bloc_id, Covenant.year == year))
    return {c.unit_id: c for c in rows}


def sign_covenant(*, session: Session, bloc: Bloc, unit_id: int, by: int, now: datetime) -> Covenant | None:
    """Record the signature; None when the unit had already signed this year."""
    existing = session.exec(select(Covenant).where(Covenant.unit_id == unit_id, Covenant.year == bloc.year)).first()
    if existing is not None:
        return None
    covenant = Covenant(bloc_id=bloc.id, unit_id=unit_id, year=bloc.year, confirmed_by=by, confirmed_at=now)
    session.add(covenant)
    audit.record(session=session, bloc_id=bloc.id, actor_id=by, now=now, action="covenant.sign", unit_id=unit_id)
    return covenant


def reopened_until(*, session: Session, unit_id: int, year: int) -> datetime | None:
    return session.exec(select(func.max(Reopening.until)).where(
        Reopening.unit_id == unit_id, Reopening.year == year)).one()


def reopen(*, session: Session, bloc: Bloc, unit_id: int, until: datetime, by: int, now: datetime) -> Reopening:
    reopening = Reopening(bloc_id=bloc.id, unit_id=unit_id, year=bloc.year, until=until, created_by=by,
                          created_at=now)
    session.add(reopening)
    audit.record(session=session, bloc_id=bloc.id, actor_id=by, now=now, action="registration.reopen",
                 unit_id=unit_id, until=until.isoformat())
    return reopening


# Drafts: one per person; starting a new one replaces it.

def draft_of(*, session: Session, user_id: int) -> RegistrationDraft | None:
    return session.exec(select(RegistrationDraft).where(RegistrationDraft.user_id == user_id)).first()


def start_draft(*, session: Session, user_id: int, bloc: Bloc, unit_id: int, data: dict, step: str,
                now: datetime) -> RegistrationDraft:
    old = draft_of(session=session, user_id=user_id)
    if old is not None:
        session.delete(old)
        session.flush()
    draft = RegistrationDraft(user_id=user_id, unit_id=unit_id, bloc_id=bloc.id, year=bloc.year, step=step,
                              data=data, started_at=now, touched_at=now)
    session.add(draft)
    session.flush()
    return draft


def save_draft(*, session: Session, draft: RegistrationDraft, now: datetime, **changes) -> RegistrationDraft:
    draft = session.merge(draft)
    for key, value in changes.items():
        setattr(draft, key, value)
    draft.touched_at = now
    session.add(draft)
    return draft


def drop_draft(*, session: Session, draft_id: int) -> None:
    draft = session.get(RegistrationDraft, draft_id)
    if draft is not None:
        session.delete(draft)


def idle_drafts(*, session: Session, now: datetime, idle: timedelta) -> list[RegistrationDraft]:
    return list(session.exec(select(RegistrationDraft).where(RegistrationDraft.touched_at <= now - idle)))
