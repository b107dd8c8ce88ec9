"""/lich's decisions: the bloc's milestones (deadlines and meetings) set, moved or cancelled,
the hour reminders go out at, and what is still owed before each. Each function is one
decision in the caller's transaction; setting, moving and the hour replan the milestone's
reminders in that same transaction (the caller wakes the scheduler after the commit)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlmodel import Session

from domain.dates import DateParseError, is_past, parse_vn_datetime, year_problem
from domain.milestones import MEETINGS, Kind, order_problem, parse_hour, split_place
from domain.provinces import Naming, Provinces
from domain.reminders import Planned, ReminderRules, by_day, plan
from domain.working_days import DayOff, WorkingDays
from services.reminders import CLOSE, LATE, Owing, owing
from services.review import plan_deadline
from storage import blocs as bloc_store
from storage import milestones, reminders
from storage.models import Bloc, Milestone, Reminder

# The bloc's reminder rules for a reminder hour (None: the configured one).
RulesOf = Callable[[int | None], ReminderRules]


class Refusal(StrEnum):
    FORMAT = "format"  # no date could be read
    IMPOSSIBLE = "impossible"  # 30/2, 25:00
    MEETING_TIME = "meeting_time"  # a meeting needs its hour
    FAR = "far"  # too far from the bloc's year to be meant
    PAST = "past"
    ORDER = "order"  # out of the year's order with another milestone
    HOUR = "hour"  # not a daytime hour (6 to 20)
    STALE = "stale"  # no such active milestone of the bloc's year (a cancel pressed late)


@dataclass(frozen=True)
class Refused:
    code: Refusal
    details: dict = field(default_factory=dict)  # what the message says: the text, the dates, the years


@dataclass(frozen=True)
class Moved:
    """A reminder still to go that was moved off a day off to the working day before."""

    reminder: Reminder
    day_off: DayOff  # what the day it was planned for is


@dataclass(frozen=True)
class Item:
    milestone: Milestone
    owing: list[Owing]
    day_off: DayOff | None = None  # the milestone's own day is off (a typed date is never moved)
    moved: list[Moved] = field(default_factory=list)


@dataclass(frozen=True)
class Schedule:
    bloc: Bloc
    items: list[Item]
    hour: time  # reminders go out at
    naming: Naming | None = None  # the bloc's configured province in its year (its dossier deadline's)


@dataclass(frozen=True)
class WeekendsSet:
    weekends_off: bool
    moved: int  # reminders planned ahead that now go at another time than before


def working_days(bloc: Bloc, provinces: Provinces) -> WorkingDays:
    """The bloc's days off: the national ones, its province's own, and weekends if it chose."""
    province = provinces.find(bloc.province)
    return WorkingDays.of(province.days_off if province else (), weekends=bloc.weekends_off)


@dataclass(frozen=True)
class Set:
    milestone: Milestone
    old_at: datetime | None  # when it was before a move
    reminders: int  # how many reminders are planned ahead


@dataclass(frozen=True)
class HourSet:
    hour: int


def schedule(session: Session, *, bloc_id: int, rules_of: RulesOf, tz: ZoneInfo,
             provinces: Provinces = Provinces()) -> Schedule:
    """The bloc's active milestones in time order, with the units still owing before each,
    whether the milestone's day is off, and the reminders moved off days off."""
    bloc = session.get(Bloc, bloc_id)
    days = working_days(bloc, provinces)
    moved: dict[int, list[Moved]] = {}
    for reminder in reminders.moved(session=session, bloc_id=bloc.id):
        off = days.day_off(reminder.moved_from.astimezone(tz).date())
        if off is not None:
            moved.setdefault(reminder.milestone_id, []).append(Moved(reminder, off))
    items = [Item(m, owing(session, bloc, m), days.day_off(m.at.astimezone(tz).date()), moved.get(m.id, []))
             for m in milestones.all_active(session=session, bloc=bloc)]
    province = provinces.find(bloc.province)
    return Schedule(bloc, items, rules_of(bloc.reminder_hour).hour, province.in_year(bloc.year) if province else None)


def replan(session: Session, bloc: Bloc, milestone: Milestone, *, now: datetime, tz: ZoneInfo,
           rules: ReminderRules, days: WorkingDays) -> int:
    """Plan the milestone's reminders anew (after it was set or moved, or the bloc's hour or
    days off changed); how many ahead. A ballot's deadline keeps the row that closes it."""
    if milestone.kind == Kind.BALLOT_DEADLINE:
        plan_deadline(session, milestone, now, tz=tz, rule=rules, close=CLOSE, days=days)
        return sum(1 for r in reminders.pending_of(session=session, milestone_id=milestone.id) if r.label != CLOSE)
    planned = plan(at=milestone.at, meeting=Kind(milestone.kind) in MEETINGS, now=now, tz=tz, rules=rules,
                   days=days)
    if milestone.kind == Kind.DOSSIER_DUE and milestone.at > now:
        # After the province's deadline, its officers hear which blocs are late (services/dossier_due.py).
        planned.append(Planned(by_day(milestone.at, rules, tz), LATE))
    reminders.replan(session=session, milestone=milestone, planned=planned)
    return len(planned)


