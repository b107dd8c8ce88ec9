"""The review meeting as the secretary records it and signs it (issue 14, defects 1 and 9):
the result names next year's leaders as the ballot does and leaves out the units without a
vote; each unit of a tie broken by score gets its own note; attendance and the chair are
facts the secretary records; the list, an appendix, names its Tờ trình and counts
collectives and proposals apart. Read back as the secretary reads them."""

from __future__ import annotations

import io

import docx
import pytest

from khoibot.demo.acts import cast_ballot, enter_scores
from tests.samples import enrol, register, set_up_bloc
from tests.test_review import BK, CO_TINH, local
from tests.test_review_documents import all_text, cell_texts, paragraphs, table_after

UNITS = ["Hội Chữ thập đỏ", "Hội Khuyến học", "Hội Luật gia", "Hội Nhà báo", "Hội Người mù"]
CTD, KH, LG, NB, NM = UNITS
LEAD, DEPUTY = "Trưởng khối năm 2026", "Phó khối năm 2026"

# Four units vote; Hội Người mù attends the meeting but does not vote.
# Bằng khen (quota 2 of 5): Người mù 4 votes; Khuyến học and Luật gia 2 each for the last
# seat, Khuyến học's 95 points against Luật gia's 90 decide. Người mù also gets the
# provincial flag: 2 collectives, 3 proposals.
BALLOTS = {
    CTD: {CO_TINH: [NM], BK: [NM, KH], LEAD: [KH], DEPUTY: [KH]},
    KH: {CO_TINH: [NM], BK: [NM, LG], LEAD: [CTD], DEPUTY: [LG]},
    LG: {CO_TINH: [NM], BK: [NM, KH], LEAD: [CTD], DEPUTY: [KH]},
    NB: {CO_TINH: [NM], BK: [NM, LG], LEAD: [CTD], DEPUTY: [KH]},
}


def documents(group) -> dict[str, bytes]:
    """The latest file of each name the group received."""
    return {m.document[0]: m.document[1] for m in group.bot_messages() if m.document}


def open_docx(data: bytes):
    return docx.Document(io.BytesIO(data))


@pytest.fixture
async def closed(world):
    world.settings.vote.threshold_percent = 30.0  # more than 30 % of the 5 member units: 2 votes
    group, secretary = await set_up_bloc(world, units=UNITS)
    group.promote_bot(can_pin=True)
    officers = await enrol(world, group, secretary, UNITS)
    for unit, officer in officers.items():
        await register(officer, [CO_TINH, BK] if unit == NM else [BK])
    await enter_scores(officers[KH], "48\n19\n14\n9\n5")  # 95
    await enter_scores(officers[LG], "45\n18\n13\n9\n5")  # 90
    world.clock.set(local(10, 12, 9, 0))
    await secretary.send(group, "/binhxet")
    await secretary.press(group.last_bot_message(), "Chuẩn bị lá phiếu")
    await secretary.press(group.last_bot_message(), "Mở bỏ phiếu")
    await secretary.reply(group.last_bot_message(), "không")
    for unit, choices in BALLOTS.items():
        assert f"Đã nhận phiếu của {unit}" in await cast_ballot(officers[unit], choices)
    world.clock.set(local(10, 12, 11, 0))
    await secretary.send(group, "/binhxet")
    await secretary.press(group.last_bot_message(), "Đóng bỏ phiếu")
    await secretary.press(group.last_bot_message(), "Đóng bỏ phiếu ngay")
    return group, secretary, officers


def section(text: str, start: str, end: str | None = None) -> str:
    part = text[text.index(start):]
    return part[:part.index(end)] if end and end in part else part


async def test_the_result_names_next_years_leaders_and_leaves_out_units_without_a_vote(world, closed):
    group, secretary, _ = closed
    result = next(m for m in reversed(group.bot_messages()) if "Kết quả bỏ phiếu kín" in (m.text or ""))
    await secretary.send(group, "/binhxet")
    panel = group.last_bot_message()
    for text in (result.text, panel.text):
        assert "LEAD" not in text and "DEPUTY" not in text
        lead = section(text, f"{LEAD} — chỉ tiêu 1; phiếu phát ra 5, thu về 4, hợp lệ 4", DEPUTY)
        assert f"1. ✅ {CTD}: 3 phiếu (60%)" in lead and f"2. {KH}: 1 phiếu (20%)" in lead
        for unit in (LG, NB, NM):
            assert unit not in lead
        assert "3 đơn vị khác không có phiếu." in lead
        deputy = section(text, f"{DEPUTY} — chỉ tiêu 1")
        assert f"✅ {KH}: 3 phiếu" in deputy and "0 phiếu" not in deputy
        # Hội Chữ thập đỏ leads, so it is not a candidate for deputy: Nhà báo and Người mù had none.
        assert "2 đơn vị khác không có phiếu." in deputy
        # A title's own candidates (the units that registered) are all listed, with or without votes.
        assert f"5. {NB}: 0 phiếu (0%)" in section(text, f"{BK} —", LEAD)


