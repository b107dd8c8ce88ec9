"""The audit log: every change a person makes, with who and when."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from storage.models import AuditLog


def record(*, session: Session, action: str, actor_id: int | None, now: datetime,
           bloc_id: int | None = None, **detail) -> AuditLog:
    entry = AuditLog(bloc_id=bloc_id, actor_id=actor_id, action=action, detail=detail, at=now)
    session.add(entry)
    return entry


def entries(*, session: Session, bloc_id: int, action: str | None = None) -> list[AuditLog]:
    query = select(AuditLog).where(AuditLog.bloc_id == bloc_id)
    if action:
        query = query.where(AuditLog.action == action)
    return list(session.exec(query.order_by(AuditLog.id)))
