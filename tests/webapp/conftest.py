"""The browser tests' fixtures: ``browser`` (Debian's Chromium through Playwright) and ``page``
(a fresh context per test, phone-sized, that may only reach this machine).

The browser is launched per test, not per session: pytest-asyncio gives each test its own
event loop here (asyncio_default_fixture_loop_scope = "function", which the bot's ``world``
fixture relies on), and a Playwright connection belongs to the loop that started it. A launch
costs about 0.4 s (driver and browser), a new page 0.2 s."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest

from tests.webapp.browser import PHONE, require_chromium

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


@pytest.fixture
async def browser():
    path = require_chromium()
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        reason = "Playwright is not installed: pip install -e '.[test]'"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=path, args=["--no-sandbox"])
        try:
            yield chromium
        finally:
            await chromium.close()


@pytest.fixture
async def page(browser):
    """A page in a context of its own. The test fails if the page threw an uncaught error or
    tried to reach anything but this machine (the Mini App fetches nothing from outside)."""
    context = await browser.new_context(viewport=PHONE, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    outside: list[str] = []
    errors: list[str] = []

    async def only_local(route):
        url = route.request.url
        if urlsplit(url).scheme in ("http", "https", "ws", "wss") and urlsplit(url).hostname not in LOCAL_HOSTS:
            outside.append(url)
            await route.abort()
        else:
            await route.continue_()

    await context.route("**/*", only_local)
    tab = await context.new_page()
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    await context.close()
    problems = [f"the page threw: {e}" for e in errors] + [f"the page tried to reach {u}" for u in outside]
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)
