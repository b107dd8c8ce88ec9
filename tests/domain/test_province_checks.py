"""The province's checks across blocs (domain/province_checks.py): each of the five kinds of
rule, read as an officer reads the warnings, with their numbers and sources. Pure."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from domain.province_checks import Proposal, check, dossier_due_at
from domain.provinces import Rule, RuleKind

VN = ZoneInfo("Asia/Ho_Chi_Minh")
LAW = "Luật Thi đua, khen thưởng 2022, Điều 26"
DECISION = "Quyết định 12/2024/QĐ-UBND, Điều 8"


def p(title, bloc_id, unit_id, unit, bloc=None):
    return Proposal(title=title, bloc_id=bloc_id, bloc=bloc or f"Khối {bloc_id}", unit_id=unit_id, unit=unit)


def test_a_cap_warns_every_proposal_for_the_title_once_the_province_passes_it():
    rule = Rule("CAP_CP", RuleKind.CAP, DECISION, title="CO_CP", limit=2)
    proposals = [p("CO_CP", 1, 1, "Hội A"), p("CO_CP", 2, 2, "Hội B"), p("CO_CP", 2, 3, "Hội C"),
                 p("CO_TINH", 1, 1, "Hội A")]
    warnings = check([rule], proposals, year=2025)
    assert [len(w) for w in warnings] == [1, 1, 1, 0]
    assert (warnings[0][0].count, warnings[0][0].limit, warnings[0][0].source) == (3, 2, DECISION)
    assert check([rule], proposals[:2], year=2025) == [[], []]


def test_a_share_counts_against_the_units_proposed_for_the_other_title():
    rule = Rule("SHARE_CP", RuleKind.SHARE, LAW, title="CO_CP", percent=20, of_title="CO_TINH")
    flags = [p("CO_TINH", b, b, f"Hội {b}") for b in range(1, 10)]  # 9 provincial flags: 20 % is 1
    proposals = [*flags, p("CO_CP", 1, 1, "Hội 1"), p("CO_CP", 2, 2, "Hội 2")]
    warned = check([rule], proposals, year=2025)[-1][0]
    assert (warned.count, warned.limit, warned.base, warned.percent) == (2, 1, 9, 20)
    assert check([rule], [*flags, p("CO_CP", 1, 1, "Hội 1")], year=2025)[-1] == []


def test_a_government_flag_nominee_must_be_its_blocs_provincial_flag_nominee():
    rule = Rule("CP_FROM_TINH", RuleKind.ALSO_NOMINEE, LAW, title="CO_CP", of_title="CO_TINH")
    proposals = [p("CO_TINH", 1, 1, "Hội A"), p("CO_CP", 1, 1, "Hội A"),
                 p("CO_TINH", 2, 5, "Hội E"), p("CO_CP", 2, 6, "Hội F")]
    warnings = check([rule], proposals, year=2025)
    assert [bool(w) for w in warnings] == [False, False, False, True]
    assert warnings[3][0].of_title == "CO_TINH"


def test_a_unit_proposed_by_two_blocs_is_the_same_unit_whatever_its_accents_or_case():
    rule = Rule("ONE", RuleKind.ONE_BLOC, DECISION)
    proposals = [p("BK_UBND", 1, 1, "Hội Chữ thập đỏ", "Khối các Tổ chức xã hội"),
                 p("BK_UBND", 2, 9, "hội chữ thập  ĐỎ", "Khối số 3"),
                 p("BK_UBND", 2, 10, "Hội Người cao tuổi", "Khối số 3")]
    warnings = check([rule], proposals, year=2025)
    assert warnings[0][0].other_blocs == ("Khối số 3",)
    assert warnings[1][0].other_blocs == ("Khối các Tổ chức xã hội",)
    assert warnings[2] == []


def test_a_nominee_lacking_consecutive_years_is_told_which_years_are_missing():
    rule = Rule("TWO_YEARS", RuleKind.CONSECUTIVE, LAW, title="CO_TINH", years=2, results=("BK_UBND", "CO_TINH"))
    proposals = [p("CO_TINH", 1, 1, "Hội A"), p("CO_TINH", 2, 2, "Hội B")]
    history = {1: {2023: {"BK_UBND"}, 2024: {"CO_TINH"}}, 2: {2023: {"BK_UBND"}}}
    warnings = check([rule], proposals, year=2025, history=history)
    assert warnings[0] == []
    assert (warnings[1][0].found, warnings[1][0].needed, warnings[1][0].missing) == (0, 2, (2024,))


def test_rules_out_of_effect_that_year_say_nothing():
    rule = Rule("OLD_CAP", RuleKind.CAP, DECISION, title="CO_CP", limit=0, to_year=2023)
    assert check([rule], [p("CO_CP", 1, 1, "Hội A")], year=2025) == [[]]
    assert check([rule], [p("CO_CP", 1, 1, "Hội A")], year=2023)[0][0].limit == 0


def test_the_dossier_due_date_is_the_provinces_day_and_hour_of_the_year():
    assert dossier_due_at("20/12 17:00", 2025, VN) == datetime(2025, 12, 20, 17, 0, tzinfo=VN)
    assert dossier_due_at("", 2025, VN) is None
    assert dossier_due_at("31/02 17:00", 2025, VN) is None
