"""A person's repeated view in a group is answered once.

A member who sends the same view (/donvi, /tinhhinh...) forty times in a row would get forty
answers, paced at Telegram's 20 messages a minute in a group, and every command after theirs
in that group (the secretary's included: khoibot/updates.py handles a chat's updates in
order, and the rate limiter sends a chat's messages in order) would wait minutes behind
them. So a view (a group command in ``VIEWS``, without text after it, not a reply) that repeats
the group's previous update (the same person, the same view), while its answer is still on
its way or within ``WINDOW`` after it went out, gets no new message: the answer is right
above it. The repeats then take no time, and nobody waits behind them.

Only consecutive repeats count: any other update in that group (a press, a reply, another
command, from anyone) ends the run, so a secretary who sends /lich, presses and answers, then
sends /lich again is answered each time, and so is a view asked again after someone changed
what it shows there; an answer that failed does not count. In memory only: a restart forgets
it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from telegram import Update
from telegram.ext import ApplicationHandlerStop, TypeHandler

from handlers.common import GROUP_TYPES, Context

log = logging.getLogger(__name__)

WINDOW = timedelta(seconds=30)
# Commands that only show something; the same answer twice in a row adds nothing.
VIEWS = frozenset({"khoi", "donvi", "tinhhinh", "lich", "chamdiem", "binhxet", "thuky", "huongdan", "help",
                   "dangky"})
_VIEW = re.compile(r"/([A-Za-z0-9_]+)(?:@([A-Za-z0-9_]+))?")
_KEPT = 100_000  # groups remembered before the memory is cleared


@dataclass
class _Last:
    """A group's last update, when it was a view."""

    user_id: int
    command: str  # the view's command, without the bot's name
    at: datetime  # when it was last answered (when its handling began, until it ends)


def _command(update: Update, bot_username: str) -> str | None:
    """The view a person asked for in a group (``/donvi@bot`` is ``donvi``); None for anything
    else, actions included: a command with text after it, or sent as a reply, is never a
    repeat."""
    message = update.message
    if (message is None or message.chat.type not in GROUP_TYPES or message.sender_chat is not None
            or message.from_user is None or message.from_user.is_bot or message.reply_to_message is not None):
        return None
    match = _VIEW.fullmatch((message.text or "").strip())
    if match is None or match.group(1).lower() not in VIEWS:
        return None
    if match.group(2) is not None and match.group(2).lower() != bot_username.lower():
        return None  # addressed to another bot
    return match.group(1).lower()


def _memory(context: Context) -> dict[int, _Last]:
    return context.bot_data.setdefault("repeated_views", {})


async def skip_repeats(update: Update, context: Context) -> None:
    """First of all handlers: a repeat ends here, unanswered; anything else goes on."""
    chat = update.effective_chat
    if chat is None:
        return
    memory = _memory(context)
    command = _command(update, context.bot.username)
    if command is None:
        memory.pop(chat.id, None)  # something else happened here: the next view is answered
        return
    user_id = update.effective_user.id
    now = context.services.clock.now()
    last = memory.get(chat.id)
    if last is not None and (last.user_id, last.command) == (user_id, command) and now - last.at < WINDOW:
        log.info("repeated view left unanswered", extra={"chat_id": chat.id, "user_id": user_id})
        raise ApplicationHandlerStop
    if len(memory) > _KEPT:
        memory.clear()
    memory[chat.id] = _Last(user_id, command, now)


async def answered(update: Update, context: Context) -> None:
    """Last of all handlers: the window starts again when the answer has gone out, so the
    repeats sent while it waited for its turn are covered too."""
    command = _command(update, context.bot.username)
    last = _memory(context).get(update.effective_chat.id) if command is not None else None
    if last is not None and (last.user_id, last.command) == (update.effective_user.id, command):
        last.at = context.services.clock.now()


async def forget_on_error(update: object, context: Context) -> None:
    """An answer that failed was not given: asking again is answered."""
    if isinstance(update, Update) and update.effective_chat is not None:
        _memory(context).pop(update.effective_chat.id, None)


def first_handler() -> TypeHandler:
    return TypeHandler(Update, skip_repeats)


def last_handler() -> TypeHandler:
    return TypeHandler(Update, answered)
