"""Benchmark "province" (issue 18): the province's view at scale.

Two seeded databases (bench/seed.py, then what the lists and the dossiers leave), on a SQLite
file and on PostgreSQL when it answers:

* a province of 25 blocs of ~15 units, its year played to the lists: the closed ballots'
  proposals (``year_result``), each bloc's four documents (built by exports/review_documents.py,
  as /danhsach builds them), the dossiers sent (most in time, some late, a few not at all) and
  two earlier years of results for the consecutive-years rule;
* the whole country: 34 provinces and centrally-run cities, ~850 blocs, ~10,000 units, the same
  per bloc (documents built once per bloc size and reused: the files' size and shape are real).

Measured, with the officers' own code paths (services/province.py, handlers/province.py's
renderers and exports/province_*.py): the province board (read + text, what each refresh of
the pinned board does), the nominations list with every rule of the profile checked (read +
checks + text), the .xlsx of every nomination, the .zip of every bloc's dossier; for the
25-bloc province, for the country's largest province, and for all 34 in turn; the process's
peak resident memory while measuring.

    python -m bench.bench_province                 # full scale, both backends, writes docs/BENCHMARKS.md
    python -m bench.bench_province --country-blocs 120 --country-units 1400 --no-write
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, insert, select, update

from bench import report
from bench.bench_data import build_documents, compile_list, counting_queries
from bench.databases import WORK, database, postgres_answers
from bench.seed import Seeded, seed
from domain.chunks import split_lines
from exports import review_documents
from handlers import province as officers_view
from khoibot.clock import ManualClock
from khoibot.config import Settings
from khoibot.render import Renderer
from khoibot.services import Services
from services import province as service
from storage.db import Database
from storage.models import Bloc, Dossier, ReviewDocument, YearResult

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
YEAR = 2025
NOW = datetime(2025, 12, 22, 9, 0, tzinfo=TZ)       # two days after the dossiers were due
DUE = datetime(2025, 12, 20, 17, 0, tzinfo=TZ)
OFFICER = 990_000_001

# Since 01/07/2025: 6 centrally-run cities and 28 provinces (code, name, kind).
COUNTRY = [("HN", "Hà Nội", "city"), ("HCM", "Hồ Chí Minh", "city"), ("HP", "Hải Phòng", "city"),
           ("DN", "Đà Nẵng", "city"), ("HUE", "Huế", "city"), ("CT", "Cần Thơ", "city"),
           ("LCU", "Lai Châu", "province"), ("DBN", "Điện Biên", "province"), ("SLA", "Sơn La", "province"),
           ("LSN", "Lạng Sơn", "province"), ("QNH", "Quảng Ninh", "province"), ("THA", "Thanh Hóa", "province"),
           ("NAN", "Nghệ An", "province"), ("HTH", "Hà Tĩnh", "province"), ("CBG", "Cao Bằng", "province"),
           ("TQG", "Tuyên Quang", "province"), ("LCI", "Lào Cai", "province"), ("TNN", "Thái Nguyên", "province"),
           ("PTO", "Phú Thọ", "province"), ("BNH", "Bắc Ninh", "province"), ("HYN", "Hưng Yên", "province"),
           ("NBH", "Ninh Bình", "province"), ("QTR", "Quảng Trị", "province"), ("QNG", "Quảng Ngãi", "province"),
           ("GLI", "Gia Lai", "province"), ("KHA", "Khánh Hòa", "province"), ("LDG", "Lâm Đồng", "province"),
           ("DLK", "Đắk Lắk", "province"), ("DNI", "Đồng Nai", "province"), ("TNH", "Tây Ninh", "province"),
           ("VLG", "Vĩnh Long", "province"), ("DTP", "Đồng Tháp", "province"), ("CMU", "Cà Mau", "province"),
           ("AGG", "An Giang", "province")]
# Every kind of check of a rule profile, each with its source (docs/BENCHMARKS.md reads them as examples).
RULES = [
    {"code": "CAP_CP", "kind": "cap", "title": "CO_CP", "limit": 5, "source": "Quy chế thi đua, khen thưởng, Điều 8"},
    {"code": "SHARE_CP", "kind": "share", "title": "CO_CP", "percent": 20, "of_title": "CO_TINH",
     "source": "Quy chế thi đua, khen thưởng, Điều 9"},
    {"code": "CP_TINH", "kind": "also_nominee", "title": "CO_CP", "of_title": "CO_TINH",
     "source": "Luật Thi đua, khen thưởng 2022, Điều 25"},
    {"code": "ONE", "kind": "one_bloc", "source": "Quy chế thi đua, khen thưởng, Điều 5"},
    {"code": "TINH_2Y", "kind": "consecutive", "title": "CO_TINH", "years": 2, "results": ["CO_TINH", "BK_UBND"],
     "source": "Nghị định 152/2025/NĐ-CP, Điều 9"},
]


def province_tables(provinces: list[tuple[str, str, str]]) -> list[dict]:
    return [{"code": code, "name": name, "kind": kind, "officers": [OFFICER], "dossier_due": "20/12 17:00",
             "rules": RULES} for code, name, kind in provinces]


def services(url: str, provinces: list[tuple[str, str, str]]) -> Services:
    settings = Settings.model_validate({"database": {"url": url}, "bot": {"province": provinces[0][1]},
                                        "logging": {"format": "text"}, "provinces": province_tables(provinces)})
    return Services(settings=settings, db=Database(url), clock=ManualClock(NOW), render=Renderer(settings.bot.tz),
                    catalogue=settings.catalogue)


# ---- seeding: the year played to the lists and the dossiers -----------------------------------

def shares(total: int, weights: list[float]) -> list[int]:
    """``total`` split by ``weights`` (largest remainder), each at least 1."""
    raw = [total * w / sum(weights) for w in weights]
    counts = [max(1, int(r)) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - int(raw[i]), reverse=True):
        if sum(counts) >= total:
            break
        counts[i] += 1
    while sum(counts) > total:
        counts[counts.index(max(counts))] -= 1
    return counts


@dataclass
class Played:
    """What the seeding left: per province code, its blocs; the dossiers sent, late, missing."""

    seeded: Seeded
    blocs_of: dict[str, list[int]]
    sent: set[int] = field(default_factory=set)
    late: set[int] = field(default_factory=set)
    seconds: float = 0.0


def play(url: str, provinces: list[tuple[str, str, str]], *, blocs: int, units: int, sizes: list[int] | None = None,
         weights: list[float] | None = None, real_documents: bool = True, seed_value: int = 18) -> Played:
    """Seed ``blocs`` blocs over ``provinces`` (by ``weights``), then per bloc: its documents
    (version 1, a few a version 2), its dossier (90 % in time, 6 % late, 4 % not sent) and
    earlier years' results for half of this year's provincial-flag nominees."""
    started = time.perf_counter()
    db = Database(url)
    seeded = seed(db, blocs=blocs, units=units, year=YEAR, sizes=sizes, seed_value=seed_value)
    rng = random.Random(seed_value)
    counts = shares(len(seeded.blocs), weights or [1.0] * len(provinces))
    order = list(seeded.blocs)
    rng.shuffle(order)
    blocs_of: dict[str, list[int]] = {}
    placed = iter(order)
    for (code, name, _kind), count in zip(provinces, counts):
        blocs_of[code] = [next(placed).id for _ in range(count)]
    with db.engine.begin() as connection:
        connection.execute(update(Bloc.__table__).where(Bloc.__table__.c.id == bindparam("bloc"))
                           .values(province=bindparam("b_province")),
                           [{"bloc": b, "b_province": name} for (code, name, _), ids in zip(provinces, blocs_of.values())
                            for b in ids])
    s = services(url, provinces)
    made: dict[int, dict[str, tuple[str, bytes]]] = {}  # by bloc size when reused
    documents, dossiers, results = [], [], []
    played = Played(seeded, blocs_of)
    made_at = datetime(YEAR, 12, 10, 17, 30, tzinfo=TZ).astimezone(timezone.utc)
    with db.engine.connect() as connection:
        next_result = (connection.execute(select(func.max(YearResult.__table__.c.id))).scalar() or 0) + 1
    for bloc in seeded.blocs:
        key = bloc.id if real_documents else bloc.size
        if key not in made:
            _messages, record = compile_list(s, bloc.chat_id)
            built = build_documents(s, record)
            made[key] = {kind: (review_documents.filename(kind, record), content) for kind, content in built.items()}
        versions = [1, 2] if rng.random() < 0.1 else [1]
        for version in versions:
            for kind, (name, content) in made[key].items():
                documents.append(dict(bloc_id=bloc.id, year=YEAR, kind=kind, version=version,
                                      filename=name.replace("-v1.", f"-v{version}."), content=content,
                                      fingerprint=str(version), file_id=None, created_by=bloc.secretary_id,
                                      created_at=made_at + timedelta(days=version - 1)))
        fate = rng.random()
        if fate < 0.96:
            late = fate >= 0.90
            at = DUE + timedelta(hours=rng.randint(2, 40)) if late else DUE - timedelta(hours=rng.randint(2, 200))
            dossiers.append(dict(bloc_id=bloc.id, year=YEAR, version=versions[-1], sent_by=bloc.secretary_id,
                                 sent_at=at.astimezone(timezone.utc)))
            (played.late if late else played.sent).add(bloc.id)
        for unit_name in bloc.selected.get("CO_TINH", []):
            if rng.random() < 0.5:
                unit_id = next(uid for uid, n in bloc.unit_names.items() if n == unit_name)
                for year, code in ((YEAR - 1, "CO_TINH"), (YEAR - 2, rng.choice(("CO_TINH", "BK_UBND")))):
                    results.append(dict(id=next_result, bloc_id=bloc.id, unit_id=unit_id, year=year, code=code,
                                        proposed=True, votes=None, percent=None, note="", source="vote",
                                        recorded_at=made_at))
                    next_result += 1
    with db.engine.begin() as connection:
        for start in range(0, len(documents), 200):
            connection.execute(insert(ReviewDocument.__table__), documents[start:start + 200])
        if dossiers:
            connection.execute(insert(Dossier.__table__), dossiers)
        if results:
            connection.execute(insert(YearResult.__table__), results)
    s.db.dispose()
    db.dispose()
    played.seconds = time.perf_counter() - started
    return played


# ---- the measured operations: the officers' code paths, without Telegram ------------------------

def board(s: Services, province) -> tuple[service.Board, str]:
    """A refresh of the pinned province board: every bloc's stage read, the text made."""
    with s.db.session() as session:
        found = service.board(session, province, None, s.catalogue, s.clock.now(), tz=s.tz)
    return found, officers_view._board_text(s, found)


