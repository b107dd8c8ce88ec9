"""What every benchmark shares: the machine's facts, small statistics, and writing one
section of docs/BENCHMARKS.md without touching the others."""

from __future__ import annotations

import os
import platform
import re
import statistics
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

DOC = Path(__file__).resolve().parent.parent / "docs" / "BENCHMARKS.md"
HEADER = """# Benchmarks

Figures written by the scripts under `bench/` (each one rewrites only its own section).
Tests never assert timings; these runs are how the targets of issue 6 are checked.
Absolute times on a shared 2-core machine vary from run to run: read the ratios and the medians.
"""


def machine() -> str:
    """One line: cores, CPU model, Python, the date (Vietnamese order)."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%d/%m/%Y")
    return (f"{os.cpu_count()} cores{f' ({model})' if model else ''}, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}, run on {today}")


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0..100), nearest-rank on the sorted values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def peak_rss_mb(pid: int | str = "self") -> float:
    """The process's peak resident memory (VmHWM) in MB, from /proc."""
    return _status_kb(pid, "VmHWM") / 1024


def rss_mb(pid: int | str = "self") -> float:
    """The process's resident memory now (VmRSS) in MB, from /proc."""
    return _status_kb(pid, "VmRSS") / 1024


def _status_kb(pid: int | str, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{key} not in /proc/{pid}/status")


def write_section(name: str, body: str, path: Path = DOC) -> None:
    """Replace (or append) the section between <!-- bench:name --> markers."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    block = f"<!-- bench:{name} -->\n{body.strip()}\n<!-- /bench:{name} -->"
    pattern = re.compile(rf"<!-- bench:{re.escape(name)} -->.*?<!-- /bench:{re.escape(name)} -->", re.S)
    text = pattern.sub(lambda _: block, text) if pattern.search(text) else text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")
