"""Answers to the bot's questions: a reply to a ForceReply message is routed to the
feature that asked, by the action stored with the question (storage.pending).

An answer is one transaction: the question looked up, the feature's decision (its gate
included: a secretary may have been removed since the question was asked) and the question
marked answered, together (``Decided``). What Telegram says of the person (a group
administrator?) is asked before it, the outcome shown after it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from sqlmodel import Session
from telegram import Update

from handlers.common import GROUP_TYPES, Context, ask, say, transaction
from handlers.gates import acting
from services import questions
from services.blocs import Actor, Refused, bloc_in
from storage.models import Bloc, PendingReply

# (Which action answers which question is in the route table, handlers/routes.py.)


@dataclass(frozen=True)
class Answer:
    """A reply as a service reads it: who wrote what, where, when (``text`` as typed, lines
    kept); in a group, ``actor`` is the person with Telegram's word on them (asked before the
    transaction)."""

    chat_id: int
    user_id: int
    text: str
    now: datetime
    actor: Actor | None = None
    name: str = ""  # the person's name as Telegram gives it (the minutes may name who asked)


@dataclass(frozen=True)
class PrivateText:
    """What typed text in the private chat does when it answers no question (the route table's
    PRIVATE_TEXT): ``decide(context, connection, orm, user_id=, text=)`` in the caller's
    transaction (``orm()``: an ORM session in it), then ``show(update, context, decided)``."""

    decide: Callable[..., object]
    show: Callable[[Update, Context, object], Awaitable[None]]


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


def secretary_bloc(session: Session, pending: PendingReply, answer: Answer) -> Bloc | Refused:
    """The bloc a secretary's answer acts on: the one the question was asked about, in its
    group, for a secretary of it only (checked again at answer time)."""
    return bloc_in(session, chat_id=answer.chat_id, actor=answer.actor, secretary=True, bloc_id=pending.bloc_id)


def _to_the_bot(update: Update, context: Context) -> bool:
    replied = update.message.reply_to_message.from_user
    return replied is not None and replied.id == context.bot.id


async def on_reply(update: Update, context: Context, *, actions: dict[str, Decided],
                   private_text: PrivateText) -> None:
    """A reply to one of the bot's messages: the action of the question it answers, from
    ``actions``; in the private chat, a reply that answers no question is typed text
    (``private_text``)."""
    message = update.message
    s = context.services
    in_group = message.chat.type in GROUP_TYPES
    if in_group and not _to_the_bot(update, context):
        return  # in a group, a reply to someone's message: people talking (every question is the bot's)
    # A group's question may be one only its administrators answer (naming a new bloc), or
    # one its administrators answer as secretaries: Telegram is asked before the transaction.
    actor = await acting(update, context, ask_admin=True) if in_group else None
    user_id = update.effective_user.id
    with transaction(context) as session:
        now = s.clock.now()
        pending = questions.answering(session, chat_id=message.chat.id,
                                      message_id=message.reply_to_message.message_id, user_id=user_id, now=now,
                                      answerable=actions)
        if isinstance(pending, questions.Refused) and pending.code == questions.Refusal.NO_QUESTION \
                and not in_group:  # a reply that answers nothing: typed text, in this same transaction
            typed = private_text.decide(context, session.connection(), partial(nullcontext, session),
                                        user_id=user_id, text=message.text or "")
        elif not isinstance(pending, questions.Refused):
            action = actions[pending.action]
            outcome = action.decide(context, session, pending,
                                    Answer(message.chat.id, user_id, message.text or "", now, actor,
                                           update.effective_user.full_name))
            if not action.keep:
                questions.answered(session, pending)
    if isinstance(pending, questions.Refused):
        if pending.code == questions.Refusal.NO_QUESTION:
            if not in_group:
                await private_text.show(update, context, typed)
            return  # in a group, a reply to one of our messages that asked nothing: people talking
        await say(update, context, "common.question_for_someone_else" if pending.code == questions.Refusal.SOMEONE_ELSE
                  else "common.question_expired")
        return
    if not (await action.show(update, context, pending, outcome) or action.keep):
        # The answer was refused (the feature said why): ask again, so a reply goes on working.
        # The new question's row is written once its message is sent (it needs the message's
        # id): that write is the new question's, not the answer's.
        await ask(update, context, pending.payload.prompt, action=pending.action, bloc_id=pending.bloc_id,
                  **pending.payload.stored())
