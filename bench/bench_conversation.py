"""Benchmark 1 of issue 6: conversation throughput and latency.

Many representatives at once (50, then 200) go through the complete registration
conversation (/dangky, the buttons, typed numbers, the targets, confirm) over HTTP through the
stand-in, against the real bot (the ``khoibot`` CLI in a child process, SQLite file database).
In the same run the same traffic (the same number and kinds of updates per representative)
goes through a bare PTB echo bot (``bench/echo_bot.py``) on the same stand-in: the floor.

    python -m bench.bench_conversation                    # 50 and 200, 5 rounds, writes docs/BENCHMARKS.md
    python -m bench.bench_conversation --levels 50 --rounds 3 --no-write
    python -m bench.bench_conversation --profile khoibot  # cProfile the bot's child process

Each simulated person acts, then waits until the bot answered in their chat (the stand-in's
``listen`` hook): a typed message waits for the bot's new message with buttons; a button press
waits for answerCallbackQuery and the edit of the pressed message. Latency = from the update
being queued in the stand-in to the bot's first answering call in that chat (sendMessage,
editMessageText or answerCallbackQuery). Throughput = updates of the burst / the burst's wall time.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import signal
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Awaitable, Callable
from zoneinfo import ZoneInfo

from bench import report
from standin import BotApiStandIn, BotCall, SimChat, SimMessage, SimUser

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456:BENCH-token"
BOT_USERNAME = "khoibot_bench_bot"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
UNITS_PER_BLOC = 12
ANSWERS = ("sendMessage", "editMessageText", "answerCallbackQuery")
STEP_TIMEOUT = 120.0
NOTES = Path(__file__).resolve().parent / "conversation_notes.md"
XS = "Tập thể lao động xuất sắc"
ZERO = "0 — không đăng ký"
TARGETS = "Phát triển 100 hội viên mới\nTổ chức 2 hội thảo"


# ---- waiting for "the bot answered in my chat" ------------------------------------------

class Answers:
    """Every bot call per chat, and waiters woken when a call lands in their chat."""

    def __init__(self, standin: BotApiStandIn) -> None:
        self.calls: dict[int, list[BotCall]] = defaultdict(list)
        self._waiting: dict[int, list[tuple[int, Callable[[list[BotCall]], bool], asyncio.Future]]] = defaultdict(list)
        self.stop = standin.listen(self._heard)

    def mark(self, chat_id: int) -> int:
        return len(self.calls[chat_id])

    def _heard(self, call: BotCall) -> None:
        calls = self.calls[call.chat_id]
        calls.append(call)
        waiting = self._waiting.get(call.chat_id)
        if not waiting:
            return
        for entry in list(waiting):
            since, done, fut = entry
            if not fut.done() and done(calls[since:]):
                fut.set_result(calls[since:])
                waiting.remove(entry)

    async def until(self, chat_id: int, since: int, done: Callable[[list[BotCall]], bool],
                    what: str) -> list[BotCall]:
        calls = self.calls[chat_id][since:]
        if done(calls):
            return calls
        fut = asyncio.get_running_loop().create_future()
        entry = (since, done, fut)
        self._waiting[chat_id].append(entry)
        try:
            return await asyncio.wait_for(fut, STEP_TIMEOUT)
        except asyncio.TimeoutError:
            raise AssertionError(f"no answer in chat {chat_id} within {STEP_TIMEOUT:g} s: {what}; "
                                 f"calls: {[c.method for c in self.calls[chat_id][since:]]}") from None
        finally:
            if entry in self._waiting[chat_id]:
                self._waiting[chat_id].remove(entry)


def new_message_with_buttons(chat: SimChat) -> Callable[[list[BotCall]], bool]:
    def done(calls: list[BotCall]) -> bool:
        for c in calls:
            if c.method == "sendMessage":
                m = chat.get(c.message_id)
                if m is not None and m.button_rows:
                    return True
        return False
    return done


def answered_and_edited(query_id: str, message_id: int) -> Callable[[list[BotCall]], bool]:
    def done(calls: list[BotCall]) -> bool:
        return (any(c.method == "answerCallbackQuery" and c.query_id == query_id for c in calls)
                and any(c.method == "editMessageText" and c.message_id == message_id for c in calls))
    return done


def any_send(calls: list[BotCall]) -> bool:
    return any(c.method == "sendMessage" for c in calls)


# ---- one person's actions, timed ------------------------------------------------------

@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    by_step: dict[int, list[float]] = field(default_factory=lambda: defaultdict(list))
    updates: int = 0
    first: float = math.inf
    last: float = 0.0


class Person:
    def __init__(self, standin: BotApiStandIn, answers: Answers, user: SimUser, unit: str) -> None:
        self.standin, self.answers, self.user, self.unit = standin, answers, user, unit
        self.chat = user.private_chat
        self.step = 0  # the index of the person's next update in the conversation

    async def type(self, text: str, tally: Tally) -> SimMessage:
        since = self.answers.mark(self.chat.id)
        queued = self.standin.clock()
        await self.user.send(self.chat, text, settle=False)
        calls = await self.answers.until(self.chat.id, since, new_message_with_buttons(self.chat), f"after {text!r}")
        return self._timed(queued, calls, tally)

    async def press(self, message: SimMessage, data: str, tally: Tally) -> SimMessage:
        since = self.answers.mark(self.chat.id)
        queued = self.standin.clock()
        await self.user.press_data(message, data, settle=False)
        calls = await self.answers.until(self.chat.id, since,
                                         answered_and_edited(self.user.last_query_id, message.message_id),
                                         f"after pressing {data!r}")
        return self._timed(queued, calls, tally)

    def _timed(self, queued: float, calls: list[BotCall], tally: Tally) -> SimMessage:
        first = next(c for c in calls if c.method in ANSWERS)
        tally.latencies.append(first.at - queued)
        tally.by_step[self.step].append(first.at - queued)
        self.step += 1
        tally.updates += 1
        tally.first = min(tally.first, queued)
        tally.last = max(tally.last, calls[-1].at)
        return self.chat.last_bot_message()


def button_data(message: SimMessage, *, text: str | None = None, prefix: str | None = None) -> str:
    if text is not None:
        return message.find_button(text)["callback_data"]
    found = [b["callback_data"] for row in message.button_rows for b in row
             if b.get("callback_data", "").startswith(prefix)]
    if len(found) != 1:
        raise AssertionError(f"no single button with data {prefix}… on {message!r}: {message.buttons}")
    return found[0]


# The conversation: its kinds of updates ("M" typed, "C" a press), fixed for the run.
def conversation_kinds(individual_steps: int) -> str:
    return "MCCC" + "".join("M" if i % 2 == 0 else "C" for i in range(individual_steps)) + "MC"


def named_people(i: int) -> list[str]:
    """Who is registered for the i-th individual title: i + 1 named people for every other
    title (the first, the third, …), nobody for the rest."""
    return [f"Nguyễn Văn {chr(65 + k)}" for k in range(i + 1)] if i % 2 == 0 else []


async def register(person: Person, individual_steps: int, tally: Tally, targets: str = TARGETS) -> None:
    """/dangky → start (or change) → toggle one collective title → next → per individual title
    type a number with names or press 0, alternately → type the targets → confirm."""
    overview = await person.type("/dangky", tally)
    step = await person.press(overview, button_data(overview, prefix="rg:edit:"), tally)
    step = await person.press(step, button_data(step, text=XS), tally)
    step = await person.press(step, button_data(step, text="Tiếp »"), tally)
    for i in range(individual_steps):
        names = named_people(i)
        if names:
            step = await person.type(f"{len(names)}: " + ", ".join(names), tally)
        else:
            step = await person.press(step, button_data(step, text=ZERO), tally)
    review = await person.type(targets, tally)
    receipt = await person.press(review, button_data(review, text="✅ Xác nhận"), tally)
    if "Đã ghi nhận đăng ký thi đua năm" not in (receipt.text or "") or person.unit not in receipt.text:
        raise AssertionError(f"{person.unit}: no receipt, got {receipt.text!r}")


async def echo(person: Person, kinds: str, tally: Tally) -> None:
    """The same number and kinds of updates, answered by the echo bot."""
    last: SimMessage | None = None
    for i, kind in enumerate(kinds):
        if kind == "M" or last is None:
            last = await person.type(f"tin nhắn {i}", tally)
        else:
            last = await person.press(last, "echo", tally)


# ---- the bots as child processes --------------------------------------------------------

def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KHOIBOT_")}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def write_config(path: Path, standin: BotApiStandIn, database: Path, extra: str = "") -> None:
    """The bot's config for a run; ``extra``: more TOML sections (another benchmark's)."""
    path.write_text(f"""[telegram]
