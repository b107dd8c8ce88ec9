"""A secretary asks /xuat for all of the bloc's data for the year and gets one workbook in
private: read back cell by cell. Two blocs share the bot: nothing of the other appears.
The ballot stays secret: which units voted, and the counts only once voting closed."""

from __future__ import annotations

import ast
import io
import re
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import col, select

from exports import year_workbook
from khoibot.demo.acts import cast_ballot, enter_scores
from storage.models import AuditLog, Reminder
from storage.rollover import ROLLOVER
from tests.conftest import TZ
from tests.samples import HOA_BINH_BLOC, enrol, register, set_up_bloc

KHKT = "Liên hiệp các Hội Khoa học và Kỹ thuật"
CTD = "Hội Chữ thập đỏ"
KH = "Hội Khuyến học"
NB = "Hội Nhà báo"
UNITS = [KHKT, CTD, KH, NB]
BK = "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh"
XS = "Tập thể lao động xuất sắc"
ALL = "Toàn bộ dữ liệu năm 2025"


def sheets_of(content: bytes) -> dict[str, list[list]]:
    workbook = load_workbook(io.BytesIO(content))
    return {ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in workbook.worksheets}


def column(rows: list[list], header: str) -> list:
    index = rows[0].index(header)
    return [row[index] for row in rows[1:]]


def every_cell(sheets: dict[str, list[list]]) -> str:
    return "\n".join(str(v) for rows in sheets.values() for row in rows for v in row if v is not None)


async def export(secretary, group) -> dict[str, list[list]]:
    """/xuat in the group, then the button under the sheet; the workbook arrives in private."""
    await secretary.send(group, "/xuat")
    sheet = next(m for m in reversed(group.bot_messages()) if m.document and m.document[0].startswith("dang_ky"))
    answer = await secretary.press(sheet, ALL)
    assert answer == "Đã gửi toàn bộ dữ liệu năm 2025 vào tin nhắn riêng của bạn với bot.", answer
    delivered = secretary.private_chat.last_bot_message()
    assert delivered.document[0] == "du_lieu_khoi_2025.xlsx"
    assert "không có phiếu của từng đơn vị" in delivered.caption
    return sheets_of(delivered.document[1])


