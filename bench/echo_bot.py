"""The framework's floor: a bare python-telegram-bot Application with PTB's defaults that
answers every message with one sendMessage (the text echoed, with one inline button) and
every button press with answerCallbackQuery + editMessageText. No database, no templates.

    python -m bench.echo_bot --token 123456:TOKEN --base-url http://127.0.0.1:8081/bot \
        --base-file-url http://127.0.0.1:8081/file/bot
"""

from __future__ import annotations

import argparse
import logging
import signal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, ContextTypes, MessageHandler, filters

BUTTON = InlineKeyboardMarkup([[InlineKeyboardButton("↻", callback_data="echo")]])


async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    await context.bot.send_message(message.chat_id, message.text or "…", reply_markup=BUTTON)


async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    await query.answer()
    # The text changes on every press (the update id), so the edit is never "not modified".
    await query.edit_message_text(f"{query.data} #{update.update_id}", reply_markup=BUTTON)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--token", required=True)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--base-file-url", required=True)
    parser.add_argument("--poll-timeout", type=int, default=10)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    app = (ApplicationBuilder().token(args.token).base_url(args.base_url)
           .base_file_url(args.base_file_url).build())
    app.add_handler(MessageHandler(filters.ALL, on_message))
    app.add_handler(CallbackQueryHandler(on_press))
    app.run_polling(allowed_updates=Update.ALL_TYPES, timeout=args.poll_timeout,
                    stop_signals=(signal.SIGINT, signal.SIGTERM))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
