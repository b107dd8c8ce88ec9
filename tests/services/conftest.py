"""The service tests' database: the test's own (SQLite, and PostgreSQL when configured), migrated."""

from __future__ import annotations

import pytest

from storage.db import Database
from storage.migrate import upgrade


@pytest.fixture
def db(database_url):
    database = Database(database_url)
    upgrade(database.engine)
    yield database
    database.dispose()
