"""The real bot and the project's Bot API stand-in in one process, with a clock moved by
hand: what the tests, the demo and the benchmarks run khoibot in.

The bot is the real PTB Application built by ``build_application``, long-polling the
stand-in over HTTP; only the time is simulated. ``settle()`` (the stand-in's) returns as soon
as the bot has handled everything: the stand-in asks ``idle_probe`` (``bot_idle``) whether
anything is still going on, and the application pokes the stand-in whenever one of its tasks
or jobs ends, so no fixed quiet time is waited.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from collections.abc import Callable
from typing import Any

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED
from telegram import Update

from handlers.pacing import pacing_busy
from handlers.routes import deliver_reminders
from khoibot.app import KhoibotApplication, build_application
from khoibot.clock import ManualClock
from khoibot.config import Settings
from khoibot.ratelimit import TelegramLimits
from khoibot.web import stop_web
from khoibot.services import services_of
from standin import BotApiStandIn, ptb_idle_probe
from storage.db import Database

TOKEN = "123456:TEST-token"
BOT_USERNAME = "khoibot_test_bot"


class TrackingApplication(KhoibotApplication):
    """Counts updates being processed and the tasks it runs, and calls ``on_change`` when one
    ends, so the stand-in can tell at once when the bot is idle."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.inflight = 0
        self.on_change: Callable[[], None] = lambda: None
        # Tasks made by create_task: each update (PTB runs them as tasks, the processor being
        # concurrent) and what runs after its update (the paced board refreshes and notices).
        self.update_tasks: set[asyncio.Task] = set()
        self.other_tasks: set[asyncio.Task] = set()

    async def process_update(self, update: object) -> None:
        self.inflight += 1
        try:
            await super().process_update(update)
        finally:
            self.inflight -= 1

    def create_task(self, coroutine, update: object | None = None, *, name: str | None = None) -> asyncio.Task:
        task = super().create_task(coroutine, update, name=name)
        tasks = self.update_tasks if update is not None else self.other_tasks
        tasks.add(task)
        task.add_done_callback(lambda t: (tasks.discard(t), self.on_change()))
        return task

    def handling_updates(self) -> bool:
        """An update fetched and not yet handled: in the queue, waiting its turn or running."""
        return not self.update_queue.empty() or bool(self.update_tasks)


def bot_idle(app: TrackingApplication, standin: BotApiStandIn) -> Callable[[], bool]:
    """The sandbox's idle_probe: no update queued, waiting its turn (khoibot/updates.py) or
    running, no task of the application (paced writes: handlers/pacing.py) or job of its
    JobQueue running or due, and the bot's long poll parked at the stand-in again."""
    ptb_idle = ptb_idle_probe(app)

    def probe() -> bool:
        return (not app.handling_updates() and not app.other_tasks and app.inflight == 0
                and not getattr(app.update_processor, "pending", 0) and not pacing_busy(app)
                and ptb_idle() and (standin.polling or not app.updater.running))

    return probe


def sandbox_settings(standin: BotApiStandIn, database_url: str, telegram: dict | None = None, *,
                     web: dict | None = None, provinces: list[dict] | None = None, **bot: Any) -> Settings:
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
        "web": web or {},
        "provinces": provinces or [],
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
        return services_of(self.app).db

    async def start_bot(self) -> None:
        app = build_application(self.settings, clock=self.clock, application_class=TrackingApplication,
                                rate_limiter=self.rate_limiter)
        app.on_change = self.standin.poke
        # A job's end is a change too (a job's own requests poke the stand-in as they go).
        app.job_queue.scheduler.add_listener(lambda event: self.standin.poke(),
                                             EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED)
        await app.initialize()
        await app.post_init(app)
        await app.updater.start_polling(poll_interval=0.0, timeout=1, allowed_updates=Update.ALL_TYPES)
        await app.start()
        self.app = app
        self.standin.idle_probe = bot_idle(app, self.standin)

    async def stop_bot(self) -> None:
        app, self.app = self.app, None
        self.standin.idle_probe = lambda: True
        await app.updater.stop()
        await stop_web(app)
        await app.stop()
        await app.shutdown()
        services_of(app).db.dispose()

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
