"""What every feature handler shares: rendering and replying, the one transaction of an
action, and the private chat's checks (a group's are handlers/gates.py's)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps

from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import filters
from telegram.helpers import create_deep_linked_url

from domain.questions import Question
from handlers import miniapp
from khoibot import outbox
from khoibot.services import KhoibotContext
from storage import pending as pending_store
from storage.roster import units_of_user

log = logging.getLogger(__name__)
Context = KhoibotContext  # what every handler receives: context.services, typed
GROUP_TYPES = (ChatType.GROUP, ChatType.SUPERGROUP)
# Commands and answers come from new messages only: an edited message must not repeat
# an action (PTB hands edits to command handlers too).
NEW_MESSAGES = filters.UpdateType.MESSAGE



@contextmanager
def transaction(context: Context) -> Iterator:
    """The one transaction of a handler's action: the session a service decides in, committed
    on leaving the block (rolled back on error). Open it, call the service, leave it, and only
    then talk to Telegram: it never spans an ``await``."""
    with context.services.db.session() as session:
        yield session


def render(context: Context, template: str, /, **ctx) -> str:
    return context.services.render(template, **ctx)


def label(context: Context, template: str, /, **ctx) -> str:
    """A button label (plain text, not HTML)."""
    return context.services.render.plain(template, **ctx)


def keyboard(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    """Rows of (label, callback data)."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(text, callback_data=data) for text, data in row]
                                 for row in rows])


def private_chat_button(context: Context, label_name: str, payload: str | None = None) -> InlineKeyboardMarkup:
    url = create_deep_linked_url(context.bot.username, payload) if payload else f"https://t.me/{context.bot.username}"
    return InlineKeyboardMarkup([[InlineKeyboardButton(label(context, label_name), url=url)]])


async def say(update: Update, context: Context, template: str, /, *, reply_markup=None, **ctx) -> Message | None:
    """Render a message and send it to the chat the update came from (in groups, as a reply)."""
    chat = update.effective_chat
    reply_to = update.effective_message.message_id if (
        chat.type in GROUP_TYPES and update.message is not None) else None
    return await outbox.send(context.bot, context.services, chat.id, render(context, template, **ctx),
                             reply_markup=reply_markup, reply_to=reply_to)


async def tell(context: Context, chat_id: int, template: str, /, *, reply_markup=None, **ctx) -> Message | None:
    """Render a message and send it to any chat (a DM, the bloc's group)."""
    return await outbox.send(context.bot, context.services, chat_id, render(context, template, **ctx),
                             reply_markup=reply_markup)


def with_leave_hint(context: Context, text: str) -> str:
    """A message that waits for the person names the way out, /huy (handlers.waits)."""
    return text if "/huy" in text else f"{text}\n\n{render(context, 'waits.leave_hint')}"


async def show_step_message(update: Update, context: Context, text: str, markup, *, edit: bool) -> int | None:
    """A conversation's step: edited in place (a button of it was pressed), else sent as a
    new message (after typed input, its buttons are then the only live ones). The id of the
    message carrying the buttons, or None when the chat cannot be reached. The step waits for
    the person, so it says how to leave it."""
    text = with_leave_hint(context, text)
    if edit:
        message = update.callback_query.message
        return await outbox.edit(context.bot, message.chat.id, message.message_id, text, reply_markup=markup)
    sent = await outbox.send(context.bot, context.services, update.effective_chat.id, text, reply_markup=markup)
    return sent.message_id if sent is not None else None


async def alert(update: Update, context: Context, template: str, /, **ctx) -> None:
    """Answer a button press with a pop-up (a press answered before a restart is left so:
    khoibot/app.KhoibotBot)."""
    await update.callback_query.answer(context.services.render.plain(template, **ctx), show_alert=True)


async def ask(update: Update, context: Context, template: str, /, *, action: str, bloc_id: int | None = None,
              **payload) -> None:
    """Ask a question the person answers by replying; the question is kept as a row,
    with the template that asked it, so a refused answer can be asked again."""
    payload = Question.of({**payload, "prompt": template}).stored()
    chat = update.effective_chat
    user = update.effective_user
    reply_to = update.message.message_id if update.message is not None else None
    text = with_leave_hint(context, render(context, template, user_id=user.id, user_name=user.full_name, **payload))
    message = await outbox.send(context.bot, context.services, chat.id, text, reply_markup=ForceReply(selective=True),
                                reply_to=reply_to)
    if message is None:
        return
    s = context.services
    with s.db.session() as session:
        pending_store.ask(session=session, chat_id=chat.id, message_id=message.message_id, user_id=user.id,
                          action=action, bloc_id=bloc_id, now=s.clock.now(), **payload)


