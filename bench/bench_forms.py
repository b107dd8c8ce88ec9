"""Mini App form vs conversation (issue 17): the same registration, two ways, one bot.

One real bot (the ``khoibot`` CLI in a child process, SQLite file database, its Mini App web
server on 127.0.0.1) and two blocs of N units, each unit with its representative enrolled by the
bot's invitation flow (as ``bench_conversation`` does). Then, per round, the N representatives of
one bloc register at once on the form (``registration/state``, then ``registration/submit``, as the page
calls them) and, one after the other, the N of the other bloc at once by the chat's conversation; which way
goes first alternates by round. Every registration has the same content both ways: one
collective title, people with names for every other individual title, the targets.

    python -m bench.bench_forms                          # 50 + 50 people, 3 rounds, writes docs/BENCHMARKS.md
    python -m bench.bench_forms --people 3 --rounds 1 --no-write

Measured per burst: the wall time until all N are registered (form: the last submit answered,
the registration committed; conversation: the last receipt), the same until every receipt is
in its chat, p50/p99 per person (form: the first API call to the submit's answer;
conversation: /dangky queued to the receipt), and the bot's CPU seconds (/proc/<pid>/stat)
from before the burst to the end of its trailing work (the group's notices and the board),
per registration. After each burst the database is read: every unit of the burst has the
round's registration as its current one.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

import aiohttp

from bench import report
from bench.bench_conversation import (TARGETS, TOKEN, TZ, XS, Child, Person, Tally, cpu_seconds, named_people,
                                      register, set_up, start_run)
from standin import BotCall, SimChat
from webapp.api import INIT_DATA_HEADER
from webapp.initdata import sign

PUBLIC_URL = "https://khoibot.example.vn/app"  # what the chat's web_app buttons name; nobody opens it here
RECEIPT = "Đã ghi nhận đăng ký thi đua năm"
WAYS = ("form", "conversation")


# ---- the form, as the page calls it --------------------------------------------------------

def init_data(person: Person) -> str:
    """What Telegram hands the page when this person opens it: signed with the bot's token."""
    user = json.dumps({"id": person.user.id, "first_name": person.user.first_name, "language_code": "vi"},
                      ensure_ascii=False, separators=(",", ":"))
    return sign({"user": user, "auth_date": str(int(time.time())), "query_id": f"AAH{person.user.id}"},
                token=TOKEN)


def form_body(state: dict, targets: str) -> dict:
    """The conversation's content, as the form sends it."""
    individual = {}
    for i, title in enumerate(state["individual"]):
        names = named_people(i)
        if names:
            individual[title["code"]] = {"count": len(names), "names": names}
    return {"unit_id": state["unit_id"], "based_on": state["based_on"],
            "collective": [t["code"] for t in state["collective"] if t["name"] == XS],
            "individual": individual, "targets": targets}


def receipt_in(chat: SimChat, unit: str) -> Callable[[list[BotCall]], bool]:
    def done(calls: list[BotCall]) -> bool:
        return any(receipt_at(chat, unit, [c]) is not None for c in calls)
    return done


def receipt_at(chat: SimChat, unit: str, calls: list[BotCall]) -> float | None:
    for c in calls:
        if c.method in ("sendMessage", "editMessageText"):
            m = chat.get(c.message_id)
            if m is not None and RECEIPT in (m.text or "") and unit in m.text:
                return c.at
    return None


def group_told(group: SimChat, units: list[str], registered: int) -> Callable[[list[BotCall]], bool]:
    """The bot's paced writes to the group are done: its notices named every unit, and its
    pinned board counts ``registered`` of them."""
    board = f"Đã đăng ký: {registered}/{len(units)}"

    def done(calls: list[BotCall]) -> bool:
        told = "\n".join(m.text or "" for c in calls if c.method == "sendMessage"
                         for m in [group.get(c.message_id)] if m is not None)
        pinned = group.pinned
        return (pinned is not None and board in (pinned.text or pinned.caption or "")
                and all(unit in told for unit in units))
    return done


@dataclass
class Timed:
    """One person's registration: when they began, when it was registered, when the receipt came."""

    began: float
    registered: float
    receipt: float
    requests: int  # HTTP requests (form) or Telegram updates (conversation)

    @property
    def seconds(self) -> float:
        return self.registered - self.began


