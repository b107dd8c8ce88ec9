"""services.invitations on a real database (SQLite, and PostgreSQL when configured), rows set
up through storage functions: the links /moi issues, a fresh link replacing the older ones
only once delivered, revoking, and enrolment through a link (expired, used, revoked, of a
removed unit, by someone who represents the unit already)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from services import invitations as service
from services.invitations import InviteRefused, Problem
from storage import blocs, invitations, roster
from storage.models import Invitation, Representative
from storage.users import touch_user
from tests.factories import people

NOW = datetime(2025, 3, 4, 2, 0, tzinfo=UTC)
HOA, MINH, THU, SILENT = 41, 42, 43, 44  # Hoa the secretary; Minh and Thu officers; Silent never started the bot


@pytest.fixture
def bloc(db):
    with db.session() as s:
        people(s, HOA, MINH, THU, now=NOW)
        touch_user(session=s, user_id=SILENT, first_name="Im", last_name=None, username=None, now=NOW, private=False)
        bloc = blocs.create_bloc(session=s, chat_id=-100333, name="Khối các Hội", year=2025, province="", by=HOA,
                                 now=NOW)
        roster.add_units(session=s, bloc=bloc, names=["Hội Khuyến học", "Hội Chữ thập đỏ", "Hội Người mù"], by=HOA,
                         now=NOW)
    return bloc


def _issue(db, bloc, typed: str = "", by: int = HOA, now: datetime = NOW):
    with db.session() as s:
        return service.issue(s, bloc=bloc, by=by, typed=typed, now=now, ttl_days=30)


def _answer(db, token: str, user: int, accept: bool = True, now: datetime = NOW):
    with db.session() as s:
        return service.answer(s, token=token, user_id=user, accept=accept, now=now)


def _link_of(issued: service.Issued, name: str) -> str:
    return next(inv.token for unit, inv in issued.targets if unit.name == name)


def test_moi_gives_every_unit_without_a_representative_one_link(db, bloc):
    first = _issue(db, bloc)
    assert isinstance(first, service.Issued) and not first.replacing and len(first.targets) == 3
    enrolled = _answer(db, _link_of(first, "Hội Khuyến học"), MINH)
    assert isinstance(enrolled, service.Enrolled) and enrolled.unit.name == "Hội Khuyến học"
    assert enrolled.secretaries == [HOA]
    # Again: the two units still without anyone, with the same open links (none issued anew).
    again = _issue(db, bloc)
    assert sorted(u.name for u, _ in again.targets) == ["Hội Chữ thập đỏ", "Hội Người mù"]
    assert {inv.id for _, inv in again.targets} <= {inv.id for _, inv in first.targets}
    with db.session() as s:
        assert len(s.exec(select(Invitation)).all()) == 3


def test_links_go_only_to_a_secretary_the_bot_may_write_to_and_name_one_unit(db, bloc):
    assert _issue(db, bloc, by=SILENT) == InviteRefused(Problem.UNREACHABLE)
    which = _issue(db, bloc, typed="Hội")
    assert isinstance(which, service.WhichUnit) and len(which.matches) == 3
    assert _issue(db, bloc, typed="Sở Y tế").matches == []
    one = _issue(db, bloc, typed="người mù")
    assert one.replacing and [u.name for u, _ in one.targets] == ["Hội Người mù"]


def test_a_fresh_link_replaces_the_old_ones_only_once_delivered(db, bloc):
    old = _issue(db, bloc, typed="Hội Người mù")
    with db.session() as s:
        service.settle(s, issued=old, delivered=True, by=HOA, now=NOW)
    failed = _issue(db, bloc, typed="Hội Người mù")
    with db.session() as s:
        service.settle(s, issued=failed, delivered=False, by=HOA, now=NOW)
    # The send failed: the new link is withdrawn, the old one still works.
    assert _answer(db, _link_of(failed, "Hội Người mù"), THU) == InviteRefused(
        Problem.REVOKED, unit=failed.targets[0][0], bloc=bloc, expires=NOW + timedelta(days=30))
    fresh = _issue(db, bloc, typed="Hội Người mù")
    with db.session() as s:
        service.settle(s, issued=fresh, delivered=True, by=HOA, now=NOW)
    refused = _answer(db, _link_of(old, "Hội Người mù"), THU)
    assert isinstance(refused, InviteRefused) and refused.code == Problem.REVOKED
    assert isinstance(_answer(db, _link_of(fresh, "Hội Người mù"), THU), service.Enrolled)


def test_revoking_a_units_links(db, bloc):
    issued = _issue(db, bloc)
    unit = next(u for u, _ in issued.targets if u.name == "Hội Chữ thập đỏ")
    with db.session() as s:
        assert isinstance(service.ask_revoke(s, bloc=bloc, unit_id=unit.id), service.AskRevoke)
        revoked = service.revoke(s, bloc=bloc, by=HOA, unit_id=unit.id, now=NOW)
        assert revoked.count == 1 and revoked.listing.row(unit.id)["invited"] is False
    with db.session() as s:
        assert service.revoke(s, bloc=bloc, by=HOA, unit_id=unit.id, now=NOW).count == 0
    assert _answer(db, _link_of(issued, "Hội Chữ thập đỏ"), THU).code == Problem.REVOKED


def test_a_link_is_used_once_expires_and_dies_with_its_unit(db, bloc):
    issued = _issue(db, bloc)
    token = _link_of(issued, "Hội Khuyến học")
    with db.session() as s:
        assert isinstance(service.opened(s, token=token, user_id=MINH, now=NOW), service.Invited)
        assert service.opened(s, token="x" * 32, user_id=MINH, now=NOW) == InviteRefused(Problem.UNKNOWN)
        assert service.opened(s, token=None, user_id=MINH, now=NOW) == InviteRefused(Problem.UNKNOWN)
    # Declining writes nothing.
    assert isinstance(_answer(db, token, MINH, accept=False), service.Declined)
    assert isinstance(_answer(db, token, MINH), service.Enrolled)
    assert _answer(db, token, MINH).code == Problem.ALREADY
    assert _answer(db, token, THU).code == Problem.USED
    late = _answer(db, _link_of(issued, "Hội Chữ thập đỏ"), THU, now=NOW + timedelta(days=30))
    assert late.code == Problem.EXPIRED and late.expires == NOW + timedelta(days=30)
    with db.session() as s:
        [nguoi_mu] = roster.find_units(session=s, bloc_id=bloc.id, typed="Hội Người mù")
        roster.remove_unit(session=s, unit=nguoi_mu, by=HOA, now=NOW)
    gone = _answer(db, _link_of(issued, "Hội Người mù"), THU)
    assert gone.code == Problem.REVOKED and gone.unit is None
    with db.session() as s:
        assert [r.user_id for r in s.exec(select(Representative))] == [MINH]
        assert len(invitations.open_invitations(session=s, bloc_id=bloc.id, now=NOW)) == 1
