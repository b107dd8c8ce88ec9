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
- ``Pair``: two nodes of one bot on one PostgreSQL database (khoibot/standby.py) behind
  CrashBot's interface, so that the same bursts and checks run with a standby taking over.
- ``burst``, ``check_people``, the reminder round's pieces and the records' checks are the
  suites' common steps (tests/test_crash.py, tests/test_standby.py).
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import func, select

from bench.botproc import write_config
from standin import BotApiStandIn, BotCall
from standin.state import SimChat, SimMessage, SimUser
from storage.db import Database
from storage.models import (BallotCast, Bloc, Milestone, Registration, Reminder, ReminderDelivery, SealedBallot, Unit,
                            Vote)
from tests.samples import HUE_UNITS, enrol, opened_box, set_up_bloc

ROOT = Path(__file__).resolve().parent.parent
# The calls by which the bot changes what someone sees.
VISIBLE = ("sendMessage", "editMessageText", "answerCallbackQuery", "editMessageReplyMarkup", "sendDocument",
           "pinChatMessage")
# What a log line of a failure looks like (the bot logs JSON or text; both carry these).
FAILURE = re.compile(r"Traceback|update failed|\"levelname\": \"ERROR\"| ERROR ")


class KillAtCall:
    """Killing a bot right after one of its calls: ``arm`` it, and the stand-in's calls (given
    to ``count_towards_kill``) count down to ``kill``."""

    _armed: int | None = None
    _armed_methods: tuple[str, ...] = VISIBLE
    _armed_chats: set[int] | None = None

    def kill(self, point: str) -> None:
        raise NotImplementedError

    def arm(self, calls: int, methods: tuple[str, ...] = VISIBLE, chats: set[int] | None = None) -> None:
        """Kill the bot right after its `calls`-th call of these methods (to these chats) takes
        effect, before the bot hears the answer."""
        self._armed, self._armed_methods, self._armed_chats = calls, methods, chats

    def disarm(self) -> None:
        self._armed = None

    @property
    def armed(self) -> bool:
        return self._armed is not None

    def count_towards_kill(self, call: BotCall) -> None:
        if self._armed is None or call.method not in self._armed_methods:
            return
        if self._armed_chats is not None and call.chat_id not in self._armed_chats:
            return
        self._armed -= 1
        if self._armed <= 0:
            self._armed = None
            self.kill(f"after {call.method}")


class CrashBot(KillAtCall):
    """One bot, many lives: each start is a new child process with its own log file."""

    def __init__(self, standin: BotApiStandIn, database_url: str, folder: Path, extra: str = "") -> None:
        self.standin = standin
        self.folder = folder
        self.config = write_config(folder / "crash.toml", token=standin.token, base_url=standin.base_url,
                                   base_file_url=standin.base_file_url, database_url=database_url,
                                   rate_limit=False, log_level=os.environ.get("CRASH_LOG_LEVEL", "INFO"), extra=extra)
        self.process: asyncio.subprocess.Process | None = None
        self.lives = 0
        self.kills = 0
        self.killed_at = 0.0  # the stand-in's clock (time.monotonic) at the last kill
        self.kill_points: list[str] = []  # what the bot was doing when killed
        self._killed = False
        standin.listen(self._on_call)

    # ---- lives
    async def start(self, timeout: float = 60.0) -> None:
        """Start a new life and wait until it polls (its start-up work, reminders caught up, is
        done), or until it dies (killed while starting)."""
        polls = self.standin.stats.calls["getUpdates"]
        await self.launch()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.standin.stats.calls["getUpdates"] == polls and self.alive:
            if loop.time() > deadline:
                raise AssertionError(f"the bot did not start polling in {timeout} s; see {self.folder}")
            await asyncio.sleep(0.02)

    async def launch(self) -> None:
        """Start a new life and return at once."""
        self.lives += 1
        self._killed = False
        log = open(self.log_file, "wb")
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "khoibot.cli", "--config", str(self.config), cwd=str(ROOT),
            stdout=log, stderr=asyncio.subprocess.STDOUT, stdin=asyncio.subprocess.DEVNULL)
        log.close()

    @property
    def log_file(self) -> Path:
        return self.folder / f"bot-{self.lives:03d}.log"

    def said(self, text: str) -> bool:
        """Whether this life's log holds the text."""
        return self.log_file.exists() and text in self.log_file.read_text(encoding="utf-8", errors="replace")

    @property
    def alive(self) -> bool:
        """Running and not killed (a killed process counts as dead before it is reaped)."""
        return self.process is not None and self.process.returncode is None and not self._killed

    def kill(self, point: str) -> None:
        if self.alive:
            self.process.kill()  # SIGKILL: no clean-up, no offset confirmed, nothing flushed
            self._killed = True
            self.killed_at = time.monotonic()
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

    def _on_call(self, call: BotCall) -> None:
        self.count_towards_kill(call)

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


