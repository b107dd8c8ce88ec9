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

from tests.webapp.browser import chromium, fresh_page


@pytest.fixture
async def browser():
    async with chromium() as launched:
        yield launched


@pytest.fixture
async def page(browser):
    async with fresh_page(browser) as opened:
        yield opened
