"""Which updates this bot has handled: the guard against an update delivered twice."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session

from storage.models import ProcessedUpdate


def handled(*, session: Session, bot_id: int, update_id: int) -> bool:
    return session.get(ProcessedUpdate, (bot_id, update_id)) is not None


def record(*, session: Session, bot_id: int, update_id: int, now: datetime) -> None:
    """Mark the update handled (an IntegrityError on commit if it already was)."""
    session.add(ProcessedUpdate(bot_id=bot_id, update_id=update_id, handled_at=now))


def prune(*, session: Session, now: datetime, keep: timedelta) -> int:
    """Forget updates handled longer ago than ``keep`` (Telegram redelivers for 24 hours at most)."""
    result = session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.handled_at < now - keep))
    return result.rowcount
