"""/namsau from the people's side: a bloc that registered in 2025 records its 2026 leaders,
moves to 2026, starts registering afresh, and can still read 2025; who may move it, late
confirmations, and an open ballot that holds it back."""

from __future__ import annotations

import io
from datetime import timedelta
import openpyxl
import pytest
from sqlmodel import select

from domain import rollover as rules
from exports.registration_sheet import header_row_index
from storage import roles
from storage.models import AuditLog, Bloc, Reminder, Role, RoleKind, Unit, Vote
from tests.checks import of_the_action
from tests.samples import HUE_UNITS, enrol, register, set_up_bloc
from tests.transactions import transactions

CO_TINH = "Cờ thi đua của Ủy ban nhân dân tỉnh"
BK = "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh"
XS = "Tập thể lao động xuất sắc"
RED_CROSS, LEARNING, SCIENCE = "Hội Chữ thập đỏ", "Hội Khuyến học", "Liên hiệp các Hội Khoa học và Kỹ thuật"
# Only listed secretaries act as secretaries, so that carrying them over to 2026 is what is tested.
LISTED_ONLY = pytest.mark.parametrize("bot_settings", [{"admins_are_secretaries": False}])


def bloc_row(world) -> Bloc:
    with world.db.session() as s:
        return s.exec(select(Bloc)).one()


def unit_id(world, name: str) -> int:
    with world.db.session() as s:
        return s.exec(select(Unit).where(Unit.name == name)).one().id


def buttons_of(message) -> list[str]:
    return [b for row in message.buttons for b in row]


async def record_leaders(secretary, preview, lead: str, deputy: str):
    await secretary.press(preview, "Ghi Trưởng/Phó khối năm sau")
    assert "Trưởng khối năm 2026" in preview.text
    await secretary.press(preview, lead)
    assert f"Trưởng khối năm 2026: {lead}" in preview.text and "Phó khối năm 2026" in preview.text
    assert lead not in buttons_of(preview)  # a unit is not both
    await secretary.press(preview, deputy)


