"""Building the PTB Application: one builder chain, start-up work in post_init."""

from __future__ import annotations

import logging

from telegram import (BotCommand, BotCommandScopeAllChatAdministrators, BotCommandScopeAllGroupChats,
                      BotCommandScopeAllPrivateChats, LinkPreviewOptions)
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationBuilder, Defaults

import handlers
from khoibot.clock import Clock, SystemClock
from khoibot.config import Settings
from khoibot.ratelimit import TelegramLimits
from khoibot.render import Renderer, command_menus
from khoibot.services import Services
from khoibot.http import SpreadRequest
from khoibot.updates import OrderedUpdates
from storage.db import Database
from storage.migrate import upgrade

log = logging.getLogger(__name__)

# Updates handled at once (khoibot/updates.py); bench/bench_conversation.py measured the choice.
RUNNING_UPDATES = 8
# Requests at once: one per running update, the board refreshes planned for later
# (handlers/status.py) and the jobs (reminders), with room to spare.
HTTP_POOLS = RUNNING_UPDATES + 4

MENU_SCOPES = {
    "private": BotCommandScopeAllPrivateChats,
    "group": BotCommandScopeAllGroupChats,
    "admin": BotCommandScopeAllChatAdministrators,
}


def open_database(settings: Settings) -> Database:
    db = Database(settings.database.url)
    if settings.database.upgrade_on_start:
        upgrade(db.engine)
    return db


async def set_command_menus(app: Application) -> None:
    """The command menu per scope, in Vietnamese; also as the default for clients in
    other languages, since every answer is Vietnamese anyway."""
    for scope_name, commands in command_menus().items():
        menu = [BotCommand(name, description) for name, description in commands.items()]
        scope = MENU_SCOPES[scope_name]()
        await app.bot.set_my_commands(menu, scope=scope, language_code="vi")
        await app.bot.set_my_commands(menu, scope=scope)


async def post_init(app: Application) -> None:
    await set_command_menus(app)
    from handlers.registration import sweep_job
    from handlers.reminders import deliver_due
    from khoibot import scheduler

    # Drafts are rows, so this sweep needs nothing rebuilt after a restart.
    app.job_queue.run_repeating(sweep_job, interval=60, first=60, name="sweep-idle-drafts")
    # Reminders: catch up on what fell due while the bot was down, then set the alarm.
    await scheduler.install(app, deliver_due)
    log.info("bot ready", extra={"username": app.bot.username})


def build_application(settings: Settings, *, db: Database | None = None, clock: Clock | None = None,
                      application_class: type[Application] = Application,
                      rate_limiter: TelegramLimits | None = None) -> Application:
    services = Services(settings=settings, db=db or open_database(settings), clock=clock or SystemClock(),
                        render=Renderer(settings.bot.tz), catalogue=settings.catalogue)
    builder = (
        ApplicationBuilder()
        .application_class(application_class)
        .token(settings.telegram.token)
        .base_url(settings.telegram.base_url)
        .base_file_url(settings.telegram.base_file_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=settings.bot.tz,
                           link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .post_init(post_init)
        # Different chats and people at once; one chat's or one person's updates in order.
        # A few at once are enough to use the time spent waiting on Telegram; the HTTP
        # connections are sized to them, each in a pool of its own (khoibot/http.py).
        .concurrent_updates(OrderedUpdates(RUNNING_UPDATES))
        .request(SpreadRequest(HTTP_POOLS))
    )
    if settings.telegram.rate_limit:
        builder = builder.rate_limiter(rate_limiter or TelegramLimits())
    app = builder.build()
    app.bot_data["services"] = services
    handlers.register(app)
    return app
