"""The bloc's secret ballot as rules: what is on it, what a unit may choose, and the
outcome with its notes (ties, exceptions, eligibility warnings).

Pure: units are ids and names; the ballot box is counts (see domain.tally.tally_counts).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from domain.catalogue import Catalogue, Title
from domain.review import Line, Note, NoteCode, TitleOutcome
from domain.tally import Base, BallotRules, Candidate, tally_counts

# Next year's leaders, elected on the same ballot (one unit each).
LEAD, DEPUTY = "LEAD", "DEPUTY"
LEADERS = (LEAD, DEPUTY)


@dataclass(frozen=True)
class Rules:
    threshold: float
    strictly_more: bool
    base: str  # "members" or "voters"
    self_vote: bool

    def as_dict(self) -> dict:
        return dict(threshold=self.threshold, strictly_more=self.strictly_more, base=self.base,
                    self_vote=self.self_vote)

    @classmethod
    def from_dict(cls, data: dict) -> Rules:
        return cls(float(data["threshold"]), bool(data["strictly_more"]), str(data["base"]), bool(data["self_vote"]))

    def tally_rules(self) -> BallotRules:
        return BallotRules(threshold=self.threshold, strictly_more=self.strictly_more, base=Base(self.base))


@dataclass(frozen=True)
class BallotLine:
    """One line of the ballot: a voted title's code (or next year's leader's, LEAD/DEPUTY),
    how many units each voter may choose, the candidates (unit ids, in roster order) and those
    of them the secretary added by hand (exceptions to the registrations)."""

    code: str
    quota: int
    candidates: tuple[int, ...]
    added: tuple[int, ...] = ()

    def as_dict(self) -> dict:
        """As the vote's row holds it: {"code", "quota", "candidates", "added"}."""
        return dict(code=self.code, quota=self.quota, candidates=list(self.candidates), added=list(self.added))

    @classmethod
    def from_dict(cls, data: Mapping) -> BallotLine:
        return cls(str(data["code"]), int(data["quota"]), tuple(int(u) for u in data["candidates"]),
                   tuple(int(u) for u in data.get("added") or ()))


def prepare(*, titles: list[Title], members: list[int], registered: dict[int, set[str]],
            elect_leaders: bool, quotas: dict[str, int | None] | None = None) -> list[BallotLine]:
    """The ballot: each voted title with the bloc's quota (``quotas``, else the catalogue's
    for this many members) and, as candidates, the units that registered for it (in roster
    order); then the leaders."""
    quotas = quotas or {}
    ballot = []
    for title in titles:
        ballot.append(BallotLine(title.code, quotas.get(title.code, title.quota_for(len(members))) or 0,
                                 tuple(u for u in members if title.code in registered.get(u, set()))))
    if elect_leaders:
        for code in LEADERS:
            ballot.append(BallotLine(code, 1, tuple(members)))
    return ballot


def add_candidate(ballot: Sequence[BallotLine], code: str, unit_id: int) -> list[BallotLine]:
    """The secretary adds a unit that did not register (an exception, recorded)."""
    return [replace(entry, candidates=(*entry.candidates, unit_id), added=(*entry.added, unit_id))
            if entry.code == code and unit_id not in entry.candidates else entry for entry in ballot]


def with_quotas(ballot: Sequence[BallotLine], quotas: dict[str, int | None]) -> list[BallotLine]:
    """The ballot's title lines with the bloc's quotas (a prepared ballot follows them until
    it opens; then they are fixed on it). The leaders' lines keep theirs (one unit each)."""
    return [replace(entry, quota=quotas.get(entry.code) or 0)
            if entry.code not in LEADERS and entry.code in quotas else entry for entry in ballot]


def choosable(entry: BallotLine, voter: int, rules: Rules) -> list[int]:
    """The candidates this unit may choose for one line of the ballot."""
    return [u for u in entry.candidates if rules.self_vote or u != voter]


class ChoiceError(ValueError):
    def __init__(self, code: str, **details) -> None:
        super().__init__(code)
        self.code = code
        self.details = details


def toggle(choices: dict, entry: BallotLine, unit_id: int, voter: int, rules: Rules) -> dict:
    """Choose or unchoose a candidate; refuses non-candidates, oneself when not allowed,
    and more than the quota."""
    if unit_id not in entry.candidates:
        raise ChoiceError("not_candidate")
    if unit_id not in choosable(entry, voter, rules):
        raise ChoiceError("self_vote")
    chosen = list(choices.get(entry.code, []))
    if unit_id in chosen:
        chosen.remove(unit_id)
    elif len(chosen) >= entry.quota:
        raise ChoiceError("over_quota", quota=entry.quota)
    else:
        chosen.append(unit_id)
    return {**choices, entry.code: chosen}


def check_ballot(ballot: Sequence[BallotLine], choices: dict, voter: int, rules: Rules) -> str | None:
    """Why a ballot could not be counted (checked again at confirmation), or None."""
    for entry in ballot:
        chosen = choices.get(entry.code, [])
        if len(chosen) > entry.quota:
            return "over_quota"
        if len(set(chosen)) != len(chosen) or not set(chosen) <= set(choosable(entry, voter, rules)):
            return "not_candidate"
    if set(choices) - {entry.code for entry in ballot}:
        return "not_candidate"
    return None


