"""/xuat's all-of-the-year workbook: which year may be exported, to whom, and the year's
records read (and the export audited) in one transaction; exports/year_workbook.py builds
the file from them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session

from domain.scores import Criterion
from storage import audit, rollover, yearly
from storage.models import Bloc, TgUser
from storage.users import reachable


class Refusal(StrEnum):
    STALE = "stale"  # a year the bloc has no records of (a forged or impossible button)
    NOT_REACHABLE = "not_reachable"  # the person has not opened a private chat with the bot


@dataclass(frozen=True)
class Refused:
    code: Refusal


@dataclass(frozen=True)
class YearData:
    bloc: Bloc
    year: int
    records: yearly.YearRecords
    criteria: list[Criterion]


def year_data(session: Session, *, bloc_id: int, year: int | None, by: int, now: datetime,
              default_criteria: list[Criterion]) -> YearData | Refused:
    """The bloc's whole data for ``year``, for the pressing secretary's private chat (it holds
    people's names and the audit log: not for the whole group); the export is audited."""
    bloc = session.get(Bloc, bloc_id)
    if year is None or year not in rollover.years_with_data(session=session, bloc=bloc):
        return Refused(Refusal.STALE)
    if not reachable(session.get(TgUser, by)):
        return Refused(Refusal.NOT_REACHABLE)
    records = yearly.year_records(session=session, bloc=bloc, year=year)  # with the bloc's own points table
    audit.record(session=session, bloc_id=bloc.id, actor_id=by, now=now, action="export.year", year=year)
    return YearData(bloc, year, records, records.criteria or default_criteria)
