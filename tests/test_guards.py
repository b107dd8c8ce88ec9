"""The guards every test ends with (tests/guards.py, run by conftest's `world` fixture) can fail:
each kind of leak planted where a person would read it is found, Vietnamese text as the bot
writes it is not, a refusal is reported and an injected fault is not."""

from __future__ import annotations

import io

import docx
import openpyxl
import pytest
from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup

from tests import conftest, guards
from tests.samples import HUE_UNITS, set_up_bloc

CODES = ["CO_CP", "CO_TINH", "BK_UBND", "TTLDXS", "LDTT"]

BAD = [
    ("LEAD — chỉ tiêu 1; phiếu phát ra 24, thu về 22", "LEAD"),
    ("Phó khối: DEPUTY", "DEPUTY"),
    ("Cờ thi đua: TTLDXS 3 đơn vị", "TTLDXS"),
    ("Chi tiết: {\"code\": \"BK_UBND\", \"quota\": 12, \"vote_id\": 1}", "BK_UBND"),
    ("{'code': 'CO_CP'}", "{'code':"),
    ("Cơ sở tính tỉ lệ: members", "members"),
    ("fell due while the bot was not running; too late to send", "while"),
    ("Trạng thái: closed", "closed"),
    ("Người nhận: None", "None"),
    ("Đã xác nhận: True", "True"),
    ("Mã: unit_id 7", "unit_id"),
    ("Kết quả: tie_won_by_score", "tie_won_by_score"),
    ("Xin chào {{ name }}", "{{"),
    ("{% if x %}Có{% endif %}", "{%"),
    ("Danh sách: []", "[]"),
    ("Lỗi: <b>đậm</b> hiện ra như chữ", "<b>"),
    ("Hội &amp; Đoàn", "&amp;"),
    ("Traceback (most recent call last)", "Traceback"),
]

GOOD = [
    "✅ Đã nhận báo cáo sơ kết 6 tháng của <Hội Nông dân tỉnh> lúc 14:00 ngày 15/7/2025.",
    "Trưởng khối năm 2024 — chỉ tiêu 1; phiếu phát ra 24, thu về 22, hợp lệ 22",
    "Gửi /dangky trong nhóm, hoặc mở https://t.me/khoibot_test_bot?start=i_abc_def",
    "Bot đã gửi tệp dang_ky_thi_dua_2025.xlsx (Excel) và bien_ban_2025.docx; bản PDF gửi sau.",
    "Mở Mini App trong Telegram, bấm OK. Hạn: 31/3/2026. Liên hệ @tran_hoa.",
    "Cờ thi đua của Chính phủ (CP): 1; Bằng khen của UBND tỉnh: 12; CSTĐ cơ sở: 5; LĐTT: 20",
    "Kèm theo Tờ trình số 12/TTr-KTĐ ngày 10 tháng 12 năm 2025",
    "Theo dõi: thẻ, then, to, an, do, ban, con, tin, nan, no — âm tiết viết không dấu",
]


@pytest.mark.parametrize(("text", "piece"), BAD)
def test_a_planted_code_or_english_is_found(text, piece):
    assert piece in guards.leaks(text, CODES), guards.leaks(text, CODES)


@pytest.mark.parametrize("text", GOOD)
def test_vietnamese_text_as_the_bot_writes_it_is_clean(text):
    assert guards.leaks(text, CODES) == []


def test_what_a_person_typed_is_theirs_to_read_back():
    typed = guards.Typed(["/donvi Hội {{7*7}} members", "Ban None"])
    assert guards.leaks("Đã thêm «Hội {{7*7}} members» và «Ban None».", CODES, typed) == []
    assert guards.leaks("Đã thêm «Hội {{7*7}} members»: voters", CODES, typed) == ["voters"]