@LISTED_ONLY
async def test_a_bloc_moves_to_2026_and_2025_stays_readable(world):
    group, secretary = await set_up_bloc(world)
    helper = world.standin.add_user("Hồ Thị Lan")
    group.add_member(helper)
    said = await helper.send(group, "/huongdan")
    await secretary.reply(said, "/thuky")
    await secretary.send(group, "/lich")
    await secretary.press(group.last_bot_message(), "Đặt/dời: Hạn đăng ký thi đua")
    await secretary.reply(group.last_bot_message(), "31/3/2025")
    officers = await enrol(world, group, secretary, [RED_CROSS, LEARNING, SCIENCE])
    await register(officers[RED_CROSS], [CO_TINH, XS], targets="Phát triển 500 hội viên mới")
    await register(officers[LEARNING], [BK])

    await secretary.send(group, "/namsau")
    preview = group.last_bot_message()
    assert "năm thi đua của khối chuyển từ 2025 sang 2026" in preview.text
    assert "Trưởng khối năm 2026: chưa có" in preview.text and "Phó khối năm 2026: chưa có" in preview.text
    assert "ghi sau, khi đã sang năm, trong /donvi" in preview.text
    assert "Thư ký: Trần Thị Hoa, Hồ Thị Lan" in preview.text
    assert "chưa gửi của năm 2025 sẽ dừng" in preview.text  # the 31/3 deadline's reminders
    assert "Năm 2025 chưa bỏ phiếu suy tôn qua bot" in preview.text  # warned, not refused
    await record_leaders(secretary, preview, LEARNING, RED_CROSS)
    assert "Đã ghi lãnh đạo khối năm 2026" in preview.text
    assert f"Trưởng khối năm 2026: {LEARNING}" in preview.text and f"Phó khối năm 2026: {RED_CROSS}" in preview.text
    with world.db.session() as s:
        assert bloc_row(world).year == 2025  # recorded, not moved yet
        assert {(r.kind, r.year) for r in s.exec(select(Role).where(Role.unit_id.is_not(None)))} == {
            (RoleKind.LEAD, 2026), (RoleKind.DEPUTY, 2026)}
        assert s.exec(select(AuditLog).where(AuditLog.action == "truong_khoi.set")).one().detail["year"] == 2026

    # "Thôi" changes nothing.
    await secretary.press(preview, "Sang năm 2026")
    assert "Xác nhận sang năm thi đua 2026?" in preview.text
    await secretary.press(preview, "Thôi")
    assert "khối vẫn ở năm thi đua 2025" in preview.text and preview.buttons == []
    assert bloc_row(world).year == 2025

    await secretary.send(group, "/namsau")
    preview = group.last_bot_message()
    await secretary.press(preview, "Sang năm 2026")
    await secretary.press(preview, "Xác nhận sang năm 2026")
    assert "Đã sang năm thi đua 2026" in preview.text and preview.buttons == []
    news = group.last_bot_message().text
    assert "bắt đầu năm thi đua 2026" in news
    assert f"Trưởng khối: {LEARNING}" in news and f"Phó khối: {RED_CROSS}" in news
    assert "gửi /dangky trong trò chuyện riêng với bot" in news
    assert bloc_row(world).year == 2026
    with world.db.session() as s:
        entry = s.exec(select(AuditLog).where(AuditLog.action == "bloc.rollover")).one()
        assert entry.actor_id == secretary.id and entry.detail["from_year"] == 2025
        assert not s.exec(select(Reminder).where(Reminder.status == "pending")).all()

    await secretary.send(group, "/khoi")
    card = group.last_bot_message().text
    assert "Năm thi đua: 2026" in card
    assert f"Trưởng khối: {LEARNING}" in card and f"Phó khối: {RED_CROSS}" in card

    red_cross = officers[RED_CROSS]
    await red_cross.send_private("/dangky")
    overview = red_cross.private_chat.last_bot_message()
    assert "Đăng ký thi đua năm 2026" in overview.text and "Đơn vị chưa đăng ký thi đua" in overview.text
    assert buttons_of(overview) == ["📝 Đăng ký"]  # no 2026 deadline yet: open

    await secretary.send(group, "/tinhhinh")
    now = group.last_bot_message().text
    assert "(năm 2026)" in now and "Đã đăng ký: 0/12" in now and "chưa đặt (thư ký đặt bằng /lich)" in now
    await secretary.send(group, "/tinhhinh 2025")
    then = group.last_bot_message()
    assert "(năm 2025)" in then.text and "năm thi đua hiện tại của khối là 2026" in then.text
    assert "Đã đăng ký: 2/12" in then.text and "Hạn đăng ký: 23:59 ngày 31/03/2025" in then.text
    assert f"{RED_CROSS}: {CO_TINH}; {XS}" in then.text
    assert then.buttons == []  # a past year is only read: no reopening

    await secretary.send(group, "/xuat 2025")
    document = group.last_bot_message().document
    assert document is not None and document[0] == "dang_ky_thi_dua_2025.xlsx"
    assert "năm 2025" in group.last_bot_message().caption
    sheet = openpyxl.load_workbook(io.BytesIO(document[1])).active
    header = header_row_index()
    rows = {sheet.cell(r, 2).value: [sheet.cell(r, c).value for c in range(1, 9)]
            for r in range(header + 1, header + 13)}
    assert set(rows) == set(HUE_UNITS)
    assert rows[RED_CROSS][2] == XS and rows[RED_CROSS][5] == "Phát triển 500 hội viên mới"
    assert rows[LEARNING][3] == BK and rows[SCIENCE][7] == "Chưa đăng ký"
    await secretary.send(group, "/xuat")
    assert group.last_bot_message().document[0] == "dang_ky_thi_dua_2026.xlsx"

    # 2026 goes on: a registration counts for 2026 only; both secretaries are still secretaries.
    world.clock.advance(timedelta(days=1))
    receipt = await register(red_cross, [BK])
    assert "Đã ghi nhận đăng ký thi đua năm 2026" in receipt.text
    await secretary.send(group, "/tinhhinh 2025")
    assert f"{RED_CROSS}: {CO_TINH}; {XS}" in group.last_bot_message().text
    await helper.send(group, "/donvi\nHội Cựu chiến binh")
    assert "Đã thêm 1 đơn vị" in group.last_bot_message().text
    await secretary.send(group, "/thuky")
    listing = group.last_bot_message().text
    assert "Trần Thị Hoa" in listing and "Hồ Thị Lan" in listing
    with world.db.session() as s:
        assert {r.user_id for r in s.exec(select(Role).where(Role.year == 2026, Role.kind == "secretary"))} == {
            secretary.id, helper.id}
    # A unit added in 2026 was not a member in 2025.
    await secretary.send(group, "/tinhhinh 2025")
    assert "Hội Cựu chiến binh" not in group.last_bot_message().text