@dataclass(frozen=True)
class BoxTitle:
    """What the ballot box holds for one line of the ballot."""

    votes: dict[int, int]
    returned: int


def outcome(*, ballot: Sequence[BallotLine], box: dict[str, BoxTitle], issued: int, rules: Rules, names: dict[int, str],
            scores: dict[int, float | None], catalogue: Catalogue, decisions: dict[str, list[int]],
            history: dict[int, dict[int, set[str]]], year: int,
            line_names: dict[str, str] | None = None) -> list[TitleOutcome]:
    """The tally of every line of the ballot, with notes. ``history``: unit → year →
    codes it was proposed for in earlier years (for consecutive-year checks).
    ``line_names``: the names of the lines that are not catalogue titles (next year's
    Trưởng/Phó khối), as people read them."""
    line_names = line_names or {}
    results: list[TitleOutcome] = []
    lead_winner: int | None = None
    for entry in ballot:
        code = entry.code
        candidates = entry.candidates
        if code == DEPUTY and lead_winner is not None:
            # A unit is not both: the Trưởng khối's votes for Phó khối do not count.
            candidates = [u for u in candidates if u != lead_winner]
        counted = box.get(code, BoxTitle({}, 0))
        title_tally = tally_counts(
            candidates=[Candidate(u, names.get(u, str(u)), scores.get(u)) for u in candidates],
            votes=counted.votes, returned=counted.returned, valid=counted.returned, issued=issued,
            quota=entry.quota, rules=rules.tally_rules())
        decided = set(decisions.get(code, []))
        lines = []
        for r in title_tally.results:
            unit = r.candidate.unit_id
            notes: list[Note] = []
            selected = r.selected
            if unit in entry.added:
                notes.append(Note(NoteCode.ADDED))
            if r.tie_broken_by_score:
                # Each unit's own fate: placed above the tied units thanks to its score, or below.
                notes.append(Note(NoteCode.TIE_WON_BY_SCORE if r.selected else NoteCode.TIE_LOST_BY_SCORE))
            if r.unresolved_tie:
                if unit in decided:
                    selected = True
                    notes.append(Note(NoteCode.DECIDED_BY_MEETING))
                elif not decided:
                    notes.append(Note(NoteCode.TIE_UNRESOLVED))
            if not r.passed:
                notes.append(Note(NoteCode.BELOW_THRESHOLD))
            lines.append(dict(rank=r.rank, unit=unit, votes=r.votes, percent=r.percent, score=r.candidate.score,
                              selected=selected, notes=notes))
        if code == LEAD:
            winners = [line["unit"] for line in lines if line["selected"]]
            lead_winner = winners[0] if len(winners) == 1 else None
        title = catalogue.get(code)
        results.append(TitleOutcome(
            code=code, name=title.name if title else line_names.get(code, ""), quota=entry.quota, issued=issued,
            returned=counted.returned, valid=counted.returned,
            lines=tuple(Line(rank=line["rank"], unit=names.get(line["unit"], str(line["unit"])), votes=line["votes"],
                             percent=line["percent"], score=line["score"], selected=line["selected"],
                             notes=tuple(line["notes"]) + tuple(_eligibility(
                                 catalogue, code, line["unit"], history=history, year=year)), unit_id=line["unit"])
                        for line in lines)))
    return _cross_checks(results, catalogue)


def _eligibility(catalogue: Catalogue, code: str, unit: int, *, history, year: int) -> list[Note]:
    """Warnings that need the unit's earlier years: one of the needed results in each."""
    title = catalogue.get(code)
    if title is None or not title.needs_years:
        return []
    years = tuple(y for y in range(year - title.needs_years, year)
                  if not (history.get(unit, {}).get(y, set()) & set(title.needs_results)))
    names = ", ".join(t.name for t in catalogue.in_order(list(title.needs_results)))
    return [Note(NoteCode.MISSING_YEARS, years=years, title=names)] if years else []


def _cross_checks(results: list[TitleOutcome], catalogue: Catalogue) -> list[TitleOutcome]:
    """A nominee for a title that asks it be the bloc's nominee for another as well."""
    selected = {o.code: {line.unit_id for line in o.selected} for o in results}
    checked = []
    for o in results:
        title = catalogue.get(o.code)
        other = title.also_nominee_for if title else None
        if not other or other not in selected:
            checked.append(o)
            continue
        other_name = catalogue.get(other).name
        lines = tuple(Line(**{**line.__dict__, "notes": line.notes + (
            Note(NoteCode.NOT_PROVINCIAL_NOMINEE, title=other_name),)})
            if line.selected and line.unit_id not in selected[other] else line for line in o.lines)
        checked.append(TitleOutcome(code=o.code, name=o.name, quota=o.quota, issued=o.issued, returned=o.returned,
                                    valid=o.valid, lines=lines))
    return checked


def elected_line(outcomes: list[TitleOutcome], code: str) -> Line | None:
    """The line of the unit elected to a leader's line, if the ballot decided it."""
    found = next((o for o in outcomes if o.code == code), None)
    chosen = list(found.selected) if found else []
    return chosen[0] if len(chosen) == 1 else None


def elected(outcomes: list[TitleOutcome], code: str) -> str | None:
    """The name of the unit elected to a leader's line, if the ballot decided it."""
    line = elected_line(outcomes, code)
    return line.unit if line else None
