"""Telegram users the bot has seen, and whether it may write to them first."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from domain.text import clean
from storage.models import TgUser


def touch_user(*, session: Session, user_id: int, first_name: str, last_name: str | None,
               username: str | None, now: datetime, private: bool) -> TgUser:
    """Insert or refresh a user; a private message means the bot may now write to them.
    Runs for every update, so it writes only when something changed (``updated_at`` is when
    the details last changed)."""
    user = session.get(TgUser, user_id)
    if user is None:
        user = TgUser(id=user_id, updated_at=now)
        session.add(user)
    details = dict(first_name=clean(first_name or ""), last_name=clean(last_name or ""), username=username)
    if private:
        details.update(started_at=user.started_at or now, blocked_at=None)
    changed = {key: value for key, value in details.items() if getattr(user, key) != value}
    if changed:
        for key, value in changed.items():
            setattr(user, key, value)
        user.updated_at = now
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