token = "{TOKEN}"
base_url = "{standin.base_url}"
base_file_url = "{standin.base_file_url}"
poll_timeout = 10
rate_limit = false

[database]
url = "sqlite:///{database}"

[bot]
province = "Thừa Thiên Huế"

[logging]
level = "WARNING"
format = "text"
""" + extra, encoding="utf-8")


class Child:
    def __init__(self, standin: BotApiStandIn, argv: list[str], log: Path) -> None:
        self.standin, self.argv, self.log = standin, argv, log
        self.proc: asyncio.subprocess.Process | None = None

    async def __aenter__(self) -> Child:
        polls = self.standin.stats.calls["getUpdates"]
        self._log = self.log.open("ab")
        self.proc = await asyncio.create_subprocess_exec(*self.argv, cwd=ROOT, env=child_env(),
                                                         stdout=self._log, stderr=self._log)
        deadline = time.monotonic() + 60
        while self.standin.stats.calls["getUpdates"] <= polls:  # polling: start-up work is done
            if self.proc.returncode is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{self.argv[2:4]} did not start; see {self.log}:\n"
                                   + self.log.read_text(errors="replace")[-2000:])
            await asyncio.sleep(0.02)
        return self

    async def __aexit__(self, *exc: Any) -> None:
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 30)
            except asyncio.TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        self._log.close()


# ---- the run ----------------------------------------------------------------------------

@dataclass
class Burst:
    bot: str
    people: int
    updates: int
    seconds: float
    latencies: list[float]
    bot_cpu: float = 0.0  # CPU seconds the bot's process used during the burst
    by_step: dict[int, list[float]] = field(default_factory=dict)  # step of the conversation -> latencies
    calls: dict[str, int] = field(default_factory=dict)  # Bot API calls the bot made during the burst

    @property
    def cpu_ms_per_update(self) -> float:
        return self.bot_cpu / self.updates * 1000

    @property
    def per_second(self) -> float:
        return self.updates / self.seconds

    @property
    def p50(self) -> float:
        return report.percentile(self.latencies, 50)

    @property
    def p99(self) -> float:
        return report.percentile(self.latencies, 99)


@dataclass
class Run:
    levels: list[int]
    rounds: int
    kinds: str
    bursts: list[tuple[int, int, Burst]] = field(default_factory=list)  # (people, round, burst)
    registrations: dict[str, int] = field(default_factory=dict)  # unit -> confirmed registrations
    echo_answered: int = 0
    echo_updates: int = 0
    database: Path | None = None


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _fire(people: list[Person], job: Callable[[Person, Tally], Awaitable[None]], bot: str,
                pid: int | None = None) -> Burst:
    tally = Tally()
    for p in people:
        p.step = 0
    cpu = cpu_seconds(pid) if pid else 0.0
    calls = people[0].standin.stats.calls.copy() if people else Counter()
    await asyncio.gather(*(job(p, tally) for p in people))
    cpu = cpu_seconds(pid) - cpu if pid else 0.0
    made = people[0].standin.stats.calls - calls if people else Counter()
    return Burst(bot, len(people), tally.updates, tally.last - tally.first, tally.latencies, cpu,
                 dict(tally.by_step), dict(made))


async def set_up(standin: BotApiStandIn, answers: Answers, blocs: int, units_per_bloc: int, year: int,
                 total: int) -> list[Person]:
    """Blocs of units, each unit with one representative enrolled by the bot's invitation flow."""

    async def quiet() -> None:
        await standin.settle(timeout=60)

    people: list[Person] = []
    joins: list[tuple[SimUser, str, str]] = []
    for b in range(blocs):
        count = min(units_per_bloc, total - b * units_per_bloc)
        units = [f"Đơn vị số {b * units_per_bloc + i + 1} của khối {b + 1}" for i in range(count)]
        secretary = standin.add_user(f"Thư ký khối {b + 1}")
        group = standin.add_group(f"Khối thi đua số {b + 1}", members=[secretary], admins=[secretary])
        group.add_bot(by=secretary)
        group.promote_bot(can_pin=True)
        await quiet()
        for text in (f"/khoi Khối thi đua số {b + 1} {year}", "/donvi\n" + "\n".join(units)):
            since = answers.mark(group.id)
            await secretary.send(group, text, settle=False)
            await answers.until(group.id, since, any_send, text.split()[0])
            await quiet()
        since = answers.mark(secretary.id)
        await secretary.send_private("/start", settle=False)
        await answers.until(secretary.id, since, any_send, "/start")
        await quiet()
        since = answers.mark(group.id)
        await secretary.send(group, "/moi", settle=False)
        await answers.until(group.id, since, any_send, "/moi")
        await quiet()
        texts = "\n".join(m.text or "" for m in secretary.private_chat.bot_messages())
        lines = [line.strip() for line in texts.splitlines()]
        for unit in units:
            link = next((lines[i + 1] for i, line in enumerate(lines[:-1])
                         if line == unit and lines[i + 1].startswith("https://t.me/")), None)
            if link is None:
                raise AssertionError(f"no invitation link for {unit!r} in the secretary's chat:\n{texts[-1500:]}")
            joins.append((standin.add_user(f"Cán bộ {unit}"[:60]), unit, link))

    async def join(user: SimUser, unit: str, link: str) -> Person:
        person = Person(standin, answers, user, unit)
        since = answers.mark(user.id)
        await user.open_link(link, settle=False)
        await answers.until(user.id, since, new_message_with_buttons(person.chat), f"{unit}: invitation")
        question = person.chat.last_bot_message()
        since = answers.mark(user.id)
        await user.press(question, "Xác nhận", settle=False)
        await answers.until(user.id, since, answered_and_edited(user.last_query_id, question.message_id),
                            f"{unit}: joining")
        return person

    limit = asyncio.Semaphore(25)

    async def limited(args: tuple[SimUser, str, str]) -> Person:
        async with limit:
            return await join(*args)

    people = list(await asyncio.gather(*(limited(j) for j in joins)))
    await quiet()
    return people


