"""The reminders' decisions: who still owes what before a milestone, and what the reminder
job does with each due reminder. Nothing here sends: the job (handlers/reminders.py) sends
between the short transactions these functions run in, so that what was sent is known
after any crash (a reminder claimed before anything goes, each recipient marked ``sending``
before its message and ``sent`` after; one left ``sending`` is recorded ``unsure``, never
sent again)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

from sqlmodel import Session

from domain.milestones import DUTIES, MEETINGS, Duty, Kind, owed
from domain.reminders import ReminderRules, still_worth_sending, superseded
from storage import registrations, reminders, reports, roster, votes
from storage.models import Bloc, Milestone, Reminder, TgUser, Unit
from storage.users import reachable

# A milestone kind's "close" row: not a message, the milestone's end (closing the ballot).
CLOSE = "close"
# The row that follows a province's dossier deadline: its officers told which blocs are late.
LATE = "late"
# The bloc's reminder rules for its reminder hour (None: the configured one).
RulesOf = Callable[[int | None], ReminderRules]
# A milestone kind whose reminders another service decides (services/dossier_due.py): given the
# due reminder, its milestone and bloc (checked: active), it claims the reminder and answers.
OwnTake = Callable[[Reminder, Milestone, Bloc], object]


class Owing(NamedTuple):
    """A unit that owes something before a milestone, and the people who act for it (a
    tuple, as the templates unpack it)."""

    unit: Unit
    duties: list[Duty]
    people: list[TgUser]


def owing(session: Session, bloc: Bloc, milestone: Milestone) -> list[Owing]:
    """The bloc's units that still owe what ``milestone`` asks, in roster order."""
    kind = Kind(milestone.kind)
    units = roster.active_units(session=session, bloc_id=bloc.id)
    people = roster.representatives(session=session, bloc_id=bloc.id)
    current = registrations.current(session=session, bloc_id=bloc.id, year=bloc.year)
    signed = registrations.covenants(session=session, bloc_id=bloc.id, year=bloc.year)
    sent = reports.periods_sent(session=session, bloc_id=bloc.id, year=bloc.year)
    # Units issued a ballot that have not cast it (a unit added after voting opened has none).
    ballot_owed = votes.not_voted(session=session, bloc=bloc) if kind is Kind.BALLOT_DEADLINE else set()
    found = []
    for unit in units:
        registration = current.get(unit.id)
        duties = owed(kind, registered=registration is not None and not registration.withdrawn,
                      signed=unit.id in signed, periods_sent=sent.get(unit.id, set()),
                      voted=unit.id not in ballot_owed)
        if duties:
            found.append(Owing(unit, duties, people.get(unit.id, [])))
    return found


class Skip(StrEnum):
    """Why a due reminder is not sent (recorded so, except TAKEN)."""

    SUPERSEDED = "superseded"  # a later one of the same milestone fell due too
    CANCELLED = "cancelled"  # its milestone or bloc is gone, or was cancelled
    TOO_LATE = "too_late"  # fell due while the bot was down; too late now
    NOTHING_OWED = "nothing_owed"
    TAKEN = "taken"  # another run claimed or finished it


@dataclass(frozen=True)
class Skipped:
    reminder_id: int
    why: Skip
    bloc_id: int | None = None


@dataclass(frozen=True)
class Close:
    """The milestone's end is due (closing the ballot at its deadline), claimed."""

    reminder: Reminder
    milestone: Milestone


class Direct(NamedTuple):
    """A DM: one representative of a unit that owes something."""

    unit: Unit
    duties: list[Duty]
    person: TgUser


@dataclass(frozen=True)
class Delivery:
    id: int
    status: str  # pending: still to send; sent, unreachable, unsure: not again


@dataclass(frozen=True)
class Send:
    """A claimed reminder with its recipients recorded: the DMs, then the group."""

    reminder: Reminder
    milestone: Milestone
    bloc: Bloc
    owing: list[Owing]
    direct: list[Direct]
    deliveries: dict[int, Delivery]  # chat id → its delivery (a person once, however many units)
    unsure: list[int]  # chat ids a crash left "sending": recorded unsure now


def due(session: Session, *, now: datetime) -> list[int]:
    """The reminders to work on now, in order: pending ones that fell due and claimed ones a
    crash left unfinished; of several due for one milestone, the latest goes and the others
    are recorded missed (superseded) here."""
    rows = reminders.due(session=session, now=now)
    replaced = superseded([(r.id, r.milestone_id, r.due_at) for r in rows
                           if r.status == reminders.PENDING and r.label not in (CLOSE, LATE)])
    for reminder_id in replaced:
        reminders.finish(session=session, reminder_id=reminder_id, status=reminders.MISSED, now=now,
                         note=reminders.NOTE_SUPERSEDED)
    return [r.id for r in rows if r.id not in replaced]


