"""Counting a secret ballot (bỏ phiếu suy tôn) for one title: ballots issued, returned and
valid; votes and percentage per candidate against the base; the threshold; ranking within
the quota, ties broken by score and flagged for the meeting when still tied.

Pure: ballots come in as the lists of chosen candidates, never with who cast them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from domain.text import sort_key


class Base(StrEnum):
    MEMBERS = "members"  # percentages of all member units (ballots issued)
    VOTERS = "voters"  # percentages of the valid ballots returned


@dataclass(frozen=True)
class BallotRules:
    threshold: float = 50.0  # percent
    strictly_more: bool = True  # "more than 50 %" (True) or "at least 70 %" (False)
    base: Base = Base.MEMBERS


@dataclass(frozen=True)
class Candidate:
    unit_id: int
    name: str
    score: float | None = None  # the unit's score, to break ties


@dataclass
class Result:
    candidate: Candidate
    votes: int
    percent: float
    passed: bool  # over the threshold
    rank: int = 0
    selected: bool = False  # proposed for the title, within the quota
    tie_broken_by_score: bool = False
    unresolved_tie: bool = False  # tied on votes and score at the edge of the quota: the meeting decides


@dataclass
class TitleTally:
    quota: int
    issued: int
    returned: int
    valid: int
    results: list[Result] = field(default_factory=list)

    @property
    def selected(self) -> list[Result]:
        return [r for r in self.results if r.selected]

    @property
    def unresolved(self) -> list[Result]:
        return [r for r in self.results if r.unresolved_tie]


def is_valid(choice: list[int], candidates: set[int], quota: int) -> bool:
    """A ballot is valid when it names only candidates, each once, and no more than the quota."""
    return len(choice) <= quota and len(set(choice)) == len(choice) and set(choice) <= candidates


def tally(*, candidates: list[Candidate], ballots: list[list[int]], issued: int, quota: int,
          rules: BallotRules) -> TitleTally:
    """Count ballots (lists of chosen candidates); invalid ones are returned but not counted."""
    ids = {c.unit_id for c in candidates}
    valid = [b for b in ballots if is_valid(b, ids, quota)]
    votes = {c.unit_id: 0 for c in candidates}
    for ballot in valid:
        for unit_id in ballot:
            votes[unit_id] += 1
    return tally_counts(candidates=candidates, votes=votes, returned=len(ballots), valid=len(valid),
                        issued=issued, quota=quota, rules=rules)


def tally_counts(*, candidates: list[Candidate], votes: dict[int, int], returned: int, valid: int, issued: int,
                 quota: int, rules: BallotRules) -> TitleTally:
    """Rank counted votes: the ballot box keeps counts, not ballots, so that what a unit
    chose is never stored next to the unit (see storage.models.VoteCount)."""
    base = issued if rules.base is Base.MEMBERS else valid
    results = []
    for c in candidates:
        n = votes.get(c.unit_id, 0)
        percent = 100.0 * n / base if base else 0.0
        passed = percent > rules.threshold + 1e-9 if rules.strictly_more else percent >= rules.threshold - 1e-9
        results.append(Result(c, n, round(percent, 2), passed))

    def order(r: Result):
        return (-r.votes, -(r.candidate.score if r.candidate.score is not None else float("-inf")))

    results.sort(key=lambda r: (order(r), sort_key(r.candidate.name)))
    for rank, r in enumerate(results, start=1):
        r.rank = rank
    passing = [r for r in results if r.passed]
    seats = quota
    index = 0
    while index < len(passing) and seats > 0:
        group = [r for r in passing if r.votes == passing[index].votes]
        index += len(group)
        if len(group) <= seats:
            for r in group:
                r.selected = True
            seats -= len(group)
            continue
        # The tie straddles the quota's edge: scores decide; what they cannot, the meeting does.
        at = 0
        while at < len(group):
            same = [r for r in group if order(r) == order(group[at])]
            at += len(same)
            for r in same:
                r.tie_broken_by_score = len(same) < len(group)
            if seats <= 0:
                continue
            if len(same) <= seats:
                for r in same:
                    r.selected = True
                seats -= len(same)
            else:
                for r in same:
                    r.unresolved_tie = True
                    r.tie_broken_by_score = False
                seats = 0
    return TitleTally(quota=quota, issued=issued, returned=returned, valid=valid, results=results)
