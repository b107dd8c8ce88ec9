"""The steps that wait for a person: /huy leaves them all, a draft left idle ends (the sweep
job), and a message no step reads gets an answer that says what is awaited (services/waits.py
decides).

What waits for a person in a chat: in their private chat the registration draft and the
ballot draft (one each per person), and in any chat the questions asked to them there
(``pending_reply`` rows: the report upload, the self-score, a group's ForceReply questions
such as a date in /lich or a new name). Every message that waits names /huy
(``common.with_leave_hint``).
"""

from __future__ import annotations

from datetime import timedelta

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import Application

from handlers.common import Context, say, transaction
from handlers.reports import WAITING as UPLOAD
from khoibot import outbox
from khoibot.services import Services, services_of
from services import waits as service
from services.waits import Wait


def waiting_for(context: Context, update: Update) -> list[Wait]:
    chat, s = update.effective_chat, context.services
    with transaction(context) as session:
        return service.waiting(session, chat_id=chat.id, private=chat.type == ChatType.PRIVATE,
                             user_id=update.effective_user.id, now=s.clock.now(), seal=s.seal)


async def _take_buttons_off(bot, chat_id: int, message_id: int | None) -> None:
    """An ended draft's buttons go (pressed later they would be stale anyway)."""
    if message_id:
        await outbox.clear_buttons(bot, chat_id, message_id)


# ---- /huy ------------------------------------------------------------------------------------

async def huy(update: Update, context: Context) -> None:
    """Leave every step that waits for this person in this chat, and say which ended."""
    s = context.services
    chat = update.effective_chat
    with transaction(context) as session:  # one transaction: read what waits, end it all
        left = service.leave_all(session, chat_id=chat.id, private=chat.type == ChatType.PRIVATE,
                               user_id=update.effective_user.id, now=s.clock.now(), seal=s.seal)
    for wait in left:
        await _take_buttons_off(context.bot, chat.id, wait.message_id)
    if left:
        await say(update, context, "waits.left", waits=left)
    else:
        await say(update, context, "waits.nothing_to_leave")


# ---- idle drafts time out ------------------------------------------------------------------

_TIMED_OUT = {service.REGISTRATION: "registration.timed_out", service.BALLOT: "review.ballot_timed_out"}


async def sweep_idle_drafts(app: Application) -> int:
    """Drop the drafts (registrations, ballots) left untouched past the timeout and tell their
    owners; how many."""
    s: Services = services_of(app)
    minutes = s.settings.bot.draft_timeout_minutes
    with s.db.session() as session:  # a job's one transaction: no update, so no handler's helper
        expired = service.sweep(session, now=s.clock.now(), timeout=timedelta(minutes=minutes))
    for draft in expired:
        await _take_buttons_off(app.bot, draft.user_id, draft.message_id)
        await outbox.send(app.bot, s, draft.user_id, s.render(_TIMED_OUT[draft.kind], unit=draft.unit,
                                                               minutes=minutes))
    return len(expired)


async def sweep_job(context: Context) -> None:
    await sweep_idle_drafts(context.application)


# ---- messages no step reads --------------------------------------------------------------------

async def answer_unread(update: Update, context: Context, *, typed: bool = False,
                        waits: list[Wait] | None = None) -> None:
    """A private message that no step took: say what is awaited (and that /huy leaves it), or
    what the bot reads. ``typed``: plain text that answers no question. ``waits``: what waits,
    when the caller read it in its own transaction."""
    message = update.effective_message
    if waits is None:
        waits = waiting_for(context, update)
    upload = next((w for w in waits if w.kind == UPLOAD), None)
    if upload is not None:
        period = upload.payload.get("period")  # what the question showed
        if message.photo:
            await say(update, context, "waits.photo_not_file", unit=upload.unit, period=period)
        else:
            await say(update, context, "waits.file_awaited", unit=upload.unit, period=period)
    elif typed and not waits:
        await say(update, context, "registration.no_conversation")
    elif typed and any(w.kind not in (service.REGISTRATION, service.BALLOT) for w in waits):
        await say(update, context, "waits.reply_to_question", waits=waits)
    elif typed:
        await say(update, context, "waits.press_a_button", waits=waits)
    else:
        await say(update, context, "waits.not_read", waits=waits)


async def on_other_message(update: Update, context: Context) -> None:
    await answer_unread(update, context)