async def by_form(person: Person, api: str, targets: str) -> Timed:
    """The page opened (its own connection, as each phone has), the form read, sent once."""
    clock = person.standin.clock
    since = person.answers.mark(person.chat.id)
    headers = {INIT_DATA_HEADER: init_data(person), "Content-Type": "application/json"}
    requests = 0

    async def call(client: aiohttp.ClientSession, name: str, payload: dict) -> dict:
        nonlocal requests
        requests += 1
        async with client.post(f"{api}/{name}", data=json.dumps(payload).encode()) as response:
            answer = await response.json()
        if response.status != 200 or not answer.get("ok"):
            raise AssertionError(f"{person.unit}: {name} answered {response.status}: {answer}")
        return answer

    async with aiohttp.ClientSession(headers=headers) as client:
        began = clock()
        state = await call(client, "registration/state", {"unit_id": None})
        await call(client, "registration/submit", form_body(state, targets))
        registered = clock()
    calls = await person.answers.until(person.chat.id, since, receipt_in(person.chat, person.unit),
                                       f"{person.unit}: the form's receipt")
    return Timed(began, registered, receipt_at(person.chat, person.unit, calls), requests)


async def by_conversation(person: Person, individual_steps: int, targets: str) -> Timed:
    tally = Tally()
    person.step = 0
    await register(person, individual_steps, tally, targets)
    return Timed(tally.first, tally.last, tally.last, tally.updates)  # the receipt is the confirm's answer


# ---- one burst ----------------------------------------------------------------------------------

@dataclass
class Burst:
    way: str
    round: int
    people: list[Timed]
    bot_cpu: float  # CPU seconds of the bot's process, the burst and its trailing work
    calls: dict[str, int] = field(default_factory=dict)  # Bot API calls the bot made meanwhile

    @property
    def wall(self) -> float:
        return max(t.registered for t in self.people) - min(t.began for t in self.people)

    @property
    def receipts_wall(self) -> float:
        return max(t.receipt for t in self.people) - min(t.began for t in self.people)

    @property
    def p50(self) -> float:
        return report.percentile([t.seconds for t in self.people], 50)

    @property
    def p99(self) -> float:
        return report.percentile([t.seconds for t in self.people], 99)

    @property
    def cpu_ms(self) -> float:
        return self.bot_cpu / len(self.people) * 1000

    @property
    def requests(self) -> float:
        return sum(t.requests for t in self.people) / len(self.people)

    @property
    def bot_api_calls(self) -> float:
        return sum(n for m, n in self.calls.items() if m != "getUpdates") / len(self.people)


@dataclass
class Run:
    people: int
    rounds: int
    bursts: list[Burst] = field(default_factory=list)
    registrations: dict[str, int] = field(default_factory=dict)  # unit -> registrations confirmed (not withdrawals)
    units: dict[str, list[str]] = field(default_factory=dict)  # way -> its units
    load: tuple[float, float, float] = (0.0, 0.0, 0.0)  # the machine's load average when the run began


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def registrations_by_unit(database: Path, year: int) -> dict[str, list]:
    """unit name -> its registrations of the year, oldest first (withdrawals included)."""
    from sqlmodel import select

    from storage.db import Database
    from storage.models import Registration, Unit

    db = Database(f"sqlite:///{database}")
    try:
        with db.session() as session:
            found: dict[str, list] = {}
            for reg, unit in session.exec(select(Registration, Unit).where(
                    Registration.unit_id == Unit.id, Registration.year == year).order_by(Registration.id)):
                found.setdefault(unit.name, []).append(reg)
            return found
    finally:
        db.dispose()


def current_registrations(database: Path, year: int) -> dict[str, tuple]:
    """unit name -> what its current registration holds (collective, individuals, targets)."""
    return {unit: (tuple(reg.collective), tuple(reg.individuals), reg.targets)
            for unit, regs in registrations_by_unit(database, year).items()
            for reg in regs if reg.current and not reg.withdrawn}


