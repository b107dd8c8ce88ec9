"""Seed a national-scale khoibot database straight through the storage models.

    from bench.seed import seed
    seeded = seed(Database(url), blocs=850, units=10_000, year=2025, standin=None)

Bulk inserts (SQLAlchemy Core, one transaction, ids assigned here) of what a year of the
real flow leaves behind, mirroring storage/ and domain/:

* per bloc: a Telegram group (a stand-in SimChat when ``standin`` is given), the bloc row,
  its secretary (a ``tg_user`` who opened a private chat, a secretary ``role`` for the
  year), this year's Trưởng/Phó khối roles, the year's milestones;
* per unit: the unit, one representative (``tg_user`` that started the bot, a used
  ``invitation``, the ``representative`` row);
* registrations (``current`` rows, collective codes of the default catalogue, individuals
  as ``[{"code", "count", "names"}]``), the points table and five ``score`` rows per unit;
* a closed secret ballot: the ``vote`` row as ``storage.votes.open_vote`` leaves it (ballot
  from ``domain.ballot.prepare``, lines without candidates dropped, voters in roster order,
  rules of config ``[vote]``), ``vote_count`` rows for every candidate with the votes and
  the ballots ``returned`` per line, a ``ballot_cast`` row per unit that voted, and what
  closing writes (``year_result`` for the selected units, next year's leaders as roles),
  computed by ``domain.ballot.outcome``.

The audit log is not seeded (nothing reads it on these paths). Sizes, names, choices and
scores come from ``random.Random(seed)``: the same arguments give the same database.

``reminder_due``: instead of last year's calendar, each bloc gets a registration deadline
``deadline_days`` after that moment and one pending reminder due at it (the fan-out
benchmark seeds ``registrations=False`` so that every unit owes its registration).
"""

from __future__ import annotations

import argparse
import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, inspect, select, text

from domain import ballot as rules
from domain.catalogue import Catalogue, DEFAULT_TITLES
from domain.milestones import Kind
from domain.scores import DEFAULT_CRITERIA
from domain.text import clean, fold, sort_key
from storage.db import Database
from storage.migrate import upgrade
from storage.models import (BallotCast, Bloc, Invitation, Milestone, PointsTable, Registration, Reminder,
                            Representative, Role, RoleKind, Score, TgUser, Unit, Vote, VoteCount, YearResult)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# Stand-in users are numbered from 700_000_001 by the stand-in itself; seeded people
# start elsewhere so that both can live in one stand-in.
FIRST_USER_ID = 800_000_001
FIRST_GROUP_ID = 4_500_000_001  # groups without a stand-in: -4_500_000_001, -4_500_000_002, …
MIN_UNITS, MAX_UNITS = 5, 25

PROVINCES = ["Thừa Thiên Huế", "Hải Phòng", "Đồng Nai", "Hòa Bình", "Nghệ An", "Cần Thơ", "Quảng Ninh",
             "Đắk Lắk", "Lâm Đồng", "Bình Định", "Thanh Hóa", "An Giang", "Hà Nội", "Đà Nẵng"]
BLOC_KINDS = ["các Sở, ban, ngành tổng hợp", "các tổ chức Hội", "văn hóa - xã hội", "kinh tế - kỹ thuật",
              "nội chính", "các Tổ chức xã hội", "các huyện miền núi", "doanh nghiệp nhà nước",
              "các cơ quan Đảng", "các đoàn thể chính trị - xã hội", "các trường cao đẳng", "y tế"]
