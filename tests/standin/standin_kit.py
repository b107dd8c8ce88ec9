"""Helpers shared by the stand-in's tests (a unique module name: conftest.py is not importable
reliably when several test folders have one)."""

from __future__ import annotations

from telegram import Bot, ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application, ApplicationBuilder, CallbackQueryHandler, CommandHandler, ContextTypes,
    MessageHandler, TypeHandler, filters,
)
from telegram.request import HTTPXRequest

from standin import BotApiStandIn, SimUser

TOKEN = "123456:TEST-token"
BOT = "khoibot_test_bot"


def make_bot(standin: BotApiStandIn, read_timeout: float = 5.0, token: str = TOKEN):
    return Bot(token, base_url=standin.base_url, base_file_url=standin.base_file_url,
               request=HTTPXRequest(read_timeout=read_timeout, connect_timeout=2),
               get_updates_request=HTTPXRequest(read_timeout=read_timeout + 5, connect_timeout=2))


def started_user(standin: BotApiStandIn, name: str, username: str | None = None) -> SimUser:
    """A user who has opened the private chat with the bot (without an update being queued)."""
    u = standin.add_user(name, username=username)
    u.private_chat  # noqa: B018
    u.started = True
    return u


# ---------------------------------------------------------------- a tiny real bot
class TinyBot:
    """What the tiny Application saw and did, for assertions."""

    def __init__(self) -> None:
        self.updates: list[Update] = []
        self.errors: list[BaseException] = []

    @property
    def texts(self) -> list[str]:
        return [u.message.text for u in self.updates if u.message and u.message.text]


def build_tiny_app(standin: BotApiStandIn, seen: TinyBot) -> Application:
    app = (ApplicationBuilder().token(TOKEN).base_url(standin.base_url)
           .base_file_url(standin.base_file_url).build())

    async def record(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.updates.append(update)

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        who = " ".join(context.args) or "bạn"
        await update.message.reply_html(
            f"<b>Chào</b> {who}",
            reply_markup=InlineKeyboardMarkup([
                [InlineKeyboardButton("Xác nhận", callback_data="ok"),
                 InlineKeyboardButton("Huỷ", callback_data="cancel")],
                [InlineKeyboardButton("Trang chủ", url="https://example.org/")],
            ]))

    async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text("Tên đơn vị?", reply_markup=ForceReply(selective=True))

    async def pinme(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        sent = await update.message.reply_text("Ghim tin này")
        await sent.pin()

    async def replied(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text(f"Đã nhận: {update.message.text}")

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        q = update.callback_query
        if q.data not in ("ok", "cancel"):
            await q.answer("Nút này đã hết hạn", show_alert=True)
            return
        await q.answer(f"Bạn chọn {q.data}")
        await q.edit_message_text(f"Đã chọn {q.data}")

    async def document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        f = await update.message.document.get_file()
        data = bytes(await f.download_as_bytearray())
        await update.message.reply_document(data, filename="lai_" + update.message.document.file_name,
                                            caption=f"{len(data)} byte")

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.errors.append(context.error)

    app.add_handler(TypeHandler(Update, record), group=-1)
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("ask", ask))
    app.add_handler(CommandHandler("pinme", pinme))
    app.add_handler(CallbackQueryHandler(pressed))
    app.add_handler(MessageHandler(filters.Document.ALL, document))
    app.add_handler(MessageHandler(filters.REPLY & filters.TEXT, replied))
    app.add_error_handler(on_error)
    return app
