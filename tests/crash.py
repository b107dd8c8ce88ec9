"""The crash harness: the real bot as a child process (``python -m khoibot.cli``) against the
stand-in running in the test's own event loop, killed with SIGKILL at chosen or random moments
and started again, while people carry on as they would.

- ``CrashBot`` starts the bot on a database URL, kills it (``kill()``, or ``arm(n)``: at the
  n-th call of the bot that touches a chat, right after it took effect and before the bot
  hears the answer), starts it again, and keeps every life's log.
- ``Registrant`` and ``Voter`` are people with a goal (a registration, a ballot): they look at
  their private chat, press or type what takes them closer, and when the bot stays silent
  (it was killed) they try again as a person would: press again, then send the command again.
- ``Chaos`` kills the bot at random (seeded) moments, by call count or by wall-clock delay,
  and restarts it, until its budget of kills is spent.
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from bench.botproc import write_config
from standin import BotApiStandIn, BotCall
from standin.state import SimChat, SimMessage, SimUser

ROOT = Path(__file__).resolve().parent.parent
# The calls by which the bot changes what someone sees.
VISIBLE = ("sendMessage", "editMessageText", "answerCallbackQuery", "editMessageReplyMarkup", "sendDocument",
           "pinChatMessage")
# What a log line of a failure looks like (the bot logs JSON or text; both carry these).
FAILURE = re.compile(r"Traceback|update failed|\"levelname\": \"ERROR\"| ERROR ")


class CrashBot:
    """One bot, many lives: each start is a new child process with its own log file."""

    def __init__(self, standin: BotApiStandIn, database_url: str, folder: Path) -> None:
        self.standin = standin
        self.folder = folder
        self.config = write_config(folder / "crash.toml", token=standin.token, base_url=standin.base_url,
                                   base_file_url=standin.base_file_url, database_url=database_url,
                                   rate_limit=False, log_level=os.environ.get("CRASH_LOG_LEVEL", "INFO"))
        self.process: asyncio.subprocess.Process | None = None
        self.lives = 0
        self.kills = 0
        self.kill_points: list[str] = []  # what the bot was doing when killed
        self._armed: int | None = None
        self._killed = False
        self._armed_methods: tuple[str, ...] = VISIBLE
        self._armed_chats: set[int] | None = None
        standin.listen(self._on_call)

    # ---- lives
    async def start(self, timeout: float = 60.0) -> None:
        """Start a new life and wait until it polls (its start-up work, reminders caught up, is
        done), or until it dies (killed while starting)."""
        self.lives += 1
        self._killed = False
        log = open(self.folder / f"bot-{self.lives:03d}.log", "wb")
        polls = self.standin.stats.calls["getUpdates"]
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "khoibot.cli", "--config", str(self.config), cwd=str(ROOT),
            stdout=log, stderr=asyncio.subprocess.STDOUT, stdin=asyncio.subprocess.DEVNULL)
        log.close()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.standin.stats.calls["getUpdates"] == polls and self.alive:
            if loop.time() > deadline:
                raise AssertionError(f"the bot did not start polling in {timeout} s; see {self.folder}")
            await asyncio.sleep(0.02)

    @property
    def alive(self) -> bool:
        """Running and not killed (a killed process counts as dead before it is reaped)."""
        return self.process is not None and self.process.returncode is None and not self._killed

    def kill(self, point: str) -> None:
        if self.alive:
            self.process.kill()  # SIGKILL: no clean-up, no offset confirmed, nothing flushed
            self._killed = True
            self.kills += 1
            self.kill_points.append(point)

    async def wait_dead(self) -> None:
        if self.process is not None:
            await self.process.wait()

    async def restart(self) -> None:
        await self.wait_dead()
        await self.start()

    async def stop(self) -> None:
        """A clean stop (SIGTERM) at the end of a run."""
        if self.alive:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 30)
            except asyncio.TimeoutError:
                self.process.kill()
                await self.process.wait()

    # ---- killing at a call
    def arm(self, calls: int, methods: tuple[str, ...] = VISIBLE, chats: set[int] | None = None) -> None:
        """Kill the bot right after its `calls`-th call of these methods (to these chats) takes
        effect, before the bot hears the answer."""
        self._armed, self._armed_methods, self._armed_chats = calls, methods, chats

    def disarm(self) -> None:
        self._armed = None

    @property
    def armed(self) -> bool:
        return self._armed is not None

    def _on_call(self, call: BotCall) -> None:
        if self._armed is None or call.method not in self._armed_methods:
            return
        if self._armed_chats is not None and call.chat_id not in self._armed_chats:
            return
        self._armed -= 1
        if self._armed <= 0:
            self._armed = None
            self.kill(f"after {call.method}")

    # ---- reading the logs
    def failures(self) -> list[str]:
        """Lines of every life's log that tell of an unhandled exception or a logged error."""
        found = []
        for path in sorted(self.folder.glob("bot-*.log")):
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                if FAILURE.search(line):
                    found.append(f"{path.name}: {line[:300]}")
        return found