UNIT_STEMS = ["Sở Tài chính", "Sở Y tế", "Sở Giáo dục và Đào tạo", "Sở Xây dựng", "Sở Công Thương",
              "Sở Nội vụ", "Sở Tư pháp", "Sở Nông nghiệp và Môi trường", "Sở Khoa học và Công nghệ",
              "Sở Văn hóa, Thể thao và Du lịch", "Thanh tra tỉnh", "Văn phòng UBND tỉnh", "Ban Dân tộc",
              "Hội Chữ thập đỏ", "Hội Khuyến học", "Hội Người mù", "Hội Nhà báo", "Hội Luật gia", "Hội Đông y",
              "Hội Người cao tuổi", "Hội Cựu Thanh niên xung phong", "Liên hiệp các Hội Khoa học và Kỹ thuật",
              "Liên hiệp các Hội Văn học Nghệ thuật", "Liên hiệp các Tổ chức hữu nghị", "Hội Nông dân",
              "Hội Liên hiệp Phụ nữ", "Tỉnh đoàn", "Liên đoàn Lao động", "Hội Cựu chiến binh", "Bảo hiểm xã hội",
              "Kho bạc Nhà nước", "Cục Thuế", "Cục Thống kê", "Ngân hàng Chính sách xã hội", "Đài Phát thanh",
              "Báo tỉnh", "Trường Chính trị", "Bệnh viện Đa khoa", "Trung tâm Kiểm soát bệnh tật",
              "Công ty Điện lực", "Công ty Cấp nước", "Ban Quản lý dự án", "Quỹ Đầu tư phát triển",
              "Trường Cao đẳng Y tế", "Trường Cao đẳng Sư phạm", "Hội Nạn nhân chất độc da cam/dioxin",
              "Câu lạc bộ Hưu trí", "Hội Bảo trợ người khuyết tật và trẻ mồ côi", "Hội Làm vườn",
              "Hội Sinh vật cảnh"]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Thanh", "Minh", "Ngọc", "Quốc", "Thu", "Kim"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Hà", "Hải", "Hoa", "Hùng", "Lan", "Linh", "Long", "Mai", "Nam", "Nga",
         "Phong", "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vân", "Yến"]


@dataclass
class SeededBloc:
    id: int
    chat_id: int
    name: str
    secretary_id: int
    unit_ids: list[int]  # roster order (Vietnamese sort)
    unit_names: dict[int, str]
    representatives: dict[int, int]  # unit id -> user id
    vote_id: int | None = None
    # code -> unit id -> votes, as counted into vote_count; code -> ballots returned
    votes: dict[str, dict[int, int]] = field(default_factory=dict)
    returned: dict[str, int] = field(default_factory=dict)
    issued: int = 0
    # code -> names of the units the tally selects (what /danhsach must list)
    selected: dict[str, list[str]] = field(default_factory=dict)
    reminder_id: int | None = None

    @property
    def size(self) -> int:
        return len(self.unit_ids)


@dataclass
class Seeded:
    year: int
    blocs: list[SeededBloc]
    rows: dict[str, int]  # table -> rows written
    seconds: float

    @property
    def units(self) -> int:
        return sum(b.size for b in self.blocs)

    def by_size(self, size: int) -> SeededBloc | None:
        return next((b for b in self.blocs if b.size == size), None)

    def recipients(self) -> set[int]:
        """Every chat a reminder to all blocs should reach: each representative and each group."""
        return {u for b in self.blocs for u in b.representatives.values()} | {b.chat_id for b in self.blocs}


def bloc_sizes(blocs: int, units: int, rng: random.Random) -> list[int]:
    """``blocs`` sizes between 5 and 25 adding up to ``units`` (clamped to what fits),
    skewed small like real provinces (most blocs 6–14 units, a few of 20–25)."""
    target = max(blocs * MIN_UNITS, min(blocs * MAX_UNITS, units))
    sizes = [min(MAX_UNITS, max(MIN_UNITS, round(rng.triangular(MIN_UNITS, MAX_UNITS, 8)))) for _ in range(blocs)]
    while sum(sizes) != target:
        i = rng.randrange(blocs)
        step = 1 if sum(sizes) < target else -1
        if MIN_UNITS <= sizes[i] + step <= MAX_UNITS:
            sizes[i] += step
    return sizes


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc)


class _Ids:
    """Next free id per table (the seed may go into a database that already has rows)."""

    def __init__(self, connection, models) -> None:
        self.next = {m: (connection.execute(select(func.max(m.__table__.c.id))).scalar() or 0) + 1 for m in models}

    def take(self, model) -> int:
        value = self.next[model]
        self.next[model] += 1
        return value


