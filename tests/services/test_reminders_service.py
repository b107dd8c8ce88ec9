"""services.reminders on a real database (SQLite, and PostgreSQL when configured), rows set
up through storage functions: what the reminder job decides for each due reminder, before
and between its sends: who owes what, superseded and too-late ones, a claim taken once, and
a recipient a crash left «sending» recorded unsure, never sent again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from domain.milestones import Duty, Kind
from domain.reminders import Planned, ReminderRules
from services import reminders as service
from services.reminders import Skip, Skipped
from storage import blocs, milestones, registrations, reminders, roster
from storage.models import Reminder, ReminderDelivery
from tests.factories import people, represent

NOW = datetime(2025, 3, 24, 1, 0, tzinfo=UTC)
SECRETARY, AN = 10, 11  # An acts for the Hội Khuyến học


def rules_of(hour: int | None) -> ReminderRules:
    return ReminderRules()


@pytest.fixture
def deadline(db):
    """A bloc of three units, the registration deadline a week ahead, the Hội Chữ thập đỏ registered."""
    with db.session() as s:
        people(s, SECRETARY, AN, now=NOW)
        bloc = blocs.create_bloc(session=s, chat_id=-100555, name="Khối các Hội đặc thù", year=2025,
                                 province="Huế", by=SECRETARY, now=NOW)
        units = roster.add_units(session=s, bloc=bloc, names=["Hội Chữ thập đỏ", "Hội Khuyến học", "Hội Luật gia"],
                                 by=SECRETARY, now=NOW)
        represent(s, bloc, units[1], AN, by=SECRETARY, now=NOW)
        registrations.confirm(session=s, bloc=bloc, unit_id=units[0].id, collective=["CO_TINH"], individuals=[],
                              targets="", by=SECRETARY, now=NOW)
        milestone = milestones.set_milestone(session=s, bloc=bloc, kind=Kind.REGISTRATION_DEADLINE.value,
                                             at=NOW + timedelta(days=7), by=SECRETARY, now=NOW)
        s.flush()
        rows = reminders.replan(session=s, milestone=milestone, planned=[
            Planned(NOW - timedelta(hours=2), "7d"), Planned(NOW - timedelta(hours=1), "3d")])
    return bloc, milestone, [r.id for r in rows]


def _take(db, reminder_id, now=NOW):
    with db.session() as s:
        return service.take(s, reminder_id=reminder_id, now=now, rules_of=rules_of)


def test_the_later_of_two_due_reminders_goes_to_those_who_owe(db, deadline):
    bloc, milestone, (earlier, later) = deadline
    with db.session() as s:
        assert service.due(s, now=NOW) == [later]
    with db.session() as s:
        assert s.get(Reminder, earlier).note == reminders.NOTE_SUPERSEDED
    work = _take(db, later)
    assert isinstance(work, service.Send)
    assert [(o.unit.name, o.duties) for o in work.owing] == [("Hội Khuyến học", [Duty.REGISTRATION]),
                                                              ("Hội Luật gia", [Duty.REGISTRATION])]
    assert [(d.unit.name, d.person.id) for d in work.direct] == [("Hội Khuyến học", AN)]
    assert {chat: d.status for chat, d in work.deliveries.items()} == {AN: "pending", bloc.chat_id: "pending"}
    # Claimed before anything goes: a run after a crash goes on with it, its recipients recorded once.
    with db.session() as s:
        assert s.get(Reminder, later).status == reminders.CLAIMED
    assert _take(db, later).deliveries == work.deliveries


def test_a_claim_is_taken_once_and_a_crash_mid_send_is_never_repeated(db, deadline):
    bloc, milestone, (_, later) = deadline
    work = _take(db, later)
    with db.session() as s:
        service.sending(s, delivery_id=work.deliveries[AN].id, now=NOW)
    # The bot died there. The next run goes on with the claimed reminder: An is recorded
    # unsure and not sent again; the group is still to be told.
    again = _take(db, later)
    assert again.unsure == [AN] and again.deliveries[AN].status == "unsure"
    assert again.deliveries[bloc.chat_id].status == "pending"
    with db.session() as s:
        assert service.sent(s, delivery_id=again.deliveries[bloc.chat_id].id, reached=True, now=NOW) == "sent"
        service.finished(s, reminder_id=later, now=NOW)
    assert _take(db, later) == Skipped(later, Skip.TAKEN)
    with db.session() as s:
        assert sorted(d.status for d in s.exec(select(ReminderDelivery))) == ["sent", "unsure"]


def test_too_late_or_cancelled_reminders_are_recorded_not_sent(db, deadline):
    bloc, milestone, (_, later) = deadline
    late = NOW + timedelta(hours=13)  # past the 12 hours' grace
    assert _take(db, later, now=late) == Skipped(later, Skip.TOO_LATE, bloc.id)
    with db.session() as s:
        assert (s.get(Reminder, later).status, s.get(Reminder, later).note) == ("missed", reminders.NOTE_TOO_LATE)
    with db.session() as s:
        row = reminders.replan(session=s, milestone=milestone, planned=[Planned(NOW, "1d")])[0]
        milestones.cancel(session=s, milestone=milestone, by=SECRETARY, now=NOW)
    assert _take(db, row.id) == Skipped(row.id, Skip.CANCELLED)


def test_nothing_owed_means_nothing_sent(db, deadline):
    bloc, milestone, (_, later) = deadline
    with db.session() as s:
        for unit in roster.active_units(session=s, bloc_id=bloc.id)[1:]:
            registrations.confirm(session=s, bloc=bloc, unit_id=unit.id, collective=["CO_TINH"], individuals=[],
                                  targets="", by=SECRETARY, now=NOW)
    assert _take(db, later) == Skipped(later, Skip.NOTHING_OWED, bloc.id)
    with db.session() as s:
        assert s.get(Reminder, later).note == reminders.NOTE_NOTHING_OWED
        assert s.exec(select(ReminderDelivery)).all() == []
