"""One action, one transaction, for a bloc's set-up, its roster, its secretaries and its
invitations: what the bot's engine begins while each action runs, the per-update
bookkeeping set apart (tests/transactions.py)."""

from __future__ import annotations

from sqlmodel import select

from storage.models import Invitation, Role, RoleKind
from tests.samples import HUE_BLOC, HUE_UNITS, link_of, set_up_bloc
from tests.transactions import transactions


def _tables(record) -> list[set[str]]:
    return [t.tables for t in record.of_the_action]


async def test_setting_up_pasting_naming_inviting_enrolling_revoking_are_one_transaction_each(world):
    hoa = world.standin.add_user("Trần Thị Hoa")
    lan = world.standin.add_user("Hồ Thị Lan")
    group = world.standin.add_group(HUE_BLOC, members=[hoa, lan], admins=[hoa])
    group.add_bot(by=hoa)
    await world.standin.settle()
    await hoa.send_private("/start")

    with transactions(world.db.engine) as record:
        await hoa.send(group, f"/khoi {HUE_BLOC} 2025")
    assert f"Đã lập {HUE_BLOC}, năm thi đua 2025" in group.last_bot_message().text
    assert len(record.of_the_action) == 1, _tables(record)

    with transactions(world.db.engine) as record:
        await hoa.send(group, "/donvi\n" + "\n".join(HUE_UNITS))
    assert f"Đã thêm {len(HUE_UNITS)} đơn vị" in group.last_bot_message().text
    assert len(record.of_the_action) == 1, _tables(record)

    said = await lan.send(group, "Chào cả nhà")
    with transactions(world.db.engine) as record:
        await hoa.reply(said, "/thuky")
    assert "Hồ Thị Lan" in group.last_bot_message().text
    assert len(record.of_the_action) == 1, _tables(record)
    with world.db.session() as s:
        assert sorted(r.user_id for r in s.exec(select(Role).where(Role.kind == RoleKind.SECRETARY))) == sorted([hoa.id, lan.id])

    # Links for every unit: one transaction (none replaces another, nothing to settle after the send).
    with transactions(world.db.engine) as record:
        await hoa.send(group, "/moi")
    assert f"Đã gửi {len(HUE_UNITS)} liên kết mời" in group.last_bot_message().text
    assert len(record.of_the_action) == 1, _tables(record)

    unit = "Hội Khuyến học"
    officer = world.standin.add_user("Lê Văn Minh")
    with transactions(world.db.engine) as record:
        await officer.open_link(link_of(hoa.private_chat.last_bot_message().text, unit))
    assert len(record.of_the_action) == 1, _tables(record)
    with transactions(world.db.engine) as record:
        await officer.press(officer.private_chat.last_bot_message(), "Xác nhận")
    assert f"Anh/chị đã là người đại diện của {unit}" in officer.private_chat.last_bot_message().text
    assert len(record.of_the_action) == 1, _tables(record)

    # A unit's links revoked from its menu: the question, then the revocation with the menu
    # shown as it now is, each one transaction.
    await hoa.send(group, "/donvi")
    await hoa.press(group.last_bot_message(), "Sửa đơn vị")
    menu = group.last_bot_message()
    with transactions(world.db.engine) as record:
        await hoa.press(menu, "Hội Chữ thập đỏ")
    assert len(record.of_the_action) == 1, _tables(record)
    with transactions(world.db.engine) as record:
        await hoa.press(menu, "Thu hồi liên kết")
    assert len(record.of_the_action) == 1, _tables(record)
    with transactions(world.db.engine) as record:
        await hoa.press(menu, "⛔ Thu hồi")
    assert len(record.of_the_action) == 1, _tables(record)
    with world.db.session() as s:
        revoked = s.exec(select(Invitation).where(Invitation.revoked_at != None)).all()  # noqa: E711
    assert len(revoked) == 1


async def test_the_catalogue_and_a_move_to_a_supergroup_are_one_transaction_per_update(world):
    group, secretary = await set_up_bloc(world)
    await secretary.send(group, "/khoi")
    card = group.last_bot_message()
    with transactions(world.db.engine) as record:
        await secretary.press(card, "Danh mục danh hiệu")
    assert "12 đơn vị thành viên" in card.text
    assert len(record.of_the_action) == 1, _tables(record)

    # Telegram tells of the move from the old chat and from the new one: two updates, one
    # transaction each, the first moving the bloc, the second finding nothing left to move.
    with transactions(world.db.engine) as record:
        group.migrate_to_supergroup()
        await world.standin.settle()
    assert len(record.of_the_action) == 2, _tables(record)
    assert [t.writes for t in record.of_the_action] == [True, False]
    await secretary.send(group, "/donvi")
    assert "Hội Khuyến học" in group.last_bot_message().text


async def test_a_units_menu_and_a_secretarys_removal_are_one_transaction_per_press(world):
    group, secretary = await set_up_bloc(world)
    lan = world.standin.add_user("Hồ Thị Lan")
    group.add_member(lan)
    await secretary.reply(await lan.send(group, "Chào cả nhà"), "/thuky")
    await secretary.send(group, "/donvi")
    await secretary.press(group.last_bot_message(), "Sửa đơn vị")
    menu = group.last_bot_message()

    async def press(message, button: str) -> None:
        with transactions(world.db.engine) as record:
            await secretary.press(message, button)
        assert len(record.of_the_action) == 1, (button, _tables(record))

    await press(menu, "Hội Đông y")
    await press(menu, "Đặt làm Trưởng khối")
    assert "Đã đặt Hội Đông y làm Trưởng khối năm 2025" in menu.text
    await press(menu, "Xoá đơn vị")
    await press(menu, "Xoá hẳn")
    assert "Đã xoá Hội Đông y khỏi khối" in menu.text

    await secretary.send(group, "/thuky")
    listing = group.last_bot_message()
    await press(listing, "Bỏ thư ký: Hồ Thị Lan")
    await press(listing, "🗑 Bỏ thư ký")
    assert "Hồ Thị Lan" not in " ".join(b for row in listing.buttons for b in row)
