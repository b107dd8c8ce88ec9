"""The browser tests' fixtures: ``browser`` (Debian's Chromium through Playwright) and ``page``
(a fresh context per test, phone-sized, that may only reach this machine).

The browser is launched per test, not per session: pytest-asyncio gives each test its own
event loop here (asyncio_default_fixture_loop_scope = "function", which the bot's ``world``
fixture relies on), and a Playwright connection belongs to the loop that started it. A launch
costs about 0.4 s (driver and browser) on an idle 2-core machine, a new page 0.2 s. A module
that needs no ``world`` may share one browser over a module-wide loop, as
test_pages_offline.py does."""

from __future__ import annotations

import pytest

from tests.samples import HUE_UNITS, enrol, set_up_bloc
from tests.webapp.browser import chromium, fresh_page
from tests.webapp.miniapp import WEB


@pytest.fixture
def web_settings() -> dict:
    """The bot of these tests serves the Mini Apps (on a free port of this machine)."""
    return WEB


@pytest.fixture
async def bloc(world):
    """The Huế bloc's group (the bot may pin), its secretary, and its first three units'
    representatives, enrolled through their invitations."""
    group, secretary = await set_up_bloc(world)
    group.promote_bot(can_pin=True)
    officers = await enrol(world, group, secretary, HUE_UNITS[:3])
    return group, secretary, officers


@pytest.fixture
async def browser():
    async with chromium() as launched:
        yield launched


@pytest.fixture
async def page(browser):
    async with fresh_page(browser) as opened:
        yield opened
