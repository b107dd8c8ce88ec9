"""Benchmark "fanout" (issue 6): one reminder to every representative of every bloc, under
Telegram's sending limits.

A stand-in Telegram runs in this process and enforces the limits (30 messages/s overall,
1/s per private chat, 20/min per group; 429 past them). The database is seeded with every
unit owing its registration and each bloc's registration-deadline reminder due a minute
ago (the real clock: the bot is a child process, ``python -m khoibot.cli``, with
``telegram.rate_limit = true``). When the bot starts, it sends what fell due. Measured in
the stand-in: messages per chat (lost: a representative or group that got none; duplicated:
more than one), the 429s and when, the sustained send rate from first to last send as a
share of 30/s, and the bot's peak memory (VmHWM).

    python -m bench.bench_fanout                          # 850 blocs, 10,000 units (~6 minutes)
    python -m bench.bench_fanout --blocs 85 --units 1000 --runs 3
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
from pathlib import Path
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bench import report
from bench.botproc import BotProcess, write_config
from bench.databases import WORK, database, postgres_answers
from bench.seed import Seeded, seed
from storage.db import Database

RATE = 30


@dataclass
class FanoutFigures:
    blocs: int
    units: int
    expected: int  # chats that should get exactly one message
    delivered: int = 0
    lost: int = 0
    duplicated: int = 0
    too_many: int = 0  # 429s answered by the stand-in
    too_many_after_first_second: int = 0
    first_429_at: float | None = None  # seconds after the first send
    last_429_at: float | None = None
    sends: int = 0
    seconds: float = 0.0  # first to last send
    rate: float = 0.0  # sends per second over that span
    start_to_first_send: float = 0.0
    peak_mb: float = 0.0
    seed_seconds: float = 0.0
    unexpected: int = 0  # messages to chats that should get none
    lost_chats: list[int] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.rate / RATE


class _Watch:
    """Records when the stand-in answers 429 because of the enforced limits."""

    def __init__(self, standin) -> None:
        self.times: list[float] = []
        rates = standin.faults.rates
        original = rates.retry_after
        clock = standin.clock

        def retry_after(chat_id, private):
            wait = original(chat_id, private)
            if wait is not None:
                self.times.append(clock())
            return wait

        rates.retry_after = retry_after


async def run_fanout(url: str, *, blocs: int, units: int, sizes: list[int] | None = None, quiet: float = 5.0,
                     timeout: float = 1800.0, label: str = "fanout", seeded_out: list | None = None) -> FanoutFigures:
    """Seed, start the stand-in (limits on) and the bot, wait until every expected chat got
    its message and the stream went quiet; return what the stand-in saw."""
    from standin import BotApiStandIn

    standin = BotApiStandIn()
    await standin.start()
    standin.faults.enforce_rates(True, per_second=RATE, private_interval=1.0, group_per_minute=20)
    watch = _Watch(standin)
    due = datetime.now(UTC) - timedelta(minutes=1)
    seeded: Seeded = seed(Database(url), blocs=blocs, units=units, sizes=sizes, standin=standin, registrations=False,
                          ballot=False, reminder_due=due, deadline_days=3)
    if seeded_out is not None:
        seeded_out.append(seeded)
    expected = seeded.recipients()
    figures = FanoutFigures(blocs=len(seeded.blocs), units=seeded.units, expected=len(expected),
                            seed_seconds=seeded.seconds)
    WORK.mkdir(parents=True, exist_ok=True)
    config = write_config(WORK / f"{label}.toml", token=standin.token, base_url=standin.base_url,
                          base_file_url=standin.base_file_url, database_url=url, rate_limit=True)
    bot = BotProcess(standin, config, WORK / f"{label}.log")
    try:
        await bot.launch()
        started, launched = time.perf_counter(), standin.clock()
        last_count, last_change = 0, time.perf_counter()
        while True:
            await asyncio.sleep(0.25)
            count = len(standin.stats.sends)
            now = time.perf_counter()
            if count != last_count:
                last_count, last_change = count, now
            reached = {s.chat_id for s in standin.stats.sends if s.method == "sendMessage"}
            if bot.process.returncode is not None:
                raise RuntimeError(f"the bot exited ({bot.process.returncode}); see {bot.log_path}")
            if expected <= reached and bot.polling and now - last_change >= quiet:
                break  # everyone reached, the bot polls, and nothing more came for a while
            if now - last_change >= max(quiet, 60.0) and bot.polling:
                break  # stuck: count what arrived
            if now - started > timeout:
                break
        figures.peak_mb = bot.peak_rss_mb()
    finally:
        await bot.stop()
        await standin.stop()
    sends = sorted((s for s in standin.stats.sends if s.method == "sendMessage"), key=lambda s: s.at)
    per_chat = Counter(s.chat_id for s in sends)
    figures.delivered = sum(1 for chat in expected if per_chat[chat] >= 1)
    figures.lost_chats = sorted(chat for chat in expected if per_chat[chat] == 0)
    figures.lost = len(figures.lost_chats)
    figures.duplicated = sum(1 for chat in expected if per_chat[chat] > 1)
    figures.unexpected = sum(n for chat, n in per_chat.items() if chat not in expected)
    figures.sends = len(sends)
    if sends:
        first, last = sends[0].at, sends[-1].at
        figures.seconds = last - first
        figures.rate = (len(sends) - 1) / figures.seconds if figures.seconds > 0 else float("nan")
        figures.too_many = standin.stats.rate_limited
        after = [t - first for t in watch.times]
        figures.too_many_after_first_second = sum(1 for t in after if t > 1.0)
        figures.first_429_at = min(after) if after else None
        figures.last_429_at = max(after) if after else None
        figures.start_to_first_send = first - launched
    return figures


def _line(f: FanoutFigures) -> str:
    return (f"{f.blocs} blocs, {f.units} units: {f.delivered}/{f.expected} chats reached, lost {f.lost}, "
            f"duplicated {f.duplicated}, unexpected {f.unexpected}; {f.sends} sends in {f.seconds:.1f} s = "
            f"{f.rate:.2f}/s ({f.share:.0%} of 30/s); 429s {f.too_many} (after the first second: "
            f"{f.too_many_after_first_second}); bot VmHWM {f.peak_mb:.1f} MB")


def section(groups: list[tuple[str, list[FanoutFigures]]], commands: list[str], extra: str = "") -> str:
    lines = [
        "## Reminder fan-out under Telegram's limits (`bench/bench_fanout.py`)",
        "",
        report.machine(),
        "",
        "The stand-in enforces 30 messages/s overall, 1/s per private chat and 20/min per group (429 past "
        "them); the real bot runs as a child process with `telegram.rate_limit = true` and sends, at start, "
        "each bloc's registration reminder that fell due a minute ago (every unit owes its registration, so "
        "every representative gets a DM and every group the list). Medians over the runs of each scale.",
        "",
        "| scale (database) | runs | chats to reach | lost | duplicated | 429s | 429s after 1st s | sustained rate "
        "(msg/s) | share of 30/s | send time (s) | bot VmHWM (MB) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, runs in groups:
        med = lambda attr: report.median([getattr(f, attr) for f in runs])  # noqa: E731
        lines.append(
            f"| {name} | {len(runs)} | {runs[0].expected} | {max(f.lost for f in runs)} | "
            f"{max(f.duplicated for f in runs)} | {med('too_many'):.0f} | {med('too_many_after_first_second'):.0f} | "
            f"{med('rate'):.2f} | {med('share'):.0%} | {med('seconds'):.0f} | {med('peak_mb'):.0f} |")
    lines += ["", "Targets: nobody lost or reached twice; no 429 after the first second; sustained rate ≥ 90 % "
              "of 30/s. Lost and duplicated are the worst run, the rest medians.", "",
              "Reproduce (from the repository root):", "", "```", *commands, "```"]
    if extra:
        lines += ["", extra.strip()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--blocs", type=int, default=850)
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--write", action="store_true", help="write the section of docs/BENCHMARKS.md from "
                        "this run and the runs kept in --keep")
    parser.add_argument("--keep", default=str(WORK / "fanout-runs.json"),
                        help="runs are appended here, so scales measured separately share one section")
    parser.add_argument("--notes", default=str(Path(__file__).resolve().parent / "fanout_notes.md"),
                        help="a file whose text is appended to the section (default: bench/fanout_notes.md, what was "
                        "found and changed, kept across runs)")
    args = parser.parse_args(argv)
    if args.backend == "postgres" and not postgres_answers():
        raise SystemExit("PostgreSQL does not answer on 127.0.0.1:5432")
    import json
    from dataclasses import asdict

    keep = Path(args.keep)
    kept = json.loads(keep.read_text()) if keep.exists() else []
    for number in range(args.runs):
        with database(args.backend, "bench_fanout") as url:
            figures = asyncio.run(run_fanout(url, blocs=args.blocs, units=args.units))
        print(f"run {number + 1}: {_line(figures)}", flush=True)
        if figures.lost_chats:
            print(f"  lost (first 10): {figures.lost_chats[:10]}")
        kept.append({"backend": args.backend, **asdict(figures)})
        keep.parent.mkdir(parents=True, exist_ok=True)
        keep.write_text(json.dumps(kept, indent=1))
    if args.write:
        groups: dict[str, list[FanoutFigures]] = {}
        for row in kept:
            backend = row.pop("backend")
            f = FanoutFigures(**row)
            groups.setdefault(f"{f.blocs} blocs, {f.units} units ({backend})", []).append(f)
        ordered = sorted(groups.items(), key=lambda item: item[1][0].units)
        commands = ["python -m bench.bench_fanout --blocs 85 --units 1000 --runs 3     # a tenth, ~40 s a run",
                    "python -m bench.bench_fanout --blocs 85 --units 1000 --runs 3 --backend postgres",
                    "python -m bench.bench_fanout --blocs 850 --units 10000 --write   # full scale, ~6 minutes"]
        extra = open(args.notes, encoding="utf-8").read() if args.notes and os.path.exists(args.notes) else ""
        text = section(ordered, commands, extra)
        print()
        print(text)
        report.write_section("fanout", text)


if __name__ == "__main__":
    main()
