"""One press of a representative, one transaction (issue 16): a title ticked, the
registration confirmed, its withdrawal confirmed, the covenant signed, /huy — each read,
checked and written at once, with what the answer shows, before anything is sent."""

from __future__ import annotations

import pytest
from sqlmodel import select

from storage.models import Covenant, Registration, RegistrationDraft
from tests.samples import INDIVIDUAL_TITLES, enrol, register, set_up_bloc
from tests.transactions import transactions

XS = "Tập thể lao động xuất sắc"


@pytest.fixture
async def officer(world):
    group, secretary = await set_up_bloc(world)
    return (await enrol(world, group, secretary, ["Hội Khuyến học"]))["Hội Khuyến học"]


def _decisions(record) -> list:
    """The transactions the press itself opened: those that write, but for the pinned board's
    row (after a change the status feature refreshes the board: its own reads of what was
    committed and its own write, handlers/status.py). Only the press reads the draft and who
    represents the unit (who may act, and who is told)."""
    writing = [t for t in record.of_the_action if t.writes and not t.tables <= {"status_board"}]

    for table in ("registration_draft", "representative"):
        assert [t for t in record.of_the_action if table in t.tables] == [t for t in writing if table in t.tables]
    return writing


async def test_a_title_press_and_the_confirmation_are_one_transaction_each(world, officer):
    chat = officer.private_chat
    await officer.send_private("/dangky")
    await officer.press(chat.last_bot_message(), "Đăng ký")
    step = chat.last_bot_message()
    with transactions(world.db.engine) as record:
        await officer.press(step, XS)
    assert len(record.of_the_action) == 1 and record.of_the_action[0].writes
    assert "Đã chọn: Tập thể lao động xuất sắc" in chat.last_bot_message().text

    await officer.press(step, "Tiếp")
    for _ in INDIVIDUAL_TITLES:
        await officer.press(chat.last_bot_message(), "0 — không đăng ký")
    await officer.press(chat.last_bot_message(), "»")
    with transactions(world.db.engine) as record:
        await officer.press(chat.last_bot_message(), "Xác nhận")
    assert "Đã ghi nhận đăng ký thi đua năm 2025 của Hội Khuyến học" in chat.last_bot_message().text
    decided = _decisions(record)
    assert len(decided) == 1 and decided[0].writes
    # The registration written, the draft dropped, and who is told read in that one transaction.
    assert {"registration", "registration_draft", "representative", "role"} <= decided[0].tables
    with world.db.session() as s:
        assert [r.collective for r in s.exec(select(Registration))] == [["TTLDXS"]]


async def test_the_withdrawal_confirmation_is_one_transaction(world, officer):
    chat = officer.private_chat
    await register(officer, [XS])
    await officer.send_private("/dangky")
    await officer.press(chat.last_bot_message(), "Rút đăng ký")
    with transactions(world.db.engine) as record:
        await officer.press(chat.last_bot_message(), "↩️ Rút đăng ký")
    assert "Đã rút đăng ký của Hội Khuyến học" in chat.last_bot_message().text
    decided = _decisions(record)
    assert len(decided) == 1 and decided[0].writes
    assert {"registration", "representative", "role"} <= decided[0].tables
    with world.db.session() as s:
        assert s.exec(select(Registration).where(Registration.current)).one().withdrawn


async def test_the_covenant_press_is_one_transaction(world, officer):
    chat = officer.private_chat
    await officer.send_private("/giaouoc")
    with transactions(world.db.engine) as record:
        await officer.press(chat.last_bot_message(), "Thủ trưởng đã ký giao ước")
    assert "đã ký giao ước thi đua năm 2025" in chat.last_bot_message().text
    decided = _decisions(record)
    assert len(decided) == 1 and decided[0].writes
    with world.db.session() as s:
        assert len(s.exec(select(Covenant)).all()) == 1


async def test_huy_ends_what_waits_in_one_transaction(world, officer):
    chat = officer.private_chat
    await officer.send_private("/dangky")
    await officer.press(chat.last_bot_message(), "Đăng ký")
    step = chat.last_bot_message()
    with transactions(world.db.engine) as record:
        await officer.send_private("/huy")
    assert "Đã thoát" in chat.last_bot_message().text and step.buttons == []
    assert len(record.of_the_action) == 1 and record.of_the_action[0].writes
    with world.db.session() as s:
        assert s.exec(select(RegistrationDraft)).all() == []


async def test_dangky_reads_the_overview_in_one_transaction(world, officer):
    with transactions(world.db.engine) as record:
        await officer.send_private("/dangky")
    assert "Hội Khuyến học" in officer.private_chat.last_bot_message().text
    assert len(record.of_the_action) == 1 and not record.of_the_action[0].writes


async def test_text_that_answers_nothing_is_read_in_one_transaction(world, officer):
    # Typed text with no draft and nothing asked: the draft looked for and what else waits, at once.
    with transactions(world.db.engine) as typed:
        await officer.send_private("Xin chào")
    assert "Bot chưa hỏi gì cần trả lời bằng tin nhắn" in officer.private_chat.last_bot_message().text
    assert len(typed.of_the_action) == 1 and not typed.of_the_action[0].writes
    # A reply to one of the bot's messages that asked nothing: the question looked for too, in the same one.
    await officer.send_private("/dangky")
    with transactions(world.db.engine) as replied:
        await officer.reply(officer.private_chat.last_bot_message(), "Xin chào")
    assert "Bot chưa hỏi gì cần trả lời bằng tin nhắn" in officer.private_chat.last_bot_message().text
    assert len(replied.of_the_action) == 1 and not replied.of_the_action[0].writes
