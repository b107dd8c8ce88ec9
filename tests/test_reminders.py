"""Milestones and reminders over a bloc's year, with the clock moved by hand: reminders go
out at the right local times to exactly the units that still owe something, once, even
across restarts of the bot."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlmodel import select

from storage.models import Reminder
from tests.conftest import TZ
from tests.checks import of_the_action
from tests.samples import enrol, register, set_up_bloc
from tests.transactions import transactions

UNITS = ["Hội Chữ thập đỏ", "Hội Khuyến học", "Hội Luật gia", "Hội Nhà báo", "Hội Người mù"]


async def run_reminders(world, at: datetime | None = None) -> int:
    return await world.run_reminders(at)


async def set_milestone(secretary, group, button: str, answer: str) -> str:
    await secretary.send(group, "/lich")
    await secretary.press(group.last_bot_message(), button)
    before = len(group.bot_messages())
    await secretary.reply(group.last_bot_message(), answer)
    return "\n".join(m.text for m in group.bot_messages()[before:])  # everything the bot said back


def local(day: int, month: int, hour: int = 8, minute: int = 0, year: int = 2025) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


@pytest.fixture
async def bloc(world):
    group, secretary = await set_up_bloc(world, units=UNITS)
    officers = await enrol(world, group, secretary, UNITS[:4])  # Hội Người mù has nobody yet
    return group, secretary, officers


def planned(world) -> list[tuple[str, str, str]]:
    with world.db.session() as s:
        rows = s.exec(select(Reminder).where(Reminder.status == "pending").order_by(Reminder.due_at)).all()
    return [(r.due_at.astimezone(TZ).strftime("%d/%m %H:%M"), r.label, r.status) for r in rows]


async def test_a_year_of_milestones_and_who_is_reminded(world, bloc):
    group, secretary, officers = bloc
    said = await set_milestone(secretary, group, "Đặt/dời: Hạn đăng ký thi đua", "31/3/2025")
    assert "Hạn đăng ký thi đua: 23:59 ngày 31/03/2025" in said
    await set_milestone(secretary, group, "Đặt/dời: Hội nghị ký giao ước", "14:00 20/3/2025, Hội trường Liên hiệp các Hội")
    await set_milestone(secretary, group, "Đặt/dời: Hội nghị sơ kết", "8h ngày 15/7/2025 tại Hội Chữ thập đỏ tỉnh")
    await set_milestone(secretary, group, "Đặt/dời: Hội nghị tổng kết", "14:00 10/12/2025, Hội trường UBND tỉnh")
    await set_milestone(secretary, group, "Đặt/dời: Hạn gửi hồ sơ", "20/12/2025")
    await secretary.send(group, "/lich")
    schedule = group.last_bot_message().text
    for line in ("Hạn đăng ký thi đua: 23:59 ngày 31/03/2025",
                 "Hội nghị ký giao ước thi đua: 14:00 ngày 20/03/2025 tại Hội trường Liên hiệp các Hội",
                 "Hội nghị sơ kết 6 tháng: 08:00 ngày 15/07/2025 tại Hội Chữ thập đỏ tỉnh",
                 "Hội nghị tổng kết, bình xét, suy tôn: 14:00 ngày 10/12/2025 tại Hội trường UBND tỉnh",
                 "Hạn gửi hồ sơ đề nghị khen thưởng: 23:59 ngày 20/12/2025"):
        assert line in schedule
    assert ("13/03 08:00", "7d", "pending") in planned(world)  # covenant meeting, 7 days before at 08:00
    assert ("20/03 12:00", "2h", "pending") in planned(world)
    assert ("20/03 07:30", "morning", "pending") in planned(world)
    assert ("15/07 07:00", "2h", "pending") in planned(world)  # 06:00 is night: moved to 07:00
    assert ("24/03 08:00", "7d", "pending") in planned(world)  # registration deadline

    # Two units register before the first registration reminder.
    await register(officers["Hội Khuyến học"], ["Tập thể lao động xuất sắc"])
    await register(officers["Hội Nhà báo"], ["Tập thể lao động tiên tiến"])
    officers["Hội Luật gia"].block_bot()
    assert await run_reminders(world, local(13, 3, 7, 59)) == 0  # nothing due yet
    assert await run_reminders(world, local(13, 3, 8, 0)) == 1  # covenant meeting in 7 days
    covenant = group.last_bot_message().text
    assert "Nhắc lịch — Hội nghị ký giao ước thi đua (còn 7 ngày)" in covenant
    for unit in UNITS:
        assert unit in covenant  # nobody signed yet
    await run_reminders(world, local(24, 3))
    text = group.last_bot_message().text
    assert "Nhắc lịch — Hạn đăng ký thi đua (còn 7 ngày)" in text
    assert "Hội Chữ thập đỏ: đăng ký thi đua\n" in text
    assert "Hội Luật gia: đăng ký thi đua — ⚠️ bot chưa nhắn riêng được" in text
    assert "Hội Người mù: đăng ký thi đua — ⚠️ bot chưa nhắn riêng được" in text
    assert "Hội Khuyến học" not in text and "Hội Nhà báo" not in text
    assert "2 đơn vị chưa nhận được nhắc riêng" in text
    red_cross = officers["Hội Chữ thập đỏ"].private_chat.last_bot_message()
    assert "Hạn đăng ký thi đua (còn 7 ngày): 23:59 ngày 31/03/2025" in red_cross.text
    assert red_cross.buttons == [["📝 Đăng ký thi đua"]]
    teacher_dms = [m.text for m in officers["Hội Khuyến học"].private_chat.bot_messages()]
    assert not any("Hạn đăng ký thi đua (còn" in t for t in teacher_dms)

    # Hội Chữ thập đỏ registers from the reminder's button (its overview read, whether the
    # person represents the unit included, in one transaction); it is not reminded again.
    with transactions(world.db.engine) as pressing:
        await officers["Hội Chữ thập đỏ"].press(red_cross, "Đăng ký thi đua")
    assert "Đăng ký thi đua năm 2025" in officers["Hội Chữ thập đỏ"].private_chat.last_bot_message().text
    assert len(pressing.of_the_action) == 1
    await register(officers["Hội Chữ thập đỏ"], ["Tập thể lao động xuất sắc"])
    before = len(officers["Hội Chữ thập đỏ"].private_chat.bot_messages())
    await run_reminders(world, local(28, 3))
    assert "Hội Chữ thập đỏ" not in group.last_bot_message().text
    assert len(officers["Hội Chữ thập đỏ"].private_chat.bot_messages()) == before


async def test_nothing_owed_means_nothing_sent(world, bloc):
    group, secretary, officers = bloc
    await set_milestone(secretary, group, "Đặt/dời: Hạn đăng ký thi đua", "31/3/2025")
    await secretary.send(group, "/donvi")
    for unit in UNITS[:4]:
        await register(officers[unit], ["Tập thể lao động tiên tiến"])
    await enrol(world, group, secretary, ["Hội Người mù"])
    blind = (await enrol(world, group, secretary, ["Hội Người mù"]))["Hội Người mù"]
    await register(blind, ["Tập thể lao động tiên tiến"])
    messages = len(group.bot_messages())
    await run_reminders(world, local(24, 3))
    assert len(group.bot_messages()) == messages
    with world.db.session() as s:
        first = s.exec(select(Reminder).where(Reminder.label == "7d")).one()
    assert (first.status, first.note) == ("sent", "nothing_owed")


async def test_moving_and_cancelling_a_meeting_moves_its_reminders(world, bloc):
    group, secretary, _ = bloc
    await set_milestone(secretary, group, "Đặt/dời: Hội nghị sơ kết", "14:00 15/7/2025, Hội trường A")
    assert ("14/07 08:00", "1d", "pending") in planned(world)
    said = await set_milestone(secretary, group, "Đặt/dời: Hội nghị sơ kết", "9:00 22/7/2025, Hội trường B")
    assert "Đã dời Hội nghị sơ kết 6 tháng từ 14:00 ngày 15/07/2025 sang 09:00 ngày 22/07/2025 tại Hội trường B" in said
    assert ("14/07 08:00", "1d", "pending") not in planned(world)
    assert ("21/07 08:00", "1d", "pending") in planned(world)
    assert await run_reminders(world, local(14, 7, 8, 0)) == 0
    await secretary.send(group, "/lich")
    await secretary.press(group.last_bot_message(), "Huỷ: Hội nghị sơ kết")
    assert "Huỷ Hội nghị sơ kết 6 tháng" in group.last_bot_message().text and planned(world)  # asked first
    with transactions(world.db.engine) as record:
        await secretary.press(group.last_bot_message(), "✖️ Huỷ mốc này")
    assert "Đã huỷ Hội nghị sơ kết 6 tháng (09:00 ngày 22/07/2025 tại Hội trường B)" in group.last_bot_message().text
    assert planned(world) == []
    # The secretary checked, the milestone and its reminders cancelled: one transaction; then
    # the pinned board's own refresh (one read, the edit).
    action = of_the_action(record)
    assert {"bloc", "role", "milestone", "reminder", "audit_log"} <= action[0].tables, [t.tables for t in action]
    assert len(action) == 2 and not action[1].writes, [t.tables for t in action]
    assert await run_reminders(world, local(21, 7, 8, 0)) == 0


async def test_setting_a_milestone_is_one_transaction(world, bloc):
    group, secretary, _ = bloc
    await secretary.send(group, "/lich")
    await secretary.press(group.last_bot_message(), "Đặt/dời: Hội nghị sơ kết")
    with transactions(world.db.engine) as record:
        await secretary.reply(group.last_bot_message(), "14:00 15/7/2025, Hội trường A")
    assert ("14/07 08:00", "1d", "pending") in planned(world)
    # The question looked up, the secretary checked, the date checked, the milestone written,
    # its reminders planned and the question marked answered: one transaction; then the
    # pinned board's own refresh: its read and, the board being posted for the first time,
    # its row recorded after the post.
    action = of_the_action(record)
    assert {"pending_reply", "role", "milestone", "reminder", "audit_log"} <= action[0].tables, \
        [t.tables for t in action]
    assert len(action) == 3 and not action[1].writes and action[2].tables == {"status_board"}, \
        [t.tables for t in action]



async def test_the_meeting_day_morning_reminder_gives_time_and_place(world, bloc):
    group, secretary, officers = bloc
    await set_milestone(secretary, group, "Đặt/dời: Hội nghị sơ kết", "14:00 15/7/2025, Hội trường A")
    for unit in UNITS[:4]:
        await officers[unit].send_private("/baocao")
        await officers[unit].press(officers[unit].private_chat.last_bot_message(), "Báo cáo 6 tháng")
        await officers[unit].send_document(officers[unit].private_chat, "bao_cao_6_thang.pdf", b"%PDF-1.4 ...")
        assert "Đã nhận báo cáo sơ kết 6 tháng" in officers[unit].private_chat.last_bot_message().text
    await run_reminders(world, local(15, 7, 7, 30))
    morning = group.last_bot_message().text
    assert "Nhắc lịch — Hội nghị sơ kết 6 tháng (còn 6 giờ 30 phút)" in morning
    assert "14:00 ngày 15/07/2025 tại Hội trường A" in morning
    assert "Hội Người mù: gửi báo cáo sơ kết 6 tháng — ⚠️ bot chưa nhắn riêng được" in morning
    assert "Hội Khuyến học" not in morning


async def test_stopped_before_a_reminder_and_started_after_it_sends_it_once(world, bloc):
    group, secretary, officers = bloc
    await set_milestone(secretary, group, "Đặt/dời: Hạn đăng ký thi đua", "31/3/2025")
    await world.stop_bot()
    world.clock.set(local(24, 3, 9, 0))  # an hour after the 7-day reminder fell due
    await world.start_bot()
    await world.standin.settle()
    reminded = [m for m in group.bot_messages() if "Hạn đăng ký thi đua (còn 7 ngày)" in m.text]
    assert len(reminded) == 1
    dms = [m for m in officers["Hội Chữ thập đỏ"].private_chat.bot_messages() if "còn 7 ngày" in m.text]
    assert len(dms) == 1
    await world.restart_bot()
    await world.restart_bot()
    await run_reminders(world)
    assert len([m for m in group.bot_messages() if "Hạn đăng ký thi đua (còn 7 ngày)" in m.text]) == 1


async def test_a_reminder_sent_late_says_the_real_time_left(world, bloc):
    group, secretary, officers = bloc
    await set_milestone(secretary, group, "Đặt/dời: Hội nghị ký giao ước", "14:00 20/3/2025, Hội trường A")
    await run_reminders(world, local(20, 3, 7, 30))  # the meeting day's morning, on time
    await world.stop_bot()
    world.clock.set(local(20, 3, 13, 50))  # the bot was down at 12:00, when "2 hours before" fell due
    await world.start_bot()
    await world.standin.settle()
    late = [m.text for m in group.bot_messages() if "Nhắc lịch — Hội nghị ký giao ước thi đua" in m.text][-1]
    assert "(còn 10 phút)" in late and "còn 2 giờ" not in late
    for unit in UNITS[:4]:
        dm = officers[unit].private_chat.last_bot_message().text
        assert dm.startswith("⏰ Hội nghị ký giao ước thi đua (còn 10 phút): 14:00 ngày 20/03/2025"), unit


async def test_down_through_two_reminders_of_a_meeting_the_bot_sends_one(world, bloc):
    """The bot was down from before the meeting day's 07:30 reminder until 13:50: on start it
    sends the later one only, not two reminders of one meeting in a row."""
    group, secretary, officers = bloc
    await set_milestone(secretary, group, "Đặt/dời: Hội nghị ký giao ước", "14:00 20/3/2025, Hội trường A")
    await run_reminders(world, local(20, 3, 7, 0))
    await world.stop_bot()
    world.clock.set(local(20, 3, 13, 50))
    await world.start_bot()
    await world.standin.settle()
    sent = [m.text for m in group.bot_messages() if "Nhắc lịch — Hội nghị ký giao ước thi đua" in m.text]
    assert len(sent) == 1 and "(còn 10 phút)" in sent[0]
    dms = [m.text for m in officers["Hội Chữ thập đỏ"].private_chat.bot_messages() if "Hội nghị ký giao ước" in m.text]
    assert len(dms) == 1 and "(còn 10 phút)" in dms[0]
    with world.db.session() as s:
        today = s.exec(select(Reminder).where(Reminder.due_at >= local(20, 3, 0, 0))
                       .order_by(Reminder.due_at)).all()
    assert [(r.due_at.astimezone(TZ).strftime("%H:%M"), r.status, r.note) for r in today] == [
        ("07:30", "missed", "superseded"), ("12:00", "sent", "")]


async def test_a_reminder_sent_at_the_last_minutes_says_it_is_about_to_start(world, bloc):
    group, secretary, officers = bloc
    await set_milestone(secretary, group, "Đặt/dời: Hội nghị ký giao ước", "14:00 20/3/2025, Hội trường A")
    await run_reminders(world, local(20, 3, 7, 30))
    await world.stop_bot()
    world.clock.set(local(20, 3, 13, 55))
    await world.start_bot()
    await world.standin.settle()
    late = [m.text for m in group.bot_messages() if "Nhắc lịch — Hội nghị ký giao ước thi đua" in m.text]
    assert len(late) == 2 and "(sắp bắt đầu)" in late[-1]
    assert "(sắp bắt đầu)" in officers["Hội Chữ thập đỏ"].private_chat.last_bot_message().text


async def test_started_after_the_milestone_nothing_is_sent_and_it_is_recorded(world, bloc):
    group, secretary, _ = bloc
    await set_milestone(secretary, group, "Đặt/dời: Hạn đăng ký thi đua", "31/3/2025")
    await world.stop_bot()
    world.clock.set(local(2, 4))
    await world.start_bot()
    await world.standin.settle()
    assert not any("Nhắc lịch" in m.text for m in group.bot_messages())
    with world.db.session() as s:
        statuses = [(r.label, r.status) for r in s.exec(select(Reminder).order_by(Reminder.due_at))]
    assert statuses == [("7d", "missed"), ("3d", "missed"), ("1d", "missed")]


async def test_a_reminder_interrupted_half_way_goes_on_and_repeats_nobody(world, bloc):
    group, secretary, officers = bloc
    await set_milestone(secretary, group, "Đặt/dời: Hạn đăng ký thi đua", "31/3/2025")
    # Telegram fails the DM to the second unit (Hội Khuyến học) with a 502: the first DM has
    # gone out, the reminder stops there and stays claimed.
    world.standin.faults.fail_next(method="sendMessage", times=1, kind="502",
                                   chat_id=officers["Hội Khuyến học"].id)
    await run_reminders(world, local(24, 3))
    with world.db.session() as s:
        assert s.exec(select(Reminder).where(Reminder.label == "7d")).one().status == "claimed"
    assert not any("Nhắc lịch" in m.text for m in group.bot_messages())
    await world.restart_bot()  # the catch-up at start goes on with who is left
    for unit in ("Hội Chữ thập đỏ", "Hội Khuyến học", "Hội Nhà báo"):
        dms = [m for m in officers[unit].private_chat.bot_messages() if "còn 7 ngày" in m.text]
        assert len(dms) == 1, unit
    assert len([m for m in group.bot_messages() if "Nhắc lịch" in m.text]) == 1
    with world.db.session() as s:
        assert s.exec(select(Reminder).where(Reminder.label == "7d")).one().status == "sent"


@pytest.mark.refusals_expected  # about the group that refuses the reminder
async def test_an_unreachable_group_does_not_stop_the_dms(world, bloc):
    group, secretary, officers = bloc
    await set_milestone(secretary, group, "Đặt/dời: Hạn đăng ký thi đua", "31/3/2025")
    world.clock.set(local(24, 3))
    # The group cannot be reached (the bot was removed): the DMs still go out, once.
    group_id = group.id
    group.remove_bot()
    await run_reminders(world)
    with world.db.session() as s:
        reminder = s.exec(select(Reminder).where(Reminder.label == "7d")).one()
    assert reminder.status == "sent"
    dm_count = len([m for m in officers["Hội Chữ thập đỏ"].private_chat.bot_messages() if "còn 7 ngày" in m.text])
    assert dm_count == 1
    assert group.id == group_id


@pytest.mark.parametrize(("answer", "said"), [
    ("32/3/2025", "không có thật"),
    ("ngày mai nhé", "Không đọc được ngày giờ"),
    ("1/1/2025", "đã qua"),
])
async def test_bad_dates_are_refused(world, bloc, answer, said):
    group, secretary, _ = bloc
    assert said in await set_milestone(secretary, group, "Đặt/dời: Hạn đăng ký thi đua", answer)
    assert planned(world) == []


async def test_out_of_order_milestones_and_meetings_without_time(world, bloc):
    group, secretary, _ = bloc
    await set_milestone(secretary, group, "Đặt/dời: Hội nghị sơ kết", "14:00 15/7/2025, Hội trường A")
    said = await set_milestone(secretary, group, "Đặt/dời: Hạn đăng ký thi đua", "31/7/2025")
    assert ("Không đúng thứ tự: Hạn đăng ký thi đua (23:59 ngày 31/07/2025) phải trước "
            "Hội nghị sơ kết 6 tháng (14:00 ngày 15/07/2025)") in said
    said = await set_milestone(secretary, group, "Đặt/dời: Hội nghị tổng kết", "10/12/2025")
    assert "Hội nghị cần có giờ họp" in said
    with world.db.session() as s:
        assert {r.milestone_id for r in s.exec(select(Reminder))}.__len__() == 1


async def test_a_non_secretary_cannot_set_milestones(world, bloc):
    group, secretary, _ = bloc
    member = world.standin.add_user("Võ Văn Tài")
    group.add_member(member)
    await member.send(group, "/lich")
    answer = await member.press(group.last_bot_message(), "Đặt/dời: Hạn đăng ký thi đua")
    assert answer == "Chỉ thư ký khối mới dùng được nút này."
    assert planned(world) == []


async def test_reports_of_the_wrong_kind_or_too_large_are_refused(world, bloc):
    group, secretary, officers = bloc
    officer = officers["Hội Nhà báo"]
    await officer.send_document(officer.private_chat, "bao_cao.pdf", b"%PDF")
    assert "gửi /baocao trước" in officer.private_chat.last_bot_message().text
    await officer.send_private("/baocao")
    await officer.press(officer.private_chat.last_bot_message(), "Báo cáo tổng kết năm")
    await officer.send_document(officer.private_chat, "virus.exe", b"MZ")
    assert "không phải loại báo cáo bot nhận" in officer.private_chat.last_bot_message().text
    await officer.send_document(officer.private_chat, "bao_cao.pdf", b"%PDF" + b"0" * (21 * 1024 * 1024))
    assert "lớn quá 20 MB" in officer.private_chat.last_bot_message().text
    with transactions(world.db.engine) as record:
        await officer.send_document(officer.private_chat, "Báo cáo tổng kết 2025.docx", b"PK...")
    assert len(record.of_the_action) == 1  # the report kept, the wait ended, the secretaries read: one
    assert "Đã nhận báo cáo tổng kết năm của Hội Nhà báo" in officer.private_chat.last_bot_message().text
    forwarded = secretary.private_chat.last_bot_message()
    assert forwarded.document[0] == "Báo cáo tổng kết 2025.docx"
    assert "Hội Nhà báo đã gửi báo cáo tổng kết năm" in group.last_bot_message().text


async def test_the_bloc_chooses_the_hour_reminders_go_out(world, bloc):
    group, secretary, _ = bloc
    await set_milestone(secretary, group, "Đặt/dời: Hạn đăng ký thi đua", "31/3/2025")
    said = await set_milestone(secretary, group, "Giờ gửi nhắc việc", "23")
    assert "Giờ gửi nhắc phải từ 6 đến 20" in said
    said = await set_milestone(secretary, group, "Giờ gửi nhắc việc", "14h")
    assert "Từ nay bot gửi nhắc việc lúc 14:00" in said
    assert planned(world) == [("24/03 14:00", "7d", "pending"), ("28/03 14:00", "3d", "pending"),
                              ("30/03 14:00", "1d", "pending")]


async def test_an_alarm_that_rings_while_the_secretary_works_is_heard_before_the_answer_is_read(world, bloc):
    """The clock passed a reminder's time unseen; the secretary's next change of the schedule
    sets the alarm again, which rings at once, in the background. What the people read next
    already holds that reminder (settle() waits for a job that is due or running)."""
    group, secretary, officers = bloc
    await set_milestone(secretary, group, "Đặt/dời: Hạn đăng ký thi đua", "31/3/2025")
    world.clock.set(local(24, 3, 9, 0))  # the 7-day reminder (24/03 08:00) is an hour overdue
    await set_milestone(secretary, group, "Đặt/dời: Hội nghị sơ kết", "14:00 15/7/2025, Hội trường A")
    assert any("Nhắc lịch — Hạn đăng ký thi đua (còn 7 ngày)" in m.text for m in group.bot_messages())
    for unit in UNITS[:4]:
        dms = [m.text for m in officers[unit].private_chat.bot_messages()]
        assert any("Hạn đăng ký thi đua (còn 7 ngày): 23:59 ngày 31/03/2025" in t for t in dms), unit
    assert ("24/03 08:00", "7d", "pending") not in planned(world)
