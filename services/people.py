"""Whether the bot may write to a person first: a person who blocks the bot in their private
chat is marked unreachable (reminders skip them, the group's lists name them), as when a DM
is refused; unblocking makes them reachable again."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from storage.users import mark_unreachable, touch_user


def private_chat_changed(session: Session, *, user_id: int, first_name: str, last_name: str | None,
                         username: str | None, blocked: bool, now: datetime) -> None:
    if blocked:
        mark_unreachable(session=session, user_id=user_id, now=now)
    else:
        touch_user(session=session, user_id=user_id, first_name=first_name, last_name=last_name, username=username,
                   now=now, private=True)