# ---- people who carry on whatever happens to the bot -------------------------------------

def snapshot(chat: SimChat) -> tuple:
    """What the person sees the bot say in the chat: its messages, their texts and buttons."""
    said = [m for m in chat.history if m.from_bot]
    return tuple((m.message_id, m.text, m.caption, len(m.edits), bool(m.markup) and str(m.buttons), m.deleted)
                 for m in said[-4:]) + (len(said),)


@dataclass
class Person:
    user: SimUser
    unit: str
    command: str
    patience: float = 4.0  # seconds of silence before trying again
    done: bool = False
    receipt: str | None = None  # the receipt the person received
    found_saved: str | None = None  # or: what the bot showed when asked again
    alerts: list[str] = field(default_factory=list)  # pop-ups the bot answered presses with
    said: list[str] = field(default_factory=list)  # texts the bot sent that were not steps
    retries: int = 0
    commands: int = 0
    cut: int = 0  # times the bot fell silent on this person
    told_to_restart: bool = False

    @property
    def chat(self) -> SimChat:
        return self.user.private_chat

    async def _wait(self, before: tuple, query_id: str | None, standin: BotApiStandIn) -> bool:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.patience
        while loop.time() < deadline:
            if snapshot(self.chat) != before:
                await asyncio.sleep(0.05)  # a step is often an answer plus an edit: let both land
                return True
            if query_id is not None:
                answer = standin.callback_answer(query_id)
                if answer is not None and answer.get("text"):
                    self.alerts.append(answer["text"])
                    # Told that the button is old and to send the command again: do so.
                    self.told_to_restart = f"/{self.command}" in answer["text"]
                    return True
            await asyncio.sleep(0.02)
        return False

    async def press(self, message: SimMessage, text: str, standin: BotApiStandIn) -> bool:
        before = snapshot(self.chat)
        await self.user.press(message, text, settle=False)
        return await self._wait(before, self.user.last_query_id, standin)

    async def type(self, text: str, standin: BotApiStandIn) -> bool:
        before = snapshot(self.chat)
        await self.user.send_private(text, settle=False)
        return await self._wait(before, None, standin)

    async def run(self, standin: BotApiStandIn, deadline: float) -> None:
        """Act until the goal is reached (a receipt, or the saved record shown) or time is up."""
        loop = asyncio.get_running_loop()
        silent = 0
        answered = await self.type(f"/{self.command}", standin)
        self.commands += 1
        while not self.done and loop.time() < deadline and self.commands < 100:
            if not answered:
                silent += 1
                self.cut += 1
            else:
                silent = 0
            if silent >= 2 or self.told_to_restart:  # pressed twice into silence, or told to: start over
                silent, self.told_to_restart = 0, False
                self.commands += 1
                answered = await self.type(f"/{self.command}", standin)
                continue
            if not answered:
                self.retries += 1
            answered = await self.step(standin)

    async def step(self, standin: BotApiStandIn) -> bool:
        raise NotImplementedError

    def last(self) -> SimMessage | None:
        messages = self.chat.bot_messages()
        return messages[-1] if messages else None


def _toggles(message: SimMessage) -> dict[str, bool]:
    return {b.split(" ", 1)[1]: b.startswith("✅") for row in message.buttons for b in row
            if b.startswith(("✅", "▫️")) and " " in b and not b.startswith("✅ Xác nhận")}


