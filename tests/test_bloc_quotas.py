"""The bloc's quotas for its year are one fact (issue 14, defect 2): the secretary sets them
from /tinhhinh in January; the status, the pinned board and December's ballot all say the
same number; the ballot's own quota button sets that fact too; once the ballot is open the
quotas are fixed; a plain member of the group cannot set them."""

from __future__ import annotations

from sqlmodel import select

from storage.models import AuditLog, BlocQuota, Vote
from tests.checks import of_the_action
from tests.samples import enrol, register, set_up_bloc
from tests.transactions import transactions
from tests.test_forged_input import STALE
from tests.test_review import BK, CO_TINH, local

UNITS = ["Hội Chữ thập đỏ", "Hội Khuyến học", "Hội Luật gia", "Hội Nhà báo", "Hội Người mù", "Hội Đông y"]


async def set_quota_from_status(secretary, group, title: str, typed: str) -> None:
    """/tinhhinh → «🔢 Chỉ tiêu» → the title → reply with the number."""
    await secretary.send(group, "/tinhhinh")
    await secretary.press(group.last_bot_message(), "🔢 Chỉ tiêu")
    await secretary.press(group.last_bot_message(), title)
    question = group.last_bot_message()
    assert question.force_reply and f"chỉ tiêu của khối năm 2025 cho {title}" in question.text
    await secretary.reply(question, typed)


def line_of(text: str, title: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(f"• {title}:"))


async def test_quotas_set_in_january_are_those_of_the_status_the_board_and_the_ballot(world):
    group, secretary = await set_up_bloc(world, units=UNITS)
    group.promote_bot(can_pin=True)
    officers = await enrol(world, group, secretary, UNITS)

    # January: the province gave the bloc 3 provincial flags (the catalogue's default is 1).
    world.clock.set(local(10, 1, 9, 0))
    await set_quota_from_status(secretary, group, CO_TINH, "3")
    assert any(f"Đã đặt chỉ tiêu năm 2025 cho {CO_TINH}: 3 đơn vị" in (m.text or "") for m in group.bot_messages())
    await secretary.send(group, "/khoi")
    await secretary.press(group.last_bot_message(), "Danh mục danh hiệu")
    assert f"{CO_TINH} — khối bình xét, bỏ phiếu; chỉ tiêu 3" in group.last_bot_message().text
    for unit in UNITS[:4]:
        await register(officers[unit], [CO_TINH, BK])

    await secretary.send(group, "/tinhhinh")
    status = group.last_bot_message().text
    assert line_of(status, CO_TINH) == f"• {CO_TINH}: 4 đăng ký / chỉ tiêu 3 ⚠️"
    assert line_of(status, BK) == f"• {BK}: 4 đăng ký / chỉ tiêu 2 ⚠️"  # 30 % of 6: the catalogue's
    assert line_of(group.pinned.text, CO_TINH) == f"• {CO_TINH}: 4 đăng ký / chỉ tiêu 3 ⚠️"

    # December: the ballot is prepared with the bloc's quota; its own quota button sets the same fact.
    world.clock.set(local(10, 12, 9, 0))
    await secretary.send(group, "/binhxet")
    await secretary.press(group.last_bot_message(), "Chuẩn bị lá phiếu")
    assert f"<b>{CO_TINH}</b> (chọn tối đa 3)" in group.last_bot_message().html
    await secretary.press(group.last_bot_message(), "Sửa chỉ tiêu")
    await secretary.press(group.last_bot_message(), BK)
    await secretary.reply(group.last_bot_message(), "4")
    panel = group.last_bot_message()
    assert f"<b>{CO_TINH}</b> (chọn tối đa 3)" in panel.html and f"<b>{BK}</b> (chọn tối đa 4)" in panel.html
    assert line_of(group.pinned.text, BK) == f"• {BK}: 4 đăng ký / chỉ tiêu 4"
    with world.db.session() as session:
        assert {(q.code, q.quota) for q in session.exec(select(BlocQuota))} == {("CO_TINH", 3), ("BK_UBND", 4)}

    # Changed again from /tinhhinh while the ballot is still being prepared: the ballot follows.
    await set_quota_from_status(secretary, group, CO_TINH, "2")
    await secretary.send(group, "/binhxet")
    assert f"<b>{CO_TINH}</b> (chọn tối đa 2)" in group.last_bot_message().html
    await set_quota_from_status(secretary, group, CO_TINH, "3")
    # Asked before the ballot opens, answered after: see below.
    await secretary.send(group, "/tinhhinh")
    await secretary.press(group.last_bot_message(), "🔢 Chỉ tiêu")
    picker = group.last_bot_message()
    await secretary.press(picker, CO_TINH)
    late_question = group.last_bot_message()

    await secretary.send(group, "/binhxet")
    await secretary.press(group.last_bot_message(), "Mở bỏ phiếu")
    await secretary.reply(group.last_bot_message(), "không")
    with world.db.session() as session:
        ballot = {e.code: e.quota for e in session.exec(select(Vote)).one().ballot}
    assert ballot["CO_TINH"] == 3 and ballot["BK_UBND"] == 4
    officer = officers[UNITS[0]]
    await officer.send_private("/bophieu")
    step = officer.private_chat.last_bot_message()
    while CO_TINH not in step.text:
        await officer.press(step, "Tiếp »")
        step = officer.private_chat.last_bot_message()
    assert f"{CO_TINH}: chọn tối đa 3 đơn vị" in step.text

    # Open: the quotas units vote with are fixed; the secretary is told, nothing changes.
    await secretary.reply(late_question, "5")
    assert "đã mở, chỉ tiêu của khối đã chốt" in group.last_bot_message().text
    assert "đã mở, chỉ tiêu của khối đã chốt" in await secretary.press(picker, CO_TINH)
    await secretary.send(group, "/tinhhinh")
    await secretary.press(group.last_bot_message(), "🔢 Chỉ tiêu")
    shown = group.last_bot_message()
    assert f"• {CO_TINH}: 3" in shown.text and "đã chốt" in shown.text and not shown.button_rows
    await secretary.send(group, "/tinhhinh")
    assert line_of(group.last_bot_message().text, CO_TINH) == f"• {CO_TINH}: 4 đăng ký / chỉ tiêu 3 ⚠️"
    with world.db.session() as session:
        assert {(q.code, q.quota) for q in session.exec(select(BlocQuota))} == {("CO_TINH", 3), ("BK_UBND", 4)}
        audited = [a.detail for a in session.exec(select(AuditLog).where(AuditLog.action == "quota.set"))]
    assert [(d["code"], d["quota"]) for d in audited] == [("CO_TINH", 3), ("BK_UBND", 4), ("CO_TINH", 2),
                                                          ("CO_TINH", 3)]


