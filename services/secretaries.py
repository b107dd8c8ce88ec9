"""A bloc's listed secretaries (/thuky): the list, naming one (a secretary answers that
person's message), removing one (asked first; never the last one when the group's
administrators do not count as secretaries). Each function is one decision in the caller's
transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session

from services.blocs import Actor, Refused, bloc_in
from storage import roles
from storage.models import Bloc, Role, TgUser
from storage.users import touch_user


class Problem(StrEnum):
    A_BOT = "a_bot"                  # a bot cannot be a secretary
    STALE = "stale"                  # no such current secretary of this bloc
    LAST_ONE = "last_one"


@dataclass(frozen=True)
class SecretaryRefused:
    code: Problem


@dataclass(frozen=True)
class Person:
    """Someone a secretary named, as Telegram describes them."""

    user_id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    is_bot: bool = False


@dataclass(frozen=True)
class Listed:
    bloc: Bloc
    listed: list[tuple[Role, TgUser | None]]


@dataclass(frozen=True)
class Named:
    already: bool                    # they were a secretary already: nothing written


@dataclass(frozen=True)
class AskRemove:
    role: Role
    person: TgUser | None


@dataclass(frozen=True)
class Removed:
    person: TgUser | None
    listing: Listed


def listing(session: Session, *, bloc: Bloc) -> Listed:
    return Listed(bloc, roles.secretaries(session=session, bloc=bloc))


def show(session: Session, *, chat_id: int) -> Listed | Refused:
    bloc = bloc_in(session, chat_id=chat_id)
    return bloc if isinstance(bloc, Refused) else listing(session, bloc=bloc)


def name(session: Session, *, chat_id: int, actor: Actor, person: Person,
         now: datetime) -> Named | SecretaryRefused | Refused:
    """A secretary names ``person`` a secretary of the bloc too."""
    bloc = bloc_in(session, chat_id=chat_id, actor=actor, secretary=True)
    if isinstance(bloc, Refused):
        return bloc
    if person.is_bot:
        return SecretaryRefused(Problem.A_BOT)
    if roles.is_listed_secretary(session=session, bloc=bloc, user_id=person.user_id):
        return Named(already=True)
    touch_user(session=session, user_id=person.user_id, first_name=person.first_name, last_name=person.last_name,
               username=person.username, now=now, private=False)
    roles.add_secretary(session=session, bloc=bloc, user_id=person.user_id, by=actor.user_id, now=now)
    return Named(already=False)


def remove(session: Session, *, bloc: Bloc, actor: Actor, role_id: int | None, confirmed: bool,
           now: datetime) -> AskRemove | Removed | SecretaryRefused:
    """Ask to remove a listed secretary (``confirmed`` False), or remove them. The last one
    stays when administrators do not count as secretaries: the bloc would have none."""
    role = roles.secretary_role(session=session, bloc=bloc, role_id=role_id) if role_id else None
    if role is None:
        return SecretaryRefused(Problem.STALE)
    if not actor.admins_are_secretaries and len(roles.secretaries(session=session, bloc=bloc)) == 1:
        return SecretaryRefused(Problem.LAST_ONE)
    person = session.get(TgUser, role.user_id)
    if not confirmed:
        return AskRemove(role, person)
    roles.remove_role(session=session, role=role, by=actor.user_id, now=now)
    session.flush()
    return Removed(person, listing(session, bloc=bloc))
