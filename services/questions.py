"""The bot's questions (a message with ForceReply, kept as a ``pending_reply`` row) and their
answers: which question a reply answers, and whether this person may answer it now. What the
answer then does is the asking feature's service, in the same transaction."""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session

from storage import pending as pending_store
from storage.models import PendingReply


class Refusal(StrEnum):
    NO_QUESTION = "no_question"    # the message replied to asked nothing (or was answered already)
    SOMEONE_ELSE = "someone_else"  # the question was asked to another person
    EXPIRED = "expired"            # past its time, or asked by a step the bot no longer has


@dataclass(frozen=True)
class Refused:
    code: Refusal


def answering(session: Session, *, chat_id: int, message_id: int, user_id: int, now: datetime,
              answerable: Container[str]) -> PendingReply | Refused:
    """The question the reply to ``message_id`` answers, if ``user_id`` may answer it now; a
    question past its time, or whose action is not ``answerable`` any more, is closed."""
    question = pending_store.waiting(session=session, chat_id=chat_id, message_id=message_id)
    if question is None:
        return Refused(Refusal.NO_QUESTION)
    if question.user_id != user_id:
        return Refused(Refusal.SOMEONE_ELSE)
    if question.expires_at <= now or question.action not in answerable:
        pending_store.done(session=session, pending=question)
        return Refused(Refusal.EXPIRED)
    return question


def answered(session: Session, question: PendingReply) -> None:
    """The answer was taken (or refused, to be asked again as a new question): this one is closed."""
    pending_store.done(session=session, pending=question)
