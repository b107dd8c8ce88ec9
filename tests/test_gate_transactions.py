"""One action, one transaction, the permission gate inside it: the bloc of the chat, the pinned
board and the secretary's role are read in the action's own transaction, and an answer to a
question is looked up, decided and marked answered in one (tests/transactions.py; the per-update
bookkeeping set apart)."""

from __future__ import annotations

from sqlmodel import select

from storage.models import Bloc, PendingReply, Role, RoleKind
from tests.checks import of_the_action
from tests.samples import set_up_bloc
from tests.transactions import transactions

HOUR_BUTTON = "⏰ Giờ gửi nhắc việc"


def _tables(record) -> list[set[str]]:
    return [t.tables for t in record.of_the_action]


async def test_the_groups_commands_are_one_transaction_each_for_a_secretary_and_a_member(world):
    group, secretary = await set_up_bloc(world)
    member = world.standin.add_user("Nguyễn Văn Bình")
    group.add_member(member)
    for person, command, said in [
        (secretary, "/tinhhinh", "Hội Khuyến học"),
        (secretary, "/lich", "Giờ gửi nhắc việc"),
        (secretary, "/namsau", "Sang năm 2026"),
        (secretary, "/huongdan", "/namsau"),
        (member, "/tinhhinh", "Hội Khuyến học"),
        (member, "/lich", "Giờ gửi nhắc việc"),
        (member, "/namsau", "Chỉ thư ký khối"),
        (member, "/tinhhinh 1999", "1999"),
        (secretary, "/chamdiem", "Sửa điểm một đơn vị"),
        (member, "/chamdiem", "Hội Khuyến học"),
        (secretary, "/binhxet", "Chuẩn bị lá phiếu"),
        (member, "/danhsach", ""),
    ]:
        with transactions(world.db.engine) as record:
            await person.send(group, command)
        answer = group.last_bot_message()
        assert said in (answer.text or "") + " ".join(b for row in answer.buttons for b in row), (command, answer.text)
        assert len(record.of_the_action) == 1, (person.full_name, command, _tables(record))
        assert not record.of_the_action[0].writes, (command, _tables(record))

    with transactions(world.db.engine) as record:
        await secretary.send(group, "/xuat")
    assert group.last_bot_message().document is not None
    assert len(record.of_the_action) == 1, _tables(record)

    # A group without a bloc: told so, after one read.
    other = world.standin.add_group("Nhóm chưa lập khối", members=[member], admins=[member])
    other.add_bot(by=member)
    await world.standin.settle()
    with transactions(world.db.engine) as record:
        await member.send(other, "/lich")
    assert "chưa" in other.last_bot_message().text
    assert len(record.of_the_action) == 1, _tables(record)


async def test_presses_are_one_transaction_with_their_gate_and_a_members_press_is_refused_in_it(world):
    group, secretary = await set_up_bloc(world)
    member = world.standin.add_user("Nguyễn Văn Bình")
    group.add_member(member)
    await secretary.send(group, "/namsau")
    preview = group.last_bot_message()

    with transactions(world.db.engine) as record:
        said = await member.press(preview, "⭐ Ghi Trưởng/Phó khối năm sau")
    assert said == "Chỉ thư ký khối mới dùng được nút này."
    assert len(record.of_the_action) == 1 and not record.of_the_action[0].writes, _tables(record)

    with transactions(world.db.engine) as record:
        await secretary.press(preview, "⭐ Ghi Trưởng/Phó khối năm sau")
    assert "Hội Khuyến học" in " ".join(b for row in preview.buttons for b in row)
    assert len(record.of_the_action) == 1, _tables(record)

    await secretary.send(group, "/tinhhinh")
    board = group.last_bot_message()
    with transactions(world.db.engine) as record:
        await secretary.press(board, "🔢 Chỉ tiêu")
    assert "Cờ thi đua" in " ".join(b for row in group.last_bot_message().buttons for b in row)
    assert len(record.of_the_action) == 1, _tables(record)

    # A press that asks a question: its gate in one transaction, then the question's row,
    # written once its message is sent (the new question's, not the press's).
    await secretary.send(group, "/lich")
    with transactions(world.db.engine) as record:
        await secretary.press(group.last_bot_message(), HOUR_BUTTON)
    assert group.last_bot_message().force_reply
    assert len(record.of_the_action) == 2, _tables(record)
    assert not record.of_the_action[0].writes and record.of_the_action[1].tables == {"pending_reply"}


async def test_an_answer_is_looked_up_decided_and_marked_answered_in_one_transaction(world):
    group, secretary = await set_up_bloc(world)
    await secretary.send(group, "/lich")
    await secretary.press(group.last_bot_message(), HOUR_BUTTON)
    with transactions(world.db.engine) as record:
        await secretary.reply(group.last_bot_message(), "9")
    assert "Từ nay bot gửi nhắc việc lúc 09:00" in group.last_bot_message().text
    assert len(of_the_action(record)) == 1, _tables(record)
    assert {"pending_reply", "role", "bloc"} <= of_the_action(record)[0].tables
    with world.db.session() as s:
        assert s.exec(select(PendingReply)).all() == []

    # A refused answer: decided and the question marked answered in one transaction, then
    # the question asked again: a new question, its row written after its message is sent.
    await secretary.press(_schedule(group), HOUR_BUTTON)
    with transactions(world.db.engine) as record:
        await secretary.reply(group.last_bot_message(), "23")
    assert any("Giờ gửi nhắc phải từ 6 đến 20" in (m.text or "") for m in group.bot_messages()[-2:])
    assert group.last_bot_message().force_reply
    assert len(record.of_the_action) == 2, _tables(record)
    assert record.of_the_action[0].writes and record.of_the_action[1].tables == {"pending_reply"}
    with world.db.session() as s:
        assert len(s.exec(select(PendingReply)).all()) == 1

    # The bloc renamed by answering the card's question: one transaction.
    await secretary.send(group, "/khoi")
    await secretary.press(group.last_bot_message(), "✏️ Đổi tên khối")
    with transactions(world.db.engine) as record:
        await secretary.reply(group.last_bot_message(), "Khối thi đua các Hội đặc thù")
    assert "Khối thi đua các Hội đặc thù" in group.last_bot_message().text
    assert len(record.of_the_action) == 1, _tables(record)


async def test_a_secretary_removed_since_the_question_is_refused_inside_the_answers_transaction(world):
    group, secretary = await set_up_bloc(world)
    lan = world.standin.add_user("Hồ Thị Lan")
    group.add_member(lan)
    await secretary.reply(await lan.send(group, "Chào cả nhà"), "/thuky")
    await lan.send(group, "/lich")
    await lan.press(group.last_bot_message(), HOUR_BUTTON)
    question = group.last_bot_message()
    with world.db.session() as s:
        role = s.exec(select(Role).where(Role.user_id == lan.id, Role.kind == RoleKind.SECRETARY)).one()
        s.delete(role)
        s.commit()
    with transactions(world.db.engine) as record:
        await lan.reply(question, "9")
    assert "Chỉ thư ký khối" in group.last_bot_message().text
    assert len(record.of_the_action) == 1, _tables(record)
    with world.db.session() as s:
        assert s.exec(select(Bloc)).one().reminder_hour is None
        assert s.exec(select(PendingReply)).all() == []  # answered (refused), not asked again


def _schedule(group):
    """The last /lich the bot showed (its buttons)."""
    return next(m for m in reversed(group.bot_messages()) if any(HOUR_BUTTON in b for row in m.buttons for b in row))
