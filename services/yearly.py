"""/xuat: the year's sheet with the review's documents, and the all-of-the-year workbook:
which year may be exported, to whom, and the year's records read (and the export audited) in
one transaction; exports/year_workbook.py builds the file from them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session

from domain.scores import Criterion
from services import status
from services.naming import Catalogues
from storage import audit, rollover, votes, yearly
from storage.models import Bloc, ReviewDocument, TgUser
from storage.users import reachable


class Refusal(StrEnum):
    STALE = "stale"  # a year the bloc has no records of (a forged or impossible button)
    NOT_REACHABLE = "not_reachable"  # the person has not opened a private chat with the bot


@dataclass(frozen=True)
class Refused:
    code: Refusal


@dataclass(frozen=True)
class Sheet:
    """What /xuat sends for a year: its registration status (the sheet) and the review's
    documents of that year, the latest version of each (kind → document)."""

    view: status.View
    documents: dict[str, ReviewDocument]


def sheet(session: Session, *, bloc_id: int, typed: str, catalogue: Catalogues) -> Sheet | status.Refused:
    """The year typed after /xuat (the current one when none was: services.status.read_year)."""
    view = status.read_year(session, bloc_id=bloc_id, typed=typed, catalogue=catalogue)
    if isinstance(view, status.Refused):
        return view
    return Sheet(view, votes.latest_documents(session=session, bloc_id=bloc_id, year=view.status.year))


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
