"""The test world: the real khoibot Application, long-polling the project's Bot API
stand-in over HTTP, on a real database (SQLite, and PostgreSQL when
KHOIBOT_TEST_DATABASE_URL names one), with a clock the tests move by hand."""

from __future__ import annotations

import os
import shutil
import uuid
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from khoibot.clock import ManualClock
from khoibot.config import Settings
from khoibot.sandbox import BOT_USERNAME, TOKEN, Sandbox, sandbox_settings
from standin import BotApiStandIn
from storage.db import Database, normalise_url
from storage.migrate import upgrade
from tests import guards

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def _backends() -> list[str]:
    return ["sqlite", "postgres"] if os.environ.get("KHOIBOT_TEST_DATABASE_URL") else ["sqlite"]


@pytest.fixture(params=_backends())
def database_url(request, tmp_path):
    """An empty database: a SQLite file not yet created, or a PostgreSQL schema of its own on
    the shared server, dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'khoibot.sqlite3'}"
        return
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


class SchemaTemplate:
    """The migrations run once per run and backend; a world's empty database then starts as
    their result: SQLite copies the migrated file, PostgreSQL replays in its schema the
    statements the migrations sent (the Python of Alembic costs more than the SQL). The bot
    still runs ``upgrade`` at start, which finds the schema at head."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.sqlite_file: Path | None = None
        self.statements: list[tuple[str, object]] | None = None

    def fill(self, url: str) -> None:
        if url.startswith("sqlite:///"):
            path = Path(url.removeprefix("sqlite:///"))
            if not path.exists():
                shutil.copyfile(self._migrated_sqlite(), path)
            return
        database = Database(url)
        try:
            with database.engine.connect() as connection:
                if connection.execute(text("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()")
                                      ).scalar():
                    return  # the test made its tables already
            if self.statements is None:
                self.statements = _migrations_sent(database)
                return
            with database.engine.begin() as connection:
                for statement, parameters in self.statements:
                    connection.exec_driver_sql(statement, parameters) if parameters else \
                        connection.exec_driver_sql(statement)
        finally:
            database.dispose()

    def _migrated_sqlite(self) -> Path:
        if self.sqlite_file is None:
            path = self.folder / "migrated.sqlite3"
            database = Database(f"sqlite:///{path}")
            upgrade(database.engine)
            database.dispose()  # the last connection closed: the log is written back into the file
            assert not path.with_name(path.name + "-wal").exists()
            self.sqlite_file = path
        return self.sqlite_file


def _migrations_sent(database: Database) -> list[tuple[str, object]]:
    """Migrate the empty ``database``, recording each statement sent and its parameters."""
    sent: list[tuple[str, object]] = []

    def record(_connection, _cursor, statement, parameters, _context, _many) -> None:
        sent.append((statement, parameters))

    event.listen(database.engine, "before_cursor_execute", record)
    try:
        upgrade(database.engine)
    finally:
        event.remove(database.engine, "before_cursor_execute", record)
    return sent


@pytest.fixture(scope="session")
def schema_template(tmp_path_factory) -> SchemaTemplate:
    return SchemaTemplate(tmp_path_factory.mktemp("schema"))


World = Sandbox  # the tests' name for it


def make_settings(standin: BotApiStandIn, database_url: str, telegram: dict | None = None, *,
                  web: dict | None = None, provinces: list[dict] | None = None, **bot) -> Settings:
    return sandbox_settings(standin, database_url, telegram, web=web, provinces=provinces, **bot)


@pytest.fixture
def bot_settings() -> dict:
    """Override in a test module to change the [bot] section."""
    return {}


@pytest.fixture
def telegram_settings() -> dict:
    """Override in a test to change the [telegram] section (e.g. turn the rate limiter on)."""
    return {}


@pytest.fixture
def web_settings() -> dict:
    """Override in a test module to serve the Mini Apps ([web] section; tests/webapp)."""
    return {}


@pytest.fixture
def province_settings() -> list[dict]:
    """Override in a test module to configure provinces ([[provinces]]; tests/test_province.py)."""
    return []


@pytest.fixture
async def world(request, database_url, schema_template, bot_settings, telegram_settings, web_settings,
                province_settings):
    schema_template.fill(database_url)
    standin = BotApiStandIn(token=TOKEN, bot_username=BOT_USERNAME)
    await standin.start()
    clock = ManualClock(datetime(2025, 2, 10, 9, 0, tzinfo=TZ))
    w = World(standin, make_settings(standin, database_url, telegram_settings, web=web_settings,
                                     provinces=province_settings, **bot_settings), clock)
    await w.start_bot()
    try:
        yield w
    finally:
        if w.app is not None:
            await w.stop_bot()
        await standin.stop()
    _guard(request, w)


def _guard(request, w: World) -> None:
    """Issue 14's guards A and B (tests/guards.py), after every test that ran the bot; a test
    that already failed is not told twice."""
    if request.node.stash.get(_CALL_FAILED, True):
        return
    problems = guard_failures(request.node, w)
    if problems:
        shown = "\n  ".join(problems[:20])
        more = f"\n  … and {len(problems) - 20} more" if len(problems) > 20 else ""
        pytest.fail(f"{len(problems)} guard failure(s) (mark the test refusals_expected / codes_expected "
                    f"only if it is about that):\n  {shown}{more}", pytrace=False)


def guard_failures(node, w: World) -> list[str]:
    problems = []
    refusals = node.get_closest_marker("refusals_expected")
    if refusals is None or refusals.args:
        # refusals_expected("message is not modified"): only the refusals that say one of the args
        problems += [f"Telegram refused the bot's call {r}" for r in guards.check_refusals(w.standin.stats)
                     if not (refusals and any(arg in r for arg in refusals.args))]
    expected = node.get_closest_marker("codes_expected")
    if expected is None or expected.args:
        # codes_expected("du_lieu_khoi_"): only the places whose name holds one of the args
        codes = [t.code for t in w.settings.catalogue.titles]
        problems += [f"a person reads an internal code or English: {p}"
                     for p in guards.check_codes(w.standin.world, codes)
                     if not (expected and any(arg in p.split(": ", 1)[0] for arg in expected.args))]
    return problems


_CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed
