"""The real bot as a child process (``python -m khoibot.cli --config <toml>``) against a
stand-in Telegram running in the benchmark's own event loop, and its memory from /proc."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from pathlib import Path

from bench.report import peak_rss_mb, rss_mb

ROOT = Path(__file__).resolve().parent.parent


def write_config(path: Path, *, token: str, base_url: str, base_file_url: str, database_url: str,
                 rate_limit: bool = True, log_level: str = "INFO", extra: str = "") -> Path:
    """The bot's config file; ``extra`` is TOML appended as is (more sections)."""
    def q(value: str) -> str:
        return json.dumps(value)  # a TOML basic string is a JSON string

    path.write_text(f"""[telegram]
token = {q(token)}
base_url = {q(base_url)}
base_file_url = {q(base_file_url)}
poll_timeout = 5
rate_limit = {'true' if rate_limit else 'false'}

[database]
url = {q(database_url)}

[bot]
province = "Thừa Thiên Huế"

[logging]
level = {q(log_level)}
format = "text"
{extra}""", encoding="utf-8")
    return path


class BotProcess:
    """Start, wait until polling, read memory, stop."""

    def __init__(self, standin, config: Path, log_path: Path) -> None:
        self.standin = standin
        self.config = config
        self.log_path = log_path
        self.process: asyncio.subprocess.Process | None = None
        self.started_at = 0.0

    @property
    def pid(self) -> int:
        return self.process.pid

    async def launch(self) -> None:
        """Start the process and return at once."""
        self._polls = self.standin.stats.calls["getUpdates"]
        self.started_at = time.perf_counter()
        log = open(self.log_path, "wb")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "khoibot.cli", "--config", str(self.config), cwd=str(ROOT),
            stdout=log, stderr=asyncio.subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        log.close()

    @property
    def polling(self) -> bool:
        return self.standin.stats.calls["getUpdates"] > self._polls

    async def start(self, timeout: float = 120.0) -> float:
        """Start the bot; return the seconds until its first getUpdates (post_init done)."""
        await self.launch()
        while not self.polling:
            if self.process.returncode is not None:
                raise RuntimeError(f"the bot exited ({self.process.returncode}); see {self.log_path}")
            if time.perf_counter() - self.started_at > timeout:
                raise RuntimeError(f"the bot did not start polling within {timeout} s; see {self.log_path}")
            await asyncio.sleep(0.05)
        return time.perf_counter() - self.started_at

    def rss_mb(self) -> float:
        return rss_mb(self.pid)

    def peak_rss_mb(self) -> float:
        return peak_rss_mb(self.pid)

    async def stop(self) -> int:
        if self.process is None or self.process.returncode is not None:
            return self.process.returncode if self.process else 0
        self.process.send_signal(signal.SIGTERM)
        try:
            return await asyncio.wait_for(self.process.wait(), 30)
        except asyncio.TimeoutError:
            self.process.kill()
            return await self.process.wait()