def seed(db: Database, *, blocs: int = 850, units: int = 10_000, year: int = 2025, standin=None,
         seed_value: int = 6, sizes: list[int] | None = None, registrations: bool = True, ballot: bool = True,
         reminder_due: datetime | None = None, deadline_days: int = 3, catalogue: Catalogue | None = None,
         migrate: bool = True) -> Seeded:
    """Write ``blocs`` blocs of 5–25 units (``units`` in all; or exactly ``sizes``).

    ``standin``: a ``standin.BotApiStandIn``; every seeded person becomes a SimUser with the
    same id who has started the bot, every bloc's group a SimChat the bot is a member of.
    ``ballot`` needs ``registrations`` (the candidates are the units that registered)."""
    started = time.perf_counter()
    rng = random.Random(seed_value)
    catalogue = catalogue or Catalogue(DEFAULT_TITLES)
    vote_rules = rules.Rules(threshold=50.0, strictly_more=True, base="members", self_vote=True)
    sizes = list(sizes) if sizes is not None else bloc_sizes(blocs, units, rng)
    if migrate:
        upgrade(db.engine)
    models = [TgUser, Bloc, Unit, Invitation, Representative, Role, Milestone, Registration, PointsTable, Score,
              Vote, VoteCount, BallotCast, YearResult, Reminder]
    rows: dict[type, list[dict]] = {m: [] for m in models}
    with db.engine.connect() as connection:
        ids = _Ids(connection, [m for m in models if m is not TgUser])
        ids.next[TgUser] = max(FIRST_USER_ID, (connection.execute(select(func.max(TgUser.__table__.c.id))).scalar()
                                               or 0) + 1)
        group_base = FIRST_GROUP_ID + (connection.execute(select(func.count()).select_from(Bloc.__table__)).scalar()
                                       or 0)
    set_up = _utc(datetime(year, 2, 10, 9, 0, tzinfo=TZ))
    criteria = [dict(name=name, max=float(points)) for name, points in DEFAULT_CRITERIA]
    individual_codes = [t.code for t in catalogue.individual(year)]
    result: list[SeededBloc] = []

    for number, size in enumerate(sizes, start=1):
        province = PROVINCES[number % len(PROVINCES)]
        bloc_name = f"Khối thi đua số {number} ({BLOC_KINDS[number % len(BLOC_KINDS)]})"
        secretary_id = ids.take(TgUser)
        secretary_name = _person(rng)
        names = rng.sample(UNIT_STEMS, min(size, len(UNIT_STEMS)))
        names += [f"Đơn vị thành viên số {i}" for i in range(len(names) + 1, size + 1)]
        names = [f"{n} tỉnh {province}" if rng.random() < 0.3 else n for n in names]
        people = {name: _person(rng) for name in names}
        if standin is not None:
            secretary = standin.add_user(secretary_name, user_id=secretary_id)
            secretary.started = True
            secretary.private_chat  # noqa: B018 - the private chat exists once the person wrote to the bot
        bloc_id = ids.take(Bloc)
        unit_ids = {name: ids.take(Unit) for name in names}
        rep_ids = {name: ids.take(TgUser) for name in names}
        if standin is not None:
            reps = []
            for name in names:
                user = standin.add_user(people[name], user_id=rep_ids[name])
                user.started = True
                user.private_chat  # noqa: B018
                reps.append(user)
            group = standin.add_group(bloc_name, members=reps, admins=[secretary])
            group.bot_status = "member"
            chat_id = group.id
        else:
            chat_id = -(group_base + number - 1)
        rows[Bloc].append(dict(id=bloc_id, chat_id=chat_id, name=bloc_name, province=province, year=year,
                               created_at=set_up, created_by=secretary_id, reminder_hour=None))
        rows[TgUser].append(dict(id=secretary_id, first_name=secretary_name, last_name="", username=None,
                                 started_at=set_up, blocked_at=None, updated_at=set_up))
        rows[Role].append(dict(id=ids.take(Role), bloc_id=bloc_id, year=year, kind=RoleKind.SECRETARY.value,
                               unit_id=None, user_id=secretary_id, created_at=set_up, created_by=secretary_id,
                               removed_at=None))
        for name in names:
            uid, person = unit_ids[name], rep_ids[name]
            enrolled = set_up + timedelta(minutes=rng.randrange(60 * 24 * 10))
            invitation_id = ids.take(Invitation)
            rows[Unit].append(dict(id=uid, bloc_id=bloc_id, name=clean(name), name_key=fold(name), created_at=set_up,
                                   removed_at=None))
            rows[TgUser].append(dict(id=person, first_name=people[name], last_name="", username=None,
                                     started_at=enrolled, blocked_at=None, updated_at=enrolled))
            rows[Invitation].append(dict(id=invitation_id, token=f"{rng.getrandbits(192):048x}", bloc_id=bloc_id,
                                         unit_id=uid, created_by=secretary_id, created_at=set_up,
                                         expires_at=set_up + timedelta(days=30), used_at=enrolled, used_by=person,
                                         revoked_at=None))
            rows[Representative].append(dict(id=ids.take(Representative), unit_id=uid, user_id=person,
                                             invitation_id=invitation_id, enrolled_at=enrolled, removed_at=None))
        roster = sorted(names, key=sort_key)
        members = [unit_ids[n] for n in roster]
        unit_names = {unit_ids[n]: clean(n) for n in names}
        entry = SeededBloc(id=bloc_id, chat_id=chat_id, name=bloc_name, secretary_id=secretary_id, unit_ids=members,
                           unit_names=unit_names, representatives={unit_ids[n]: rep_ids[n] for n in names})
        result.append(entry)
        # This year's Trưởng/Phó khối (set by the province at the start of the year).
        lead, deputy = rng.sample(members, 2)
        for unit, kind in ((lead, RoleKind.LEAD), (deputy, RoleKind.DEPUTY)):
            rows[Role].append(dict(id=ids.take(Role), bloc_id=bloc_id, year=year, kind=kind.value, unit_id=unit,
                                   user_id=None, created_at=set_up, created_by=secretary_id, removed_at=None))
        _milestones(rows, ids, bloc_id, year, secretary_id, set_up, reminder_due, deadline_days, entry)
        if not registrations:
            continue
        # Popularity drives registrations, scores and votes alike, so results look real.
        popularity = {u: rng.random() for u in members}
        ranked = sorted(members, key=lambda u: -popularity[u])
        registered: dict[int, set[str]] = {}
        for place, unit in enumerate(ranked):
            codes = []
            if place < rng.choice((1, 2)):
                codes.append("CO_CP")
            if place < rng.choice((2, 3)):
                codes.append("CO_TINH")
            if place < max(2, round(size * 0.5)):
                codes.append("BK_UBND")
            codes.append("TTLDXS" if place < size * 0.8 else "TTLDTT")
            codes = [t.code for t in catalogue.in_order(codes)]
            registered[unit] = set(codes)
            individuals = [dict(code=code, count=rng.randint(1, 30), names=[]) for code in individual_codes
                           if rng.random() < 0.6]
            rows[Registration].append(dict(
                id=ids.take(Registration), bloc_id=bloc_id, unit_id=unit, year=year, current=True, withdrawn=False,
                collective=codes, individuals=individuals, targets="Hoàn thành xuất sắc nhiệm vụ năm " + str(year),
                confirmed_by=entry.representatives[unit],
                confirmed_at=set_up + timedelta(days=20 + rng.randrange(20))))
        # Scores against the default table (the first score keeps it as the bloc's table).
        scored = set_up.replace(month=11, day=20)
        rows[PointsTable].append(dict(id=ids.take(PointsTable), bloc_id=bloc_id, year=year, criteria=criteria,
                                      set_by=entry.representatives[ranked[0]], set_at=scored))
        totals: dict[int, float] = {}
        for unit in members:
            points = [min(c["max"], round(c["max"] * (0.7 + 0.25 * popularity[unit] + rng.uniform(0, 0.05)) * 2) / 2)
                      for c in criteria]
            totals[unit] = round(sum(points), 2)
            for index, value in enumerate(points):
                rows[Score].append(dict(id=ids.take(Score), bloc_id=bloc_id, unit_id=unit, year=year, criterion=index,
                                        self_points=value, self_by=entry.representatives[unit], self_at=scored,
                                        adjusted_points=None, adjusted_reason="", adjusted_by=None,
                                        adjusted_at=None))
        if ballot:
            _ballot(rows, ids, rng, entry, catalogue, vote_rules, year, members, registered, popularity, totals,
                    set_up)

    written = _write(db, rows)
    if standin is not None:
        standin.settle_timeout = max(standin.settle_timeout, 30.0)
    return Seeded(year=year, blocs=result, rows={m.__tablename__: n for m, n in written.items()},
                  seconds=time.perf_counter() - started)


