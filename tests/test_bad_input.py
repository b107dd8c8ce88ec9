"""Refused actions: the wrong person, the wrong chat, bad lists and bad links. Each gets a
clear Vietnamese answer and changes nothing."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import func, select

from storage.models import AuditLog, Bloc, Invitation, Representative, Unit
from tests.samples import HOA_BINH_BLOC, HOA_BINH_UNITS, HUE_BLOC, link_of, set_up_bloc


def counts(world) -> dict[str, int]:
    with world.db.session() as s:
        return {model.__name__: s.exec(select(func.count()).select_from(model)).one()
                for model in (Bloc, Unit, Representative, Invitation, AuditLog)}


async def test_a_member_who_is_not_admin_cannot_set_up_a_bloc(world):
    admin = world.standin.add_user("Trần Thị Hoa")
    member = world.standin.add_user("Võ Văn Tài")
    group = world.standin.add_group(HUE_BLOC, members=[admin, member], admins=[admin])
    group.add_bot(by=admin)
    await member.send(group, f"/khoi {HUE_BLOC} 2025")
    assert "Chỉ quản trị viên của nhóm mới lập được khối thi đua" in group.last_bot_message().text
    assert counts(world)["Bloc"] == 0
    await member.send(group, "/donvi\nHội Khuyến học")
    assert "Nhóm này chưa được lập thành khối thi đua" in group.last_bot_message().text
    assert counts(world)["Unit"] == 0


async def test_setup_asks_for_the_name_when_none_is_given_and_checks_the_year(world):
    admin = world.standin.add_user("Trần Thị Hoa")
    group = world.standin.add_group(HUE_BLOC, members=[admin], admins=[admin])
    group.add_bot(by=admin)
    await admin.send(group, "/khoi")
    question = group.last_bot_message()
    assert "trả lời tin nhắn này bằng tên khối thi đua" in question.text
    await admin.reply(question, f"{HUE_BLOC} 2031")
    assert "Năm thi đua phải là năm nay (2025)" in group.bot_messages()[-2].text
    assert counts(world)["Bloc"] == 0
    again = group.last_bot_message()
    await admin.reply(again, HUE_BLOC)
    assert f"Đã lập {HUE_BLOC}, năm thi đua 2025" in group.last_bot_message().text


async def test_non_secretary_cannot_change_the_roster(world):
    group, secretary = await set_up_bloc(world)
    member = world.standin.add_user("Võ Văn Tài")
    group.add_member(member)
    before = counts(world)
    await member.send(group, "/donvi\nHội Doanh nhân trẻ")
    assert "Chỉ thư ký khối mới dùng được lệnh /donvi" in group.last_bot_message().text
    await member.send(group, "/moi")
    assert "Chỉ thư ký khối mới dùng được lệnh /moi" in group.last_bot_message().text
    await member.send(group, "/donvi")
    roster = group.last_bot_message()
    assert "Hội Khuyến học" in roster.text  # everyone may look
    answer = await member.press(roster, "Sửa đơn vị")
    assert answer == "Chỉ thư ký khối mới dùng được nút này."
    assert counts(world) == before


async def test_an_empty_list_and_a_5000_character_list_are_refused(world):
    group, secretary = await set_up_bloc(world)
    before = counts(world)
    await secretary.send(group, "/donvi")
    await secretary.press(group.last_bot_message(), "Thêm đơn vị")
    await secretary.reply(group.last_bot_message(), "-\n•\n   ")
    refusal = group.bot_messages()[-2].text
    assert "Chưa thêm đơn vị nào" in refusal and "không có chữ): «•»" in refusal
    # The question is asked again, so the secretary can simply answer once more.
    again = group.last_bot_message()
    assert again.force_reply and "trả lời tin nhắn này bằng danh sách đơn vị" in again.text
    await secretary.send(group, "/donvi\n" + "Hội " + "x" * 4996)
    refusal = group.last_bot_message().text
    assert "Chưa thêm đơn vị nào" in refusal and "dài quá 200 ký tự" in refusal
    many = "\n".join(f"Hội nghề nghiệp số {n}" for n in range(1, 200))
    await secretary.send(group, "/donvi\n" + many)
    assert "Khối có tối đa 60 đơn vị" in group.last_bot_message().text
    assert counts(world) == before


async def test_names_differing_only_in_accents_case_or_spacing_are_one_unit(world):
    group, secretary = await set_up_bloc(world, units=["Hội Khuyến học"])
    nfd = "Hội Nông dân".encode().decode()  # composed
    import unicodedata

    await secretary.send(group, "/donvi\nHOI KHUYEN HOC\n  hội   khuyến  học \n"
                         + unicodedata.normalize("NFD", nfd) + "\n" + nfd)
    answer = group.last_bot_message().text
    assert "Đã thêm 1 đơn vị" in answer
    assert "HOI KHUYEN HOC — trùng với «Hội Khuyến học»" in answer
    assert "Hội Nông dân — trùng với «Hội Nông dân»" in answer
    with world.db.session() as s:
        names = sorted(u.name for u in s.exec(select(Unit)))
    assert names == ["Hội Khuyến học", "Hội Nông dân"]


async def test_commands_in_the_wrong_kind_of_chat(world):
    group, secretary = await set_up_bloc(world)
    await secretary.send_private("/donvi")
    assert "Lệnh /donvi dùng trong nhóm Telegram của khối thi đua" in secretary.private_chat.last_bot_message().text
    await secretary.send_private("/moi")
    assert "Lệnh /moi dùng trong nhóm" in secretary.private_chat.last_bot_message().text
    await secretary.send_private("/khoi")
    assert "Lệnh /khoi dùng trong nhóm" in secretary.private_chat.last_bot_message().text


async def test_invitations_wait_until_the_secretary_opens_a_private_chat(world):
    admin = world.standin.add_user("Trần Thị Hoa")
    group = world.standin.add_group(HUE_BLOC, members=[admin], admins=[admin])
    group.add_bot(by=admin)
    await admin.send(group, f"/khoi {HUE_BLOC}")
    await admin.send(group, "/donvi\nHội Khuyến học\nHội Nhà báo")
    await admin.send(group, "/moi")
    answer = group.last_bot_message()
    assert "bấm Bắt đầu (Start), rồi gửi lại /moi" in answer.text
    assert answer.buttons == [["💬 Mở trò chuyện riêng với bot"]]
    assert counts(world)["Invitation"] == 0
    await admin.send_private("/start")
    await admin.send(group, "/moi")
    assert "Đã gửi 2 liên kết mời" in group.last_bot_message().text


async def test_used_revoked_expired_forged_and_other_blocs_links(world):
    group, secretary = await set_up_bloc(world)
    await secretary.send(group, "/moi")
    links = secretary.private_chat.last_bot_message().text
    first = world.standin.add_user("Lê Văn Minh")
    second = world.standin.add_user("Nguyễn Văn Bình")

    # Used: a link works once.
    await first.open_link(link_of(links, "Hội Khuyến học"))
    await first.press(first.private_chat.last_bot_message(), "Xác nhận")
    await second.open_link(link_of(links, "Hội Khuyến học"))
    assert "đã được dùng" in second.private_chat.last_bot_message().text
    # The same person again: told they already represent the unit.
    await first.open_link(link_of(links, "Hội Khuyến học"))
    assert "Anh/chị đã là người đại diện của Hội Khuyến học" in first.private_chat.last_bot_message().text

    # Revoked from the unit's menu.
    await secretary.send(group, "/donvi")
    await secretary.press(group.last_bot_message(), "Sửa đơn vị")
    menu = group.last_bot_message()
    await secretary.press(menu, "Hội Nhà báo")
    await secretary.press(menu, "Thu hồi liên kết mời")
    assert "Thu hồi mọi liên kết mời còn hiệu lực của Hội Nhà báo?" in menu.text  # asked first
    assert await secretary.press(menu, "⛔ Thu hồi") == "Đã thu hồi 1 liên kết mời của đơn vị."
    await second.open_link(link_of(links, "Hội Nhà báo"))
    assert "đã bị thư ký thu hồi (Hội Nhà báo)" in second.private_chat.last_bot_message().text

    # Forged and malformed payloads.
    await second.send_private("/start i_" + "A" * 32)
    assert "Liên kết mời này không hợp lệ" in second.private_chat.last_bot_message().text
    await second.send_private("/start i_<script>")
    assert "Liên kết mời này không hợp lệ" in second.private_chat.last_bot_message().text

    # A confirmation pressed after the link was revoked changes nothing.
    await second.open_link(link_of(links, "Hội Luật gia"))
    question = second.private_chat.last_bot_message()
    await secretary.send(group, "/moi Hội Luật gia")  # a fresh link replaces the old one
    await second.press(question, "Xác nhận")
    assert "đã bị thư ký thu hồi" in question.text

    # Expired: 31 days later.
    world.clock.advance(timedelta(days=31))
    await second.open_link(link_of(links, "Hội Đông y"))
    assert "đã hết hạn ngày 12/03/2025" in second.private_chat.last_bot_message().text
    with world.db.session() as s:
        reps = s.exec(select(Representative)).all()
    assert [r.user_id for r in reps] == [first.id]


async def test_no_bloc_sees_or_touches_another_blocs_units(world):
    hue, hue_secretary = await set_up_bloc(world)
    hoa_binh, hb_secretary = await set_up_bloc(world, title=HOA_BINH_BLOC, units=HOA_BINH_UNITS,
                                               secretary_name="Bùi Văn Dũng")
    with world.db.session() as s:
        hue_bloc = s.exec(select(Bloc).where(Bloc.chat_id == hue.id)).one()
        hue_unit = s.exec(select(Unit).where(Unit.bloc_id == hue_bloc.id, Unit.name == "Hội Khuyến học")).one()
    before = counts(world)
    # The Hòa Bình secretary forges buttons naming a Huế unit, in the Hòa Bình group.
    await hb_secretary.send(hoa_binh, "/donvi")
    roster = hoa_binh.last_bot_message()
    for data in (f"r:delok:{hue_unit.id}", f"r:lead:{hue_unit.id}", f"i:new:{hue_unit.id}", f"r:ren:{hue_unit.id}"):
        # As if such a button were on the roster, so the press reaches the handler's own check.
        answer = await hb_secretary.press_data(roster, data, as_a_button=True)
        assert answer == "Đơn vị này không còn trong khối. Gửi /donvi để xem danh sách mới."
    assert await hb_secretary.press_data(roster, "r:delok:abc") == (
        "Nút này đã cũ hoặc không còn hiệu lực. Hãy gửi lại lệnh để có nút mới.")
    assert await hb_secretary.press_data(roster, "zzz") == (
        "Nút này đã cũ hoặc không còn hiệu lực. Hãy gửi lại lệnh để có nút mới.")
    assert counts(world) == before
    # /moi with a Huế unit name in Hòa Bình finds nothing of Huế.
    await hb_secretary.send(hoa_binh, "/moi Hội Luật gia")
    assert "Không có đơn vị nào tên «Hội Luật gia» trong khối" in hoa_binh.last_bot_message().text
    # A person may represent units of two blocs; each roster shows only its own.
    await hue_secretary.send(hue, "/moi Hội Khuyến học")
    hue_link = link_of(hue_secretary.private_chat.last_bot_message().text, "Hội Khuyến học")
    await hb_secretary.send(hoa_binh, "/moi Hội Khuyến học")
    hb_link = link_of(hb_secretary.private_chat.last_bot_message().text, "Hội Khuyến học")
    officer = world.standin.add_user("Lê Văn Minh")
    for url in (hue_link, hb_link):
        await officer.open_link(url)
        await officer.press(officer.private_chat.last_bot_message(), "Xác nhận")
    await officer.send_private("/huongdan")
    help_text = officer.private_chat.last_bot_message().text
    assert f"Hội Khuyến học — {HOA_BINH_BLOC}" in help_text and f"Hội Khuyến học — {HUE_BLOC}" in help_text
    await hb_secretary.send(hoa_binh, "/donvi")
    assert "Lê Văn Minh" in hoa_binh.last_bot_message().text
    assert "Có người đại diện: 1/8" in hoa_binh.last_bot_message().text
