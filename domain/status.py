"""A bloc's registration status: who registered what, who has not, covenant signatures,
and the totals per title against the bloc's quotas."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from domain.catalogue import Catalogue, Title
from domain.registration import PeopleByTitle


@dataclass(frozen=True)
class Registered:
    """What a unit's current registration says (plain values, no database rows)."""

    collective: list[str]
    individuals: PeopleByTitle  # (title code, People)
    targets: str
    withdrawn: bool
    confirmed_at: datetime


@dataclass
class UnitStatus:
    unit_id: int
    name: str
    registration: Registered | None
    covenant_at: datetime | None
    collective: list[Title] = field(default_factory=list)
    individuals: list[tuple[Title, int, list[str]]] = field(default_factory=list)

    @property
    def registered(self) -> bool:
        return self.registration is not None and not self.registration.withdrawn

    @property
    def withdrawn(self) -> bool:
        return self.registration is not None and self.registration.withdrawn


@dataclass
class TitleTotal:
    title: Title
    count: int
    quota: int | None

    @property
    def over_quota(self) -> bool:
        return self.quota is not None and self.count > self.quota


@dataclass
class Status:
    year: int
    units: list[UnitStatus]
    totals: list[TitleTotal]

    @property
    def registered(self) -> list[UnitStatus]:
        return [u for u in self.units if u.registered]

    @property
    def not_registered(self) -> list[UnitStatus]:
        return [u for u in self.units if not u.registered]

    @property
    def not_signed(self) -> list[UnitStatus]:
        return [u for u in self.units if u.covenant_at is None]


def compile_status(*, units: list[tuple[int, str]], registrations: dict[int, Registered],
                   covenants: dict[int, datetime], catalogue: Catalogue, year: int,
                   quotas: dict[str, int] | None = None) -> Status:
    """``units`` in display order (sorted the Vietnamese way by the caller); ``quotas``: the
    ones the bloc's secretary set for the year (the catalogue's defaults for the others)."""
    rows = []
    counts: dict[str, int] = {}
    for unit_id, name in units:
        registration = registrations.get(unit_id)
        row = UnitStatus(unit_id, name, registration, covenants.get(unit_id))
        if row.registered:
            row.collective = catalogue.in_order(registration.collective)
            row.individuals = [(t, people.count, list(people.names)) for code, people in registration.individuals
                               if (t := catalogue.get(code))]
            for title in row.collective:
                counts[title.code] = counts.get(title.code, 0) + 1
            for title, count, _ in row.individuals:
                counts[title.code] = counts.get(title.code, 0) + count
        rows.append(row)
    quota_of = catalogue.quotas(year, len(units), quotas)
    totals = [TitleTotal(t, counts.get(t.code, 0), quota_of[t.code]) for t in catalogue.for_year(year)]
    return Status(year, rows, totals)


_DIGITS = re.compile(r"[0-9]{1,10}")


def parse_quota(text: str, members: int) -> int | None:
    """A typed quota: a whole number (ASCII digits) from 0 to the bloc's number of units."""
    text = text.strip()
    if not _DIGITS.fullmatch(text):
        return None
    quota = int(text)
    return quota if quota <= members else None