def _docx(*lines: str, cell: str = "") -> bytes:
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    document.add_table(rows=1, cols=1).cell(0, 0).text = cell
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _xlsx(*cells) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(list(cells))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.codes_expected
@pytest.mark.refusals_expected
async def test_the_guards_read_every_place_a_person_reads(world):
    """Leaks planted in a message, an edit's earlier text, a button, a reply placeholder, a
    callback answer, a .docx (paragraph and table cell) and an .xlsx cell are each reported;
    a refused edit is reported; an injected fault is not a refusal."""
    group, secretary = await set_up_bloc(world, units=HUE_UNITS[:3])
    assert guards.check_codes(world.standin.world, CODES) == []  # a bloc's start reads clean
    assert guards.check_refusals(world.standin.stats) == []
    bot = world.app.bot
    sent = await bot.send_message(group.id, "Trạng thái: pending", reply_markup=InlineKeyboardMarkup(
        [[InlineKeyboardButton("Phiếu DEPUTY", callback_data="x:1")]]))
    await bot.edit_message_text("Đã sửa", chat_id=group.id, message_id=sent.message_id)
    with pytest.raises(Exception, match="not modified"):
        await bot.edit_message_text("Đã sửa", chat_id=group.id, message_id=sent.message_id)
    await bot.send_message(group.id, "Trả lời", reply_markup=ForceReply(input_field_placeholder="unit_id"))
    await bot.send_document(group.id, _docx("Biên bản", "Tổng: None", cell="CO_TINH"), filename="bien_ban.docx")
    await bot.send_document(group.id, _xlsx("Chi tiết", '{"vote_id": 1}'), filename="du_lieu.xlsx")
    message = group.last_bot_message()
    await secretary.press_data(message, "x:none")  # answered as stale: Vietnamese
    world.standin.world.callbacks[secretary.last_query_id].answer["text"] = "draft"
    world.standin.faults.fail_next("sendMessage", kind="502")
    with pytest.raises(Exception):
        await bot.send_message(group.id, "Không tới nơi")

    found = "\n".join(guards.check_codes(world.standin.world, CODES))
    for piece in ["'pending'", "'DEPUTY'", "'unit_id'", "'None'", "'CO_TINH'", '\'{"vote_id":\'', "'draft'"]:
        assert piece in found, (piece, found)
    assert "message" in found and "button" in found and "reply placeholder" in found
    assert "file bien_ban.docx" in found and "file du_lieu.xlsx" in found and "callback answer" in found
    refusals = guards.check_refusals(world.standin.stats)
    assert len(refusals) == 1 and "editMessageText: 400" in refusals[0] and "not modified" in refusals[0]
    assert [r[1] for r in world.standin.stats.injected] == [502]


async def test_the_teardown_fails_a_test_that_leaves_a_leak(world, request):
    group, _ = await set_up_bloc(world, units=HUE_UNITS[:2])
    await world.app.bot.send_message(group.id, "Cơ sở: members")
    failures = conftest.guard_failures(request.node, world)  # this test: no marker
    assert len(failures) == 1 and "'members'" in failures[0], failures
    world.standin.world.bot_sent.pop()  # gone from what the stand-in keeps: the test passes
    assert conftest.guard_failures(request.node, world) == []


@pytest.mark.refusals_expected("message is not modified")
@pytest.mark.codes_expected("du_lieu.xlsx")
async def test_an_opt_out_with_arguments_excuses_only_what_it_names(world, request):
    group, _ = await set_up_bloc(world, units=HUE_UNITS[:2])
    bot = world.app.bot
    sent = await bot.send_message(group.id, "Đã sửa")
    with pytest.raises(Exception, match="not modified"):
        await bot.edit_message_text("Đã sửa", chat_id=group.id, message_id=sent.message_id)
    await bot.send_document(group.id, _xlsx("closed"), filename="du_lieu.xlsx")
    assert conftest.guard_failures(request.node, world) == []
    await bot.send_document(group.id, _xlsx("closed"), filename="khac.xlsx")
    with pytest.raises(Exception, match="can't be edited"):
        await bot.edit_message_text("Sửa", chat_id=group.id, message_id=1)  # the group's creation
    failures = conftest.guard_failures(request.node, world)
    assert len(failures) == 2 and "can't be edited" in failures[0] and "khac.xlsx" in failures[1], failures
    world.standin.stats.refusals.pop()
    world.standin.world.bot_sent.pop()
