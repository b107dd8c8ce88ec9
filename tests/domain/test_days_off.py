"""The days off a bloc's reminders avoid, against the official calendars: Tết Ất Tỵ 2025 off
from 25/01 to 02/02/2025, Tết Bính Ngọ 2026 from 14/02 to 22/02/2026, 30/4–1/5, 2/9, a
province's own day off, and weekends only where the bloc chose them."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from domain.milestones import Kind, example
from domain.reminders import ReminderRules, plan
from domain.working_days import Off, WorkingDays

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
ALL_WEEK = WorkingDays()  # the default: weekends are not days off
WEEKENDS = WorkingDays(weekends=True)


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def test_tet_2025_is_off_from_25_january_to_2_february_whatever_the_bloc_chose():
    for bloc in (ALL_WEEK, WEEKENDS):
        assert all(bloc.is_day_off(d) for d in days(date(2025, 1, 25), date(2025, 2, 2)))
        assert not bloc.is_day_off(date(2025, 1, 24)) and not bloc.is_day_off(date(2025, 2, 3))
        assert bloc.before(date(2025, 1, 29)) == date(2025, 1, 24)  # Mùng 1 Tết → the Friday before
    first_day = ALL_WEEK.day_off(date(2025, 1, 29))
    assert first_day.why == Off.TET and not first_day.in_break
    assert ALL_WEEK.day_off(date(2025, 1, 25)).why == Off.TET and ALL_WEEK.day_off(date(2025, 1, 25)).in_break


def test_tet_2026_is_off_from_14_to_22_february():
    assert all(ALL_WEEK.day_off(d).why == Off.TET for d in days(date(2026, 2, 14), date(2026, 2, 22)))
    assert not ALL_WEEK.is_day_off(date(2026, 2, 13)) and not ALL_WEEK.is_day_off(date(2026, 2, 23))
    assert ALL_WEEK.before(date(2026, 2, 17)) == date(2026, 2, 13)


def test_30_april_and_1_may_2025_with_the_swapped_day_and_the_weekend_after():
    assert [ALL_WEEK.day_off(d).why for d in days(date(2025, 4, 30), date(2025, 5, 4))] == [
        Off.REUNIFICATION, Off.LABOUR, Off.LABOUR, Off.LABOUR, Off.LABOUR]
    assert ALL_WEEK.before(date(2025, 5, 2)) == date(2025, 4, 29)
    assert not ALL_WEEK.is_day_off(date(2025, 5, 5))


def test_national_day_2025_and_2026_with_the_day_next_to_it():
    assert all(ALL_WEEK.day_off(d).why == Off.NATIONAL for d in days(date(2025, 8, 30), date(2025, 9, 2)))
    assert ALL_WEEK.before(date(2025, 9, 2)) == date(2025, 8, 29)
    assert all(ALL_WEEK.day_off(d).why == Off.NATIONAL for d in days(date(2026, 8, 29), date(2026, 9, 2)))
    assert not ALL_WEEK.is_day_off(date(2025, 9, 3))


def test_hung_kings_day_and_new_year():
    assert ALL_WEEK.day_off(date(2025, 4, 7)).why == Off.HUNG_KINGS  # 10/3 âm lịch
    assert ALL_WEEK.day_off(date(2026, 4, 27)).why == Off.HUNG_KINGS  # on a Sunday: the Monday in lieu
    assert ALL_WEEK.day_off(date(2025, 1, 1)).why == Off.NEW_YEAR


def test_a_weekend_is_a_day_off_only_where_the_bloc_chose_it():
    saturday, sunday, friday = date(2025, 3, 15), date(2025, 3, 16), date(2025, 3, 14)
    assert not ALL_WEEK.is_day_off(saturday) and ALL_WEEK.before(sunday) == sunday
    assert WEEKENDS.day_off(saturday).why == Off.SATURDAY and WEEKENDS.day_off(sunday).why == Off.SUNDAY
    assert WEEKENDS.before(sunday) == friday


def test_a_province_day_off_counts_for_its_blocs():
    hue = WorkingDays.of([date(2025, 9, 3)])
    assert hue.day_off(date(2025, 9, 3)).why == Off.PROVINCE
    # 30/8–2/9 are the national break, 3/9 the province's: the Friday before all of them.
    assert hue.before(date(2025, 9, 3)) == date(2025, 8, 29)
    assert not ALL_WEEK.is_day_off(date(2025, 9, 3))


def test_reminders_on_days_off_move_to_the_working_day_before_at_the_same_hour():
    rules = ReminderRules()
    deadline = datetime(2025, 2, 5, 23, 59, tzinfo=TZ)  # its 7 days before is 29/01, Mùng 1 Tết
    now = datetime(2025, 1, 10, 9, 0, tzinfo=TZ)
    planned = {p.label: p for p in plan(at=deadline, meeting=False, now=now, tz=TZ, rules=rules, days=ALL_WEEK)}
    assert planned["7d"].due_at == datetime(2025, 1, 24, 8, 0, tzinfo=TZ)
    assert planned["7d"].moved_from == datetime(2025, 1, 29, 8, 0, tzinfo=TZ)
    # 3 days before is 02/02, the break's last day: it would go on 24/01 too, once is enough.
    assert sorted(planned) == ["1d", "7d"]
    assert planned["1d"].due_at == datetime(2025, 2, 4, 8, 0, tzinfo=TZ) and planned["1d"].moved_from is None
    unmoved = plan(at=deadline, meeting=False, now=now, tz=TZ, rules=rules)
    assert [p.due_at.date() for p in unmoved] == [date(2025, 1, 29), date(2025, 2, 2), date(2025, 2, 4)]


def test_a_reminder_whose_working_day_before_has_passed_stays_as_planned():
    deadline = datetime(2025, 2, 5, 23, 59, tzinfo=TZ)
    now = datetime(2025, 1, 27, 9, 0, tzinfo=TZ)  # Tết has begun: 24/01 is gone
    planned = {p.label: p for p in plan(at=deadline, meeting=False, now=now, tz=TZ, rules=ReminderRules(),
                                        days=ALL_WEEK)}
    assert planned["7d"].due_at == datetime(2025, 1, 29, 8, 0, tzinfo=TZ) and planned["7d"].moved_from is None


def test_a_meetings_own_day_reminders_stay_on_its_day():
    now = datetime(2025, 3, 1, 9, 0, tzinfo=TZ)
    monday = datetime(2025, 3, 17, 14, 0, tzinfo=TZ)
    planned = [p.due_at for p in plan(at=monday, meeting=True, now=now, tz=TZ, rules=ReminderRules(), days=WEEKENDS)]
    # The day before, Sunday 16/3, goes on Friday 14/3, where the 3 days' reminder already is.
    assert planned == [datetime(2025, 3, 10, 8, 0, tzinfo=TZ), datetime(2025, 3, 14, 8, 0, tzinfo=TZ),
                       datetime(2025, 3, 17, 7, 30, tzinfo=TZ), datetime(2025, 3, 17, 12, 0, tzinfo=TZ)]
    saturday = datetime(2025, 3, 15, 14, 0, tzinfo=TZ)  # a meeting typed for a Saturday is held then
    planned = {p.label: p.due_at for p in plan(at=saturday, meeting=True, now=now, tz=TZ, rules=ReminderRules(),
                                               days=WEEKENDS)}
    assert planned["2h"] == datetime(2025, 3, 15, 12, 0, tzinfo=TZ)
    assert planned["morning"] == datetime(2025, 3, 15, 7, 30, tzinfo=TZ)


def test_the_prompts_example_deadline_is_a_working_day():
    now = datetime(2025, 1, 10, 9, 0, tzinfo=TZ)
    # The usual covenant meeting, 15/3, is a Saturday in 2025.
    assert example(Kind.COVENANT_MEETING, year=2025, now=now, days=ALL_WEEK).date() == date(2025, 3, 15)
    assert example(Kind.COVENANT_MEETING, year=2025, now=now, days=WEEKENDS) == datetime(2025, 3, 14, 8, 0,
                                                                                           tzinfo=TZ)
    # A week from 22/01/2025 is Mùng 1 Tết: the example is the Friday before.
    late = datetime(2025, 1, 22, 9, 0, tzinfo=TZ)
    assert example(Kind.REGISTRATION_DEADLINE, year=2024, now=late, days=ALL_WEEK) == datetime(2025, 1, 24, 17, 0,
                                                                                               tzinfo=TZ)
