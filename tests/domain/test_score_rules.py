"""Reading typed points, tables and adjustments; checking points against the table;
writing numbers the Vietnamese way."""

import pytest

from domain.scores import (Criterion, ScoreError, check, effective, fmt_points, max_total, parse_adjustment,
                           parse_points, parse_table, total)

TABLE = [Criterion("Thực hiện nhiệm vụ chính trị, chuyên môn được giao", 50),
         Criterion("Tổ chức phong trào thi đua, công tác khen thưởng", 20),
         Criterion("Điểm thưởng", 7.5)]


@pytest.mark.parametrize("typed", ["45\n18\n7,5", "45;18;7.5", "45 ; 18 ; 7,5", "  45  18\t7.5 ", "45\n\n18;\n7,50",
                                   "+45\n18\n7,5", "45\u00a0;\u200b18\r\n7,5"])
def test_points_one_per_line_or_separated_with_either_decimal_mark(typed):
    assert parse_points(typed) == [45, 18, 7.5]


@pytest.mark.parametrize("typed, bad, position", [("45\nmười\n5", "mười", 2), ("45\n18đ\n5", "18đ", 2),
                                                  ("45,\n18", "45,", 1), ("9,125", "9,125", 1),
                                                  ("45/50", "45/50", 1), ("1.000,5", "1.000,5", 1)])
def test_what_is_not_a_number_is_named_with_its_place(typed, bad, position):
    with pytest.raises(ScoreError) as error:
        parse_points(typed)
    assert error.value.code == "not_number"
    assert error.value.details == {"text": bad, "position": position}


@pytest.mark.parametrize("typed", ["", "  \n ;; \n"])
def test_nothing_typed(typed):
    with pytest.raises(ScoreError) as error:
        parse_points(typed)
    assert error.value.code == "empty"


def test_points_within_the_table_are_taken():
    assert check([50, 0, 7.5], TABLE) == [50, 0, 7.5]


@pytest.mark.parametrize("points, code, details", [
    ([45, 18], "count", {"expected": 3, "got": 2}),
    ([45, 18, 5, 1], "count", {"expected": 3, "got": 4}),
    ([45, -1, 5], "negative", {"position": 2, "criterion": TABLE[1].name, "value": -1}),
    ([50.5, 18, 5], "above_max", {"position": 1, "criterion": TABLE[0].name, "maximum": 50, "value": 50.5}),
    ([45, 18, 8], "above_max", {"position": 3, "criterion": "Điểm thưởng", "maximum": 7.5, "value": 8}),
])
def test_points_that_do_not_fit_are_refused_naming_the_criterion(points, code, details):
    with pytest.raises(ScoreError) as error:
        check(points, TABLE)
    assert error.value.code == code and error.value.details == details


@pytest.mark.parametrize("value, shown", [(95.5, "95,5"), (95.0, "95"), (100, "100"), (0, "0"), (9.25, "9,25"),
                                          (0.1 + 0.2, "0,3"), (-2, "-2"), (None, "")])
def test_numbers_are_written_the_vietnamese_way(value, shown):
    assert fmt_points(value) == shown


def test_totals_count_the_secretarys_adjustment_first():
    assert effective(45, None) == 45 and effective(45, 40) == 40 and effective(None, None) is None
    assert total([45, None, 9.5]) == 54.5 and total([None, None]) is None
    assert max_total(TABLE) == 77.5


def test_a_typed_points_table():
    table = parse_table("Hoàn thành nhiệm vụ được giao | 60\n\n  Phong trào thi đua|30 \nĐiểm thưởng | 7,5")
    assert table == [Criterion("Hoàn thành nhiệm vụ được giao", 60), Criterion("Phong trào thi đua", 30),
                     Criterion("Điểm thưởng", 7.5)]


def test_a_criterion_name_may_contain_a_bar():
    assert parse_table("Công tác A | B | 10") == [Criterion("Công tác A | B", 10)]


@pytest.mark.parametrize("typed, code, number", [
    ("", "table_empty", None),
    ("Nhiệm vụ 60", "table_line", 1),
    ("Nhiệm vụ | 60\n| 30", "table_line", 2),
    ("Nhiệm vụ | 60\nA | 30", "table_name", 2),
    ("Nhiệm vụ | sáu mươi", "table_max", 1),
    ("Nhiệm vụ | 0", "table_max", 1),
    ("Nhiệm vụ | 1001", "table_max", 1),
    ("Nhiệm vụ | 60\nnhiem  vu | 30", "table_duplicate", 2),
    ("\n".join(f"Tiêu chí {i} | 1" for i in range(31)), "table_too_many", None),
])
def test_a_bad_points_table_names_its_line(typed, code, number):
    with pytest.raises(ScoreError) as error:
        parse_table(typed)
    assert error.value.code == code
    assert error.value.details.get("number") == number


def test_an_adjustment_has_a_unit_points_and_a_reason():
    typed = parse_adjustment("Hội Khuyến học\n40; 18; 14; 9,5; 5\nLý do: theo biên bản kiểm tra")
    assert (typed.unit, typed.points, typed.reason) == ("Hội Khuyến học", "40; 18; 14; 9,5; 5",
                                                       "theo biên bản kiểm tra")
    assert parse_points(typed.points) == [40, 18, 14, 9.5, 5]
    # Points one per line, the reason without accents or over two lines.
    typed = parse_adjustment("Hội Khuyến học\n40\n18\nly do theo biên bản\nkiểm tra ngày 5/12")
    assert typed.points == "40\n18" and typed.reason == "theo biên bản kiểm tra ngày 5/12"
    assert parse_adjustment("Hội Khuyến học\n40\nLÝ DO: sai sót").reason == "sai sót"


@pytest.mark.parametrize("typed, code", [
    ("Hội Khuyến học\n40; 18; 14; 9,5; 5", "no_reason"),
    ("Hội Khuyến học\n40; 18; 14; 9,5; 5\nLý do:", "no_reason"),
    ("Hội Khuyến học\n40; 18; 14; 9,5; 5\ntheo biên bản", "no_reason"),
    ("Lý do: theo biên bản", "no_reason"),  # the first line is always the unit's name
    ("Hội Khuyến học\nLý do: theo biên bản", "adjust_no_points"),
    ("", "adjust_empty"),
    ("Hội Khuyến học\n40\nLý do: " + "x" * 501, "reason_too_long"),
])
def test_an_adjustment_without_a_reason_or_points_is_refused(typed, code):
    with pytest.raises(ScoreError) as error:
        parse_adjustment(typed)
    assert error.value.code == code
