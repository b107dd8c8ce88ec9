"""Answers to the bot's questions: a reply to a ForceReply message is routed to the
feature that asked, by the action stored with the question (storage.pending).

An answer is one transaction: the question looked up, the feature's decision (its gate
included: a secretary may have been removed since the question was asked) and the question
marked answered, together (``Answering``). What Telegram says of the person (a group
administrator?) is asked before it, the outcome told after it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session
from telegram import Update

from domain.text import clean
from handlers.common import GROUP_TYPES, Context, ask, is_secretary, load_bloc, say, svc, transaction
from handlers.gates import acting
from services.blocs import Actor, Refused, bloc_in
from storage import pending as pending_store
from storage.models import Bloc, PendingReply

# An old-style action: async fn(update, context, pending, text) returning True when the answer
# was used, False when it was refused (the question is asked again), KEEP_WAITING when the
# question stays as it is (a text reply to a step that waits for a file). It decides in a
# transaction of its own, after the router's (handlers still being moved to ``Answering``).
KEEP_WAITING = "keep waiting"
ReplyAction = Callable[[Update, Context, PendingReply, str], Awaitable[bool | str]]
# (Which action answers which question is in the route table, handlers/routes.py.)


async def secretary_answering(update: Update, context: Context, pending: PendingReply,
                              command: str) -> Bloc | None:
    """For an old-style action: the bloc a secretary's answer acts on, the permission checked
    again at answer time (a secretary may have been removed since the question was asked)."""
    bloc = load_bloc(context, update.effective_chat.id)
    if bloc is None or bloc.id != pending.bloc_id:
        await say(update, context, "common.no_bloc")
        return None
    if not await is_secretary(context, bloc, update.effective_user.id):
        await say(update, context, "common.secretaries_only", command=command)
        return None
    return bloc


@dataclass(frozen=True)
class Answer:
    """A person's answer to a question, as the feature's decision reads it."""

    question: PendingReply
    text: str
    actor: Actor | None  # in a group, with Telegram's word on them (asked before the transaction)
    now: datetime

    def secretary_bloc(self, session: Session) -> Bloc | Refused:
        """The bloc the question was about, for a secretary of it only."""
        return bloc_in(session, chat_id=self.question.chat_id, actor=self.actor, secretary=True,
                       bloc_id=self.question.bloc_id)


@dataclass(frozen=True)
class Answering:
    """A feature's answer to its question: ``decide(context, session, answer)`` runs in the
    router's one transaction and returns the outcome; ``tell(update, context, answer, outcome)``
    tells it after the commit and returns False when the answer was refused (the question is
    asked again). With ``keeps`` the question is not marked answered (it waits for a file)."""

    decide: Callable[[Context, Session, Answer], object]
    tell: Callable[[Update, Context, Answer, object], Awaitable[bool]]
    keeps: bool = False

    async def __call__(self, update: Update, context: Context, answer: Answer, outcome) -> bool:
        return await self.tell(update, context, answer, outcome)


NO_QUESTION, SOMEONE_ELSE, EXPIRED = "no question", "someone else", "expired"


def _to_the_bot(update: Update, context: Context) -> bool:
    replied = update.message.reply_to_message.from_user
    return replied is not None and replied.id == context.bot.id


async def on_reply(update: Update, context: Context, *, actions: dict[str, ReplyAction | Answering],
                   private_text: Callable[[Update, Context], Awaitable[None]]) -> None:
    """A reply to one of the bot's messages: the action of the question it answers, from
    ``actions``; in the private chat, a reply that answers no question is typed text
    (``private_text``)."""
    message = update.message
    s = svc(context)
    in_group = message.chat.type in GROUP_TYPES
    if in_group and not _to_the_bot(update, context):
        return  # in a group, a reply to someone's message: people talking (every question is the bot's)
    # A question of a group may be one only its administrators answer (naming a new bloc):
    # Telegram is asked before the transaction.
    actor = await acting(update, context, ask_admin=True) if in_group else None
    text = clean(message.text or "")
    with transaction(context) as session:
        pending = pending_store.waiting(session=session, chat_id=message.chat.id,
                                        message_id=message.reply_to_message.message_id)
        now = s.clock.now()
        action = actions.get(pending.action) if pending is not None else None
        verdict = outcome = None
        if pending is None:
            verdict = NO_QUESTION
        elif pending.user_id != update.effective_user.id:
            verdict = SOMEONE_ELSE
        elif pending.expires_at <= now or action is None:
            pending_store.done(session=session, pending=pending)
            verdict = EXPIRED
        elif isinstance(action, Answering):
            answer = Answer(pending, text, actor, now)
            outcome = action.decide(context, session, answer)
            if not action.keeps:
                pending_store.done(session=session, pending=pending)
        # else an old-style action, deciding after this transaction
    if verdict == NO_QUESTION:
        if not in_group:
            await private_text(update, context)
        return  # in a group, a reply to one of our messages that asked nothing: people talking
    if verdict == SOMEONE_ELSE:
        await say(update, context, "common.question_for_someone_else")
        return
    if verdict == EXPIRED:
        await say(update, context, "common.question_expired")
        return
    if isinstance(action, Answering):
        used = await action(update, context, answer, outcome)
    else:
        used = await action(update, context, pending, text)
        if used == KEEP_WAITING:
            return
        with transaction(context) as session:
            pending_store.done(session=session, pending=session.merge(pending))
    if not used:
        # The answer was refused (the feature said why): ask again, so a reply goes on working.
        # The new question's row is written after its message is sent (it needs its id): that
        # write is the new question's, not the answer's.
        await ask(update, context, pending.payload.get("prompt", "common.ask_again"), action=pending.action,
                  bloc_id=pending.bloc_id, **pending.payload)
