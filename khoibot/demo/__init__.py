"""``khoibot demo``: a bloc's whole year played against the real bot without a token.

The project's Bot API stand-in and the real bot run in this process, on a fresh SQLite
file, with a simulated clock; a script (a TOML file, hue-2025.toml by default) says who
does what and when, and what the bot must answer. The transcript is printed and written
with the documents the bot sent to an output folder.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import tempfile
import time
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from khoibot.render import Renderer

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


class _ErrorCount(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


# Faults injected with --faults: Telegram's flood answer, server errors, and a gateway
# time-out (the call is held, never takes effect, and answered 502).
FAULT_KINDS = ("429", "500", "502", "503", "stall")


def run(script_path: Path | None = None, output: Path | None = None, out: TextIO = sys.stdout, *,
        faults: float = 0.0, seed: int = 1) -> int:
    """Play the script; 0 when every step happened as written, 1 when one did not, 2 when
    the script cannot be read. With ``faults``, that share of the bot's calls fail (seeded)
    and the bot's rate limiter and retries are on, as in production."""
    from khoibot.demo.script import BUNDLED, ScriptError, load

    render = Renderer(TZ)
    path = Path(script_path or BUNDLED)
    try:
        script = load(path, TZ)
    except ScriptError as exc:
        problem = render.plain("demo.problem", code=exc.code, step=exc.step, value=exc.value)
        print(render.plain("demo.bad_script", path=path, problem=problem), file=sys.stderr)
        return 2
    folder = Path(output) if output else Path(tempfile.mkdtemp(prefix="khoibot-demo-"))
    folder.mkdir(parents=True, exist_ok=True)
    return asyncio.run(_run(script, folder, render, out, faults, seed))


async def _run(script, folder: Path, render: Renderer, out: TextIO, faults: float = 0.0, seed: int = 1) -> int:
    from khoibot.demo.player import Player, StepFailed
    from khoibot.demo.transcript import Transcript
    from khoibot.ratelimit import TelegramLimits
    from khoibot import logs
    from khoibot.sandbox import TOKEN, Sandbox, VirtualTime

    started = time.monotonic()
    log_file = folder / "bot.log"
    root = logging.getLogger()
    # The demo logs as a deployment does (khoibot/logs.py): the token redacted, httpx's
    # request URLs (which carry it) and PTB's call parameters kept out.
    file_handler = logs.configure(logging.FileHandler(log_file, mode="w", encoding="utf-8"), "text", [TOKEN])
    logs.quiet_libraries()
    errors = _ErrorCount()
    saved_level = root.level
    root.setLevel(logging.INFO)
    root.addHandler(file_handler)
    root.addHandler(errors)
    database = folder / "khoibot-demo.sqlite3"
    database.unlink(missing_ok=True)
    virtual = VirtualTime()
    limiter = TelegramLimits(clock=virtual.clock, sleep=virtual.sleep) if faults else None
    sandbox = await Sandbox.open(f"sqlite:///{database}", script.start, province=script.province or "Thừa Thiên Huế",
                                 document_place=script.place, telegram={"rate_limit": faults > 0},
                                 rate_limiter=limiter, provinces=script.provinces)
    if faults:
        sandbox.standin.faults.random_failures(faults, kinds=FAULT_KINDS, seed=seed, retry_after=1, seconds=0.2)
    transcript = Transcript(sandbox.standin, render, folder, out)
    transcript.say("intro", bloc=script.bloc, year=script.year, units=len(script.units), script=script.path,
                   folder=folder, others=[(b.name, len(b.units)) for b in script.blocs[1:]],
                   officers=list(script.officers), province_group=script.province_group)
    code = 0
    try:
        player = Player(script, sandbox, transcript)
        transcript.home.add(player.group.id)
        await player.play()
        problems = _problems(sandbox, errors, log_file, render)
        if problems:
            transcript.say("step_failed", number=len(script.steps), note="", problem="\n".join(problems))
            code = 1
    except StepFailed as failed:
        transcript.say("step_failed", number=failed.step.number, note=failed.step.note, problem=failed.problem)
        code = 1
    finally:
        await sandbox.close()
        root.removeHandler(file_handler)
        root.removeHandler(errors)
        root.setLevel(saved_level)
        file_handler.close()
    if faults:
        transcript.say("faults_survived", injected=sandbox.standin.stats.faults_injected,
                       calls=sum(sandbox.standin.stats.calls.values()) - sandbox.standin.stats.calls["getUpdates"])
    if code == 0:
        transcript.say("done", steps=len(script.steps), messages=len(sandbox.standin.stats.sends),
                       files=transcript.saved, folder=folder, seconds=round(time.monotonic() - started, 1))
    (folder / "transcript.txt").write_text("\n".join(transcript.lines) + "\n", encoding="utf-8")
    return code


def _problems(sandbox, errors: _ErrorCount, log_file: Path, render: Renderer) -> list[str]:
    """What went wrong out of sight: errors the bot logged, calls Telegram would refuse."""
    problems = []
    if errors.count:
        problems.append(render.plain("demo.bot_errors", count=errors.count, log=log_file))
    # Refusals (4xx other than 429), not the faults injected on purpose.
    refused = {key: n for key, n in sandbox.standin.stats.errors.items() if 400 <= key[1] < 500 and key[1] != 429}
    if refused:
        detail = ", ".join(f"{method} {code} ×{n}" for (method, code), n in sorted(refused.items()))
        problems.append(render.plain("demo.rejected_calls", count=sum(refused.values()), detail=detail))
    return problems
