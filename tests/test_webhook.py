"""The bot in webhook mode as a deployer runs it: `python bot.py` configured only by the
environment (KHOIBOT_TELEGRAM_MODE=webhook ...), PTB's webhook server listening on a local port,
the Bot API stand-in delivering updates to it, and a clean stop on SIGTERM.
The twin of test_process.py (long polling)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
import socket
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from standin import BotApiStandIn
from tests.conftest import BOT_USERNAME, TOKEN

ROOT = Path(__file__).resolve().parent.parent
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _eventually(predicate, timeout: float = 30.0, what: str = "the bot process did not answer",
                      standin: BotApiStandIn | None = None) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            hook = standin.webhook if standin else None
            why = f" (webhook delivery: {hook.get('last_error_message', 'no error')})" if hook else ""
            raise AssertionError(f"{what} in time{why}")
        await asyncio.sleep(0.05)


@contextlib.asynccontextmanager
async def _webhook_bot(tmp_path: Path):
    """A started stand-in and a `python bot.py` process in webhook mode on a free local port."""
    port = _free_port()
    hook = {"url": f"http://127.0.0.1:{port}/khoibot", "secret": secrets.token_urlsafe(24)}
    standin = BotApiStandIn(token=TOKEN, bot_username=BOT_USERNAME)
    await standin.start()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KHOIBOT_")}
    env.update({
        "PYTHONPATH": str(ROOT),
        "KHOIBOT_TELEGRAM_TOKEN": TOKEN,
        "KHOIBOT_TELEGRAM_BASE_URL": standin.base_url,
        "KHOIBOT_TELEGRAM_BASE_FILE_URL": standin.base_file_url,
        "KHOIBOT_TELEGRAM_MODE": "webhook",
        "KHOIBOT_TELEGRAM_WEBHOOK_URL": hook["url"],
        "KHOIBOT_TELEGRAM_WEBHOOK_LISTEN": "127.0.0.1",
        "KHOIBOT_TELEGRAM_WEBHOOK_PORT": str(port),
        "KHOIBOT_TELEGRAM_WEBHOOK_SECRET": hook["secret"],
        "KHOIBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'bot.sqlite3'}",
    })
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "bot.py"), cwd=tmp_path, env=env,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        await _eventually(lambda: standin.webhook is not None or process.returncode is not None,
                          what="the bot did not call setWebhook")
        assert process.returncode is None, (await process.stderr.read()).decode()
        yield standin, process, hook
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await standin.stop()


async def _stops_cleanly(process) -> None:
    process.send_signal(signal.SIGTERM)
    code = await asyncio.wait_for(process.wait(), timeout=30)
    stderr = (await process.stderr.read()).decode()
    assert code == 0, stderr
    assert "Traceback" not in stderr, stderr
    assert TOKEN not in stderr  # the log never shows the token


async def test_bot_runs_in_webhook_mode_and_stops_cleanly(tmp_path):
    async with _webhook_bot(tmp_path) as (standin, process, hook):
        assert standin.webhook["url"] == hook["url"]
        assert standin.webhook["secret_token"] == hook["secret"]
        lan = standin.add_user("Nguyễn Thị Lan")
        await lan.send_private("/start", settle=False)
        await _eventually(lambda: lan.private_chat.bot_messages(), standin=standin)
        assert "Chào Nguyễn Thị Lan!" in lan.private_chat.last_bot_message().text
        assert standin.pending_updates() == []  # the bot's server answered 2xx
        assert standin.stats.calls["getUpdates"] == 0  # it never polled
        await _stops_cleanly(process)


async def test_webhook_server_refuses_a_wrong_secret(tmp_path):
    forged = {"update_id": 1, "message": {
        "message_id": 1, "date": int(time.time()), "text": "/start",
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        "chat": {"id": 42, "type": "private", "first_name": "Kẻ giả"},
        "from": {"id": 42, "is_bot": False, "first_name": "Kẻ giả"}}}
    async with _webhook_bot(tmp_path) as (standin, process, hook), aiohttp.ClientSession() as http:

        async def post(headers: dict[str, str]) -> int:
            # PTB may call setWebhook before its server listens: retry until it does.
            for _ in range(300):
                try:
                    async with http.post(hook["url"], json=forged, headers=headers) as r:
                        return r.status
                except aiohttp.ClientConnectorError:
                    await asyncio.sleep(0.05)
            raise AssertionError("the bot's webhook server never listened")

        assert await post({SECRET_HEADER: "wrong-" + hook["secret"]}) == 403
        assert await post({}) == 403
        # The real sender, with the right secret, still gets through; the forged update did not.
        lan = standin.add_user("Nguyễn Thị Lan")
        await lan.send_private("/start", settle=False)
        await _eventually(lambda: lan.private_chat.bot_messages(), standin=standin)
        assert {s.chat_id for s in standin.stats.sends} == {lan.id}
        assert not [key for key in standin.stats.errors if key[0].startswith("send")]  # none to 42
        await _stops_cleanly(process)