# ---- the steps both crash suites take -------------------------------------------------

async def the_bloc(sandbox, db: Database):
    """The bloc, its 12 units and their representatives, set up with the bot in the test's
    process: (group, secretary, officers by unit, the bloc, unit ids by name, every chat a
    reminder reaches)."""
    await sandbox.start_bot()
    group, secretary = await set_up_bloc(sandbox)
    officers = await enrol(sandbox, group, secretary, HUE_UNITS)
    await sandbox.stop_bot()
    with db.session() as session:
        bloc = session.exec(select(Bloc)).one()
        units = {u.name: u.id for u in session.exec(select(Unit))}
    return group, secretary, officers, bloc, units, {o.id for o in officers.values()} | {group.id}


async def ballot_opened(sandbox, group, secretary) -> None:
    """The secretary prepares and opens the ballot, with no deadline (the bot in the test's process)."""
    await sandbox.start_bot()
    await secretary.send(group, "/binhxet")
    await secretary.press(group.last_bot_message(), "Chuẩn bị lá phiếu")
    await secretary.press(group.last_bot_message(), "Mở bỏ phiếu")
    await secretary.reply(group.last_bot_message(), "không")
    assert "Đã bỏ phiếu: 0/12 đơn vị" in group.last_bot_message().text
    await sandbox.stop_bot()


async def burst(bot, people, chaos: Chaos, limit: float = float(os.environ.get("CRASH_LIMIT", 150))) -> int:
    """Everyone acts at once while `chaos` kills; how many kills there were."""
    loop = asyncio.get_running_loop()
    kills_before = bot.kills
    done = asyncio.Event()
    killer = asyncio.create_task(chaos.run(done))
    try:
        await asyncio.gather(*(p.run(bot.standin, loop.time() + limit) for p in people))
    finally:
        done.set()
        await killer
    if not bot.alive:
        await bot.restart()
    return bot.kills - kills_before


# What a person may be told when a press finds the conversation ended (e.g. by a crash).
START_AGAIN = ("/dangky", "/bophieu")


def check_people(people, what: str, standin=None) -> dict:
    unfinished = [p.unit for p in people if not p.done]
    stuck = next((p for p in people if not p.done), None)
    assert not unfinished, (f"{what}: these people never got through: {unfinished}; the first one's chat ends:\n"
                            + "\n".join(f"{m.text!r} {m.buttons}" for m in stuck.chat.bot_messages()[-4:])
                            + f"\nalerts {stuck.alerts[-3:]}, silences {stuck.cut}, commands {stuck.commands}"
                            + (f" pending {standin.pending_updates()[:2]} polls {standin.stats.calls['getUpdates']} "
                               f"answer {standin.callback_answer(stuck.user.last_query_id)}" if standin and stuck else ""))
    for p in people:
        for alert in p.alerts:
            assert any(c in alert for c in START_AGAIN) or "thử lại" in alert, \
                f"{what}: {p.unit} was told {alert!r}, which does not say how to go on"
    return dict(receipted=sum(p.receipt is not None for p in people),
                found_saved=sum(p.found_saved is not None for p in people),
                cut=sum(p.cut for p in people), restarted=sum(p.commands - 1 for p in people),
                alerts=sum(len(p.alerts) for p in people))


def add_due_reminder(db: Database, bloc: Bloc) -> int:
    """A covenant-meeting reminder due now (the earlier milestones cancelled): it goes to every
    unit (none signed) and the group."""
    now = datetime.now(UTC)
    with db.session() as session:
        for old in session.exec(select(Milestone).where(Milestone.cancelled_at.is_(None))):
            old.cancelled_at = now
            session.add(old)
        milestone = Milestone(bloc_id=bloc.id, year=bloc.year, kind="covenant_meeting", at=now + timedelta(days=3),
                              place="Hội trường A", created_by=1, created_at=now)
        session.add(milestone)
        session.flush()
        reminder = Reminder(bloc_id=bloc.id, milestone_id=milestone.id, due_at=now - timedelta(minutes=1), label="3d")
        session.add(reminder)
        session.flush()
        return reminder.id


