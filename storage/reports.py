"""Files units send before review meetings."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from storage import audit
from storage.models import Bloc, Report


def add(*, session: Session, bloc: Bloc, unit_id: int, period: str, file_id: str, file_unique_id: str,
        filename: str, size: int, mime_type: str, by: int, now: datetime) -> Report:
    report = Report(bloc_id=bloc.id, unit_id=unit_id, year=bloc.year, period=period, file_id=file_id,
                    file_unique_id=file_unique_id, filename=filename, size=size, mime_type=mime_type, sent_by=by,
                    sent_at=now)
    session.add(report)
    audit.record(session=session, bloc_id=bloc.id, actor_id=by, now=now, action="report.add", unit_id=unit_id,
                 period=period, filename=filename)
    return report


def periods_sent(*, session: Session, bloc_id: int, year: int) -> dict[int, set[str]]:
    """unit id → the periods it has sent a report for."""
    sent: dict[int, set[str]] = {}
    for unit_id, period in session.exec(select(Report.unit_id, Report.period).where(
            Report.bloc_id == bloc_id, Report.year == year)):
        sent.setdefault(unit_id, set()).add(period)
    return sent
