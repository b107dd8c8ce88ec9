"""SQLAlchemy Core helpers for the hot paths (every button press of a conversation).

The ORM's select, ``session.get`` and ``session.merge`` cost several times what the same
statement costs through Core (identity map, unit of work, loading machinery), and building a
statement anew costs more than running it (its construction and cache key). So the functions
that run on every update use statements built once, at import, with bound parameters, and turn
the rows into the same model objects the rest of the code reads: detached objects, as if
loaded by a session that was then closed.
A Core statement runs the same on a ``Session`` (``session.execute``) and on a ``Connection``
(``Database.connection()``), so storage functions written this way accept either.
"""

from __future__ import annotations

from functools import cache
from typing import Any, TypeVar

from sqlalchemy import Table
from sqlalchemy.orm import class_mapper
from sqlalchemy.orm.base import instance_dict, instance_state

M = TypeVar("M")


def table(model: type) -> Table:
    return model.__table__


def labelled(model: type, prefix: str) -> list:
    """The model's columns, labelled ``<prefix><column>`` so several tables fit in one row."""
    return [column.label(prefix + column.key) for column in table(model).columns]


@cache
def _shape(model: type) -> tuple[Any, tuple[str, ...], tuple[str, ...]]:
    mapper = class_mapper(model)
    return mapper, tuple(c.key for c in table(model).columns), tuple(c.key for c in table(model).primary_key)


def build(model: type[M], row: Any, prefix: str) -> M | None:
    """The model object from a row selected with ``labelled(model, prefix)``, detached (as the
    ORM leaves what a closed session loaded); None when the row's primary key is NULL (an outer
    join found nothing)."""
    mapper, keys, primary = _shape(model)
    mapping = row._mapping
    identity = tuple(mapping[prefix + key] for key in primary)
    if all(value is None for value in identity):
        return None
    return detached(model, {key: mapping[prefix + key] for key in keys})


def detached(model: type[M], values: dict) -> M:
    """A model object for a row whose every column is in ``values``, detached: reading it never
    touches the database, and ``session.merge`` takes it as that row."""
    mapper, _, primary = _shape(model)
    obj = mapper.class_manager.new_instance()
    instance_dict(obj).update(values)
    instance_state(obj).key = mapper.identity_key_from_primary_key(tuple(values[key] for key in primary))
    return obj
