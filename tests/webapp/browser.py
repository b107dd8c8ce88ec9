"""What the browser tests share: Debian's Chromium driven by Playwright, the URL a Telegram
client opens a Mini App with, Telegram's usual themes, the two screen sizes, and screenshots.

Playwright's own browser download does not work here, so the tests use the system's
/usr/bin/chromium (Debian's packages ``chromium`` and ``chromium-driver``; scripts/test
installs them when it can)."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
SCREENS = ROOT / "docs" / "screens"

# Telegram's Android client, day and night.
LIGHT = {
    "bg_color": "#ffffff",
    "text_color": "#000000",
    "hint_color": "#707579",
    "link_color": "#3390ec",
    "button_color": "#3390ec",
    "button_text_color": "#ffffff",
    "secondary_bg_color": "#f4f4f5",
    "header_bg_color": "#ffffff",
    "accent_text_color": "#3390ec",
    "section_bg_color": "#ffffff",
    "section_header_text_color": "#3390ec",
    "subtitle_text_color": "#707579",
    "destructive_text_color": "#e53935",
}
DARK = {
    "bg_color": "#212121",
    "text_color": "#ffffff",
    "hint_color": "#aaaaaa",
    "link_color": "#8774e1",
    "button_color": "#8774e1",
    "button_text_color": "#ffffff",
    "secondary_bg_color": "#181818",
    "header_bg_color": "#212121",
    "accent_text_color": "#8774e1",
    "section_bg_color": "#212121",
    "section_header_text_color": "#8774e1",
    "subtitle_text_color": "#aaaaaa",
    "destructive_text_color": "#ff595a",
}

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def launch_url(page_url: str, init_data: str, theme: dict, start_param: str | None = None) -> str:
    """``page_url`` opened as a Telegram client opens a Mini App: the launch data in the hash,
    initData (already a query string) URL-encoded once more as the hash's parameter."""
    fields = [
        ("tgWebAppData", init_data),
        ("tgWebAppThemeParams", json.dumps(theme, separators=(",", ":"))),
        ("tgWebAppVersion", "8.0"),
        ("tgWebAppPlatform", "android"),
    ]
    if start_param is not None:
        fields.append(("tgWebAppStartParam", start_param))
    return page_url + "#" + "&".join(f"{key}={quote(value, safe='')}" for key, value in fields)


async def screenshot(page, name: str) -> Path:
    """The whole page as docs/screens/<name>.png (KHOIBOT_SCREENS_DIR names another folder)."""
    folder = Path(os.environ.get("KHOIBOT_SCREENS_DIR") or SCREENS)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path


def require_chromium() -> str:
    """The browser's path; without it a CI run fails (it must have one) and a local run skips."""
    if os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    _missing(f"{CHROMIUM} is missing: the browser tests need Debian's chromium "
             "(apt-get install -y chromium chromium-driver; scripts/test does it when it can)")


def _missing(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@asynccontextmanager
async def chromium() -> AsyncIterator:
    """Debian's Chromium, headless, through a Playwright driver of this event loop."""
    path = require_chromium()
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        _missing("Playwright is not installed: pip install -e '.[test]'")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=path, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            await browser.close()


@asynccontextmanager
async def fresh_page(browser, viewport: dict = PHONE) -> AsyncIterator:
    """A page in a context of its own (no cookies or storage from another test). Afterwards
    the test fails if the page threw an uncaught error or tried to reach anything but this
    machine: the Mini App fetches nothing from outside."""
    context = await browser.new_context(viewport=viewport, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh")
    outside: list[str] = []
    errors: list[str] = []

    async def only_local(route):
        url = urlsplit(route.request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.hostname not in LOCAL_HOSTS:
            outside.append(route.request.url)
            await route.abort()
        else:
            await route.continue_()

    await context.route("**/*", only_local)
    page = await context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield page
    finally:
        await context.close()
    problems = [f"the page threw: {e}" for e in errors] + [f"the page tried to reach {u}" for u in outside]
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)
