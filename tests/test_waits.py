"""The steps that wait for a person, from the user's side: /huy leaves every one of them and
each says so; a message the step cannot use (a photo, a sticker, text where a file is
awaited, an empty file) gets an answer that says what to do; a file nobody asked for is not
filed (issue 14, defects 3, 12 and 16, and the guard «every step that waits can be left with /huy»)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pytest
from sqlmodel import func, select

from storage.models import BallotDraft, Bloc, Milestone, PendingReply, RegistrationDraft, Report, Score, Unit
from tests.conftest import TZ
from tests.samples import enrol, register, set_up_bloc
from tests.transactions import transactions

UNITS = ["Hội Chữ thập đỏ", "Hội Khuyến học", "Hội Nhà báo"]
BK = "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh"


def local(day: int, month: int, hour: int = 8, minute: int = 0, year: int = 2025) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


def count(world, model) -> int:
    with world.db.session() as s:
        return s.exec(select(func.count()).select_from(model)).one()


@pytest.fixture
async def bloc(world):
    group, secretary = await set_up_bloc(world, units=UNITS)
    officers = await enrol(world, group, secretary, UNITS)
    return group, secretary, officers


async def ask_for_report(officer):
    await officer.send_private("/baocao")
    await officer.press(officer.private_chat.last_bot_message(), "Báo cáo 6 tháng")
    return officer.private_chat.last_bot_message()


def forwarded(person) -> list:
    return [m for m in person.private_chat.bot_messages() if m.document]


# ---- defect 3: /huy leaves the upload; a stray file is not filed -----------------------------

async def test_huy_leaves_a_report_upload_and_a_later_file_is_not_filed(world, bloc):
    group, secretary, officers = bloc
    officer = officers["Hội Nhà báo"]
    await secretary.send(group, "/lich")
    await secretary.press(group.last_bot_message(), "Đặt/dời: Hội nghị sơ kết")
    await secretary.reply(group.last_bot_message(), "14:00 15/7/2025, Hội trường A")

    prompt = await ask_for_report(officer)
    assert "gửi tệp báo cáo sơ kết 6 tháng" in prompt.text and "/huy" in prompt.text
    await officer.send_private("/huy")
    left = officer.private_chat.last_bot_message().text
    assert left.startswith("Đã thoát việc gửi báo cáo sơ kết 6 tháng của Hội Nhà báo"), left

    before = len(group.bot_messages())
    await officer.send_document(officer.private_chat, "ho_so_ca_nhan.pdf", b"%PDF-1.4 personal")
    answer = officer.private_chat.last_bot_message().text
    assert "Bot không chờ tệp nào" in answer and "gửi /baocao trước" in answer
    assert "Đã nhận" not in answer
    assert count(world, Report) == 0
    assert forwarded(secretary) == []
    assert len(group.bot_messages()) == before  # no «đã gửi báo cáo» notice
    # The morning of the meeting, the unit still owes its report.
    await world.run_reminders(local(15, 7, 7, 30))
    morning = group.last_bot_message().text
    assert "Hội Nhà báo: gửi báo cáo sơ kết 6 tháng" in morning


async def test_huy_says_everything_it_ended_at_once(world, bloc):
    _, _, officers = bloc
    officer = officers["Hội Khuyến học"]
    await officer.send_private("/dangky")
    await officer.press(officer.private_chat.last_bot_message(), "Đăng ký")
    step = officer.private_chat.last_bot_message()
    await ask_for_report(officer)
    await officer.send_private("/huy")
    left = officer.private_chat.last_bot_message().text
    assert "Đã thoát việc đăng ký thi đua của Hội Khuyến học; gửi báo cáo sơ kết 6 tháng của Hội Khuyến học" in left
    assert step.buttons == []  # the ended draft's buttons are gone
    assert count(world, RegistrationDraft) == 0 and count(world, PendingReply) == 0
    await officer.send_private("/huy")
    assert "Không có việc gì đang dở để thoát" in officer.private_chat.last_bot_message().text


# ---- defect 12: every kind of message gets an answer ---------------------------------------

async def test_a_photo_where_a_report_is_awaited_is_told_to_send_a_file(world, bloc):
    _, secretary, officers = bloc
    officer = officers["Hội Chữ thập đỏ"]
    await ask_for_report(officer)
    await officer.send_media(officer.private_chat, "photo", caption="báo cáo 6 tháng")
    answer = officer.private_chat.last_bot_message().text
    assert "Báo cáo phải gửi dạng tệp" in answer and "Tệp" in answer and "/huy" in answer
    assert count(world, Report) == 0 and forwarded(secretary) == []
    for kind in ("sticker", "voice", "location", "video", "contact"):
        await officer.send_media(officer.private_chat, kind)
        answer = officer.private_chat.last_bot_message().text
        assert "Bot đang chờ tệp báo cáo sơ kết 6 tháng của Hội Chữ thập đỏ" in answer, kind
        assert "/huy" in answer, kind
    # Still waiting: the file sent next is the report.
    await officer.send_document(officer.private_chat, "bao_cao_6_thang.pdf", b"%PDF-1.4 report")
    assert "Đã nhận báo cáo sơ kết 6 tháng của <b>Hội Chữ thập đỏ</b>" in officer.private_chat.last_bot_message().html


async def test_other_kinds_of_message_are_answered_in_private_and_not_in_the_group(world, bloc):
    group, secretary, officers = bloc
    officer = officers["Hội Khuyến học"]
    for kind in ("photo", "sticker", "voice", "location", "video", "contact"):
        before = len(officer.private_chat.bot_messages())
        await officer.send_media(officer.private_chat, kind)
        answer = officer.private_chat.bot_messages()[before:]
        assert len(answer) == 1, kind
        assert "Bot không đọc được loại tin nhắn này" in answer[0].text and "/huongdan" in answer[0].text, kind
    # Something waits: it is named, with the way out.
    await officer.send_private("/chamdiem")
    await officer.send_media(officer.private_chat, "sticker")
    answer = officer.private_chat.last_bot_message().text
    assert "Bot đang chờ anh/chị: nhập điểm tự chấm của Hội Khuyến học" in answer and "/huy" in answer
    # Typed, not as a reply to the question: told to reply to it.
    await officer.send_private("48 19 14 9 5")
    assert "trả lời đúng tin nhắn câu hỏi" in officer.private_chat.last_bot_message().text
    # In the group, stickers are people talking.
    group.promote_bot()  # the bot sees everything in the group, stickers included
    before = len(group.bot_messages())
    for kind in ("sticker", "photo", "voice", "location"):
        await secretary.send_media(group, kind)
    assert len(group.bot_messages()) == before


# ---- defect 16: files ------------------------------------------------------------------------

async def test_a_long_file_name_keeps_its_extension(world, bloc):
    _, secretary, officers = bloc
    officer = officers["Hội Nhà báo"]
    await ask_for_report(officer)
    name = "Báo cáo sơ kết công tác thi đua khen thưởng 6 tháng đầu năm " * 4 + "Hội Nhà báo.pdf"
    assert len(name) > 232
    await officer.send_document(officer.private_chat, name, b"%PDF-1.4 long name")
    assert "Đã nhận báo cáo sơ kết 6 tháng" in officer.private_chat.last_bot_message().text
    with world.db.session() as s:
        stored = s.exec(select(Report)).one().filename
    assert len(stored) <= 200 and stored.endswith(".pdf") and stored.startswith("Báo cáo sơ kết")
    assert len(forwarded(secretary)) == 1


async def test_an_empty_file_is_refused_and_the_upload_still_waits(world, bloc):
    _, secretary, officers = bloc
    officer = officers["Hội Nhà báo"]
    await ask_for_report(officer)
    await officer.send_document(officer.private_chat, "bao_cao.pdf", b"")
    answer = officer.private_chat.last_bot_message().text
    assert "trống (0 byte)" in answer and "Đã nhận" not in answer
    assert count(world, Report) == 0 and forwarded(secretary) == []
    # A size Telegram does not tell is not a size of 0: the file is taken.
    await officer.send_document(officer.private_chat, "bao_cao.pdf", b"%PDF-1.4 now with content", size_told=False)
    assert "Đã nhận báo cáo sơ kết 6 tháng" in officer.private_chat.last_bot_message().text
    assert count(world, Report) == 1


async def test_a_text_reply_to_the_upload_prompt_says_a_file_is_awaited_and_keeps_waiting(world, bloc):
    _, _, officers = bloc
    officer = officers["Hội Nhà báo"]
    prompt = await ask_for_report(officer)
    with transactions(world.db.engine) as record:
        await officer.reply(prompt, "Em gửi báo cáo ạ")
    assert len(record.of_the_action) == 1  # the question found and its unit read, the wait kept
    answer = officer.private_chat.last_bot_message().text
    assert "Bot đang chờ tệp báo cáo sơ kết 6 tháng của Hội Nhà báo" in answer and "hết hạn" not in answer
    await officer.send_private("báo cáo đây ạ")  # typed, not as a reply: the same
    assert "Bot đang chờ tệp báo cáo sơ kết 6 tháng" in officer.private_chat.last_bot_message().text
    await officer.send_document(officer.private_chat, "bao_cao.docx", b"PK... report")
    assert "Đã nhận báo cáo sơ kết 6 tháng của" in officer.private_chat.last_bot_message().text


# ---- the guard: every step that waits names /huy, /huy ends it, and it no longer reacts -------

@dataclass
class Step:
    """A step that waits: how a person reaches it, what ended sounds like, and how to see
    that, left, it acts on nothing any more."""

    name: str
    ended: str  # in «Đã thoát việc …»


async def _start(step: str, world, group, secretary, officers):
    """Reach the step; returns (person, chat where they are, the message that waits)."""
    officer = officers["Hội Khuyến học"]
    chat = officer.private_chat
    if step == "registration":
        await officer.send_private("/dangky")
        await officer.press(chat.last_bot_message(), "Đăng ký")
        return officer, chat, chat.last_bot_message()
    if step == "ballot":
        await register(officer, [BK])
        world.clock.set(local(10, 12, 13, 0))
        await secretary.send(group, "/binhxet")
        await secretary.press(group.last_bot_message(), "Chuẩn bị lá phiếu")
        await secretary.press(group.last_bot_message(), "Mở bỏ phiếu")
        await secretary.reply(group.last_bot_message(), "17:00 10/12/2025")
        await officer.send_private("/bophieu")
        return officer, chat, chat.last_bot_message()
    if step == "scores":
        await officer.send_private("/chamdiem")
        return officer, chat, next(m for m in reversed(chat.bot_messages()) if m.force_reply)
    if step == "report":
        return officer, chat, await ask_for_report(officer)
    if step == "schedule":
        await secretary.send(group, "/lich")
        await secretary.press(group.last_bot_message(), "Đặt/dời: Hạn đăng ký thi đua")
    elif step == "roster_rename":
        await secretary.send(group, "/donvi")
        await secretary.press(group.last_bot_message(), "Sửa đơn vị")
        await secretary.press(group.last_bot_message(), "Hội Nhà báo")
        await secretary.press(group.last_bot_message(), "Đổi tên")
    elif step == "bloc_rename":
        await secretary.send(group, "/khoi")
        await secretary.press(group.last_bot_message(), "Đổi tên khối")
    return secretary, group, group.last_bot_message()


async def _poke(step: str, person, chat, waiting, next_data: str | None) -> None:
    """What would have acted on the step, done after /huy (the step's «Tiếp» button, pressed
    as an app that still shows it would)."""
    if step in ("registration", "ballot"):
        await person.press_data(waiting, next_data, inaccessible=True)
    elif step == "scores":
        await person.reply(waiting, "48\n19\n14\n9\n5")
    elif step == "report":
        await person.send_document(chat, "bao_cao.pdf", b"%PDF-1.4 left")
    else:
        await person.reply(waiting, {"schedule": "31/3/2025", "roster_rename": "Hội Nhà báo tỉnh",
                                     "bloc_rename": "Khối mới"}[step])


def _acted(step: str, world) -> bool:
    with world.db.session() as s:
        if step == "registration":
            return s.exec(select(RegistrationDraft)).first() is not None
        if step == "ballot":
            return s.exec(select(BallotDraft)).first() is not None
        if step == "scores":
            return s.exec(select(Score)).first() is not None
        if step == "report":
            return s.exec(select(Report)).first() is not None
        if step == "schedule":
            return s.exec(select(Milestone)).first() is not None
        if step == "roster_rename":
            return "Hội Nhà báo tỉnh" in [u.name for u in s.exec(select(Unit))]
        return s.exec(select(Bloc)).one().name == "Khối mới"


STEPS = [Step("registration", "đăng ký thi đua của Hội Khuyến học"),
         Step("ballot", "bỏ phiếu của Hội Khuyến học (phiếu chưa gửi, không được tính)"),
         Step("scores", "nhập điểm tự chấm của Hội Khuyến học"),
         Step("report", "gửi báo cáo sơ kết 6 tháng của Hội Khuyến học"),
         Step("schedule", "đặt/dời hạn đăng ký thi đua"),
         Step("roster_rename", "đổi tên đơn vị «Hội Nhà báo»"),
         Step("bloc_rename", "đổi tên khối")]


@pytest.mark.parametrize("step", STEPS, ids=lambda s: s.name)
async def test_every_step_that_waits_names_huy_and_huy_ends_it(world, bloc, step):
    group, secretary, officers = bloc
    person, chat, waiting = await _start(step.name, world, group, secretary, officers)
    assert "Gửi /huy để thôi" in waiting.text, waiting.text
    next_data = next((b["callback_data"] for row in waiting.button_rows for b in row if "Tiếp" in b["text"]), None)
    await person.send(chat, "/huy")
    left = chat.last_bot_message().text
    assert left.startswith(f"Đã thoát việc {step.ended}"), left
    assert not _acted(step.name, world)
    assert waiting.buttons == []
    await _poke(step.name, person, chat, waiting, next_data)
    assert not _acted(step.name, world), step.name
    assert count(world, PendingReply) == 0
