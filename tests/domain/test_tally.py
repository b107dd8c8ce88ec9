"""Counting the secret ballot, checked against tallies computed by hand."""

from domain.tally import Base, BallotRules, Candidate, tally

HUE = ["Liên hiệp các Hội Khoa học và Kỹ thuật", "Hội Chữ thập đỏ", "Hội Khuyến học", "Hội Nhà báo",
       "Hội Người mù", "Hội Luật gia", "Hội Đông y"]
SCORES = {0: 96.5, 1: 95.0, 2: 94.0, 3: 94.0, 4: 92.0, 5: 90.0, 6: 90.0}


def candidates(indexes):
    return [Candidate(i, HUE[i], SCORES[i]) for i in indexes]


def test_provincial_flag_quota_one_among_twelve_members():
    # 11 of 12 units vote: 8 for unit 0, 2 for unit 1, 1 blank; one ballot names two (invalid).
    ballots = [[0]] * 8 + [[1]] * 2 + [[]] + [[0, 1]]
    t = tally(candidates=candidates([0, 1]), ballots=ballots, issued=12, quota=1, rules=BallotRules())
    assert (t.issued, t.returned, t.valid) == (12, 12, 11)
    by_name = {r.candidate.name: r for r in t.results}
    assert by_name[HUE[0]].votes == 8 and by_name[HUE[0]].percent == 66.67 and by_name[HUE[0]].passed
    assert by_name[HUE[1]].votes == 2 and not by_name[HUE[1]].passed
    assert [r.candidate.name for r in t.selected] == [HUE[0]]


def test_bang_khen_quota_four_with_tied_units_that_both_fit():
    # Units 1..6 are candidates; 12 ballots issued, 11 returned and valid.
    ballots = ([[1, 2, 3, 4]] * 7 + [[1, 2, 3, 5]] * 2 + [[2, 3, 5, 6]] * 2)
    t = tally(candidates=candidates([1, 2, 3, 4, 5, 6]), ballots=ballots, issued=12, quota=4, rules=BallotRules())
    votes = {r.candidate.unit_id: r.votes for r in t.results}
    assert votes == {1: 9, 2: 11, 3: 11, 4: 7, 5: 4, 6: 2}
    # 2 and 3 tie on 11 votes and on score 94.0: both fit in the quota, so both are selected.
    # 4 has 7/12 = 58.3 % > 50 %: selected; 5 and 6 are under the threshold.
    assert sorted(r.candidate.unit_id for r in t.selected) == [1, 2, 3, 4]
    assert [r.candidate.unit_id for r in t.results][:4] == [2, 3, 1, 4]


def test_a_tie_at_the_edge_of_the_quota():
    # Quota 2: unit 0 clear first; units 5 and 6 tie on votes and on score (90.0) for the last seat.
    ballots = [[0, 5]] * 6 + [[0, 6]] * 6
    t = tally(candidates=candidates([0, 5, 6]), ballots=ballots, issued=12, quota=2,
              rules=BallotRules(threshold=40.0))
    assert [r.candidate.unit_id for r in t.selected] == [0]
    assert sorted(r.candidate.unit_id for r in t.unresolved) == [5, 6]


def test_a_tie_on_votes_broken_by_score():
    ballots = [[0, 2]] * 6 + [[0, 4]] * 6
    t = tally(candidates=candidates([0, 2, 4]), ballots=ballots, issued=12, quota=2,
              rules=BallotRules(threshold=40.0))
    assert [r.candidate.unit_id for r in t.selected] == [0, 2]  # 2 (94.0) beats 4 (92.0) on score
    loser = next(r for r in t.results if r.candidate.unit_id == 4)
    assert loser.tie_broken_by_score and not loser.selected and loser.passed


def test_the_24_unit_bloc_of_the_seed_with_quotas_1_3_12():
    members = 24
    units = [Candidate(i, f"Đơn vị {i:02d}", 100 - i) for i in range(members)]
    # Bằng khen, quota 12: candidates 0..15; every unit votes for 0..11, so 12 pass with 100 %.
    ballots = [list(range(12))] * members
    t = tally(candidates=units[:16], ballots=ballots, issued=members, quota=12, rules=BallotRules())
    assert len(t.selected) == 12 and all(r.percent == 100.0 for r in t.selected)
    # Provincial flag, quota 3, ≥ 70 % of those who voted: 20 voters.
    ballots = [[0, 1, 2]] * 14 + [[0, 1, 3]] * 6
    t = tally(candidates=units[:4], ballots=ballots, issued=members, quota=3,
              rules=BallotRules(threshold=70.0, strictly_more=False, base=Base.VOTERS))
    assert [r.percent for r in t.results] == [100.0, 100.0, 70.0, 30.0]
    assert [r.candidate.unit_id for r in t.selected] == [0, 1, 2]
    # Government flag, quota 1: a ballot with two names is invalid.
    t = tally(candidates=units[:2], ballots=[[0]] * 20 + [[0, 1]], issued=members, quota=1, rules=BallotRules())
    assert (t.returned, t.valid) == (21, 20)
    assert [r.candidate.unit_id for r in t.selected] == [0]


def test_ballots_naming_non_candidates_or_twice_the_same_are_invalid():
    t = tally(candidates=candidates([0, 1]), ballots=[[0, 0], [5], [1]], issued=3, quota=2, rules=BallotRules())
    assert t.valid == 1
