"""Telegram users the bot has seen, and whether it may write to them first."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, insert, select, update
from sqlmodel import Session

from domain.text import clean
from storage import core
from storage.models import TgUser


_USER = core.table(TgUser)
_USER_BY_ID = select(*core.labelled(TgUser, "t_")).where(_USER.c.id == bindparam("user_id"))
_INSERT_USER = insert(_USER)
_UPDATE_USER = update(_USER).where(_USER.c.id == bindparam("user_id"))  # SET: the columns given


def touch_user(*, session: Session, user_id: int, first_name: str, last_name: str | None,
               username: str | None, now: datetime, private: bool) -> TgUser:
    """Insert or refresh a user; a private message means the bot may now write to them.
    Runs for the first update of every person after a start, so it writes only when something
    changed (``updated_at`` is when the details last changed), through Core statements
    (storage/core.py); a Session or a Connection. Returns the row as it now is (detached)."""
    row = session.execute(_USER_BY_ID, {"user_id": user_id}).first()
    user = core.build(TgUser, row, "t_") if row is not None else None
    details = dict(first_name=clean(first_name or ""), last_name=clean(last_name or ""), username=username)
    if private:
        details.update(started_at=(user.started_at if user is not None else None) or now, blocked_at=None)
    if user is None:
        values = {"id": user_id, "started_at": None, "blocked_at": None, **details, "updated_at": now}
        session.execute(_INSERT_USER, values)
        return core.detached(TgUser, values)
    changed = {key: value for key, value in details.items() if getattr(user, key) != value}
    if changed:
        changed["updated_at"] = now
        session.execute(_UPDATE_USER, {"user_id": user_id, **changed})
        for key, value in changed.items():
            setattr(user, key, value)
    return user


def mark_unreachable(*, session: Session, user_id: int, now: datetime) -> None:
    """A DM was refused (never started, or blocked): stop assuming we can write."""
    user = session.get(TgUser, user_id)
    if user is not None:
        user.blocked_at = now


def reachable(user: TgUser | None) -> bool:
    return user is not None and user.started_at is not None and user.blocked_at is None


def display_name(user: TgUser | None) -> str:
    if user is None:
        return "?"
    name = " ".join(part for part in (user.first_name, user.last_name) if part)
    return name or (f"@{user.username}" if user.username else str(user.id))


def names_of(*, session: Session, user_ids: set[int]) -> dict[int, str]:
    """Each known person's display name, read in one statement."""
    if not user_ids:
        return {}
    rows = session.exec(select(TgUser).where(_USER.c.id.in_(sorted(user_ids))))
    return {user.id: display_name(user) for (user,) in rows}
