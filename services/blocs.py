"""A bloc in its group: who may configure it (its secretaries), setting it up with /khoi, its
card, renaming it, its province, and following its group to a new chat id. Each function is
one decision in the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session

from domain.blocs import SetupError, bloc_name_problem, parse_setup, province_problem
from domain.catalogue import Catalogue, Title
from domain.text import clean
from storage import blocs, quotas, roles, roster
from storage.boards import board_of
from storage.models import Bloc
from storage.users import display_name


class Refusal(StrEnum):
    NO_BLOC = "no_bloc"              # the group has no bloc (or not the one a question was about)
    NOT_SECRETARY = "not_secretary"
    STALE = "stale"                  # a press on a message that has no such buttons (the pinned board)
    ADMINS_ONLY = "admins_only"      # only a group's administrators set a bloc up
    ALREADY = "already"              # the group has a bloc already
    NAME = "name"                    # ``problem``: name_missing, name_too_long, year_out_of_range
    PROVINCE = "province"


@dataclass(frozen=True)
class Refused:
    code: Refusal
    problem: str | None = None
    bloc: Bloc | None = None


@dataclass(frozen=True)
class Actor:
    """Who acts, as the handler knows them: the Telegram user, and whether Telegram says they
    administer the group (None: not asked); ``admins_are_secretaries`` is the deployment's
    setting that administrators count as secretaries."""

    user_id: int
    group_admin: bool | None = None
    admins_are_secretaries: bool = False


@dataclass(frozen=True)
class Card:
    """What the card of a bloc shows: name, year, roles, counts."""

    bloc: Bloc
    units: int
    represented: int
    lead: str | None
    deputy: str | None
    secretaries: list[dict] = field(default_factory=list)


@dataclass(frozen=True)
class Titles:
    """The titles units may register for this year, each with the bloc's quota."""

    bloc: Bloc
    titles: list[tuple[Title, int | None]]
    members: int


@dataclass(frozen=True)
class AskName:
    """/khoi without a name in a group without a bloc: the bot asks for it."""


@dataclass(frozen=True)
class Created:
    bloc: Bloc


@dataclass(frozen=True)
class Renamed:
    bloc: Bloc
    name: str


@dataclass(frozen=True)
class ProvinceSet:
    bloc: Bloc
    province: str


def is_secretary(session: Session, *, bloc: Bloc, actor: Actor) -> bool:
    """Listed secretaries, and the group's administrators unless configured otherwise."""
    if roles.is_listed_secretary(session=session, bloc=bloc, user_id=actor.user_id):
        return True
    return actor.admins_are_secretaries and bool(actor.group_admin)


def bloc_in(session: Session, *, chat_id: int, actor: Actor | None = None, secretary: bool = False,
            message: tuple[int, int] | None = None, bloc_id: int | None = None) -> Bloc | Refused:
    """The bloc a group's command, button or answer acts on: the group's, the one a question
    was asked about (``bloc_id``), never the bloc's pinned board pressed (``message``: the
    pressed message's chat and id), and when ``secretary``, only for a secretary."""
    bloc = blocs.bloc_of_chat(session=session, chat_id=chat_id)
    if bloc is None or (bloc_id is not None and bloc.id != bloc_id):
        return Refused(Refusal.NO_BLOC)
    if message is not None:
        board = board_of(session=session, bloc_id=bloc.id, year=bloc.year)
        if board is not None and (board.chat_id, board.message_id) == message:
            return Refused(Refusal.STALE, bloc=bloc)
    if secretary and (actor is None or not is_secretary(session, bloc=bloc, actor=actor)):
        return Refused(Refusal.NOT_SECRETARY, bloc=bloc)
    return bloc


def card(session: Session, bloc: Bloc) -> Card:
    units = roster.active_units(session=session, bloc_id=bloc.id)
    people = roster.representatives(session=session, bloc_id=bloc.id)
    unit_roles = roles.unit_roles(session=session, bloc=bloc)
    names = {u.id: u.name for u in units}
    return Card(
        bloc=bloc,
        units=len(units),
        represented=sum(1 for u in units if people.get(u.id)),
        lead=next((names[u] for u, k in unit_roles.items() if k == "truong_khoi" and u in names), None),
        deputy=next((names[u] for u, k in unit_roles.items() if k == "pho_khoi" and u in names), None),
        secretaries=[dict(id=user.id, name=display_name(user))
                     for _, user in roles.secretaries(session=session, bloc=bloc) if user is not None],
    )


