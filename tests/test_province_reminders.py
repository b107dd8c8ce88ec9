"""The province's dossier deadline (issue 18): Huế wants every bloc's dossier by 17:00 on 20/12.
Nobody types that date into a bloc's /lich: the bot writes it as each bloc's milestone, reminds
the secretaries of a bloc whose dossier is not in (7, 3 and 1 days before, on working days), and
after the deadline tells the officers' group, once, which blocs are late. Through the stand-in,
on both backends, with restarts in between."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlmodel import select

from storage import roster
from storage.blocs import bloc_of_chat
from storage.models import Dossier, Milestone, Reminder
from tests.conftest import TZ
from tests.factories import bloc_of_units, year_to_the_list
from tests.samples import set_up_bloc

OFFICER = 880001
SOCIAL = "Khối thi đua các Tổ chức xã hội"
SOCIAL_UNITS = ["Liên hiệp các Hội Khoa học và Kỹ thuật", "Hội Chữ thập đỏ", "Hội Khuyến học"]
DEPTS = "Khối các Sở"
DEPT_SECRETARY = 700002
DUE = "17:00 ngày 20/12/2025"
HUE = {"code": "HUE", "name": "Huế", "kind": "city", "officers": [OFFICER], "dossier_due": "20/12 17:00",
       "eras": [{"until": 2024, "name": "Thừa Thiên Huế", "kind": "province"}]}


@pytest.fixture
def province_settings():
    return [HUE]


def local(day: int, month: int, hour: int = 8, minute: int = 0, year: int = 2025) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


def texts(chat, words: str) -> list[str]:
    return [m.text for m in chat.bot_messages() if m.text and words in m.text]


async def officers_group(world):
    officer = world.standin.add_user("Nguyễn Thị Lan", user_id=OFFICER)
    ban = world.standin.add_group("Ban Thi đua – Khen thưởng thành phố Huế", members=[officer], admins=[officer])
    ban.add_bot(by=officer)
    await officer.send_private("/start")
    await officer.send(ban, "/tinh")
    return ban


async def two_blocs(world):
    """The social organisations' bloc set up in its group (its secretary talks to the bot), and
    the departments' bloc set up earlier through storage, its secretary having opened a private
    chat; both played to their lists of 2025."""
    group, secretary = await set_up_bloc(world, title=SOCIAL, units=SOCIAL_UNITS)
    dept_secretary = world.standin.add_user("Lê Văn Nam", user_id=DEPT_SECRETARY)
    await dept_secretary.send_private("/start")
    at = local(1, 12, 10)
    with world.db.session() as s:
        social = bloc_of_chat(session=s, chat_id=group.id)
        units = roster.active_units(session=s, bloc_id=social.id)
        year_to_the_list(s, social, units, by=secretary.id, now=at, listed=False, proposals={"CO_TINH": units[:1]})
        depts, dept_units = bloc_of_units(s, ["Sở Y tế", "Sở Tư pháp"], secretary=DEPT_SECRETARY, now=at,
                                          chat_id=-1700002, name=DEPTS, province="TP Huế")
        year_to_the_list(s, depts, dept_units, by=DEPT_SECRETARY, now=at, proposals={"CO_TINH": dept_units[:1]})
        s.commit()
    return group, secretary, dept_secretary


def deadlines(world) -> list[tuple[str, str]]:
    with world.db.session() as s:
        rows = s.exec(select(Milestone).where(Milestone.kind == "dossier_due", Milestone.cancelled_at.is_(None))
                      .order_by(Milestone.bloc_id)).all()
    return [(str(r.bloc_id), r.at.astimezone(TZ).strftime("%d/%m/%Y %H:%M")) for r in rows]


def planned(world, bloc_chat_id: int) -> list[tuple[str, str, str, str]]:
    with world.db.session() as s:
        bloc = bloc_of_chat(session=s, chat_id=bloc_chat_id)
        rows = s.exec(select(Reminder).join(Milestone, Milestone.id == Reminder.milestone_id)
                      .where(Milestone.kind == "dossier_due", Reminder.bloc_id == bloc.id)
                      .order_by(Reminder.due_at, Reminder.id)).all()
    return [(r.due_at.astimezone(TZ).strftime("%d/%m %H:%M"), r.label, r.status, r.note) for r in rows]


async def test_late_blocs_are_reminded_and_the_officers_hear_once(world):
    ban = await officers_group(world)
    group, secretary, dept_secretary = await two_blocs(world)

    # The group's bloc got the deadline when it was set up; the one made through storage gets
    # it when the bot starts. A second start changes nothing.
    await world.restart_bot()
    assert len(deadlines(world)) == 2 and {at for _, at in deadlines(world)} == {"20/12/2025 17:00"}
    before = deadlines(world)
    await world.restart_bot()
    assert deadlines(world) == before
    assert [p[:2] for p in planned(world, -1700002)] == [("13/12 08:00", "7d"), ("17/12 08:00", "3d"),
                                                          ("19/12 08:00", "1d"), ("20/12 17:00", "late")]

    await secretary.send(group, "/lich")
    schedule = group.last_bot_message().text
    assert f"Hạn gửi hồ sơ lên thành phố: {DUE}" in schedule
    assert "Hạn do Ban Thi đua – Khen thưởng thành phố Huế đặt" in schedule
    assert "Đặt/dời: Hạn gửi hồ sơ lên" not in str(group.last_bot_message().buttons)

    # 13/12 08:00, seven days before: both secretaries, in private; the groups hear nothing of it.
    await world.run_reminders(local(13, 12))
    for person, bloc in ((secretary, SOCIAL), (dept_secretary, DEPTS)):
        said = texts(person.private_chat, "chưa gửi hồ sơ đề nghị khen thưởng")
        assert len(said) == 1, person
        assert said[0].startswith(f"⏰ Hạn gửi hồ sơ lên thành phố (còn 7 ngày): {DUE}")
        assert (f"{bloc} chưa gửi hồ sơ đề nghị khen thưởng năm 2025 lên Ban Thi đua – Khen thưởng thành phố Huế; "
                f"hạn {DUE}.") in said[0]
    assert "gõ /danhsach trong nhóm của khối, rồi bấm nút «📨 Gửi hồ sơ lên thành phố»" in \
        texts(secretary.private_chat, "chưa gửi hồ sơ")[0]  # its list is not made yet
    assert "bấm nút «📨 Gửi hồ sơ lên thành phố» dưới danh sách đề nghị khen thưởng bot đã đăng" in \
        texts(dept_secretary.private_chat, "chưa gửi hồ sơ")[0]
    assert not texts(group, "chưa gửi hồ sơ đề nghị") and not texts(ban, "chưa gửi hồ sơ đề nghị")

    # 14/12: the social organisations' secretary posts the list and sends the dossier.
    world.clock.set(local(14, 12, 10))
    await secretary.send(group, "/danhsach")
    offer = next(m for m in reversed(group.bot_messages()) if m.buttons == [["📨 Gửi hồ sơ lên thành phố"]])
    await secretary.press(offer, "📨 Gửi hồ sơ lên thành phố")
    with world.db.session() as s:
        assert len(s.exec(select(Dossier)).all()) == 1
    await world.restart_bot()  # nothing is sent again on start
    assert len(texts(secretary.private_chat, "chưa gửi hồ sơ đề nghị")) == 1
    assert len(texts(dept_secretary.private_chat, "chưa gửi hồ sơ đề nghị")) == 1

    # 17/12 and 19/12: only the departments' secretary is reminded; the other bloc's reminders
    # are skipped, recorded so.
    await world.run_reminders(local(17, 12))
    await world.run_reminders(local(19, 12))
    assert [t.split(")")[0] for t in texts(dept_secretary.private_chat, "chưa gửi hồ sơ đề nghị")] == [
        "⏰ Hạn gửi hồ sơ lên thành phố (còn 7 ngày", "⏰ Hạn gửi hồ sơ lên thành phố (còn 3 ngày",
        "⏰ Hạn gửi hồ sơ lên thành phố (còn 1 ngày"]
    assert len(texts(secretary.private_chat, "chưa gửi hồ sơ đề nghị")) == 1
    assert planned(world, group.id)[:3] == [("13/12 08:00", "7d", "sent", ""),
                                            ("17/12 08:00", "3d", "cancelled", "dossier_sent"),
                                            ("19/12 08:00", "1d", "cancelled", "dossier_sent")]

    # The bot is down over the deadline and starts at 17:30: the officers' group hears once,
    # of the late bloc only; later starts and runs repeat nothing.
    await world.stop_bot()
    world.clock.set(local(20, 12, 17, 30))
    await world.start_bot()
    await world.standin.settle()
    late = texts(ban, "Đã qua hạn nộp hồ sơ")
    assert len(late) == 1
    assert late[0].startswith(f"⏰ Đã qua hạn nộp hồ sơ đề nghị khen thưởng năm 2025 ({DUE})")
    assert "1 khối chưa gửi hồ sơ lên Ban Thi đua – Khen thưởng thành phố Huế trước hạn:\n• Khối các Sở" in late[0]
    assert SOCIAL not in late[0]
    await world.restart_bot()
    await world.run_reminders(local(21, 12))
    assert len(texts(ban, "Đã qua hạn nộp hồ sơ")) == 1
    assert not texts(group, "Đã qua hạn nộp hồ sơ")
    notes = {planned(world, -1700002)[-1][2:], planned(world, group.id)[-1][2:]}
    assert notes == {("sent", ""), ("sent", "told_together")}


@pytest.mark.refusals_expected("Bad Gateway")
async def test_the_officers_notice_interrupted_by_a_failure_goes_once(world):
    ban = await officers_group(world)
    await two_blocs(world)
    await world.restart_bot()
    world.standin.faults.fail_next(method="sendMessage", times=1, kind="502", chat_id=ban.id)
    await world.run_reminders(local(20, 12, 17, 0))
    assert not texts(ban, "Đã qua hạn nộp hồ sơ")
    await world.restart_bot()  # the catch-up at start sends it
    await world.run_reminders(local(20, 12, 18, 0))
    late = texts(ban, "Đã qua hạn nộp hồ sơ")
    assert len(late) == 1 and "2 khối chưa gửi hồ sơ" in late[0]


@pytest.mark.parametrize("province_settings", [[{**HUE, "days_off": [date(2025, 12, 13)]}]])
async def test_a_reminder_on_the_provinces_day_off_goes_the_working_day_before(world):
    group, secretary, dept_secretary = await two_blocs(world)
    await world.restart_bot()
    assert [p[:2] for p in planned(world, -1700002)][0] == ("12/12 08:00", "7d")
    await secretary.send(group, "/lich")
    assert "↪️ Nhắc ngày 12/12/2025 (dời từ 13/12/2025: ngày nghỉ riêng của tỉnh)" in group.last_bot_message().text
    await world.run_reminders(local(12, 12))
    said = texts(dept_secretary.private_chat, "chưa gửi hồ sơ đề nghị")
    assert len(said) == 1 and "(còn 8 ngày)" in said[0]
    await world.run_reminders(local(13, 12, 9))
    assert len(texts(dept_secretary.private_chat, "chưa gửi hồ sơ đề nghị")) == 1


async def test_the_deadline_follows_the_configuration_when_the_bot_starts(world):
    group, secretary, _ = await two_blocs(world)
    await world.restart_bot()
    world.settings.provinces[0].dossier_due = "22/12 11:00"
    await world.restart_bot()
    assert {at for _, at in deadlines(world)} == {"22/12/2025 11:00"}
    assert [p[:3] for p in planned(world, -1700002) if p[2] == "pending"] == [
        ("15/12 08:00", "7d", "pending"), ("19/12 08:00", "3d", "pending"), ("21/12 08:00", "1d", "pending"),
        ("22/12 11:00", "late", "pending")]
    await secretary.send(group, "/lich")
    assert "Hạn gửi hồ sơ lên thành phố: 11:00 ngày 22/12/2025" in group.last_bot_message().text
