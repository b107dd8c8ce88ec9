"""The first half of a bloc's year from the people's side: the 12 units of the Thừa Thiên
Huế bloc register their titles by direct message; the secretary watches the pinned status
and downloads the sheet; the deadline passes; a reopened unit registers late."""

from __future__ import annotations

import io
from datetime import timedelta

import openpyxl
from sqlmodel import select

from exports.registration_sheet import header_row_index
from storage.models import AuditLog, Registration
from tests.samples import HUE_UNITS, enrol, register, set_up_bloc

CO_TINH = "Cờ thi đua của Ủy ban nhân dân tỉnh"
CO_CP = "Cờ thi đua của Chính phủ"
BK = "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh"
XS = "Tập thể lao động xuất sắc"
TT = "Tập thể lao động tiên tiến"

PLAN = {
    "Liên hiệp các Hội Khoa học và Kỹ thuật": [CO_CP, CO_TINH, XS],
    "Hội Chữ thập đỏ": [CO_TINH, BK, XS],
    "Hội Khuyến học": [BK, XS],
    "Hội Người mù": [TT],
    "Hội Nhà báo": [BK, TT],
    "Hội Luật gia": [XS],
    "Hội Đông y": [TT],
}


async def test_twelve_units_register_and_the_secretary_sees_the_latest(world):
    group, secretary = await set_up_bloc(world)
    group.promote_bot(can_pin=True)
    await secretary.send(group, "/lich")
    await secretary.press(group.last_bot_message(), "Đặt/dời: Hạn đăng ký thi đua")
    await secretary.reply(group.last_bot_message(), "31/3/2025")
    assert "Hạn đăng ký thi đua: 23:59 ngày 31/03/2025" in group.bot_messages()[-2].text
    assert "Hạn đăng ký: 23:59 ngày 31/03/2025" in group.pinned.text  # the status board, pinned

    officers = await enrol(world, group, secretary, HUE_UNITS)
    for unit, titles in PLAN.items():
        people = {"Chiến sĩ thi đua cơ sở": "2: Nguyễn Văn An, Trần Thị Bình"} if unit == "Hội Khuyến học" else None
        receipt = await register(officers[unit], titles, people=people,
                                 targets="Phát triển 500 hội viên mới" if unit == "Hội Chữ thập đỏ" else None)
        assert f"Đã ghi nhận đăng ký thi đua năm 2025 của {unit}" in receipt.text
        assert "Thời điểm: 09:00 ngày 10/02/2025" in receipt.text
    # Hội Người mù changes its mind twice; Hội Luật gia withdraws.
    await register(officers["Hội Người mù"], [XS])
    final = await register(officers["Hội Người mù"], [BK, XS])
    assert "(lần cập nhật thứ 3)" in final.text
    lawyers = officers["Hội Luật gia"]
    await lawyers.send_private("/dangky")
    await lawyers.press(lawyers.private_chat.last_bot_message(), "Rút đăng ký")
    await lawyers.press(lawyers.private_chat.last_bot_message(), "↩️ Rút đăng ký")
    assert "Đã rút đăng ký của Hội Luật gia" in lawyers.private_chat.last_bot_message().text
    # Two units sign the covenant.
    for unit in ("Hội Khuyến học", "Hội Chữ thập đỏ"):
        await officers[unit].send_private("/giaouoc")
        await officers[unit].press(officers[unit].private_chat.last_bot_message(), "Thủ trưởng đã ký giao ước")

    board = group.pinned
    assert board is not None and "Đăng ký thi đua 2025" in board.text
    assert "Đã đăng ký: 6/12 · Đã ký giao ước: 2/12" in board.text
    assert "Hội Người mù: Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh; Tập thể lao động xuất sắc" in board.text
    assert "Hội Luật gia: đã rút đăng ký" in board.text
    assert f"{CO_TINH}: 2 đăng ký / chỉ tiêu 1 ⚠️" in board.text
    assert f"{BK}: 4 đăng ký / chỉ tiêu 4" in board.text  # 30 % of 12
    assert "Chiến sĩ thi đua cơ sở: 2 người" in board.text
    assert len([m for m in group.bot_messages() if m.text.startswith("📌")]) == 1  # edited in place

    await secretary.send(group, "/tinhhinh")
    full = group.last_bot_message().text
    assert "Chưa đăng ký (6):" in full
    for unit in ("Hội Bảo vệ quyền trẻ em", "Hội Khoa học Lịch sử", "Hội Luật gia",
                 "Liên hiệp các Tổ chức hữu nghị"):
        assert unit in full.split("Chưa đăng ký (6):")[1].split("\n")[0]

    await secretary.send(group, "/xuat")
    document = group.last_bot_message().document
    assert document is not None and document[0] == "dang_ky_thi_dua_2025.xlsx"
    sheet = openpyxl.load_workbook(io.BytesIO(document[1])).active
    header = header_row_index()
    table = {sheet.cell(r, 2).value: [sheet.cell(r, c).value for c in range(1, 9)]
             for r in range(header + 1, header + 13)}
    assert list(table) == [row[1] for row in table.values()]
    assert set(table) == set(HUE_UNITS)
    assert table["Hội Người mù"][2] == XS and table["Hội Người mù"][3] == BK
    assert table["Hội Khuyến học"][4] == "Chiến sĩ thi đua cơ sở: 2 (Nguyễn Văn An, Trần Thị Bình)"
    assert table["Hội Chữ thập đỏ"][5] == "Phát triển 500 hội viên mới"
    assert table["Hội Chữ thập đỏ"][6] == "10/02/2025 09:00"
    assert table["Hội Luật gia"][7] == "Đã rút đăng ký" and table["Hội Luật gia"][2] in (None, "")
    assert table["Hội Đông y"][3] in (None, "") and table["Hội Đông y"][2] == TT
    assert table["Hội Khoa học Lịch sử"][7] == "Chưa đăng ký"

    # The deadline passes: a late change is refused and nothing changes.
    world.clock.advance(timedelta(days=60))
    late = officers["Hội Đông y"]
    await late.send_private("/dangky")
    overview = late.private_chat.last_bot_message()
    assert "Đã hết hạn đăng ký (23:59 ngày 31/03/2025)" in overview.text
    assert overview.buttons == []
    with world.db.session() as s:
        before = len(s.exec(select(Registration)).all())

    # The secretary reopens Hội Khoa học Lịch sử, which then registers.
    await secretary.send(group, "/tinhhinh")
    await secretary.press(group.last_bot_message(), "Mở lại đăng ký cho một đơn vị")
    picker = group.last_bot_message()
    await secretary.press(picker, "Hội Khoa học Lịch sử")
    assert "Đã mở lại đăng ký cho Hội Khoa học Lịch sử đến" in picker.text
    historians = officers["Hội Khoa học Lịch sử"]
    assert "đã mở lại đăng ký thi đua cho Hội Khoa học Lịch sử" in historians.private_chat.last_bot_message().text
    await register(historians, [TT])
    assert "Hội Khoa học Lịch sử: Tập thể lao động tiên tiến" in group.pinned.text
    with world.db.session() as s:
        assert len(s.exec(select(Registration)).all()) == before + 1
        reopen = s.exec(select(AuditLog).where(AuditLog.action == "registration.reopen")).one()
        assert reopen.actor_id == secretary.id
        changes = s.exec(select(AuditLog).where(AuditLog.action.like("registration.%"))).all()
    assert len(changes) == len(PLAN) + 2 + 1 + 1 + 1  # registrations, two changes, withdrawal, reopen, late one
