"""What the scheduler's alarm (khoibot/scheduler.set_alarm) reads around an action, set apart
when a test counts the action's own transactions (tests/transactions.py): woken after a change
of reminders, it reads the earliest pending one to set its timer, a unit of work of its own."""

from __future__ import annotations

from tests.transactions import Record, Transaction


def of_the_action(record: Record) -> list[Transaction]:
    """The transactions the action itself opened (not the alarm's read after it)."""
    return [t for t in record.of_the_action if not _alarm(t)]


def _alarm(transaction: Transaction) -> bool:
    return transaction.tables == {"reminder"} and not transaction.writes