async def test_each_unit_of_a_tie_broken_by_score_says_what_happened_to_it(world, closed):
    group, secretary, _ = closed
    result = next(m for m in reversed(group.bot_messages()) if "Kết quả bỏ phiếu kín" in (m.text or ""))
    bk = section(result.text, f"{BK} —", LEAD)
    assert f"✅ {KH}: 2 phiếu (40%), 95 điểm — bằng phiếu, xếp trên nhờ điểm cao hơn" in bk
    assert f"{LG}: 2 phiếu (40%), 90 điểm — bằng phiếu, xếp dưới vì điểm thấp hơn" in bk
    await secretary.send(group, "/danhsach")
    minutes = open_docx(documents(group)["bien-ban-binh-xet-2025-v1.docx"])
    rows = cell_texts(table_after(minutes, f"2.2. {BK} (chỉ tiêu: 2)"))
    notes = {row[1]: row[5] for row in rows[1:]}
    assert notes[KH] == "Đề nghị; Bằng phiếu, xếp trên nhờ điểm cao hơn"
    assert notes[LG] == "Bằng phiếu, xếp dưới vì điểm thấp hơn"
    assert notes[NM] == "Đề nghị"


async def test_attendance_is_recorded_apart_from_the_ballots_returned(world, closed):
    group, secretary, _ = closed
    await secretary.send(group, "/binhxet")
    panel = group.last_bot_message()
    assert "Đơn vị dự họp: 4/5 (theo số đơn vị đã bỏ phiếu" in panel.text
    await secretary.press(panel, "Số đơn vị dự họp")
    question = group.last_bot_message()
    assert question.force_reply and "từ 0 đến 5" in question.text
    await secretary.reply(question, "6")
    assert "phải là một số từ 0 đến 5" in group.bot_messages()[-2].text
    await secretary.reply(group.last_bot_message(), "5")
    panel = group.last_bot_message()
    assert "Đã ghi: 5/5 đơn vị thành viên dự họp" in panel.text and "Đơn vị dự họp: 5/5." in panel.text

    await secretary.send(group, "/danhsach")
    files = documents(group)
    minutes = paragraphs(open_docx(files["bien-ban-binh-xet-2025-v1.docx"]))
    assert "- Đơn vị thành viên dự họp: 5/5 đơn vị." in minutes
    # The ballots returned stay 4: a unit attended and did not vote.
    assert "Số phiếu phát ra: 5; số phiếu thu về: 4; số phiếu hợp lệ: 4." in minutes
    proposal = all_text(open_docx(files["to-trinh-de-nghi-khen-thuong-2025-v1.docx"]))
    assert "với 5/5 đơn vị thành viên tham dự" in proposal


