"""The real bot and the project's Bot API stand-in in one process, with a clock moved by
hand: what the tests, the demo and the benchmarks run khoibot in.

The bot is the real PTB Application built by ``build_application``, long-polling the
stand-in over HTTP; only the time is simulated. ``settle()`` (the stand-in's) returns once
the bot has handled everything, because the stand-in asks ``idle_probe`` whether updates are
still being processed.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from telegram import Update

from handlers.pacing import pacing_busy
from handlers.routes import deliver_reminders
from khoibot.app import KhoibotApplication, build_application
from khoibot.clock import ManualClock
from khoibot.config import Settings
from khoibot.ratelimit import TelegramLimits
from standin import BotApiStandIn
from storage.db import Database

TOKEN = "123456:TEST-token"
BOT_USERNAME = "khoibot_test_bot"


class TrackingApplication(KhoibotApplication):
    """Counts updates being processed, so the stand-in can tell when the bot is idle."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.inflight = 0

    async def process_update(self, update: object) -> None:
        self.inflight += 1
        try:
            await super().process_update(update)
        finally:
            self.inflight -= 1


def sandbox_settings(standin: BotApiStandIn, database_url: str, telegram: dict | None = None,
                     **bot: Any) -> Settings:
    """Defaults, pointed at the stand-in and the database; reminders are run by the caller
    at the clock times it chooses (no periodic sweep)."""
    return Settings.model_validate({
        "telegram": {"token": standin.token, "base_url": standin.base_url,
                     "base_file_url": standin.base_file_url, "poll_timeout": 1, "rate_limit": False,
                     **(telegram or {})},
        "database": {"url": database_url},
        # Every change shows on the board at once, unless a test asks for the interval.
        "bot": {"province": "Thừa Thiên Huế", "board_refresh_seconds": 0, "group_notice_seconds": 0, **bot},
        "logging": {"format": "text"},
        "reminders": {"check_every_seconds": 0},
    })


class VirtualTime:
    """Time for the rate limiter when a whole year is played in seconds: its waits (spacing
    under Telegram's limits, 429s waited out, back-off before retries) pass at once but are
    added up, so the limiter keeps its order and its counts without the wall-clock wait."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept = 0.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        seconds = max(0.0, seconds)
        self.now += seconds
        self.slept += seconds
        await asyncio.sleep(0)


class Sandbox:
    """One stand-in Telegram, one bot (that can be restarted), one clock."""

    def __init__(self, standin: BotApiStandIn, settings: Settings, clock: ManualClock,
                 rate_limiter: TelegramLimits | None = None) -> None:
        self.standin = standin
        self.settings = settings
        self.clock = clock
        self.rate_limiter = rate_limiter  # used when settings.telegram.rate_limit is on
        self.app: TrackingApplication | None = None

    @classmethod
    async def open(cls, database_url: str, start: datetime, *, telegram: dict | None = None,
                   rate_limiter: TelegramLimits | None = None, **bot: Any) -> Sandbox:
        """Start a stand-in and the bot against it."""
        standin = BotApiStandIn(token=TOKEN, bot_username=BOT_USERNAME)
        await standin.start()
        sandbox = cls(standin, sandbox_settings(standin, database_url, telegram, **bot), ManualClock(start),
                      rate_limiter)
        try:
            await sandbox.start_bot()
        except BaseException:
            await standin.stop()
            raise
        return sandbox

    async def close(self) -> None:
        if self.app is not None:
            await self.stop_bot()
        await self.standin.stop()

    @property
    def db(self) -> Database:
        return self.app.bot_data["services"].db

    async def start_bot(self) -> None:
        app = build_application(self.settings, clock=self.clock, application_class=TrackingApplication,
                                rate_limiter=self.rate_limiter)
        await app.initialize()
        await app.post_init(app)
        await app.updater.start_polling(poll_interval=0.0, timeout=1, allowed_updates=Update.ALL_TYPES)
        await app.start()
        self.app = app
        # An update waiting its turn behind its chat's earlier ones (khoibot/updates.py) is
        # neither in the queue nor running: the processor counts it.
        self.standin.idle_probe = lambda: (app.update_queue.empty() and app.inflight == 0
                                           and not getattr(app.update_processor, "pending", 0)
                                           and not pacing_busy(app))

    async def stop_bot(self) -> None:
        app, self.app = self.app, None
        self.standin.idle_probe = lambda: True
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        app.bot_data["services"].db.dispose()

    async def restart_bot(self) -> None:
        await self.stop_bot()
        await self.start_bot()

    async def run_reminders(self, at: datetime | None = None) -> int:
        """Move the clock (if given) and send every reminder due by then, as the alarm would."""
        if at is not None:
            self.clock.set(at)
        sent = await deliver_reminders(self.app)
        await self.standin.settle()
        return sent
