"""Answers to the bot's questions: a reply to a ForceReply message is routed to the
feature that asked, by the action stored with the question (storage.pending)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session
from telegram import Update

from domain.text import clean
from handlers.common import Context, ask, is_secretary, load_bloc, say, svc, transaction
from storage import pending as pending_store
from storage.models import Bloc, PendingReply

# action → async fn(update, context, pending, text) (or a Decided) returning True when the answer was used,
# False when it was refused (the question is asked again), KEEP_WAITING when the question stays
# as it is (a text reply to a step that waits for a file).
KEEP_WAITING = "keep waiting"
ReplyAction = Callable[[Update, Context, PendingReply, str], Awaitable[bool | str]]
# (Which action answers which question is in the route table, handlers/routes.py.)


@dataclass(frozen=True)
class Answer:
    """A reply as a service reads it: who wrote what, where, when (``text`` as typed, lines kept)."""

    chat_id: int
    user_id: int
    text: str
    now: datetime


@dataclass(frozen=True)
class Decided:
    """A reply action decided in the reply's one transaction: ``decide(context, session,
    pending, answer)`` (no await: it calls one service) runs in the transaction that finds
    the question and closes it (unless ``keep``: a step that waits for a file goes on
    waiting); then ``show(update, context, pending, outcome)`` renders and sends the outcome,
    True when the answer was used, False when refused (asked again)."""

    decide: Callable[[Context, Session, PendingReply, Answer], object]
    show: Callable[[Update, Context, PendingReply, object], Awaitable[bool]]
    keep: bool = False


async def secretary_answering(update: Update, context: Context, pending: PendingReply,
                              command: str) -> Bloc | None:
    """The bloc a secretary's answer acts on, the permission checked again at answer time
    (a secretary may have been removed since the question was asked)."""
    bloc = load_bloc(context, update.effective_chat.id)
    if bloc is None or bloc.id != pending.bloc_id:
        await say(update, context, "common.no_bloc")
        return None
    if not await is_secretary(context, bloc, update.effective_user.id):
        await say(update, context, "common.secretaries_only", command=command)
        return None
    return bloc


async def on_reply(update: Update, context: Context, *, actions: dict[str, ReplyAction | Decided],
                   private_text: Callable[[Update, Context], Awaitable[None]]) -> None:
    """A reply to one of the bot's messages: the action of the question it answers, from
    ``actions``; in the private chat, a reply that answers no question is typed text
    (``private_text``)."""
    message = update.message
    s = svc(context)
    now = s.clock.now()
    outcome = None
    with transaction(context) as session:
        pending = pending_store.waiting(session=session, chat_id=message.chat.id,
                                        message_id=message.reply_to_message.message_id)
        action = actions.get(pending.action) if pending is not None else None
        decided = isinstance(action, Decided) and pending.user_id == update.effective_user.id \
            and pending.expires_at > now
        if decided:
            outcome = action.decide(context, session, pending, Answer(message.chat.id, update.effective_user.id,
                                                                      message.text or "", now))
            if not action.keep:
                pending_store.done(session=session, pending=pending)
    if decided:
        if not await action.show(update, context, pending, outcome) and not action.keep:
            await ask(update, context, pending.payload.get("prompt", "common.ask_again"), action=pending.action,
                      bloc_id=pending.bloc_id, **pending.payload)
        return
    if pending is None:
        if message.chat.type == "private":
            await private_text(update, context)
        return  # in a group, a reply to one of our messages that asked nothing: people talking
    if pending.user_id != update.effective_user.id:
        await say(update, context, "common.question_for_someone_else")
        return
    if pending.expires_at <= now or pending.action not in actions:
        with s.db.session() as session:
            pending_store.done(session=session, pending=session.merge(pending))
        await say(update, context, "common.question_expired")
        return
    used = await actions[pending.action](update, context, pending, clean(message.text or ""))
    if used == KEEP_WAITING:
        return
    with s.db.session() as session:
        pending_store.done(session=session, pending=session.merge(pending))
    if not used:
        # The answer was refused (the feature said why): ask again, so a reply goes on working.
        await ask(update, context, pending.payload.get("prompt", "common.ask_again"), action=pending.action,
                  bloc_id=pending.bloc_id, **pending.payload)