class Registrant(Person):
    """A unit's representative registering these collective titles, no individuals, no targets."""

    def __init__(self, user: SimUser, unit: str, titles: list[str], **kw) -> None:
        super().__init__(user, unit, "dangky", **kw)
        self.titles = titles

    async def step(self, standin: BotApiStandIn) -> bool:
        for m in self.chat.bot_messages():
            if m.text and "Đã ghi nhận đăng ký thi đua" in m.text:
                self.done, self.receipt = True, m.text
                return True
        m = self.last()
        buttons = [b for row in m.buttons for b in row] if m else []
        text = m.text or "" if m else ""
        if "✏️ Sửa đăng ký" in buttons and "Đăng ký đang có hiệu lực" in text:
            self.done, self.found_saved = True, text  # asked again: the registration is there
            return True
        if "📝 Đăng ký" in buttons:
            return await self.press(m, "📝 Đăng ký", standin)
        toggles = _toggles(m) if m else {}
        if toggles and "Tiếp »" in buttons:
            wrong = [name for name, on in toggles.items() if on != (name in self.titles)]
            if wrong:
                return await self.press(m, next(b for b in buttons if b.endswith(wrong[0])), standin)
            return await self.press(m, "Tiếp »", standin)
        if "✅ Xác nhận" in buttons:
            # Read the review before confirming: a press repeated into a silence may have
            # toggled a title back. Wrong: cancel and start again.
            if all(title in text for title in self.titles):
                return await self.press(m, "✅ Xác nhận", standin)
            return await self.press(m, next(b for b in buttons if b.startswith("✖️")), standin)
        for step in ("0 — không đăng ký", "Bỏ qua »", "Giữ nội dung cũ »"):
            if step in buttons:
                return await self.press(m, step, standin)
        if m is not None:
            self.said.append(f"{text[:80]!r} {buttons}")
        # Anything else (a message without buttons, an old step): start again.
        self.commands += 1
        return await self.type("/dangky", standin)


class Voter(Person):
    """A unit's representative casting a ballot: on each line, the candidates in `choices`."""

    def __init__(self, user: SimUser, unit: str, choices: dict[str, list[str]], candidates: list[str],
                 **kw) -> None:
        super().__init__(user, unit, "bophieu", **kw)
        self.choices = choices
        self.candidates = candidates

    async def step(self, standin: BotApiStandIn) -> bool:
        for m in self.chat.bot_messages():
            if m.text and "Đã nhận phiếu của" in m.text:
                self.done, self.receipt = True, m.text
                return True
        m = self.last()
        text = m.text or "" if m else ""
        if "đã bỏ phiếu lúc" in text:
            self.done, self.found_saved = True, text
            return True
        buttons = [b for row in m.buttons for b in row] if m else []
        if "✅ Xác nhận bỏ phiếu" in buttons:
            # Read the ballot before casting it: exactly the units chosen, nobody else.
            named = {u for u in self.candidates if u in text and u != self.unit}
            if named == {u for picks in self.choices.values() for u in picks}:
                return await self.press(m, "✅ Xác nhận bỏ phiếu", standin)
            return await self.press(m, next(b for b in buttons if b.startswith("✖️")), standin)
        if "Tiếp »" in buttons:
            picks = next((units for name, units in self.choices.items() if f"<b>{name}</b>" in (m.html or "")), [])
            toggles = _toggles(m)
            wrong = [name for name, on in toggles.items() if on != (name in picks)]
            if wrong:
                return await self.press(m, next(b for b in buttons if b.endswith(wrong[0])), standin)
            return await self.press(m, "Tiếp »", standin)
        if m is not None:
            self.said.append(f"{text[:80]!r} {buttons}")
        self.commands += 1
        return await self.type("/bophieu", standin)


class Chaos:
    """Kills the bot at random moments until `kills` kills are spent, restarting it each time:
    half by call count (the n-th visible call after the start), half by wall-clock delay."""

    def __init__(self, bot: CrashBot, seed: int, kills: int, max_calls: int = 15, max_delay: float = 0.8) -> None:
        self.bot = bot
        self.random = random.Random(seed)
        self.kills = kills
        self.max_calls = max_calls
        self.max_delay = max_delay
        self.by_calls = 0
        self.by_time = 0

    async def run(self, until: asyncio.Event) -> None:
        for _ in range(self.kills):
            if until.is_set():
                break
            if self.random.random() < 0.5:
                self.by_calls += 1
                self.bot.arm(self.random.randint(1, self.max_calls))
                while self.bot.alive and not until.is_set():
                    await asyncio.sleep(0.01)
                self.bot.disarm()
            else:
                self.by_time += 1
                delay = self.random.uniform(0.05, self.max_delay)
                try:
                    await asyncio.wait_for(until.wait(), delay)
                except asyncio.TimeoutError:
                    self.bot.kill(f"after {delay:.2f} s")
            if not self.bot.alive:
                await self.bot.restart()
