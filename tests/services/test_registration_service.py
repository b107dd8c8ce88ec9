"""services.registration on a real database (SQLite, and PostgreSQL when configured), rows
set up through storage functions: who may register for a unit, the window, each press of a
draft, typed answers, the confirmation, the withdrawal and the covenant — as the Sở Y tế's
two representatives, An and Bình, would make them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from domain import registration as rules
from domain.catalogue import DEFAULT_TITLES, Catalogue
from domain.milestones import Kind
from domain.registration import People
from services import registration
from services.registration import Refusal, Refused
from storage import blocs, milestones, registrations, roles, roster
from storage.db import Database
from tests.factories import people, represent

NOW = datetime(2025, 2, 10, 2, 0, tzinfo=UTC)
TIMEOUT = timedelta(minutes=60)
CATALOGUE = Catalogue(DEFAULT_TITLES)
SECRETARY, AN, BINH, OUTSIDER = 10, 11, 12, 13  # An and Bình both act for the Sở Y tế


def _bloc(db: Database, *, deadline: datetime | None = None):
    """A bloc of two units, the Sở Y tế represented by An and Bình; a listed secretary."""
    with db.session() as s:
        people(s, SECRETARY, AN, BINH, OUTSIDER, now=NOW)
        bloc = blocs.create_bloc(session=s, chat_id=-100888, name="Khối số 6", year=2025, province="Huế",
                                 by=SECRETARY, now=NOW)
        units = roster.add_units(session=s, bloc=bloc, names=["Sở Y tế", "Ban Dân tộc"], by=SECRETARY, now=NOW)
        for user in (AN, BINH):
            represent(s, bloc, units[0], user, by=SECRETARY, now=NOW)
        roles.add_secretary(session=s, bloc=bloc, user_id=SECRETARY, by=SECRETARY, now=NOW)
        if deadline is not None:
            milestones.set_milestone(session=s, bloc=bloc, kind=Kind.REGISTRATION_DEADLINE.value, at=deadline,
                                     by=SECRETARY, now=NOW)
    return bloc, units


def _start(db: Database, user: int, unit_id: int, message_id: int = 501, now: datetime = NOW):
    with db.connection() as c:
        return registration.start(c, user_id=user, unit_id=unit_id, message_id=message_id, now=now)


def _press(db: Database, user: int, draft_id: int, action: str, code: str | None = None, *, message_id: int = 501,
           now: datetime = NOW):
    with db.connection() as c:
        return registration.press(c, user_id=user, draft_id=draft_id, message_id=message_id, action=action,
                                  code=code, now=now, timeout=TIMEOUT, catalogue=CATALOGUE)


def _type(db: Database, user: int, text: str, now: datetime = NOW):
    with db.connection() as c:
        return registration.answer(c, user_id=user, text=text, now=now, timeout=TIMEOUT, catalogue=CATALOGUE)


def _current(db: Database, unit_id: int):
    with db.connection() as c:
        return registrations.current_of_unit(session=c, unit_id=unit_id, year=2025)


def _draft(db: Database, user: int):
    with db.connection() as c:
        return registrations.draft_of(session=c, user_id=user)


def test_an_registers_the_so_y_te_step_by_step_and_binh_and_the_secretary_are_told(db):
    _, (so_y_te, _) = _bloc(db)
    step = _start(db, AN, so_y_te.id)
    assert isinstance(step, registration.Step) and step.draft.step == rules.COLLECTIVE
    d = step.draft.id
    assert _press(db, AN, d, "t", "TTLDXS").draft.choice.collective == ("TTLDXS",)
    assert _press(db, AN, d, "t", "CSTD_CS") == Refused(Refusal.STALE)  # not a collective title
    assert _press(db, AN, d, "next").draft.step == rules.INDIVIDUAL_PREFIX + "CSTD_TINH"
    assert _press(db, AN, d, "zero").draft.step == rules.INDIVIDUAL_PREFIX + "CSTD_CS"
    typed = _type(db, AN, "2: Nguyễn Văn An, Trần Thị Bình")
    assert typed.draft.choice.people("CSTD_CS") == rules.People(2, ("Nguyễn Văn An", "Trần Thị Bình"))
    assert _press(db, AN, d, "zero").draft.step == rules.INDIVIDUAL_PREFIX + "BK_UBND_CN"
    assert _press(db, AN, d, "zero").draft.step == rules.TARGETS
    assert _type(db, AN, "Khám sàng lọc 5.000 người dân").draft.step == rules.REVIEW

    done = _press(db, AN, d, "ok")
    assert isinstance(done, registration.Confirmed)
    assert done.version == 1 and not done.changed and done.registration.confirmed_at == NOW
    assert done.told == registration.Told(others=[BINH], secretaries=[SECRETARY])
    saved = _current(db, so_y_te.id)
    assert saved.collective == ["TTLDXS"] and saved.targets == "Khám sàng lọc 5.000 người dân"
    assert saved.individuals == (("CSTD_CS", People(2, ("Nguyễn Văn An", "Trần Thị Bình"))),)
    with db.connection() as c:  # as the column holds it
        raw = c.execute(text("SELECT individuals FROM registration WHERE current")).scalar_one()
    assert (json.loads(raw) if isinstance(raw, str) else raw) == [
        {"code": "CSTD_CS", "count": 2, "names": ["Nguyễn Văn An", "Trần Thị Bình"]}]
    assert _draft(db, AN) is None
    # The confirmed draft pressed again is gone: stale, nothing more saved.
    assert _press(db, AN, d, "ok") == Refused(Refusal.STALE)

    # Bình changes it: his draft starts from what counts, and the confirmation is a change.
    again = _start(db, BINH, so_y_te.id, message_id=601)
    assert again.draft.choice == rules.Choice(("TTLDXS",), (
        ("CSTD_CS", rules.People(2, ("Nguyễn Văn An", "Trần Thị Bình"))),), "Khám sàng lọc 5.000 người dân")
    for _ in range(5):
        _press(db, BINH, again.draft.id, "next" if _draft(db, BINH).step == rules.COLLECTIVE else "keep",
               message_id=601)
    assert _draft(db, BINH).step == rules.TARGETS
    _press(db, BINH, again.draft.id, "skip", message_id=601)
    changed = _press(db, BINH, again.draft.id, "ok", message_id=601)
    assert changed.changed and changed.version == 2 and changed.told.others == [AN]


def test_someone_who_does_not_represent_the_unit_is_refused_everything(db):
    _, (so_y_te, ban_dan_toc) = _bloc(db)
    assert _start(db, OUTSIDER, so_y_te.id) == Refused(Refusal.NOT_YOUR_UNIT)
    assert _start(db, AN, ban_dan_toc.id) == Refused(Refusal.NOT_YOUR_UNIT)
    with db.connection() as c:
        assert registration.overview(c, user_id=OUTSIDER, unit_id=so_y_te.id, now=NOW) == \
            Refused(Refusal.NOT_YOUR_UNIT)
        assert registration.withdraw(c, user_id=OUTSIDER, unit_id=so_y_te.id, registration_id=1, now=NOW) == \
            Refused(Refusal.NOT_YOUR_UNIT)
    with db.session() as s:
        assert registration.sign_covenant(s, user_id=OUTSIDER, unit_id=so_y_te.id, now=NOW) == \
            Refused(Refusal.NOT_YOUR_UNIT)
    # An's draft is not the outsider's to press, even with its id and message.
    mine = _start(db, AN, so_y_te.id)
    assert _press(db, OUTSIDER, mine.draft.id, "t", "TTLDXS") == Refused(Refusal.STALE)
    # Nor is an earlier message of An's own draft.
    assert _press(db, AN, mine.draft.id, "t", "TTLDXS", message_id=500) == Refused(Refusal.STALE)
    assert _draft(db, AN).choice == rules.Choice()


def test_dangky_opens_the_one_unit_or_asks_which(db):
    bloc, (so_y_te, ban_dan_toc) = _bloc(db)
    with db.connection() as c:
        seen = registration.opening(c, user_id=AN, now=NOW)
        assert isinstance(seen, registration.Overview) and seen.unit.id == so_y_te.id and not seen.registered
        assert seen.window.open and seen.choice == rules.Choice()
        assert registration.opening(c, user_id=OUTSIDER, now=NOW) == Refused(Refusal.NOT_YOUR_UNIT)
    with db.session() as s:
        represent(s, bloc, ban_dan_toc, AN, by=SECRETARY, now=NOW)
    with db.connection() as c:
        several = registration.opening(c, user_id=AN, now=NOW)
    assert isinstance(several, registration.Several)
    assert sorted(u.name for u, _ in several.units) == ["Ban Dân tộc", "Sở Y tế"]


def test_typed_answers_the_rules_refuse_change_nothing(db):
    _, (so_y_te, _) = _bloc(db)
    step = _start(db, AN, so_y_te.id)
    at_collective = _type(db, AN, "Cờ thi đua")
    assert at_collective.code == Refusal.BUTTON_STEP and at_collective.step.draft.step == rules.COLLECTIVE
    _press(db, AN, step.draft.id, "next")
    refused = _type(db, AN, "-3")
    assert refused.code == Refusal.INPUT and refused.problem == "people_negative"
    assert refused.details == {"limit": rules.MAX_PEOPLE, "name_limit": rules.MAX_PERSON_NAME}
    assert _draft(db, AN).choice == rules.Choice() and _draft(db, AN).step == rules.INDIVIDUAL_PREFIX + "CSTD_TINH"
    assert _type(db, BINH, "3") == Refused(Refusal.NO_DRAFT)


def test_the_deadline_closes_the_window_and_a_draft_confirmed_after_it_goes(db):
    deadline = NOW + timedelta(minutes=30)
    _, (so_y_te, _) = _bloc(db, deadline=deadline)
    step = _start(db, AN, so_y_te.id)
    _press(db, AN, step.draft.id, "t", "TTLDXS")
    _press(db, AN, step.draft.id, "next")
    for _ in CATALOGUE.individual(2025):
        _press(db, AN, step.draft.id, "zero")
    assert _press(db, AN, step.draft.id, "skip").draft.step == rules.REVIEW
    late = deadline
    refused = _press(db, AN, step.draft.id, "ok", now=late)
    assert refused.code == Refusal.LOCKED and refused.ended and refused.window.deadline == deadline
    assert _draft(db, AN) is None and _current(db, so_y_te.id) is None
    locked = _start(db, BINH, so_y_te.id, now=late)
    assert locked.code == Refusal.LOCKED and locked.overview.current is None and not locked.window.open


def test_a_draft_idle_past_the_timeout_goes_at_the_next_press(db):
    _, (so_y_te, _) = _bloc(db)
    step = _start(db, AN, so_y_te.id)
    assert isinstance(_press(db, AN, step.draft.id, "t", "TTLDXS", now=NOW + timedelta(minutes=59)),
                      registration.Step)
    assert _press(db, AN, step.draft.id, "next", now=NOW + timedelta(minutes=119)) == Refused(Refusal.TIMED_OUT)
    assert _draft(db, AN) is None


def test_a_withdrawal_takes_only_the_registration_it_was_asked_for(db):
    bloc, (so_y_te, _) = _bloc(db)
    first = _confirmed(db, bloc, so_y_te.id, ["TTLDXS"])
    with db.connection() as c:
        asked = registration.ask_withdraw(c, user_id=BINH, unit_id=so_y_te.id, now=NOW)
    assert asked.registration_id == first.id
    _confirmed(db, bloc, so_y_te.id, ["TTLDTT"])  # An confirms a new version meanwhile
    with db.connection() as c:
        outdated = registration.withdraw(c, user_id=BINH, unit_id=so_y_te.id, registration_id=first.id, now=NOW)
    assert outdated.code == Refusal.OUTDATED and not _current(db, so_y_te.id).withdrawn
    newer = _current(db, so_y_te.id)
    with db.connection() as c:
        done = registration.withdraw(c, user_id=BINH, unit_id=so_y_te.id, registration_id=newer.id, now=NOW)
    assert isinstance(done, registration.Withdrawn) and done.at == NOW and done.told.others == [AN]
    assert _current(db, so_y_te.id).withdrawn
    with db.connection() as c:  # the same confirmation pressed twice withdraws once
        assert registration.withdraw(c, user_id=BINH, unit_id=so_y_te.id, registration_id=newer.id,
                                     now=NOW).code == Refusal.OUTDATED


def _confirmed(db: Database, bloc, unit_id: int, collective: list[str]):
    with db.connection() as c:
        return registrations.confirm(session=c, bloc=bloc, unit_id=unit_id, collective=collective, individuals=[],
                                     targets="", by=AN, now=NOW)


def test_the_covenant_is_signed_once_a_year(db):
    _, (so_y_te, _) = _bloc(db)
    with db.session() as s:
        signed = registration.sign_covenant(s, user_id=AN, unit_id=so_y_te.id, now=NOW)
    assert isinstance(signed, registration.Signed) and signed.new and signed.at == NOW
    with db.session() as s:
        again = registration.sign_covenant(s, user_id=BINH, unit_id=so_y_te.id, now=NOW + timedelta(days=1))
    assert not again.new and again.at == NOW


def test_starting_again_replaces_the_person_s_draft(db):
    _, (so_y_te, _) = _bloc(db)
    first = _start(db, AN, so_y_te.id, message_id=501)
    _press(db, AN, first.draft.id, "t", "TTLDXS", message_id=501)
    second = _start(db, AN, so_y_te.id, message_id=502)
    assert second.draft.choice == rules.Choice()
    # The first draft's message is no longer live (even should the new row reuse its id).
    assert _press(db, AN, first.draft.id, "t", "TTLDXS", message_id=501) == Refused(Refusal.STALE)
    assert _press(db, AN, second.draft.id, "t", "TTLDXS", message_id=502).draft.choice.collective == ("TTLDXS",)
