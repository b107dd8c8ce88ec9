"""Titles named for the province's kind in the year (issue 18, «Names that follow the
province»): Huế is configured as a city since 2025 (tỉnh Thừa Thiên Huế until 2024), Lào Cai
as a province. A bloc of Huế in 2025 reads «… Ủy ban nhân dân thành phố» from /dangky to the
posted list and its files; the same province's 2024 bloc, a province's bloc and a bloc of a
province nobody configured read «… Ủy ban nhân dân tỉnh», as the catalogue is configured."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from docx import Document
from openpyxl import load_workbook

from khoibot.demo.acts import cast_ballot
from tests.conftest import TZ
from tests.samples import enrol, register, set_up_bloc

UNITS = ["Hội Chữ thập đỏ", "Hội Khuyến học", "Hội Luật gia", "Hội Nhà báo"]
CO_CP = "Cờ thi đua của Chính phủ"
HUE = {"code": "HUE", "name": "Huế", "kind": "city", "aliases": ["TT Huế"],
       "eras": [{"until": 2024, "name": "Thừa Thiên Huế", "kind": "province"}]}
LAO_CAI = {"code": "LCI", "name": "Lào Cai", "kind": "province"}


@pytest.fixture
def province_settings() -> list[dict]:
    return [HUE, LAO_CAI]


def titles(level: str) -> dict[str, str]:
    """The titles a bloc reads when its province is ``level`` («tỉnh» or «thành phố») that year."""
    return {"flag": f"Cờ thi đua của Ủy ban nhân dân {level}", "bk": f"Bằng khen của Chủ tịch Ủy ban nhân dân {level}",
            "individual": ["Chiến sĩ thi đua cấp tỉnh", "Chiến sĩ thi đua cơ sở", "Lao động tiên tiến",
                           f"Bằng khen của Chủ tịch Ủy ban nhân dân {level} (cá nhân)"]}


def said(chat) -> list[str]:
    """Everything the bot wrote in the chat, each message's earlier versions too (a step is
    edited into the next)."""
    return [text for m in chat.bot_messages() for text in (*m.edits, m.text or "")]


def docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def xlsx_text(content: bytes) -> str:
    workbook = load_workbook(io.BytesIO(content))
    return "\n".join(str(v) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True)
                     for v in row if v is not None)


async def play_the_year(world, year: int, province: str | None, level: str) -> dict:
    """A 4-unit bloc of ``year`` (its province typed by the secretary, else the deployment's
    «Thừa Thiên Huế»): every unit registers for the flag and Bằng khen, votes, and the list is
    posted. What people read on the way, by place (and the group and its secretary)."""
    names = titles(level)
    world.clock.set(datetime(year, 2, 10, 9, 0, tzinfo=TZ))
    group, secretary = await set_up_bloc(world, units=UNITS, year=year)
    group.promote_bot(can_pin=True)
    if province:
        await secretary.send(group, "/khoi")
        await secretary.press(group.last_bot_message(), "📍 Tỉnh/thành phố")
        await secretary.reply(group.last_bot_message(), province)
        assert f"Đã ghi tỉnh/thành phố của khối: <b>{province}</b>" in group.last_bot_message().html
    officers = await enrol(world, group, secretary, UNITS)
    # /dangky: the title buttons and each individual step name the year's titles (register
    # presses the buttons by name and checks every step asks for the next one named).
    for unit, officer in officers.items():
        await register(officer, [names["flag"], names["bk"]], individual=names["individual"])
    receipt = officers[UNITS[0]].private_chat.last_bot_message().text
    steps = "\n".join(t for t in said(officers[UNITS[0]].private_chat) if "bước" in t.lower())
    await secretary.send(group, "/tinhhinh")
    status = group.last_bot_message().text
    await secretary.send(group, "/khoi")
    await secretary.press(group.last_bot_message(), "Danh mục danh hiệu")
    catalogue = group.last_bot_message().text

    world.clock.set(datetime(year, 12, 10, 9, 0, tzinfo=TZ))
    await secretary.send(group, "/binhxet")
    await secretary.press(group.last_bot_message(), "Chuẩn bị lá phiếu")
    panel = group.last_bot_message().html
    await secretary.press(group.last_bot_message(), "Mở bỏ phiếu")
    await secretary.reply(group.last_bot_message(), "không")
    await cast_ballot(officers[UNITS[0]], {names["flag"]: [UNITS[0]], names["bk"]: UNITS[:1]})
    ballot_review = next(t for t in reversed(said(officers[UNITS[0]].private_chat)) if "Xem lại phiếu bầu" in t)
    ballot_steps = "\n".join(t for t in said(officers[UNITS[0]].private_chat) if "Phiếu bầu của" in t)
    for unit in UNITS[1:]:
        await cast_ballot(officers[unit], {names["flag"]: [UNITS[0]], names["bk"]: UNITS[:1]})
    await secretary.send(group, "/binhxet")
    await secretary.press(group.last_bot_message(), "Đóng bỏ phiếu")
    await secretary.press(group.last_bot_message(), "Đóng bỏ phiếu ngay")
    await secretary.send(group, "/danhsach")
    messages = group.bot_messages()
    listing = next(m for m in reversed(messages) if "DANH SÁCH ĐỀ NGHỊ KHEN THƯỞNG" in (m.text or ""))
    files = {m.document[0]: m.document[1] for m in [m for m in messages if m.document][-4:]}
    return dict(group=group, secretary=secretary, steps=steps, receipt=receipt, status=status,
                board=group.pinned.text, catalogue=catalogue, panel=panel, ballot=ballot_review,
                ballot_steps=ballot_steps, listing=listing.text,
                minutes=docx_text(files[f"bien-ban-binh-xet-{year}-v1.docx"]),
                list_docx=docx_text(files[f"danh-sach-de-nghi-{year}-v1.docx"]),
                list_xlsx=xlsx_text(files[f"danh-sach-de-nghi-{year}-v1.xlsx"]),
                proposal=docx_text(files[f"to-trinh-de-nghi-khen-thuong-{year}-v1.docx"]))


def assert_named(read: dict, level: str, other: str) -> None:
    names = titles(level)
    for place in ("steps", "receipt", "status", "board", "catalogue", "panel", "ballot", "ballot_steps", "listing",
                  "minutes", "list_docx", "list_xlsx"):
        assert names["flag"] in read[place] and names["bk"] in read[place], (place, read[place])
        assert f"Ủy ban nhân dân {other}" not in read[place], (place, read[place])
    assert names["individual"][3] in read["catalogue"]
    assert names["flag"] in read["proposal"]


async def test_a_citys_bloc_in_2025_reads_the_citys_titles_everywhere(world):
    read = await play_the_year(world, 2025, None, "thành phố")  # «Thừa Thiên Huế», as the deployment's blocs
    assert_named(read, "thành phố", "tỉnh")
    # The Tờ trình goes to the city's council, and asks the city's chairman.
    assert "Hội đồng Thi đua - Khen thưởng thành phố Huế;" in read["proposal"]
    assert "trình Chủ tịch Ủy ban nhân dân thành phố Huế quyết định" in read["proposal"]
    assert "tỉnh" not in read["proposal"].replace("Chiến sĩ thi đua cấp tỉnh", "")
    assert "Huế, ngày 10 tháng 12 năm 2025" in read["minutes"]
    assert "Khối thi đua các Tổ chức xã hội, thành phố Huế" in read["listing"]


async def test_the_same_provinces_bloc_in_2024_keeps_the_provinces_titles(world):
    read = await play_the_year(world, 2024, "TT Huế", "tỉnh")
    assert_named(read, "tỉnh", "thành phố")
    assert "Hội đồng Thi đua - Khen thưởng tỉnh Thừa Thiên Huế;" in read["proposal"]
    assert "Thừa Thiên Huế, ngày 10 tháng 12 năm 2024" in read["minutes"]


async def test_a_provinces_bloc_reads_the_provinces_titles(world):
    read = await play_the_year(world, 2025, "Lào Cai", "tỉnh")
    assert_named(read, "tỉnh", "thành phố")
    assert "Hội đồng Thi đua - Khen thưởng tỉnh Lào Cai;" in read["proposal"]


async def test_a_province_nobody_configured_keeps_the_catalogues_names(world):
    read = await play_the_year(world, 2025, "Hòa Bình", "tỉnh")
    assert_named(read, "tỉnh", "thành phố")
    assert "Hội đồng Thi đua - Khen thưởng tỉnh Hòa Bình;" in read["proposal"]


async def test_a_bloc_that_moves_into_the_citys_first_year_keeps_its_earlier_years_names(world):
    """Thừa Thiên Huế's bloc plays 2024 and moves to 2025: now a city's, it registers for the
    city's titles, while its 2024 status and documents keep the province's names of their time."""
    played = await play_the_year(world, 2024, "Thừa Thiên Huế", "tỉnh")
    group, secretary = played["group"], played["secretary"]
    world.clock.set(datetime(2025, 1, 6, 9, 0, tzinfo=TZ))
    await secretary.send(group, "/namsau")
    await secretary.press(group.last_bot_message(), "Sang năm 2025")
    await secretary.press(group.last_bot_message(), "Xác nhận sang năm 2025")
    city, province = titles("thành phố"), titles("tỉnh")

    await secretary.send(group, "/tinhhinh")
    now = group.last_bot_message().text
    assert city["flag"] in now and province["flag"] not in now
    await secretary.send(group, "/tinhhinh 2024")
    then = group.last_bot_message().text
    assert province["flag"] in then and city["flag"] not in then
    await secretary.send(group, "/xuat 2024")
    files = {m.document[0]: m.document[1] for m in group.bot_messages()[-5:] if m.document}
    proposal = docx_text(files["to-trinh-de-nghi-khen-thuong-2024-v1.docx"])
    assert "Hội đồng Thi đua - Khen thưởng tỉnh Thừa Thiên Huế;" in proposal
    assert province["bk"] in xlsx_text(files["danh-sach-de-nghi-2024-v1.xlsx"])
    assert province["flag"] in xlsx_text(files["dang_ky_thi_dua_2024.xlsx"])
