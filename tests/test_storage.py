"""The database as deployed: created and upgraded by Alembic, SQLite in WAL mode with
foreign keys enforced, times kept time-zone aware, text normalised on the way in."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from storage import blocs, roster
from storage.db import Database
from storage.migrate import current_revision, head_revision, upgrade
from storage.models import Unit


@pytest.fixture
def db(database_url):
    database = Database(database_url)
    upgrade(database.engine)
    yield database
    database.dispose()


def test_schema_is_at_head_and_upgrading_again_changes_nothing(db):
    assert current_revision(db.engine) == head_revision()
    upgrade(db.engine)
    assert current_revision(db.engine) == head_revision()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(db):
    if not db.url.startswith("sqlite"):
        pytest.skip("SQLite pragmas")
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_foreign_keys_are_enforced(db):
    with pytest.raises(IntegrityError):
        with db.session() as s:
            s.add(Unit(bloc_id=999_999, name="Hội Khuyến học", name_key="hoi khuyen hoc",
                       created_at=datetime.now(UTC)))


def test_times_come_back_aware_and_names_normalised(db):
    now = datetime(2025, 3, 15, 7, 30, tzinfo=UTC)
    decomposed = unicodedata.normalize("NFD", "Hội  Người mù ")
    with db.session() as s:
        bloc = blocs.create_bloc(session=s, chat_id=-100123, name="Khối số 6", year=2025, province="Bình Phước",
                                 by=42, now=now)
        roster.add_units(session=s, bloc=bloc, names=[decomposed], by=42, now=now)
    with db.session() as s:
        unit = roster.active_units(session=s, bloc_id=bloc.id)[0]
        assert unit.name == "Hội Người mù" and unicodedata.is_normalized("NFC", unit.name)
        assert unit.created_at == now and unit.created_at.tzinfo is not None
        assert roster.find_units(session=s, bloc_id=bloc.id, typed="hoi nguoi mu") == [unit]


def test_the_status_of_many_blocs_is_read_at_once_and_equals_each_blocs_own(db):
    """storage.status.status_rows (the rows of every bloc's pinned board, five statements for a
    whole country) gives each bloc what the one-bloc reads give: its active units in
    Vietnamese order, the deadline of its own year, its current registrations and covenants of
    its own year, the quotas its secretary set for its year, nothing of another bloc or another year."""
    from storage import milestones, quotas, registrations
    from storage.milestones import REGISTRATION_DEADLINE
    from storage.models import Bloc
    from storage.status import status_rows

    now = datetime(2025, 3, 15, 7, 30, tzinfo=UTC)
    with db.session() as s:
        a = blocs.create_bloc(session=s, chat_id=-1001, name="Khối A", year=2025, province="Huế", by=42, now=now)
        b = blocs.create_bloc(session=s, chat_id=-1002, name="Khối B", year=2025, province="Huế", by=42, now=now)
        empty = blocs.create_bloc(session=s, chat_id=-1003, name="Khối C", year=2025, province="Huế", by=42, now=now)
        ua = roster.add_units(session=s, bloc=a, names=["Sở Y tế", "Ban Dân tộc", "Đài Phát thanh"], by=42, now=now)
        ub = roster.add_units(session=s, bloc=b, names=["Hội Nông dân", "Hội Cựu chiến binh"], by=42, now=now)
        roster.remove_unit(session=s, unit=ua[2], by=42, now=now)
        milestones.cancel(session=s, milestone=milestones.set_milestone(
            session=s, bloc=a, kind=REGISTRATION_DEADLINE, at=now, by=42, now=now), by=42, now=now)
        milestones.set_milestone(session=s, bloc=a, kind=REGISTRATION_DEADLINE, at=now.replace(month=4), by=42, now=now)
        registrations.confirm(session=s, bloc=a, unit_id=ua[0].id, collective=["TTLDXS"], individuals=[],
                              targets="", by=42, now=now)
        registrations.withdraw(session=s, bloc=a, unit_id=ua[1].id, by=42, now=now)
        registrations.sign_covenant(session=s, bloc=a, unit_id=ua[0].id, by=42, now=now)
        # Bloc B's 2025 deadline, registration and covenant stay behind when it moves to 2026.
        milestones.set_milestone(session=s, bloc=b, kind=REGISTRATION_DEADLINE, at=now, by=42, now=now)
        registrations.confirm(session=s, bloc=b, unit_id=ub[0].id, collective=["TTLDXS"], individuals=[],
                              targets="", by=42, now=now)
        registrations.sign_covenant(session=s, bloc=b, unit_id=ub[0].id, by=42, now=now)
        quotas.set_quota(session=s, bloc=a, code="CO_TINH", quota=2, by=42, now=now)
        quotas.set_quota(session=s, bloc=b, code="CO_TINH", quota=1, by=42, now=now)
        s.get(Bloc, b.id).year = 2026
    with db.session() as s:
        b = s.get(Bloc, b.id)
        registrations.confirm(session=s, bloc=b, unit_id=ub[1].id, collective=["TTLDTT"], individuals=[],
                              targets="", by=42, now=now)
    with db.session() as s:
        every = [s.get(Bloc, bloc.id) for bloc in (a, b, empty)]
        rows = status_rows(session=s, blocs=every)
        for bloc in every:
            one = rows[bloc.id]
            assert [u.id for u in one.units] == [u.id for u in roster.active_units(session=s, bloc_id=bloc.id)]
            deadline = milestones.active(session=s, bloc=bloc, kind=REGISTRATION_DEADLINE)
            assert (one.deadline.id if one.deadline else None) == (deadline.id if deadline else None)
            assert {k: r.id for k, r in one.current.items()} == {
                k: r.id for k, r in registrations.current(session=s, bloc_id=bloc.id, year=bloc.year).items()}
            assert set(one.covenants) == set(registrations.covenants(session=s, bloc_id=bloc.id, year=bloc.year))
            assert one.quotas == quotas.own(session=s, bloc_id=bloc.id, year=bloc.year)
        # What that means, spelled out.
        assert [u.name for u in rows[a.id].units] == ["Ban Dân tộc", "Sở Y tế"]
        assert rows[a.id].deadline.at.month == 4 and rows[b.id].deadline is None and rows[empty.id].deadline is None
        assert rows[a.id].quotas == {"CO_TINH": 2} and rows[b.id].quotas == {} and rows[empty.id].quotas == {}
        assert rows[a.id].current[ua[1].id].withdrawn and set(rows[a.id].current) == {ua[0].id, ua[1].id}
        assert set(rows[b.id].current) == {ub[1].id} and rows[b.id].covenants == {}
        assert rows[empty.id].units == [] and rows[empty.id].current == {}


def _old_row(s, table: str, **values) -> int:
    """A row written with the columns of an earlier schema (today's tables have columns added
    since), by plain SQL; its id."""
    from sqlalchemy import column
    from sqlalchemy import table as sa_table

    written = sa_table(table, column("id"), *(column(c) for c in values))
    return s.execute(written.insert().values(**values).returning(written.c.id)).scalar_one()


def test_units_stored_before_the_new_fold_are_found_by_it(database_url):
    """Migration 0009: a unit stored with a key of the old fold (its Cyrillic «Нội» kept apart
    from the Latin «Hội») is matched by today's fold after the upgrade."""
    from sqlalchemy import text

    from domain.text import fold
    from storage import roster

    database = Database(database_url)
    try:
        upgrade(database.engine, "0008")
        now = datetime(2025, 2, 10, 2, 0, tzinfo=UTC)
        stamp = now.strftime("%Y-%m-%d %H:%M:%S")
        with database.session() as s:
            bloc_id = _old_row(s, "bloc", chat_id=-1002, name="Khối B", year=2025, province="Huế", created_by=42,
                               created_at=stamp)
            unit_id = _old_row(s, "unit", bloc_id=bloc_id, name="\u041dội Chữ thập đỏ", created_at=stamp,
                               name_key="\u043doi chu thap do")  # as the old fold left it
        upgrade(database.engine)
        with database.session() as s:
            assert [u.id for u in roster.find_units(session=s, bloc_id=bloc_id, typed="Hội Chữ thập đỏ")] == [unit_id]
            assert s.execute(text("SELECT name_key FROM unit")).scalar() == fold("Hội Chữ thập đỏ")
    finally:
        database.dispose()


