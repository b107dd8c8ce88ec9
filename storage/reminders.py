"""Reminder rows and their deliveries: the truth about what was, and will be, sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from domain.reminders import Planned
from storage.models import Milestone, Reminder, ReminderDelivery

PENDING, CLAIMED, SENT, MISSED, CANCELLED = "pending", "claimed", "sent", "missed", "cancelled"
# A recipient's delivery: pending -> sending (committed before the message) -> sent | unreachable;
# left sending by a crash -> unsure (never sent again).
SENDING, UNREACHABLE, UNSURE = "sending", "unreachable", "unsure"
# Why a reminder ended as it did (``reminder.note``): codes, named in Vietnamese by the yearly
# export (templates/documents/year_export.toml [reminder_notes], which also names the English
# sentences rows written before these codes hold).
NOTE_CLOSED = "closed"  # the deadline's work (closing the ballot) was done
NOTE_TOO_LATE = "too_late"  # fell due while the bot was not running; too late to send
NOTE_NOTHING_OWED = "nothing_owed"  # no unit owed anything: nothing to send
NOTE_ROLLOVER = "rollover"  # the bloc moved to the next year before it fell due
NOTE_SUPERSEDED = "superseded"  # a later reminder of the same milestone fell due too: that one went
NOTE_DOSSIER_SENT = "dossier_sent"  # the bloc's dossier reached the province before it fell due
NOTE_NOBODY_REACHABLE = "nobody_reachable"  # no secretary of the bloc the bot may write to
NOTE_TOLD_TOGETHER = "told_together"  # the province's officers heard of every late bloc in one notice
NOTE_NO_GROUP = "no_group"  # the province has no officers' group to tell (its board shows who is late)


def replan(*, session: Session, milestone: Milestone, planned: list[Planned]) -> list[Reminder]:
    """Cancel the milestone's reminders not yet sent and plan new ones (after a move)."""
    cancel(session=session, milestone_id=milestone.id)
    rows = [Reminder(bloc_id=milestone.bloc_id, milestone_id=milestone.id, due_at=p.due_at, label=p.label,
                     moved_from=p.moved_from) for p in planned]
    session.add_all(rows)
    session.flush()
    return rows


def cancel(*, session: Session, milestone_id: int) -> int:
    result = session.execute(update(Reminder).where(
        Reminder.milestone_id == milestone_id, Reminder.status == PENDING).values(status=CANCELLED))
    return result.rowcount


def pending(*, session: Session) -> list[Reminder]:
    return list(session.exec(select(Reminder).where(Reminder.status == PENDING).order_by(Reminder.due_at)))


def pending_of(*, session: Session, milestone_id: int) -> list[Reminder]:
    return list(session.exec(select(Reminder).where(Reminder.milestone_id == milestone_id, Reminder.status == PENDING)
                             .order_by(Reminder.due_at)))


def pending_of_bloc(*, session: Session, bloc_id: int) -> list[Reminder]:
    return list(session.exec(select(Reminder).where(Reminder.bloc_id == bloc_id, Reminder.status == PENDING)
                             .order_by(Reminder.due_at)))


def moved(*, session: Session, bloc_id: int) -> list[Reminder]:
    """The bloc's reminders still to go that were moved off a day off, in time order."""
    return list(session.exec(select(Reminder).where(
        Reminder.bloc_id == bloc_id, Reminder.status == PENDING, col(Reminder.moved_from).is_not(None))
        .order_by(Reminder.due_at, Reminder.id)))


def due(*, session: Session, now: datetime) -> list[Reminder]:
    """Pending reminders that fell due, and claimed ones a crash left unfinished."""
    return list(session.exec(select(Reminder).where(
        ((Reminder.status == PENDING) & (Reminder.due_at <= now)) | (Reminder.status == CLAIMED))
        .order_by(Reminder.due_at, Reminder.id)))


def due_of(*, session: Session, milestone_ids: list[int], label: str, now: datetime) -> list[Reminder]:
    """These milestones' pending reminders of one label that fell due."""
    if not milestone_ids:
        return []
    return list(session.exec(select(Reminder).where(
        col(Reminder.milestone_id).in_(milestone_ids), Reminder.label == label, Reminder.status == PENDING,
        Reminder.due_at <= now).order_by(Reminder.id)))


def claim(*, session: Session, reminder_id: int, now: datetime) -> bool:
    """Take a pending reminder for sending; only one taker ever succeeds."""
    result = session.execute(update(Reminder).where(Reminder.id == reminder_id, Reminder.status == PENDING)
                             .values(status=CLAIMED, claimed_at=now))
    return result.rowcount == 1


def finish(*, session: Session, reminder_id: int, status: str, now: datetime, note: str = "") -> None:
    session.execute(update(Reminder).where(Reminder.id == reminder_id).values(status=status, done_at=now, note=note))


def add_recipients(*, session: Session, reminder_id: int, chat_ids: list[int]) -> None:
    """Record who the reminder goes to; recipients already recorded are kept as they are."""
    known = set(session.exec(select(ReminderDelivery.chat_id).where(ReminderDelivery.reminder_id == reminder_id)))
    session.add_all([ReminderDelivery(reminder_id=reminder_id, chat_id=c) for c in dict.fromkeys(chat_ids)
                     if c not in known])


def deliveries(*, session: Session, reminder_id: int) -> list[ReminderDelivery]:
    return list(session.exec(select(ReminderDelivery).where(ReminderDelivery.reminder_id == reminder_id)
                             .order_by(ReminderDelivery.id)))


def mark(*, session: Session, delivery_id: int, status: str, now: datetime) -> None:
    session.execute(update(ReminderDelivery).where(ReminderDelivery.id == delivery_id)
                    .values(status=status, done_at=now))


