"""services.milestones on a real database (SQLite, and PostgreSQL when configured), rows set
up through storage functions: a secretary's typed dates for the year's milestones, what is
refused and why, moving a meeting replans its reminders, cancelling drops them, the hour."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from domain.milestones import Kind
from domain.reminders import ReminderRules
from services import milestones as service
from services.milestones import Refusal, Refused
from storage import blocs, milestones
from storage.models import AuditLog, Bloc, Reminder
from tests.factories import bloc_of_units

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)  # 09:00 on 1 March in Huế
SECRETARY = 10


def rules_of(hour: int | None) -> ReminderRules:
    return ReminderRules() if hour is None else ReminderRules(hour=datetime(2025, 1, 1, hour).time())


@pytest.fixture
def bloc(db) -> Bloc:
    with db.session() as s:
        bloc, _ = bloc_of_units(s, ["Hội Chữ thập đỏ", "Hội Khuyến học"], secretary=SECRETARY, now=NOW)
    return bloc


def _set(db, bloc, kind: Kind, text: str, now: datetime = NOW):
    with db.session() as s:
        return service.set_milestone(s, bloc_id=bloc.id, kind=kind, text=text, by=SECRETARY, now=now, tz=TZ,
                                     rules_of=rules_of)


def _pending(db) -> list[tuple[str, str]]:
    with db.session() as s:
        rows = s.exec(select(Reminder).where(Reminder.status == "pending").order_by(Reminder.due_at)).all()
    return [(r.due_at.astimezone(TZ).strftime("%d/%m %H:%M"), r.label) for r in rows]


def test_a_meeting_is_set_then_moved_and_its_reminders_follow(db, bloc):
    first = _set(db, bloc, Kind.MIDYEAR_MEETING, "14:00 15/7/2025, Hội trường A")
    assert isinstance(first, service.Set) and first.old_at is None
    assert first.milestone.at == datetime(2025, 7, 15, 14, 0, tzinfo=TZ) and first.milestone.place == "Hội trường A"
    assert ("14/07 08:00", "1d") in _pending(db) and ("15/07 12:00", "2h") in _pending(db)
    assert first.reminders == len(_pending(db)) == 5  # 7, 3, 1 days, the morning and 2 hours before

    moved = _set(db, bloc, Kind.MIDYEAR_MEETING, "9:00 22/7/2025")
    assert moved.old_at == datetime(2025, 7, 15, 14, 0, tzinfo=TZ) and moved.milestone.id == first.milestone.id
    assert moved.milestone.place == "Hội trường A"  # kept when not typed again
    assert ("14/07 08:00", "1d") not in _pending(db) and ("21/07 08:00", "1d") in _pending(db)
    with db.session() as s:
        sets = s.exec(select(AuditLog).where(AuditLog.action == "milestone.set")).all()
    assert [a.detail["old"] is None for a in sets] == [True, False]


def test_typed_dates_that_cannot_be_meant_are_refused_and_change_nothing(db, bloc):
    assert _set(db, bloc, Kind.REGISTRATION_DEADLINE, "ba mươi tháng ba") == Refused(
        Refusal.FORMAT, dict(text="ba mươi tháng ba"))
    assert _set(db, bloc, Kind.REGISTRATION_DEADLINE, "30/2/2025").code == Refusal.IMPOSSIBLE
    assert _set(db, bloc, Kind.COVENANT_MEETING, "15/3/2025").code == Refusal.MEETING_TIME  # no hour
    far = _set(db, bloc, Kind.REGISTRATION_DEADLINE, "31/3/2099")
    assert far.code == Refusal.FAR and (far.details["low"], far.details["high"]) == (2024, 2026)
    past = _set(db, bloc, Kind.REGISTRATION_DEADLINE, "28/2/2025")
    assert past.code == Refusal.PAST and past.details["at"] == datetime(2025, 2, 28, 23, 59, tzinfo=TZ)
    with db.session() as s:
        assert milestones.all_active(session=s, bloc=bloc) == []
    assert _pending(db) == []


def test_a_deadline_runs_to_the_end_of_its_day_and_the_year_keeps_its_order(db, bloc):
    deadline = _set(db, bloc, Kind.REGISTRATION_DEADLINE, "31/3/2025")
    assert deadline.milestone.at == datetime(2025, 3, 31, 23, 59, tzinfo=TZ)
    early = _set(db, bloc, Kind.MIDYEAR_MEETING, "8:00 20/3/2025")
    assert early == Refused(Refusal.ORDER, dict(
        earlier="registration_deadline", later="midyear_meeting",
        earlier_at=datetime(2025, 3, 31, 23, 59, tzinfo=TZ), later_at=datetime(2025, 3, 20, 8, 0, tzinfo=TZ)))


def test_cancelling_asks_for_an_active_milestone_and_drops_its_reminders(db, bloc):
    assert _set(db, bloc, Kind.YEAREND_MEETING, "14:00 10/12/2025") is not None
    with db.session() as s:
        asked = service.to_cancel(s, bloc_id=bloc.id, kind=Kind.YEAREND_MEETING)
        assert service.to_cancel(s, bloc_id=bloc.id, kind=Kind.MIDYEAR_MEETING) == Refused(Refusal.STALE)
    with db.session() as s:
        cancelled = service.cancel(s, bloc_id=bloc.id, milestone_id=asked.id, by=SECRETARY, now=NOW)
    assert cancelled.id == asked.id and _pending(db) == []
    # The confirmation pressed again, or one naming another bloc's milestone, changes nothing.
    with db.session() as s:
        assert service.cancel(s, bloc_id=bloc.id, milestone_id=asked.id, by=SECRETARY, now=NOW) == Refused(
            Refusal.STALE)
        other = blocs.create_bloc(session=s, chat_id=-100666, name="Khối khác", year=2025, province="Huế",
                                  by=SECRETARY, now=NOW)
        theirs = milestones.set_milestone(session=s, bloc=other, kind=Kind.YEAREND_MEETING.value,
                                          at=NOW + timedelta(days=30), by=SECRETARY, now=NOW)
        s.flush()
        assert service.cancel(s, bloc_id=bloc.id, milestone_id=theirs.id, by=SECRETARY, now=NOW) == Refused(
            Refusal.STALE)
        assert theirs.cancelled_at is None


def test_the_hour_reminders_go_out_at_replans_every_milestone(db, bloc):
    _set(db, bloc, Kind.REGISTRATION_DEADLINE, "31/3/2025")
    assert ("24/03 08:00", "7d") in _pending(db)
    with db.session() as s:
        assert service.set_hour(s, bloc_id=bloc.id, text="3", by=SECRETARY, now=NOW, tz=TZ,
                                rules_of=rules_of) == Refused(Refusal.HOUR)  # at night
        assert service.set_hour(s, bloc_id=bloc.id, text="14h", by=SECRETARY, now=NOW, tz=TZ,
                                rules_of=rules_of) == service.HourSet(14)
    assert ("24/03 14:00", "7d") in _pending(db) and ("24/03 08:00", "7d") not in _pending(db)
    with db.session() as s:
        shown = service.schedule(s, bloc_id=bloc.id, rules_of=rules_of, tz=TZ)
    assert shown.hour.hour == 14 and [i.milestone.kind for i in shown.items] == ["registration_deadline"]
    # Nobody has registered: both units still owe their registration.
    assert [o.unit.name for o in shown.items[0].owing] == ["Hội Chữ thập đỏ", "Hội Khuyến học"]


def test_a_province_day_off_moves_its_blocs_reminders_and_the_weekends_are_the_blocs_choice(db, bloc):
    from domain.provinces import Province, ProvinceKind, Provinces
    from domain.working_days import Off

    hue = Provinces((Province("HUE", "Huế", ProvinceKind.CITY, days_off=(datetime(2025, 9, 8).date(),)),))
    with db.session() as s:
        # Hạn gửi hồ sơ on Monday 15/9: 7 days before is Monday 8/9, Huế's own day off.
        service.set_milestone(s, bloc_id=bloc.id, kind=Kind.DOSSIER_DEADLINE, text="15/9/2025", by=SECRETARY,
                              now=NOW, tz=TZ, rules_of=rules_of, provinces=hue)
    # The day before Huế's day off is Sunday 7/9: weekends are not days off unless the bloc says so.
    assert _pending(db) == [("07/09 08:00", "7d"), ("12/09 08:00", "3d"), ("14/09 08:00", "1d")]
    with db.session() as s:
        [item] = service.schedule(s, bloc_id=bloc.id, rules_of=rules_of, tz=TZ, provinces=hue).items
    assert [(m.reminder.label, m.reminder.moved_from.astimezone(TZ).date(), m.day_off.why) for m in item.moved] == [
        ("7d", datetime(2025, 9, 8).date(), Off.PROVINCE)]

    with db.session() as s:
        changed = service.set_weekends(s, bloc_id=bloc.id, off=True, by=SECRETARY, now=NOW, tz=TZ,
                                       rules_of=rules_of, provinces=hue)
    # Sunday 7/9 → Friday 5/9; Sunday 14/9 → Friday 12/9, where the 3 days' one already is.
    assert changed == service.WeekendsSet(True, 2)
    assert _pending(db) == [("05/09 08:00", "7d"), ("12/09 08:00", "3d")]
    with db.session() as s:
        assert service.set_weekends(s, bloc_id=bloc.id, off=True, by=SECRETARY, now=NOW, tz=TZ,
                                    rules_of=rules_of, provinces=hue) == service.WeekendsSet(True, 0)
        assert s.get(Bloc, bloc.id).weekends_off
        assert s.exec(select(AuditLog).where(AuditLog.action == "bloc.setting")).one().detail == {
            "weekends_off": True}
