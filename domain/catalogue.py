"""The catalogue of titles and commendations a bloc's units register for, and quotas.

The catalogue is configuration (it changes with the law and the province), so these are
plain data and rules; khoibot.config validates and builds them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from enum import StrEnum

from domain.provinces import Naming, ProvinceKind
from domain.text import fold


class TitleKind(StrEnum):
    COLLECTIVE = "collective"  # danh hiệu tập thể, hình thức khen thưởng cho tập thể
    INDIVIDUAL = "individual"  # cá nhân: units register how many people (and who)


@dataclass(frozen=True)
class Title:
    code: str
    name: str
    kind: TitleKind
    voted: bool = False  # decided by the bloc's secret ballot
    quota: int | None = None  # a fixed number per bloc…
    quota_share: float | None = None  # …or a share of the member units (0.3 = 30 %)
    rounding: str = "round"  # how a share becomes a number: round (half up), floor, ceil
    aliases: tuple[str, ...] = ()
    years: tuple[int, ...] = ()  # empty: every year
    # "danh hiệu" (a title) or "hình thức" (a commendation such as a flag or Bằng khen)
    commendation: bool = False
    # Eligibility checks (warnings on the tally): also the bloc's nominee for that title;
    # one of ``needs_results`` in each of the ``needs_years`` years before.
    also_nominee_for: str | None = None
    needs_years: int = 0
    needs_results: tuple[str, ...] = ()

    def quota_for(self, members: int) -> int | None:
        """The bloc's quota for this title given its number of member units."""
        if self.quota is not None:
            return self.quota
        if self.quota_share is None:
            return None
        exact = self.quota_share * members
        if self.rounding == "floor":
            return math.floor(exact + 1e-9)
        if self.rounding == "ceil":
            return math.ceil(exact - 1e-9)
        return math.floor(exact + 0.5)

    def in_year(self, year: int) -> bool:
        return not self.years or year in self.years


@dataclass(frozen=True)
class Catalogue:
    titles: tuple[Title, ...] = field(default_factory=tuple)

    def for_year(self, year: int) -> list[Title]:
        return [t for t in self.titles if t.in_year(year)]

    def collective(self, year: int) -> list[Title]:
        return [t for t in self.for_year(year) if t.kind is TitleKind.COLLECTIVE]

    def individual(self, year: int) -> list[Title]:
        return [t for t in self.for_year(year) if t.kind is TitleKind.INDIVIDUAL]

    def in_order(self, codes: list[str]) -> list[Title]:
        """The titles with these codes, in catalogue order (the order people chose them in
        does not matter; unknown codes are dropped)."""
        wanted = set(codes)
        return [t for t in self.titles if t.code in wanted]

    def voted(self, year: int) -> list[Title]:
        """The titles the bloc's secret ballot decides, in catalogue order."""
        return [t for t in self.for_year(year) if t.voted and t.kind is TitleKind.COLLECTIVE]

    def quotas(self, year: int, members: int, own: dict[str, int] | None = None) -> dict[str, int | None]:
        """The bloc's quota for each title of the year: the one its secretary set (``own``),
        else the catalogue's for this many member units (None: no quota)."""
        own = own or {}
        return {t.code: own.get(t.code, t.quota_for(members)) for t in self.for_year(year)}

    def quota_titles(self, year: int) -> list[Title]:
        """The titles a bloc's secretary sets a quota for (a number of member units): the
        collective ones its ballot decides, and any other the catalogue gives a quota."""
        return [t for t in self.collective(year) if t.voted or t.quota is not None or t.quota_share is not None]

    def get(self, code: str) -> Title | None:
        return self._by_code.get(code)

    @cached_property
    def _by_code(self) -> dict[str, Title]:
        # Looked up for every registered title of every unit when statuses are compiled.
        by_code: dict[str, Title] = {}
        for title in self.titles:
            by_code.setdefault(title.code, title)
        return by_code

    def named_for(self, naming: Naming | None) -> Catalogue:
        """The same titles (codes, order, quotas) as a province names them in a year: the
        province's authorities' words take its kind (``LEVELLED``), ``{province}`` its name.
        An alias matches in either kind; the configured name too, as an alias. None: as configured."""
        if naming is None:
            return self
        titles = []
        for t in self.titles:
            name = named(t.name, naming)
            aliases = [named(a, naming) for a in t.aliases]
            if name != t.name:
                aliases.append(t.name)
            # Typed or imported in the other kind's words, or the words of the configuration.
            aliases += [named(a, _OTHER[naming.kind]) for a in (t.name, *t.aliases)]
            aliases += list(t.aliases)
            kept = tuple(dict.fromkeys(a for a in aliases if a != name and "{" not in a))
            titles.append(replace(t, name=name, aliases=kept))
        return Catalogue(tuple(titles))

    @property
    def names_a_province(self) -> bool:
        """Some title's name or alias has the ``{province}`` placeholder."""
        return any(PLACEHOLDER in text for t in self.titles for text in (t.name, *t.aliases))

    def match(self, typed: str, year: int) -> Title | None:
        """The title a typed or imported name means, by its name, an alias or its code."""
        key = fold(typed)
        for title in self.for_year(year):
            if key in (fold(title.name), fold(title.code), *(fold(a) for a in title.aliases)):
                return title
        return None