def _milestones(rows, ids: _Ids, bloc_id: int, year: int, by: int, set_up: datetime, reminder_due: datetime | None,
                deadline_days: int, entry: SeededBloc) -> None:
    if reminder_due is not None:
        milestone_id = ids.take(Milestone)
        rows[Milestone].append(dict(id=milestone_id, bloc_id=bloc_id, year=year,
                                    kind=Kind.REGISTRATION_DEADLINE.value,
                                    at=_utc(reminder_due + timedelta(days=deadline_days)), place="", created_by=by,
                                    created_at=_utc(reminder_due - timedelta(days=10)), cancelled_at=None))
        entry.reminder_id = ids.take(Reminder)
        rows[Reminder].append(dict(id=entry.reminder_id, bloc_id=bloc_id, milestone_id=milestone_id,
                                   due_at=_utc(reminder_due), label=f"{deadline_days}d", status="pending",
                                   claimed_at=None, done_at=None, note=""))
        return
    calendar = [
        (Kind.COVENANT_MEETING, datetime(year, 3, 20, 14, 0), "Hội trường Liên hiệp các Hội"),
        (Kind.REGISTRATION_DEADLINE, datetime(year, 3, 31, 23, 59), ""),
        (Kind.MIDYEAR_MEETING, datetime(year, 7, 15, 8, 0), "Hội trường đơn vị Trưởng khối"),
        (Kind.YEAREND_MEETING, datetime(year, 12, 10, 14, 0), "Hội trường UBND tỉnh"),
        (Kind.DOSSIER_DEADLINE, datetime(year, 12, 20, 23, 59), ""),
    ]
    for kind, at, place in calendar:
        rows[Milestone].append(dict(id=ids.take(Milestone), bloc_id=bloc_id, year=year, kind=kind.value,
                                    at=_utc(at.replace(tzinfo=TZ)), place=place, created_by=by, created_at=set_up,
                                    cancelled_at=None))


