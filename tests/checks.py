"""What the shared decorators and the reply router read or write around an action, set apart
when a test counts the action's own transactions (tests/transactions.py): ``group_button`` and
``group_command`` read the chat's bloc, the pinned board and the listed secretary each in a
short read of their own, and handlers/replies.py looks the question up and marks it answered."""

from __future__ import annotations

from tests.transactions import Record, Transaction

AROUND = {"bloc", "status_board", "role", "pending_reply"}


def of_the_action(record: Record) -> list[Transaction]:
    """The transactions the action itself opened (not the checks and questions around it)."""
    return [t for t in record.of_the_action if not t.tables <= AROUND]
