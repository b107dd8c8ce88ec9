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
