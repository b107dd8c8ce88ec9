"""The province's checks across its blocs' proposals (the rule profile, domain/provinces.py):
pure, no database. A breach is a ``RuleWarning`` naming the rule's kind, its numbers and its
legal source; the officers read it beside the proposals it is about, and it never blocks.

SHARE is read against the proposals for ``of_title`` in the province that year (the units
the province's blocs put up for it): at most ``percent`` % of them, rounded down, may be
proposed for ``title``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from domain.provinces import Rule, RuleKind
from domain.text import fold


@dataclass(frozen=True)
class Proposal:
    """One unit proposed by one bloc for one title in the year."""

    title: str       # title code
    bloc_id: int
    bloc: str        # the bloc's name
    unit_id: int
    unit: str        # the unit's name


@dataclass(frozen=True)
class RuleWarning:
    """A rule the proposal breaches, with what the officer reads: the numbers and the source.
    ``count``/``limit``: CAP and SHARE (proposals there are / allowed), ``base`` and
    ``percent`` SHARE's; ``other_blocs`` ONE_BLOC's; ``found``/``needed`` CONSECUTIVE's
    (consecutive earlier years with a result / years the title needs), ``missing`` the years
    without one; ``title``/``of_title``/``results`` title codes for the template to name."""

    rule: str
    kind: RuleKind
    source: str
    title: str | None = None
    of_title: str | None = None
    count: int = 0
    limit: int = 0
    base: int = 0
    percent: float = 0.0
    other_blocs: tuple[str, ...] = ()
    found: int = 0
    needed: int = 0
    missing: tuple[int, ...] = ()
    results: tuple[str, ...] = ()


def unit_key(name: str) -> str:
    """The same unit in two blocs: its name, folded (case, accents, spacing)."""
    return fold(name)


def _cap(rule: Rule, proposals: Sequence[Proposal]) -> dict[int, RuleWarning]:
    chosen = [i for i, p in enumerate(proposals) if p.title == rule.title]
    if rule.limit is None or len(chosen) <= rule.limit:
        return {}
    warning = RuleWarning(rule.code, rule.kind, rule.source, title=rule.title, count=len(chosen), limit=rule.limit)
    return {i: warning for i in chosen}


def _share(rule: Rule, proposals: Sequence[Proposal]) -> dict[int, RuleWarning]:
    chosen = [i for i, p in enumerate(proposals) if p.title == rule.title]
    base = len({unit_key(p.unit) for p in proposals if p.title == rule.of_title})
    allowed = math.floor(base * (rule.percent or 0) / 100 + 1e-9)
    if not chosen or len(chosen) <= allowed:
        return {}
    warning = RuleWarning(rule.code, rule.kind, rule.source, title=rule.title, of_title=rule.of_title,
                      count=len(chosen), limit=allowed, base=base, percent=rule.percent or 0.0)
    return {i: warning for i in chosen}


def _also_nominee(rule: Rule, proposals: Sequence[Proposal]) -> dict[int, RuleWarning]:
    nominees = {(p.bloc_id, p.unit_id) for p in proposals if p.title == rule.of_title}
    return {i: RuleWarning(rule.code, rule.kind, rule.source, title=rule.title, of_title=rule.of_title)
            for i, p in enumerate(proposals) if p.title == rule.title and (p.bloc_id, p.unit_id) not in nominees}


def _one_bloc(rule: Rule, proposals: Sequence[Proposal]) -> dict[int, RuleWarning]:
    blocs_of: dict[str, dict[int, str]] = {}
    for p in proposals:
        if rule.title is None or p.title == rule.title:
            blocs_of.setdefault(unit_key(p.unit), {})[p.bloc_id] = p.bloc
    found = {}
    for i, p in enumerate(proposals):
        if rule.title is not None and p.title != rule.title:
            continue
        blocs = blocs_of[unit_key(p.unit)]
        if len(blocs) > 1:
            others = tuple(name for bloc_id, name in blocs.items() if bloc_id != p.bloc_id)
            found[i] = RuleWarning(rule.code, rule.kind, rule.source, title=rule.title, other_blocs=others)
    return found


def _consecutive(rule: Rule, proposals: Sequence[Proposal], history: dict[int, dict[int, set[str]]],
                 year: int) -> dict[int, RuleWarning]:
    found = {}
    wanted = set(rule.results)
    for i, p in enumerate(proposals):
        if p.title != rule.title:
            continue
        held = history.get(p.unit_id, {})
        years = range(year - rule.years, year)
        missing = tuple(y for y in years if not held.get(y, set()) & wanted)
        if missing:
            run = 0
            for y in range(year - 1, year - rule.years - 1, -1):
                if not held.get(y, set()) & wanted:
                    break
                run += 1
            found[i] = RuleWarning(rule.code, rule.kind, rule.source, title=rule.title, found=run, needed=rule.years,
                               missing=missing, results=rule.results)
    return found


def check(rules: Sequence[Rule], proposals: Sequence[Proposal], *, year: int,
          history: dict[int, dict[int, set[str]]] | None = None) -> list[list[RuleWarning]]:
    """For each proposal (in the order given), the warnings of the rules in effect that year,
    in the profile's order. ``history``: unit → earlier year → the codes it was proposed for."""
    warnings: list[list[RuleWarning]] = [[] for _ in proposals]
    for rule in rules:
        if not rule.in_effect(year):
            continue
        if rule.kind == RuleKind.CAP:
            found = _cap(rule, proposals)
        elif rule.kind == RuleKind.SHARE:
            found = _share(rule, proposals)
        elif rule.kind == RuleKind.ALSO_NOMINEE:
            found = _also_nominee(rule, proposals)
        elif rule.kind == RuleKind.ONE_BLOC:
            found = _one_bloc(rule, proposals)
        else:
            found = _consecutive(rule, proposals, history or {}, year)
        for i, warning in found.items():
            warnings[i].append(warning)
    return warnings


_DUE = re.compile(r"^(\d{1,2})/(\d{1,2}) (\d{1,2}):(\d{2})$")


def dossier_due_at(due: str, year: int, tz: ZoneInfo) -> datetime | None:
    """When the blocs' dossiers of ``year`` are due («dd/mm HH:MM», that year); None when the
    province sets no date (or one that is no date of that year)."""
    match = _DUE.match(due or "")
    if not match:
        return None
    day, month, hour, minute = (int(g) for g in match.groups())
    try:
        return datetime(year, month, day, hour, minute, tzinfo=tz)
    except ValueError:
        return None