async def withdraw(person: Person, api: str) -> None:
    """Untimed, between rounds: the unit's registration withdrawn on the form."""
    async with aiohttp.ClientSession(headers={INIT_DATA_HEADER: init_data(person)}) as client:
        async with client.post(f"{api}/registration/state", json={"unit_id": None}) as response:
            state = await response.json()
        async with client.post(f"{api}/registration/withdraw",
                               json={"unit_id": state["unit_id"], "based_on": state["based_on"]}) as response:
            answer = await response.json()
    if not answer.get("ok"):
        raise AssertionError(f"{person.unit}: not withdrawn: {answer}")


async def run(people: int, rounds: int, workdir: Path, *, warm_up: bool = True, log=print) -> Run:
    from domain import registration as rules
    from khoibot.config import load_settings

    year = datetime.now(TZ).year
    port = free_port()
    standin, answers, database, config = await start_run(
        workdir, f'\n[web]\nenabled = true\nport = {port}\npublic_url = "{PUBLIC_URL}"\n')
    settings = load_settings(str(config))
    individual_steps = len(rules.steps(settings.catalogue, year)) - 3
    api = f"http://127.0.0.1:{port}{settings.web.path}/api"
    result = Run(people, rounds, load=os.getloadavg())
    argv = [sys.executable, "-m", "khoibot.cli", "--config", str(config)]
    try:
        async with Child(standin, argv, workdir / "khoibot.log") as child:
            pid = child.proc.pid
            started = time.monotonic()
            # Two blocs of N units (a bloc holds at most 90), one for each way.
            everyone = await set_up(standin, answers, 2, people, year, 2 * people)
            crowds = {"form": everyone[:people], "conversation": everyone[people:]}
            groups = {way: next(c for c in standin.world.chats.values() if c.title == f"Khối thi đua số {b + 1}")
                      for b, way in enumerate(WAYS)}
            result.units = {way: [p.unit for p in crowd] for way, crowd in crowds.items()}
            log(f"set up 2 blocs of {people} units, each unit with its representative, "
                f"in {time.monotonic() - started:.1f} s")

            async def group_done(way: str, since: int, registered: bool) -> None:
                """The group's notices and board, which the bot writes at most once per a few
                seconds (handlers/pacing.py): waited for, so that no burst's writes fall in the next."""
                units = result.units[way]
                told = group_told(groups[way], units, len(units) if registered else 0)
                await answers.until(groups[way].id, since, told, f"{way}: the group's notices and board")
                await standin.settle(timeout=60)

            async def burst(way: str, r: int, targets: str) -> Burst:
                crowd = crowds[way]
                since = answers.mark(groups[way].id)
                cpu, calls = cpu_seconds(pid), standin.stats.calls.copy()
                if way == "form":
                    timed = await asyncio.gather(*(by_form(p, api, targets) for p in crowd))
                else:
                    timed = await asyncio.gather(*(by_conversation(p, individual_steps, targets) for p in crowd))
                await group_done(way, since, registered=True)
                b = Burst(way, r, list(timed), cpu_seconds(pid) - cpu, dict(standin.stats.calls - calls))
                current = current_registrations(database, year)
                missing = [p.unit for p in crowd if current.get(p.unit, ((), (), ""))[2] != targets]
                if missing:
                    raise AssertionError(f"{way}, round {r + 1}: not registered in the database: {missing}")
                return b

            if warm_up:  # a whole round, not counted
                for way in WAYS:
                    await burst(way, -1, f"{TARGETS}\nChạy khởi động")
            for r in range(rounds):
                # Each round registers from nothing, so that the conversation's press of the title
                # ticks it (on a registration that has it, the press would untick it).
                if any(current_registrations(database, year)):
                    marks = {way: answers.mark(groups[way].id) for way in WAYS}
                    await asyncio.gather(*(withdraw(p, api) for p in everyone))
                    for way in WAYS:
                        await group_done(way, marks[way], registered=False)
                targets = f"{TARGETS}\nVòng {r + 1}"
                order = WAYS if r % 2 == 0 else WAYS[::-1]
                got = {way: await burst(way, r, targets) for way in order}
                result.bursts += [got[way] for way in order]
                contents = set(current_registrations(database, year).values())
                if len(contents) != 1:
                    raise AssertionError(f"round {r + 1}: the two ways wrote different registrations: {contents}")
                f, c = got["form"], got["conversation"]
                log(f"round {r + 1} ({' first, '.join(order)} second): "
                    f"form {f.wall:.2f} s p50 {f.p50 * 1000:.0f} p99 {f.p99 * 1000:.0f} ms "
                    f"CPU {f.cpu_ms:.1f} ms/reg | conversation {c.wall:.2f} s p50 {c.p50 * 1000:.0f} "
                    f"p99 {c.p99 * 1000:.0f} ms CPU {c.cpu_ms:.1f} ms/reg")
        result.registrations = {unit: sum(not reg.withdrawn for reg in regs)
                                for unit, regs in registrations_by_unit(database, year).items()}
    finally:
        answers.stop()
        await standin.stop()
    expected = rounds + (1 if warm_up else 0)
    wrong = {u: n for u, n in result.registrations.items() if n != expected}
    if wrong or len(result.registrations) != 2 * people:
        raise AssertionError(f"expected {expected} registrations for each of {2 * people} units, "
                             f"got {wrong or result.registrations}")
    return result