def _ballot(rows, ids: _Ids, rng: random.Random, entry: SeededBloc, catalogue: Catalogue, vote_rules: rules.Rules,
            year: int, members: list[int], registered: dict[int, set[str]], popularity: dict[int, float],
            totals: dict[int, float], set_up: datetime) -> None:
    """The vote as the real flow leaves it once closed by the secretary."""
    lines = rules.prepare(titles=catalogue.voted(year), members=members, registered=registered, elect_leaders=True)
    lines = [line for line in lines if line.candidates]  # open_vote drops empty lines
    opened = _utc(datetime(year, 12, 10, 13, 0, tzinfo=TZ))
    closed = opened + timedelta(hours=4)
    vote_id = ids.take(Vote)
    casters = [u for u in members if rng.random() < 0.92] or members[:1]
    votes = {line.code: {u: 0 for u in line.candidates} for line in lines}
    for voter in casters:
        for line in lines:
            choosable = rules.choosable(line, voter, vote_rules)
            liked = sorted(choosable, key=lambda u: -(popularity[u] + rng.gauss(0, 0.2)))
            for unit in liked[:line.quota]:
                votes[line.code][unit] += 1
    returned = {line.code: len(casters) for line in lines}
    rows[Vote].append(dict(id=vote_id, bloc_id=entry.id, year=year, status="closed", ballot=lines, voters=members,
                           rules=vote_rules.as_dict(), decisions={}, deadline_milestone_id=None,
                           progress_message_id=None, created_by=entry.secretary_id, created_at=opened,
                           opened_by=entry.secretary_id, opened_at=opened, closed_by=entry.secretary_id,
                           closed_at=closed))
    for line in lines:
        for unit in line.candidates:
            rows[VoteCount].append(dict(id=ids.take(VoteCount), vote_id=vote_id, code=line.code, unit_id=unit,
                                        votes=votes[line.code][unit], returned=returned[line.code]))
    for voter in casters:
        rows[BallotCast].append(dict(id=ids.take(BallotCast), vote_id=vote_id, unit_id=voter,
                                     cast_by=entry.representatives[voter],
                                     cast_at=opened + timedelta(minutes=rng.randrange(1, 230))))
    # Closing: the tally, each selected unit's result for the year, next year's leaders.
    outcomes = rules.outcome(ballot=lines, box={c: rules.BoxTitle(v, returned[c]) for c, v in votes.items()},
                             issued=len(members), rules=vote_rules, names=entry.unit_names,
                             scores=dict(totals), catalogue=catalogue, decisions={}, history={}, year=year)
    ids_by_name = {name: uid for uid, name in entry.unit_names.items()}
    for outcome in outcomes:
        if outcome.code in rules.LEADERS:
            continue
        entry.selected[outcome.code] = [line.unit for line in outcome.selected]
        for line in outcome.selected:
            rows[YearResult].append(dict(id=ids.take(YearResult), bloc_id=entry.id, unit_id=ids_by_name[line.unit],
                                         year=year, code=outcome.code, proposed=True, votes=line.votes,
                                         percent=line.percent, note="", source="vote", recorded_at=closed))
    for code, kind in ((rules.LEAD, RoleKind.LEAD), (rules.DEPUTY, RoleKind.DEPUTY)):
        name = rules.elected(outcomes, code)
        if name is not None:
            rows[Role].append(dict(id=ids.take(Role), bloc_id=entry.id, year=year + 1, kind=kind.value,
                                   unit_id=ids_by_name[name], user_id=None, created_at=closed,
                                   created_by=entry.secretary_id, removed_at=None))
    entry.vote_id, entry.votes, entry.returned, entry.issued = vote_id, votes, returned, len(members)


