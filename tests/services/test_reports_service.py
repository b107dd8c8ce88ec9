"""services.reports on a real database (SQLite, and PostgreSQL when configured), rows set up
through storage functions: who may send a unit's report, the wait for the file, which files
are taken and under which name, and what is kept and forwarded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from domain.reports import MAX_BYTES, MAX_NAME
from services import reports
from services.reports import Refusal, Refused, Upload
from storage import blocs, roles, roster
from storage import pending as pending_store
from storage.models import AuditLog, Report
from storage.users import mark_unreachable
from tests.factories import people, represent

NOW = datetime(2025, 7, 10, 2, 0, tzinfo=UTC)
SECRETARY, AWAY_SECRETARY, LAN, OUTSIDER = 20, 21, 22, 23  # Lan acts for the Hội Nông dân


@pytest.fixture
def units(db):
    """A bloc with two secretaries (one unreachable by DM) and two units, Lan enrolled for the first."""
    with db.session() as s:
        people(s, SECRETARY, AWAY_SECRETARY, LAN, OUTSIDER, now=NOW)
        bloc = blocs.create_bloc(session=s, chat_id=-100888, name="Khối các Hội", year=2025, province="Huế",
                                 by=SECRETARY, now=NOW)
        roles.add_secretary(session=s, bloc=bloc, user_id=AWAY_SECRETARY, by=SECRETARY, now=NOW)  # the creator is one
        mark_unreachable(session=s, user_id=AWAY_SECRETARY, now=NOW)
        found = roster.add_units(session=s, bloc=bloc, names=["Hội Nông dân", "Hội Cựu chiến binh"], by=SECRETARY,
                                 now=NOW)
        represent(s, bloc, found[0], LAN, by=SECRETARY, now=NOW)
    return found


def _pdf(name: str | None = "Báo cáo sơ kết.pdf", size: int | None = 5000) -> Upload:
    return Upload(file_id="BQACAgIAAxk", file_unique_id="AgAD", file_name=name, size=size, mime_type="application/pdf")


def _choose(db, user: int, unit_id: int | None, period: str | None = "midyear", now: datetime = NOW):
    with db.session() as s:
        return reports.await_file(s, user_id=user, unit_id=unit_id, period=period, message_id=77, now=now)


def _send(db, user: int, upload: Upload, now: datetime = NOW):
    with db.session() as s:
        return reports.receive(s, user_id=user, upload=upload, now=now)


def _reports(db) -> list[Report]:
    with db.session() as s:
        return list(s.exec(select(Report)))


def test_a_report_is_kept_once_and_goes_to_the_reachable_secretaries(db, units):
    nong_dan, _ = units
    awaiting = _choose(db, LAN, nong_dan.id)
    assert isinstance(awaiting, reports.Awaiting) and awaiting.unit.name == "Hội Nông dân"
    received = _send(db, LAN, _pdf())
    assert isinstance(received, reports.Received)
    assert received.unit.id == nong_dan.id and received.secretaries == [SECRETARY]
    kept = _reports(db)
    assert [(r.unit_id, r.period, r.filename, r.size, r.sent_by) for r in kept] == [
        (nong_dan.id, "midyear", "Báo cáo sơ kết.pdf", 5000, LAN)]
    with db.session() as s:
        assert s.exec(select(AuditLog.action).where(AuditLog.action == "report.add")).all() == ["report.add"]
    # The wait ended with the file: a second file is not filed.
    assert _send(db, LAN, _pdf("lan 2.pdf")) == Refused(Refusal.NOT_AWAITED)
    assert len(_reports(db)) == 1


def test_only_a_units_representative_may_send_its_report(db, units):
    nong_dan, cuu_chien_binh = units
    assert _choose(db, OUTSIDER, nong_dan.id) == Refused(Refusal.NOT_YOUR_UNIT)
    assert _choose(db, LAN, cuu_chien_binh.id) == Refused(Refusal.NOT_YOUR_UNIT)
    assert _choose(db, LAN, None) == Refused(Refusal.STALE)
    assert _choose(db, LAN, nong_dan.id, period="quarterly") == Refused(Refusal.STALE)
    # A file nobody asked for is not filed.
    assert _send(db, OUTSIDER, _pdf()) == Refused(Refusal.NOT_AWAITED)
    # Lan chose, then was removed from the unit's representatives: the file is refused.
    _choose(db, LAN, nong_dan.id)
    with db.session() as s:
        roster.remove_unit(session=s, unit=s.get(type(nong_dan), nong_dan.id), by=SECRETARY, now=NOW)
    assert _send(db, LAN, _pdf()) == Refused(Refusal.NOT_YOUR_UNIT)
    assert _reports(db) == []


def test_files_of_the_wrong_kind_empty_or_too_large_are_refused_and_the_wait_goes_on(db, units):
    nong_dan, _ = units
    _choose(db, LAN, nong_dan.id, period="yearend")
    assert _send(db, LAN, _pdf("virus.exe")) == Refused(Refusal.FILE, problem="wrong_kind", filename="virus.exe")
    assert _send(db, LAN, _pdf("trống.pdf", size=0)) == Refused(Refusal.FILE, problem="empty_file",
                                                                 filename="trống.pdf")
    assert _send(db, LAN, _pdf("lớn.pdf", size=MAX_BYTES + 1)).problem == "too_large"
    assert _reports(db) == []
    # A size Telegram did not tell is no reason to refuse; the file is taken.
    received = _send(db, LAN, _pdf("Tổng kết.DOCX", size=None))
    assert isinstance(received, reports.Received) and received.report.size == 0
    assert [(r.period, r.filename) for r in _reports(db)] == [("yearend", "Tổng kết.DOCX")]


def test_a_long_name_is_shortened_keeping_its_extension(db, units):
    nong_dan, _ = units
    _choose(db, LAN, nong_dan.id)
    received = _send(db, LAN, _pdf("Báo cáo " * 60 + ".xlsx"))
    assert len(received.report.filename) <= MAX_NAME and received.report.filename.endswith(".xlsx")
    _choose(db, LAN, nong_dan.id)
    assert _send(db, LAN, _pdf(None)).problem == "wrong_kind"  # no name: "baocao", no extension


def test_a_new_choice_replaces_the_wait_and_an_expired_wait_takes_nothing(db, units):
    nong_dan, _ = units
    _choose(db, LAN, nong_dan.id, period="midyear")
    _choose(db, LAN, nong_dan.id, period="yearend")
    with db.session() as s:
        waiting = pending_store.for_chat(session=s, chat_id=LAN)
    assert [p.payload.period for p in waiting] == ["yearend"]
    later = waiting[0].expires_at + timedelta(seconds=1)
    assert _send(db, LAN, _pdf(), now=later) == Refused(Refusal.NOT_AWAITED)
    assert _reports(db) == []
