"""When reminders go out before a milestone, and what to do with one that fell due
while the bot was down. Times are aware datetimes; local rules use the bloc's zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.working_days import WorkingDays


@dataclass(frozen=True)
class ReminderRules:
    days_before: tuple[int, ...] = (7, 3, 1)
    hours_before_meeting: tuple[int, ...] = (2,)
    hour: time = time(8, 0)  # day-based reminders go out at this local time
    day_start: time = time(7, 0)  # nothing is sent at night: before day_start…
    day_end: time = time(20, 0)  # …or after day_end
    morning: time = time(7, 30)  # the meeting day's reminder to the group
    grace: timedelta = timedelta(hours=12)


@dataclass(frozen=True)
class Planned:
    due_at: datetime
    label: str  # "7d", "2h", "morning"
    moved_from: datetime | None = None  # when it would have been, had that not been a day off


def _local(day, at: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz)


def _daytime(due: datetime, milestone_at: datetime, rules: ReminderRules, tz: ZoneInfo) -> datetime:
    """Move a time that falls at night into the day: an early one forward to the day's
    start if that is still well before the milestone, else back to the evening before;
    a late one back to the evening."""
    local = due.astimezone(tz)
    if local.time() < rules.day_start:
        start = _local(local.date(), rules.day_start, tz)
        if start <= milestone_at - timedelta(minutes=30):
            return start
        return _local(local.date() - timedelta(days=1), rules.day_end, tz)
    if local.time() > rules.day_end:
        return _local(local.date(), rules.day_end, tz)
    return due


def by_day(at: datetime, rules: ReminderRules, tz: ZoneInfo) -> datetime:
    """``at``, or when that is at night the next moment the bot writes (a notice that follows a
    deadline of 23:59 goes the next morning)."""
    local = at.astimezone(tz)
    if local.time() < rules.day_start:
        return _local(local.date(), rules.day_start, tz)
    if local.time() > rules.day_end:
        return _local(local.date() + timedelta(days=1), rules.day_start, tz)
    return at


def to_working_day(due: datetime, *, now: datetime, tz: ZoneInfo, days: WorkingDays | None) -> datetime:
    """A time on a day off moved to the working day before at the same hour, unless that
    has passed (then it stays)."""
    if days is None:
        return due
    local = due.astimezone(tz)
    moved = datetime.combine(days.before(local.date()), local.timetz())
    return moved if moved > now else due


def plan(*, at: datetime, meeting: bool, now: datetime, tz: ZoneInfo, rules: ReminderRules,
         days: WorkingDays | None = None) -> list[Planned]:
    """The reminders still ahead for a milestone at ``at``. A day-based one that falls on a
    day off (``days``) goes on the working day before; a meeting's reminders of its own day
    stay, the meeting being held that day."""
    local_at = at.astimezone(tz)
    planned: list[Planned] = []
    for count in rules.days_before:
        due = _daytime(_local(local_at.date() - timedelta(days=count), rules.hour, tz), at, rules, tz)
        moved = to_working_day(due, now=now, tz=tz, days=days)
        planned.append(Planned(moved, f"{count}d", due if moved != due else None))
    if meeting:
        for hours in rules.hours_before_meeting:
            planned.append(Planned(_daytime(at - timedelta(hours=hours), at, rules, tz), f"{hours}h"))
        morning = _local(local_at.date(), rules.morning, tz)
        if morning < at:
            planned.append(Planned(morning, "morning"))
    seen: set[datetime] = set()
    result = []
    for item in sorted(planned, key=lambda p: p.due_at):
        if now < item.due_at < at and item.due_at not in seen:
            seen.add(item.due_at)
            result.append(item)
    return result


def still_worth_sending(*, due_at: datetime, milestone_at: datetime, now: datetime, grace: timedelta) -> bool:
    """A reminder that fell due while the bot was down goes out if the milestone is still
    ahead and it is not too late; otherwise it is dropped and recorded as missed."""
    return now < milestone_at and now - due_at <= grace


def superseded(pending: list[tuple[int, int, datetime]]) -> set[int]:
    """Of reminders due and not yet started, given as (id, milestone id, due at), those a
    later one of the same milestone replaces: a bot down through 07:30 and 12:00 sends the
    12:00 one only, rather than two reminders of one meeting in a row."""
    latest: dict[int, tuple[datetime, int]] = {}
    for reminder_id, milestone_id, due_at in pending:
        latest[milestone_id] = max(latest.get(milestone_id, (due_at, reminder_id)), (due_at, reminder_id))
    return {reminder_id for reminder_id, milestone_id, due_at in pending
            if (due_at, reminder_id) != latest[milestone_id]}


@dataclass(frozen=True)
class TimeLeft:
    """How long until a milestone, as a reminder says it at the moment it is sent: whole
    local calendar days when a day or more is left, else minutes (rounded to the nearest)."""

    days: int = 0
    minutes: int = 0
    meeting: bool = False

    @property
    def soon(self) -> bool:
        """Less than ten minutes (or none) left: «sắp bắt đầu» / «sắp đến hạn»."""
        return self.days == 0 and self.minutes < SOON_MINUTES

    @property
    def hours(self) -> int:
        return self.minutes // 60

    @property
    def rest_minutes(self) -> int:
        return self.minutes % 60


SOON_MINUTES = 10


def time_left(*, now: datetime, at: datetime, tz: ZoneInfo, meeting: bool) -> TimeLeft:
    """The real time left from ``now`` (when the reminder is actually sent, however late)
    until the milestone at ``at``, never the lead time the reminder was planned with."""
    delta = at - now
    if delta >= timedelta(hours=24):
        days = (at.astimezone(tz).date() - now.astimezone(tz).date()).days
        return TimeLeft(days=max(days, 1), meeting=meeting)
    minutes = max(0, round(delta.total_seconds() / 60))
    return TimeLeft(minutes=minutes, meeting=meeting)
