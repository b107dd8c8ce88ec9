"""Benchmark "data" (issue 6): the read paths of a national-scale database.

On a seeded database (bench/seed.py: 850 blocs, ~10,000 units, a year of data and a closed
ballot per bloc), on a SQLite file and on PostgreSQL when it answers:

* compile + render one bloc's nomination list, the code path of /danhsach (the bloc of the
  chat, the vote, the tally, the record, the Vietnamese text split into messages);
* build its documents (exports/review_documents.py: three .docx and one .xlsx);
* the registration status of every bloc, as each bloc's pinned status board shows it;
* SQL statements per compile for a 5-, a 12- and a 25-unit bloc;
* the real bot's resident memory once it polls (a child process on the seeded database).

    python -m bench.bench_data                      # full scale, both backends, writes docs/BENCHMARKS.md
    python -m bench.bench_data --blocs 40 --units 480 --runs 100 --no-write
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import time
from pathlib import Path
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from sqlalchemy import event
from sqlmodel import select

from bench import report
from bench.botproc import BotProcess, write_config
from bench.databases import WORK, database, postgres_answers
from bench.seed import Seeded, seed
from domain.chunks import split_lines
from exports import review_documents
from services import review as reckoning
from handlers import status as status_handlers
from khoibot.clock import ManualClock
from khoibot.config import Settings
from khoibot.render import Renderer
from khoibot.services import Services
from storage import roles, votes
from storage.blocs import bloc_of_chat
from storage.db import Database
from storage.models import Bloc

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def services(url: str) -> Services:
    settings = Settings.model_validate({"database": {"url": url}, "bot": {"province": "Thừa Thiên Huế"},
                                        "logging": {"format": "text"}})
    return Services(settings=settings, db=Database(url), clock=ManualClock(datetime(2025, 12, 11, 9, 0, tzinfo=TZ)),
                    render=Renderer(settings.bot.tz), catalogue=settings.catalogue)


def _context(s: Services):
    """What the handlers read from a PTB context (khoibot.services.KhoibotContext): its services."""
    return SimpleNamespace(services=s)


# ---- the measured operations: the handlers' own functions --------------------------------

def _leader_name(s: Services):
    """A leader line's name, worded by the templates as the bot words it."""
    return lambda code, year: s.render.plain("review.leader_name", code=code, year=year)


def compile_list(s: Services, chat_id: int) -> tuple[list[str], object]:
    """/danhsach in a bloc's group, without Telegram: the bloc of the chat, the closed vote,
    the tally, the record (with the secretary's name, as post_list does), the list text
    split into the messages the group gets. Returns (messages, record)."""
    with s.db.session() as session:
        bloc = bloc_of_chat(session=session, chat_id=chat_id)
        vote = votes.vote_of(session=session, bloc=bloc)
        outcomes = reckoning.compute(session, bloc, vote, catalogue=s.catalogue, leader_name=_leader_name(s))
        secretaries = roles.secretaries(session=session, bloc=bloc)
        name = next((u.first_name + (" " + u.last_name if u.last_name else "") for r, u in secretaries if u), "")
        record = reckoning.build_record(session, bloc, vote, outcomes, secretary=name, tz=s.tz,
                                        place=s.settings.bot.document_place, now=s.clock.now())
    return split_lines(s.render("review.list", record=record)), record


def build_documents(s: Services, record) -> dict[str, bytes]:
    return {kind: review_documents.build(kind, record, s.tz) for kind in review_documents.KINDS}


def status_of_all(s: Services) -> int:
    """Every bloc's status board text (handlers.status.board_texts: the blocs' rows read at once,
    each board rendered); returns the characters made."""
    context = _context(s)
    with s.db.session() as session:
        blocs = list(session.exec(select(Bloc).order_by(Bloc.id)))
    return sum(len(text) for text in status_handlers.board_texts(context, blocs).values())


@contextmanager
def counting_queries(s: Services):
    counter = SimpleNamespace(count=0)

    def count(*_args) -> None:
        counter.count += 1

    event.listen(s.db.engine, "before_cursor_execute", count)
    try:
        yield counter
    finally:
        event.remove(s.db.engine, "before_cursor_execute", count)


