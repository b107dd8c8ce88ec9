"""What someone holding a copy of the database's files can read: the SQLite file and its
write-ahead log rebuilt as of every commit the log still holds, and PostgreSQL's row versions,
live and dead, read from the raw pages (pageinspect). Used by tests/test_ballot_secrecy.py."""

from __future__ import annotations

import re
import sqlite3
import struct
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text

# A choice as it reads when written in the clear: a line's code beside a list of unit ids
# ({"CO_TINH": [3]} was a draft's JSON before ballots were sealed).
CLEAR_CHOICE = re.compile(rb'"(CO_CP|CO_TINH|BK_UBND|LEAD|DEPUTY)"\s*:\s*\[')


@dataclass(frozen=True)
class Snapshot:
    """The ballot tables as of one commit."""

    cast: frozenset[int]  # units marked as having voted
    counts: tuple  # (code, unit id, votes, returned), sorted
    drafts: tuple[str, ...]  # what ballot_draft rows hold of the choices
    sealed: tuple[str, ...]


def sqlite_commits(db_path: Path) -> list[bytes]:
    """The database file as of each commit in its -wal file, oldest first (frames of the
    log's current generation, applied in order over the main file)."""
    main = db_path.read_bytes() if db_path.exists() else b""
    wal_path = Path(f"{db_path}-wal")
    wal = wal_path.read_bytes() if wal_path.exists() else b""
    images = [main] if main else []
    if len(wal) < 32:
        return images
    page_size, _, salt1, salt2 = struct.unpack(">IIII", wal[8:24])
    image = bytearray(main)
    offset = 32
    while offset + 24 + page_size <= len(wal):
        page_no, commit, s1, s2 = struct.unpack(">IIII", wal[offset:offset + 16])
        if (s1, s2) != (salt1, salt2):
            break  # frames of an earlier generation: still read as bytes by raw_bytes()
        start = (page_no - 1) * page_size
        if len(image) < start + page_size:
            image.extend(b"\0" * (start + page_size - len(image)))
        image[start:start + page_size] = wal[offset + 24:offset + 24 + page_size]
        if commit:
            del image[commit * page_size:]
            images.append(bytes(image))
        offset += 24 + page_size
    return images


def raw_bytes(db_path: Path) -> bytes:
    """Every byte of the database's files: the main file, the log and its index."""
    return b"".join(p.read_bytes() for p in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm"))
                    if p.exists())


def read_snapshot(image: bytes, scratch: Path) -> Snapshot | None:
    if len(image) < 100:
        return None
    data = bytearray(image)
    data[18] = data[19] = 1  # read it as a plain file, without a log of its own
    scratch.write_bytes(bytes(data))
    connection = sqlite3.connect(f"file:{scratch}?mode=ro&immutable=1", uri=True)
    try:
        tables = {name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"ballot_cast", "vote_count", "ballot_draft", "sealed_ballot"} <= tables:
            return None
        return Snapshot(
            cast=frozenset(u for (u,) in connection.execute("SELECT unit_id FROM ballot_cast")),
            counts=tuple(sorted(connection.execute("SELECT code, unit_id, votes, returned FROM vote_count"))),
            drafts=tuple(s for (s,) in connection.execute("SELECT sealed FROM ballot_draft")),
            sealed=tuple(s for (s,) in connection.execute("SELECT sealed FROM sealed_ballot")))
    except sqlite3.DatabaseError:
        return None  # a commit caught mid-schema-change reads as garbage: nothing to learn
    finally:
        connection.close()


def links(snapshots: list[Snapshot]) -> list[str]:
    """Every way the commits line a unit up with what it chose: a commit that adds a unit to
    the turnout and changes the counts with it; a draft or sealed ballot in the clear."""
    found = []
    for before, after in zip(snapshots, snapshots[1:]):
        # (A commit older than the main file's checkpoint, replayed over it, may read as a
        # turnout that shrinks: a mixed image, not a step anyone took.)
        if after.cast > before.cast and after.counts != before.counts:
            found.append(f"counts changed with the turnout of {sorted(after.cast - before.cast)}")
    for snapshot in snapshots:
        if snapshot.sealed and any(votes for _, _, votes, _ in snapshot.counts):
            found.append("counts visible while ballots are still sealed")
        for held in (*snapshot.drafts, *snapshot.sealed):
            if CLEAR_CHOICE.search(held.encode()) or "[" in held:
                found.append(f"a choice in the clear: {held[:60]}")
    return found


def postgres_row_versions(url: str, schema: str, tables: list[str]) -> dict[str, list[tuple[int, bytes]]] | None:
    """(xmin, raw tuple bytes) of every row version on the tables' pages, dead ones too; None
    when the pageinspect extension cannot be had."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            try:
                connection.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect SCHEMA public"))
            except Exception:
                return None
        versions: dict[str, list[tuple[int, bytes]]] = {}
        with engine.begin() as connection:
            block = connection.execute(text("SELECT current_setting('block_size')::int")).scalar()
            for table in tables:
                name = f'"{schema}".{table}'
                size = connection.execute(text("SELECT pg_relation_size(CAST(:n AS regclass))"), {"n": name}).scalar()
                rows = []
                for page in range(size // block):
                    rows += [(int(x), bytes(d or b"")) for x, d in connection.execute(text(
                        "SELECT t_xmin, t_data FROM public.heap_page_items(public.get_raw_page(:n, :p))"),
                        {"n": name, "p": page})]
                versions[table] = rows
        return versions
    finally:
        engine.dispose()
