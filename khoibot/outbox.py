"""Every message the bot sends goes through here.

Long texts are split at line boundaries; a group that became a supergroup is
followed (the bloc moves to the new id); a private chat Telegram refuses (never
started, or blocked) marks the person unreachable instead of failing the update.
"""

from __future__ import annotations

import logging

from telegram import Bot, Message, ReplyParameters
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError

from domain.chunks import split_lines
from khoibot.services import Services
from services.blocs import follow_group
from storage.users import mark_unreachable

log = logging.getLogger(__name__)


async def send(bot: Bot, svc: Services, chat_id: int, text: str, *, reply_markup=None,
               reply_to: int | None = None) -> Message | None:
    """Send ``text`` (HTML); the keyboard goes on the last chunk. The last Message, or None
    when the chat cannot be reached."""
    chunks = split_lines(text)
    message = None
    for index, chunk in enumerate(chunks):
        last = index == len(chunks) - 1
        params = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to and index == 0 else None
        try:
            message = await _send_following(bot, svc, chat_id, chunk, reply_markup if last else None, params)
        except Forbidden as exc:
            _unreachable(svc, chat_id, exc)
            return None
        if message is None:
            return None
        chat_id = message.chat_id
    return message


async def _send_following(bot: Bot, svc: Services, chat_id: int, text: str, markup, params) -> Message | None:
    try:
        return await bot.send_message(chat_id, text, reply_markup=markup, reply_parameters=params)
    except ChatMigrated as exc:
        with svc.db.session() as s:
            follow_group(s, old_chat_id=chat_id, new_chat_id=exc.new_chat_id, now=svc.clock.now())
        return await bot.send_message(exc.new_chat_id, text, reply_markup=markup)
    except BadRequest as exc:
        if params is not None and "reply" in exc.message.lower():
            return await bot.send_message(chat_id, text, reply_markup=markup)
        raise


async def send_document(bot: Bot, svc: Services, chat_id: int, document, *, filename: str | None = None,
                        caption: str | None = None, reply_markup=None) -> Message | None:
    """Send a file (bytes, or the file_id Telegram gave it before) with its caption (HTML); the
    sent Message, or None when the chat cannot be reached (the person is marked so)."""
    try:
        try:
            return await bot.send_document(chat_id, document=document, filename=filename, caption=caption,
                                           reply_markup=reply_markup)
        except ChatMigrated as exc:
            with svc.db.session() as s:
                follow_group(s, old_chat_id=chat_id, new_chat_id=exc.new_chat_id, now=svc.clock.now())
            return await bot.send_document(exc.new_chat_id, document=document, filename=filename, caption=caption,
                                           reply_markup=reply_markup)
    except Forbidden as exc:
        _unreachable(svc, chat_id, exc)
        return None


def _unreachable(svc: Services, chat_id: int, exc: Forbidden) -> None:
    """Telegram refused the chat (a person who never started the bot, or blocked it): the
    person is marked so, and reminders and notices pass them by (a group's refusal is logged)."""
    log.info("chat unreachable", extra={"chat_id": chat_id, "reason": exc.message})
    if chat_id > 0:
        with svc.db.session() as s:
            mark_unreachable(session=s, user_id=chat_id, now=svc.clock.now())
        svc.seen_users.pop(chat_id, None)


async def clear_buttons(bot: Bot, chat_id: int, message_id: int) -> None:
    """Take the buttons off a message (a draft that ended), best-effort: pressed later they
    would be stale anyway, and one already without them, or gone, is fine."""
    try:
        await bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)
    except TelegramError as exc:
        log.info("buttons left on", extra={"chat_id": chat_id, "error": str(exc)})


async def edit(bot: Bot, chat_id: int, message_id: int, text: str, *, reply_markup=None) -> int:
    """Edit a message in place; an edit that changes nothing is not an error for us.

    Text over Telegram's limit goes on in new messages after the edited one; the keyboard
    rides on the last. Returns the id of the message that carries it."""
    first, *rest = split_lines(text)
    try:
        await bot.edit_message_text(first, chat_id=chat_id, message_id=message_id,
                                    reply_markup=None if rest else reply_markup)
    except BadRequest as exc:
        if "not modified" not in exc.message:
            raise
    for index, chunk in enumerate(rest):
        last = index == len(rest) - 1
        message = await bot.send_message(chat_id, chunk, reply_markup=reply_markup if last else None)
        message_id = message.message_id
    return message_id


async def pin(bot: Bot, chat_id: int, message_id: int) -> bool:
    """Pin a message in a group if the bot may; whether it is pinned. The bot's rights are asked
    first (they change without the bot being told again after a restart), so a bot without
    the right never sends a pin Telegram refuses."""
    try:
        if not await _may_pin(bot, chat_id):
            log.info("no right to pin", extra={"chat_id": chat_id})
            return False
        await bot.pin_chat_message(chat_id, message_id, disable_notification=True)
        return True
    except TelegramError as exc:
        log.info("cannot pin", extra={"chat_id": chat_id, "error": str(exc)})
        return False


async def _may_pin(bot: Bot, chat_id: int) -> bool:
    me = await bot.get_chat_member(chat_id, bot.id)
    if me.status == "creator":
        return True
    if me.status in ("administrator", "restricted"):
        return bool(getattr(me, "can_pin_messages", False))
    if me.status == "member":  # what the group lets every member do
        chat = await bot.get_chat(chat_id)
        return bool(chat.permissions and chat.permissions.can_pin_messages)
    return False