def check_reminder(standin: BotApiStandIn, db: Database, reminder_id: int, mark: int, chats: set[int],
                   killed_after: int) -> dict:
    """The reminder went to every chat at most once, and reached all but the one send a kill may
    have interrupted (recorded unsure)."""
    sent = Counter(m.chat.id for m in standin.sent_since(mark) if (m.text or "").startswith("⏰"))
    with db.session() as session:
        row = session.get(Reminder, reminder_id)
        deliveries = session.exec(select(ReminderDelivery).where(ReminderDelivery.reminder_id == reminder_id)).all()
    twice = {chat: n for chat, n in sent.items() if n > 1}
    assert not twice, f"reminder sent twice to {twice} (killed after send {killed_after})"
    assert row.status == "sent", row
    assert {d.chat_id for d in deliveries} == chats
    missing = chats - set(sent)
    # At most once: a message in flight when the bot died may be lost, never repeated.
    assert len(missing) <= 1, f"reminder lost for {missing}"
    return dict(at=killed_after, delivered=sum(sent.values()), lost=len(missing))


def check_registrations(db: Database, units: dict[str, int], people, title_code: str) -> None:
    """Every unit has exactly one version, as its representative confirmed it."""
    with db.session() as session:
        rows = session.exec(select(Registration)).all()
    by_unit = Counter(r.unit_id for r in rows)
    assert {name: by_unit[uid] for name, uid in units.items() if by_unit[uid] != 1} == {}, \
        "every unit has exactly one version: nothing lost, nothing written twice"
    for p in people:
        row = next(r for r in rows if r.unit_id == units[p.unit])
        assert row.current and not row.withdrawn and row.collective == [title_code], (p.unit, row)
        assert row.confirmed_by == p.user.id


def check_ballots(db: Database, settings, units: dict[str, int], title_code: str) -> dict[int, int]:
    """One ballot per unit, each sealed once; the box as the close would open it (per unit id)."""
    with db.session() as session:
        vote = session.exec(select(Vote)).one()
        cast = Counter(c.unit_id for c in session.exec(select(BallotCast).where(BallotCast.vote_id == vote.id)))
        sealed = session.exec(select(func.count()).select_from(SealedBallot)
                              .where(SealedBallot.vote_id == vote.id)).one()
    assert cast == Counter(units.values()), "one ballot per unit, every unit's counted"
    assert sealed == len(units), "one sealed ballot per unit"
    box = {unit: n for (code, unit), n in opened_box(db, settings, vote.id).items() if code == title_code}
    assert sum(box.values()) == len(units)
    return box


# ---- two nodes: the active one and its standby ------------------------------------------

ACTIVE_LINE = "active: this node holds the lock"
STANDBY_LINE = "standby: another node is active"


def _sockets(pid: int) -> set[str]:
    """The inodes of the process's sockets."""
    found = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if target.startswith("socket:["):
                found.add(target[8:-1])
    except OSError:
        pass
    return found


def tcp_peers(pid: int) -> set[tuple[int, int]]:
    """(local port, remote port) of the process's TCP connections."""
    inodes = _sockets(pid)
    peers = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[9] in inodes:
                peers.add((int(fields[1].rsplit(":", 1)[1], 16), int(fields[2].rsplit(":", 1)[1], 16)))
    return peers