def titles(session: Session, *, bloc: Bloc, catalogue: Catalogue) -> Titles:
    """This year's titles with the bloc's quotas (the ones its secretary set, else the
    catalogue's for its number of units)."""
    members = len(roster.active_units(session=session, bloc_id=bloc.id))
    bloc_quotas = quotas.for_year(session=session, bloc_id=bloc.id, year=bloc.year, catalogue=catalogue,
                                  members=members)
    return Titles(bloc, [(t, bloc_quotas[t.code]) for t in catalogue.for_year(bloc.year)], members)


def khoi(session: Session, *, chat_id: int, actor: Actor, text: str, province: str, now: datetime,
         current_year: int) -> Card | AskName | Created | Refused:
    """/khoi in a group: the card of its bloc to anyone; without a bloc, a group administrator
    sets one up (named in ``text``, else asked for the name)."""
    bloc = blocs.bloc_of_chat(session=session, chat_id=chat_id)
    if bloc is not None:
        return card(session, bloc)
    if not actor.group_admin:
        return Refused(Refusal.ADMINS_ONLY)
    if not text:
        return AskName()
    return create(session, chat_id=chat_id, actor=actor, text=text, province=province, now=now,
                  current_year=current_year)


def create(session: Session, *, chat_id: int, actor: Actor, text: str, province: str, now: datetime,
           current_year: int) -> Created | Refused:
    """A new bloc for the group, named and dated as ``text`` says; whoever sets it up (a group
    administrator) becomes its first secretary (storage.blocs.create_bloc)."""
    if not actor.group_admin:
        return Refused(Refusal.ADMINS_ONLY)
    try:
        setup = parse_setup(text, current_year)
    except SetupError as exc:
        return Refused(Refusal.NAME, problem=exc.code)
    if blocs.bloc_of_chat(session=session, chat_id=chat_id) is not None:
        return Refused(Refusal.ALREADY)
    return Created(blocs.create_bloc(session=session, chat_id=chat_id, name=setup.name, year=setup.year,
                                     province=clean(province), by=actor.user_id, now=now))


def rename(session: Session, *, bloc: Bloc, actor: Actor, name: str, now: datetime) -> Renamed | Refused:
    problem = bloc_name_problem(name)
    if problem is not None:
        return Refused(Refusal.NAME, problem=problem, bloc=bloc)
    bloc = session.get(Bloc, bloc.id)  # as it is now, not as a copy loaded earlier says
    blocs.rename_bloc(session=session, bloc=bloc, name=name, by=actor.user_id, now=now)
    return Renamed(bloc, name)


def set_province(session: Session, *, bloc: Bloc, actor: Actor, province: str,
                 now: datetime) -> ProvinceSet | Refused:
    if province_problem(province):
        return Refused(Refusal.PROVINCE, bloc=bloc)
    bloc = session.get(Bloc, bloc.id)  # as it is now, not as a copy loaded earlier says
    blocs.set_province(session=session, bloc=bloc, province=province, by=actor.user_id, now=now)
    return ProvinceSet(bloc, province)


def follow_group(session: Session, *, old_chat_id: int, new_chat_id: int, now: datetime) -> Bloc | None:
    """A group became a supergroup (a new chat id): its bloc follows it, once; the bloc moved,
    or None when there was nothing to move (no bloc, or one there already)."""
    return blocs.move_chat(session=session, old_chat_id=old_chat_id, new_chat_id=new_chat_id, now=now)


def bot_membership(session: Session, *, chat_id: int, by: int, joined: bool, left: bool,
                   now: datetime) -> Bloc | None:
    """The bot was added to or removed from a group: recorded in its bloc's log, if it has
    one; the bloc, for the greeting."""
    bloc = blocs.bloc_of_chat(session=session, chat_id=chat_id)
    if bloc is not None and (joined or left):
        blocs.record_membership(session=session, bloc=bloc, by=by, now=now, joined=joined)
    return bloc
