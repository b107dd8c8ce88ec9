"""Blocs: one per Telegram group."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from storage import audit
from storage.models import Bloc, Role, RoleKind


def bloc_of_chat(*, session: Session, chat_id: int) -> Bloc | None:
    return session.exec(select(Bloc).where(Bloc.chat_id == chat_id)).first()


def create_bloc(*, session: Session, chat_id: int, name: str, year: int, province: str,
                by: int, now: datetime) -> Bloc:
    """A new bloc; the person who set it up becomes its first secretary."""
    bloc = Bloc(chat_id=chat_id, name=name, year=year, province=province, created_by=by, created_at=now)
    session.add(bloc)
    session.flush()
    session.add(Role(bloc_id=bloc.id, year=year, kind=RoleKind.SECRETARY, user_id=by,
                     created_by=by, created_at=now))
    audit.record(session=session, bloc_id=bloc.id, actor_id=by, now=now, action="bloc.create",
                 name=name, year=year, chat_id=chat_id)
    return bloc


def rename_bloc(*, session: Session, bloc: Bloc, name: str, by: int, now: datetime) -> None:
    audit.record(session=session, bloc_id=bloc.id, actor_id=by, now=now, action="bloc.rename",
                 old=bloc.name, new=name)
    bloc.name = name
    session.add(bloc)


def set_province(*, session: Session, bloc: Bloc, province: str, by: int, now: datetime) -> None:
    audit.record(session=session, bloc_id=bloc.id, actor_id=by, now=now, action="bloc.province",
                 old=bloc.province, new=province)
    bloc.province = province
    session.add(bloc)


def move_chat(*, session: Session, old_chat_id: int, new_chat_id: int, now: datetime) -> Bloc | None:
    """A group became a supergroup and got a new id: the bloc follows it. Idempotent."""
    bloc = bloc_of_chat(session=session, chat_id=old_chat_id)
    if bloc is None or bloc_of_chat(session=session, chat_id=new_chat_id) is not None:
        return None
    bloc.chat_id = new_chat_id
    session.add(bloc)
    audit.record(session=session, bloc_id=bloc.id, actor_id=None, now=now, action="bloc.migrate",
                 old_chat_id=old_chat_id, new_chat_id=new_chat_id)
    return bloc


def record_setting(*, session: Session, bloc: Bloc, by: int, now: datetime, **values) -> None:
    audit.record(session=session, bloc_id=bloc.id, actor_id=by, now=now, action="bloc.setting", **values)


def record_membership(*, session: Session, bloc: Bloc, by: int, now: datetime, joined: bool) -> None:
    """The bot was added to (``joined``) or removed from the bloc's group."""
    audit.record(session=session, bloc_id=bloc.id, actor_id=by, now=now,
                 action="bot.joined" if joined else "bot.removed")