def set_milestone(session: Session, *, bloc_id: int, kind: Kind, text: str, by: int, now: datetime, tz: ZoneInfo,
                  rules_of: RulesOf, provinces: Provinces = Provinces()) -> Set | Refused:
    """Set or move a milestone from the secretary's typed answer ("14:00 15/7/2025, Hội trường A"):
    a deadline given as a day runs to the end of that day, a meeting needs its hour; the date
    must be near the bloc's year, still to come and in the year's order."""
    bloc = session.get(Bloc, bloc_id)
    meeting = kind in MEETINGS
    when_text, place = split_place(text)
    try:
        parsed = parse_vn_datetime(when_text, now=now, tz=tz, default_time=None if meeting else time(23, 59))
    except DateParseError as exc:
        return Refused(Refusal(exc.code), dict(text=when_text))
    if meeting and not parsed.has_time:
        return Refused(Refusal.MEETING_TIME)
    at = parsed.value
    far = year_problem(at, bloc_year=bloc.year, now=now, tz=tz)
    if far:
        return Refused(Refusal.FAR, far)
    if is_past(at, now):
        return Refused(Refusal.PAST, dict(at=at))
    others = {Kind(m.kind): m.at for m in milestones.all_active(session=session, bloc=bloc) if m.kind != kind.value}
    problem = order_problem(kind, at, others)
    if problem:
        earlier, later = problem
        return Refused(Refusal.ORDER, dict(earlier=earlier.value, later=later.value,
                                           earlier_at=at if earlier == kind else others[earlier],
                                           later_at=at if later == kind else others[later]))
    previous = milestones.active(session=session, bloc=bloc, kind=kind.value)
    old_at = previous.at if previous else None
    milestone = milestones.set_milestone(session=session, bloc=bloc, kind=kind.value, at=at, place=place, by=by,
                                         now=now)
    count = replan(session, bloc, milestone, now=now, tz=tz, rules=rules_of(bloc.reminder_hour),
                   days=working_days(bloc, provinces))
    return Set(milestone, old_at, count)


def to_cancel(session: Session, *, bloc_id: int, kind: Kind) -> Milestone | Refused:
    """The active milestone of this kind the secretary is asked to confirm cancelling."""
    milestone = milestones.active(session=session, bloc=session.get(Bloc, bloc_id), kind=kind.value)
    return milestone if milestone is not None else Refused(Refusal.STALE)


def cancel(session: Session, *, bloc_id: int, milestone_id: int | None, by: int, now: datetime) -> Milestone | Refused:
    """Cancel the milestone the confirmation names, if it is still this bloc's, this year's
    and active; its reminders not yet sent go with it."""
    bloc = session.get(Bloc, bloc_id)
    milestone = session.get(Milestone, milestone_id) if milestone_id is not None else None
    if milestone is None or milestone.bloc_id != bloc.id or milestone.year != bloc.year \
            or milestone.cancelled_at is not None:
        return Refused(Refusal.STALE)
    milestones.cancel(session=session, milestone=milestone, by=by, now=now)
    reminders.cancel(session=session, milestone_id=milestone.id)
    return milestone


def set_hour(session: Session, *, bloc_id: int, text: str, by: int, now: datetime, tz: ZoneInfo,
             rules_of: RulesOf, provinces: Provinces = Provinces()) -> HourSet | Refused:
    """The hour of day reminders go out at ("8", "14h"), a daytime one; every active
    milestone's reminders are planned anew for it."""
    hour = parse_hour(text)
    if hour is None:
        return Refused(Refusal.HOUR)
    bloc = session.get(Bloc, bloc_id)
    bloc.reminder_hour = hour
    session.add(bloc)
    bloc_store.record_setting(session=session, bloc=bloc, by=by, now=now, reminder_hour=hour)
    days = working_days(bloc, provinces)
    for milestone in milestones.all_active(session=session, bloc=bloc):
        replan(session, bloc, milestone, now=now, tz=tz, rules=rules_of(hour), days=days)
    return HourSet(hour)


def set_weekends(session: Session, *, bloc_id: int, off: bool, by: int, now: datetime, tz: ZoneInfo,
                 rules_of: RulesOf, provinces: Provinces = Provinces()) -> WeekendsSet:
    """Whether Saturdays and Sundays are days off for the bloc's reminders; every active
    milestone's reminders are planned anew. Pressing for what is already so changes nothing."""
    bloc = session.get(Bloc, bloc_id)
    if bloc.weekends_off == off:
        return WeekendsSet(off, 0)
    before = {(r.milestone_id, r.label): r.due_at for r in reminders.pending_of_bloc(session=session, bloc_id=bloc.id)}
    bloc.weekends_off = off
    session.add(bloc)
    bloc_store.record_setting(session=session, bloc=bloc, by=by, now=now, weekends_off=off)
    days = working_days(bloc, provinces)
    for milestone in milestones.all_active(session=session, bloc=bloc):
        replan(session, bloc, milestone, now=now, tz=tz, rules=rules_of(bloc.reminder_hour), days=days)
    after = {(r.milestone_id, r.label): r.due_at for r in reminders.pending_of_bloc(session=session, bloc_id=bloc.id)}
    # One that lands where another of its milestone already is goes with it: moved too.
    return WeekendsSet(off, sum(1 for key, due_at in before.items() if after.get(key) != due_at))