async def test_only_secretaries_move_the_year(world):
    group, secretary = await set_up_bloc(world)
    member = world.standin.add_user("Võ Văn Tài")
    group.add_member(member)
    await member.send(group, "/namsau")
    assert "Chỉ thư ký khối mới dùng được lệnh /namsau" in group.last_bot_message().text
    await secretary.send(group, "/namsau")
    preview = group.last_bot_message()
    assert await member.press(preview, "Sang năm 2026") == "Chỉ thư ký khối mới dùng được nút này."
    await secretary.press(preview, "Sang năm 2026")
    assert await member.press(preview, "Xác nhận sang năm 2026") == "Chỉ thư ký khối mới dùng được nút này."
    assert await member.press_data(preview, "ro:ok:2025:0") == "Chỉ thư ký khối mới dùng được nút này."
    assert bloc_row(world).year == 2025
    await secretary.send_private("/namsau")
    assert "dùng trong nhóm Telegram" in secretary.private_chat.last_bot_message().text


async def test_a_late_confirmation_does_not_move_the_bloc_again(world):
    group, secretary = await set_up_bloc(world)
    await secretary.send(group, "/namsau")
    first = group.last_bot_message()
    await secretary.send(group, "/namsau")
    second = group.last_bot_message()
    await secretary.press(first, "Sang năm 2026")
    await secretary.press(second, "Sang năm 2026")
    with transactions(world.db.engine) as record:
        await secretary.press(first, "Xác nhận sang năm 2026")
    assert bloc_row(world).year == 2026
    # The move, its checks and the new year's leaders for the announcement: one transaction.
    moved = of_the_action(record)
    assert len(moved) == 1 and moved[0].writes and "audit_log" in moved[0].tables
    said = await secretary.press(second, "Xác nhận sang năm 2026")
    assert said == ("Nút này dành cho năm 2025, nhưng khối đã ở năm 2026. Không có gì thay đổi; "
                    "gửi /namsau nếu cần.")
    assert await secretary.press(second, "Thôi") == said
    assert bloc_row(world).year == 2026
    with world.db.session() as s:
        assert len(s.exec(select(AuditLog).where(AuditLog.action == "bloc.rollover")).all()) == 1
        assert len(s.exec(select(Role).where(Role.year == 2026)).all()) == 1  # the secretary, once
    news = [m for m in group.bot_messages() if m.text and "bắt đầu năm thi đua 2026" in m.text]
    assert len(news) == 1
    assert "Trưởng khối: chưa xác định" in news[0].text and "bằng /donvi" in news[0].text
    # Moving again at once would put the bloc two years ahead of the calendar (it is 2025).
    await secretary.send(group, "/namsau")
    assert "Chưa thể sang năm 2027" in group.last_bot_message().text
    assert group.last_bot_message().buttons == []
    assert bloc_row(world).year == 2026