async def test_a_secretary_exports_the_whole_year_in_one_workbook(world):
    # Another bloc on the same bot, with a registration of its own.
    other_group, other_secretary = await set_up_bloc(
        world, title=HOA_BINH_BLOC, units=["Hội Cựu Thanh niên xung phong", "Câu lạc bộ Hưu trí"],
        secretary_name="Lê Văn Bình")
    other = await enrol(world, other_group, other_secretary, ["Câu lạc bộ Hưu trí"])
    await register(other["Câu lạc bộ Hưu trí"], [XS], targets="Chỉ tiêu riêng của Hòa Bình")

    group, secretary = await set_up_bloc(world, units=UNITS)
    officers = await enrol(world, group, secretary, [KHKT, CTD, KH, NB])
    await register(officers[KHKT], [BK], targets="Chỉ tiêu lần một")
    await register(officers[KHKT], [BK], targets="Chỉ tiêu lần hai")
    await register(officers[CTD], [BK])
    await register(officers[KH], [XS])
    await officers[KH].send_private("/giaouoc")
    await officers[KH].press(officers[KH].private_chat.last_bot_message(), "Thủ trưởng đã ký giao ước")
    await secretary.send(group, "/lich")
    await secretary.press(group.last_bot_message(), "Đặt/dời: Hội nghị ký giao ước")
    await secretary.reply(group.last_bot_message(), "09:00 20/3/2025, Hội trường A")
    await officers[CTD].send_private("/baocao")
    await officers[CTD].press(officers[CTD].private_chat.last_bot_message(), "Báo cáo tổng kết năm")
    await officers[CTD].send_document(officers[CTD].private_chat, "Báo cáo CTĐ 2025.pdf", b"%PDF-1.4")
    await enter_scores(officers[KHKT], "48\n19\n14\n9\n5")

    world.clock.set(datetime(2025, 12, 10, 13, 0, tzinfo=TZ))
    await secretary.send(group, "/binhxet")
    await secretary.press(group.last_bot_message(), "Chuẩn bị lá phiếu")
    await secretary.press(group.last_bot_message(), "Mở bỏ phiếu")
    await secretary.reply(group.last_bot_message(), "17:00 10/12/2025")
    await cast_ballot(officers[KHKT], {BK: [CTD]})
    await cast_ballot(officers[CTD], {BK: [KHKT]})

    # While voting is open: who voted, not a single count.
    sheets = await export(secretary, group)
    voted = sheets["Đơn vị đã bỏ phiếu"]
    assert sorted(column(voted, "Đơn vị")) == sorted([KHKT, CTD])
    assert sheets["Kết quả kiểm phiếu"] == [["Danh hiệu / vai trò", "Đơn vị ứng cử", "Số phiếu bầu",
                                            "Số phiếu thu về"]]
    vote = dict((row[0], row[1]) for row in sheets["Bỏ phiếu"][1:])
    assert vote["Trạng thái"] == "Đang bỏ phiếu" and vote["Số đơn vị đã bỏ phiếu"] == 2

    await cast_ballot(officers[KH], {BK: [CTD]})
    await cast_ballot(officers[NB], {BK: [CTD]})
    await secretary.send(group, "/binhxet")
    await secretary.press(group.last_bot_message(), "Đóng bỏ phiếu")
    await secretary.press(group.last_bot_message(), "Đóng bỏ phiếu ngay")
    await secretary.send(group, "/danhsach")
    sheets = await export(secretary, group)

    assert list(sheets) == ["Khối", "Đơn vị", "Thư ký và vai trò", "Người đại diện", "Đăng ký", "Giao ước",
                            "Mở lại đăng ký", "Mốc thời gian", "Nhắc việc", "Báo cáo", "Điểm", "Bỏ phiếu",
                            "Đơn vị đã bỏ phiếu", "Kết quả kiểm phiếu", "Danh sách đề nghị", "Văn bản", "Nhật ký"]
    bloc = dict((row[0], row[1]) for row in sheets["Khối"][1:])
    assert bloc["Tên khối"] == "Khối thi đua các Tổ chức xã hội" and bloc["Năm của dữ liệu"] == 2025
    assert bloc["Xuất lúc"] == "10/12/2025 13:00"
    # Units in Vietnamese order; people by name.
    assert column(sheets["Đơn vị"], "Tên đơn vị") == [CTD, KH, NB, KHKT]
    assert column(sheets["Thư ký và vai trò"], "Người / đơn vị") == ["Trần Thị Hoa"]
    people = sheets["Người đại diện"]
    assert column(people, "Đơn vị") == [CTD, KH, NB, KHKT]
    assert column(people, "Họ tên") == [f"Cán bộ {u}" for u in (CTD, KH, NB, KHKT)]
    # Every version of every registration, the earlier ones kept as history.
    regs = sheets["Đăng ký"]
    khkt = [row for row in regs[1:] if row[0] == KHKT]
    assert [(r[1], r[2], r[6]) for r in khkt] == [(1, "Không", "Chỉ tiêu lần một"), (2, "Có", "Chỉ tiêu lần hai")]
    assert all(r[4] == BK for r in khkt) and khkt[0][7] == f"Cán bộ {KHKT}"
    assert column(sheets["Giao ước"], "Đơn vị") == [KH]
    milestones = sheets["Mốc thời gian"]
    assert ["Hội nghị ký giao ước thi đua", "20/03/2025 09:00", "Hội trường A"] in [r[:3] for r in milestones]
    assert column(sheets["Nhắc việc"], "Lần nhắc")[:3] == ["Trước 7 ngày", "Trước 3 ngày", "Trước 1 ngày"]
    assert sheets["Báo cáo"][1][:3] == [CTD, "Tổng kết năm", "Báo cáo CTĐ 2025.pdf"]
    scores = sheets["Điểm"]
    assert column(scores, "Điểm tự chấm") == [48, 19, 14, 9, 5]
    assert set(column(scores, "Đơn vị")) == {KHKT}
    # The ballot: counts per candidate after closing, who voted, never a unit's choice.
    counts = {(row[0], row[1]): (row[2], row[3]) for row in sheets["Kết quả kiểm phiếu"][1:]}
    assert counts[(BK, CTD)] == (3, 4) and counts[(BK, KHKT)] == (1, 4)
    assert sorted(column(sheets["Đơn vị đã bỏ phiếu"], "Đơn vị")) == sorted(UNITS)
    results = [(r[0], r[1], r[2], r[3]) for r in sheets["Danh sách đề nghị"][1:]]
    assert results == [(CTD, BK, "Có", 3)]
    assert "Biên bản họp bình xét, suy tôn" in column(sheets["Văn bản"], "Văn bản")
    # The audit log: who did what, in Vietnamese; the first export is in it.
    log = sheets["Nhật ký"]
    actions = column(log, "Việc")
    for done in ("Lập khối", "Thêm đơn vị", "Người đại diện tham gia", "Xác nhận đăng ký", "Xác nhận ký giao ước",
                 "Đặt mốc thời gian", "Gửi báo cáo", "Mở bỏ phiếu", "Đơn vị bỏ phiếu", "Đóng bỏ phiếu",
                 "Xuất toàn bộ dữ liệu năm"):
        assert done in actions, done
    cast_rows = [row for row in log[1:] if row[3] == "Đơn vị bỏ phiếu"]
    assert sorted(row[4] for row in cast_rows) == sorted(UNITS)
    assert all(row[5] is None for row in cast_rows)  # no choice (nor any id): the unit is its own column

    text = every_cell(sheets)
    # Nothing of the other bloc.
    for foreign in ("Hòa Bình", "Hưu trí", "Cựu Thanh niên", "Lê Văn Bình", "(các tổ chức Hội)"):
        assert foreign not in text, foreign
    # No invitation token, no Telegram file id.
    with world.db.session() as session:
        assert session.exec(select(AuditLog).where(AuditLog.action == "export.year")).all()
    assert "i_" not in text and "start=" not in text


