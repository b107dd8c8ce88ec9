"""services.roster and services.secretaries on a real database (SQLite, and PostgreSQL when
configured), rows set up through storage functions: what a pasted list adds (repeats and
look-alike names kept out, a bad line refusing the whole list), renaming, removing a unit
with its people and links, the year's Trưởng/Phó khối, and naming and removing secretaries."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from services import roster as service
from services import secretaries
from services.blocs import Actor, Refusal, Refused
from services.roster import Problem, RosterRefused
from storage import blocs, invitations, roles, roster
from storage.models import Invitation, Representative, RoleKind, Unit
from tests.factories import people, represent

NOW = datetime(2025, 3, 4, 2, 0, tzinfo=UTC)
GROUP = -100444
HOA, MINH, KHANH = 31, 32, 33  # Hoa set the bloc up; Minh represents the Hội Khuyến học; Khánh is a member
HOA_ACTS = Actor(HOA)
UNITS = ["Hội Khuyến học", "Hội Chữ thập đỏ", "Hội Người mù"]


@pytest.fixture
def bloc(db):
    with db.session() as s:
        people(s, HOA, MINH, KHANH, now=NOW)
        bloc = blocs.create_bloc(session=s, chat_id=GROUP, name="Khối các Hội", year=2025, province="Huế", by=HOA,
                                 now=NOW)
        units = roster.add_units(session=s, bloc=bloc, names=UNITS, by=HOA, now=NOW)
        s.flush()
        represent(s, bloc, units[0], MINH, by=HOA, now=NOW, ttl_days=30)
    return bloc


def _paste(db, text: str, actor: Actor = HOA_ACTS, capacity: int = 60):
    with db.session() as s:
        return service.paste(s, chat_id=GROUP, actor=actor, text=text, capacity=capacity, now=NOW)


def _names(db, bloc) -> list[str]:
    with db.session() as s:
        return [u.name for u in roster.active_units(session=s, bloc_id=bloc.id)]


def test_a_paste_adds_the_new_names_and_keeps_repeats_and_look_alikes_out(db, bloc):
    added = _paste(db, "Hội Đông y\nhội khuyến  học\nHội Nạn nhân chất độc da cam\nHỘI ĐÔNG Y")
    assert isinstance(added, service.Added)
    assert [u.name for u in added.units] == ["Hội Đông y", "Hội Nạn nhân chất độc da cam"]
    assert added.plan.duplicates == [("hội khuyến học", "Hội Khuyến học"), ("HỘI ĐÔNG Y", "Hội Đông y")]
    # The roster shown after it, read in the same transaction: five units, one represented.
    assert len(added.listing.rows) == 5 and added.listing.represented == 1
    assert "Hội Đông y" in _names(db, bloc)


def test_a_list_with_a_bad_line_or_past_the_capacity_adds_nothing(db, bloc):
    refused = _paste(db, "Hội Đông y\nH")
    assert isinstance(refused, RosterRefused) and refused.code == Problem.PLAN and refused.plan.too_short == ["H"]
    refused = _paste(db, "Hội Đông y\nHội Cựu thanh niên xung phong", capacity=4)
    assert refused.plan.over_capacity == 1
    # Only names already there: nothing to add is refused too.
    assert _paste(db, "Hội Người mù").plan.to_add == []
    assert sorted(_names(db, bloc)) == sorted(UNITS)


def test_only_a_secretary_pastes(db, bloc):
    refused = _paste(db, "Hội Đông y", actor=Actor(KHANH, group_admin=False, admins_are_secretaries=True))
    assert isinstance(refused, Refused) and refused.code == Refusal.NOT_SECRETARY
    with db.session() as s:
        assert service.paste(s, chat_id=-1001, actor=HOA_ACTS, text="Hội Đông y", capacity=60,
                             now=NOW) == Refused(Refusal.NO_BLOC)
    assert len(_names(db, bloc)) == 3


def test_renaming_refuses_another_units_name(db, bloc):
    with db.session() as s:
        units = {u.name: u for u in roster.active_units(session=s, bloc_id=bloc.id)}
        clash = service.rename(s, bloc=bloc, actor=HOA_ACTS, unit_id=units["Hội Người mù"].id, name="HỘI CHỮ THẬP ĐỎ",
                               now=NOW)
        assert isinstance(clash, RosterRefused) and clash.clash.name == "Hội Chữ thập đỏ"
        bad = service.rename(s, bloc=bloc, actor=HOA_ACTS, unit_id=units["Hội Người mù"].id, name="x" * 201, now=NOW)
        assert bad.problem == "too_long"
        renamed = service.rename(s, bloc=bloc, actor=HOA_ACTS, unit_id=units["Hội Người mù"].id,
                                 name="Hội Bảo trợ người khuyết tật", now=NOW)
        assert isinstance(renamed, service.UnitRenamed) and renamed.old == "Hội Người mù"
    assert "Hội Bảo trợ người khuyết tật" in _names(db, bloc) and "Hội Người mù" not in _names(db, bloc)


def test_removing_a_unit_ends_its_people_links_and_roles(db, bloc):
    with db.session() as s:
        khuyen_hoc = roster.find_units(session=s, bloc_id=bloc.id, typed="Hội Khuyến học")[0]
        invitations.issue(session=s, bloc=bloc, unit=khuyen_hoc, by=HOA, now=NOW, ttl_days=30)
        shown = service.give_role(s, bloc=bloc, actor=HOA_ACTS, unit_id=khuyen_hoc.id, action="lead", now=NOW)
        assert shown.done == RoleKind.LEAD and shown.listing.row(khuyen_hoc.id)["role"] == RoleKind.LEAD
    with db.session() as s:
        removed = service.remove(s, bloc=bloc, actor=HOA_ACTS, unit_id=khuyen_hoc.id, now=NOW)
        assert isinstance(removed, service.Removed)
    with db.session() as s:
        assert s.get(Unit, khuyen_hoc.id).removed_at is not None
        assert all(r.removed_at is not None for r in s.exec(select(Representative)))
        assert all(i.revoked_at is not None for i in s.exec(select(Invitation).where(Invitation.used_at == None)))  # noqa: E711
        assert roles.unit_roles(session=s, bloc=bloc) == {}
        # Pressed again (an old menu): the unit is gone.
        assert service.remove(s, bloc=bloc, actor=HOA_ACTS, unit_id=khuyen_hoc.id, now=NOW) == RosterRefused(
            Problem.UNIT_GONE)


def test_a_unit_of_another_bloc_is_not_found(db, bloc):
    with db.session() as s:
        other = blocs.create_bloc(session=s, chat_id=-100445, name="Khối khác", year=2025, province="", by=KHANH,
                                  now=NOW)
        [foreign] = roster.add_units(session=s, bloc=other, names=["Sở Y tế"], by=KHANH, now=NOW)
        s.flush()
        assert service.shown(s, bloc=bloc, unit_id=foreign.id, now=NOW) == RosterRefused(Problem.UNIT_GONE)
        assert service.give_role(s, bloc=bloc, actor=HOA_ACTS, unit_id=foreign.id, action="dep",
                                 now=NOW) == RosterRefused(Problem.UNIT_GONE)


def test_naming_and_removing_secretaries(db, bloc):
    khanh = secretaries.Person(KHANH, "Khánh")
    with db.session() as s:
        # Minh, not a secretary, cannot name one.
        refused = secretaries.name(s, chat_id=GROUP, actor=Actor(MINH, False, True), person=khanh, now=NOW)
        assert isinstance(refused, Refused) and refused.code == Refusal.NOT_SECRETARY
        assert secretaries.name(s, chat_id=GROUP, actor=HOA_ACTS, person=secretaries.Person(99, "Bot", is_bot=True),
                                now=NOW) == secretaries.SecretaryRefused(secretaries.Problem.A_BOT)
        assert secretaries.name(s, chat_id=GROUP, actor=HOA_ACTS, person=khanh, now=NOW) == secretaries.Named(False)
    with db.session() as s:
        assert secretaries.name(s, chat_id=GROUP, actor=HOA_ACTS, person=khanh, now=NOW) == secretaries.Named(True)
        listed = secretaries.listing(s, bloc=bloc).listed
        assert [role.user_id for role, _ in listed] == [HOA, KHANH]
        khanh_role = listed[1][0]
    no_admins = Actor(HOA, admins_are_secretaries=False)
    with db.session() as s:
        asked = secretaries.remove(s, bloc=bloc, actor=no_admins, role_id=khanh_role.id, confirmed=False, now=NOW)
        assert isinstance(asked, secretaries.AskRemove) and asked.person.id == KHANH
        removed = secretaries.remove(s, bloc=bloc, actor=no_admins, role_id=khanh_role.id, confirmed=True, now=NOW)
        assert [role.user_id for role, _ in removed.listing.listed] == [HOA]
    with db.session() as s:
        hoa_role = secretaries.listing(s, bloc=bloc).listed[0][0]
        # The last one stays when administrators do not count as secretaries; else may go.
        assert secretaries.remove(s, bloc=bloc, actor=no_admins, role_id=hoa_role.id, confirmed=True,
                                  now=NOW) == secretaries.SecretaryRefused(secretaries.Problem.LAST_ONE)
        assert secretaries.remove(s, bloc=bloc, actor=no_admins, role_id=khanh_role.id, confirmed=True,
                                  now=NOW) == secretaries.SecretaryRefused(secretaries.Problem.STALE)
        assert isinstance(secretaries.remove(s, bloc=bloc, actor=Actor(HOA, admins_are_secretaries=True),
                                             role_id=hoa_role.id, confirmed=True, now=NOW), secretaries.Removed)