def registrations_in(database: Path, year: int) -> dict[str, int]:
    """unit name -> how many registrations were confirmed for it (history included)."""
    from sqlmodel import select

    from storage.db import Database
    from storage.models import Registration, Unit

    db = Database(f"sqlite:///{database}")
    try:
        with db.session() as session:
            counts: dict[str, int] = defaultdict(int)
            for reg, unit in session.exec(select(Registration, Unit).where(
                    Registration.unit_id == Unit.id, Registration.year == year)):
                counts[unit.name] += 1
            currents = session.exec(select(Registration).where(Registration.year == year,
                                                               Registration.current == True)).all()  # noqa: E712
            per_unit = defaultdict(int)
            for reg in currents:
                per_unit[reg.unit_id] += 1
            if any(n != 1 for n in per_unit.values()):
                raise AssertionError("a unit has more than one current registration")
            return dict(counts)
    finally:
        db.dispose()


async def start_run(workdir: Path, extra: str = "") -> tuple[BotApiStandIn, Answers, Path, Path]:
    """A run's stand-in (started), its answers' tracker, the bot's database and config (``extra``:
    more TOML sections)."""
    standin = BotApiStandIn(token=TOKEN, bot_username=BOT_USERNAME, settle_quiet=0.2, settle_timeout=60)
    await standin.start()
    database, config = workdir / "khoibot.sqlite3", workdir / "config.toml"
    write_config(config, standin, database, extra)
    return standin, Answers(standin), database, config