async def test_only_secretaries_get_the_years_data(world):
    group, secretary = await set_up_bloc(world, units=UNITS)
    member = world.standin.add_user("Phạm Văn Tò Mò")
    group.add_member(member)
    await member.send_private("/start")
    await member.send(group, "/xuat")
    sheet = group.last_bot_message()
    assert sheet.document and ALL in sheet.buttons[0][0]
    before = len(member.private_chat.bot_messages())
    assert await member.press(sheet, ALL) == "Chỉ thư ký khối mới dùng được nút này."
    assert len(member.private_chat.bot_messages()) == before
    # A secretary who never opened a private chat with the bot is told how, not sent to the group.
    other = world.standin.add_user("Đỗ Thị Mới")
    group.add_member(other)
    group.make_admin(other)
    sent = len(group.bot_messages())
    answer = await other.press(sheet, ALL)
    assert "Hãy mở tin nhắn riêng với bot" in answer
    assert len(group.bot_messages()) == sent
    # A forged year the bloc has no data for is a stale button.
    assert await secretary.press_data(sheet, "xu:all:1999") == "Nút này đã cũ hoặc không còn hiệu lực. Hãy gửi lại lệnh để có nút mới."


# English words and codes a person must never read in the export (ASCII-only words, matched whole).
DENY = ("members", "voters", "closed", "sent", "failed", "unsure", "None", "true", "false", "null")


