"""Questions asked with ForceReply, waiting for their answer (see models.PendingReply)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from domain.questions import Question
from storage.models import PendingReply

ANSWER_WINDOW = timedelta(days=2)


def ask(*, session: Session, chat_id: int, message_id: int, user_id: int, action: str, now: datetime,
        bloc_id: int | None = None, **payload) -> PendingReply:
    pending = PendingReply(chat_id=chat_id, message_id=message_id, user_id=user_id, bloc_id=bloc_id,
                           action=action, payload=Question.of(payload), created_at=now,
                           expires_at=now + ANSWER_WINDOW)
    session.add(pending)
    return pending


def waiting(*, session: Session, chat_id: int, message_id: int) -> PendingReply | None:
    return session.exec(select(PendingReply).where(
        PendingReply.chat_id == chat_id, PendingReply.message_id == message_id)).first()


def done(*, session: Session, pending: PendingReply) -> None:
    session.delete(pending)


def drop_for(*, session: Session, chat_id: int, user_id: int) -> int:
    """Forget every question waiting on this person in this chat; how many there were."""
    rows = list(session.exec(select(PendingReply).where(PendingReply.chat_id == chat_id,
                                                        PendingReply.user_id == user_id)))
    for row in rows:
        session.delete(row)
    return len(rows)


def for_chat(*, session: Session, chat_id: int) -> list[PendingReply]:
    return list(session.exec(select(PendingReply).where(PendingReply.chat_id == chat_id)
                             .order_by(PendingReply.id.desc())))