async def test_an_open_ballot_holds_the_year_back(world):
    group, secretary = await set_up_bloc(world)
    await secretary.send(group, "/namsau")
    early = group.last_bot_message()
    await secretary.press(early, "Sang năm 2026")
    bloc = bloc_row(world)
    with world.db.session() as s:
        s.add(Vote(bloc_id=bloc.id, year=2025, status="open", created_by=secretary.id,
                   created_at=world.clock.now()))
    await secretary.send(group, "/namsau")
    refused = group.last_bot_message()
    assert "Cuộc bỏ phiếu suy tôn năm 2025 đang mở" in refused.text and "chưa có gì thay đổi" in refused.text
    assert refused.buttons == []
    # A confirmation shown before the ballot opened is refused too.
    said = await secretary.press(early, "Xác nhận sang năm 2026")
    assert said.startswith("Bỏ phiếu suy tôn năm 2025 đang mở")
    assert bloc_row(world).year == 2025
    with world.db.session() as s:
        assert not s.exec(select(AuditLog).where(AuditLog.action == "bloc.rollover")).all()

    # The ballot closes and, as the ballot feature does, records the leaders it elected.
    with world.db.session() as s:
        vote = s.exec(select(Vote)).one()
        vote.status = "closed"
        s.add(vote)
        stored = s.get(Bloc, bloc.id)
        for name, kind in ((SCIENCE, RoleKind.LEAD), (RED_CROSS, RoleKind.DEPUTY)):
            unit = s.exec(select(Unit).where(Unit.name == name)).one()
            roles.set_unit_role(session=s, bloc=stored, unit=unit, kind=kind, by=secretary.id,
                                now=world.clock.now(), year=stored.year + 1)
        assert roles.unit_roles(session=s, bloc=stored) == {}  # 2025 itself has no leaders set
    await secretary.send(group, "/namsau")
    preview = group.last_bot_message()
    assert f"Trưởng khối năm 2026: {SCIENCE}" in preview.text and "chưa bỏ phiếu" not in preview.text
    await secretary.press(preview, "Sang năm 2026")
    await secretary.press(preview, "Xác nhận sang năm 2026")
    assert f"Trưởng khối: {SCIENCE}" in group.last_bot_message().text
    await secretary.send(group, "/donvi")
    assert f"{SCIENCE} — Trưởng khối" in group.last_bot_message().text


async def test_leader_buttons_are_checked(world):
    group, secretary = await set_up_bloc(world)
    other_group, other_secretary = await set_up_bloc(world, title="Khối thi đua số 3 (các tổ chức Hội)",
                                                     units=["Hội Người cao tuổi"], secretary_name="Lê Văn Hùng")
    stranger_unit = unit_id(world, "Hội Người cao tuổi")
    await secretary.send(group, "/namsau")
    preview = group.last_bot_message()
    await secretary.press(preview, "Ghi Trưởng/Phó khối năm sau")
    await secretary.press(preview, LEARNING)
    # A forged deputy that is next year's Trưởng khối, and a unit of another bloc.
    said = await secretary.press_data(preview, f"ro:D:2025:{unit_id(world, LEARNING)}", as_a_button=True)
    assert said.startswith("Đơn vị này là Trưởng khối năm sau")
    assert await secretary.press_data(preview, f"ro:L:2025:{stranger_unit}", as_a_button=True) == \
        "Đơn vị này không còn trong khối. Gửi /donvi để xem danh sách mới."
    assert await secretary.press_data(preview, "ro:zz:2025:0") == "Nút này đã cũ hoặc không còn hiệu lực. " \
                                                                  "Hãy gửi lại lệnh để có nút mới."
    with world.db.session() as s:
        held = {(r.unit_id, r.kind) for r in s.exec(select(Role).where(Role.year == 2026, Role.removed_at.is_(None)))}
    assert held == {(unit_id(world, LEARNING), RoleKind.LEAD)}
    # Next year's leader, recorded ahead, does not make 2026 a year to read yet.
    await secretary.send(group, "/tinhhinh 2026")
    assert "Khối không có số liệu năm 2026" in group.last_bot_message().text
    # Skipping the deputy leaves it open; the other bloc is untouched.
    await secretary.press(preview, "Bỏ qua")
    assert f"Trưởng khối năm 2026: {LEARNING}" in preview.text and "Phó khối năm 2026: chưa có" in preview.text
    await other_secretary.send(other_group, "/namsau")
    assert "Trưởng khối năm 2026: chưa có" in other_group.last_bot_message().text