async def test_the_chair_is_asked_for_once_and_printed_under_chu_tri(world, closed):
    group, secretary, _ = closed
    await secretary.send(group, "/danhsach")
    question = next(m for m in reversed(group.bot_messages()) if m.force_reply)
    assert "ai chủ trì hội nghị bình xét?" in question.text
    signature = cell_texts(open_docx(documents(group)["bien-ban-binh-xet-2025-v1.docx"]).tables[-1])[0]
    assert signature[1].split("\n")[-1] == ""  # not known yet: left to write by hand

    await secretary.reply(question, "Trần Thị Bình, Phó Chủ tịch Hội Chữ thập đỏ tỉnh")
    assert any("Đã ghi người chủ trì: Trần Thị Bình, Phó Chủ tịch Hội Chữ thập đỏ tỉnh" in (m.text or "")
               for m in group.bot_messages()[-5:])
    files = documents(group)
    minutes = open_docx(files["bien-ban-binh-xet-2025-v2.docx"])
    assert "- Chủ trì: Trần Thị Bình, Phó Chủ tịch Hội Chữ thập đỏ tỉnh." in paragraphs(minutes)
    right = cell_texts(minutes.tables[-1])[0][1].split("\n")
    assert right[0] == "CHỦ TRÌ" and right[-1] == "Trần Thị Bình"
    # Not a leader of the Trưởng khối unit: the Tờ trình's signer is left blank.
    proposal = cell_texts(open_docx(files["to-trinh-de-nghi-khen-thuong-2025-v2.docx"]).tables[-1])[0][1]
    assert "Trần Thị Bình" not in proposal

    # Recorded once: the next list asks nothing, and the panel shows it.
    asked = sum(1 for m in group.bot_messages() if m.force_reply)
    await secretary.send(group, "/danhsach")
    assert sum(1 for m in group.bot_messages() if m.force_reply) == asked
    await secretary.send(group, "/binhxet")
    assert "Chủ trì: Trần Thị Bình, Phó Chủ tịch Hội Chữ thập đỏ tỉnh." in group.last_bot_message().text
    # The secretary can change it from the panel: a leader of the Trưởng khối unit, by name.
    await secretary.press(group.last_bot_message(), "Người chủ trì")
    await secretary.reply(group.last_bot_message(), "Nguyễn Văn An")
    await secretary.send(group, "/danhsach")
    files = documents(group)
    minutes = open_docx(files["bien-ban-binh-xet-2025-v3.docx"])
    assert any(p.startswith("- Chủ trì: Nguyễn Văn An, đại diện lãnh đạo ") for p in paragraphs(minutes))
    assert cell_texts(minutes.tables[-1])[0][1].split("\n")[-1] == "Nguyễn Văn An"
    proposal = cell_texts(open_docx(files["to-trinh-de-nghi-khen-thuong-2025-v3.docx"]).tables[-1])[0][1]
    assert proposal.split("\n")[-1] == "Nguyễn Văn An"


async def test_the_list_names_its_to_trinh_and_counts_collectives_and_proposals_apart(world, closed):
    group, secretary, _ = closed
    await secretary.send(group, "/danhsach")
    files = documents(group)
    nomination = open_docx(files["danh-sach-de-nghi-2025-v1.docx"])
    text = paragraphs(nomination)
    bloc = next(p for p in text if p.startswith("(Kèm theo Tờ trình"))
    assert bloc.startswith("(Kèm theo Tờ trình số      /TTr-KTĐ ngày 10 tháng 12 năm 2025 của Khối thi đua")
    # The Tờ trình it goes with: the same blank number, the same date.
    proposal = all_text(open_docx(files["to-trinh-de-nghi-khen-thuong-2025-v1.docx"]))
    assert "Số:      /TTr-KTĐ" in proposal and "ngày 10 tháng 12 năm 2025" in proposal
    listed = [row[1] for row in cell_texts(nomination.tables[1]) if row[0].isdigit()]
    assert sorted(listed) == sorted([NM, NM, KH])
    assert ("Tổng số: 02 tập thể được đề nghị, với 03 lượt đề nghị danh hiệu, hình thức khen thưởng."
            in text)
    sheet = __import__("openpyxl").load_workbook(io.BytesIO(files["danh-sach-de-nghi-2025-v1.xlsx"])).active
    cells = [v for row in sheet.iter_rows(values_only=True) for v in row if isinstance(v, str)]
    assert "Tổng số: 02 tập thể được đề nghị, với 03 lượt đề nghị danh hiệu, hình thức khen thưởng." in cells
    assert any(c.startswith("(Kèm theo Tờ trình số      /TTr-KTĐ ngày 10 tháng 12 năm 2025") for c in cells)


async def test_no_press_turns_the_pinned_list_into_something_else(world, closed):
    """Defect 11: a plain member, or a secretary, copies a real button's data onto the
    pinned nomination list. Sent by Telegram as an old message (no content to check its
    buttons against), the press used to edit the list into the title catalogue."""
    group, secretary, _ = closed
    member = world.standin.add_user("Người Lạ")
    group.add_member(member)
    await secretary.send(group, "/danhsach")
    listing = group.pinned
    assert "DANH SÁCH" in listing.text.upper()
    before = listing.text
    for person in (member, secretary):
        for data in ("b:catalogue", "b:rename", "bx:show", "st:pick:0"):
            answer = await person.press_data(listing, data, inaccessible=True)
            assert answer == "Nút này đã cũ hoặc không còn hiệu lực. Hãy gửi lại lệnh để có nút mới.", data
    assert listing.text == before and not listing.edits
    assert group.pinned is listing
