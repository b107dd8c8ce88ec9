"""What the generated input (tests/test_generated_input.py) found, each as the plain story
of the person who did it, so the fix stays fixed whatever hypothesis draws."""

from __future__ import annotations

from sqlmodel import select

from storage.models import Covenant, PendingReply
from tests.samples import HUE_BLOC, enrol, set_up_bloc

STALE = "Nút này đã cũ hoặc không còn hiệu lực. Hãy gửi lại lệnh để có nút mới."


async def test_a_press_without_data_changes_no_message(world):
    """A modified app presses a button of the bloc's card with no data at all: PTB lets such a
    press match every button handler, and the first one replaced the pressed message (here the
    bloc's card; the pinned board just as well) with the title catalogue."""
    group, secretary = await set_up_bloc(world)
    stranger = world.standin.add_user("Người Lạ")
    group.add_member(stranger)
    await secretary.send(group, "/khoi")
    card = group.last_bot_message()
    before = card.text
    assert await stranger.press_data(card, "") == STALE
    assert card.text == before and HUE_BLOC in card.text
    assert not card.edits


async def test_private_buttons_pressed_on_a_group_message_are_refused(world):
    """A representative's modified app sends the data of their private buttons (the report's
    period, the covenant, the registration overview) as a press on a message of the bloc's
    group. Each was acted on: the group's message was edited into the private step, and the
    report's question was stored under the group message's id, which crashed on a question
    already waiting in the private chat under the same id."""
    group, secretary = await set_up_bloc(world)
    officer = (await enrol(world, group, secretary, ["Hội Khuyến học"]))["Hội Khuyến học"]
    group.add_member(officer)
    await officer.send_private("/baocao")
    report = next(b["callback_data"] for row in officer.private_chat.last_bot_message().button_rows for b in row)
    await officer.send_private("/giaouoc")
    covenant = officer.private_chat.last_bot_message().button_rows[0][0]["callback_data"]
    await officer.send_private("/dangky")
    overview = officer.private_chat.last_bot_message().button_rows[0][0]["callback_data"]
    await secretary.send(group, "/khoi")
    card = group.last_bot_message()
    before = card.text
    for data in (report, covenant, overview):
        assert await officer.press_data(card, data) == STALE, data
    assert card.text == before and not card.edits
    with world.db.session() as session:
        assert session.exec(select(Covenant)).all() == []
        assert [p.action for p in session.exec(select(PendingReply))] == []


async def test_a_command_the_bot_does_not_have_is_answered_in_the_private_chat(world):
    """An officer mistypes a command in the private chat: the bot used to say nothing."""
    group, secretary = await set_up_bloc(world)
    officer = (await enrol(world, group, secretary, ["Hội Khuyến học"]))["Hội Khuyến học"]
    await officer.send_private("/dangki <b>Hội</b>")
    answer = officer.private_chat.last_bot_message()
    assert "Bot không có lệnh /dangki. Các lệnh dùng được:" in answer.text
    assert "/dangky — đăng ký, xem, sửa, rút đăng ký thi đua của đơn vị" in answer.text
    assert "Hội Khuyến học" in answer.text
    # A command for another bot is not this bot's to answer; in the group neither.
    count = len(officer.private_chat.bot_messages())
    await officer.send_private("/dangky@other_bot")
    await secretary.send(group, "/khong_co")
    assert len(officer.private_chat.bot_messages()) == count
    assert "khong_co" not in group.last_bot_message().text


async def test_a_milestone_set_reads_as_separate_sentences(world):
    """The answer to a milestone ran its sentences together: "…Hội trường A.Bot sẽ nhắc …"."""
    group, secretary = await set_up_bloc(world)
    await secretary.send(group, "/lich")
    await secretary.press(group.last_bot_message(), "Đặt/dời: Hạn đăng ký thi đua")
    await secretary.reply(group.last_bot_message(), "31/3/2025")
    answer = next(m for m in reversed(group.bot_messages()) if m.text.startswith("🗓 Hạn"))
    lines = answer.text.splitlines()
    assert lines[0] == "🗓 Hạn đăng ký thi đua: 23:59 ngày 31/03/2025."
    assert lines[1].startswith("Sau thời điểm này đăng ký được khoá")
    await secretary.send(group, "/lich")
    await secretary.press(group.last_bot_message(), "Đặt/dời: Hội nghị tổng kết")
    await secretary.reply(group.last_bot_message(), "14:00 10/12/2025, Hội trường A")
    lines = group.last_bot_message().text.splitlines()
    assert lines[0].endswith("tại Hội trường A.") and lines[1].startswith("Bot sẽ nhắc")