async def test_every_cell_of_the_year_reads_in_vietnamese(world):
    """A year with reminders (some missed while the bot was down), a ballot closed at its
    deadline, attendance and quotas recorded, and the move to the next year: no cell of the
    2025 workbook carries an English word, a code, JSON or an ISO date."""
    group, secretary = await set_up_bloc(world, units=UNITS)
    officers = await enrol(world, group, secretary, UNITS)
    await register(officers[KHKT], [BK], targets="Chỉ tiêu chính")
    await register(officers[CTD], [BK, XS])
    await secretary.send(group, "/lich")
    await secretary.press(group.last_bot_message(), "Đặt/dời: Hội nghị ký giao ước")
    await secretary.reply(group.last_bot_message(), "09:00 20/3/2025, Hội trường A")
    await world.run_reminders(datetime(2025, 3, 13, 8, 0, tzinfo=TZ))  # 7 days before: sent on time
    await world.stop_bot()
    world.clock.set(datetime(2025, 3, 21, 9, 0, tzinfo=TZ))  # down through the meeting: the rest missed
    await world.start_bot()
    await world.standin.settle()
    await enter_scores(officers[KHKT], "48\n19\n14\n9\n5")

    world.clock.set(datetime(2025, 12, 10, 13, 0, tzinfo=TZ))
    await secretary.send(group, "/binhxet")
    await secretary.press(group.last_bot_message(), "Chuẩn bị lá phiếu")
    await secretary.press(group.last_bot_message(), "Sửa chỉ tiêu")
    await secretary.press(group.last_bot_message(), BK)
    await secretary.reply(group.last_bot_message(), "2")
    await secretary.press(group.last_bot_message(), "Mở bỏ phiếu")
    await secretary.reply(group.last_bot_message(), "17:00 10/12/2025")
    for unit in UNITS:
        await cast_ballot(officers[unit], {BK: [CTD]})
    await world.run_reminders(datetime(2025, 12, 10, 17, 0, tzinfo=TZ))  # closed at its deadline
    await secretary.send(group, "/binhxet")
    await secretary.press(group.last_bot_message(), "Số đơn vị dự họp")
    await secretary.reply(group.last_bot_message(), "4")
    await secretary.send(group, "/danhsach")
    await secretary.send(group, "/namsau")
    preview = group.last_bot_message()
    await secretary.press(preview, "Ghi Trưởng/Phó khối năm sau")
    await secretary.press(preview, KH)
    await secretary.press(preview, CTD)
    await secretary.press(preview, "Sang năm 2026")
    await secretary.press(preview, "Xác nhận sang năm 2026")

    # Rows written before the notes were codes hold English sentences: they read in Vietnamese too.
    legacy = {"3d": "the bloc moved to the next year", "1d": "nothing owed",
              "morning": "fell due while the bot was not running; too late to send"}
    with world.db.session() as session:
        for reminder in session.exec(select(Reminder).where(col(Reminder.label).in_(list(legacy)))):
            reminder.note = legacy[reminder.label]
            session.add(reminder)

    await secretary.send(group, "/xuat 2025")
    sheet = next(m for m in reversed(group.bot_messages()) if m.document and m.document[0].startswith("dang_ky"))
    await secretary.press(sheet, ALL)
    sheets = sheets_of(secretary.private_chat.last_bot_message().document[1])

    # Every cell, headers included.
    for name, rows in sheets.items():
        for row in rows:
            for value in row:
                text = "" if value is None else str(value)
                for word in DENY:
                    assert not re.search(rf"(?<![A-Za-z_]){word}(?![A-Za-z_])", text), (name, word, text)
                assert "{" not in text and '"code"' not in text, (name, text)
                assert not re.search(r"\d{4}-\d{2}-\d{2}", text), (name, text)
                assert not re.search(r"\b[a-z]+ [a-z]+ [a-z]+\b", text), (name, text)  # an English phrase

    reminders = sheets["Nhắc việc"]
    notes = set(column(reminders, "Ghi chú"))
    assert "Đến hạn lúc bot không chạy; đã quá muộn để gửi" in notes
    assert "Đã đóng bỏ phiếu khi đến hạn" in notes
    assert {"Khối đã sang năm mới", "Không đơn vị nào còn phải làm: không cần nhắc"} <= notes
    assert "Trước 7 ngày" in column(reminders, "Lần nhắc") and "Đã gửi" in column(reminders, "Trạng thái")
    vote = dict((row[0], row[1]) for row in sheets["Bỏ phiếu"][1:])
    assert vote["Cơ sở tính tỷ lệ"] == "Tổng số đơn vị thành viên được phát phiếu"
    assert vote["Trạng thái"] == "Đã đóng"

    # The audit's details read as named fields: titles by name, units and people by name, dates as dd/mm/yyyy.
    log = {}
    for row in sheets["Nhật ký"][1:]:
        log.setdefault(row[3], []).append(row)
    assert [row[5] for row in log["Đặt chỉ tiêu của khối"]] == [f"Năm thi đua: 2025; Danh hiệu / vai trò: {BK}; Chỉ tiêu: 2"]
    assert [row[5] for row in log["Ghi thông tin hội nghị bình xét"]] == ["Số đơn vị dự họp: 4"]
    assert [row[5] for row in log["Đặt mốc thời gian"]] == [
        "Mốc: Hội nghị ký giao ước thi đua; Thời điểm mới: 20/03/2025 09:00",
        "Mốc: Hạn bỏ phiếu suy tôn; Thời điểm mới: 10/12/2025 17:00"]

    assert all(not row[5] for row in log["Đơn vị bỏ phiếu"])  # who voted, never what
    assert [row[1] for row in log["Đóng bỏ phiếu"]] == ["Bot (tự động)"]
    assert sorted(row[4] for row in log["Đơn vị bỏ phiếu"]) == sorted(UNITS)
    confirmed = {row[4]: row[5] for row in log["Xác nhận đăng ký"]}
    assert confirmed[CTD] == f"Lần đăng ký: 1; Danh hiệu tập thể: {BK}, {XS}"
    assert [row[5] for row in log["Đặt Trưởng khối"]] == ["Năm: 2026"] and log["Đặt Trưởng khối"][0][4] == KH
    moved = log["Sang năm mới"][0][5]
    assert moved.startswith("Từ năm: 2025; Sang năm: 2026")
    assert f"Trưởng khối năm mới: {KH}; Phó khối năm mới: {CTD}" in moved
    assert [row[5] for row in log["Đơn vị tự chấm điểm"]] == ["Năm: 2025; Điểm: 48, 19, 14, 9, 5"]