def nominations(s: Services, province) -> tuple[service.Nominations, list[str]]:
    """«📋 Danh sách đề nghị»: every proposal of the province, every rule checked, the messages."""
    with s.db.session() as session:
        found = service.nominations(session, province, None, s.catalogue, now=s.clock.now(), tz=s.tz)
    return found, split_lines(s.render("province.nominations", n=found))


def workbook(s: Services, province) -> bytes:
    """«📊 (.xlsx)»: the nominations read and checked, then the workbook."""
    with s.db.session() as session:
        found = service.nominations(session, province, None, s.catalogue, now=s.clock.now(), tz=s.tz)
    return officers_view._xlsx(s, found)


def archive(s: Services, province) -> bytes:
    """«🗂 (.zip)»: the documents of the version each bloc sent, read and zipped."""
    with s.db.session() as session:
        _year, folders = service.dossier_folders(session, province, None, now=s.clock.now(), tz=s.tz)
    return officers_view._zip(s, folders)


OPERATIONS = {"board": board, "nominations": nominations, "xlsx": workbook, "zip": archive}


def timed(fn, *args) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn(*args)
    return (time.perf_counter() - started) * 1000, result


def reset_peak() -> bool:
    """Start VmHWM again from the current RSS (Linux: clear_refs 5), so the peak is the measuring's."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


# ---- figures -------------------------------------------------------------------------------

@dataclass
class Scope:
    """One province measured: repeats of each operation."""

    label: str
    blocs: int
    proposals: int = 0
    warned: int = 0
    late: int = 0
    xlsx_kb: float = 0.0
    zip_mb: float = 0.0
    zip_folders: int = 0
    queries: dict[str, int] = field(default_factory=dict)
    times: dict[str, list[float]] = field(default_factory=dict)  # ms per repeat

    def p(self, op: str, q: float) -> float:
        return report.percentile(self.times.get(op, []), q)


@dataclass
class Figures:
    backend: str
    province_seed: float = 0.0
    country_seed: float = 0.0
    province: Scope | None = None
    largest: Scope | None = None
    country_total: dict[str, float] = field(default_factory=dict)  # s, all 34 in turn, per operation
    country_worst: dict[str, float] = field(default_factory=dict)  # ms, the slowest province
    country_zip_mb: float = 0.0
    rss_before: float = 0.0
    rss_peak: float = 0.0
    peak_reset: bool = False


def measure_scope(s: Services, province, label: str, repeats: dict[str, int]) -> Scope:
    found, _ = board(s, province)
    scope = Scope(label, len(found.stages), late=len(found.late))
    for op, fn in OPERATIONS.items():
        fn(s, province)  # warm: templates, compiled SQL
        with counting_queries(s) as counter:
            _, result = timed(fn, s, province)
        scope.queries[op] = counter.count
        scope.times[op] = [timed(fn, s, province)[0] for _ in range(repeats[op])]
        if op == "nominations":
            scope.proposals, scope.warned = len(result[0].items), result[0].warned
        elif op == "xlsx":
            scope.xlsx_kb = len(result) / 1024
        elif op == "zip":
            scope.zip_mb = len(result) / 1024 / 1024
    with s.db.session() as session:
        scope.zip_folders = len(service.dossier_folders(session, province, None, now=s.clock.now(), tz=s.tz)[1])
    return scope


def _say(backend: str, scope: Scope) -> None:
    print(f"[{backend}] {scope.label}: {scope.blocs} blocs, {scope.proposals} proposals ({scope.warned} warned), "
          + "; ".join(f"{op} p50 {scope.p(op, 50):.1f} ms p99 {scope.p(op, 99):.1f} ms" for op in OPERATIONS)
          + f"; zip {scope.zip_mb:.1f} MB", flush=True)


def measure(backend: str, args) -> Figures:
    figures = Figures(backend)
    repeats = {"board": args.repeats, "nominations": args.repeats, "xlsx": max(3, args.repeats // 5),
               "zip": max(3, args.repeats // 10)}
    one = [("HUE", "Huế", "city")]
    with database(backend, "bench_province_one") as url:
        played = play(url, one, blocs=args.province_blocs, units=args.province_units)
        figures.province_seed = played.seconds
        print(f"[{backend}] a province: {len(played.seeded.blocs)} blocs, {played.seeded.units} units, "
              f"seeded and played to the dossiers in {played.seconds:.1f} s", flush=True)
        s = services(url, one)
        figures.rss_before = report.rss_mb()
        figures.peak_reset = reset_peak()
        figures.province = measure_scope(s, s.provinces.all[0], f"province of {args.province_blocs} blocs", repeats)
        _say(backend, figures.province)
        s.db.dispose()
    peak = report.peak_rss_mb()
    country = COUNTRY[:args.provinces]
    weights = [2.0, 2.2] + [1.0] * (len(country) - 2) if len(country) > 2 else None
    with database(backend, "bench_province_country") as url:
        played = play(url, country, blocs=args.country_blocs, units=args.country_units, weights=weights,
                      real_documents=False)
        figures.country_seed = played.seconds
        print(f"[{backend}] the country: {len(country)} provinces, {len(played.seeded.blocs)} blocs, "
              f"{played.seeded.units} units, seeded and played in {played.seconds:.1f} s", flush=True)
        s = services(url, country)
        figures.peak_reset = reset_peak() and figures.peak_reset
        largest_code = max(played.blocs_of, key=lambda c: len(played.blocs_of[c]))
        largest = next(p for p in s.provinces.all if p.code == largest_code)
        figures.largest = measure_scope(s, largest, f"largest province ({largest.name})", repeats)
        _say(backend, figures.largest)
        for op, fn in OPERATIONS.items():
            times = []
            for province in s.provinces.all:
                ms, result = timed(fn, s, province)
                times.append(ms)
                if op == "zip":
                    figures.country_zip_mb += len(result) / 1024 / 1024
            figures.country_total[op] = sum(times) / 1000
            figures.country_worst[op] = max(times)
        print(f"[{backend}] all {len(country)} in turn: "
              + "; ".join(f"{op} {figures.country_total[op]:.1f} s" for op in OPERATIONS), flush=True)
        s.db.dispose()
    figures.rss_peak = max(peak, report.peak_rss_mb())
    print(f"[{backend}] RSS {figures.rss_before:.0f} MB before measuring, peak {figures.rss_peak:.0f} MB", flush=True)
    return figures


# ---- the report ----------------------------------------------------------------------------

TARGETS = {"board": "< 250 (p99)", "nominations": "< 500 (p99)", "xlsx": "< 1,000", "zip": "< 2,000"}
NAMES = {"board": "province board, read + text", "nominations": "nominations list, read + all checks + text",
         "xlsx": "nominations .xlsx", "zip": "dossiers .zip"}


def _figures(data: dict) -> Figures:
    scopes = {k: Scope(**data[k]) if data.get(k) else None for k in ("province", "largest")}
    return Figures(**{**data, **scopes})


def section(all_figures: list[Figures], args, command: str) -> str:
    cols = [(f, which) for f in all_figures for which in ("province", "largest")]
    head = " | ".join(f"{f.backend}: {getattr(f, which).label}" for f, which in cols)
    lines = [
        "## The province's view at scale (`bench/bench_province.py`)",
        "",
        report.machine(),
        "",
        f"Two databases seeded by `bench/seed.py`, then played to the dossiers: a province of "
        f"{args.province_blocs} blocs and {args.province_units} units, and the whole country, "
        f"{args.provinces} provinces and cities with {args.country_blocs} blocs and {args.country_units} units "
        "(the two largest cities about twice the others' blocs). Per bloc: a closed ballot and its proposals, the "
        "four documents (the province's built per bloc; the country's built once per bloc size and reused), about "
        "a tenth with a second version, a dossier sent in time by 90 %, late by 6 %, not at all by 4 %, and two "
        "earlier years of results for half the provincial-flag nominees. The rule profile has one rule of each kind "
        "(a cap, a share, the Government flag's nominee also the provincial flag's, one unit in one bloc, "
        "consecutive years). Times in ms: the median and 99th percentile over "
        f"{args.repeats} repeats ({max(3, args.repeats // 5)} for the .xlsx, {max(3, args.repeats // 10)} for the "
        ".zip), after a warm-up.",
        "",
        f"| | {head} | target |",
        "|---|" + "---|" * len(cols) + "---|",
        "| blocs · proposals (warned) · late | " + " | ".join(
            f"{getattr(f, w).blocs} · {getattr(f, w).proposals} ({getattr(f, w).warned}) · {getattr(f, w).late}"
            for f, w in cols) + " | |",
    ]
    for op in OPERATIONS:
        lines.append(f"| {NAMES[op]}, p50 | " + " | ".join(f"{getattr(f, w).p(op, 50):,.1f}" for f, w in cols)
                     + f" | {TARGETS[op] if op in ('xlsx', 'zip') else ''} |")
        lines.append(f"| {NAMES[op]}, p99 | " + " | ".join(f"{getattr(f, w).p(op, 99):,.1f}" for f, w in cols)
                     + f" | {TARGETS[op] if op in ('board', 'nominations') else ''} |")
    lines += [
        "| SQL statements: board · list · .xlsx · .zip | " + " | ".join(
            " · ".join(str(getattr(f, w).queries.get(op, "–")) for op in OPERATIONS) for f, w in cols)
        + " | board: the same for any number of blocs |",
        "| .xlsx (KB) · .zip (MB) | " + " | ".join(
            f"{getattr(f, w).xlsx_kb:.0f} · {getattr(f, w).zip_mb:.1f}" for f, w in cols) + " | .zip < 50 MB |",
    ]
    lines += ["", f"All {args.provinces} provinces in turn (the country's database), each operation once per "
              "province: total seconds, and the slowest province in ms.", "",
              "| | " + " | ".join(f.backend for f in all_figures) + " | target |",
              "|---|" + "---|" * len(all_figures) + "---|"]
    for op in OPERATIONS:
        lines.append(f"| {NAMES[op]}: all, s · slowest, ms | " + " | ".join(
            f"{f.country_total[op]:.1f} · {f.country_worst[op]:,.0f}" for f in all_figures)
            + (" | < 10 s |" if op == "board" else " | |"))
    lines += ["| all .zip files (MB) | " + " | ".join(f"{f.country_zip_mb:.0f}" for f in all_figures) + " | |",
              "| seeding + playing: province · country (s) | " + " | ".join(
                  f"{f.province_seed:.1f} · {f.country_seed:.1f}" for f in all_figures) + " | |",
              "| RSS before measuring · peak while measuring (MB) | " + " | ".join(
                  f"{f.rss_before:.0f} · {f.rss_peak:.0f}{'' if f.peak_reset else ' (peak incl. seeding)'}"
                  for f in all_figures) + " | peak < 400 |"]
    lines += ["", "Reproduce (from the repository root):", "", "```", command,
              "python -m bench.bench_province --country-blocs 120 --country-units 1400 --repeats 10 --no-write"
              "   # a quick look", "```"]
    notes = Path(args.notes)
    if notes.exists():
        lines += ["", notes.read_text(encoding="utf-8").strip()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--province-blocs", type=int, default=25)
    parser.add_argument("--province-units", type=int, default=375)
    parser.add_argument("--provinces", type=int, default=len(COUNTRY))
    parser.add_argument("--country-blocs", type=int, default=850)
    parser.add_argument("--country-units", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--no-write", dest="write", action="store_false", help="print only")
    parser.add_argument("--rewrite", action="store_true",
                        help="measure nothing: write the section again from the last run's figures (with the notes)")
    parser.add_argument("--notes", default=str(Path(__file__).resolve().parent / "province_notes.md"),
                        help="a file whose text is appended to the section (the reading, kept across runs)")
    args = parser.parse_args(argv)
    saved = WORK / "bench_province.json"
    if args.rewrite:
        data = json.loads(saved.read_text(encoding="utf-8"))
        args = argparse.Namespace(**{**vars(args), **data["args"], "notes": args.notes, "write": args.write})
        results = [_figures(f) for f in data["figures"]]
    else:
        backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
        if "postgres" in backends and not postgres_answers():
            print("PostgreSQL does not answer on 127.0.0.1:5432: SQLite only")
            backends.remove("postgres")
        results = [measure(backend, args) for backend in backends]
        WORK.mkdir(parents=True, exist_ok=True)
        kept = {k: v for k, v in vars(args).items() if k not in ("notes", "write", "rewrite")}
        saved.write_text(json.dumps({"args": kept, "figures": [dataclasses.asdict(f) for f in results]}),
                         encoding="utf-8")
    default = (args.province_blocs, args.province_units, args.provinces, args.country_blocs, args.country_units) == (
        25, 375, len(COUNTRY), 850, 10_000)
    command = "python -m bench.bench_province" + ("" if default else
                                                  f" --province-blocs {args.province_blocs} --province-units "
                                                  f"{args.province_units} --provinces {args.provinces} "
                                                  f"--country-blocs {args.country_blocs} --country-units "
                                                  f"{args.country_units}")
    text = section(results, args, command)
    print()
    print(text)
    if args.write:
        report.write_section("province", text)


if __name__ == "__main__":
    main()
