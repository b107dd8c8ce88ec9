"""What a reminder says is left before its milestone, from the moment it is really sent."""

from __future__ import annotations

from datetime import datetime

import pytest

from domain.reminders import time_left
from khoibot.render import Renderer
from tests.conftest import TZ

AT = datetime(2025, 3, 20, 14, 0, tzinfo=TZ)


@pytest.mark.parametrize(("now", "meeting", "days", "minutes", "said"), [
    (datetime(2025, 3, 13, 8, 0, tzinfo=TZ), True, 7, 0, "còn 7 ngày"),
    (datetime(2025, 3, 19, 8, 0, tzinfo=TZ), True, 1, 0, "còn 1 ngày"),
    (datetime(2025, 3, 20, 7, 30, tzinfo=TZ), True, 0, 390, "còn 6 giờ 30 phút"),
    (datetime(2025, 3, 20, 12, 0, tzinfo=TZ), True, 0, 120, "còn 2 giờ"),
    (datetime(2025, 3, 20, 12, 0, 0, 400000, tzinfo=TZ), True, 0, 120, "còn 2 giờ"),  # a send's split second
    (datetime(2025, 3, 20, 13, 50, tzinfo=TZ), True, 0, 10, "còn 10 phút"),
    (datetime(2025, 3, 20, 13, 50, tzinfo=TZ), False, 0, 10, "còn 10 phút"),
    (datetime(2025, 3, 20, 13, 55, tzinfo=TZ), True, 0, 5, "sắp bắt đầu"),
    (datetime(2025, 3, 20, 13, 55, tzinfo=TZ), False, 0, 5, "sắp đến hạn"),
    (datetime(2025, 3, 19, 19, 0, tzinfo=TZ), True, 0, 19 * 60, "còn 19 giờ"),  # under a day: hours
    (datetime(2025, 3, 20, 14, 5, tzinfo=TZ), True, 0, 0, "sắp bắt đầu"),
])
def test_time_left(now, meeting, days, minutes, said):
    left = time_left(now=now, at=AT, tz=TZ, meeting=meeting)
    assert (left.days, left.minutes) == (days, minutes)
    assert Renderer(TZ).plain("reminders.left", time=left) == said


def test_a_later_reminder_of_the_same_milestone_supersedes_an_earlier_one():
    from domain.reminders import superseded
    at = lambda hour: datetime(2025, 3, 20, hour, tzinfo=TZ)  # noqa: E731
    pending = [(1, 10, at(0)), (2, 10, at(5)), (3, 11, at(1)), (4, 10, at(3))]
    assert superseded(pending) == {1, 4}
    assert superseded([(3, 11, at(1))]) == set()
