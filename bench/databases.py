"""Where benchmarks put their databases: a SQLite file, or a schema of their own on the
PostgreSQL server (dropped afterwards), as tests/conftest.py does."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from storage.db import normalise_url

POSTGRES = os.environ.get("KHOIBOT_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
WORK = Path(os.environ.get("KHOIBOT_BENCH_DIR", "/tmp/khoibot-bench"))


def postgres_answers(url: str = POSTGRES) -> bool:
    try:
        engine = create_engine(normalise_url(url), connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:  # noqa: BLE001 - any failure means: no PostgreSQL to measure
        return False


@contextlib.contextmanager
def sqlite_file(name: str) -> Iterator[str]:
    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / name
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    yield f"sqlite:///{path}"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


@contextlib.contextmanager
def postgres_schema(prefix: str = "bench", url: str = POSTGRES) -> Iterator[str]:
    base = normalise_url(url)
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield make_url(base).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextlib.contextmanager
def database(backend: str, name: str) -> Iterator[str]:
    if backend == "sqlite":
        with sqlite_file(f"{name}.sqlite3") as url:
            yield url
    else:
        with postgres_schema(name) as url:
            yield url
