"""The province's dossier deadline (issue 18): a milestone of each bloc of a configured province
with a ``dossier_due``, written by the bot from the configuration (never typed), and its
reminders: before it, a DM to each reachable secretary of a bloc whose dossier for the year
is not in; after it, one notice to the province's officers' group naming the late blocs.

The reminders are rows like any other (storage/reminders.py: claimed before anything goes,
each recipient marked), taken here instead of services/reminders.take's units-owe-duties path.
Each function runs in the caller's transaction; nothing here sends."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from domain.milestones import Kind
from domain.province_checks import dossier_due_at
from domain.provinces import Naming, Province, Provinces
from domain.reminders import ReminderRules, still_worth_sending
from services.milestones import replan, working_days
from services.province import blocs_of
from services.reminders import LATE, Delivery, Skip, Skipped, record_recipients
from storage import milestones, reminders, roles
from storage import provinces as store
from storage.models import Bloc, Milestone, Reminder, TgUser
from storage.users import reachable

KIND = Kind.DOSSIER_DUE.value
# Milestone.created_by of a deadline the configuration set: nobody typed it (the yearly export
# names it «Bot (tự động)»).
BY_CONFIGURATION = 0
RulesOf = Callable[[int | None], ReminderRules]


# ---- the milestone, kept as the configuration says -------------------------------------------

def due_of(provinces: Provinces, bloc: Bloc, tz: ZoneInfo) -> datetime | None:
    """When the bloc's dossier of its year is due: its configured province's date, that year."""
    province = provinces.find(bloc.province)
    return dossier_due_at(province.dossier_due, bloc.year, tz) if province is not None else None


def follow(session: Session, provinces: Provinces, bloc: Bloc, *, now: datetime, tz: ZoneInfo, rules_of: RulesOf,
           current: Milestone | None = None, looked: bool = False) -> bool:
    """The bloc's province deadline for its year set, moved or cancelled as the configuration
    says (and its reminders planned anew); whether anything changed. Idempotent."""
    at = due_of(provinces, bloc, tz)
    if not looked:
        current = milestones.active(session=session, bloc=bloc, kind=KIND)
    if at is None:
        if current is None:
            return False
        milestones.cancel(session=session, milestone=current, by=None, now=now)
        reminders.cancel(session=session, milestone_id=current.id)
        return True
    if current is not None and current.at == at:
        return False
    milestone = milestones.set_milestone(session=session, bloc=bloc, kind=KIND, at=at, by=BY_CONFIGURATION, now=now)
    session.flush()
    replan(session, bloc, milestone, now=now, tz=tz, rules=rules_of(bloc.reminder_hour),
           days=working_days(bloc, provinces))
    return True


def follow_all(session: Session, provinces: Provinces, *, now: datetime, tz: ZoneInfo, rules_of: RulesOf) -> int:
    """At start: every bloc's province deadline as the configuration says now; how many changed."""
    found = {(m.bloc_id, m.year): m for m in session.exec(
        select(Milestone).where(Milestone.kind == KIND, col(Milestone.cancelled_at).is_(None)).order_by(Milestone.id))}
    changed = 0
    for bloc in store.all_blocs(session=session):
        current = found.get((bloc.id, bloc.year))
        if current is None and provinces.find(bloc.province) is None:
            continue
        changed += follow(session, provinces, bloc, now=now, tz=tz, rules_of=rules_of, current=current, looked=True)
    return changed


# ---- its reminders ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Remind:
    """A claimed reminder before the deadline: a DM to each reachable secretary."""

    reminder: Reminder
    milestone: Milestone
    bloc: Bloc
    naming: Naming
    listed: bool  # the bloc's list (and documents) is made: the button is under it
    people: list[TgUser]
    deliveries: dict[int, Delivery]
    unsure: list[int]


@dataclass(frozen=True)
class Late:
    """The claimed notice after the deadline: the province's officers' group told the late blocs."""

    reminder: Reminder
    milestone: Milestone
    naming: Naming
    late: list[Bloc]
    chat_id: int
    deliveries: dict[int, Delivery]
    unsure: list[int]


