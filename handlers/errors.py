"""The one error handler, and the answer to buttons and commands nobody handles."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import CallbackQueryHandler

from handlers.common import Context, alert, say

log = logging.getLogger(__name__)


async def on_error(update: object, context: Context) -> None:
    """Log the failure; tell the person, in Vietnamese, that nothing they confirmed is lost."""
    log.error("update failed", exc_info=context.error,
              extra={"update_id": getattr(update, "update_id", None)})
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


def empty_data_handler() -> CallbackQueryHandler:
    """Presses without data (only a modified app sends them). PTB lets such a press match
    every CallbackQueryHandler whatever its pattern, so it must be caught before the
    features: otherwise the first one would act on it (it showed the title catalogue in
    place of whatever message was pressed, the pinned board included)."""
    return CallbackQueryHandler(stale_button, pattern=r"^$")


def fallback_handlers() -> list:
    return [CallbackQueryHandler(stale_button)]