def queries_per_compile(s: Services, seeded: Seeded, sizes=(5, 12, 25)) -> dict[int, int]:
    found = {}
    for size in sizes:
        bloc = seeded.by_size(size)
        if bloc is None:
            continue
        compile_list(s, bloc.chat_id)  # warm: the first statement of a kind compiles its SQL
        with counting_queries(s) as counter:
            compile_list(s, bloc.chat_id)
        found[size] = counter.count
    return found


# ---- measuring -------------------------------------------------------------------------------

@dataclass
class BackendFigures:
    backend: str
    seed_seconds: float = 0.0
    compile_p50: list[float] = field(default_factory=list)  # ms, one per round
    compile_p99: list[float] = field(default_factory=list)
    documents_p50: list[float] = field(default_factory=list)
    documents_p99: list[float] = field(default_factory=list)
    status_all: list[float] = field(default_factory=list)  # s, one per round
    queries: dict[int, int] = field(default_factory=dict)
    bot_rss: list[float] = field(default_factory=list)  # MB, one per start
    bot_start: list[float] = field(default_factory=list)  # s until polling


def timed_ms(fn, *args) -> float:
    started = time.perf_counter()
    fn(*args)
    return (time.perf_counter() - started) * 1000


def measure(url: str, backend: str, args) -> BackendFigures:
    figures = BackendFigures(backend)
    seeded = seed(Database(url), blocs=args.blocs, units=args.units, year=2025)
    figures.seed_seconds = seeded.seconds
    print(f"[{backend}] seeded {len(seeded.blocs)} blocs, {seeded.units} units, "
          f"{sum(seeded.rows.values())} rows in {seeded.seconds:.1f} s", flush=True)
    s = services(url)
    rng = random.Random(1)
    chats = [b.chat_id for b in seeded.blocs]
    for chat in chats[:20]:
        compile_list(s, chat)  # warm the caches (templates, compiled SQL)
    for round_number in range(args.rounds):
        times = [timed_ms(compile_list, s, rng.choice(chats)) for _ in range(args.runs)]
        figures.compile_p50.append(report.percentile(times, 50))
        figures.compile_p99.append(report.percentile(times, 99))
        records = [compile_list(s, rng.choice(chats))[1] for _ in range(args.doc_runs)]
        times = [timed_ms(build_documents, s, record) for record in records]
        figures.documents_p50.append(report.percentile(times, 50))
        figures.documents_p99.append(report.percentile(times, 99))
        started = time.perf_counter()
        status_of_all(s)
        figures.status_all.append(time.perf_counter() - started)
        print(f"[{backend}] round {round_number + 1}: compile p50 {figures.compile_p50[-1]:.1f} ms "
              f"p99 {figures.compile_p99[-1]:.1f} ms; documents p50 {figures.documents_p50[-1]:.0f} ms; "
              f"status of all {figures.status_all[-1]:.2f} s", flush=True)
    figures.queries = queries_per_compile(s, seeded)
    print(f"[{backend}] SQL statements per compile by bloc size: {figures.queries}", flush=True)
    s.db.dispose()
    if args.memory:
        for _ in range(args.bot_starts):
            start, rss = asyncio.run(bot_memory(url, backend))
            figures.bot_start.append(start)
            figures.bot_rss.append(rss)
            print(f"[{backend}] bot polling after {start:.1f} s, VmRSS {rss:.1f} MB", flush=True)
    return figures


async def bot_memory(url: str, backend: str, settle: float = 3.0) -> tuple[float, float]:
    """Start the real bot on the seeded database; its VmRSS once it polls (and a few seconds on)."""
    from standin import BotApiStandIn

    standin = BotApiStandIn()
    await standin.start()
    WORK.mkdir(parents=True, exist_ok=True)
    config = write_config(WORK / f"data-{backend}.toml", token=standin.token, base_url=standin.base_url,
                          base_file_url=standin.base_file_url, database_url=url)
    bot = BotProcess(standin, config, WORK / f"data-{backend}.log")
    try:
        start = await bot.start()
        await asyncio.sleep(settle)
        return start, bot.rss_mb()
    finally:
        await bot.stop()
        await standin.stop()


