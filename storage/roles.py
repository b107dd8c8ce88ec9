"""Roles per year: secretaries (people), Trưởng khối and Phó khối (units)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from storage import audit
from storage.models import Bloc, Role, RoleKind, TgUser, Unit


def _is_current(bloc: Bloc, kind: str, year: int | None = None):
    year = bloc.year if year is None else year
    return (Role.bloc_id == bloc.id) & (Role.year == year) & (Role.kind == kind) & col(Role.removed_at).is_(None)


def _current(bloc: Bloc, kind: str):
    return select(Role).where(_is_current(bloc, kind))


def secretaries(*, session: Session, bloc: Bloc, year: int | None = None) -> list[tuple[Role, TgUser | None]]:
    """The listed secretaries of ``year`` (None: the bloc's current year)."""
    rows = session.exec(select(Role, TgUser).outerjoin(TgUser, TgUser.id == Role.user_id)
                        .where(_is_current(bloc, RoleKind.SECRETARY, year)).order_by(Role.id))
    return [(role, user) for role, user in rows]


def reachable_secretaries(*, session: Session, bloc: Bloc) -> list[int]:
    """The ids of the bloc's listed secretaries the bot may write to (told of a registration's
    change). A Session or a Connection: a confirmation runs it in its Core transaction."""
    ids = session.execute(select(Role.user_id).join(TgUser, TgUser.id == Role.user_id)
                          .where(_is_current(bloc, RoleKind.SECRETARY), col(TgUser.started_at).is_not(None),
                                 col(TgUser.blocked_at).is_(None)).order_by(Role.id)).scalars()
    return list(dict.fromkeys(ids))


def is_listed_secretary(*, session: Session, bloc: Bloc, user_id: int) -> bool:
    return session.exec(_current(bloc, RoleKind.SECRETARY).where(Role.user_id == user_id)).first() is not None


def add_secretary(*, session: Session, bloc: Bloc, user_id: int, by: int, now: datetime) -> Role:
    role = Role(bloc_id=bloc.id, year=bloc.year, kind=RoleKind.SECRETARY, user_id=user_id,
                created_by=by, created_at=now)
    session.add(role)
    audit.record(session=session, bloc_id=bloc.id, actor_id=by, now=now, action="secretary.add",
                 user_id=user_id)
    return role


def secretary_role(*, session: Session, bloc: Bloc, role_id: int) -> Role | None:
    """The role if it is a current secretary role of this bloc (forged ids give None)."""
    return session.exec(_current(bloc, RoleKind.SECRETARY).where(Role.id == role_id)).first()


def remove_role(*, session: Session, role: Role, by: int, now: datetime) -> None:
    role.removed_at = now
    session.add(role)
    audit.record(session=session, bloc_id=role.bloc_id, actor_id=by, now=now, action=f"{role.kind}.remove",
                 user_id=role.user_id, unit_id=role.unit_id)


def unit_roles(*, session: Session, bloc: Bloc, year: int | None = None) -> dict[int, str]:
    """unit id → Trưởng/Phó khối kind, for ``year`` (None: the bloc's current year)."""
    year = bloc.year if year is None else year
    rows = session.exec(select(Role).where(
        Role.bloc_id == bloc.id, Role.year == year, col(Role.kind).in_([RoleKind.LEAD, RoleKind.DEPUTY]),
        col(Role.removed_at).is_(None)))
    return {role.unit_id: role.kind for role in rows if role.unit_id is not None}


def set_unit_role(*, session: Session, bloc: Bloc, unit: Unit, kind: str, by: int, now: datetime,
                  year: int | None = None) -> None:
    """Make ``unit`` the Trưởng or Phó khối of ``year`` (None: the bloc's current year; the
    ballot and /namsau record next year's with ``bloc.year + 1``); whoever held it that
    year, and any other role of the unit that year, ends (a unit is not both)."""
    year = bloc.year if year is None else year
    held = session.exec(select(Role).where(
        Role.bloc_id == bloc.id, Role.year == year, col(Role.removed_at).is_(None),
        (Role.kind == kind) | ((Role.unit_id == unit.id) & col(Role.kind).in_([RoleKind.LEAD, RoleKind.DEPUTY]))))
    for role in held:
        role.removed_at = now
        session.add(role)
    session.add(Role(bloc_id=bloc.id, year=year, kind=kind, unit_id=unit.id, created_by=by, created_at=now))
    audit.record(session=session, bloc_id=bloc.id, actor_id=by, now=now, action=f"{kind}.set",
                 unit_id=unit.id, year=year)
