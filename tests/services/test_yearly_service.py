"""services.yearly.sheet on a real database (SQLite, and PostgreSQL when configured), rows set
up through storage functions: what /xuat reads in its one transaction, the status of the year
typed and the review's documents of that year, the latest version of each."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.catalogue import DEFAULT_TITLES, Catalogue
from services import yearly
from services.status import Refusal, Refused
from storage import registrations, votes
from tests.factories import bloc_of_units

NOW = datetime(2025, 12, 10, 2, 0, tzinfo=UTC)
SECRETARY = 10
CATALOGUE = Catalogue(DEFAULT_TITLES)
UNITS = ["Hội Chữ thập đỏ", "Hội Khuyến học", "Hội Luật gia"]


@pytest.fixture
def bloc(db):
    with db.session() as s:
        bloc, units = bloc_of_units(s, UNITS, secretary=SECRETARY, now=NOW, chat_id=-100777)
        registrations.confirm(session=s, bloc=bloc, unit_id=units[1].id, collective=["CO_TINH"], individuals=[],
                              targets="200 hội viên mới", by=SECRETARY, now=NOW)
    return bloc


def _document(s, bloc, kind: str, version: int) -> None:
    votes.add_document(session=s, bloc_id=bloc.id, year=2025, kind=kind, version=version,
                       filename=f"{kind}_v{version}.docx", content=b"PK...", fingerprint=f"{kind}{version}",
                       by=SECRETARY, now=NOW)


def test_the_sheet_of_the_year_comes_with_the_latest_version_of_each_document(db, bloc):
    with db.session() as s:
        _document(s, bloc, "minutes", 1)
        _document(s, bloc, "minutes", 2)
        _document(s, bloc, "list", 1)
    with db.session() as s:
        sheet = yearly.sheet(s, bloc_id=bloc.id, typed="", catalogue=CATALOGUE)
    assert sheet.view.status.year == 2025
    assert [u.name for u in sheet.view.status.registered] == ["Hội Khuyến học"]
    assert {kind: d.version for kind, d in sheet.documents.items()} == {"minutes": 2, "list": 1}


def test_a_year_without_records_or_not_a_year_is_refused_and_no_documents_are_read(db, bloc):
    with db.session() as s:
        assert yearly.sheet(s, bloc_id=bloc.id, typed="hai nghìn", catalogue=CATALOGUE) == Refused(Refusal.NOT_A_YEAR)
        refused = yearly.sheet(s, bloc_id=bloc.id, typed="2019", catalogue=CATALOGUE)
    assert refused.code == Refusal.NO_DATA and refused.year == 2019 and refused.years == [2025]


def test_a_bloc_that_has_not_voted_has_its_sheet_and_no_documents(db, bloc):
    with db.session() as s:
        sheet = yearly.sheet(s, bloc_id=bloc.id, typed="2025", catalogue=CATALOGUE)
    assert sheet.documents == {} and len(sheet.view.status.not_registered) == 2
