"""Member units and their representatives."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from domain.text import clean, fold, sort_key
from storage import audit, core
from storage.models import Bloc, Invitation, Representative, Role, TgUser, Unit


def active_units(*, session: Session, bloc_id: int) -> list[Unit]:
    """The bloc's units, sorted the Vietnamese way."""
    units = session.exec(select(Unit).where(Unit.bloc_id == bloc_id, col(Unit.removed_at).is_(None)))
    return sorted(units, key=lambda u: sort_key(u.name))


def unit_of_bloc(*, session: Session, bloc_id: int, unit_id: int) -> Unit | None:
    """The unit if it is an active unit of this bloc: forged ids of other blocs give None."""
    unit = session.get(Unit, unit_id)
    if unit is None or unit.bloc_id != bloc_id or unit.removed_at is not None:
        return None
    return unit


def find_units(*, session: Session, bloc_id: int, typed: str) -> list[Unit]:
    """Units matching a typed name: the exact folded name, else every unit containing it."""
    key = fold(typed)
    if not key:
        return []
    units = active_units(session=session, bloc_id=bloc_id)
    exact = [u for u in units if u.name_key == key]
    return exact or [u for u in units if key in u.name_key]


def add_units(*, session: Session, bloc: Bloc, names: list[str], by: int, now: datetime) -> list[Unit]:
    units = [Unit(bloc_id=bloc.id, name=clean(n), name_key=fold(n), created_at=now) for n in names]
    session.add_all(units)
    audit.record(session=session, bloc_id=bloc.id, actor_id=by, now=now, action="unit.add",
                 names=[u.name for u in units])
    return units


def rename_unit(*, session: Session, unit: Unit, name: str, by: int, now: datetime) -> None:
    audit.record(session=session, bloc_id=unit.bloc_id, actor_id=by, now=now, action="unit.rename",
                 unit_id=unit.id, old=unit.name, new=clean(name))
    unit.name, unit.name_key = clean(name), fold(name)
    session.add(unit)


def remove_unit(*, session: Session, unit: Unit, by: int, now: datetime) -> None:
    """End a unit: its representatives, open invitations and roles end with it."""
    unit.removed_at = now
    session.add(unit)
    for rep in session.exec(select(Representative).where(
            Representative.unit_id == unit.id, col(Representative.removed_at).is_(None))):
        rep.removed_at = now
        session.add(rep)
    for invitation in session.exec(select(Invitation).where(
            Invitation.unit_id == unit.id, col(Invitation.used_at).is_(None),
            col(Invitation.revoked_at).is_(None))):
        invitation.revoked_at = now
        session.add(invitation)
    for role in session.exec(select(Role).where(Role.unit_id == unit.id, col(Role.removed_at).is_(None))):
        role.removed_at = now
        session.add(role)
    audit.record(session=session, bloc_id=unit.bloc_id, actor_id=by, now=now, action="unit.remove",
                 unit_id=unit.id, name=unit.name)


def name_keys(units: list[Unit]) -> dict[str, str]:
    return {u.name_key: u.name for u in units}


def representatives(*, session: Session, bloc_id: int) -> dict[int, list[TgUser]]:
    """Active representatives per unit id, in one query."""
    rows = session.exec(
        select(Representative.unit_id, TgUser)
        .join(Unit, Unit.id == Representative.unit_id)
        .join(TgUser, TgUser.id == Representative.user_id)
        .where(Unit.bloc_id == bloc_id, col(Representative.removed_at).is_(None),
               col(Unit.removed_at).is_(None))
        .order_by(Representative.id)
    )
    people: dict[int, list[TgUser]] = defaultdict(list)
    for unit_id, user in rows:
        people[unit_id].append(user)
    return people


def _reachable_representatives_statement():
    rep, user = core.table(Representative), core.table(TgUser)
    return (select(user.c.id).select_from(rep.join(user, user.c.id == rep.c.user_id))
            .where(rep.c.unit_id == bindparam("unit_id"), rep.c.removed_at.is_(None), user.c.id != bindparam("but"),
                   user.c.started_at.is_not(None), user.c.blocked_at.is_(None))
            .order_by(rep.c.id))


_REACHABLE_REPRESENTATIVES = _reachable_representatives_statement()


def reachable_representatives(*, session: Session, unit_id: int, but: int) -> list[int]:
    """The ids of the unit's active representatives the bot may write to, other than ``but``
    (told when a colleague changes the unit's registration). The unit is assumed active."""
    ids = session.execute(_REACHABLE_REPRESENTATIVES, {"unit_id": unit_id, "but": but}).scalars()
    return list(dict.fromkeys(ids))


def is_representative(*, session: Session, unit_id: int, user_id: int) -> bool:
    return session.exec(select(Representative.id).where(
        Representative.unit_id == unit_id, Representative.user_id == user_id,
        col(Representative.removed_at).is_(None))).first() is not None


def _units_of_user_statement():
    unit, bloc, rep = core.table(Unit), core.table(Bloc), core.table(Representative)
    return (select(*core.labelled(Unit, "u_"), *core.labelled(Bloc, "b_"))
            .select_from(unit.join(rep, rep.c.unit_id == unit.c.id).join(bloc, bloc.c.id == unit.c.bloc_id))
            .where(rep.c.user_id == bindparam("user_id"), rep.c.removed_at.is_(None), unit.c.removed_at.is_(None)))


_UNITS_OF_USER = _units_of_user_statement()


def units_of_user(*, session: Session, user_id: int) -> list[tuple[Unit, Bloc]]:
    """Every unit (and its bloc) this person represents now. Runs on every /dangky and
    button of a unit: one prepared Core statement (storage/core.py); a Session or a Connection."""
    pairs = {}
    for row in session.execute(_UNITS_OF_USER, {"user_id": user_id}):
        # one pair per unit, even if the person were enrolled twice for it
        pairs.setdefault(row.u_id, (core.build(Unit, row, "u_"), core.build(Bloc, row, "b_")))
    return sorted(pairs.values(), key=lambda pair: (sort_key(pair[1].name), sort_key(pair[0].name)))


def enrol(*, session: Session, invitation: Invitation, user_id: int, now: datetime) -> Representative:
    """The invited person becomes the unit's representative; the link is spent."""
    invitation.used_at, invitation.used_by = now, user_id
    rep = Representative(unit_id=invitation.unit_id, user_id=user_id, invitation_id=invitation.id,
                         enrolled_at=now)
    session.add_all([invitation, rep])
    audit.record(session=session, bloc_id=invitation.bloc_id, actor_id=user_id, now=now,
                 action="representative.enrol", unit_id=invitation.unit_id, invitation_id=invitation.id)
    return rep
