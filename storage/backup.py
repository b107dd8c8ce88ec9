"""Keeping the records: a consistent copy of the database while the bot runs, and putting
one back.

SQLite: the online backup API copies the file page by page under SQLite's own locking, so
the copy is one consistent moment even while the bot writes (a plain file copy of a WAL
database is not). PostgreSQL: ``pg_dump`` is the tool (``khoibot db backup`` prints how).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url


class NotSQLite(Exception):
    """The database is not a SQLite file (PostgreSQL: use pg_dump / pg_restore)."""


def sqlite_path(url: str) -> Path:
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or not parsed.database or parsed.database == ":memory:":
        raise NotSQLite(url)
    return Path(parsed.database)


def backup(url: str, target: Path) -> int:
    """Copy the live database to ``target`` (a new file); returns its size in bytes."""
    source_path = sqlite_path(url)
    target = Path(target)
    if target.exists():
        raise FileExistsError(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy, pages=256)
        # One file that needs nothing beside it.
        copy.execute("PRAGMA journal_mode=DELETE")
        check = copy.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise RuntimeError(f"the copy failed its integrity check: {check}")
    finally:
        copy.close()
        source.close()
    return target.stat().st_size


def restore(url: str, copy_path: Path) -> None:
    """Put a copy back as the database (the bot must be stopped): page by page into the
    database file, so its WAL and locks stay consistent."""
    target_path = sqlite_path(url)
    copy = sqlite3.connect(f"file:{Path(copy_path)}?mode=ro", uri=True)
    target = sqlite3.connect(target_path)
    try:
        if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise RuntimeError(f"{copy_path} is not a sound SQLite database")
        copy.backup(target)
    finally:
        target.close()
        copy.close()
