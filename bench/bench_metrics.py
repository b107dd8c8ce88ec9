"""What counting for /metrics costs: the conversation benchmark (bench/bench_conversation.py)
run with the metrics on and off (``[web] metrics``, through KHOIBOT_WEB_METRICS in the bot's
environment), alternating, in one process; the bot's CPU per update compared.

    python -m bench.bench_metrics                 # 50 at once, 3 rounds each way, writes docs/BENCHMARKS.md
    python -m bench.bench_metrics --rounds 1 --no-write
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import timeit
from pathlib import Path

from bench import report
from bench.bench_conversation import run as conversation
from khoibot.metrics import Metrics, call_outcome

TARGET_PERCENT = 3.0


async def measure(people: int, rounds: int) -> dict[bool, list[float]]:
    """CPU ms per update of each khoibot burst, by whether the metrics were on."""
    cpu: dict[bool, list[float]] = {True: [], False: []}
    for round_ in range(rounds):
        for on in ((True, False) if round_ % 2 == 0 else (False, True)):
            os.environ["KHOIBOT_WEB_METRICS"] = "true" if on else "false"
            with tempfile.TemporaryDirectory(prefix="bench-metrics-") as tmp:
                result = await conversation([people], 1, Path(tmp), log=lambda *_: None)
            cpu[on] += [b.cpu_ms_per_update for _level, _round, b in result.bursts if b.bot == "khoibot"]
    os.environ.pop("KHOIBOT_WEB_METRICS", None)
    return cpu


def counting_us_per_update(repeats: int = 200_000) -> float:
    """What the bot adds per update, timed alone: the update's counter and histogram, and the
    counters of the Bot API calls a conversation's update makes (1.6 on average: answer and edit,
    or a send), in microseconds."""
    metrics = Metrics()

    def one_update() -> None:
        metrics.updates.labels("callback_query").inc()
        metrics.update_seconds.observe(0.003)
        metrics.api_calls.labels("answerCallbackQuery", call_outcome(200)).inc()
        metrics.api_calls.labels("editMessageText", call_outcome(200)).inc()

    seconds = min(timeit.repeat(one_update, number=repeats, repeat=5))
    return seconds / repeats * 1e6


def markdown(cpu: dict[bool, list[float]], people: int, rounds: int, command: str) -> str:
    on, off = statistics.median(cpu[True]), statistics.median(cpu[False])
    alone = counting_us_per_update()
    alone_percent = alone / 10 / off
    cost = (on - off) / off * 100
    runs = cpu[True] + cpu[False]
    noise = (max(runs) - min(runs)) / off * 100 if len(runs) > 1 else 0.0
    within = "within" if abs(cost) <= noise else "OUTSIDE"
    verdict = "met" if alone_percent <= TARGET_PERCENT else "NOT met"
    return "\n".join([
        "## Metrics cost (issue 19)",
        "",
        f"Machine: {report.machine()}.",
        f"Reproduce: `{command}`",
        "",
        f"The conversation benchmark's burst ({people} representatives registering at once, the same as "
        "bench_conversation's), run with `[web] metrics` on and off, alternating, "
        f"{rounds} round(s) each; the bot's CPU per update (median over the rounds).",
        "",
        "| metrics | bot CPU ms per update | rounds |",
        "|---|---:|---|",
        f"| on | **{on:.2f}** | {', '.join(f'{v:.2f}' for v in cpu[True])} |",
        f"| off | **{off:.2f}** | {', '.join(f'{v:.2f}' for v in cpu[False])} |",
        "",
        f"On against off: {cost:+.1f} %, {within} the runs' noise (all runs spread over {noise:.1f} % of the "
        "median). What is counted per update: one counter and one histogram observation, and one counter per "
        "Bot API request (prometheus-client's lock-protected adds).",
        "",
        f"The same counting timed alone (one update's counter and histogram and two Bot API counters, "
        f"200,000 times, best of 5): **{alone:.1f} µs per update, {alone_percent:.2f} %** of the {off:.2f} ms "
        f"the bot spends per update (target ≤ {TARGET_PERCENT:.0f} %: {verdict}): the bound that holds "
        "whatever the noise of the runs above.",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The CPU cost of counting for /metrics.")
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    cpu = asyncio.run(measure(args.people, args.rounds))
    command = "python -m bench.bench_metrics" + (f" --people {args.people}" if args.people != 50 else "") + (
        f" --rounds {args.rounds}" if args.rounds != 3 else "")
    text = markdown(cpu, args.people, args.rounds, command)
    print(text)
    if not args.no_write:
        report.write_section("metrics", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
