from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, strategies as st

from domain.dates import (
    DEFAULT_TZ, DateParseError, ParsedDateTime, document_date, document_date_line,
    fmt_date, fmt_datetime, fmt_time, is_past, parse_vn_datetime,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2025, 3, 10, 9, 0, tzinfo=VN)


def parse(text, now=NOW, **kw):
    return parse_vn_datetime(text, now=now, tz=VN, **kw)


# --- formatting -----------------------------------------------------------------

def test_default_tz_is_vietnam():
    assert DEFAULT_TZ.key == "Asia/Ho_Chi_Minh"


def test_fmt_date_and_time():
    assert fmt_date(date(2024, 1, 5)) == "05/01/2024"
    assert fmt_date(date(2024, 12, 20)) == "20/12/2024"
    assert fmt_time(datetime(2024, 1, 5, 14, 0)) == "14:00"
    assert fmt_time(time(8, 5)) == "08:05"


def test_fmt_datetime_converts_to_tz():
    utc = datetime(2024, 1, 5, 7, 0, tzinfo=timezone.utc)
    assert fmt_datetime(utc, tz=VN) == "14:00 ngày 05/01/2024"
    assert fmt_datetime(utc) == "14:00 ngày 05/01/2024"  # default zone is Vietnam
    assert fmt_datetime(utc, tz=ZoneInfo("UTC")) == "07:00 ngày 05/01/2024"
    # crossing midnight changes the date too
    late = datetime(2024, 12, 31, 18, 30, tzinfo=timezone.utc)
    assert fmt_datetime(late, tz=VN) == "01:30 ngày 01/01/2025"
    assert fmt_date(late, tz=VN) == "01/01/2025"


@pytest.mark.parametrize("d, expected", [
    (date(2024, 1, 5), "ngày 05 tháng 01 năm 2024"),
    (date(2025, 3, 3), "ngày 03 tháng 3 năm 2025"),
    (date(2024, 12, 20), "ngày 20 tháng 12 năm 2024"),
    (date(2025, 2, 9), "ngày 09 tháng 02 năm 2025"),
    (date(2025, 10, 10), "ngày 10 tháng 10 năm 2025"),
    (date(2025, 9, 30), "ngày 30 tháng 9 năm 2025"),
])
def test_document_date(d, expected):
    assert document_date(d) == expected


def test_document_date_line():
    assert document_date_line("Huế", date(2024, 1, 5)) == "Huế, ngày 05 tháng 01 năm 2024"
    aware = datetime(2024, 2, 29, 20, 0, tzinfo=timezone.utc)  # already 1/3 in Vietnam
    assert document_date_line("Lào Cai", aware) == "Lào Cai, ngày 01 tháng 3 năm 2024"


# --- parsing --------------------------------------------------------------------

@pytest.mark.parametrize("text, expected, has_time", [
    ("15/3/2025 14:00", datetime(2025, 3, 15, 14, 0), True),
    ("15/03/2025", datetime(2025, 3, 15, 0, 0), False),
    ("15/03", datetime(2025, 3, 15), False),
    ("15-3-2025", datetime(2025, 3, 15), False),
    ("15.3.2025", datetime(2025, 3, 15), False),
    ("15 – 3 – 2025", datetime(2025, 3, 15), False),
    ("14:00 15/3/2025", datetime(2025, 3, 15, 14, 0), True),
    ("14h 15/3", datetime(2025, 3, 15, 14, 0), True),
    ("14h30 ngày 15/3/2025", datetime(2025, 3, 15, 14, 30), True),
    ("ngày 15 tháng 3 năm 2025 lúc 8:30", datetime(2025, 3, 15, 8, 30), True),
    ("Ngày 15 tháng 3, lúc 8 giờ 30 phút", datetime(2025, 3, 15, 8, 30), True),
    ("8g30 15/3", datetime(2025, 3, 15, 8, 30), True),
    ("15/3/25", datetime(2025, 3, 15), False),
    ("20/12/24 7h", datetime(2024, 12, 20, 7, 0), True),
    ("2h chiều 15/3", datetime(2025, 3, 15, 14, 0), True),
    ("8h tối thứ 7, 15/3", datetime(2025, 3, 15, 20, 0), True),
    ("2025-03-15 14:00", datetime(2025, 3, 15, 14, 0), True),
    ("14:00 ngày 05/01/2024", datetime(2024, 1, 5, 14, 0), True),
    (" 15/3\u00a0 lúc 23:59 ", datetime(2025, 3, 15, 23, 59), True),
])
def test_parse_accepted_forms(text, expected, has_time):
    r = parse(text)
    assert r == ParsedDateTime(expected.replace(tzinfo=VN), has_time)
    assert r.value.tzinfo is VN


