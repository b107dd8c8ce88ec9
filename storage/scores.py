"""Points tables and scores: what units entered, what the secretary adjusted, the totals.

A points table is kept as JSON rows ``[{"name", "max"}]`` (``PointsTable.criteria``); it
leaves and enters this module as domain.scores.Criterion values only.

A score row is one criterion (by its position in the points table) of one unit for one
year; the points that count are the secretary's adjustment, else the unit's own.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlmodel import Session, col, select

from domain.scores import Criterion, effective, from_rows, to_rows, total
from storage import audit
from storage.models import Bloc, PointsTable, Score, Vote

# Vote states after which units can no longer change their own scores.
LOCKING_VOTE_STATES = ("open", "closed")


# ---- the points table ---------------------------------------------------------------------

def _own_table(session: Session, bloc_id: int, year: int) -> PointsTable | None:
    return session.exec(select(PointsTable).where(PointsTable.bloc_id == bloc_id,
                                                  PointsTable.year == year)).first()


def own_criteria(*, session: Session, bloc_id: int, year: int) -> list[Criterion] | None:
    """The bloc's own points table for the year, if it has one (else the default applies)."""
    row = _own_table(session, bloc_id, year)
    return from_rows(row.criteria) if row is not None and row.criteria else None


def points_table(*, session: Session, bloc: Bloc, default: list[Criterion]) -> list[Criterion]:
    """The bloc's points table for its current year, else the deployment's default."""
    return own_criteria(session=session, bloc_id=bloc.id, year=bloc.year) or list(default)


def set_points_table(*, session: Session, bloc: Bloc, criteria: list[Criterion], by: int,
                     now: datetime) -> PointsTable:
    """Set the bloc's own points table for its current year (the caller checked that no
    score was entered yet: scores are kept by criterion position)."""
    row = _own_table(session, bloc.id, bloc.year)
    previous = row.criteria if row is not None else None
    if row is None:
        row = PointsTable(bloc_id=bloc.id, year=bloc.year)
    row.criteria, row.set_by, row.set_at = to_rows(criteria), by, now
    session.add(row)
    audit.record(session=session, bloc_id=bloc.id, actor_id=by, now=now, action="scores.table", year=bloc.year,
                 criteria=to_rows(criteria), previous=previous)
    return row


def _keep_table(session: Session, bloc: Bloc, criteria: list[Criterion] | None, by: int, now: datetime) -> None:
    """The first score of the year fixes the table it was entered against: without a row
    of its own the bloc would follow any later change of the deployment's default."""
    if criteria is not None and _own_table(session, bloc.id, bloc.year) is None:
        session.add(PointsTable(bloc_id=bloc.id, year=bloc.year, criteria=to_rows(criteria), set_by=by, set_at=now))


# ---- scores -------------------------------------------------------------------------------

def has_scores(*, session: Session, bloc_id: int, year: int) -> bool:
    """Whether any unit of the bloc has points for the year (entered or adjusted)."""
    return session.exec(select(Score.id).where(
        Score.bloc_id == bloc_id, Score.year == year,
        (col(Score.self_points).is_not(None)) | (col(Score.adjusted_points).is_not(None)))).first() is not None


def self_entry_locked(*, session: Session, bloc_id: int, year: int) -> bool:
    """Units enter and change their own scores until the bloc's vote for the year opens."""
    status = session.exec(select(Vote.status).where(Vote.bloc_id == bloc_id, Vote.year == year)).first()
    return status in LOCKING_VOTE_STATES


def scores_of_unit(*, session: Session, unit_id: int, year: int) -> list[Score]:
    return list(session.exec(select(Score).where(Score.unit_id == unit_id, Score.year == year)
                             .order_by(Score.criterion)))


def scores_of_bloc(*, session: Session, bloc_id: int, year: int) -> dict[int, list[Score]]:
    """unit id → its score rows for the year, by criterion."""
    rows = session.exec(select(Score).where(Score.bloc_id == bloc_id, Score.year == year)
                        .order_by(Score.unit_id, Score.criterion))
    out: dict[int, list[Score]] = defaultdict(list)
    for row in rows:
        out[row.unit_id].append(row)
    return dict(out)


def unit_total(rows: list[Score]) -> tuple[float | None, bool]:
    """(the effective total, whether the secretary adjusted any criterion)."""
    return (total([effective(r.self_points, r.adjusted_points) for r in rows]),
            any(r.adjusted_points is not None for r in rows))


def totals(*, session: Session, bloc_id: int, year: int) -> dict[int, tuple[float | None, bool]]:
    """unit id → (effective total or None, adjusted by the secretary), for units with score
    rows. The ballot's tally breaks ties with these totals."""
    return {unit_id: unit_total(rows) for unit_id, rows in scores_of_bloc(
        session=session, bloc_id=bloc_id, year=year).items()}


def _rows_for(session: Session, bloc: Bloc, unit_id: int, count: int) -> list[Score]:
    """The unit's rows for criteria 0..count-1, made where missing; rows past the table
    (a table shortened before any score counted) are dropped."""
    existing = {r.criterion: r for r in scores_of_unit(session=session, unit_id=unit_id, year=bloc.year)}
    for index, row in existing.items():
        if index >= count:
            session.delete(row)
    return [existing.get(i) or Score(bloc_id=bloc.id, unit_id=unit_id, year=bloc.year, criterion=i)
            for i in range(count)]


def enter_self(*, session: Session, bloc: Bloc, unit_id: int, points: list[float], by: int, now: datetime,
               criteria: list[Criterion] | None = None) -> list[Score]:
    """The unit's own points, one per criterion in order (checked by the caller against
    the table; ``criteria``, when given, is kept as the bloc's table if it has none)."""
    _keep_table(session, bloc, criteria, by, now)
    rows = _rows_for(session, bloc, unit_id, len(points))
    previous = [r.self_points for r in rows]
    for row, value in zip(rows, points):
        row.self_points, row.self_by, row.self_at = value, by, now
        session.add(row)
    audit.record(session=session, bloc_id=bloc.id, actor_id=by, now=now, action="scores.self", unit_id=unit_id,
                 year=bloc.year, points=list(points), previous=previous)
    return rows


def adjust(*, session: Session, bloc: Bloc, unit_id: int, points: list[float], reason: str, by: int,
           now: datetime, criteria: list[Criterion] | None = None) -> list[Score]:
    """The secretary's points for the unit, one per criterion in order, with the reason;
    they count instead of what the unit entered."""
    _keep_table(session, bloc, criteria, by, now)
    rows = _rows_for(session, bloc, unit_id, len(points))
    previous = [effective(r.self_points, r.adjusted_points) for r in rows]
    for row, value in zip(rows, points):
        row.adjusted_points, row.adjusted_reason, row.adjusted_by, row.adjusted_at = value, reason, by, now
        session.add(row)
    audit.record(session=session, bloc_id=bloc.id, actor_id=by, now=now, action="scores.adjust",
                 unit_id=unit_id, year=bloc.year, points=list(points), previous=previous, reason=reason)
    return rows
