"""Forged presses, forged numbers and senders the bot cannot know (issue 14: 11, 13, 17), as
the people who send them: a member who copies a button's data onto the pinned board, a
modified app sending ids with a superscript digit or past 32 bits, a secretary typing a quota
as «²», an admin posting anonymously, a channel posting in the group."""

from __future__ import annotations

import pytest
from sqlmodel import select

from storage.models import Unit, Vote
from tests.samples import enrol, register, set_up_bloc
from tests.test_review import BK, CO_TINH, local

STALE = "Nút này đã cũ hoặc không còn hiệu lực. Hãy gửi lại lệnh để có nút mới."
UNITS = ["Hội Chữ thập đỏ", "Hội Khuyến học", "Hội Luật gia"]


async def _bloc_with_board(world):
    group, secretary = await set_up_bloc(world, units=UNITS)
    group.promote_bot(can_pin=True)
    await secretary.send(group, "/lich")
    await secretary.press(group.last_bot_message(), "Đặt/dời: Hạn đăng ký thi đua")
    await secretary.reply(group.last_bot_message(), "31/3/2025")
    member = world.standin.add_user("Người Lạ")
    group.add_member(member)
    return group, secretary, member


async def test_a_member_cannot_turn_the_pinned_board_into_the_catalogue(world):
    """A plain member copies the card's «Danh mục» data onto the pinned status board: the
    board used to become the title catalogue and stay so."""
    group, secretary, member = await _bloc_with_board(world)
    await secretary.send(group, "/khoi")
    card = group.last_bot_message()
    catalogue = next(b["callback_data"] for row in card.button_rows for b in row if "Danh mục" in b["text"])
    board = group.pinned
    before = board.text
    assert "Hạn đăng ký: 23:59 ngày 31/03/2025" in before
    for data in (catalogue, "b:rename", "st:xlsx:0", "r:unit:1", "bx:show"):
        assert await member.press_data(board, data, inaccessible=False) == STALE, data
    # Not the secretary either: the board has no buttons, so nothing pressed on it is real.
    assert await secretary.press_data(board, catalogue, inaccessible=False) == STALE
    # Nor when Telegram sends the board without its content, as it does for an old message.
    for data in (catalogue, "st:pick:0", "b:rename"):
        assert await member.press_data(board, data, inaccessible=True) in (STALE, "Chỉ thư ký khối mới dùng được nút này."), data
        assert await secretary.press_data(board, data, inaccessible=True) == STALE, data
    assert board.text == before and not board.edits
    assert group.pinned is board
    # The real button on the card still shows the catalogue to anyone.
    await member.press(card, "Danh mục")
    assert "Danh mục danh hiệu" in card.text


async def test_forged_ids_with_other_digits_or_past_32_bits_are_stale(world):
    """Data copied from real buttons with the id changed to «²» or past what the database's
    integer holds: each handler answered with the error handler («ValueError», or on
    PostgreSQL a database error), now a stale button."""
    group, secretary, member = await _bloc_with_board(world)
    officer = (await enrol(world, group, secretary, ["Hội Khuyến học"]))["Hội Khuyến học"]
    await secretary.send(group, "/donvi")
    await secretary.press(group.last_bot_message(), "Sửa đơn vị")
    picker = group.last_bot_message()
    real = next(b["callback_data"] for row in picker.button_rows for b in row if b["callback_data"].startswith("r:unit:"))
    from handlers.common import int_arg

    for raw in ("²", "١", "99999999999", "2147483648", "-1", "1²"):
        assert int_arg(raw) is None, raw
        # A button whose data Telegram would carry (the id on the message itself) is handled;
        # the same data with a forged id on a message that has no such button is refused.
        assert await secretary.press_data(picker, real.rsplit(":", 1)[0] + ":" + raw, inaccessible=False) == STALE
        # Pressed where Telegram sends the message without its buttons (an old one), the data
        # reaches the handlers: each answers it as a stale button (it was the error handler's
        # «ValueError», and on PostgreSQL an integer out of range).
        for data in (f"r:unit:{raw}", f"i:new:{raw}", f"st:reopen:{raw}", f"s:rm:{raw}", f"lc:cancelok:{raw}",
                     f"ro:unit:2026:{raw}", f"sc:unit:{raw}", f"bx:tie:BK_UBND:{raw}"):
            await secretary.press_data(picker, data, inaccessible=True)
            answer = world.standin.world.callbacks[secretary.last_query_id].answer
            assert answer is not None and "lỗi" not in (answer.get("text") or "").lower(), (data, answer)
        for data in (f"rg:unit:{raw}", f"bc:6m:{raw}", f"bp:unit:{raw}", f"rd:{raw}:next", f"bv:{raw}:next"):
            await officer.press_data(officer.private_chat.last_bot_message(), data, inaccessible=True)
            answer = world.standin.world.callbacks[officer.last_query_id].answer
            assert answer is not None and "lỗi" not in (answer.get("text") or "").lower(), (data, answer)
    assert int_arg("2147483647") == 2147483647 and int_arg("12") == 12
    with world.db.session() as session:
        assert len(session.exec(select(Unit)).all()) == 3


