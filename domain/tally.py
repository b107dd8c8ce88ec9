"""Counting a secret ballot (bỏ phiếu suy tôn) for one title: ballots issued, returned and
valid; votes and percentage per candidate against the base; the threshold; ranking within
the quota, ties broken by score and flagged for the meeting when still tied.

Pure: ballots come in as the lists of chosen candidates, never with who cast them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


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
    ids = {c.unit_id for c in candidates}
    valid = [b for b in ballots if is_valid(b, ids, quota)]
    votes = {c.unit_id: 0 for c in candidates}
    for ballot in valid:
        for unit_id in ballot:
            votes[unit_id] += 1
    base = issued if rules.base is Base.MEMBERS else len(valid)
    results = []
    for c in candidates:
        percent = 100.0 * votes[c.unit_id] / base if base else 0.0
        passed = percent > rules.threshold if rules.strictly_more else percent >= rules.threshold - 1e-9
        results.append(Result(c, votes[c.unit_id], round(percent, 2), passed))

    def order(r: Result):
        return (-r.votes, -(r.candidate.score if r.candidate.score is not None else float("-inf")))

    results.sort(key=lambda r: (order(r), r.candidate.name))
    for rank, r in enumerate(results, start=1):
        r.rank = rank
    passing = [r for r in results if r.passed]
    seats = quota
    index = 0
    while index < len(passing) and seats > 0:
        group = [r for r in passing if r.votes == passing[index].votes]
        same = [r for r in group if order(r) == order(passing[index])]
        if len(group) > 1:
            for r in group:
                r.tie_broken_by_score = len(same) < len(group)
        if len(same) <= seats:
            for r in same:
                r.selected = True
            seats -= len(same)
        else:
            # More units tied on votes and score than seats left: the meeting decides.
            for r in same:
                r.unresolved_tie = True
            seats = 0
        index += len(same)
    return TitleTally(quota=quota, issued=issued, returned=len(ballots), valid=len(valid), results=results)
