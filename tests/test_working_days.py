"""Reminders that fall on a day off go on the working day before, and the secretary sees the
move in /lich: the first day of Tết 2025, and a Saturday where the bloc chose not to be
reminded on weekends (by default it is)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select

from storage.models import Bloc, Reminder
from tests.conftest import TZ
from tests.samples import enrol, set_up_bloc

UNITS = ["Hội Chữ thập đỏ", "Hội Khuyến học", "Hội Luật gia"]


def local(day: int, month: int, hour: int = 8, minute: int = 0, year: int = 2025) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


async def set_deadline(secretary, group, answer: str) -> str:
    await secretary.send(group, "/lich")
    await secretary.press(group.last_bot_message(), "Đặt/dời: Hạn đăng ký thi đua")
    before = len(group.bot_messages())
    await secretary.reply(group.last_bot_message(), answer)
    return "\n".join(m.text for m in group.bot_messages()[before:])  # everything the bot said back


def planned(world) -> list[str]:
    with world.db.session() as s:
        rows = s.exec(select(Reminder).where(Reminder.status == "pending", Reminder.label != "close")
                      .order_by(Reminder.due_at)).all()
    return [r.due_at.astimezone(TZ).strftime("%d/%m %H:%M") for r in rows]


async def test_a_reminder_that_fell_on_the_first_day_of_tet_goes_on_the_working_day_before(world):
    world.clock.set(local(6, 1, 9))
    group, secretary = await set_up_bloc(world, units=UNITS)
    officers = await enrol(world, group, secretary, UNITS)
    # 7 days before 05/02/2025 is 29/01/2025, Mùng 1 Tết; 3 days before is 02/02, still Tết.
    said = await set_deadline(secretary, group, "5/2/2025")
    assert "Hạn đăng ký thi đua: 23:59 ngày 05/02/2025" in said
    assert planned(world) == ["24/01 08:00", "04/02 08:00"]

    await secretary.send(group, "/lich")
    schedule = group.last_bot_message().text
    assert "Nhắc ngày 24/01/2025 (dời từ 29/01/2025: Tết Nguyên đán)" in schedule
    assert "rơi vào ngày nghỉ" not in schedule  # 05/02 is a working day

    assert await world.run_reminders(local(24, 1, 7, 59)) == 0
    assert await world.run_reminders(local(24, 1, 8, 0)) == 1
    reminder = group.last_bot_message().text
    assert "Nhắc lịch — Hạn đăng ký thi đua (còn 12 ngày)" in reminder
    assert "Hội Chữ thập đỏ: đăng ký thi đua" in reminder
    dm = officers["Hội Luật gia"].private_chat.last_bot_message().text
    assert "Hạn đăng ký thi đua (còn 12 ngày): 23:59 ngày 05/02/2025" in dm
    messages = len(group.bot_messages())
    assert await world.run_reminders(local(29, 1, 9)) == 0  # nothing on Mùng 1 Tết
    assert len(group.bot_messages()) == messages


async def test_a_deadline_typed_on_a_holiday_stays_and_lich_names_the_holiday(world):
    group, secretary = await set_up_bloc(world, units=UNITS)
    said = await set_deadline(secretary, group, "30/4/2025")
    assert "Hạn đăng ký thi đua: 23:59 ngày 30/04/2025" in said  # what the secretary typed is kept
    await secretary.send(group, "/lich")
    schedule = group.last_bot_message().text
    assert ("Hạn đăng ký thi đua: 23:59 ngày 30/04/2025 (rơi vào ngày nghỉ: "
            "Ngày Giải phóng miền Nam, thống nhất đất nước)") in schedule
    # 1 day before is 29/04, a working day; 3 days before is Sunday 27/04, a weekend the bloc works.
    assert planned(world) == ["23/04 08:00", "27/04 08:00", "29/04 08:00"]


async def test_a_saturday_reminder_moves_to_friday_only_where_the_bloc_chose_so(world):
    group, secretary = await set_up_bloc(world, units=UNITS)
    await enrol(world, group, secretary, UNITS)
    # 3 days before Tuesday 25/03/2025 is Saturday 22/03.
    await set_deadline(secretary, group, "25/3/2025")
    assert planned(world) == ["18/03 08:00", "22/03 08:00", "24/03 08:00"]
    await secretary.send(group, "/lich")
    schedule = group.last_bot_message()
    assert "khối vẫn nhắc cả thứ Bảy, Chủ nhật" in schedule.text
    assert "dời từ" not in schedule.text

    await secretary.press(schedule, "Không nhắc vào thứ Bảy, Chủ nhật")
    assert "Từ nay bot không nhắc vào thứ Bảy, Chủ nhật" in group.last_bot_message().text
    assert "Đã đổi ngày 1 lời nhắc" in group.last_bot_message().text
    assert planned(world) == ["18/03 08:00", "21/03 08:00", "24/03 08:00"]
    await secretary.send(group, "/lich")
    schedule = group.last_bot_message()
    assert "Nhắc ngày 21/03/2025 (dời từ 22/03/2025: thứ Bảy)" in schedule.text
    assert ["📅 Nhắc cả thứ Bảy, Chủ nhật"] in schedule.buttons

    assert await world.run_reminders(local(18, 3, 8, 0)) == 1
    assert await world.run_reminders(local(21, 3, 8, 0)) == 1
    assert "Nhắc lịch — Hạn đăng ký thi đua (còn 4 ngày)" in group.last_bot_message().text
    assert await world.run_reminders(local(22, 3, 9, 0)) == 0

    # Chosen back: the reminders ahead go on their own days again.
    await secretary.send(group, "/lich")
    await secretary.press(group.last_bot_message(), "Nhắc cả thứ Bảy, Chủ nhật")
    assert "Từ nay bot nhắc cả thứ Bảy, Chủ nhật" in group.last_bot_message().text
    assert planned(world) == ["24/03 08:00"]


async def test_only_a_secretary_chooses_the_weekends(world):
    group, secretary = await set_up_bloc(world, units=UNITS)
    officer = (await enrol(world, group, secretary, UNITS[:1]))[UNITS[0]]
    group.add_member(officer)
    await secretary.send(group, "/lich")
    await officer.press(group.last_bot_message(), "Không nhắc vào thứ Bảy, Chủ nhật")
    with world.db.session() as s:
        assert not s.exec(select(Bloc)).one().weekends_off


async def test_the_ballots_deadline_still_closes_it_after_the_weekends_or_the_hour_change(world):
    from tests.samples import voting_open

    units = ["Hội Chữ thập đỏ", "Hội Khuyến học", "Hội Luật gia"]
    group, secretary, _ = await voting_open(
        world, units, flag={"Hội Khuyến học"}, deadline="17:00 15/12/2025",
        flag_title="Cờ thi đua của Ủy ban nhân dân tỉnh", bk_title="Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh")
    await secretary.send(group, "/lich")
    await secretary.press(group.last_bot_message(), "Không nhắc vào thứ Bảy, Chủ nhật")
    await secretary.send(group, "/lich")
    await secretary.press(group.last_bot_message(), "Giờ gửi nhắc việc")
    await secretary.reply(group.last_bot_message(), "9")
    with world.db.session() as s:
        rows = s.exec(select(Reminder).where(Reminder.status == "pending").order_by(Reminder.due_at)).all()
    # 1 day before Monday 15/12 is Sunday 14/12: Friday 12/12, at the new hour; the close at the deadline.
    assert [(r.due_at.astimezone(TZ).strftime("%d/%m %H:%M"), r.label) for r in rows] == [
        ("12/12 09:00", "3d"), ("15/12 15:00", "2h"), ("15/12 17:00", "close")]