async def test_a_year_after_the_command_must_be_one_the_bloc_has(world):
    group, secretary = await set_up_bloc(world)
    await secretary.send(group, "/tinhhinh năm ngoái")
    assert "«năm ngoái» không phải là một năm" in group.last_bot_message().text
    await secretary.send(group, "/xuat 2019")
    answer = group.last_bot_message()
    assert answer.document is None
    assert "Khối không có số liệu năm 2019" in answer.text and "năm hiện tại (2025)" in answer.text
    await secretary.send(group, "/tinhhinh 2025")  # the current year, as without one
    current = group.last_bot_message()
    assert "(năm 2025)" in current.text and "Mở lại đăng ký cho một đơn vị" in buttons_of(current)[0]
    await secretary.send(group, "/namsau")
    await secretary.press(group.last_bot_message(), "Sang năm 2026")
    await secretary.press(group.last_bot_message(), "Xác nhận sang năm 2026")
    await secretary.send(group, "/tinhhinh 2027")
    assert "Các năm có số liệu: 2025, 2026" in group.last_bot_message().text


async def test_a_registration_half_done_at_the_rollover_is_dropped(world):
    group, secretary = await set_up_bloc(world)
    officer = (await enrol(world, group, secretary, [RED_CROSS]))[RED_CROSS]
    await officer.send_private("/dangky")
    await officer.press(officer.private_chat.last_bot_message(), "Đăng ký")
    step = officer.private_chat.last_bot_message()
    await secretary.send(group, "/namsau")
    await secretary.press(group.last_bot_message(), "Sang năm 2026")
    await secretary.press(group.last_bot_message(), "Xác nhận sang năm 2026")
    # The 2025 draft cannot be confirmed into 2026.
    assert await officer.press(step, "Tiếp") == ("Nút này thuộc một bước đã qua hoặc một lần đăng ký đã kết thúc. "
                                                  "Gửi /dangky để tiếp tục.")
    with world.db.session() as s:
        assert bloc_row(world).year == 2026
        assert not s.exec(select(AuditLog).where(AuditLog.action.like("registration.%"))).all()


def test_rules_of_the_rollover():
    assert rules.refusal(year=2025, local_year=2025, vote_status=None) is None
    assert rules.refusal(year=2025, local_year=2025, vote_status="closed") is None
    assert rules.refusal(year=2025, local_year=2025, vote_status="draft") is None
    assert rules.refusal(year=2025, local_year=2025, vote_status="open") is rules.Refusal.VOTE_OPEN
    assert rules.refusal(year=2026, local_year=2025, vote_status=None) is rules.Refusal.TOO_EARLY
    assert rules.refusal(year=2024, local_year=2026, vote_status=None) is None  # a late rollover
    assert rules.voted("closed") and not rules.voted("draft") and not rules.voted(None)
    assert rules.parse_year("") is None and rules.parse_year(" 2025 ") == 2025
    for bad in ("abc", "25", "20255", "２０２５", "2025a", "-2025"):
        with pytest.raises(rules.YearArgumentError):
            rules.parse_year(bad)
