"""Defects an independent review found, each with the test that would have caught it."""

from __future__ import annotations

import pytest
from sqlmodel import select

from storage.models import Invitation, Registration, Role, Unit
from tests.samples import INDIVIDUAL_TITLES, enrol, link_of, register, set_up_bloc

XS = "Tập thể lao động xuất sắc"
BK = "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh"


async def test_a_long_registration_gets_its_whole_receipt_and_updates_the_bloc(world):
    group, secretary = await set_up_bloc(world)
    officer = (await enrol(world, group, secretary, ["Hội Khuyến học"]))["Hội Khuyến học"]
    names = ", ".join(f"Nguyễn Văn Người Thứ {n}" for n in range(120))
    receipt = await register(officer, [XS], people={"Lao động tiên tiến": f"120: {names}"},
                             targets="Chỉ tiêu: " + "mở rộng mạng lưới khuyến học ở cơ sở; " * 70)
    chat = officer.private_chat
    whole = "\n".join(m.text for m in chat.bot_messages()[-3:])
    assert "Đã ghi nhận đăng ký thi đua năm 2025 của Hội Khuyến học" in whole
    assert "Nguyễn Văn Người Thứ 119" in whole
    assert all(len(m.text) <= 4096 for m in chat.bot_messages())
    assert receipt.buttons == []
    board = next(m for m in group.bot_messages() if m.text.startswith("📌"))
    assert "Hội Khuyến học: Tập thể lao động xuất sắc; Lao động tiên tiến: 120" in board.text
    assert any("Hội Khuyến học đã đăng ký thi đua" in m.text for m in group.bot_messages())


async def test_an_old_withdraw_button_does_not_withdraw_a_newer_registration(world):
    group, secretary = await set_up_bloc(world)
    officer = (await enrol(world, group, secretary, ["Hội Nhà báo"]))["Hội Nhà báo"]
    await register(officer, [XS])
    await officer.send_private("/dangky")
    await officer.press(officer.private_chat.last_bot_message(), "Rút đăng ký")
    old_confirmation = officer.private_chat.last_bot_message()
    await register(officer, [BK])
    await officer.press(old_confirmation, "↩️ Rút đăng ký")
    assert "đã thay đổi kể từ khi nút này được gửi" in old_confirmation.text
    with world.db.session() as s:
        current = s.exec(select(Registration).where(Registration.current == True)).one()  # noqa: E712
    assert current.collective == ["BK_UBND"] and not current.withdrawn


async def test_edited_messages_repeat_nothing(world):
    group, secretary = await set_up_bloc(world)
    command = await secretary.send(group, "/moi Hội Khuyến học")
    first_link = link_of(secretary.private_chat.last_bot_message().text, "Hội Khuyến học")
    sent_before = len(group.bot_messages()) + len(secretary.private_chat.bot_messages())
    await secretary.edit(command, "/moi Hội Nhà báo")
    await secretary.send(group, "/donvi")
    question_after = group.last_bot_message()
    await secretary.press(question_after, "Thêm đơn vị")
    answer = await secretary.reply(group.last_bot_message(), "Hội Cựu chiến binh")
    await secretary.edit(answer, "Hội Nông dân")
    with world.db.session() as s:
        names = {u.name for u in s.exec(select(Unit))}
        open_links = s.exec(select(Invitation).where(Invitation.revoked_at == None)).all()  # noqa: E711
    assert "Hội Cựu chiến binh" in names and "Hội Nông dân" not in names
    assert [i.unit_id for i in open_links if i.used_at is None].__len__() == 1
    assert first_link.endswith(open_links[0].token)
    assert not any("bot vừa gặp lỗi" in m.text for m in group.bot_messages())
    assert len(group.bot_messages()) + len(secretary.private_chat.bot_messages()) > sent_before


@pytest.mark.refusals_expected  # about the links sent while the secretary has blocked the bot
async def test_a_fresh_link_replaces_the_old_one_only_once_delivered(world):
    group, secretary = await set_up_bloc(world)
    await secretary.send(group, "/moi Hội Khuyến học")
    old = link_of(secretary.private_chat.last_bot_message().text, "Hội Khuyến học")
    secretary.block_bot()
    await secretary.send(group, "/moi Hội Khuyến học")
    officer = world.standin.add_user("Lê Văn Minh")
    await officer.open_link(old)
    assert "Anh/chị được mời làm người đại diện của Hội Khuyến học" in officer.private_chat.last_bot_message().text
    await secretary.send_private("/start")  # unblocks
    await secretary.send(group, "/moi Hội Khuyến học")
    new = link_of(secretary.private_chat.last_bot_message().text, "Hội Khuyến học")
    await officer.open_link(old)
    assert "đã bị thư ký thu hồi" in officer.private_chat.last_bot_message().text
    await officer.open_link(new)
    await officer.press(officer.private_chat.last_bot_message(), "Xác nhận")
    assert "Anh/chị đã là người đại diện của Hội Khuyến học" in officer.private_chat.last_bot_message().text


async def test_individual_steps_follow_the_catalogue(world):
    group, secretary = await set_up_bloc(world)
    officer = (await enrol(world, group, secretary, ["Hội Luật gia"]))["Hội Luật gia"]
    await officer.send_private("/dangky")
    await officer.press(officer.private_chat.last_bot_message(), "Đăng ký")
    step = officer.private_chat.last_bot_message()
    await officer.press(step, XS)
    await officer.press(step, "Tiếp")
    seen = []
    for _ in INDIVIDUAL_TITLES:
        message = officer.private_chat.last_bot_message()
        seen.append(next(t for t in INDIVIDUAL_TITLES if f"danh hiệu {t}." in message.text))
        await officer.press(message, "0 — không đăng ký")
    assert seen == INDIVIDUAL_TITLES


async def test_secretary_roles_are_kept_per_year(world):
    group, secretary = await set_up_bloc(world)
    with world.db.session() as s:
        role = s.exec(select(Role)).one()
    assert (role.kind, role.user_id, role.year) == ("secretary", secretary.id, 2025)