# ---- the report ----------------------------------------------------------------------------

def _ms(values: list[float]) -> str:
    return f"{report.median(values):.1f}"


def section(all_figures: list[BackendFigures], args, command: str, extra: str = "") -> str:
    lines = [
        "## Data at national scale (`bench/bench_data.py`)",
        "",
        report.machine(),
        "",
        f"Database seeded by `bench/seed.py`: {args.blocs} blocs, {args.units} units (5–25 per bloc), one "
        "representative per unit, a year of registrations and scores, a closed secret ballot per bloc. "
        f"Each figure is the median over {args.rounds} rounds; a round times {args.runs} list compilations and "
        f"{args.doc_runs} document builds on random blocs, and the status of every bloc once.",
        "",
        "| | " + " | ".join(f.backend for f in all_figures) + " | target |",
        "|---|" + "---|" * len(all_figures) + "---|",
        "| seeding (s) | " + " | ".join(f"{f.seed_seconds:.1f}" for f in all_figures) + " | |",
        "| /danhsach compile + render, p50 (ms) | " + " | ".join(_ms(f.compile_p50) for f in all_figures)
        + " | < 20 on SQLite |",
        "| /danhsach compile + render, p99 (ms) | " + " | ".join(_ms(f.compile_p99) for f in all_figures) + " | |",
        "| documents (.docx ×3 + .xlsx), p50 (ms) | " + " | ".join(_ms(f.documents_p50) for f in all_figures)
        + " | |",
        "| documents, p99 (ms) | " + " | ".join(_ms(f.documents_p99) for f in all_figures) + " | |",
        f"| status of all {args.blocs} blocs (s) | " + " | ".join(f"{report.median(f.status_all):.2f}"
                                                                  for f in all_figures) + " | < 5 |",
    ]
    for size in (5, 12, 25):
        lines.append(f"| SQL statements per compile, {size}-unit bloc | "
                     + " | ".join(str(f.queries.get(size, "–")) for f in all_figures) + " | constant |")
    if any(f.bot_rss for f in all_figures):
        lines.append("| bot VmRSS once polling (MB) | " + " | ".join(
            f"{report.median(f.bot_rss):.1f}" if f.bot_rss else "–" for f in all_figures) + " | < 150 |")
        lines.append("| bot start until polling (s) | " + " | ".join(
            f"{report.median(f.bot_start):.1f}" if f.bot_start else "–" for f in all_figures) + " | |")
    lines += ["", "Reproduce (from the repository root):", "", "```", command,
              "python -m bench.bench_data --blocs 40 --units 480 --rounds 1 --no-write   # a quick look", "```"]
    if extra:
        lines += ["", extra.strip()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--blocs", type=int, default=850)
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=200, help="list compilations per round")
    parser.add_argument("--doc-runs", type=int, default=30, help="document builds per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--bot-starts", type=int, default=3)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--no-memory", dest="memory", action="store_false")
    parser.add_argument("--no-write", dest="write", action="store_false", help="print only")
    parser.add_argument("--notes", default=str(Path(__file__).resolve().parent / "data_notes.md"),
                        help="a file whose text is appended to the section (default: bench/data_notes.md, what was "
                        "found and changed, kept across runs)")
    args = parser.parse_args(argv)
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    if "postgres" in backends and not postgres_answers():
        print("PostgreSQL does not answer on 127.0.0.1:5432: SQLite only")
        backends.remove("postgres")
    results = []
    for backend in backends:
        with database(backend, "bench_data") as url:
            results.append(measure(url, backend, args))
    command = "python -m bench.bench_data" + ("" if (args.blocs, args.units) == (850, 10_000)
                                               else f" --blocs {args.blocs} --units {args.units}")
    extra = open(args.notes, encoding="utf-8").read() if args.notes and os.path.exists(args.notes) else ""
    text = section(results, args, command, extra)
    print()
    print(text)
    if args.write:
        report.write_section("data", text)


if __name__ == "__main__":
    main()
