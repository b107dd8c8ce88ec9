"""Pure rules for what people type: shortening names, blank-looking and look-alike
characters, whole numbers of people, accepted years and the examples prompts give."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, strategies as st

from domain.dates import accepted_years
from domain.milestones import Kind, example
from domain.registration import InputError, parse_people
from domain.roster import name_problem, plan_additions
from domain.text import clean, fold, shorten

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


# --- shorten -------------------------------------------------------------------

@pytest.mark.parametrize(("text", "limit", "short"), [
    ("Hội Người khuyết tật – Bảo trợ người khuyết tật và trẻ mồ côi", 31, "Hội Người khuyết tật – Bảo trợ…"),
    ("Hội Người khuyết tật – Bảo trợ người khuyết tật và trẻ mồ côi", 30, "Hội Người khuyết tật – Bảo…"),
    ("Hội Người khuyết tật – Bảo trợ người khuyết tật và trẻ mồ côi", 24, "Hội Người khuyết tật…"),  # no dangling dash
    ("Khối thi đua MTTQ, các tổ chức chính trị - xã hội tỉnh", 20, "Khối thi đua MTTQ…"),  # no dangling comma
    ("Hội Chữ thập đỏ", 15, "Hội Chữ thập đỏ"),
    ("Hội Chữ thập đỏ", 14, "Hội Chữ thập…"),
    ("Liênhiệpcáchội", 8, "Liênhiệ…"),  # one word: cut inside it, still marked
])
def test_shorten_cuts_at_a_word(text, limit, short):
    assert shorten(text, limit) == short


@given(st.text(st.sampled_from(list("aăâđ bcỏ–,")), max_size=80), st.integers(2, 70))
def test_shorten_never_exceeds_and_keeps_a_prefix(text, limit):
    short = shorten(text, limit)
    assert len(short) <= limit
    if short.endswith("…") and short != text.strip():
        assert text.strip().startswith(short[:-1])
    else:
        assert short == text.strip()


# --- blank-looking, invisible and look-alike characters ---------------------------------

@pytest.mark.parametrize("blank", ["\u3164", "\uffa0", "\u115f", "\u1160", "\u2800", "\u3000", "\u2003"])
def test_blank_looking_characters_are_spaces(blank):
    assert clean(f"Hội{blank}Chữ thập đỏ{blank}") == "Hội Chữ thập đỏ"
    assert clean(blank * 3) == ""


@pytest.mark.parametrize("invisible", ["\u200b", "\u200d", "\u2060", "\ufeff", "\u034f", "\ufe0f", "\u00ad"])
def test_invisible_characters_are_dropped(invisible):
    assert clean(f"Hội Chữ{invisible} thập đỏ") == "Hội Chữ thập đỏ"


@pytest.mark.parametrize("lookalike", [
    "Hội Chữ thập đ\u043e\u0309",   # Cyrillic о
    "Hội \u0421hữ thập đỏ",          # Cyrillic С
    "H\u043ei Chữ th\u0430p đỏ",     # Cyrillic о, а (without their accents)
    "Hội Chữ thập đỏ".upper().replace("H", "\u0397"),  # Greek Η
    "Ｈội Ｃhữ thập đỏ",             # full-width
])
def test_look_alikes_fold_to_the_same_name(lookalike):
    assert fold(lookalike) == fold("Hội Chữ thập đỏ")


def test_a_name_of_fillers_is_refused_and_counted():
    assert name_problem("\u3164\u3164") == "invisible"
    assert name_problem("Hội Chữ thập đỏ\u3164") is None
    plan = plan_additions("Hội A B\n\u3164\n\u2800\u2800\n", {}, 100)
    assert plan.invisible == 2 and plan.refused


# --- numbers of people ------------------------------------------------------------------

@pytest.mark.parametrize(("typed", "code"), [
    ("2,5", "people_not_whole"), ("1e3", "people_not_whole"), ("10^12", "people_not_whole"),
    ("3.7 người", "people_not_whole"), ("1/2", "people_not_whole"),
    ("²", "people_not_number"), ("٣", "people_not_number"), ("2x", "people_not_number"),
    ("2: 5", "person_name_not_a_name"), ("10000000", "people_too_many"),
])
def test_numbers_that_are_not_whole_numbers_of_people(typed, code):
    with pytest.raises(InputError) as refused:
        parse_people(typed)
    assert refused.value.code == code


@pytest.mark.parametrize(("typed", "read"), [
    ("2", (2, [])), ("2 người", (2, [])), ("2 nguoi", (2, [])), ("0", (0, [])),
    ("2: Nguyễn Văn An, Trần Thị Bình", (2, ["Nguyễn Văn An", "Trần Thị Bình"])),
    ("2, Nguyễn Văn An", (2, ["Nguyễn Văn An"])), ("1 - Lê Văn Cường", (1, ["Lê Văn Cường"])),
    ("2\nNguyễn Văn An\nTrần Thị Bình", (2, ["Nguyễn Văn An", "Trần Thị Bình"])),
])
def test_whole_numbers_of_people(typed, read):
    assert parse_people(typed) == read


# --- dates ------------------------------------------------------------------------------

def test_accepted_years_span_the_blocs_year_and_this_year():
    assert accepted_years(2025, 2025) == (2024, 2026)
    assert accepted_years(2024, 2026) == (2023, 2027)  # a late bloc, closing its year
    assert accepted_years(2027, 2026) == (2025, 2028)


def local(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


@pytest.mark.parametrize(("kind", "year", "now", "shown"), [
    (Kind.REGISTRATION_DEADLINE, 2025, local(2025, 2, 10, 9), local(2025, 3, 31, 17)),
    (Kind.REGISTRATION_DEADLINE, 2023, local(2023, 1, 2, 9), local(2023, 3, 31, 17)),
    (Kind.MIDYEAR_MEETING, 2026, local(2026, 1, 5, 9), local(2026, 7, 15, 14)),
    (Kind.BALLOT_DEADLINE, 2025, local(2025, 11, 20, 9), local(2025, 12, 10, 16, 30)),
    # Past the usual day, or a bloc whose year is over: a week from today.
    (Kind.REGISTRATION_DEADLINE, 2025, local(2025, 8, 20, 9), local(2025, 8, 27, 17)),
    (Kind.BALLOT_DEADLINE, 2025, local(2025, 12, 28, 9), local(2026, 1, 4, 16, 30)),
    (Kind.YEAREND_MEETING, 2024, local(2025, 1, 10, 9), local(2025, 1, 17, 14)),
])
def test_examples_are_to_come(kind, year, now, shown):
    at = example(kind, year=year, now=now)
    assert at == shown and at > now
