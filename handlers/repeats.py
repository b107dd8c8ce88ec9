"""A person's repeated view in a group is answered once.

A member who sends the same view (/donvi, /tinhhinh...) forty times in a row would get forty
answers, paced at Telegram's 20 messages a minute in a group, and every command after theirs
in that group (the secretary's included: khoibot/updates.py handles a chat's updates in
order, and the rate limiter sends a chat's messages in order) would wait minutes behind
them. So a view (a group command in ``VIEWS``, without text after it, not a reply) that is
the same as the one this person sent just before in this chat, while its answer is still on
its way or within ``WINDOW`` after it went out, gets no new message: the answer is right
above it. The repeats then take no time, and nobody waits behind them.

Only consecutive repeats count: anything else the person does in that chat (a press, a
reply, another command) ends the run, so a secretary who sends /lich, presses and answers,
then sends /lich again is answered each time; an answer that failed does not count. In
memory only: a restart forgets it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from telegram import Update
from telegram.ext import ApplicationHandlerStop, TypeHandler

from handlers.common import GROUP_TYPES, Context, svc

log = logging.getLogger(__name__)

WINDOW = timedelta(seconds=30)
# Commands that only show something; the same answer twice in a row adds nothing.
VIEWS = frozenset({"khoi", "donvi", "tinhhinh", "lich", "chamdiem", "binhxet", "thuky", "huongdan", "help",
                   "dangky"})
_VIEW = re.compile(r"/([A-Za-z0-9_]+)(?:@([A-Za-z0-9_]+))?")
_KEPT = 100_000  # people x groups remembered before the memory is cleared


@dataclass
class _Last:
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


def _key(update: Update) -> tuple[int, int] | None:
    if update.effective_chat is None or update.effective_user is None:
        return None
    return update.effective_chat.id, update.effective_user.id


def _memory(context: Context) -> dict[tuple[int, int], _Last]:
    return context.bot_data.setdefault("repeated_commands", {})


async def skip_repeats(update: Update, context: Context) -> None:
    """First of all handlers: a repeat ends here, unanswered; anything else goes on."""
    key = _key(update)
    if key is None:
        return
    memory = _memory(context)
    command = _command(update, context.bot.username)
    if command is None:
        memory.pop(key, None)  # the person did something else: their next command is answered
        return
    now = svc(context).clock.now()
    last = memory.get(key)
    if last is not None and last.command == command and now - last.at < WINDOW:
        log.info("repeated command left unanswered", extra={"chat_id": key[0], "user_id": key[1]})
        raise ApplicationHandlerStop
    if len(memory) > _KEPT:
        memory.clear()
    memory[key] = _Last(command, now)


async def answered(update: Update, context: Context) -> None:
    """Last of all handlers: the window starts again when the answer has gone out, so the
    repeats sent while it waited for its turn are covered too."""
    key = _key(update)
    command = _command(update, context.bot.username) if key is not None else None
    last = _memory(context).get(key) if command is not None else None
    if last is not None and last.command == command:
        last.at = svc(context).clock.now()


async def forget_on_error(update: object, context: Context) -> None:
    """An answer that failed was not given: asking again is answered."""
    if isinstance(update, Update) and (key := _key(update)) is not None:
        _memory(context).pop(key, None)


def first_handler() -> TypeHandler:
    return TypeHandler(Update, skip_repeats)


def last_handler() -> TypeHandler:
    return TypeHandler(Update, answered)