def take(session: Session, *, reminder_id: int, now: datetime, rules_of: RulesOf,
         own: dict[str, OwnTake] | None = None) -> Send | Close | Skipped | object:
    """Decide what becomes of one due reminder and claim it, in one transaction: dropped when
    its milestone is gone or too late, the milestone's end when it is a close row, else a
    message to the units that still owe something (none owed, nothing sent) with its
    recipients recorded. A kind in ``own`` is decided there."""
    reminder = session.get(Reminder, reminder_id, populate_existing=True)
    if reminder is None or reminder.status not in (reminders.PENDING, reminders.CLAIMED):
        return Skipped(reminder_id, Skip.TAKEN)
    milestone = session.get(Milestone, reminder.milestone_id)
    bloc = session.get(Bloc, reminder.bloc_id)
    if milestone is None or bloc is None or milestone.cancelled_at is not None:
        reminders.finish(session=session, reminder_id=reminder.id, status=reminders.CANCELLED, now=now)
        return Skipped(reminder_id, Skip.CANCELLED)
    if own and milestone.kind in own:
        return own[milestone.kind](reminder, milestone, bloc)
    pending = reminder.status == reminders.PENDING
    if reminder.label == CLOSE:
        # Done however late.
        if pending and not reminders.claim(session=session, reminder_id=reminder.id, now=now):
            return Skipped(reminder_id, Skip.TAKEN)
        return Close(reminder, milestone)
    if not still_worth_sending(due_at=reminder.due_at if pending else now, milestone_at=milestone.at, now=now,
                               grace=rules_of(bloc.reminder_hour).grace):
        reminders.finish(session=session, reminder_id=reminder.id, status=reminders.MISSED, now=now,
                         note=reminders.NOTE_TOO_LATE)
        return Skipped(reminder_id, Skip.TOO_LATE, bloc.id)
    if pending and not reminders.claim(session=session, reminder_id=reminder.id, now=now):
        return Skipped(reminder_id, Skip.TAKEN)
    kind = Kind(milestone.kind)
    units = owing(session, bloc, milestone)
    if DUTIES[kind] and not units and kind not in MEETINGS:
        reminders.finish(session=session, reminder_id=reminder.id, status=reminders.SENT, now=now,
                         note=reminders.NOTE_NOTHING_OWED)
        return Skipped(reminder_id, Skip.NOTHING_OWED, bloc.id)
    direct = [Direct(o.unit, o.duties, person) for o in units for person in o.people if reachable(person)]
    deliveries, unsure = record_recipients(session, reminder_id=reminder.id,
                                           chat_ids=[d.person.id for d in direct] + [bloc.chat_id], now=now)
    return Send(reminder, milestone, bloc, units, direct, deliveries, unsure)


def record_recipients(session: Session, *, reminder_id: int, chat_ids: list[int], now: datetime
                      ) -> tuple[dict[int, Delivery], list[int]]:
    """The claimed reminder's recipients recorded (those recorded already kept): chat id → its
    delivery, and the chats a crash left ``sending``, recorded unsure now."""
    reminders.add_recipients(session=session, reminder_id=reminder_id, chat_ids=chat_ids)
    recorded = reminders.deliveries(session=session, reminder_id=reminder_id)
    unsure = []
    for delivery in recorded:
        if delivery.status == reminders.SENDING:
            # Being sent when the bot died: it may have gone out, and Telegram offers no way to
            # ask, so it is not sent again (at most once) but recorded unsure.
            reminders.mark(session=session, delivery_id=delivery.id, status=reminders.UNSURE, now=now)
            delivery.status = reminders.UNSURE
            unsure.append(delivery.chat_id)
    return {d.chat_id: Delivery(d.id, d.status) for d in recorded}, unsure


def sending(session: Session, *, delivery_id: int, now: datetime) -> None:
    """Committed before the message goes."""
    reminders.mark(session=session, delivery_id=delivery_id, status=reminders.SENDING, now=now)


def sent(session: Session, *, delivery_id: int, reached: bool, now: datetime) -> str:
    """After the message: sent, or the chat could not be reached; the status recorded."""
    status = reminders.SENT if reached else reminders.UNREACHABLE
    reminders.mark(session=session, delivery_id=delivery_id, status=status, now=now)
    return status


def not_sent(session: Session, *, delivery_id: int, now: datetime) -> None:
    """A send that failed while the bot lives: the recipient is pending again."""
    reminders.mark(session=session, delivery_id=delivery_id, status=reminders.PENDING, now=now)


def finished(session: Session, *, reminder_id: int, now: datetime, closed: bool = False) -> None:
    """Every recipient was dealt with (or the milestone's end done)."""
    reminders.finish(session=session, reminder_id=reminder_id, status=reminders.SENT, now=now,
                     note=reminders.NOTE_CLOSED if closed else "")