async def run(levels: list[int], rounds: int, workdir: Path, *, profile: str | None = None,
              warm_up: int = 4, log=print, verbose: bool = False) -> Run:
    from domain import registration as rules
    from khoibot.config import load_settings

    year = datetime.now(TZ).year
    standin, answers, database, config = await start_run(workdir)
    steps = rules.steps(load_settings(str(config)).catalogue, year)
    individual_steps = len(steps) - 3
    kinds = conversation_kinds(individual_steps)
    result = Run(levels, rounds, kinds, database=database)

    def argv(bot: str, tag: str) -> list[str]:
        if bot == "echo":
            cmd = ["-m", "bench.echo_bot", "--token", TOKEN, "--base-url", standin.base_url,
                   "--base-file-url", standin.base_file_url]
        else:
            cmd = ["-m", "khoibot.cli", "--config", str(config)]
        if profile == bot:
            cmd = ["-m", "cProfile", "-o", str(workdir / f"{bot}-{tag}.prof")] + cmd
        return [sys.executable, *cmd]

    total = max(levels)
    blocs = math.ceil(total / UNITS_PER_BLOC)
    try:
        started = time.monotonic()
        async with Child(standin, argv("khoibot", "setup"), workdir / "khoibot.log"):
            people = await set_up(standin, answers, blocs, UNITS_PER_BLOC, year, total)
        log(f"set up {blocs} bloc(s), {len(people)} representatives in {time.monotonic() - started:.1f} s; "
            f"conversation: {len(kinds)} updates ({kinds.count('M')} typed, {kinds.count('C')} presses)")
        confirmed: dict[str, int] = defaultdict(int)

        async def burst(bot: str, crowd: list[Person], tag: str) -> Burst:
            async with Child(standin, argv(bot, tag), workdir / f"{bot}.log") as child:
                pid = child.proc.pid
                if bot == "khoibot":
                    warm = crowd[:warm_up]
                    await _fire(warm, lambda p, t: register(p, individual_steps, t), "warm-up")
                    for p in warm:
                        confirmed[p.unit] += 1
                    b = await _fire(crowd, lambda p, t: register(p, individual_steps, t), bot, pid)
                    for p in crowd:
                        confirmed[p.unit] += 1
                else:
                    await _fire(crowd[:warm_up], lambda p, t: echo(p, kinds, t), "warm-up")
                    b = await _fire(crowd, lambda p, t: echo(p, kinds, t), bot, pid)
                    result.echo_updates += b.updates
                    result.echo_answered += len(b.latencies)
                await standin.settle(timeout=60)
            return b

        for level in levels:
            crowd = people[:level]
            for r in range(rounds):
                order = ("echo", "khoibot") if r % 2 == 0 else ("khoibot", "echo")
                got = {}
                for bot in order:
                    got[bot] = await burst(bot, crowd, f"{level}-{r}")
                    result.bursts.append((level, r, got[bot]))
                e, k = got["echo"], got["khoibot"]
                log(f"{level:>4} people, round {r + 1}: "
                    f"echo {e.per_second:7.1f} upd/s p50 {e.p50 * 1000:6.1f} p99 {e.p99 * 1000:7.1f} ms | "
                    f"khoibot {k.per_second:7.1f} upd/s p50 {k.p50 * 1000:6.1f} p99 {k.p99 * 1000:7.1f} ms | "
                    f"throughput ×{k.per_second / e.per_second:.2f}, p99 ×{k.p99 / e.p99:.2f} | "
                    f"CPU ms/update echo {e.cpu_ms_per_update:.2f} khoibot {k.cpu_ms_per_update:.2f}")
                if verbose:
                    for b in (e, k):
                        log(f"     {b.bot:>7} calls per update: " + ", ".join(
                            f"{m} {n / b.updates:.2f}" for m, n in sorted(b.calls.items())))
                        log(f"     {b.bot:>7} p50/p99 ms by step: " + " ".join(
                            f"{kinds[i]}{i}:{report.percentile(v, 50) * 1000:.0f}/{report.percentile(v, 99) * 1000:.0f}"
                            for i, v in sorted(b.by_step.items())))
        result.registrations = registrations_in(database, year)
        for unit, n in confirmed.items():
            if result.registrations.get(unit, 0) != n:
                raise AssertionError(f"{unit}: {result.registrations.get(unit, 0)} registrations in the "
                                     f"database, {n} confirmed")
    finally:
        answers.stop()
        await standin.stop()
    return result


