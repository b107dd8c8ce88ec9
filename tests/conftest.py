"""The test world: the real khoibot Application, long-polling the project's Bot API
stand-in over HTTP, on a real database (SQLite, and PostgreSQL when
KHOIBOT_TEST_DATABASE_URL names one), with a clock the tests move by hand."""

from __future__ import annotations

import os
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from telegram import Update
from telegram.ext import Application

from khoibot.app import build_application
from khoibot.clock import ManualClock
from khoibot.config import Settings
from standin import BotApiStandIn
from storage.db import Database, normalise_url

TOKEN = "123456:TEST-token"
BOT_USERNAME = "khoibot_test_bot"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def _backends() -> list[str]:
    return ["sqlite", "postgres"] if os.environ.get("KHOIBOT_TEST_DATABASE_URL") else ["sqlite"]


@pytest.fixture(params=_backends())
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'khoibot.sqlite3'}"
        return
    # Each test gets a schema of its own on the shared server, dropped afterwards.
    base = normalise_url(os.environ["KHOIBOT_TEST_DATABASE_URL"])
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield make_url(base).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False)
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


class TrackingApplication(Application):
    """Counts updates being processed, so the stand-in can tell when the bot is idle."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.inflight = 0

    async def process_update(self, update: object) -> None:
        self.inflight += 1
        try:
            await super().process_update(update)
        finally:
            self.inflight -= 1


class World:
    """One stand-in Telegram, one bot process (that can be restarted), one clock."""

    def __init__(self, standin: BotApiStandIn, settings: Settings, clock: ManualClock) -> None:
        self.standin = standin
        self.settings = settings
        self.clock = clock
        self.app: TrackingApplication | None = None

    @property
    def db(self) -> Database:
        return self.app.bot_data["services"].db

    async def start_bot(self) -> None:
        app = build_application(self.settings, clock=self.clock, application_class=TrackingApplication)
        await app.initialize()
        await app.post_init(app)
        await app.updater.start_polling(poll_interval=0.0, timeout=1, allowed_updates=Update.ALL_TYPES)
        await app.start()
        self.app = app
        self.standin.idle_probe = lambda: app.update_queue.empty() and app.inflight == 0

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


def make_settings(standin: BotApiStandIn, database_url: str, telegram: dict | None = None, **bot) -> Settings:
    return Settings.model_validate({
        "telegram": {"token": TOKEN, "base_url": standin.base_url, "base_file_url": standin.base_file_url,
                     "poll_timeout": 1, "rate_limit": False, **(telegram or {})},
        "database": {"url": database_url},
        "bot": {"province": "Thừa Thiên Huế", **bot},
        "logging": {"format": "text"},
        # Tests run reminders themselves, at clock times they choose.
        "reminders": {"check_every_seconds": 0},
    })


@pytest.fixture
def bot_settings() -> dict:
    """Override in a test module to change the [bot] section."""
    return {}


@pytest.fixture
def telegram_settings() -> dict:
    """Override in a test to change the [telegram] section (e.g. turn the rate limiter on)."""
    return {}


@pytest.fixture
async def world(database_url, bot_settings, telegram_settings):
    standin = BotApiStandIn(token=TOKEN, bot_username=BOT_USERNAME)
    await standin.start()
    clock = ManualClock(datetime(2025, 2, 10, 9, 0, tzinfo=TZ))
    w = World(standin, make_settings(standin, database_url, telegram_settings, **bot_settings), clock)
    await w.start_bot()
    try:
        yield w
    finally:
        if w.app is not None:
            await w.stop_bot()
        await standin.stop()
