"""The steps that wait for a person: what waits in a chat, /huy ending all of it, and the
sweep that ends the drafts left idle past the timeout.

What waits for a person in a chat: in their private chat the registration draft and the
ballot draft (one each per person), and in any chat the questions asked to them there
(``pending_reply`` rows: the report upload, the self-score, a group's ForceReply questions)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session

from storage import drafts, registrations, votes
from storage import pending as pending_store
from storage.models import Unit
from storage.sealing import Seal

REGISTRATION, BALLOT = "registration", "ballot"


@dataclass(frozen=True)
class Wait:
    """One step waiting for the person, as the templates name it (waits.step)."""

    kind: str  # REGISTRATION, BALLOT, or the question's action
    unit: Unit | None = None
    payload: dict = field(default_factory=dict)  # what the question showed (Question.stored), for its name
    message_id: int | None = None  # the bot's message carrying the step's buttons


@dataclass(frozen=True)
class Expired:
    """A draft the sweep ended: its owner is told, its buttons are taken off."""

    kind: str  # REGISTRATION or BALLOT
    user_id: int
    unit: Unit | None
    message_id: int | None


def _unit(session: Session, unit_id) -> Unit | None:
    return session.get(Unit, unit_id) if isinstance(unit_id, int) else None


def waiting(session: Session, *, chat_id: int, private: bool, user_id: int, now: datetime, seal: Seal) -> list[Wait]:
    """What waits for this person in this chat (questions past their answer window left out)."""
    found: list[Wait] = []
    if private:
        draft = registrations.draft_of(session=session, user_id=user_id)
        if draft is not None:
            found.append(Wait(REGISTRATION, _unit(session, draft.unit_id), message_id=draft.message_id))
        ballot = votes.draft_of(session=session, user_id=user_id, seal=seal)
        if ballot is not None:
            found.append(Wait(BALLOT, _unit(session, ballot.unit_id), message_id=ballot.message_id))
    questions = [p for p in pending_store.for_chat(session=session, chat_id=chat_id) if p.user_id == user_id]
    for question in reversed(questions):  # oldest first
        if question.expires_at > now:
            found.append(Wait(question.action, _unit(session, question.payload.unit_id),
                              question.payload.stored()))
    return found


def leave_all(session: Session, *, chat_id: int, private: bool, user_id: int, now: datetime,
              seal: Seal) -> list[Wait]:
    """/huy: end every step waiting for this person in this chat, and say which ended.
    Nothing unconfirmed is saved; what was confirmed stays."""
    left = waiting(session, chat_id=chat_id, private=private, user_id=user_id, now=now, seal=seal)
    pending_store.drop_for(session=session, chat_id=chat_id, user_id=user_id)
    if private:
        drafts.REGISTRATION.drop_of(session=session, user_id=user_id)
        drafts.BALLOT.drop_of(session=session, user_id=user_id)
    return left


def sweep(session: Session, *, now: datetime, timeout: timedelta) -> list[Expired]:
    """Drop the drafts of both kinds left untouched for the timeout; which went, with their units."""
    return [Expired(kind, d.user_id, _unit(session, d.unit_id), d.message_id)
            for kind, kind_drafts in ((REGISTRATION, drafts.REGISTRATION), (BALLOT, drafts.BALLOT))
            for d in kind_drafts.sweep(session=session, now=now, timeout=timeout)]