# ---- the report -------------------------------------------------------------------------

def summary(run: Run) -> dict[int, dict[str, float]]:
    out = {}
    for level in run.levels:
        rows = [(r, b) for lv, r, b in run.bursts if lv == level]
        rounds = sorted({r for r, _ in rows})
        echo = {r: b for r, b in rows if b.bot == "echo"}
        bot = {r: b for r, b in rows if b.bot == "khoibot"}
        out[level] = {
            "echo_ups": report.median([echo[r].per_second for r in rounds]),
            "bot_ups": report.median([bot[r].per_second for r in rounds]),
            "echo_p50": report.median([echo[r].p50 for r in rounds]),
            "bot_p50": report.median([bot[r].p50 for r in rounds]),
            "echo_p99": report.median([echo[r].p99 for r in rounds]),
            "bot_p99": report.median([bot[r].p99 for r in rounds]),
            "ratio_ups": report.median([bot[r].per_second / echo[r].per_second for r in rounds]),
            "ratio_p99": report.median([bot[r].p99 / echo[r].p99 for r in rounds]),
            "ratios_ups": [bot[r].per_second / echo[r].per_second for r in rounds],
            "ratios_p99": [bot[r].p99 / echo[r].p99 for r in rounds],
            "updates": bot[rounds[0]].updates,
        }
    return out


