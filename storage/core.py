"""SQLAlchemy Core helpers for the hot paths (every button press of a conversation).

The ORM's select, ``session.get`` and ``session.merge`` cost several times what the same
statement costs through Core (identity map, unit of work, loading machinery). The functions
that run on every update build Core statements instead and turn the rows into the same model
objects the rest of the code reads (detached, like objects of a closed session).
A Core statement runs the same on a ``Session`` (``session.execute``) and on a ``Connection``
(``Database.connection()``), so storage functions written this way accept either.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Table

M = TypeVar("M")


def table(model: type) -> Table:
    return model.__table__


def labelled(model: type, prefix: str) -> list:
    """The model's columns, labelled ``<prefix><column>`` so several tables fit in one row."""
    return [column.label(prefix + column.key) for column in table(model).columns]


def build(model: type[M], row: Any, prefix: str) -> M | None:
    """The model object from a row selected with ``labelled(model, prefix)``; None when the
    row's primary key is NULL (an outer join found nothing)."""
    mapping = row._mapping
    values = {column.key: mapping[prefix + column.key] for column in table(model).columns}
    if all(values[column.key] is None for column in table(model).primary_key):
        return None
    return model(**values)
