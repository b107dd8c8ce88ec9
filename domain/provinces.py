"""Provinces and centrally-run cities as the bot knows them (configuration, ``[[provinces]]``):
their names and kinds through the years, the names blocs give them, their officers, their
own days off, and the rule profile the province checks its blocs' nominations against.

Since 01/07/2025 Vietnam has 34 of them, 6 of which are cities; Huế has been a city since
01/01/2025 (before: tỉnh Thừa Thiên Huế). What a year's documents call the province and its
titles follows the kind it had that year (``Province.in_year``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from domain.text import fold


class ProvinceKind(StrEnum):
    PROVINCE = "province"  # tỉnh
    CITY = "city"          # thành phố trực thuộc trung ương


@dataclass(frozen=True)
class Era:
    """The name and kind a province had up to and including ``until`` (a year)."""

    until: int
    name: str
    kind: ProvinceKind


@dataclass(frozen=True)
class Naming:
    """What a year's texts call the province: its name and kind then."""

    name: str
    kind: ProvinceKind

    @property
    def is_city(self) -> bool:
        return self.kind == ProvinceKind.CITY

    @property
    def level(self) -> str:
        """«tỉnh» or «thành phố», as in «Ủy ban nhân dân tỉnh»."""
        return "thành phố" if self.is_city else "tỉnh"


class RuleKind(StrEnum):
    CAP = "cap"                        # at most ``limit`` proposals for ``title`` in the province
    SHARE = "share"                    # proposals for ``title`` at most ``percent`` % of the units holding ``of_title``
    ALSO_NOMINEE = "also_nominee"      # a nominee for ``title`` must be its bloc's nominee for ``of_title``
    ONE_BLOC = "one_bloc"              # a unit proposed (for ``title``, or any title) by one bloc only
    CONSECUTIVE = "consecutive"        # a nominee for ``title`` needs ``years`` consecutive years of ``results``


@dataclass(frozen=True)
class Rule:
    """One check of the province's rule profile, with its legal source and years of effect.
    A breach is a warning for the province's officers, never a block."""

    code: str
    kind: RuleKind
    source: str                        # «Luật Thi đua, khen thưởng 2022, Điều 26», «Quyết định 12/2024/QĐ-UBND, Điều 8»
    title: str | None = None           # the title code it is about (None: every title, for ONE_BLOC)
    limit: int | None = None           # CAP
    percent: float | None = None       # SHARE
    of_title: str | None = None        # SHARE, ALSO_NOMINEE
    years: int = 0                     # CONSECUTIVE
    results: tuple[str, ...] = ()      # CONSECUTIVE: the per-year results (title codes) that count
    from_year: int | None = None       # in effect from this year…
    to_year: int | None = None         # …to this one (inclusive); None: open

    def in_effect(self, year: int) -> bool:
        return (self.from_year is None or year >= self.from_year) and (self.to_year is None or year <= self.to_year)


@dataclass(frozen=True)
class Province:
    code: str
    name: str                          # the name today
    kind: ProvinceKind                 # the kind today
    eras: tuple[Era, ...] = ()         # earlier names and kinds, each until a year
    aliases: tuple[str, ...] = ()      # other names blocs give it («TT Huế»)
    officers: tuple[int, ...] = ()     # Telegram user ids named by the deployer
    days_off: tuple[date, ...] = ()    # the province's own days off, besides the national holidays
    rules: tuple[Rule, ...] = ()
    dossier_due: str = ""              # when every bloc's dossier is due each year: "dd/mm HH:MM" ("" none)

    def in_year(self, year: int) -> Naming:
        for era in sorted(self.eras, key=lambda e: e.until):
            if year <= era.until:
                return Naming(era.name, era.kind)
        return Naming(self.name, self.kind)

    def names(self) -> set[str]:
        """Every name it is known by, folded (to match what a bloc's secretary typed)."""
        return {fold(n) for n in (self.code, self.name, *(e.name for e in self.eras), *self.aliases)}

    def rules_in(self, year: int) -> list[Rule]:
        return [r for r in self.rules if r.in_effect(year)]


@dataclass(frozen=True)
class Provinces:
    """The configured provinces: found by any of their names, or by code."""

    all: tuple[Province, ...] = field(default_factory=tuple)

    def find(self, text: str | None) -> Province | None:
        """The province a bloc's province text names, if it is configured."""
        if not text:
            return None
        key = fold(text).removeprefix("tinh ").removeprefix("thanh pho ").removeprefix("tp ").strip()
        return next((p for p in self.all if key in p.names() or fold(text) in p.names()), None)

    def by_code(self, code: str) -> Province | None:
        return next((p for p in self.all if p.code == code), None)

    def of_officer(self, user_id: int, extra: Iterable[tuple[str, int]] = ()) -> list[Province]:
        """The provinces this person is an officer of: named in configuration, or added
        (``extra``: (province code, user id) pairs from the database)."""
        added = {code for code, uid in extra if uid == user_id}
        return [p for p in self.all if user_id in p.officers or p.code in added]