def markdown(run: Run, command: str, notes: str = "") -> str:
    s = summary(run)
    lines = [
        "## Conversation throughput and latency (benchmark 1)",
        "",
        f"Machine: {report.machine()}.  ",
        f"Date: {datetime.now(TZ):%Y-%m-%d %H:%M} (Asia/Ho_Chi_Minh).  ",
        f"Reproduce: `{command}`",
        "",
        f"Each representative runs the complete registration conversation, {len(run.kinds)} updates "
        f"({run.kinds.count('M')} typed, {run.kinds.count('C')} button presses), waiting for the bot's "
        f"answer before the next action. {run.rounds} rounds per level, echo and khoibot alternating "
        "(which goes first alternates too); medians over the rounds; ratios are khoibot ÷ echo within the same round.",
        "",
        "| people at once | updates | echo upd/s | khoibot upd/s | throughput ratio (target ≥ 0.8 at 50) "
        "| echo p50 / p99 ms | khoibot p50 / p99 ms | p99 ratio (target ≤ 1.25 at 50) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for level, v in s.items():
        lines.append(
            f"| {level} | {v['updates']} | {v['echo_ups']:.1f} | {v['bot_ups']:.1f} | **{v['ratio_ups']:.2f}** "
            f"({', '.join(f'{x:.2f}' for x in v['ratios_ups'])}) "
            f"| {v['echo_p50'] * 1000:.1f} / {v['echo_p99'] * 1000:.1f} "
            f"| {v['bot_p50'] * 1000:.1f} / {v['bot_p99'] * 1000:.1f} "
            f"| **{v['ratio_p99']:.2f}** ({', '.join(f'{x:.2f}' for x in v['ratios_p99'])}) |")
    if 50 in s:
        ok = s[50]["ratio_ups"] >= 0.8 and s[50]["ratio_p99"] <= 1.25
        lines += ["", f"Target at 50 representatives: {'met' if ok else 'missed'} "
                      f"(throughput ratio {s[50]['ratio_ups']:.2f}, p99 ratio {s[50]['ratio_p99']:.2f})."]
    if notes:
        lines += ["", notes.strip()]
    return "\n".join(lines)


DESIGN = """
How it is measured (decisions):

- The stand-in (`standin/`, strict Bot API over HTTP on 127.0.0.1) and the simulated people run in
  the benchmark's process; each bot runs as a child process: khoibot is the real CLI
  (`python -m khoibot.cli --config <generated toml>`, SQLite file database, `rate_limit = false`
  since the stand-in enforces no limits here, logging WARNING, long polling with a 10 s timeout);
  the floor is `bench/echo_bot.py`, a PTB Application with PTB's defaults (sequential updates)
  that answers a message with one sendMessage and a press with answerCallbackQuery +
  editMessageText. Only one bot polls at a time; each burst starts its bot afresh and warms it with
  4 representatives' conversations that are not counted.
- Set-up (not timed): blocs of 12 units in groups where the bot is an admin that may pin, enrolled
  through the real flow (`/khoi`, `/donvi`, `/moi`, each officer opens the link and confirms);
  the year is the current one, so registration is open under the system clock.
- The conversation: `/dangky`, "Đăng ký"/"Sửa đăng ký", one collective title toggled, "Tiếp »",
  each individual title answered alternately by a typed number with names and by "0", the targets
  typed, "✅ Xác nhận". Confirming also notifies the secretaries in the group and edits the pinned
  status board. The echo run replays the same sequence of kinds per person.
- A person waits for their own answer through the stand-in's `listen` hook: a typed message waits
  for the bot's new message with buttons, a press for answerCallbackQuery and the edit of the
  pressed message. Latency is from the update being queued to the bot's first answering call in
  that chat; throughput is the burst's updates over its wall time (first update queued to last
  answer). After the run every representative's confirmed registrations are checked in the database.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Conversation throughput and latency against the echo floor.")
    parser.add_argument("--levels", default="50,200", help="people at once, comma-separated (default 50,200)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", choices=("khoibot", "echo"), help="run that bot under cProfile and print the top")
    parser.add_argument("--verbose", action="store_true", help="latency per step of the conversation")
    parser.add_argument("--no-write", action="store_true", help="do not write docs/BENCHMARKS.md")
    parser.add_argument("--notes", default=str(NOTES),
                        help="a file whose text is appended to the section (default: bench/conversation_notes.md, "
                             "what profiling found and changed, kept across runs)")
    args = parser.parse_args(argv)
    levels = [int(x) for x in args.levels.split(",")]
    with tempfile.TemporaryDirectory(prefix="bench-conv-") as tmp:
        result = asyncio.run(run(levels, args.rounds, Path(tmp), profile=args.profile,
                                 verbose=args.verbose))
        if args.profile:
            import pstats

            import shutil

            measured = [p for p in Path(tmp).glob(f"{args.profile}-*.prof") if not p.name.endswith("-setup.prof")]
            for prof in sorted(measured, key=lambda p: p.stat().st_mtime)[-1:]:
                kept = Path(tempfile.gettempdir()) / f"bench-conversation-{prof.name}"
                shutil.copy(prof, kept)
                print(f"\n(profile kept in {kept})")
                print(f"\n== {prof.name} (cumulative) ==")
                pstats.Stats(str(prof)).sort_stats("cumulative").print_stats(40)
                print(f"\n== {prof.name} (own time) ==")
                pstats.Stats(str(prof)).sort_stats("tottime").print_stats(30)
    command = "python -m bench.bench_conversation" + (
        f" --levels {args.levels}" if args.levels != "50,200" else "") + (
        f" --rounds {args.rounds}" if args.rounds != 5 else "")
    notes = Path(args.notes).read_text(encoding="utf-8") if args.notes and Path(args.notes).exists() else ""
    text = markdown(result, command, DESIGN + "\n" + notes)
    print()
    print(text)
    if not args.no_write and not args.profile:
        report.write_section("conversation", text)
        print(f"\nwritten to {report.DOC}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
