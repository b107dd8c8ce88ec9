"""The audit log: every change a person makes, with who and when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import insert
from sqlmodel import Session, select

from storage.models import AuditLog


_INSERT = insert(AuditLog.__table__)


def record(*, session: Session, action: str, actor_id: int | None, now: datetime,
           bloc_id: int | None = None, **detail) -> None:
    """One row, written at once (a Core insert: in a Session, after what it has pending;
    a Connection works too)."""
    session.execute(_INSERT, dict(bloc_id=bloc_id, actor_id=actor_id, action=action, detail=detail, at=now))


def entries(*, session: Session, bloc_id: int, action: str | None = None) -> list[AuditLog]:
    query = select(AuditLog).where(AuditLog.bloc_id == bloc_id)
    if action:
        query = query.where(AuditLog.action == action)
    return list(session.exec(query.order_by(AuditLog.id)))