# ---- the report ---------------------------------------------------------------------------------

def summary(run: Run) -> dict[str, dict[str, float]]:
    out = {}
    for way in WAYS:
        bursts = [b for b in run.bursts if b.way == way]
        calls: Counter = Counter()
        for b in bursts:
            calls.update(b.calls)
        out[way] = {
            "wall": report.median([b.wall for b in bursts]),
            "walls": [b.wall for b in bursts],
            "receipts": report.median([b.receipts_wall for b in bursts]),
            "p50": report.median([b.p50 for b in bursts]),
            "p99": report.median([b.p99 for b in bursts]),
            "cpu_ms": report.median([b.cpu_ms for b in bursts]),
            "cpus": [b.cpu_ms for b in bursts],
            "requests": report.median([b.requests for b in bursts]),
            "bot_api": report.median([b.bot_api_calls for b in bursts]),
            "calls": {m: n / len(bursts) / run.people for m, n in sorted(calls.items()) if m != "getUpdates"},
        }
    return out


def markdown(run: Run, command: str) -> str:
    s = summary(run)
    f, c = s["form"], s["conversation"]
    ms = lambda x: f"{x * 1000:.0f}"  # noqa: E731
    lines = [
        "## Mini App form vs conversation (issue 17)",
        "",
        f"Machine: {report.machine()}; load average {', '.join(f'{x:.1f}' for x in run.load)} "
        "(1, 5, 15 min) when the run began.  ",
        f"Date: {datetime.now(TZ):%Y-%m-%d %H:%M} (Asia/Ho_Chi_Minh).  ",
        f"Reproduce: `{command}`",
        "",
        f"One bot process, {2 * run.people} units in two blocs of {run.people}; per round the {run.people} "
        f"representatives of one bloc register at once on the form, then (or before: the order alternates "
        f"by round) the {run.people} of the other bloc at once by the conversation, the same content both ways. "
        f"{run.rounds} rounds after a warm-up round; "
        "medians over the rounds (each round's value in brackets).",
        "",
        f"| way | all {run.people} registered, s | all receipts in the chats, s | per person p50 / p99 ms "
        "| bot CPU ms per registration | per person | Bot API calls per registration |",
        "|---|---:|---:|---:|---:|---|---:|",
        f"| form | **{f['wall']:.2f}** ({', '.join(f'{x:.2f}' for x in f['walls'])}) | {f['receipts']:.2f} "
        f"| {ms(f['p50'])} / {ms(f['p99'])} | **{f['cpu_ms']:.1f}** ({', '.join(f'{x:.1f}' for x in f['cpus'])}) "
        f"| {f['requests']:g} HTTP requests | {f['bot_api']:.1f} |",
        f"| conversation | **{c['wall']:.2f}** ({', '.join(f'{x:.2f}' for x in c['walls'])}) | {c['receipts']:.2f} "
        f"| {ms(c['p50'])} / {ms(c['p99'])} | **{c['cpu_ms']:.1f}** ({', '.join(f'{x:.1f}' for x in c['cpus'])}) "
        f"| {c['requests']:g} Telegram updates | {c['bot_api']:.1f} |",
        "",
        "Bot API calls per registration: " + "; ".join(
            f"{way}: " + ", ".join(f"{m} {n:.2f}" for m, n in s[way]["calls"].items()) for way in WAYS) + ".",
        "",
        f"Reading: {run.people} people at once took {c['wall'] / f['wall']:.1f}× as long to register by the "
        f"conversation as on the form; a person waited {c['p50'] / f['p50']:.1f}× as long at the median "
        f"({c['p99'] / f['p99']:.1f}× at p99), and the bot spent {c['cpu_ms'] / f['cpu_ms']:.1f}× the CPU per "
        f"registration. The form is {f['requests']:g} requests (read the form, send it: three short "
        f"transactions) and about one Bot API call, the receipt; the conversation is {c['requests']:g} "
        f"updates, each a transaction and one or two Bot API calls ({c['bot_api']:.0f} in all). In a "
        "burst every conversation moves in step with the others, each of its updates waiting behind "
        "theirs, so its p50 is close to its wall time. What both ways share is the registration's "
        "own work (the transaction that writes it, the receipt, the group's notice, the board), "
        "and the form costs little more than that.",
        "",
        DESIGN.strip(),
    ]
    return "\n".join(lines)