def test_quotas_kept_on_earlier_ballots_become_the_blocs_quotas(database_url):
    """Migration 0007: the quotas a secretary set on a ballot before quotas were the bloc's own
    fact become the bloc's quotas for that year (the leaders' lines are not titles)."""
    from sqlmodel import select

    import json

    from sqlalchemy import column as sa_column
    from sqlalchemy import table as sa_table

    from storage.models import Bloc, BlocQuota

    database = Database(database_url)
    try:
        upgrade(database.engine, "0006")
        now = datetime(2024, 12, 10, 7, 0, tzinfo=UTC)
        with database.session() as s:
            bloc_id = _old_row(s, "bloc", chat_id=-1001, name="Khối A", year=2024, province="Huế", created_by=42,
                               created_at=now.strftime("%Y-%m-%d %H:%M:%S"))
            # Written as the schema of 0006 holds it (today's Vote has columns added since).
            votes_0006 = sa_table("vote", *(sa_column(c) for c in (
                "bloc_id", "year", "status", "ballot", "voters", "rules", "decisions", "created_by", "created_at")))
            s.execute(votes_0006.insert().values(
                bloc_id=bloc_id, year=2024, status="closed", voters="[]", rules="{}", decisions="{}",
                created_by=42, created_at=now.strftime("%Y-%m-%d %H:%M:%S"), ballot=json.dumps([
                    dict(code="CO_TINH", quota=3, candidates=[], added=[]),
                    dict(code="BK_UBND", quota=12, candidates=[], added=[]),
                    dict(code="LEAD", quota=1, candidates=[], added=[])])))
        upgrade(database.engine)
        with database.session() as s:
            assert sorted((q.bloc_id, q.year, q.code, q.quota, q.set_by) for q in s.exec(select(BlocQuota))) == [
                (bloc_id, 2024, "BK_UBND", 12, 42), (bloc_id, 2024, "CO_TINH", 3, 42)]
            assert s.exec(select(Bloc)).one().year == 2024
    finally:
        database.dispose()
