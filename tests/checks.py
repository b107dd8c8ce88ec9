"""What the shared decorators and the reply router read or write around an action, set apart
when a test counts the action's own transactions (tests/transactions.py): ``group_button`` and
``group_command`` read the chat's bloc, the pinned board and the listed secretary each in a
short read of their own, handlers/replies.py looks the question up and marks it answered, and
the scheduler's alarm (khoibot/scheduler.set_alarm), woken after a change of reminders, reads
the earliest pending one to set its timer."""

from __future__ import annotations

from tests.transactions import Record, Transaction

AROUND = {"bloc", "status_board", "role", "pending_reply"}


def of_the_action(record: Record) -> list[Transaction]:
    """The transactions the action itself opened (not the checks and questions around it)."""
    return [t for t in record.of_the_action if not t.tables <= AROUND and not _alarm(t)]


def _alarm(transaction: Transaction) -> bool:
    return transaction.tables == {"reminder"} and not transaction.writes
