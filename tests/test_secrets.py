"""The bot token never shows: not in the log (JSON or text), not in what people read, not
in what the deployer's command prints, whatever fails (5xx answers, the Bot API server
gone, a token the server rejects, a server that cannot be reached). Invitation tokens
never show in the log either."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

from khoibot.logs import JsonFormatter, RedactFilter, setup_logging
from khoibot.sandbox import BOT_USERNAME, TOKEN
from standin import BotApiStandIn
from tests.samples import set_up_bloc

ROOT = Path(__file__).resolve().parent.parent
SECRET = TOKEN.split(":", 1)[1]


@contextmanager
def captured_logs():
    """The deployment's logging (khoibot.logs.setup_logging) into two buffers, JSON and text."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in ("httpx", "apscheduler", "alembic", "telegram")}
    setup_logging("DEBUG", "json", [TOKEN])
    json_out, text_out = io.StringIO(), io.StringIO()
    root.handlers[0].setStream(json_out)
    text = logging.StreamHandler(text_out)
    text.addFilter(RedactFilter([TOKEN]))
    text.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(text)
    assert isinstance(root.handlers[0].formatter, JsonFormatter)
    try:
        yield json_out, text_out
    finally:
        root.handlers[:], _ = saved[0], root.setLevel(saved[1])
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


async def test_failures_from_telegram_never_show_the_token(world):
    with captured_logs() as (json_out, text_out):
        group, secretary = await set_up_bloc(world, units=["Hội Khuyến học", "Hội Nhà báo"])
        # 5xx on sends: the handler fails, the error handler logs it and tells the person.
        world.standin.faults.fail_next("sendMessage", times=1, kind="500")
        await secretary.send(group, "/donvi")
        world.standin.faults.fail_next(None, times=1, kind="502")
        await secretary.send(group, "/lich")
        # Invitations: the links go to the secretary; the log never holds them.
        await secretary.send(group, "/moi")
        links = secretary.private_chat.last_bot_message().text
        tokens = [line.split("start=")[1] for line in links.splitlines() if "start=" in line]
        assert len(tokens) == 2
        # The Bot API server goes away while the bot polls.
        await world.standin.stop()
        for _ in range(200):  # until the poller has failed at least once (bounded)
            if "NetworkError" in text_out.getvalue():
                break
            await asyncio.sleep(0.05)
        await world.standin.start()
    logged = json_out.getvalue() + text_out.getvalue()
    assert "update failed" in logged and "Traceback" in logged  # the failures were logged, in full
    assert "NetworkError" in logged  # and the poller's, with the server gone
    assert TOKEN not in logged and SECRET not in logged
    leaks = [line[:300] for line in logged.splitlines() if any(token[2:] in line for token in tokens)]
    assert not leaks, leaks
    said = "\n".join((m.text or m.caption or "") for chat in (group, secretary.private_chat)
                     for m in chat.bot_messages())
    assert "Đã có lỗi" in said or "lỗi" in said
    assert TOKEN not in said and SECRET not in said


def _khoibot(base_url: str, token: str, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KHOIBOT_")}
    env.update(PYTHONPATH=str(ROOT), KHOIBOT_TELEGRAM_TOKEN=token, KHOIBOT_TELEGRAM_BASE_URL=base_url,
               KHOIBOT_DATABASE_URL=f"sqlite:///{tmp_path / 'bot.sqlite3'}")
    return subprocess.run([sys.executable, str(ROOT / "bot.py")], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120, stdin=subprocess.DEVNULL)


async def test_the_command_says_the_token_was_rejected_without_printing_it(tmp_path):
    standin = BotApiStandIn(token=TOKEN, bot_username=BOT_USERNAME)
    await standin.start()
    try:
        wrong = "999001:WRONG-secret-part"
        result = await asyncio.to_thread(_khoibot, standin.base_url, wrong, tmp_path)
    finally:
        await standin.stop()
    assert result.returncode == 1
    assert "từ chối token của bot" in result.stderr, result.stderr
    assert wrong not in result.stderr + result.stdout and "WRONG-secret-part" not in result.stderr + result.stdout
    # PTB's own failure is in the log (redacted); the last line says what to do.
    assert "<token>" in result.stderr and "từ chối token" in result.stderr.strip().splitlines()[-1]


def test_the_command_says_the_server_cannot_be_reached_without_the_token(tmp_path):
    token = "999002:UNREACHABLE-secret"
    result = _khoibot("http://127.0.0.1:9/bot", token, tmp_path)  # nothing listens on port 9
    assert result.returncode == 1
    assert "không kết nối được máy chủ Bot API" in result.stderr, result.stderr
    assert "UNREACHABLE-secret" not in result.stderr + result.stdout
    assert "không kết nối được" in result.stderr.strip().splitlines()[-1]
