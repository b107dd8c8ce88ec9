"""The bot as a deployer runs it: `python bot.py` in its own process, configured only by
the environment, talking HTTP to a Bot API server at a configured base URL, and stopping
cleanly on SIGTERM and SIGINT."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from standin import BotApiStandIn
from tests.conftest import BOT_USERNAME, TOKEN

ROOT = Path(__file__).resolve().parent.parent


async def _eventually(predicate, timeout: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("the bot process did not answer in time")
        await asyncio.sleep(0.05)


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
async def test_bot_process_answers_and_stops_cleanly(tmp_path, stop_signal):
    standin = BotApiStandIn(token=TOKEN, bot_username=BOT_USERNAME)
    await standin.start()
    env = {k: v for k, v in os.environ.items() if not k.startswith("KHOIBOT_")}
    env.update({
        "PYTHONPATH": str(ROOT),
        "KHOIBOT_TELEGRAM_TOKEN": TOKEN,
        "KHOIBOT_TELEGRAM_BASE_URL": standin.base_url,
        "KHOIBOT_TELEGRAM_BASE_FILE_URL": standin.base_file_url,
        "KHOIBOT_TELEGRAM_POLL_TIMEOUT": "1",
        "KHOIBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'bot.sqlite3'}",
    })
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "bot.py"), cwd=tmp_path, env=env,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        lan = standin.add_user("Nguyễn Thị Lan")
        await _eventually(lambda: standin.stats.calls.get("getUpdates", 0) > 0)
        await lan.send_private("/start", settle=False)
        await _eventually(lambda: lan.private_chat.bot_messages())
        assert "Chào Nguyễn Thị Lan!" in lan.private_chat.last_bot_message().text
        process.send_signal(stop_signal)
        code = await asyncio.wait_for(process.wait(), timeout=30)
        stderr = (await process.stderr.read()).decode()
        assert code == 0, stderr
        assert "Traceback" not in stderr
        assert TOKEN not in stderr  # the log never shows the token
        assert '"message": "bot ready"' in stderr  # structured JSON lines
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await standin.stop()