DESIGN = """
How it is measured (decisions):

- The stand-in (`standin/`, strict Bot API over HTTP on 127.0.0.1) and the simulated people run in
  the benchmark's process; the bot is the real CLI (`python -m khoibot.cli --config <generated toml>`,
  SQLite file database, `rate_limit = false`, logging WARNING, long polling) with `[web] enabled`
  on a free port of 127.0.0.1 and a `public_url` (so the chat shows its «📝 Mở biểu mẫu đăng ký»
  button, as in a deployment). One process for the whole run: set-up, warm-up and every burst.
- Set-up (not timed): two blocs of 50 units (a bloc holds at most 60 by default, 90 at most by
  configuration, so 100 units are two blocs), each in its group where the bot is an admin that may
  pin, the units enrolled through the real flow (`/khoi`, `/donvi`, `/moi`, each officer opens the
  link and confirms). The first bloc's representatives use the form, the second's the conversation,
  the same people every round: each way's registrations notify its own group and edit its own
  pinned board, the same work for both. A warm-up round (not counted) registers
  everyone once; before each measured round every unit's registration is withdrawn on the form
  (untimed), so every measured registration starts from nothing, both ways alike (on a registration
  that has it, the conversation's press of the title would untick it). Each round's targets name
  the round.
- Form: each person opens their own HTTP connection (as each phone does) with `initData` signed by
  the bot's token, calls `registration/state`, then `registration/submit` with one collective title,
  people with names for every other individual title, the targets. Registered = the submit's answer
  (the transaction is committed before it); the receipt is the bot's message in the person's chat,
  sent after the answer. Loading the page and its static files is not counted (it needs no database
  and a browser caches it).
- Conversation: as benchmark 1 (`bench/bench_conversation.py`), each action waiting for the bot's
  answer; registered = the receipt (the confirm's answer).
- CPU: the bot process's user + system time from `/proc/<pid>/stat`, from just before the burst to
  the end of its trailing work, divided by the registrations. The trailing work is the group's
  notices and the pinned board's edits, which both ways trigger; the bot paces them (the first at
  once, the rest together 3 s later, `group_notice_seconds` and `board_refresh_seconds`), so the
  benchmark waits until the group has been told of every unit and the board counts them all. Only
  then does the next burst begin. After each burst the database is read:
  every unit of the burst holds the round's registration; after each round all units hold the same
  content; after the run every unit has one registration per round plus the warm-up's.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Registering on the Mini App form against the conversation.")
    parser.add_argument("--people", type=int, default=50, help="people at once each way (default 50)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-write", action="store_true", help="do not write docs/BENCHMARKS.md")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-forms-") as tmp:
        result = asyncio.run(run(args.people, args.rounds, Path(tmp)))
    command = "python -m bench.bench_forms" + (f" --people {args.people}" if args.people != 50 else "") + (
        f" --rounds {args.rounds}" if args.rounds != 3 else "")
    text = markdown(result, command)
    print()
    print(text)
    if not args.no_write:
        report.write_section("forms", text)
        print(f"\nwritten to {report.DOC}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