def test_parse_without_year_is_next_occurrence():
    assert parse("10/3").value.date() == date(2025, 3, 10)  # today counts
    assert parse("9/3").value.date() == date(2026, 3, 9)    # yesterday -> next year
    assert parse("1/1").value.date() == date(2026, 1, 1)
    assert parse("29/2").value.date() == date(2028, 2, 29)  # next leap year


def test_parse_today_is_taken_in_tz():
    # 20:00 UTC on 9/3 is already 03:00 on 10/3 in Vietnam
    now = datetime(2025, 3, 9, 20, 0, tzinfo=timezone.utc)
    assert parse("10/3", now=now).value.date() == date(2025, 3, 10)
    assert parse("9/3", now=now).value.date() == date(2026, 3, 9)


def test_parse_default_time():
    r = parse("15/3/2025", default_time=time(17, 0))
    assert r.value == datetime(2025, 3, 15, 17, 0, tzinfo=VN) and not r.has_time
    r = parse("15/3/2025 8:00", default_time=time(17, 0))
    assert r.value.hour == 8 and r.has_time


def test_parsed_is_frozen():
    r = parse("15/3/2025")
    with pytest.raises(AttributeError):
        r.value = NOW  # type: ignore[misc]


@pytest.mark.parametrize("text", [
    "31/2", "30/02/2025", "31/4/2025", "0/3/2025", "15/13/2025", "29/2/2025",
    "25:00 15/3", "12:61 15/3", "24h 15/3", "ngày 32 tháng 1 năm 2025",
])
def test_parse_impossible(text):
    with pytest.raises(DateParseError) as e:
        parse(text)
    assert e.value.code == "impossible"
    assert e.value.text == text


@pytest.mark.parametrize("text", [
    "", "hello", "mai", "14:00", "15/3/202", "15/3 16/3", "14:00 15:00 15/3",
    "15/3 hạn chót", "15/3/2025 và 16/3/2025", "14h 15/3 14 giờ", "15/3/2025/1",
])
def test_parse_unreadable(text):
    with pytest.raises(DateParseError) as e:
        parse(text)
    assert e.value.code == "format"


def test_is_past():
    assert is_past(NOW - timedelta(minutes=1), NOW)
    assert not is_past(NOW, NOW)
    assert not is_past(parse("11/3").value, NOW)
    assert is_past(parse("10/3 8:00").value, NOW)  # today, but earlier


minutes = st.datetimes(
    min_value=datetime(1900, 1, 1), max_value=datetime(2200, 12, 31),
).map(lambda d: d.replace(second=0, microsecond=0, tzinfo=VN))


@given(minutes)
def test_round_trip_fmt_datetime(dt):
    r = parse(fmt_datetime(dt))
    assert r == ParsedDateTime(dt, True)


@given(minutes)
def test_round_trip_fmt_date(dt):
    r = parse(fmt_date(dt))
    assert r.value == datetime.combine(dt.date(), time(0), tzinfo=VN) and not r.has_time


@given(st.dates(min_value=date(1000, 1, 1)))
def test_document_date_padding_rule(d):
    day, month, year = document_date(d).removeprefix("ngày ").split(" tháng ")[0], \
        *document_date(d).split(" tháng ")[1].split(" năm ")
    assert int(day) == d.day and len(day) == 2
    assert int(month) == d.month and len(month) == (2 if d.month <= 2 else len(str(d.month)))
    assert int(year) == d.year


def test_a_meeting_answer_splits_into_time_and_place():
    from domain.milestones import split_place

    assert split_place("14:00 15/7/2025, Hội trường Liên hiệp các Hội") == (
        "14:00 15/7/2025", "Hội trường Liên hiệp các Hội")
    assert split_place("8h ngày 15/7/2025 tại Hội Chữ thập đỏ tỉnh") == ("8h ngày 15/7/2025", "Hội Chữ thập đỏ tỉnh")
    assert split_place("31/3/2025") == ("31/3/2025", "")


def test_the_reminder_hour_as_typed():
    from domain.milestones import parse_hour

    assert [parse_hour(t) for t in ("8", "14h", "14:00", "9 giờ", "23", "5", "tám giờ")] == [
        8, 14, 14, 9, None, None, None]
