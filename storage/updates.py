"""Which updates this bot has handled: the guard against an update delivered twice.

It runs on every update, so its statements go through Core, built once (storage/core.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, func, insert, select

from storage.core import table
from storage.models import ProcessedUpdate

_T = table(ProcessedUpdate)
_SEEN = select(_T.c.update_id).where(_T.c.bot_id == bindparam("bot_id"), _T.c.update_id == bindparam("update_id"))
_HIGHEST = select(func.max(_T.c.update_id)).where(_T.c.bot_id == bindparam("bot_id"))
_RECORD = insert(_T)


def handled(*, session, bot_id: int, update_id: int) -> bool:
    """``session``: a Session or a Connection."""
    return session.execute(_SEEN, {"bot_id": bot_id, "update_id": update_id}).first() is not None


def highest(*, session, bot_id: int) -> int:
    """The highest update id recorded for this bot (0 when none): within one run of the bot,
    updates come in increasing order, so only ids up to this one can be a second delivery."""
    return session.execute(_HIGHEST, {"bot_id": bot_id}).scalar() or 0


def record(*, session, bot_id: int, update_id: int, now: datetime) -> None:
    """Mark the update handled (an IntegrityError if it already was)."""
    session.execute(_RECORD, {"bot_id": bot_id, "update_id": update_id, "handled_at": now})


def prune(*, session, now: datetime, keep: timedelta) -> int:
    """Forget updates handled longer ago than ``keep`` (Telegram redelivers for 24 hours at most)."""
    result = session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.handled_at < now - keep))
    return result.rowcount
