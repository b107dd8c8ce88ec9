"""The province's officers (issue 18), from their side, through the stand-in on both backends.

Thừa Thiên Huế (a city, «Huế», since 2025) has four blocs using the bot: the seeds' two real
blocs (the social organisations' bloc of Huế, played here through the real conversation, and
the Hòa Bình bloc's units as a Huế bloc, set up through storage), and two small ones. The
Government flag nominee of the conversation's bloc is not its provincial-flag nominee; the
blocs propose three units for the Government flag where the province allows two; Hội Chữ thập
đỏ is proposed by two blocs; the schools' bloc is late with its registrations and its dossier.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from khoibot.demo.acts import cast_ballot
from khoibot.services import services_of
from services import province as service
from storage.models import Dossier, ProvinceGroup
from tests.factories import more_blocs_of_hue
from tests.samples import HOA_BINH_BLOC, enrol, register, set_up_bloc

VN = ZoneInfo("Asia/Ho_Chi_Minh")
OFFICER, OTHER_OFFICER = 880001, 880002
CAP_SOURCE = "Quyết định 12/2024/QĐ-UBND, Điều 8"
NOMINEE_SOURCE = "Luật Thi đua, khen thưởng 2022, Điều 26"
ONE_BLOC_SOURCE = "Quyết định 12/2024/QĐ-UBND, Điều 5"

CO_CP = "Cờ thi đua của Chính phủ"
CO_TINH = "Cờ thi đua của Ủy ban nhân dân thành phố"  # Huế: a city since 2025
BK = "Bằng khen của Chủ tịch Ủy ban nhân dân thành phố"
CITY_INDIVIDUAL = ["Chiến sĩ thi đua cấp tỉnh", "Chiến sĩ thi đua cơ sở", "Lao động tiên tiến",
                   "Bằng khen của Chủ tịch Ủy ban nhân dân thành phố (cá nhân)"]
BLOC = "Khối thi đua các Tổ chức xã hội"
UNITS = ["Liên hiệp các Hội Khoa học và Kỹ thuật", "Hội Chữ thập đỏ", "Hội Khuyến học", "Hội Nhà báo"]
KHKT, CTD, KH, NB = UNITS


@pytest.fixture
def province_settings():
    return [
        {"code": "HUE", "name": "Huế", "kind": "city", "officers": [OFFICER], "dossier_due": "20/12 17:00",
         "eras": [{"until": 2024, "name": "Thừa Thiên Huế", "kind": "province"}],
         "rules": [
             {"code": "CAP_CP", "kind": "cap", "title": "CO_CP", "limit": 2, "source": CAP_SOURCE},
             {"code": "CP_TINH", "kind": "also_nominee", "title": "CO_CP", "of_title": "CO_TINH",
              "source": NOMINEE_SOURCE},
             {"code": "ONE", "kind": "one_bloc", "source": ONE_BLOC_SOURCE}]},
        {"code": "HB", "name": "Hòa Bình", "officers": [OTHER_OFFICER]},
    ]


def local(day, month, hour=9, minute=0, year=2025):
    return datetime(year, month, day, hour, minute, tzinfo=VN)


async def the_conversation_bloc(world):
    """The social organisations' bloc plays its year: four units register, vote (Hội Chữ thập
    đỏ for the Government flag and Bằng khen, the science union for the provincial flag), the
    list is posted."""
    world.settings.vote.elect_leaders = False
    group, secretary = await set_up_bloc(world, title=BLOC, units=UNITS)
    group.promote_bot(can_pin=True)
    officers = await enrol(world, group, secretary, UNITS)
    for unit in UNITS:
        await register(officers[unit], [CO_CP, CO_TINH, BK], individual=CITY_INDIVIDUAL)
    world.clock.set(local(10, 12))
    await secretary.send(group, "/binhxet")
    await secretary.press(group.last_bot_message(), "Chuẩn bị lá phiếu")
    await secretary.press(group.last_bot_message(), "Mở bỏ phiếu")
    await secretary.reply(group.last_bot_message(), "không")
    for unit in UNITS:
        await cast_ballot(officers[unit], {CO_CP: [CTD], CO_TINH: [KHKT], BK: [CTD]})
    await secretary.send(group, "/binhxet")
    await secretary.press(group.last_bot_message(), "Đóng bỏ phiếu")
    await secretary.press(group.last_bot_message(), "Đóng bỏ phiếu ngay")
    await secretary.send(group, "/danhsach")
    return group, secretary


def the_other_blocs(world):
    """Three blocs of Huế set up through storage, played to their lists."""
    at = local(12, 12, 10)
    with world.db.session() as s:
        made = more_blocs_of_hue(s, first_secretary=700001, first_chat=-1700001, now=at,
                                 registration_deadline=local(31, 3, 17))
        third, depts = made["third"][0], made["depts"][0]
        # Two of them sent their dossiers already (the bot records one as the secretary's press does).
        provinces = services_of(world.app).provinces
        for bloc in (third, depts):
            assert isinstance(service.send_dossier(s, provinces, bloc, year=2025, by=700001, now=at), service.Sent)


async def test_officers_follow_every_bloc_check_the_lists_and_receive_the_dossiers(world):
    officer = world.standin.add_user("Nguyễn Thị Lan", user_id=OFFICER)
    ban = world.standin.add_group("Ban Thi đua – Khen thưởng thành phố Huế", members=[officer], admins=[officer])
    ban.add_bot(by=officer)
    ban.promote_bot(can_pin=True)
    await officer.send_private("/start")
    await world.standin.settle()

    # The officers' group: the board is pinned there before any bloc has done anything.
    await officer.send(ban, "/tinh")
    told, pinned = ban.bot_messages()[-2:]
    assert "Nhóm này từ nay là nhóm của Ban Thi đua – Khen thưởng thành phố Huế" in told.text
    assert pinned is ban.pinned and "Chưa có khối thi đua nào" in pinned.text

    group, secretary = await the_conversation_bloc(world)
    offer = group.last_bot_message()
    assert "sẵn sàng gửi lên Ban Thi đua – Khen thưởng thành phố Huế" in offer.text
    assert offer.buttons == [["📨 Gửi hồ sơ lên thành phố"]]
    the_other_blocs(world)
    board = ban.pinned
    assert BLOC in board.text and "Hồ sơ: chưa gửi" in board.text

    # The secretary sends the dossier: it reaches the officers' group with its files.
    await secretary.send(group, "/danhsach")  # posted again, unchanged: a second offer of the same version
    second = group.last_bot_message()
    assert second.buttons == [["📨 Gửi hồ sơ lên thành phố"]]
    world.clock.set(local(15, 12))
    await secretary.press(offer, "Gửi hồ sơ lên thành phố")
    assert "Đã gửi hồ sơ năm 2025 (bản 1) lên Ban Thi đua – Khen thưởng thành phố Huế" in group.get(
        offer.message_id).text
    arrived = [m for m in ban.bot_messages() if m.document]
    assert len(arrived) == 4 and all(m.caption.startswith(f"{BLOC} — ") for m in arrived)
    assert f"<b>{BLOC}</b> gửi hồ sơ đề nghị khen thưởng năm 2025, bản 1" in ban.bot_messages()[-5].html
    assert "Hồ sơ bản này đã gửi lúc 09:00 ngày 15/12/2025" in await secretary.press(second, "Gửi hồ sơ lên thành phố")
    with world.db.session() as s:
        assert len(s.exec(select(Dossier)).all()) == 3  # ours, and the two other blocs' recorded

    # After the dossier's due date: the board says who is late, in place, pinned.
    world.clock.set(local(22, 12))
    await officer.send_private("/tinh")
    private = officer.private_chat.last_bot_message()
    assert "Hồ sơ đã nhận: 3/4 khối · Chậm: 1 khối" in private.text
    assert "⏰ Quá hạn đăng ký, còn 1 đơn vị chưa đăng ký" in private.text
    assert "Khối chậm: Khối các Trường" in private.text and "Khối Hòa Bình" not in private.text
    assert ban.pinned.message_id == board.message_id

    # The nominations, checked across blocs, with their sources.
    await officer.press(private, "📋 Danh sách đề nghị")
    listing = officer.private_chat.last_bot_message().text
    assert "Vượt giới hạn toàn thành phố: tối đa 2 đề nghị Cờ thi đua của Chính phủ, các khối đề nghị 3" in listing
    assert f"Căn cứ: {CAP_SOURCE}" in listing
    assert ("Đơn vị đề nghị Cờ thi đua của Chính phủ phải là đơn vị khối đề nghị Cờ thi đua của Ủy ban nhân dân "
            f"thành phố, nhưng khối không đề nghị đơn vị này — Căn cứ: {NOMINEE_SOURCE}") in listing
    assert f"Đơn vị cũng được 1 khối khác đề nghị: {HOA_BINH_BLOC} — Căn cứ: {ONE_BLOC_SOURCE}" in listing

    # The .xlsx, read back: one row per proposal, grouped by title, with warnings and versions.
    await officer.press(private, "Danh sách đề nghị (.xlsx)")
    name, content = officer.private_chat.last_bot_message().document
    assert name == "danh-sach-de-nghi-cac-khoi-2025.xlsx"
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert rows[3][:4] == ("STT", "Danh hiệu / hình thức đề nghị", "Khối thi đua", "Tên tập thể")
    proposals = [r for r in rows if isinstance(r[0], int)]
    assert [r[1] for r in proposals] == [CO_CP] * 3 + [CO_TINH] * 3 + [BK] * 4
    ours = next(r for r in proposals if r[1] == CO_CP and r[3] == CTD)
    assert ours[2] == BLOC and ours[4] == 4 and ours[8] == "bản 1" and ours[9] == "15/12/2025"
    assert CAP_SOURCE in ours[7] and NOMINEE_SOURCE in ours[7]
    schools = next(r for r in proposals if r[2] == "Khối các Trường")
    assert schools[8] == "chưa gửi" and not schools[7]

    # The .zip, read back: a folder per bloc that sent, by name, the version sent.
    await officer.press(private, "Hồ sơ các khối (.zip)")
    name, content = officer.private_chat.last_bot_message().document
    names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    folders = sorted({n.split("/")[0] for n in names})
    assert folders == ["01 - Khối các Sở", f"02 - {BLOC}", f"03 - {HOA_BINH_BLOC}"]
    assert f"02 - {BLOC}/{BLOC} - Biên bản - bản 1.docx" in names
    assert f"02 - {BLOC}/{BLOC} - Danh sách đề nghị (bảng tính) - bản 1.xlsx" in names


async def test_a_changed_list_is_sent_again_as_a_new_version(world):
    officer = world.standin.add_user("Nguyễn Thị Lan", user_id=OFFICER)
    ban = world.standin.add_group("Ban Thi đua – Khen thưởng", members=[officer], admins=[officer])
    ban.add_bot(by=officer)
    ban.promote_bot(can_pin=True)
    await world.standin.settle()
    group, secretary = await the_conversation_bloc(world)
    # No province group yet: the dossier is recorded, the secretary told so.
    await secretary.press(group.last_bot_message(), "Gửi hồ sơ lên thành phố")
    assert "Ban chưa có nhóm trên bot" in group.last_bot_message().text
    with world.db.session() as s:
        assert [d.version for d in s.exec(select(Dossier))] == [1]
    await officer.send(ban, "/tinh")
    assert "đã gửi bản 1" in ban.pinned.text
    # The chair, asked for when the list was posted, answered now: the documents are made
    # again, and the button comes back.
    question = next(m for m in reversed(group.bot_messages()) if m.force_reply)
    await secretary.reply(question, "Nguyễn Văn An, Chủ tịch Liên hiệp các Hội Khoa học và Kỹ thuật")
    offer = group.last_bot_message()
    assert "Danh sách đã thay đổi: hồ sơ bản 2 chưa gửi" in offer.text
    await secretary.press(offer, "Gửi lại hồ sơ (bản mới)")
    assert "(bản 2, gửi lần 2)" in group.get(offer.message_id).text
    assert [m.caption for m in ban.bot_messages() if m.document][-1].endswith("bản 2, gửi lần 2")
    assert "đã gửi bản 2" in ban.pinned.text and "gửi lần 2" in ban.pinned.text


async def test_an_officer_of_another_province_and_a_bloc_secretary_are_refused(world):
    group, secretary = await set_up_bloc(world, title=BLOC, units=UNITS)
    other = world.standin.add_user("Lê Văn Hòa", user_id=OTHER_OFFICER)
    await other.send_private("/start")
    await other.send_private("/tinh")
    board = other.private_chat.last_bot_message()
    assert "Ban Thi đua – Khen thưởng tỉnh Hòa Bình" in board.text and BLOC not in board.text
    # Its buttons name its own province; a forged one naming Huế is refused.
    assert "Chỉ cán bộ Ban Thi đua – Khen thưởng" in await other.press_data(board, "tv:xlsx:HUE", as_a_button=True)
    await secretary.send(group, "/tinh")
    assert "Lệnh /tinh dành cho cán bộ Ban Thi đua – Khen thưởng" in group.last_bot_message().text
    await secretary.send_private("/tinh")
    assert "Anh/chị chưa có tên trong danh sách cán bộ" in secretary.private_chat.last_bot_message().text
    await secretary.send(group, "/tinh them 12345")
    assert "Lệnh /tinh dành cho cán bộ" in group.last_bot_message().text
    # An officer cannot make a bloc's group the province's.
    officer = world.standin.add_user("Nguyễn Thị Lan", user_id=OFFICER)
    group.add_member(officer)
    await officer.send(group, "/tinh")
    assert "Nhóm này là nhóm của một khối thi đua" in group.last_bot_message().text
    with world.db.session() as s:
        assert s.exec(select(ProvinceGroup)).all() == []


async def test_an_officer_adds_another_who_then_sees_the_province(world):
    officer = world.standin.add_user("Nguyễn Thị Lan", user_id=OFFICER)
    colleague = world.standin.add_user("Phan Văn Minh")
    ban = world.standin.add_group("Ban Thi đua – Khen thưởng", members=[officer, colleague], admins=[officer])
    ban.add_bot(by=officer)
    await colleague.send_private("/start")
    await world.standin.settle()
    asked = await colleague.send(ban, "/tinh")
    assert "Lệnh /tinh dành cho cán bộ" in ban.last_bot_message().text
    await officer.send(ban, "/tinh them", reply_to=asked)
    assert "Đã thêm Phan Văn Minh vào danh sách cán bộ Ban Thi đua – Khen thưởng thành phố Huế" in \
        ban.last_bot_message().text
    await colleague.send_private("/tinh")
    assert "Ban Thi đua – Khen thưởng thành phố Huế" in colleague.private_chat.last_bot_message().text
    await officer.send(ban, f"/tinh them {colleague.id}")
    assert "Người này đã là cán bộ của Ban" in ban.last_bot_message().text
