"""The year-end review meeting of the 12-unit Thừa Thiên Huế bloc, from the users' side:
scores entered, the ballot prepared and opened, all units but one vote in private chat, a
reminder reaches the one, voting closes at its deadline; the posted list and the attached
documents match a tally computed by hand."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import inspect
from sqlmodel import select

from storage.models import BallotCast, BallotDraft, ReviewDocument, Role, SealedBallot, Unit, VoteCount, YearResult
from tests.conftest import TZ
from khoibot.demo.acts import cast_ballot, enter_scores  # noqa: F401 (re-exported)
from tests.samples import HUE_UNITS, enrol, register, set_up_bloc
from tests.test_reminders import run_reminders
from tests.transactions import transactions

KHKT = "Liên hiệp các Hội Khoa học và Kỹ thuật"
CTD = "Hội Chữ thập đỏ"
KH = "Hội Khuyến học"
NB = "Hội Nhà báo"
LG = "Hội Luật gia"
LS = "Hội Khoa học Lịch sử"
DY = "Hội Đông y"  # the one unit that does not vote

CO_CP = "Cờ thi đua của Chính phủ"
CO_TINH = "Cờ thi đua của Ủy ban nhân dân tỉnh"
BK = "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh"
TTLDXS = "Tập thể lao động xuất sắc"
LEAD = "Trưởng khối năm 2026"
DEPUTY = "Phó khối năm 2026"

# Self-scores per unit, five criteria of the default table (max 50, 20, 15, 10, 5).
SCORES = {
    KHKT: "48\n19\n14\n9\n5",  # 95
    CTD: "47\n19\n14\n9\n4",  # 93
    KH: "47\n19\n14\n10\n5",  # 95
    NB: "45\n18\n14\n9\n4",  # 90
    LG: "45\n18\n13\n9\n5",  # 90
}

# Eleven ballots (every unit but Hội Đông y), as chosen on each line of the ballot.
BK_BALLOTS = [
    [KHKT, CTD, KH, NB], [KHKT, CTD, KH, NB], [KHKT, CTD, KH, LG], [KHKT, CTD, NB, LG],
    [KHKT, CTD, KH, LG], [KHKT, CTD, NB, LG], [KHKT, CTD, KH, NB], [KHKT, CTD, LG, KH],
    [KHKT, NB, LG, LS], [KH, LG, LS], [NB, LS],
]
CO_TINH_BALLOTS = [[KHKT]] * 8 + [[CTD]] * 3
CO_CP_BALLOTS = [[CTD]] * 7 + [[KHKT]] * 3 + [[]]
LEAD_BALLOTS = [[CTD]] * 8 + [[KH]] * 3
DEPUTY_BALLOTS = [[KH]] * 7 + [[NB]] * 4
VOTERS = [u for u in HUE_UNITS if u != DY]


def hand_tally() -> dict[str, dict[str, int]]:
    """The tally, counted by hand from the ballots above."""
    counts: dict[str, dict[str, int]] = {}
    for title, ballots in ((CO_CP, CO_CP_BALLOTS), (CO_TINH, CO_TINH_BALLOTS), (BK, BK_BALLOTS)):
        counts[title] = {}
        for ballot in ballots:
            for unit in ballot:
                counts[title][unit] = counts[title].get(unit, 0) + 1
    return counts


def local(day: int, month: int, hour: int, minute: int = 0, year: int = 2025) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


@pytest.fixture
async def hue(world):
    group, secretary = await set_up_bloc(world)
    group.promote_bot(can_pin=True)
    officers = await enrol(world, group, secretary, HUE_UNITS)
    registrations = {KHKT: [CO_CP, CO_TINH, BK], CTD: [CO_CP, CO_TINH, BK], KH: [BK], NB: [BK], LG: [BK]}
    for unit, officer in officers.items():
        await register(officer, registrations.get(unit, [TTLDXS]))
    for unit, points in SCORES.items():
        receipt = await enter_scores(officers[unit], points)
        assert "Đã ghi nhận điểm tự chấm năm 2025" in receipt, receipt
    return group, secretary, officers


async def open_voting(world, group, secretary, deadline: str) -> str:
    await secretary.send(group, "/binhxet")
    await secretary.press(group.last_bot_message(), "Chuẩn bị lá phiếu")
    panel = group.last_bot_message()
    await secretary.press(panel, "Thêm ứng viên ngoại lệ")
    await secretary.press(group.last_bot_message(), BK)
    await secretary.press(group.last_bot_message(), LS)
    panel = group.last_bot_message()
    assert "Đã thêm <b>Hội Khoa học Lịch sử</b>" in panel.html
    await secretary.press(panel, "Mở bỏ phiếu")
    await secretary.reply(group.last_bot_message(), deadline)
    return group.last_bot_message().text


async def test_the_hue_blocs_review_meeting(world, hue):
    group, secretary, officers = hue
    world.settings.bot.document_place = "Huế"  # [bot] document_place
    world.clock.set(local(10, 12, 13, 0))
    progress = await open_voting(world, group, secretary, "17:00 10/12/2025")
    assert "Đã bỏ phiếu: 0/12 đơn vị" in progress
    assert "Hạn bỏ phiếu: 17:00 ngày 10/12/2025" in progress
    # Every representative was asked in private, with a button to vote.
    invitation = officers[DY].private_chat.last_bot_message()
    assert "đã mở bỏ phiếu kín" in invitation.text and ["🗳 Bỏ phiếu"] in invitation.buttons

    for index, unit in enumerate(VOTERS):
        receipt = await cast_ballot(officers[unit], {
            CO_CP: CO_CP_BALLOTS[index], CO_TINH: CO_TINH_BALLOTS[index], BK: BK_BALLOTS[index],
            LEAD: LEAD_BALLOTS[index], DEPUTY: DEPUTY_BALLOTS[index]})
        assert f"Đã nhận phiếu của {unit}" in receipt
    # The group sees how many voted, and nothing of who chose whom.
    progress_message = [m for m in group.bot_messages() if "Bỏ phiếu kín suy tôn năm 2025" in (m.text or "")][-1]
    assert "Đã bỏ phiếu: 11/12 đơn vị" in progress_message.text

    # 15:00, two hours before the deadline: only Hội Đông y is reminded.
    before = {unit: len(o.private_chat.bot_messages()) for unit, o in officers.items()}
    await run_reminders(world, local(10, 12, 15, 0))
    reminded = [unit for unit, o in officers.items() if len(o.private_chat.bot_messages()) > before[unit]]
    assert reminded == [DY]
    dm = officers[DY].private_chat.last_bot_message()
    assert "Hạn bỏ phiếu suy tôn" in dm.text and "bỏ phiếu suy tôn" in dm.text
    assert "Hội Đông y" in group.last_bot_message().text

    # 17:00: the deadline closes the vote and the group gets the result. The close row is
    # taken, the vote closed and counted and the row marked done in one transaction.
    with transactions(world.db.engine) as closing:
        await run_reminders(world, local(10, 12, 17, 0))
    deciding = [t for t in closing.of_the_action if {"vote_count", "reminder"} <= t.tables and t.writes]
    assert len(deciding) == 1 and "sealed_ballot" in deciding[0].tables
    result = group.last_bot_message().text
    assert "Kết quả bỏ phiếu kín suy tôn năm 2025" in result
    assert "11/12 đơn vị đã bỏ phiếu" in result
    # Too late for Hội Đông y now.
    await officers[DY].send_private("/bophieu")
    assert "Bỏ phiếu đã đóng" in officers[DY].private_chat.last_bot_message().text

    # The secretary posts the list: checked against the hand tally.
    counts = hand_tally()
    assert counts[BK] == {KHKT: 9, CTD: 8, KH: 7, NB: 7, LG: 7, LS: 3}
    await secretary.send(group, "/danhsach")
    messages = group.bot_messages()
    listing = next(m for m in reversed(messages) if "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG NĂM 2025" in (m.text or ""))
    assert group.pinned is not None and group.pinned.message_id == listing.message_id
    text = listing.text
    bk_part = text[text.index(f"3. {BK}"):]
    assert f"1) {KHKT} — 9/12 phiếu (75%), 95 điểm" in bk_part
    assert f"2) {CTD} — 8/12 phiếu (66,67%), 93 điểm" in bk_part
    # Hội Khuyến học, Hội Nhà báo and Hội Luật gia have 7 votes each for one seat... two seats:
    # Khuyến học's 95 points put it first; Nhà báo and Luật gia tie on 90: the meeting decides.
    assert f"3) {KH} — 7/12 phiếu (58,33%), 95 điểm — bằng phiếu, xếp trên nhờ điểm cao hơn" in bk_part
    assert f"hội nghị quyết định: {LG} (7 phiếu, 90 điểm); {NB} (7 phiếu, 90 điểm)" in bk_part
    co_tinh_part = text[text.index(f"2. {CO_TINH}"):text.index(f"3. {BK}")]
    assert f"1) {KHKT} — 8/12 phiếu (66,67%)" in co_tinh_part and CTD not in co_tinh_part
    co_cp_part = text[text.index(f"1. {CO_CP}"):text.index(f"2. {CO_TINH}")]
    assert f"1) {CTD} — 7/12 phiếu (58,33%)" in co_cp_part
    assert f"chưa là đơn vị đề nghị {CO_TINH}" in co_cp_part  # the eligibility warning
    assert f"Trưởng khối <b>{CTD}</b>" in listing.html and f"Phó khối <b>{KH}</b>" in listing.html

    documents = {m.document[0]: m.document[1] for m in messages[-4:] if m.document}
    assert sorted(documents) == ["bien-ban-binh-xet-2025-v1.docx", "danh-sach-de-nghi-2025-v1.docx",
                                 "danh-sach-de-nghi-2025-v1.xlsx", "to-trinh-de-nghi-khen-thuong-2025-v1.docx"], sorted(documents)
    minutes = "\n".join(p.text for p in Document(io.BytesIO(documents["bien-ban-binh-xet-2025-v1.docx"])).paragraphs)
    tables = Document(io.BytesIO(documents["bien-ban-binh-xet-2025-v1.docx"])).tables
    cells = "\n".join(cell.text for table in tables for row in table.rows for cell in row.cells)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in minutes + cells
    assert "Huế, ngày 10 tháng 12 năm 2025" in minutes + cells
    for unit, votes in counts[BK].items():
        assert unit in cells
    assert "58,33" in cells and "75" in cells
    workbook = load_workbook(io.BytesIO(documents["danh-sach-de-nghi-2025-v1.xlsx"]))
    values = [[c for c in row] for row in workbook.active.iter_rows(values_only=True)]
    flat = [v for row in values for v in row if v is not None]
    assert KHKT in flat and CTD in flat and KH in flat
    listed_units = [row[1] for row in values if isinstance(row[0], int)]
    assert listed_units.count(KHKT) == 2  # Cờ thi đua của UBND tỉnh and Bằng khen
    assert CTD in listed_units and KH in listed_units and LG not in listed_units and NB not in listed_units

    # Kept: results per year, next year's leaders, the document versions.
    with world.db.session() as session:
        names = {u.id: u.name for u in session.exec(select(Unit))}
        results = {(names[r.unit_id], r.code, r.votes) for r in session.exec(select(YearResult))}
        leaders = {(r.kind, names[r.unit_id]) for r in session.exec(select(Role).where(Role.year == 2026))
                   if r.unit_id}
        versions = session.exec(select(ReviewDocument)).all()
    assert (KHKT, "BK_UBND", 9) in results and (CTD, "CO_CP", 7) in results and (KHKT, "CO_TINH", 8) in results
    assert not any(r[0] in (NB, LG) for r in results)
    assert leaders == {("truong_khoi", CTD), ("pho_khoi", KH)}
    assert len(versions) == 4

    # The meeting settles the tie: the secretary records Hội Nhà báo; the list is regenerated as version 2.
    await secretary.send(group, "/binhxet")
    await secretary.press(group.last_bot_message(), "Ghi quyết định của hội nghị về hòa phiếu")
    await secretary.press(group.last_bot_message(), BK)
    await secretary.press(group.last_bot_message(), NB)
    assert "hội nghị quyết định đề nghị <b>Hội Nhà báo</b>" in group.last_bot_message().html
    await secretary.send(group, "/danhsach")
    messages = group.bot_messages()
    assert any(m.document and m.document[0] == "danh-sach-de-nghi-2025-v2.docx" for m in messages[-4:])
    listing = next(m for m in reversed(messages) if "DANH SÁCH ĐỀ NGHỊ" in (m.text or ""))
    assert f"4) {NB} — 7/12 phiếu (58,33%), 90 điểm — bằng phiếu và điểm" not in listing.text
    assert f"{NB} — 7/12 phiếu (58,33%), 90 điểm — hội nghị quyết định" in listing.text
    with world.db.session() as session:
        assert len(session.exec(select(ReviewDocument)).all()) == 8  # both versions kept
    # /xuat gives the registration sheet and the latest version of each document.
    await secretary.send(group, "/xuat")
    files = [m.document[0] for m in group.bot_messages()[-5:] if m.document]
    assert files == ["dang_ky_thi_dua_2025.xlsx", "bien-ban-binh-xet-2025-v2.docx", "danh-sach-de-nghi-2025-v2.docx",
                     "to-trinh-de-nghi-khen-thuong-2025-v2.docx", "danh-sach-de-nghi-2025-v2.xlsx"]


async def test_the_ballot_box_cannot_tell_who_voted_for_whom(world, hue):
    group, secretary, officers = hue
    world.clock.set(local(10, 12, 13, 0))
    await open_voting(world, group, secretary, "không")
    await cast_ballot(officers[KH], {CO_CP: [CTD], CO_TINH: [KHKT], BK: [NB], LEAD: [CTD], DEPUTY: [KH]})
    with world.db.session() as session:
        # Who voted is in the marks; what it chose is sealed, counted only at the close.
        assert not session.exec(select(BallotDraft)).all()
        marks = session.exec(select(BallotCast)).all()
        assert [m.unit_id for m in marks] == [session.exec(select(Unit).where(Unit.name == KH)).one().id]
        assert not [c for c in session.exec(select(VoteCount)) if c.votes or c.returned]
        [sealed] = session.exec(select(SealedBallot)).all()
        assert "CO_CP" not in sealed.sealed and "{" not in sealed.sealed and len(sealed.sealed) > 5000
        columns = {c["name"] for c in inspect(session.get_bind()).get_columns("vote_count")}
        sealed_columns = {c["name"] for c in inspect(session.get_bind()).get_columns("sealed_ballot")}
    assert columns == {"id", "vote_id", "code", "unit_id", "votes", "returned"}  # no voter, no time
    assert sealed_columns == {"id", "vote_id", "sealed"}
    # The secretary's view shows the count only.
    await secretary.send(group, "/binhxet")
    panel = group.last_bot_message()
    assert "1/12" in panel.text and KH not in panel.text
    assert [b for row in panel.buttons for b in row] == ["🔒 Đóng bỏ phiếu", "🔄 Cập nhật"]
    # At the close the box is opened and counted: totals only, the sealed ballot gone.
    await secretary.press(panel, "Đóng bỏ phiếu")
    await secretary.press(group.last_bot_message(), "Đóng bỏ phiếu ngay")
    with world.db.session() as session:
        counted = {(c.code, c.unit_id): c.votes for c in session.exec(select(VoteCount)) if c.votes}
        assert len(counted) == 5 and set(counted.values()) == {1}
        assert not session.exec(select(SealedBallot)).all()


SEED_UNITS = [f"Hội thành viên số {i:02d}" for i in range(1, 25)]


async def test_a_24_unit_bloc_with_quotas_1_3_12(world):
    """The seed's meeting: 24 units propose 1 for the Government's flag, 3 for the province's
    and 12 for Bằng khen; the secretary sets the bloc's quotas on the ballot."""
    world.settings.vote.elect_leaders = False
    u = SEED_UNITS
    group, secretary = await set_up_bloc(world, title="Khối thi đua các Hội đặc thù", units=u)
    group.promote_bot(can_pin=True)
    officers = await enrol(world, group, secretary, u)
    for index, unit in enumerate(u):
        titles = ([CO_CP] if index < 2 else []) + ([CO_TINH] if index < 5 else []) + ([BK] if index < 16 else [])
        await register(officers[unit], titles or [TTLDXS])
    world.clock.set(local(20, 12, 8, 0, year=2025))
    await secretary.send(group, "/binhxet")
    await secretary.press(group.last_bot_message(), "Chuẩn bị lá phiếu")
    for title, quota in ((CO_TINH, "3"), (BK, "12")):
        await secretary.press(group.last_bot_message(), "Sửa chỉ tiêu")
        await secretary.press(group.last_bot_message(), title)
        await secretary.reply(group.last_bot_message(), quota)
    panel = group.last_bot_message()
    assert f"<b>{CO_TINH}</b> (chọn tối đa 3)" in panel.html and f"<b>{BK}</b> (chọn tối đa 12)" in panel.html
    await secretary.press(panel, "Mở bỏ phiếu")
    await secretary.reply(group.last_bot_message(), "không")

    co_tinh = [[u[0], u[1], u[2]]] * 16 + [[u[0], u[1], u[3]]] * 4 + [[u[0], u[3], u[4]]] * 4
    for index, unit in enumerate(u):
        await cast_ballot(officers[unit], {
            CO_CP: [u[0]] if index < 20 else [u[1]],
            CO_TINH: co_tinh[index],
            BK: u[0:12] if index < 18 else u[4:16]})
    await secretary.send(group, "/binhxet")
    await secretary.press(group.last_bot_message(), "Đóng bỏ phiếu")
    await secretary.press(group.last_bot_message(), "Đóng bỏ phiếu ngay")
    await secretary.send(group, "/danhsach")
    listing = next(m for m in reversed(group.bot_messages()) if "DANH SÁCH ĐỀ NGHỊ" in (m.text or ""))
    text = listing.text
    co_cp_part = text[text.index(f"1. {CO_CP}"):text.index(f"2. {CO_TINH}")]
    co_tinh_part = text[text.index(f"2. {CO_TINH}"):text.index(f"3. {BK}")]
    bk_part = text[text.index(f"3. {BK}"):]
    # By hand: Cờ Chính phủ 20 of 24 for unit 01; Cờ tỉnh 24, 20 and 16 for units 01–03
    # (04 has 8, 05 has 4); Bằng khen 24 each for units 05–12, 18 each for 01–04, 6 for 13–16.
    assert f"1) {u[0]} — 20/24 phiếu (83,33%)" in co_cp_part and u[1] not in co_cp_part
    assert [f"{i}) {u[i - 1]} — {v}/24" in co_tinh_part for i, v in ((1, 24), (2, 20), (3, 16))] == [True] * 3
    assert u[3] not in co_tinh_part and u[4] not in co_tinh_part
    listed = [line.split(") ", 1)[1].split(" — ")[0] for line in bk_part.splitlines() if ") " in line]
    assert listed == u[4:12] + u[0:4]
    assert all(f"{unit} — 24/24 phiếu (100%)" in bk_part for unit in u[4:12])
    assert all(f"{unit} — 18/24 phiếu (75%)" in bk_part for unit in u[0:4])
    workbook = next(m.document for m in reversed(group.bot_messages()) if m.document
                    and m.document[0].endswith(".xlsx"))
    rows = list(load_workbook(io.BytesIO(workbook[1])).active.iter_rows(values_only=True))
    assert len([row for row in rows if isinstance(row[0], int)]) == 1 + 3 + 12