class Pair(KillAtCall):
    """Two nodes of one bot on one PostgreSQL database, behind CrashBot's interface: ``alive``
    is the active node alive; ``kill()`` and ``arm()`` kill the active node; ``restart()`` starts
    every dead node again at once (as systemd would: it comes back as a standby) and waits until
    a node polls again. What the stand-in saw tells the rest: who polled (its TCP port), how long
    each take-over took (from a kill to the next getUpdates), what was answered twice."""

    def __init__(self, standin: BotApiStandIn, database_url: str, folder: Path, extras: tuple[str, str] = ("", "")
                 ) -> None:
        self.standin = standin
        self.nodes: list[CrashBot] = []
        for name, extra in zip(("a", "b"), extras):
            (folder / name).mkdir(exist_ok=True)
            self.nodes.append(CrashBot(standin, database_url, folder / name, extra=extra))
        self.kill_times: list[float] = []
        self._dead_ports: list[set[int]] = []  # per kill: the killed node's TCP ports (its polls may still land)
        self.answers: Counter[str] = Counter()  # callback query -> answers that took effect
        self.twice: list[str] = []  # the same message sent twice into a chat with nothing done between
        self._last_sent: dict[int, tuple] = {}
        standin.listen(self._on_call)

    # -- CrashBot's interface
    @property
    def kills(self) -> int:
        return sum(n.kills for n in self.nodes)

    @property
    def lives(self) -> int:
        return sum(n.lives for n in self.nodes)

    def active(self) -> CrashBot | None:
        return next((n for n in self.nodes if n.alive and n.said(ACTIVE_LINE)), None)

    @property
    def alive(self) -> bool:
        return self.active() is not None

    def kill(self, point: str) -> None:
        node = self.active()
        if node is not None:
            ports = {local for local, _ in tcp_peers(node.process.pid)}
            node.kill(point)
            self.cut(node.killed_at, ports)

    def cut(self, at: float, ports: set[int]) -> None:
        """The active node was lost at `at` (killed, or its lock's session ended)."""
        self.kill_times.append(at)
        self._dead_ports.append(ports)

    async def fired(self, timeout: float = 60.0) -> None:
        """Wait until the armed kill has come."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self._armed is not None:
            assert loop.time() < deadline, f"the armed kill did not come within {timeout} s"
            await asyncio.sleep(0.02)

    async def start(self, timeout: float = 60.0) -> None:
        """The first node alone (it takes the lock and polls), then the second, as its standby."""
        first, second = self.nodes
        await first.start(timeout)
        await second.launch()
        await self._settled(timeout)

    async def restart(self, timeout: float = 60.0) -> None:
        await self._settled(timeout)

    async def stop(self) -> None:
        for node in self.nodes:  # the standby first: the active one would hand it the lock
            if node is not self.active():
                await node.stop()
        for node in self.nodes:
            await node.stop()

    def failures(self) -> list[str]:
        return [line for node in self.nodes for line in node.failures()]

    # -- waiting for a take-over
    async def _settled(self, timeout: float) -> None:
        """Every dead node started again; one node polls since the last kill, the other waits
        as its standby, holding no connection to Telegram."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for node in self.nodes:
                if not node.alive:
                    await node.wait_dead()
                    await node.launch()
            active = self.active()
            last_kill = self.kill_times[-1] if self.kill_times else 0.0
            dead = self._dead_ports[-1] if self._dead_ports else set()
            polled = any(at > last_kill and port not in dead for at, port in self.standin.stats.polls)
            others = [n for n in self.nodes if n is not active]
            if active is not None and polled and all(n.said(STANDBY_LINE) for n in others):
                break
            if loop.time() > deadline:
                raise AssertionError(f"no node took over within {timeout} s; see {self.nodes[0].folder.parent}")
            await asyncio.sleep(0.02)
        self.check_one_polls(active, others)

    def check_one_polls(self, active: CrashBot, standbys: list[CrashBot]) -> None:
        """The last getUpdates came from the active node; a standby talks to no Telegram."""
        _at, port = self.standin.stats.polls[-1]
        assert port in {local for local, _ in tcp_peers(active.process.pid)}, "the last poll is the active node's"
        for node in standbys:
            assert all(remote != self.standin.port for _, remote in tcp_peers(node.process.pid)), \
                "a standby holds a connection to Telegram"

    def takeovers(self) -> list[float]:
        """For each kill of the active node followed by another node's poll before the next kill:
        the seconds from the kill to that poll (a poll the killed node had already sent may still
        arrive after the kill: it does not count)."""
        times = []
        for i, (killed, dead) in enumerate(zip(self.kill_times, self._dead_ports)):
            following = next((at for at, port in self.standin.stats.polls if at > killed and port not in dead), None)
            if following is not None and (i + 1 == len(self.kill_times) or following < self.kill_times[i + 1]):
                times.append(following - killed)
        return times

    # -- what the stand-in saw
    def _on_call(self, call: BotCall) -> None:
        if call.method == "answerCallbackQuery":
            self.answers[call.query_id] += 1
        elif call.method == "sendMessage":
            self._note_sent(call)
        self.count_towards_kill(call)

    def _note_sent(self, call: BotCall) -> None:
        chat = self.standin.chat(call.chat_id)
        if chat.is_group:
            return
        message = next((m for m in reversed(chat.history) if m.message_id == call.message_id), None)
        if message is None or (message.text or "").startswith("⏰"):  # reminders: checked by reminder
            return
        done = (sum(not m.from_bot for m in chat.history),
                sum(r.message.chat.id == chat.id for r in self.standin.world.callbacks.values()))
        said = (message.text, message.caption, str(message.buttons))
        if self._last_sent.get(chat.id) == (done, said):
            self.twice.append(f"{chat.id}: {(message.text or '')[:80]!r}")
        self._last_sent[chat.id] = (done, said)

    def answered_twice(self) -> list[str]:
        return [f"press {query} answered {n} times" for query, n in self.answers.items() if n > 1] + self.twice
