"""services.blocs on a real database (SQLite, and PostgreSQL when configured), rows set up
through storage functions: who sets a bloc up, who counts as its secretary, which presses
reach it, renaming it, and the bloc following its group to a supergroup."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from domain.catalogue import DEFAULT_TITLES, Catalogue
from services import blocs as service
from services import people
from services.blocs import Actor, Refusal, Refused
from storage import blocs, boards, roles, roster
from storage.db import Database
from storage.migrate import upgrade
from storage.models import AuditLog, Bloc, Role, TgUser
from storage.users import reachable
from tests import factories

NOW = datetime(2025, 3, 4, 2, 0, tzinfo=UTC)
GROUP = -100555
HOA, LAN, KHANH = 21, 22, 23  # Hoa administers the group; Lân and Khánh are members
ADMIN_HOA = Actor(HOA, group_admin=True, admins_are_secretaries=True)


@pytest.fixture
def db(database_url):
    database = Database(database_url)
    upgrade(database.engine)
    with database.session() as s:
        factories.people(s, HOA, LAN, KHANH, now=NOW)
    yield database
    database.dispose()


def _khoi(db: Database, actor: Actor, text: str):
    with db.session() as s:
        return service.khoi(s, chat_id=GROUP, actor=actor, text=text, province="Thừa Thiên Huế", now=NOW,
                            current_year=2025)


def test_an_administrator_sets_the_bloc_up_and_becomes_its_first_secretary(db):
    created = _khoi(db, ADMIN_HOA, "Khối thi đua các Tổ chức xã hội 2025")
    assert isinstance(created, service.Created)
    assert (created.bloc.name, created.bloc.year, created.bloc.province) == (
        "Khối thi đua các Tổ chức xã hội", 2025, "Thừa Thiên Huế")
    with db.session() as s:
        bloc = blocs.bloc_of_chat(session=s, chat_id=GROUP)
        assert [role.user_id for role, _ in roles.secretaries(session=s, bloc=bloc)] == [HOA]

    # Then /khoi shows the card to anyone, administrator or not; a second set-up is refused.
    card = _khoi(db, Actor(LAN, group_admin=False), "Khối khác 2025")
    assert isinstance(card, service.Card) and card.units == 0 and card.secretaries[0]["id"] == HOA
    with db.session() as s:
        again = service.create(s, chat_id=GROUP, actor=ADMIN_HOA, text="Khối khác 2025", province="",
                               now=NOW, current_year=2025)
    assert again == Refused(Refusal.ALREADY)
    with db.session() as s:
        assert len(s.exec(select(Bloc)).all()) == 1


def test_a_member_cannot_set_a_bloc_up_and_a_bad_name_is_refused(db):
    assert _khoi(db, Actor(LAN, group_admin=False, admins_are_secretaries=True), "Khối 2025") == Refused(
        Refusal.ADMINS_ONLY)
    assert isinstance(_khoi(db, ADMIN_HOA, ""), service.AskName)
    assert _khoi(db, ADMIN_HOA, "Khối thi đua 2031") == Refused(Refusal.NAME, problem="year_out_of_range")
    assert _khoi(db, ADMIN_HOA, "2025") == Refused(Refusal.NAME, problem="name_missing")
    with db.session() as s:
        assert s.exec(select(Bloc)).all() == []


def test_who_counts_as_a_secretary(db):
    assert isinstance(_khoi(db, ADMIN_HOA, "Khối thi đua số 3"), service.Created)
    with db.session() as s:
        bloc = blocs.bloc_of_chat(session=s, chat_id=GROUP)
        roles.add_secretary(session=s, bloc=bloc, user_id=LAN, by=HOA, now=NOW)
    with db.session() as s:
        # Lân is listed; Khánh is not, and is no administrator.
        assert isinstance(service.bloc_in(s, chat_id=GROUP, actor=Actor(LAN), secretary=True), Bloc)
        refused = service.bloc_in(s, chat_id=GROUP, actor=Actor(KHANH, False, True), secretary=True)
        assert isinstance(refused, Refused) and refused.code == Refusal.NOT_SECRETARY
        # An administrator counts only when the deployment says administrators do.
        assert isinstance(service.bloc_in(s, chat_id=GROUP, actor=Actor(KHANH, True, True), secretary=True), Bloc)
        refused = service.bloc_in(s, chat_id=GROUP, actor=Actor(KHANH, True, False), secretary=True)
        assert refused.code == Refusal.NOT_SECRETARY
        # Anyone may look; another group has no bloc.
        assert isinstance(service.bloc_in(s, chat_id=GROUP), Bloc)
        assert service.bloc_in(s, chat_id=-100999) == Refused(Refusal.NO_BLOC)


def test_a_press_on_the_pinned_board_or_for_another_bloc_does_not_reach_it(db):
    assert isinstance(_khoi(db, ADMIN_HOA, "Khối thi đua số 3"), service.Created)
    with db.session() as s:
        bloc = blocs.bloc_of_chat(session=s, chat_id=GROUP)
        boards.save_board(session=s, bloc_id=bloc.id, year=bloc.year, chat_id=GROUP, message_id=77, pinned=True,
                          pin_refusal_told=False)
        bloc_id = bloc.id
    with db.session() as s:
        refused = service.bloc_in(s, chat_id=GROUP, actor=ADMIN_HOA, secretary=True, message=(GROUP, 77))
        assert isinstance(refused, Refused) and refused.code == Refusal.STALE
        assert isinstance(service.bloc_in(s, chat_id=GROUP, actor=ADMIN_HOA, secretary=True, message=(GROUP, 78)),
                          Bloc)
        # A question asked about another bloc than the group's now.
        assert service.bloc_in(s, chat_id=GROUP, bloc_id=bloc_id + 1) == Refused(Refusal.NO_BLOC)


def test_renaming_and_the_province(db):
    created = _khoi(db, ADMIN_HOA, "Khối thi đua số 3")
    with db.session() as s:
        assert service.rename(s, bloc=created.bloc, actor=ADMIN_HOA, name="Kh", now=NOW) == Refused(
            Refusal.NAME, problem="name_missing", bloc=created.bloc)
        renamed = service.rename(s, bloc=created.bloc, actor=ADMIN_HOA, name="Khối thi đua các Hội", now=NOW)
        assert isinstance(renamed, service.Renamed)
    with db.session() as s:
        assert isinstance(service.set_province(s, bloc=created.bloc, actor=ADMIN_HOA, province="", now=NOW), Refused)
        assert isinstance(service.set_province(s, bloc=created.bloc, actor=ADMIN_HOA, province="Huế", now=NOW),
                          service.ProvinceSet)
    with db.session() as s:
        bloc = blocs.bloc_of_chat(session=s, chat_id=GROUP)
        assert (bloc.name, bloc.province) == ("Khối thi đua các Hội", "Huế")
        actions = [a.action for a in s.exec(select(AuditLog).order_by(AuditLog.id))]
    assert actions == ["bloc.create", "bloc.rename", "bloc.province"]


def test_the_bloc_follows_its_group_to_a_supergroup_once(db):
    created = _khoi(db, ADMIN_HOA, "Khối thi đua số 3")
    with db.session() as s:
        moved = service.follow_group(s, old_chat_id=GROUP, new_chat_id=-100556, now=NOW)
        assert moved is not None and moved.id == created.bloc.id
    with db.session() as s:
        # Telegram tells of the move twice (from the old chat and the new one): the second does nothing.
        assert service.follow_group(s, old_chat_id=GROUP, new_chat_id=-100556, now=NOW) is None
        assert blocs.bloc_of_chat(session=s, chat_id=-100556).id == created.bloc.id
        assert blocs.bloc_of_chat(session=s, chat_id=GROUP) is None
        # Its secretaries stay.
        assert len(s.exec(select(Role)).all()) == 1


def test_the_bot_added_and_removed_is_in_the_bloc_log(db):
    created = _khoi(db, ADMIN_HOA, "Khối thi đua số 3")
    with db.session() as s:
        assert service.bot_membership(s, chat_id=GROUP, by=HOA, joined=False, left=True, now=NOW).id == created.bloc.id
        assert service.bot_membership(s, chat_id=-100999, by=HOA, joined=True, left=False, now=NOW) is None
    with db.session() as s:
        assert [a.action for a in s.exec(select(AuditLog).order_by(AuditLog.id))] == ["bloc.create", "bot.removed"]


def test_the_titles_with_the_quotas_for_the_blocs_number_of_units(db):
    created = _khoi(db, ADMIN_HOA, "Khối thi đua số 3")
    with db.session() as s:
        roster.add_units(session=s, bloc=created.bloc, names=[f"Hội số {n}" for n in range(1, 13)], by=HOA, now=NOW)
    with db.session() as s:
        shown = service.titles(s, bloc=created.bloc, catalogue=Catalogue(DEFAULT_TITLES))
    assert shown.members == 12
    assert dict((t.code, quota) for t, quota in shown.titles)["BK_UBND"] == 4  # the catalogue's for 12 units


def test_a_person_who_blocks_the_bot_is_unreachable_until_they_unblock_it(db):
    def lan_reachable() -> bool:
        with db.session() as s:
            return reachable(s.get(TgUser, LAN))

    assert lan_reachable()
    with db.session() as s:
        people.private_chat_changed(s, user_id=LAN, first_name="Lân", last_name=None, username=None, blocked=True,
                                    now=NOW)
    assert not lan_reachable()
    with db.session() as s:
        people.private_chat_changed(s, user_id=LAN, first_name="Lân", last_name=None, username=None, blocked=False,
                                    now=NOW)
    assert lan_reachable()