def _write(db: Database, rows: dict[type, list[dict]]) -> dict[type, int]:
    """Insert in dependency order, in one transaction; on PostgreSQL move the id sequences
    past the ids given here, so the bot's own inserts do not collide."""
    written = {}
    with db.engine.begin() as connection:
        for model, batch in rows.items():
            for start in range(0, len(batch), 5000):
                connection.execute(insert(model.__table__), batch[start:start + 5000])
            written[model] = len(batch)
        if connection.dialect.name == "postgresql":
            for model in rows:
                table = model.__table__.name
                if model is TgUser or not inspect(model).primary_key[0].autoincrement:
                    continue
                connection.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)"))
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Seed a khoibot database at national scale")
    parser.add_argument("url", help="database URL, e.g. sqlite:////tmp/national.sqlite3")
    parser.add_argument("--blocs", type=int, default=850)
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--seed", type=int, default=6)
    args = parser.parse_args(argv)
    seeded = seed(Database(args.url), blocs=args.blocs, units=args.units, year=args.year, seed_value=args.seed)
    print(f"{len(seeded.blocs)} blocs, {seeded.units} units, {sum(seeded.rows.values())} rows "
          f"in {seeded.seconds:.1f} s: {seeded.rows}")


if __name__ == "__main__":
    main()