# The authorities whose level a title names: «Ủy ban nhân dân tỉnh» (and «Uỷ», «UBND tỉnh»,
# «Chủ tịch UBND tỉnh»), «Hội đồng Thi đua – Khen thưởng tỉnh» (any dash). Only the level word after
# them changes. «Chiến sĩ thi đua cấp tỉnh» does not: «cấp tỉnh» is the law's name of the level,
# cities included (Luật Thi đua, khen thưởng 2022), and a unit's name («Hội Nông dân tỉnh») is not a title's.
LEVELLED = re.compile(
    r"(?<!\w)((?:ủy|uỷ) ban nhân dân|ubnd|hội đồng thi đua\s*[-–—]\s*khen thưởng|hđtđkt)(\s+)(tỉnh|thành phố)(?!\w)",
    re.IGNORECASE)
# Where a configured name names the province: «Kỷ niệm chương vì sự nghiệp … tỉnh {province}»; the
# level word just before it follows the kind too («thành phố Huế»).
PLACEHOLDER = "{province}"
_BEFORE_PLACEHOLDER = re.compile(r"(?<!\w)(tỉnh|thành phố)(\s+)\{province\}", re.IGNORECASE)
_OTHER = {ProvinceKind.PROVINCE: Naming("", ProvinceKind.CITY), ProvinceKind.CITY: Naming("", ProvinceKind.PROVINCE)}


def _level_as(word: str, level: str) -> str:
    """``level`` in the case ``word`` was written in («TỈNH» → «THÀNH PHỐ», «Tỉnh» → «Thành phố»)."""
    if word.isupper():
        return level.upper()
    if word[:1].isupper():
        return level[:1].upper() + level[1:]
    return level


def named(text: str, naming: Naming) -> str:
    """``text`` as ``naming``'s province calls it (see ``LEVELLED`` and ``PLACEHOLDER``); a
    naming without a name leaves the placeholder in."""
    text = LEVELLED.sub(lambda m: m[1] + m[2] + _level_as(m[3], naming.level), text)
    if not naming.name:
        return text
    text = _BEFORE_PLACEHOLDER.sub(lambda m: _level_as(m[1], naming.level) + m[2] + PLACEHOLDER, text)
    return text.replace(PLACEHOLDER, naming.name)


_TYPED_LEVEL = re.compile(r"^\s*(tỉnh|thành phố|tp\.?)\s+", re.IGNORECASE)


def typed_naming(text: str) -> Naming | None:
    """A province no configuration knows, as its bloc typed it («Hà Nội», «thành phố Hà Nội»):
    for the ``{province}`` placeholder only (None: nothing typed)."""
    text = " ".join(text.split())
    found = _TYPED_LEVEL.match(text)
    name = text[found.end():] if found else text
    if not name:
        return None
    city = bool(found) and fold(found[1]).rstrip(".") != "tinh"
    return Naming(name, ProvinceKind.CITY if city else ProvinceKind.PROVINCE)


# What ships in config.example.toml (../shared/domain.md §3), for defaults and tests.
DEFAULT_TITLES: tuple[Title, ...] = (
    Title("CO_CP", "Cờ thi đua của Chính phủ", TitleKind.COLLECTIVE, voted=True, quota=1, commendation=True,
          also_nominee_for="CO_TINH"),
    Title("CO_TINH", "Cờ thi đua của Ủy ban nhân dân tỉnh", TitleKind.COLLECTIVE, voted=True, quota=1,
          commendation=True,
          aliases=("Cờ thi đua của UBND tỉnh", "Cờ thi đua xuất sắc của UBND tỉnh",
                   "Cờ Đơn vị dẫn đầu phong trào thi đua", "Đơn vị dẫn đầu phong trào thi đua")),
    Title("BK_UBND", "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh", TitleKind.COLLECTIVE, voted=True,
          quota_share=0.3, commendation=True,
          aliases=("Bằng khen của Chủ tịch UBND tỉnh", "Bằng khen toàn diện", "Bằng khen phong trào")),
    Title("TTLDXS", "Tập thể lao động xuất sắc", TitleKind.COLLECTIVE),
    Title("TTLDTT", "Tập thể lao động tiên tiến", TitleKind.COLLECTIVE),
    Title("CSTD_TINH", "Chiến sĩ thi đua cấp tỉnh", TitleKind.INDIVIDUAL),
    Title("CSTD_CS", "Chiến sĩ thi đua cơ sở", TitleKind.INDIVIDUAL, aliases=("CSTĐ cơ sở",)),
    Title("LDTT", "Lao động tiên tiến", TitleKind.INDIVIDUAL, aliases=("LĐTT",)),
    Title("BK_UBND_CN", "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh (cá nhân)", TitleKind.INDIVIDUAL,
          commendation=True),
)
