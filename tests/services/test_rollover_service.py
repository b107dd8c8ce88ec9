"""services.rollover on a real database (SQLite, and PostgreSQL when configured), rows set up
through storage functions: next year's Trưởng/Phó khối, the move from 2025 to 2026 and what
holds it back, a confirmation pressed late."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from domain.ballot import Rules
from services import rollover as service
from services.rollover import Refusal, Refused
from storage import blocs, roles, roster, votes
from storage.models import AuditLog, Bloc, RoleKind
from tests.factories import bloc_of_units

NOW = datetime(2025, 12, 20, 2, 0, tzinfo=UTC)
SECRETARY = 10
RULES = Rules(threshold=50, strictly_more=False, base="members", self_vote=False)
UNITS = ["Hội Chữ thập đỏ", "Hội Khuyến học", "Hội Luật gia"]


@pytest.fixture
def bloc(db):
    with db.session() as s:
        bloc, units = bloc_of_units(s, UNITS, secretary=SECRETARY, now=NOW)
    return bloc, {u.name: u for u in units}


def _leader(db, bloc, kind, unit_id, year=2025):
    with db.session() as s:
        return service.set_leader(s, bloc_id=bloc.id, year=year, kind=kind, unit_id=unit_id, by=SECRETARY, now=NOW)


def _confirm(db, bloc, year=2025, local_year=2025):
    with db.session() as s:
        return service.confirm(s, bloc_id=bloc.id, year=year, local_year=local_year, by=SECRETARY, now=NOW)


def test_next_years_leaders_are_recorded_and_the_bloc_moves_once(db, bloc):
    bloc, units = bloc
    shown = _leader(db, bloc, RoleKind.LEAD, units["Hội Khuyến học"].id)
    assert shown.lead.name == "Hội Khuyến học" and shown.deputy is None and shown.next_year == 2026
    # The Trưởng khối cannot be the Phó khối too: not offered, and refused if pressed anyway.
    assert [u.name for u in shown.deputy_choices] == ["Hội Chữ thập đỏ", "Hội Luật gia"]
    assert _leader(db, bloc, RoleKind.DEPUTY, units["Hội Khuyến học"].id) == Refused(Refusal.NOT_BOTH)
    shown = _leader(db, bloc, RoleKind.DEPUTY, units["Hội Chữ thập đỏ"].id)
    assert (shown.lead.name, shown.deputy.name) == ("Hội Khuyến học", "Hội Chữ thập đỏ")
    assert shown.secretaries == ["Trần Thị Hoa"] and [u.name for u in shown.units] == UNITS

    moved = _confirm(db, bloc)
    assert isinstance(moved, service.RolledOver) and (moved.previous, moved.bloc.year) == (2025, 2026)
    assert (moved.lead.name, moved.deputy.name) == ("Hội Khuyến học", "Hội Chữ thập đỏ")
    assert moved.secretaries == [SECRETARY]
    # The same confirmation pressed again: the bloc has left 2025, nothing moves.
    assert _confirm(db, bloc) == Refused(Refusal.STALE_YEAR, made_for=2025, current=2026)
    with db.session() as s:
        assert s.get(Bloc, bloc.id).year == 2026
        assert len(s.exec(select(AuditLog).where(AuditLog.action == "bloc.rollover")).all()) == 1
        assert service.preview(s, bloc_id=bloc.id, year=2025) == Refused(Refusal.STALE_YEAR, made_for=2025,
                                                                         current=2026)


def test_a_unit_of_another_bloc_or_none_is_no_leader(db, bloc):
    bloc, units = bloc
    with db.session() as s:
        other = blocs.create_bloc(session=s, chat_id=-100666, name="Khối khác", year=2025, province="Huế",
                                  by=SECRETARY, now=NOW)
        stranger = roster.add_units(session=s, bloc=other, names=["Sở Y tế"], by=SECRETARY, now=NOW)[0]
    assert _leader(db, bloc, RoleKind.LEAD, stranger.id) == Refused(Refusal.UNIT_GONE)
    assert _leader(db, bloc, RoleKind.LEAD, None) == Refused(Refusal.UNIT_GONE)
    with db.session() as s:
        assert roles.unit_roles(session=s, bloc=bloc, year=2026) == {}


def test_an_open_ballot_or_a_year_too_far_ahead_holds_the_bloc_back(db, bloc):
    bloc, units = bloc
    # Already in 2025 while the calendar says 2024: 2026 would be two years ahead.
    early = _confirm(db, bloc, local_year=2024)
    assert early.code == Refusal.TOO_EARLY and early.preview.year == 2025
    with db.session() as s:
        vote = votes.prepare(session=s, bloc=s.get(Bloc, bloc.id), by=SECRETARY, now=NOW, ballot=[])
        s.flush()
        votes.open_vote(session=s, vote=vote, voters=[u.id for u in units.values()], rules=RULES,
                        deadline_milestone_id=None, by=SECRETARY, now=NOW, default_quotas={})
    held = _confirm(db, bloc)
    assert held.code == Refusal.VOTE_OPEN and held.preview.vote == "open"
    with db.session() as s:
        assert s.get(Bloc, bloc.id).year == 2025
        assert service.may_move(s, bloc_id=bloc.id, year=None, local_year=2025).code == Refusal.VOTE_OPEN
