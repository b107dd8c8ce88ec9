"""The group around the bloc: secretaries, help, command menus, a group that becomes a
supergroup, the bot joining, and an internal failure told to the user."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import select

from storage.models import Bloc, Unit
from tests.samples import HUE_BLOC, set_up_bloc


async def test_secretary_adds_and_removes_a_secretary(world):
    group, secretary = await set_up_bloc(world)
    deputy = world.standin.add_user("Hồ Thị Lan", username="lan_ctd")
    group.add_member(deputy)
    said = await deputy.send(group, "/huongdan")
    assert "Thư ký khối (anh/chị)" not in group.last_bot_message().text
    await secretary.reply(said, "/thuky")
    assert "Đã thêm Hồ Thị Lan làm thư ký khối" in group.last_bot_message().text
    await deputy.send(group, "/donvi\nHội Cựu chiến binh")
    assert "Đã thêm 1 đơn vị" in group.last_bot_message().text
    await deputy.send(group, "/huongdan")
    assert "Thư ký khối (anh/chị)" in group.last_bot_message().text

    await secretary.send(group, "/thuky")
    listing = group.last_bot_message()
    assert "Trần Thị Hoa" in listing.text and "Hồ Thị Lan (@lan_ctd)" in listing.text
    assert "Các quản trị viên của nhóm cũng là thư ký" in listing.text
    await secretary.press(listing, "Bỏ thư ký: Hồ Thị Lan")
    assert "Bỏ <b>Hồ Thị Lan</b> khỏi danh sách thư ký" in listing.html  # asked first
    await secretary.press(listing, "🗑 Bỏ thư ký")
    assert "Đã bỏ Hồ Thị Lan khỏi danh sách thư ký" in listing.text
    assert "Hồ Thị Lan (@lan_ctd)" not in listing.text
    await deputy.send(group, "/donvi\nHội Nông dân")
    assert "Chỉ thư ký khối mới dùng được lệnh /donvi" in group.last_bot_message().text


async def test_a_non_secretary_cannot_make_themselves_secretary(world):
    group, secretary = await set_up_bloc(world)
    intruder = world.standin.add_user("Võ Văn Tài")
    group.add_member(intruder)
    said = await intruder.send(group, "/huongdan")
    await intruder.reply(said, "/thuky")
    assert "Chỉ thư ký khối mới dùng được lệnh /thuky" in group.last_bot_message().text
    await secretary.send(group, "/thuky")
    listing = group.last_bot_message()
    assert "Võ Văn Tài" not in listing.text
    assert await intruder.press(listing, "Bỏ thư ký: Trần Thị Hoa") == "Chỉ thư ký khối mới dùng được nút này."


async def test_help_and_start_say_what_this_person_can_do(world):
    stranger = world.standin.add_user("Đinh Văn Nam")
    await stranger.send_private("/start")
    welcome = stranger.private_chat.last_bot_message().text
    assert "cần liên kết mời do thư ký khối gửi" in welcome
    await stranger.send_private("/help")
    assert "chưa là người đại diện của đơn vị nào" in stranger.private_chat.last_bot_message().text
    group, secretary = await set_up_bloc(world)
    await secretary.send(group, "/huongdan")
    assert "/moi — liên kết mời" in group.last_bot_message().text


async def test_command_menus_are_set_in_vietnamese_per_scope(world):
    menus = world.standin.commands
    private = menus[("all_private_chats", "vi")]
    admins = menus[("all_chat_administrators", "vi")]
    groups = menus[("all_group_chats", "vi")]
    assert [c["command"] for c in private] == ["start", "dangky", "giaouoc", "baocao", "chamdiem", "bophieu", "huy",
                                              "tinh", "huongdan"]
    assert "moi" in [c["command"] for c in admins] and "moi" not in [c["command"] for c in groups]
    assert dict((c["command"], c["description"]) for c in groups)["donvi"] == "Danh sách đơn vị thành viên"


async def test_the_bloc_follows_its_group_to_a_supergroup(world):
    group, secretary = await set_up_bloc(world)
    old_id = group.id
    group.migrate_to_supergroup()
    await world.standin.settle()
    assert group.id != old_id
    await secretary.send(group, "/donvi")
    assert "Hội Khuyến học" in group.last_bot_message().text
    with world.db.session() as s:
        assert s.exec(select(Bloc)).one().chat_id == group.id


async def test_the_bot_greets_a_group_it_joins(world):
    admin = world.standin.add_user("Trần Thị Hoa")
    group = world.standin.add_group(HUE_BLOC, members=[admin], admins=[admin])
    group.add_bot(by=admin)
    await world.standin.settle()
    assert "Quản trị viên nhóm gửi /khoi Tên khối năm để lập khối" in group.last_bot_message().text


async def test_an_internal_failure_is_told_and_nothing_confirmed_is_lost(world):
    group, secretary = await set_up_bloc(world)
    # A real fault: the unit table disappears under the bot.
    with world.db.engine.begin() as connection:
        connection.execute(text("ALTER TABLE unit RENAME TO unit_away"))
    await secretary.send(group, "/donvi")
    assert "bot vừa gặp lỗi" in group.last_bot_message().text
    with world.db.engine.begin() as connection:
        connection.execute(text("ALTER TABLE unit_away RENAME TO unit"))
    await secretary.send(group, "/donvi")
    assert "Hội Khuyến học" in group.last_bot_message().text
    with world.db.session() as s:
        assert len(s.exec(select(Unit)).all()) == 12
