"""The engine and sessions.

Sessions are short and never span an ``await``: a handler reads and writes inside
``with db.session() as s:`` (committed on exit, rolled back on error) and talks to
Telegram afterwards. That keeps SQLite's single writer free while the bot waits on
the network, and a job and a handler never wait on each other's transactions.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlmodel import Session, create_engine


def normalise_url(url: str) -> str:
    """Accept plain postgresql:// URLs and use the psycopg 3 driver for them."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 15})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            # Deleted rows (a ballot draft once counted) are overwritten, not left in free pages.
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


class Database:
    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        self.engine = make_engine(self.url)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """A transaction on a plain connection, for Core statements (storage/core.py): the
        paths that run on every update use it, since a Session costs more to open and commit.
        Same rules as a session: short, never across an ``await``; committed on exit, rolled
        back on error."""
        with self.engine.begin() as connection:
            yield connection

    @contextmanager
    def session_on(self, connection: Connection) -> Iterator[Session]:
        """An ORM session inside a ``connection()``'s transaction, for a path on Core statements
        that must also read through the ORM in the same transaction (it commits nothing: the
        connection's block does)."""
        with Session(bind=connection, expire_on_commit=False) as session:
            yield session
            session.flush()

    def scrub(self, *tables: str) -> None:
        """After rows that held secrets are deleted (the sealed ballots, at a vote's close):
        SQLite writes its log back and truncates it, so no old page stays in the -wal file
        (deleted rows are already overwritten: secure_delete); PostgreSQL vacuums the tables,
        so their dead row versions go. Outside any transaction."""
        if self.url.startswith("sqlite"):
            with self.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM " + ", ".join(tables))

    def dispose(self) -> None:
        self.engine.dispose()
