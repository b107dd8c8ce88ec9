"""The ballot's rules: what is on it, what a unit may choose, and the outcome's notes."""

from __future__ import annotations

import pytest

from domain import ballot as rules
from domain.catalogue import DEFAULT_TITLES, Catalogue, Title, TitleKind
from domain.review import NoteCode

RULES = rules.Rules(threshold=50, strictly_more=True, base="members", self_vote=False)
NAMES = {1: "Hội A", 2: "Hội B", 3: "Hội C", 4: "Hội D"}


def test_candidates_are_the_units_that_registered_and_leaders_are_everyone():
    titles = [t for t in DEFAULT_TITLES if t.voted]
    ballot = rules.prepare(titles=titles, members=[1, 2, 3, 4], registered={1: {"CO_TINH", "BK_UBND"}, 3: {"BK_UBND"}},
                           elect_leaders=True)
    assert [(e.code, e.quota, e.candidates) for e in ballot] == [
        ("CO_CP", 1, ()), ("CO_TINH", 1, (1,)), ("BK_UBND", 1, (1, 3)), ("LEAD", 1, (1, 2, 3, 4)),
        ("DEPUTY", 1, (1, 2, 3, 4))]
    assert all(e.added == () for e in ballot)
    added = rules.add_candidate(ballot, "BK_UBND", 2)
    assert added[2].candidates == (1, 3, 2) and added[2].added == (2,)
    assert rules.add_candidate(added, "BK_UBND", 2) == added  # once only


def test_the_blocs_quotas_replace_the_catalogues_on_the_title_lines_only():
    catalogue = Catalogue(DEFAULT_TITLES)
    own = catalogue.quotas(2025, 24, {"CO_TINH": 3, "BK_UBND": 12})
    assert (own["CO_CP"], own["CO_TINH"], own["BK_UBND"], own["TTLDXS"]) == (1, 3, 12, None)
    assert catalogue.quotas(2025, 24)["BK_UBND"] == 7  # 30 % of 24
    ballot = rules.prepare(titles=catalogue.voted(2025), members=[1, 2], registered={}, elect_leaders=True,
                           quotas=own)
    assert [(e.code, e.quota) for e in ballot] == [("CO_CP", 1), ("CO_TINH", 3), ("BK_UBND", 12), ("LEAD", 1),
                                                         ("DEPUTY", 1)]
    changed = rules.with_quotas(ballot, {"CO_TINH": 2, "LEAD": 5})
    assert [(e.code, e.quota) for e in changed] == [("CO_CP", 1), ("CO_TINH", 2), ("BK_UBND", 12),
                                                          ("LEAD", 1), ("DEPUTY", 1)]
    assert [t.code for t in catalogue.quota_titles(2025)] == ["CO_CP", "CO_TINH", "BK_UBND"]


def test_choices_respect_candidates_quota_and_self_vote():
    entry = rules.BallotLine("BK_UBND", 2, (1, 2, 3))
    choices = rules.toggle({}, entry, 2, voter=1, rules=RULES)
    choices = rules.toggle(choices, entry, 3, voter=1, rules=RULES)
    with pytest.raises(rules.ChoiceError) as over:
        rules.toggle(choices, entry, 1, voter=4, rules=RULES)
    assert over.value.code == "over_quota" and over.value.details == {"quota": 2}
    with pytest.raises(rules.ChoiceError) as own:
        rules.toggle({}, entry, 1, voter=1, rules=RULES)
    assert own.value.code == "self_vote"
    with pytest.raises(rules.ChoiceError) as stranger:
        rules.toggle({}, entry, 4, voter=1, rules=RULES)
    assert stranger.value.code == "not_candidate"
    assert rules.toggle(choices, entry, 2, voter=1, rules=RULES) == {"BK_UBND": [3]}  # pressed again: unchosen
    assert rules.check_ballot([entry], {"BK_UBND": [1, 2, 3]}, voter=4, rules=RULES) == "over_quota"
    assert rules.check_ballot([entry], {"BK_UBND": [1]}, voter=1, rules=RULES) == "not_candidate"
    assert rules.check_ballot([entry], {"OTHER": [1]}, voter=4, rules=RULES) == "not_candidate"
    assert rules.check_ballot([entry], {"BK_UBND": [2, 3]}, voter=1, rules=RULES) is None


def _outcome(box, *, decisions=None, history=None, catalogue=Catalogue(DEFAULT_TITLES), ballot=None, scores=None):
    ballot = ballot or [rules.BallotLine("CO_TINH", 1, (1, 2), added=(2,)),
                        rules.BallotLine("CO_CP", 1, (1, 2)),
                        rules.BallotLine("LEAD", 1, (1, 2, 3, 4)),
                        rules.BallotLine("DEPUTY", 1, (1, 2, 3, 4))]
    return {o.code: o for o in rules.outcome(
        ballot=ballot, box=box, issued=4, rules=RULES, names=NAMES, scores=scores or {}, catalogue=catalogue,
        decisions=decisions or {}, history=history or {}, year=2025)}