def take(session: Session, provinces: Provinces, *, reminder: Reminder, milestone: Milestone, bloc: Bloc,
         now: datetime, rules: ReminderRules) -> Remind | Late | Skipped:
    """Decide one due reminder of a province deadline and claim it (services/reminders.take
    has checked the milestone is active)."""
    province = provinces.find(bloc.province)
    if province is None:
        reminders.finish(session=session, reminder_id=reminder.id, status=reminders.CANCELLED, now=now)
        return Skipped(reminder.id, Skip.CANCELLED, bloc.id)
    if reminder.label == LATE:
        return _take_late(session, province, reminder, milestone, now=now, rules=rules)
    pending = reminder.status == reminders.PENDING
    if not still_worth_sending(due_at=reminder.due_at if pending else now, milestone_at=milestone.at, now=now,
                               grace=rules.grace):
        reminders.finish(session=session, reminder_id=reminder.id, status=reminders.MISSED, now=now,
                         note=reminders.NOTE_TOO_LATE)
        return Skipped(reminder.id, Skip.TOO_LATE, bloc.id)
    if store.dossiers(session=session, bloc_ids=[bloc.id], year=milestone.year).get(bloc.id):
        reminders.finish(session=session, reminder_id=reminder.id, status=reminders.CANCELLED, now=now,
                         note=reminders.NOTE_DOSSIER_SENT)
        return Skipped(reminder.id, Skip.NOTHING_OWED, bloc.id)
    if pending and not reminders.claim(session=session, reminder_id=reminder.id, now=now):
        return Skipped(reminder.id, Skip.TAKEN)
    people = [user for _, user in roles.secretaries(session=session, bloc=bloc, year=milestone.year)
              if reachable(user)]
    people = list({user.id: user for user in people}.values())
    if not people:
        reminders.finish(session=session, reminder_id=reminder.id, status=reminders.SENT, now=now,
                         note=reminders.NOTE_NOBODY_REACHABLE)
        return Skipped(reminder.id, Skip.NOTHING_OWED, bloc.id)
    deliveries, unsure = record_recipients(session, reminder_id=reminder.id, chat_ids=[p.id for p in people], now=now)
    listed = bloc.id in store.listed(session=session, bloc_ids=[bloc.id], year=milestone.year)
    return Remind(reminder, milestone, bloc, province.in_year(milestone.year), listed, people, deliveries, unsure)


def _take_late(session: Session, province: Province, reminder: Reminder, milestone: Milestone, *, now: datetime,
               rules: ReminderRules) -> Late | Skipped:
    """One notice for the province: the first of its blocs' rows to be taken tells of every late
    bloc; the others' rows, due too, are finished with it (told together)."""
    pending = reminder.status == reminders.PENDING
    if pending and now - reminder.due_at > rules.grace:
        reminders.finish(session=session, reminder_id=reminder.id, status=reminders.MISSED, now=now,
                         note=reminders.NOTE_TOO_LATE)
        return Skipped(reminder.id, Skip.TOO_LATE, reminder.bloc_id)
    if pending and not reminders.claim(session=session, reminder_id=reminder.id, now=now):
        return Skipped(reminder.id, Skip.TAKEN)
    blocs = blocs_of(session, province)
    due = {m.bloc_id: m for m in store.deadlines(session=session, bloc_ids=[b.id for b in blocs],
                                                 year=milestone.year, kind=KIND).values() if m.at == milestone.at}
    others = [m.id for m in due.values() if m.id != milestone.id]
    for sibling in reminders.due_of(session=session, milestone_ids=others, label=LATE, now=now):
        if reminders.claim(session=session, reminder_id=sibling.id, now=now):
            reminders.finish(session=session, reminder_id=sibling.id, status=reminders.SENT, now=now,
                             note=reminders.NOTE_TOLD_TOGETHER)
    sent = store.dossiers(session=session, bloc_ids=list(due), year=milestone.year)
    late = [b for b in blocs if b.id in due and not any(d.sent_at <= milestone.at for d in sent.get(b.id, []))]
    if not late:
        reminders.finish(session=session, reminder_id=reminder.id, status=reminders.SENT, now=now,
                         note=reminders.NOTE_NOTHING_OWED)
        return Skipped(reminder.id, Skip.NOTHING_OWED, reminder.bloc_id)
    group = store.group_of(session=session, province=province.code)
    if group is None:
        reminders.finish(session=session, reminder_id=reminder.id, status=reminders.SENT, now=now,
                         note=reminders.NOTE_NO_GROUP)
        return Skipped(reminder.id, Skip.NOTHING_OWED, reminder.bloc_id)
    deliveries, unsure = record_recipients(session, reminder_id=reminder.id, chat_ids=[group.chat_id], now=now)
    return Late(reminder, milestone, province.in_year(milestone.year), late, group.chat_id, deliveries, unsure)
