"""What people type and read as text: names cut for a button at a word, with «…», and the
bloc named when one person acts for units of two blocs; names made of look-alike or
invisible characters; numbers of people that are not whole numbers; dates far from the
bloc's year; and the examples the date prompts give (in the bloc's year, still to come)."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlmodel import select

from storage.models import Bloc, Covenant, Milestone, RegistrationDraft, Report, Unit
from tests.conftest import TZ
from tests.samples import (HOA_BINH_BLOC, HOA_BINH_UNITS, HUE_BLOC, HUE_UNITS, INDIVIDUAL_TITLES,
                           invite_and_enrol, enrol, register, set_up_bloc)
from tests.test_review import BK

XS = "Tập thể lao động xuất sắc"
LONG_UNIT = "Hội Người khuyết tật – Bảo trợ người khuyết tật và trẻ mồ côi"


def unit_names(world) -> list[str]:
    with world.db.session() as s:
        return sorted(u.name for u in s.exec(select(Unit).where(Unit.removed_at.is_(None))))


def milestones(world) -> list[tuple[str, datetime]]:
    with world.db.session() as s:
        return [(m.kind, m.at) for m in s.exec(select(Milestone).where(Milestone.cancelled_at.is_(None)))]


# ---- names on buttons ---------------------------------------------------------------------

@pytest.fixture
async def two_blocs(world):
    """Lê Văn Minh represents Hội Khuyến học in Huế and in Hòa Bình, and the Huế unit
    with the long name."""
    hue, hue_secretary = await set_up_bloc(world)
    hoa_binh, hb_secretary = await set_up_bloc(world, title=HOA_BINH_BLOC, units=HOA_BINH_UNITS,
                                               secretary_name="Bùi Thị Lan")
    officer = world.standin.add_user("Lê Văn Minh")
    await invite_and_enrol(hue_secretary, hue, "Hội Khuyến học", officer)
    await invite_and_enrol(hb_secretary, hoa_binh, "Hội Khuyến học", officer)
    await invite_and_enrol(hue_secretary, hue, LONG_UNIT, officer)
    return officer


# Every unit choice names the unit and its bloc, each cut after a whole word.
HUE = HUE_BLOC                            # «Khối thi đua các Tổ chức xã hội» fits
HOA_BINH = "Khối thi đua số 3 (các tổ chức…"  # «Khối thi đua số 3 (các tổ chức Hội)»
LONG = "Hội Người khuyết tật – Bảo trợ người…"
CHOICES = [f"Hội Khuyến học — {HOA_BINH}", f"Hội Khuyến học — {HUE}", f"{LONG} — {HUE}"]


def labels(message) -> list[str]:
    return [text for row in message.buttons for text in row]


async def test_every_unit_choice_names_the_bloc_and_cuts_names_at_a_word(world, two_blocs):
    officer = two_blocs
    chat = officer.private_chat
    await officer.send_private("/dangky")
    assert sorted(labels(chat.last_bot_message())) == sorted(CHOICES)
    await officer.send_private("/giaouoc")
    assert sorted(labels(chat.last_bot_message())) == sorted(
        f"✍️ Thủ trưởng đã ký giao ước: {choice}" for choice in CHOICES)
    await officer.send_private("/baocao")
    assert sorted(labels(chat.last_bot_message())) == sorted(
        f"📎 {period}: {choice}" for choice in CHOICES for period in ("Báo cáo 6 tháng", "Báo cáo tổng kết năm"))
    # The Hòa Bình button is the Hòa Bình unit's.
    await officer.press(chat.last_bot_message(), f"Báo cáo 6 tháng: Hội Khuyến học — {HOA_BINH}")
    await officer.send_document(chat, "bao-cao.pdf", b"%PDF-1.4 report")
    assert "Đã nhận báo cáo sơ kết 6 tháng của Hội Khuyến học" in chat.last_bot_message().text
    await officer.send_private("/giaouoc")
    await officer.press(chat.last_bot_message(), f"Hội Khuyến học — {HOA_BINH}")
    assert "đã ký giao ước thi đua năm 2025" in chat.last_bot_message().text
    with world.db.session() as s:
        hb = s.exec(select(Bloc).where(Bloc.name == HOA_BINH_BLOC)).one()
        assert [r.bloc_id for r in s.exec(select(Report))] == [hb.id]
        assert [c.bloc_id for c in s.exec(select(Covenant))] == [hb.id]


async def test_the_roster_picker_cuts_a_long_name_at_a_word(world):
    group, secretary = await set_up_bloc(world, units=HUE_UNITS + [
        "Hội Cựu Thanh niên xung phong và Hội Nạn nhân chất độc da cam/dioxin thành phố Huế"])
    await secretary.send(group, "/donvi")
    await secretary.press(group.last_bot_message(), "Sửa đơn vị")
    picker = labels(group.last_bot_message())
    assert "Hội Cựu Thanh niên xung phong và Hội Nạn nhân chất độc da…" in picker
    assert LONG_UNIT in picker  # 61 characters: it fits whole


# ---- look-alike and invisible names ---------------------------------------------------------

HANGUL_FILLER, HALFWIDTH_FILLER, BRAILLE_BLANK = "\u3164", "\uffa0", "\u2800"


async def test_look_alike_and_invisible_names_are_the_same_unit(world):
    group, secretary = await set_up_bloc(world)
    before = unit_names(world)
    same = [
        f"Hội Chữ thập đỏ{HANGUL_FILLER}",
        f"Hội Chữ{HANGUL_FILLER}thập đỏ",
        f"Hội Chữ thập đỏ{BRAILLE_BLANK}",
        f"Hội{HALFWIDTH_FILLER}Chữ thập đỏ",
        "Hội Chữ thập đ\u043e\u0309",         # Cyrillic «о» under the hook
        "Hội Chữ thập đỏ\u200b",             # zero width space
        "Ｈội Chữ thập đỏ",                   # full-width H
    ]
    await secretary.send(group, "/donvi\n" + "\n".join(same))
    refusal = group.last_bot_message().text
    assert "Mọi đơn vị trong danh sách đều đã có" in refusal
    assert refusal.count("trùng với «Hội Chữ thập đỏ»") == len(same)
    assert unit_names(world) == before
    # A name made only of fillers reads as nothing: refused, saying why.
    await secretary.send(group, f"/donvi\nHội Doanh nhân trẻ\n{HANGUL_FILLER * 3}")
    refusal = group.last_bot_message().text
    assert "Chưa thêm đơn vị nào" in refusal and "1 dòng chỉ có ký tự trắng hoặc ký tự không nhìn thấy" in refusal
    assert unit_names(world) == before
    # A filler used as a space is stored as a space.
    await secretary.send(group, f"/donvi\nHội Doanh{HANGUL_FILLER}nhân{BRAILLE_BLANK}trẻ")
    assert "Đã thêm 1 đơn vị" in group.last_bot_message().text
    assert "Hội Doanh nhân trẻ" in unit_names(world)


async def test_a_unit_or_a_bloc_cannot_be_renamed_to_nothing(world):
    group, secretary = await set_up_bloc(world)
    await secretary.send(group, "/donvi")
    await secretary.press(group.last_bot_message(), "Sửa đơn vị")
    await secretary.press(group.last_bot_message(), "Hội Nhà báo")
    await secretary.press(group.last_bot_message(), "Đổi tên")
    await secretary.reply(group.last_bot_message(), HANGUL_FILLER * 4)
    assert "Tên đơn vị phải có ít nhất 2 ký tự và có chữ" in group.bot_messages()[-2].text
    await secretary.reply(group.last_bot_message(), f"Hội Chữ thập đỏ{HANGUL_FILLER}")
    assert "trùng với đơn vị «Hội Chữ thập đỏ»" in group.bot_messages()[-2].text
    assert "Hội Nhà báo" in unit_names(world)
    admin = world.standin.add_user("Phan Văn Hùng")
    other = world.standin.add_group("Nhóm mới", members=[admin], admins=[admin])
    other.add_bot(by=admin)
    await world.standin.settle()
    await admin.send(other, f"/khoi {HANGUL_FILLER * 5} 2025")
    assert "Tên khối phải có ít nhất 3 ký tự và có chữ" in other.last_bot_message().text
    with world.db.session() as s:
        assert s.exec(select(Bloc).where(Bloc.chat_id == other.id)).first() is None


# ---- numbers of people ------------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["2,5", "1e3", "10^12", "3.7 người", "2/3"])
async def test_a_number_of_people_is_a_whole_number(world, typed):
    group, secretary = await set_up_bloc(world)
    officer = (await enrol(world, group, secretary, ["Hội Khuyến học"]))["Hội Khuyến học"]
    await officer.send_private("/dangky")
    await officer.press(officer.private_chat.last_bot_message(), "Đăng ký")
    step = officer.private_chat.last_bot_message()
    await officer.press(step, XS)
    await officer.press(step, "Tiếp")
    await officer.send_private(typed)
    assert "Số người phải là một số nguyên" in officer.private_chat.last_bot_message().text
    with world.db.session() as s:
        assert s.exec(select(RegistrationDraft)).one().data["individuals"] == {}
    await officer.send_private("2: Nguyễn Văn An, Trần Thị Bình")  # still on the same question
    assert INDIVIDUAL_TITLES[1] in officer.private_chat.last_bot_message().text
    with world.db.session() as s:
        draft = s.exec(select(RegistrationDraft)).one()
    assert draft.data["individuals"]["CSTD_TINH"] == {"count": 2, "names": ["Nguyễn Văn An", "Trần Thị Bình"]}


# ---- dates: far years, and the examples ---------------------------------------------------------

async def ask(secretary, group, button: str):
    await secretary.send(group, "/lich")
    await secretary.press(group.last_bot_message(), button)
    return group.last_bot_message()


@pytest.mark.parametrize("typed", ["31/12/9999", "31/3/2205", "14:00 15/7/2031, Hội trường A", "1/1/2020"])
async def test_a_date_far_from_the_blocs_year_is_refused(world, typed):
    group, secretary = await set_up_bloc(world)
    meeting = "," in typed
    question = await ask(secretary, group, "Hội nghị sơ kết" if meeting else "Hạn đăng ký")
    await secretary.reply(question, typed)
    refusal = group.bot_messages()[-2].text
    assert "Bot chỉ nhận ngày trong các năm từ 2024 đến 2026" in refusal
    assert milestones(world) == []
    await secretary.reply(group.last_bot_message(), "14:00 15/7/2025, Hội trường A" if meeting else "31/3/2025")
    assert len(milestones(world)) == 1


def example_in(question) -> list[str]:
    """The example the prompt shows, as the person would copy it (the first code span)."""
    html = question.html
    return html.split("<code>", 1)[1].split("</code>", 1)[0]


@pytest.mark.parametrize(("today", "year", "example"), [
    (datetime(2025, 2, 10, 9, 0, tzinfo=TZ), 2025, "31/03/2025"),  # the usual day, still to come
    (datetime(2026, 1, 5, 9, 0, tzinfo=TZ), 2026, "31/03/2026"),   # another year's bloc
    (datetime(2025, 8, 20, 9, 0, tzinfo=TZ), 2025, "27/08/2025"),  # past it: a week from today
])
async def test_the_deadline_prompts_example_is_in_the_blocs_year_and_accepted(world, today, year, example):
    world.clock.set(today)
    group, secretary = await set_up_bloc(world, year=year)
    question = await ask(secretary, group, "Hạn đăng ký")
    assert example_in(question) == example
    assert f"<code>{example} 17:00</code>" in question.html
    await secretary.reply(question, example_in(question))  # copied as it is
    assert "đã qua" not in group.last_bot_message().text
    assert [at.astimezone(TZ).strftime("%d/%m/%Y") for _, at in milestones(world)] == [example]


@pytest.mark.parametrize(("today", "year", "example"), [
    (datetime(2025, 2, 10, 9, 0, tzinfo=TZ), 2025, "14:00 15/07/2025"),
    (datetime(2026, 1, 5, 9, 0, tzinfo=TZ), 2026, "14:00 15/07/2026"),
    (datetime(2025, 8, 20, 9, 0, tzinfo=TZ), 2025, "14:00 27/08/2025"),
])
async def test_the_meeting_prompts_example_is_in_the_blocs_year_and_accepted(world, today, year, example):
    world.clock.set(today)
    group, secretary = await set_up_bloc(world, year=year)
    question = await ask(secretary, group, "Hội nghị sơ kết")
    assert example_in(question).startswith(example + ", ")
    # A meeting without its hour is refused with the same example; what is unreadable too.
    await secretary.reply(question, "15/7")
    assert f"<code>{example}, Hội trường A</code>" in group.bot_messages()[-2].html
    await secretary.reply(group.last_bot_message(), "hôm nào đó")
    assert f"<code>{example}</code>" in group.bot_messages()[-2].html
    await secretary.reply(group.last_bot_message(), example_in(question))
    assert [(kind, at.astimezone(TZ).strftime("%H:%M %d/%m/%Y")) for kind, at in milestones(world)] == [
        ("midyear_meeting", example)]


async def test_the_ballot_deadline_example_is_to_come_and_a_far_one_is_refused(world):
    group, secretary = await set_up_bloc(world, units=["Hội Chữ thập đỏ", "Hội Khuyến học"])
    officers = await enrol(world, group, secretary, ["Hội Chữ thập đỏ", "Hội Khuyến học"])
    for officer in officers.values():
        await register(officer, [BK])
    world.clock.set(datetime(2025, 12, 15, 9, 0, tzinfo=TZ))  # the usual 10/12 is past
    await secretary.send(group, "/binhxet")
    await secretary.press(group.last_bot_message(), "Chuẩn bị lá phiếu")
    await secretary.press(group.last_bot_message(), "Mở bỏ phiếu")
    question = group.last_bot_message()
    assert example_in(question) == "16:30 22/12/2025"
    await secretary.reply(question, "31/12/9999")
    assert "Bot chỉ nhận ngày trong các năm từ 2024 đến 2026" in group.bot_messages()[-2].text
    await secretary.reply(group.last_bot_message(), "hạn chót")
    assert "<code>16:30 22/12/2025</code>" in group.bot_messages()[-2].html
    await secretary.reply(group.last_bot_message(), example_in(question))
    assert "Hạn bỏ phiếu: 16:30 ngày 22/12/2025" in group.last_bot_message().text
