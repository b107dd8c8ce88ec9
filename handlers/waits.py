"""The steps that wait for a person: /huy leaves them all, and a message no step reads gets
an answer that says what is awaited.

What waits for a person in a chat: in their private chat the registration draft and the
ballot draft (one each per person), and in any chat the questions asked to them there
(``pending_reply`` rows: the report upload, the self-score, a group's ForceReply questions
such as a date in /lich or a new name). Every message that waits names /huy
(``common.with_leave_hint``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError

from handlers.common import Context, say, svc
from handlers.reports import WAITING as UPLOAD
from storage import pending as pending_store
from storage import registrations, votes
from storage.models import PendingReply, Unit


@dataclass
class Wait:
    """One step waiting for the person, as the templates name it (waits.step)."""

    kind: str  # "registration", "ballot", or the question's action
    unit: Unit | None = None
    payload: dict = field(default_factory=dict)
    message_id: int | None = None  # the bot's message carrying the step's buttons


def _unit(session, unit_id) -> Unit | None:
    return session.get(Unit, unit_id) if isinstance(unit_id, int) else None


def _questions(session, chat_id: int, user_id: int) -> list[PendingReply]:
    return [p for p in pending_store.for_chat(session=session, chat_id=chat_id) if p.user_id == user_id]


def _waits(context: Context, session, chat_id: int, private: bool, user_id: int) -> list[Wait]:
    """What waits for this person in this chat (questions past their answer window left out)."""
    found: list[Wait] = []
    if private:
        draft = registrations.draft_of(session=session, user_id=user_id)
        if draft is not None:
            found.append(Wait("registration", _unit(session, draft.unit_id), message_id=draft.message_id))
        ballot = votes.draft_of(session=session, user_id=user_id, seal=svc(context).seal)
        if ballot is not None:
            found.append(Wait("ballot", _unit(session, ballot.unit_id), message_id=ballot.message_id))
    now = svc(context).clock.now()
    for question in reversed(_questions(session, chat_id, user_id)):  # oldest first
        if question.expires_at > now:
            found.append(Wait(question.action, _unit(session, question.payload.get("unit_id")),
                              dict(question.payload)))
    return found


def waiting_for(context: Context, update: Update) -> list[Wait]:
    chat = update.effective_chat
    with svc(context).db.session() as session:
        return _waits(context, session, chat.id, chat.type == ChatType.PRIVATE, update.effective_user.id)


# ---- /huy ------------------------------------------------------------------------------------

async def huy(update: Update, context: Context) -> None:
    """Leave every step that waits for this person in this chat, and say which ended.
    Nothing unconfirmed is saved; what was confirmed stays."""
    s = svc(context)
    chat, user_id = update.effective_chat, update.effective_user.id
    private = chat.type == ChatType.PRIVATE
    with s.db.session() as session:  # one transaction: read what waits, end it all
        left = _waits(context, session, chat.id, private, user_id)
        pending_store.drop_for(session=session, chat_id=chat.id, user_id=user_id)
        if private:
            if (draft := registrations.draft_of(session=session, user_id=user_id)) is not None:
                registrations.drop_draft(session=session, draft_id=draft.id)
            if (ballot := votes.draft_of(session=session, user_id=user_id, seal=svc(context).seal)) is not None:
                votes.drop_draft(session=session, draft_id=ballot.id)
    for wait in left:
        if wait.message_id:  # the ended draft's buttons go (pressed later they would be stale anyway)
            try:
                await context.bot.edit_message_reply_markup(chat.id, wait.message_id, reply_markup=None)
            except TelegramError:
                pass  # the message is gone or already without buttons
    if left:
        await say(update, context, "waits.left", waits=left)
    else:
        await say(update, context, "waits.nothing_to_leave")


# ---- messages no step reads --------------------------------------------------------------------

async def answer_unread(update: Update, context: Context, *, typed: bool = False) -> None:
    """A private message that no step took: say what is awaited (and that /huy leaves it), or
    what the bot reads. ``typed``: plain text that answers no question."""
    message = update.effective_message
    waits = waiting_for(context, update)
    upload = next((w for w in waits if w.kind == UPLOAD), None)
    if upload is not None:
        period = upload.payload.get("period")
        if message.photo:
            await say(update, context, "waits.photo_not_file", unit=upload.unit, period=period)
        else:
            await say(update, context, "waits.file_awaited", unit=upload.unit, period=period)
    elif typed and not waits:
        await say(update, context, "registration.no_conversation")
    elif typed and any(w.kind not in ("registration", "ballot") for w in waits):
        await say(update, context, "waits.reply_to_question", waits=waits)
    elif typed:
        await say(update, context, "waits.press_a_button", waits=waits)
    else:
        await say(update, context, "waits.not_read", waits=waits)


async def on_other_message(update: Update, context: Context) -> None:
    await answer_unread(update, context)