async def test_a_quota_typed_as_a_superscript_digit_is_asked_again(world):
    group, secretary = await set_up_bloc(world, units=UNITS)
    officers = await enrol(world, group, secretary, UNITS)
    for officer in officers.values():
        await register(officer, [CO_TINH, BK])
    world.clock.set(local(10, 12, 9, 0))
    await secretary.send(group, "/binhxet")
    await secretary.press(group.last_bot_message(), "Chuẩn bị lá phiếu")
    await secretary.press(group.last_bot_message(), "Sửa chỉ tiêu")
    await secretary.press(group.last_bot_message(), BK)
    question = group.last_bot_message()
    for typed in ("²", "99999999999", "2147483648"):
        await secretary.reply(question, typed)
        answer = group.bot_messages()[-2]
        assert answer.text.startswith("Chỉ tiêu phải là một số từ 0 đến 3"), answer.text
        assert f"«{typed}» không dùng được" in answer.text
        question = group.last_bot_message()
        assert question.force_reply
    with world.db.session() as session:
        vote = session.exec(select(Vote)).one()
        assert vote.ballot and all(e.quota != 2 for e in vote.ballot)


@pytest.mark.parametrize("command", ["/moi", "/donvi Hội Mới", "/khoi", "/tinhhinh", "/thuky", "/binhxet"])
async def test_an_anonymous_admin_is_asked_to_post_as_themselves(world, command):
    """An admin posting as the group was told only secretaries (or admins) may do it; the bot
    cannot know who they are, so it says to post as themselves, and does nothing."""
    group, secretary = await set_up_bloc(world, units=UNITS)
    await secretary.send_anonymously(group, command)
    answer = group.last_bot_message()
    assert "ẩn danh" in answer.text and "với tư cách bản thân" in answer.text
    assert "Chỉ thư ký" not in answer.text and "Chỉ quản trị viên" not in answer.text
    with world.db.session() as session:
        assert len(session.exec(select(Unit)).all()) == 3


async def test_an_anonymous_admin_setting_up_a_bloc_is_asked_to_post_as_themselves(world):
    owner = world.standin.add_user("Chủ nhóm")
    group = world.standin.add_group("Nhóm mới", members=[owner], admins=[owner], creator=owner)
    group.add_bot(by=owner)
    await owner.send_anonymously(group, "/khoi Khối thi đua Mới 2025")
    answer = group.last_bot_message()
    assert "ẩn danh" in answer.text and "Chỉ quản trị viên" not in answer.text


async def test_a_channel_posting_in_the_group_gets_a_clear_answer(world):
    """A message with no sender at all (posted as a channel) crashed /moi with AttributeError."""
    group, secretary = await set_up_bloc(world, units=UNITS)
    member = world.standin.add_user("Người Kênh")
    group.add_member(member)
    for command in ("/moi", "/dangky", "/donvi"):
        await member.send_anonymously(group, command, as_channel=True)
        answer = group.last_bot_message()
        assert "dưới tên một kênh" in answer.text, command
    # A reply to the bot's question, as a channel: the same answer, the question stays.
    await secretary.send(group, "/khoi")
    await secretary.press(group.last_bot_message(), "Đổi tên khối")
    question = group.last_bot_message()
    await member.send_anonymously(group, "Tên mới", as_channel=True, reply_to=question)
    assert "dưới tên một kênh" in group.last_bot_message().text
