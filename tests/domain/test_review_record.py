"""What the secretary types for the minutes, as the minutes take it: who chaired."""

from __future__ import annotations

from domain.review import clean_chair


def test_the_chair_is_a_name_with_or_without_what_they_are():
    assert clean_chair("  Nguyễn   Văn An ") == "Nguyễn Văn An"
    assert clean_chair("Lê Thị Hoa,  Phó Chủ tịch Hội Nông dân tỉnh") == "Lê Thị Hoa, Phó Chủ tịch Hội Nông dân tỉnh"


def test_what_is_no_name_or_too_long_for_the_minutes_is_refused():
    assert clean_chair("") is None
    assert clean_chair("   ") is None
    assert clean_chair(", Chủ tịch") is None  # what they are, without a name
    assert clean_chair("123, 456") is None  # no letter in the name
    assert clean_chair("Nguyễn Văn An, " + "Phó Chủ tịch " * 20) is None  # over 200 characters
    assert clean_chair("Nguyễn Văn An, " + "x" * 185) is not None  # exactly 200