def test_every_audited_action_and_field_has_a_vietnamese_name():
    """Whatever the code writes to the audit log (action="…", and the fields passed to
    audit.record or through change_ballot / record_setting / record_meeting) is named in
    templates/documents/year_export.toml, or deliberately left out of «Chi tiết»."""
    own = {"session", "bloc_id", "actor_id", "now", "action", "by", "vote", "ballot", "bloc"}
    carriers = {"record", "change_ballot", "record_setting", "record_meeting"}
    actions, fields = {ROLLOVER}, set()
    for path in [*Path("storage").glob("*.py"), *Path("services").glob("*.py"), *Path("handlers").glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in carriers):
                continue
            if node.func.attr == "record" and not (isinstance(node.func.value, ast.Name)
                                                   and node.func.value.id == "audit"):
                continue
            for keyword in node.keywords:
                if keyword.arg == "action" and isinstance(keyword.value, ast.Constant):
                    actions.add(keyword.value.value)
                elif keyword.arg == "action" and isinstance(keyword.value, ast.JoinedStr):  # f"{kind}.set"
                    suffix = keyword.value.values[-1].value
                    actions.update(f"{kind}{suffix}" for kind in ("secretary", "truong_khoi", "pho_khoi"))
                elif keyword.arg is not None and keyword.arg not in own:
                    fields.add(keyword.arg)
    assert {"vote.meeting", "quota.set", "unit.rename", "bloc.rollover"} <= actions
    assert {"attended", "chair", "quota", "reminder_hour", "lead"} <= fields
    actions.discard("secretary.set")  # secretaries are added, not set
    assert actions - set(year_workbook.TEXTS["actions"]) == set()
    assert fields - set(year_workbook.DETAILS) - year_workbook._HIDDEN == set()
