"""Answers to the bot's questions: a reply to a ForceReply message is routed to the
feature that asked, by the action stored with the question (storage.pending)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update

from domain.text import clean
from handlers.common import Context, ask, is_secretary, load_bloc, say, svc
from storage import pending as pending_store
from storage.models import Bloc, PendingReply

# action → async fn(update, context, pending, text) returning True when the answer was used,
# False when it was refused (the question is asked again), KEEP_WAITING when the question stays
# as it is (a text reply to a step that waits for a file).
KEEP_WAITING = "keep waiting"
ReplyAction = Callable[[Update, Context, PendingReply, str], Awaitable[bool | str]]
# (Which action answers which question is in the route table, handlers/routes.py.)


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


async def on_reply(update: Update, context: Context, *, actions: dict[str, ReplyAction],
                   private_text: Callable[[Update, Context], Awaitable[None]]) -> None:
    """A reply to one of the bot's messages: the action of the question it answers, from
    ``actions``; in the private chat, a reply that answers no question is typed text
    (``private_text``)."""
    message = update.message
    s = svc(context)
    with s.db.session() as session:
        pending = pending_store.waiting(session=session, chat_id=message.chat.id,
                                        message_id=message.reply_to_message.message_id)
    if pending is None:
        if message.chat.type == "private":
            await private_text(update, context)
        return  # in a group, a reply to one of our messages that asked nothing: people talking
    if pending.user_id != update.effective_user.id:
        await say(update, context, "common.question_for_someone_else")
        return
    if pending.expires_at <= s.clock.now() or pending.action not in actions:
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

