"""The one error handler, and the answer to buttons and commands nobody handles."""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError
from telegram import Message, Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler, MessageHandler, filters

from handlers.common import GROUP_TYPES, Context, alert, say

log = logging.getLogger(__name__)


async def on_error(update: object, context: Context) -> None:
    """Log the failure; tell the person, in Vietnamese, that nothing they confirmed is lost."""
    log.error("update failed", exc_info=context.error,
              extra={"update_id": getattr(update, "update_id", None)})
    if isinstance(context.error, SQLAlchemyError):
        context.services.metrics.database_errors.inc()
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    try:
        if update.callback_query is not None:
            try:
                await alert(update, context, "common.error_alert")
                return
            except TelegramError:
                pass  # the press was answered already: say it in the chat instead
        await say(update, context, "common.error")
    except (Forbidden, TelegramError):
        log.warning("could not tell the user about the error", exc_info=True)


async def stale_button(update: Update, context: Context) -> None:
    await alert(update, context, "common.stale_button")


# Who posts when a person cannot be known: an admin posting anonymously (as the group) and a
# person posting as a channel come from these accounts, with `sender_chat` naming the group
# or channel; a channel's own post has no sender at all.
GROUP_ANONYMOUS_BOT = 1087968824
CHANNEL_BOT = 136817688


def _on_the_keyboard(query) -> bool:
    """Whether the pressed data is one of the buttons of the message it was pressed on.
    Telegram sends the message as it is now, with its keyboard, so data that is on none of
    its buttons was forged (a modified app, a server that is not Telegram). A message too old
    for Telegram to send (date 0, no content) cannot be checked: its handler's own checks
    decide."""
    message = query.message
    if message is None or not message.is_accessible:  # PTB 22.8 reads date 0 as a Message too
        return True
    markup = message.reply_markup
    rows = markup.inline_keyboard if markup is not None else ()
    return any(button.callback_data == query.data for row in rows for button in row)


async def refuse_forged_press(update: Update, context: Context) -> None:
    """Before every feature: a press whose data is not on the pressed message is refused, so
    no handler acts on it (it edited the pinned board or list into the title catalogue)."""
    query = update.callback_query
    if query.data and _on_the_keyboard(query):
        return
    await stale_button(update, context)
    raise ApplicationHandlerStop


def _unknown_sender(message: Message) -> bool | None:
    """None when a person sent the message; else whether it is an anonymous admin (True) or a
    channel (False)."""
    user = message.from_user
    if user is not None and user.id not in (GROUP_ANONYMOUS_BOT, CHANNEL_BOT):
        return None
    return message.sender_chat is not None and message.sender_chat.id == message.chat.id


async def refuse_unknown_sender(update: Update, context: Context) -> None:
    """A command or reply to the bot from nobody the bot can know (an admin posting as the
    group, a channel): no permission can be checked, so they are asked to post as
    themselves, and no feature handles it."""
    message = update.effective_message
    anonymous = _unknown_sender(message)
    if anonymous is None or filters.StatusUpdate.ALL.check_update(update):
        return  # a person's message; or a service message (a migration), which bookkeeping follows
    if update.message is not None and message.chat.type in GROUP_TYPES and (
            (message.text or "").startswith("/")
            or (message.reply_to_message is not None and message.reply_to_message.from_user is not None
                and message.reply_to_message.from_user.id == context.bot.id)):
        await say(update, context, "common.post_as_yourself", anonymous=anonymous)
    raise ApplicationHandlerStop


def gate_handlers() -> list:
    """Run before everything else (handler group -3, see handlers.routes.register)."""
    return [CallbackQueryHandler(refuse_forged_press),
            MessageHandler(filters.UpdateType.MESSAGES, refuse_unknown_sender)]


def empty_data_handler() -> CallbackQueryHandler:
    """Presses without data (only a modified app sends them). PTB lets such a press match
    every CallbackQueryHandler whatever its pattern, so it must be caught before the
    features: otherwise the first one would act on it (it showed the title catalogue in
    place of whatever message was pressed, the pinned board included)."""
    return CallbackQueryHandler(stale_button, pattern=r"^$")


def fallback_handlers() -> list:
    return [CallbackQueryHandler(stale_button)]