def test_outcome_notes_exceptions_the_government_flag_check_and_leaders():
    box = {"CO_TINH": rules.BoxTitle({1: 3, 2: 1}, 4), "CO_CP": rules.BoxTitle({1: 1, 2: 3}, 4),
           "LEAD": rules.BoxTitle({1: 3, 2: 1}, 4), "DEPUTY": rules.BoxTitle({1: 3, 3: 1}, 4)}
    out = _outcome(box)
    co_tinh = out["CO_TINH"]
    assert [(line.unit, line.votes, line.percent, line.selected) for line in co_tinh.lines] == [
        ("Hội A", 3, 75.0, True), ("Hội B", 1, 25.0, False)]
    assert [n.code for n in co_tinh.lines[1].notes] == [NoteCode.ADDED, NoteCode.BELOW_THRESHOLD]
    # Hội B is the Government flag's nominee but not the provincial flag's: warned.
    co_cp_b = out["CO_CP"].selected[0]
    assert co_cp_b.unit == "Hội B" and co_cp_b.notes[-1].code is NoteCode.NOT_PROVINCIAL_NOMINEE
    assert rules.elected(list(out.values()), "LEAD") == "Hội A"
    # Hội A leads, so its votes for deputy do not count: nobody passes 50 % for deputy.
    assert rules.elected(list(out.values()), "DEPUTY") is None
    assert "Hội A" not in [line.unit for line in out["DEPUTY"].lines]


def test_an_unresolved_tie_until_the_meeting_decides():
    ballot = [rules.BallotLine("BK_UBND", 1, (1, 2, 3))]
    box = {"BK_UBND": rules.BoxTitle({1: 3, 2: 3, 3: 0}, 4)}
    tied = _outcome(box, ballot=ballot, scores={1: 90, 2: 90})["BK_UBND"]
    assert [line.unit for line in tied.unresolved] == ["Hội A", "Hội B"] and not tied.selected
    decided = _outcome(box, ballot=ballot, scores={1: 90, 2: 90}, decisions={"BK_UBND": [2]})["BK_UBND"]
    assert [line.unit for line in decided.selected] == ["Hội B"] and not decided.unresolved
    assert NoteCode.DECIDED_BY_MEETING in [n.code for n in decided.selected[0].notes]
    by_score = _outcome(box, ballot=ballot, scores={1: 91, 2: 90})["BK_UBND"]
    assert [line.unit for line in by_score.selected] == ["Hội A"]
    # Each unit's note says what happened to it: Hội A went up on its score, Hội B down.
    assert [n.code for n in by_score.lines[0].notes] == [NoteCode.TIE_WON_BY_SCORE]
    assert [n.code for n in by_score.lines[1].notes] == [NoteCode.TIE_LOST_BY_SCORE]


def test_a_title_that_needs_earlier_years_warns_when_the_unit_lacks_them():
    flag = Title("CO_CP", "Cờ thi đua của Chính phủ", TitleKind.COLLECTIVE, voted=True, quota=1,
                 needs_years=2, needs_results=("CO_TINH",))
    catalogue = Catalogue((flag, *[t for t in DEFAULT_TITLES if t.code != "CO_CP"]))
    ballot = [rules.BallotLine("CO_CP", 1, (1, 2))]
    box = {"CO_CP": rules.BoxTitle({1: 3, 2: 1}, 4)}
    history = {1: {2024: {"CO_TINH"}}, 2: {2023: {"CO_TINH"}, 2024: {"CO_TINH"}}}
    out = _outcome(box, ballot=ballot, catalogue=catalogue, history=history)["CO_CP"]
    a, b = out.lines
    missing = [n for n in a.notes if n.code is NoteCode.MISSING_YEARS]
    assert missing and missing[0].years == (2023,) and "Cờ thi đua của Ủy ban nhân dân tỉnh" in missing[0].title
    assert not [n for n in b.notes if n.code is NoteCode.MISSING_YEARS]


def test_a_ballot_line_reads_and_writes_the_shape_the_vote_row_holds():
    line = rules.BallotLine("BK_UBND", 2, (3, 1), added=(1,))
    assert line.as_dict() == {"code": "BK_UBND", "quota": 2, "candidates": [3, 1], "added": [1]}
    assert rules.BallotLine.from_dict(line.as_dict()) == line
    # Ids as JSON may hand them back (strings, a line with no exception listed): read as the line.
    assert rules.BallotLine.from_dict({"code": "LEAD", "quota": "1", "candidates": ["1", "2"]}) == \
        rules.BallotLine("LEAD", 1, (1, 2), added=())