async def test_a_plain_member_cannot_set_the_blocs_quotas(world):
    group, secretary = await set_up_bloc(world, units=UNITS)
    member = world.standin.add_user("Lê Văn Nam")
    group.add_member(member)
    await world.standin.settle()
    world.clock.set(local(10, 1, 9, 0))

    await secretary.send(group, "/tinhhinh")
    status = group.last_bot_message()
    assert await member.press(status, "🔢 Chỉ tiêu") == "Chỉ thư ký khối mới dùng được nút này."
    await secretary.press(status, "🔢 Chỉ tiêu")
    picker = group.last_bot_message()
    # The title's button on the secretary's list, and its data forged on the status message:
    # stale as Telegram sends it, and refused to a member by the handler itself.
    assert await member.press(picker, CO_TINH) == "Chỉ thư ký khối mới dùng được nút này."
    assert await member.press_data(status, "st:qt:CO_TINH") == STALE
    assert await member.press_data(status, "st:qt:CO_TINH", as_a_button=True) == (
        "Chỉ thư ký khối mới dùng được nút này.")
    assert not any(m.force_reply for m in group.bot_messages())
    # A reply to the secretary's question by someone else is not taken either.
    await secretary.press(picker, CO_TINH)
    await member.reply(group.last_bot_message(), "3")
    with world.db.session() as session:
        assert session.exec(select(BlocQuota)).all() == []
    await secretary.send(group, "/tinhhinh")
    assert line_of(group.last_bot_message().text, CO_TINH) == f"• {CO_TINH}: 0 đăng ký / chỉ tiêu 1"


async def test_a_quota_saved_is_one_transaction(world):
    group, secretary = await set_up_bloc(world, units=UNITS)
    await secretary.send(group, "/tinhhinh")
    await secretary.press(group.last_bot_message(), "🔢 Chỉ tiêu")
    await secretary.press(group.last_bot_message(), CO_TINH)
    with transactions(world.db.engine) as record:
        await secretary.reply(group.last_bot_message(), "3")
    assert any(f"Đã đặt chỉ tiêu năm 2025 cho {CO_TINH}: 3 đơn vị" in (m.text or "") for m in group.bot_messages())
    # The question looked up, the secretary checked, the quota checked and written, the
    # question marked answered: one transaction; then the pinned board's own refresh: its
    # read and, the board being posted for the first time, its row recorded after the post.
    action = of_the_action(record)
    tables = [t.tables for t in action]
    assert {"pending_reply", "role", "bloc_quota", "audit_log"} <= action[0].tables, tables
    assert len(action) == 3 and not action[1].writes and action[2].tables == {"status_board"}, tables
