"""Counting the transactions one action opens, as an auditor of the "one action, one
transaction" rule would: every transaction the bot's engine begins while the block runs,
with the statements it ran. Bookkeeping every update does whatever it is (remembering the
sender, the processed-update mark) is its own transaction by design and is set apart, so a
test reads only what the action itself opened."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import event
from sqlalchemy.engine import Engine

# Tables only the per-update bookkeeping writes (handlers/bookkeeping.py, khoibot/updates.py).
BOOKKEEPING = {"tg_user", "processed_update", "chat_member"}
_TABLE = re.compile(r'\b(?:FROM|INTO|UPDATE|JOIN)\s+"?([a-z_]+)"?', re.IGNORECASE)


@dataclass
class Transaction:
    statements: list[str] = field(default_factory=list)

    @property
    def tables(self) -> set[str]:
        return {t.lower() for s in self.statements for t in _TABLE.findall(s)}

    @property
    def writes(self) -> bool:
        return any(s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")) for s in self.statements)

    @property
    def bookkeeping(self) -> bool:
        return bool(self.tables) and self.tables <= BOOKKEEPING


@dataclass
class Record:
    transactions: list[Transaction] = field(default_factory=list)

    @property
    def of_the_action(self) -> list[Transaction]:
        """What the action opened: every transaction but the per-update bookkeeping (and
        the empty ones a connection's reset may show)."""
        return [t for t in self.transactions if t.statements and not t.bookkeeping]


@contextmanager
def transactions(engine: Engine) -> Iterator[Record]:
    """Record every transaction ``engine`` begins inside the block."""
    record = Record()
    current: dict[int, Transaction] = {}

    def begin(connection) -> None:
        current[id(connection)] = tx = Transaction()
        record.transactions.append(tx)

    def before(connection, cursor, statement, parameters, context, executemany) -> None:
        tx = current.get(id(connection))
        if tx is None:  # autocommit statements (PRAGMA, VACUUM) outside any begin
            tx = current[id(connection)] = Transaction()
            record.transactions.append(tx)
        tx.statements.append(statement)

    def end(connection) -> None:
        current.pop(id(connection), None)

    event.listen(engine, "begin", begin)
    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "commit", end)
    event.listen(engine, "rollback", end)
    try:
        yield record
    finally:
        event.remove(engine, "begin", begin)
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "commit", end)
        event.remove(engine, "rollback", end)
