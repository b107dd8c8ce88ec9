"""A bloc's start, from the people's side: a group admin sets up the Thừa Thiên Huế bloc
with its 12 units, makes invitations, four officers enrol, the roster shows them, and a
restart of the bot keeps everything."""

from __future__ import annotations

import pytest
from sqlmodel import select

from storage.models import AuditLog, Bloc, Invitation, Representative, Unit
from tests.samples import HUE_BLOC, HUE_UNITS, link_of, set_up_bloc

OFFICERS = {
    "Hội Khuyến học": "Lê Văn Minh",
    "Hội Chữ thập đỏ": "Phạm Thị Thu",
    "Hội Người mù": "Ngô Quang Hải",
    "Hội Đông y": "Đặng Thị Mai",
}


async def test_admin_sets_up_bloc_and_four_officers_enrol(world):
    group, secretary = await set_up_bloc(world)
    assert f"Đã lập {HUE_BLOC}, năm thi đua 2025" in "\n".join(m.text for m in group.bot_messages())
    roster = group.last_bot_message().text
    assert "Đã thêm 12 đơn vị" in roster
    # Sorted the Vietnamese way: Đ after D, before H… and "Hội Đông y" after "Hội Chữ thập đỏ".
    positions = [roster.index(name) for name in ("Hội Bảo vệ quyền trẻ em", "Hội Chữ thập đỏ", "Hội Đông y",
                                                  "Hội Khoa học Lịch sử", "Liên hiệp các Tổ chức hữu nghị")]
    assert positions == sorted(positions)
    assert "Có người đại diện: 0/12" in roster

    await secretary.send(group, "/moi")
    assert "Đã gửi 12 liên kết mời" in group.last_bot_message().text
    links = secretary.private_chat.last_bot_message().text
    for unit, officer_name in OFFICERS.items():
        officer = world.standin.add_user(officer_name)
        await officer.open_link(link_of(links, unit))
        question = officer.private_chat.last_bot_message()
        assert f"người đại diện của {unit}" in question.text
        assert HUE_BLOC in question.text
        await officer.press(question, "Xác nhận")
        assert f"Anh/chị đã là người đại diện của {unit}" in officer.private_chat.last_bot_message().text
        assert f"{unit} đã có người đại diện: {officer_name}" in group.last_bot_message().text

    await secretary.send(group, "/donvi")
    roster = group.last_bot_message().text
    assert "Có người đại diện: 4/12" in roster
    for unit, officer_name in OFFICERS.items():
        assert f"{unit}\n   👤 {officer_name}" in roster

    await world.restart_bot()
    await secretary.send(group, "/donvi")
    assert group.last_bot_message().text == roster
    await secretary.send(group, "/khoi")
    card = group.last_bot_message().text
    assert "Đơn vị thành viên: 12; đã có người đại diện: 4/12" in card
    with world.db.session() as s:
        assert len(s.exec(select(Representative)).all()) == 4
        assert len(s.exec(select(Invitation).where(Invitation.used_at != None)).all()) == 4  # noqa: E711
        actions = [entry.action for entry in s.exec(select(AuditLog))]
    assert actions.count("representative.enrol") == 4
    assert actions[:2] == ["bloc.create", "unit.add"]


async def test_secretary_marks_lead_and_deputy_and_renames_a_unit(world):
    group, secretary = await set_up_bloc(world)
    await secretary.send(group, "/donvi")
    await secretary.press(group.last_bot_message(), "Sửa đơn vị")
    picker = group.last_bot_message()
    await secretary.press(picker, "Liên hiệp các Hội Khoa học và Kỹ thuật")
    await secretary.press(picker, "Đặt làm Trưởng khối")
    assert "Đã đặt Liên hiệp các Hội Khoa học và Kỹ thuật làm Trưởng khối năm 2025" in picker.text
    await secretary.press(picker, "Danh sách đơn vị")
    await secretary.press(picker, "Hội Chữ thập đỏ")
    await secretary.press(picker, "Đặt làm Phó khối")
    await secretary.press(picker, "Danh sách đơn vị")
    await secretary.press(picker, "Hội Đông y")
    await secretary.press(picker, "Đổi tên")
    question = group.last_bot_message()
    assert "tên mới của đơn vị «Hội Đông y»" in question.text
    await secretary.reply(question, "Hội Đông y tỉnh")
    assert "Đã đổi tên «Hội Đông y» thành Hội Đông y tỉnh" in group.last_bot_message().text

    await secretary.send(group, "/khoi")
    card = group.last_bot_message().text
    assert "Trưởng khối: Liên hiệp các Hội Khoa học và Kỹ thuật" in card
    assert "Phó khối: Hội Chữ thập đỏ" in card
    await secretary.send(group, "/donvi")
    assert "Hội Đông y tỉnh" in group.last_bot_message().text


async def test_secretary_removes_a_unit_after_confirming(world):
    group, secretary = await set_up_bloc(world)
    await secretary.send(group, "/donvi")
    await secretary.press(group.last_bot_message(), "Sửa đơn vị")
    menu = group.last_bot_message()
    await secretary.press(menu, "Hội Luật gia")
    await secretary.press(menu, "Xoá đơn vị")
    assert "Xoá đơn vị Hội Luật gia khỏi khối?" in menu.text
    await secretary.press(menu, "Không xoá")
    with world.db.session() as s:
        assert s.exec(select(Unit).where(Unit.name == "Hội Luật gia")).one().removed_at is None
    await secretary.press(menu, "Xoá đơn vị")
    await secretary.press(menu, "Xoá hẳn")
    assert "Đã xoá Hội Luật gia" in menu.text
    await secretary.send(group, "/donvi")
    assert "Hội Luật gia" not in group.last_bot_message().text
    assert "Có người đại diện: 0/11" in group.last_bot_message().text
    with world.db.session() as s:
        bloc = s.exec(select(Bloc)).one()
        assert bloc.name == HUE_BLOC
        assert len([u for u in s.exec(select(Unit)) if u.removed_at is None]) == len(HUE_UNITS) - 1


@pytest.mark.parametrize("bot_settings", [{"notify": "dm"}])
async def test_secretary_hears_of_a_new_representative_by_dm_when_configured(world):
    group, secretary = await set_up_bloc(world)
    await secretary.send(group, "/moi Hội Nhà báo")
    officer = world.standin.add_user("Trương Văn Tuấn")
    await officer.open_link(link_of(secretary.private_chat.last_bot_message().text, "Hội Nhà báo"))
    group_before = len(group.bot_messages())
    await officer.press(officer.private_chat.last_bot_message(), "Xác nhận")
    assert "Hội Nhà báo đã có người đại diện: Trương Văn Tuấn" in secretary.private_chat.last_bot_message().text
    assert len(group.bot_messages()) == group_before
