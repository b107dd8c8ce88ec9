"""Fixtures for the stand-in's own tests: a started stand-in, a raw telegram.Bot on it, and a
tiny real PTB Application (long polling) with a few handlers."""

from __future__ import annotations

import sys
from pathlib import Path

# No __init__.py here on purpose (the folder name would shadow the `standin` package);
# make the project root importable even when pytest runs without the project's config.
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

import pytest  # noqa: E402
import pytest_asyncio  # noqa: E402
from telegram import Update  # noqa: E402

from standin import BotApiStandIn, ptb_idle_probe  # noqa: E402
from standin_kit import BOT, TOKEN, TinyBot, build_tiny_app, make_bot, started_user  # noqa: E402


@pytest_asyncio.fixture
async def standin():
    s = BotApiStandIn(token=TOKEN, bot_username=BOT, bot_first_name="Khối bot", settle_timeout=5)
    await s.start()
    try:
        yield s
    finally:
        await s.stop()


@pytest_asyncio.fixture
async def bot(standin):
    b = make_bot(standin)
    await b.initialize()
    try:
        yield b
    finally:
        await b.shutdown()


@pytest.fixture
def alice(standin):
    """A user who has started the bot."""
    return started_user(standin, "Nguyễn Thị Lan", username="lan_hkh")


@pytest.fixture
def group(standin, alice):
    bob = standin.add_user("Trần Văn Bình", username="binh_tv")
    g = standin.add_group("Khối thi đua các Tổ chức xã hội", members=[alice, bob], admins=[alice])
    g.add_bot(by=alice)
    return g


@pytest_asyncio.fixture
async def tiny(standin):
    """A running tiny PTB Application; yields the TinyBot record."""
    seen = TinyBot()
    app = build_tiny_app(standin, seen)
    await app.initialize()
    await app.updater.start_polling(poll_interval=0.0, timeout=2, allowed_updates=Update.ALL_TYPES)
    await app.start()
    standin.idle_probe = ptb_idle_probe(app)
    seen.app = app
    try:
        yield seen
    finally:
        standin.idle_probe = lambda: True
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