async def best_effort(what: str, awaitable) -> None:
    """Run a side effect that follows a saved change (a notice, the board): if Telegram
    fails it, the change stays saved and the failure is logged."""
    try:
        await awaitable
    except TelegramError as exc:
        log.warning("side effect failed", extra={"what": what, "error": str(exc)})


def command_text(update: Update) -> str:
    """What follows the command, including further lines: "/donvi Hội A\\nHội B" → "Hội A\\nHội B"."""
    text = update.effective_message.text or ""
    first, _, rest = text.partition("\n")
    parts = first.split(maxsplit=1)
    head = parts[1] if len(parts) > 1 else ""
    return "\n".join(part for part in (head, rest) if part).strip()


async def is_group_admin(context: Context, chat_id: int, user_id: int) -> bool:
    try:
        member = await context.bot.get_chat_member(chat_id, user_id)
    except TelegramError as exc:
        log.warning("admin check failed", extra={"chat_id": chat_id, "error": str(exc)})
        return False
    return member.status in (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)


async def represented_units(update: Update, context: Context) -> list:
    """The (unit, bloc) pairs this person represents; when none, they are told how to
    become a representative and the list is empty."""
    with context.services.db.connection() as connection:
        units = units_of_user(session=connection, user_id=update.effective_user.id)
    if not units:
        await say(update, context, "registration.not_representative")
    return units


# Characters of a name on a button of its own: longer ones are cut at a word (shorten).
BUTTON_NAME = 64


def unit_choices(context: Context, units: list, data: Callable[..., str], *, template: str = "common.btn_unit",
                 variants: tuple[dict, ...] = ({},)) -> list[list[tuple[str, str]]]:
    """One button row per (unit, bloc) pair this person acts for, and per variant (e.g. a
    report's period): the label names the unit and, when there are several, its bloc
    (templates use common.btn_unit), since one person may represent units of two blocs
    that bear the same name. ``data(unit, **variant)`` is the button's callback data."""
    several = len(units) > 1
    return [[(label(context, template, unit=u, bloc=b, several=several, **variant), data(u, **variant))]
            for u, b in units for variant in variants]


def private_button(fn):
    """A button of the person's private chat with the bot (it names their unit, draft or
    ballot). Its data pressed on any other message (a modified app can send any data on a
    group's message) is refused: it would edit that message, a pinned board or a ballot
    panel, into a private step; message ids are per chat, so the draft's own id proves nothing."""

    @wraps(fn)
    async def wrapper(update: Update, context: Context) -> None:
        query = update.callback_query
        if query.message is None or query.message.chat.type != ChatType.PRIVATE \
                or query.message.chat.id != update.effective_user.id:
            await alert(update, context, "common.stale_button")
            return
        await fn(update, context)

    return wrapper


def private_command(fn):
    """A command for the private chat; in a group it answers with a button that opens one."""

    @wraps(fn)
    async def wrapper(update: Update, context: Context) -> None:
        if update.effective_chat.type != ChatType.PRIVATE:
            command = (update.effective_message.text or "/").split()[0].split("@")[0].lstrip("/")
            markup = private_chat_button(context, "common.btn_open_private", command)
            if command in (miniapp.REGISTRATION, miniapp.BALLOT):  # the page, opened from the group's link
                markup = miniapp.with_row(markup, miniapp.group_link(context.services, context.bot.username, command))
            await say(update, context, "common.private_only", command=command, reply_markup=markup)
            return
        await fn(update, context)

    return wrapper


# An id or a number typed or carried by a button: ASCII digits only (str.isdigit() takes "²"
# and int() then fails), within what the database's integer columns hold (PostgreSQL's
# INTEGER is 32-bit signed): anything else is no row of ours, a stale or forged button.
_ASCII_NUMBER = re.compile(r"[0-9]{1,10}")
MAX_ID = 2**31 - 1


def int_arg(value: str | None) -> int | None:
    """The id or whole number `value` spells, else None."""
    if value is None or not _ASCII_NUMBER.fullmatch(value):
        return None
    number = int(value)
    return number if number <= MAX_ID else None
