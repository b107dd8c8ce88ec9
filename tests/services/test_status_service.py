"""services.status and services.quotas on a real database (SQLite, and PostgreSQL when
configured), rows set up through storage functions: the status of the bloc's year, a past
year read after /namsau, the year typed after /tinhhinh, reopening a unit, and the bloc's
quotas set, refused and fixed once the ballot opens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.ballot import Rules
from domain.catalogue import DEFAULT_TITLES, Catalogue
from services import quotas, status
from services.quotas import Refusal as QuotaRefusal
from services.quotas import Refused as QuotaRefused
from services.status import Refusal, Refused
from storage import blocs, registrations, roster, votes
from storage import rollover as rollover_store
from storage.models import Bloc
from tests.factories import bloc_of_units

NOW = datetime(2025, 3, 10, 2, 0, tzinfo=UTC)
SECRETARY = 10
RULES = Rules(threshold=50, strictly_more=False, base="members", self_vote=False)
CATALOGUE = Catalogue(DEFAULT_TITLES)
UNITS = ["Hội Chữ thập đỏ", "Hội Khuyến học", "Hội Luật gia", "Hội Nhà báo"]


@pytest.fixture
def bloc(db):
    with db.session() as s:
        bloc, units = bloc_of_units(s, UNITS, secretary=SECRETARY, now=NOW)
        registrations.confirm(session=s, bloc=bloc, unit_id=units[0].id, collective=["CO_TINH"], individuals=[],
                              targets="500 hội viên mới", by=SECRETARY, now=NOW)
    return bloc, {u.name: u for u in units}


def test_the_status_of_the_year_and_of_a_past_year_after_the_rollover(db, bloc):
    bloc, units = bloc
    with db.session() as s:
        now = status.status(s, bloc_id=bloc.id, catalogue=CATALOGUE)
    assert now.status.year == 2025 and [u.name for u in now.status.registered] == ["Hội Chữ thập đỏ"]
    assert len(now.status.not_registered) == 3 and now.deadline is None
    flags = next(t for t in now.status.totals if t.title.code == "CO_TINH")
    assert (flags.count, flags.quota) == (1, 1)
    with db.session() as s:
        rollover_store.roll_over(session=s, bloc_id=bloc.id, from_year=2025, by=SECRETARY, now=NOW)
    with db.session() as s:
        assert status.year_to_read(s, bloc_id=bloc.id, typed="") == 2026
        assert status.year_to_read(s, bloc_id=bloc.id, typed="2025") == 2025
        assert status.year_to_read(s, bloc_id=bloc.id, typed="2024") == Refused(Refusal.NO_DATA, year=2024,
                                                                                years=[2025, 2026])
        assert status.year_to_read(s, bloc_id=bloc.id, typed="năm ngoái") == Refused(Refusal.NOT_A_YEAR)
        past = status.status(s, bloc_id=bloc.id, catalogue=CATALOGUE, year=2025)
        fresh = status.status(s, bloc_id=bloc.id, catalogue=CATALOGUE)
    assert [u.name for u in past.status.registered] == ["Hội Chữ thập đỏ"]  # 2025 stays readable
    assert fresh.status.year == 2026 and fresh.status.registered == []


def test_the_board_is_read_with_its_row_and_recorded_after_the_post(db, bloc):
    bloc, _ = bloc
    with db.session() as s:
        first = status.board(s, bloc=bloc, catalogue=CATALOGUE)
    assert first.row is None and len(first.view.status.units) == 4
    with db.session() as s:
        status.record_board(s, bloc=bloc, chat_id=bloc.chat_id, message_id=77, pinned=False, pin_refusal_told=True)
    with db.session() as s:
        row = status.board(s, bloc=bloc, catalogue=CATALOGUE).row
    assert (row.message_id, row.pinned, row.pin_refusal_told) == (77, False, True)


def test_reopening_a_unit_of_the_bloc(db, bloc):
    bloc, units = bloc
    with db.session() as s:
        reopened = status.reopen(s, bloc_id=bloc.id, unit_id=units["Hội Luật gia"].id, by=SECRETARY, now=NOW,
                                 days=3)
        assert reopened.unit.name == "Hội Luật gia" and reopened.until == NOW + timedelta(days=3)
        assert reopened.people == []  # nobody acts for it yet
        other = blocs.create_bloc(session=s, chat_id=-100666, name="Khối khác", year=2025, province="Huế",
                                  by=SECRETARY, now=NOW)
        stranger = roster.add_units(session=s, bloc=other, names=["Sở Y tế"], by=SECRETARY, now=NOW)[0]
        assert status.reopen(s, bloc_id=bloc.id, unit_id=stranger.id, by=SECRETARY, now=NOW,
                             days=3) == Refused(Refusal.UNIT_GONE)


def test_a_quota_is_a_whole_number_up_to_the_units_and_is_fixed_once_the_ballot_opens(db, bloc):
    bloc, units = bloc

    def answer(text: str, code: str = "CO_TINH", year: int = 2025):
        with db.session() as s:
            return quotas.answer(s, bloc_id=bloc.id, code=code, year=year, text=text, by=SECRETARY, now=NOW,
                                 catalogue=CATALOGUE)

    assert answer("5") == QuotaRefused(QuotaRefusal.OUT_OF_RANGE, members=4)  # four units
    assert answer("²") == QuotaRefused(QuotaRefusal.OUT_OF_RANGE, members=4)
    assert answer("2", code="KHONG_CO") == QuotaRefused(QuotaRefusal.EXPIRED, year=2025)
    assert answer("2", year=2024) == QuotaRefused(QuotaRefusal.EXPIRED, year=2025)  # asked before /namsau
    title, saved = answer(" 2 ")
    assert title.code == "CO_TINH" and saved == quotas.Saved("CO_TINH", 2025, 2)
    with db.session() as s:
        menu = quotas.menu(s, bloc_id=bloc.id, catalogue=CATALOGUE)
        assert dict((t.code, q) for t, q in menu.titles)["CO_TINH"] == 2 and not menu.fixed
        assert quotas.asking(s, bloc_id=bloc.id, code="CO_TINH", catalogue=CATALOGUE).current == 2
        totals = status.status(s, bloc_id=bloc.id, catalogue=CATALOGUE).status.totals
        assert next(t for t in totals if t.title.code == "CO_TINH").quota == 2  # the status reads the same fact
    with db.session() as s:
        vote = votes.prepare(session=s, bloc=s.get(Bloc, bloc.id), by=SECRETARY, now=NOW, ballot=[])
        s.flush()
        votes.open_vote(session=s, vote=vote, voters=[u.id for u in units.values()], rules=RULES,
                        deadline_milestone_id=None, by=SECRETARY, now=NOW, default_quotas={})
    assert answer("3") == QuotaRefused(QuotaRefusal.LOCKED, year=2025)
    with db.session() as s:
        assert quotas.asking(s, bloc_id=bloc.id, code="CO_TINH", catalogue=CATALOGUE) == QuotaRefused(
            QuotaRefusal.LOCKED, year=2025)
        assert quotas.for_year(s, s.get(Bloc, bloc.id), CATALOGUE)["CO_TINH"] == 2
