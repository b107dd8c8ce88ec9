"""Persistence: SQLModel tables, the engine and sessions, migrations, and the queries."""
