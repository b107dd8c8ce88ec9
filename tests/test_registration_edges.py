"""Registration under bad input, the wrong people, stale buttons, restarts and time-outs:
each gets a clear Vietnamese answer and no stored registration changes unless its
representative confirmed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from handlers.waits import sweep_idle_drafts
from storage.models import Registration, RegistrationDraft
from tests.samples import INDIVIDUAL_TITLES, enrol, register, set_up_bloc

XS = "Tập thể lao động xuất sắc"
BK = "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh"


def stored(world) -> list[tuple[int, list, bool]]:
    with world.db.session() as s:
        return [(r.unit_id, r.collective, r.current) for r in s.exec(select(Registration).order_by(Registration.id))]


async def start(officer):
    await officer.send_private("/dangky")
    await officer.press(officer.private_chat.last_bot_message(), "Đăng ký")
    return officer.private_chat.last_bot_message()


@pytest.fixture
async def bloc(world):
    group, secretary = await set_up_bloc(world)
    officers = await enrol(world, group, secretary, ["Hội Khuyến học", "Hội Nhà báo"])
    return group, secretary, officers


async def test_typed_text_where_a_button_is_expected(world, bloc):
    _, _, officers = bloc
    officer = officers["Hội Khuyến học"]
    step = await start(officer)
    await officer.press(step, XS)
    await officer.send_private("Cờ thi đua của UBND tỉnh")
    chat = officer.private_chat
    assert "mời anh/chị bấm một nút" in chat.bot_messages()[-2].text
    again = chat.last_bot_message()
    assert "bước 1" in again.text and "Đã chọn: Tập thể lao động xuất sắc" in again.text
    # The earlier message's buttons are no longer live.
    assert await officer.press(step, "Tiếp") == (
        "Nút này thuộc một bước đã qua hoặc một lần đăng ký đã kết thúc. Gửi /dangky để tiếp tục.")
    assert stored(world) == []


@pytest.mark.parametrize(("typed", "answer"), [
    ("-3", "Số người không thể âm"),
    ("99999999999999", "Số người quá lớn: tối đa 500"),
    ("501", "Số người quá lớn: tối đa 500"),
    ("hai người", "gửi số người bằng chữ số"),
    ("1: Nguyễn Văn An, Trần Thị Bình", "Số họ tên nhiều hơn số người"),
])
async def test_bad_numbers_of_people(world, bloc, typed, answer):
    _, _, officers = bloc
    officer = officers["Hội Khuyến học"]
    step = await start(officer)
    await officer.press(step, XS)
    await officer.press(step, "Tiếp")
    await officer.send_private(typed)
    assert answer in officer.private_chat.last_bot_message().text
    await officer.send_private("2")  # still on the same question
    assert INDIVIDUAL_TITLES[1] in officer.private_chat.last_bot_message().text
    with world.db.session() as s:
        draft = s.exec(select(RegistrationDraft)).one()
    assert draft.data["individuals"][ "CSTD_TINH"] == {"count": 2, "names": []}
    assert stored(world) == []


async def test_a_10000_character_commitment_is_refused(world, bloc):
    _, _, officers = bloc
    officer = officers["Hội Nhà báo"]
    step = await start(officer)
    await officer.press(step, BK)
    await officer.press(step, "Tiếp")
    for _ in INDIVIDUAL_TITLES:
        await officer.press(officer.private_chat.last_bot_message(), "0 — không đăng ký")
    await officer.send_private("Chỉ tiêu " + "x" * 9990)
    assert "quá mức 3000 ký tự" in officer.private_chat.last_bot_message().text
    await officer.send_private("Tăng 10% số bài viết")
    review = officer.private_chat.last_bot_message()
    assert "Tăng 10% số bài viết" in review.text
    await officer.press(review, "Xác nhận")
    with world.db.session() as s:
        assert s.exec(select(Registration)).one().targets == "Tăng 10% số bài viết"


async def test_stale_buttons_after_the_end_and_after_the_deadline(world, bloc):
    group, secretary, officers = bloc
    officer = officers["Hội Khuyến học"]
    review = await _prepare(officer, [XS])
    confirm_data = review.button_rows[0][0]["callback_data"]
    await officer.press(review, "Xác nhận")
    assert await officer.press_data(review, confirm_data) == (
        "Nút này thuộc một bước đã qua hoặc một lần đăng ký đã kết thúc. Gửi /dangky để tiếp tục.")
    # The deadline is 09:30 today; a change is filled in at 09:00 and confirmed at 09:40.
    await secretary.send(group, "/lich")
    await secretary.press(group.last_bot_message(), "Đặt/dời: Hạn đăng ký thi đua")
    await secretary.reply(group.last_bot_message(), "9h30 ngày 10/2/2025")
    review = await _prepare(officer, [BK])
    world.clock.advance(timedelta(minutes=40))
    await officer.press(review, "Xác nhận")
    assert "Đã hết hạn đăng ký (09:30 ngày 10/02/2025)" in review.text
    assert [c for _, c, current in stored(world) if current] == [["TTLDXS"]]


async def test_buttons_of_another_units_conversation_are_refused(world, bloc):
    _, _, officers = bloc
    journalist, teacher = officers["Hội Nhà báo"], officers["Hội Khuyến học"]
    await start(journalist)
    with world.db.session() as s:
        draft = s.exec(select(RegistrationDraft)).one()
    step = await start(teacher)
    for data in (f"rd:{draft.id}:ok", f"rd:{draft.id}:t:TTLDXS", f"rd:{draft.id}:cancel"):
        assert "Nút này thuộc một bước đã qua" in await teacher.press_data(step, data)
    # The journalist forges a unit button naming the teacher's unit.
    with world.db.session() as s:
        teacher_draft = s.exec(select(RegistrationDraft).where(RegistrationDraft.user_id == teacher.id)).one()
    for data in (f"rg:edit:{teacher_draft.unit_id}", f"rg:wdok:{teacher_draft.unit_id}:1",
                 f"rg:unit:{teacher_draft.unit_id}"):
        answer = await journalist.press_data(journalist.private_chat.last_bot_message(), data)
        assert "không (còn) là người đại diện của đơn vị này" in answer
    assert stored(world) == []


async def test_two_representatives_of_one_unit_confirm_at_the_same_moment(world, bloc):
    group, secretary, officers = bloc
    first = officers["Hội Khuyến học"]
    second = (await enrol(world, group, secretary, ["Hội Khuyến học"]))["Hội Khuyến học"]
    review_first = await _prepare(first, [XS])
    review_second = await _prepare(second, [BK])
    await first.press(review_first, "Xác nhận")
    await second.press(review_second, "Xác nhận")
    assert "Đã ghi nhận đăng ký" in review_first.text and "Đã ghi nhận đăng ký" in review_second.text
    told = first.private_chat.last_bot_message().text
    assert f"{second.first_name} vừa xác nhận đăng ký thi đua của Hội Khuyến học" in told
    assert BK in told
    current = [c for _, c, is_current in stored(world) if is_current]
    assert current == [["BK_UBND"]]  # the last confirmed wins


async def _prepare(officer, titles):
    """Fill a registration in up to its review, without confirming."""
    await officer.send_private("/dangky")
    overview = officer.private_chat.last_bot_message()
    await officer.press(overview, "Sửa đăng ký" if "Sửa" in str(overview.buttons) else "Đăng ký")
    step = officer.private_chat.last_bot_message()
    for title in titles:
        await officer.press(step, title)
    await officer.press(step, "Tiếp")
    for _ in INDIVIDUAL_TITLES:
        await officer.press(officer.private_chat.last_bot_message(), "0 — không đăng ký")
    await officer.press(officer.private_chat.last_bot_message(), "»")
    return officer.private_chat.last_bot_message()


async def test_people_who_are_not_representatives_and_the_group_command(world, bloc):
    group, secretary, _ = bloc
    stranger = world.standin.add_user("Đinh Văn Nam")
    await stranger.send_private("/dangky")
    assert "chưa là người đại diện của đơn vị nào" in stranger.private_chat.last_bot_message().text
    await secretary.send(group, "/dangky")
    answer = group.last_bot_message()
    assert "dùng trong trò chuyện riêng với bot" in answer.text
    url = answer.button_rows[0][0]["url"]
    assert url == "https://t.me/khoibot_test_bot?start=dangky"
    await stranger.open_link(url)
    assert "chưa là người đại diện" in stranger.private_chat.last_bot_message().text


async def test_a_restart_mid_registration_loses_nothing(world, bloc):
    _, _, officers = bloc
    officer = officers["Hội Khuyến học"]
    await register(officer, [XS])
    await officer.send_private("/dangky")
    await officer.press(officer.private_chat.last_bot_message(), "Sửa đăng ký")
    step = officer.private_chat.last_bot_message()
    await officer.press(step, BK)
    await world.restart_bot()
    await officer.press(step, "Tiếp")  # the same message goes on working
    await officer.send_private("1: Nguyễn Văn An")
    await world.restart_bot()
    for _ in INDIVIDUAL_TITLES[1:]:
        await officer.press(officer.private_chat.last_bot_message(), "0 — không đăng ký")
    await officer.press(officer.private_chat.last_bot_message(), "»")
    review = officer.private_chat.last_bot_message()
    assert BK in review.text and "Chiến sĩ thi đua cấp tỉnh: 1 (Nguyễn Văn An)" in review.text
    await officer.press(review, "Xác nhận")
    current = [c for _, c, is_current in stored(world) if is_current]
    assert current == [["BK_UBND", "TTLDXS"]] or current == [["TTLDXS", "BK_UBND"]]


async def test_an_idle_registration_times_out_with_a_message(world, bloc):
    _, _, officers = bloc
    officer = officers["Hội Khuyến học"]
    step = await start(officer)
    await officer.press(step, XS)
    world.clock.advance(timedelta(minutes=59))
    assert await sweep_idle_drafts(world.app) == 0
    world.clock.advance(timedelta(minutes=2))
    assert await sweep_idle_drafts(world.app) == 1
    await world.standin.settle()
    assert "đã kết thúc vì 60 phút không có thao tác" in officer.private_chat.last_bot_message().text
    assert step.buttons == []
    assert stored(world) == []
    await officer.send_private("5")
    assert "Bot chưa hỏi gì cần trả lời" in officer.private_chat.last_bot_message().text


async def test_huy_leaves_the_registration(world, bloc):
    _, _, officers = bloc
    officer = officers["Hội Khuyến học"]
    step = await start(officer)
    await officer.press(step, XS)
    await officer.send_private("/huy")
    assert "Đã thoát" in officer.private_chat.last_bot_message().text
    assert step.buttons == []
    assert stored(world) == []


async def test_without_the_pin_right_the_board_says_so_once(world, bloc):
    group, _, officers = bloc
    await register(officers["Hội Khuyến học"], [XS])
    await register(officers["Hội Nhà báo"], [BK])
    notices = [m for m in group.bot_messages() if "chưa có quyền ghim" in m.text]
    assert len(notices) == 1
    boards = [m for m in group.bot_messages() if m.text.startswith("📌")]
    assert len(boards) == 1 and group.pinned is None
    assert "Đã đăng ký: 2/12" in boards[0].text
    secretary_notices = [m.text for m in group.bot_messages() if "đã đăng ký thi đua" in m.text]
    assert any("Hội Khuyến học đã đăng ký thi đua" in t and XS in t for t in secretary_notices)


async def test_the_catalogue_is_shown_in_the_group(world, bloc):
    group, secretary, _ = bloc
    await secretary.send(group, "/khoi")
    await secretary.press(group.last_bot_message(), "Danh mục danh hiệu")
    text = group.last_bot_message().text
    assert "Cờ thi đua của Ủy ban nhân dân tỉnh — khối bình xét, bỏ phiếu; chỉ tiêu 1" in text
    assert "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh — khối bình xét, bỏ phiếu; chỉ tiêu 4" in text
    assert "• Lao động tiên tiến" in text


async def test_covenant_once_and_shown(world, bloc):
    group, secretary, officers = bloc
    officer = officers["Hội Nhà báo"]
    for expected in ("Đã ghi nhận: thủ trưởng Hội Nhà báo đã ký giao ước", "đã xác nhận ký giao ước năm 2025"):
        await officer.send_private("/giaouoc")
        await officer.press(officer.private_chat.last_bot_message(), "Thủ trưởng đã ký giao ước")
        assert expected in officer.private_chat.last_bot_message().text
    await secretary.send(group, "/tinhhinh")
    assert "Hội Nhà báo: chưa đăng ký · đã ký giao ước" in group.last_bot_message().text


def long_names(count: int) -> list[str]:
    return [f"Hội nghề nghiệp chuyên ngành số {n} " + "và các tổ chức thành viên trực thuộc " * 4 for n in range(count)]


async def test_a_long_status_is_split_at_lines_and_past_a_few_messages_sent_as_a_file(world):
    group, secretary = await set_up_bloc(world, units=long_names(20))
    before = len(group.bot_messages())
    await secretary.send(group, "/tinhhinh")
    parts = group.bot_messages()[before:]
    assert 2 <= len(parts) <= 4
    assert all(len(p.text) <= 4096 for p in parts)  # each accepted by the strict stand-in as valid HTML
    joined = "\n".join(p.text for p in parts)
    assert all(name.strip() in joined for name in long_names(20))
    assert parts[-1].buttons  # the keyboard rides on the last part

    await secretary.send(group, "/donvi\n" + "\n".join(long_names(60)[20:]))
    before = len(group.bot_messages())
    await secretary.send(group, "/tinhhinh")
    answer = group.bot_messages()[before:]
    assert "bot gửi bảng tính đính kèm" in answer[0].text
    assert answer[-1].document[0] == "dang_ky_thi_dua_2025.xlsx"


async def test_a_person_representing_two_units_chooses_one(world, bloc):
    group, secretary, officers = bloc
    officer = officers["Hội Khuyến học"]
    await secretary.send(group, "/moi Hội Đông y")
    await officer.open_link(secretary.private_chat.last_bot_message().text.split("\n")[-2].strip())
    await officer.press(officer.private_chat.last_bot_message(), "Xác nhận")
    await officer.send_private("/dangky")
    choice = officer.private_chat.last_bot_message()
    assert "đại diện cho nhiều đơn vị" in choice.text
    assert len(choice.buttons) == 2
    await officer.press(choice, "Hội Đông y")
    assert "Đăng ký thi đua năm 2025 — Hội Đông y" in choice.text
    await officer.press(choice, "Đăng ký")
    await officer.press(choice, "Tập thể lao động tiên tiến")
    await officer.press(choice, "Tiếp")
    for _ in INDIVIDUAL_TITLES:
        await officer.press(officer.private_chat.last_bot_message(), "0 — không đăng ký")
    await officer.press(officer.private_chat.last_bot_message(), "»")
    await officer.press(officer.private_chat.last_bot_message(), "Xác nhận")
    with world.db.session() as s:
        from storage.models import Unit

        saved = s.exec(select(Registration)).one()
        assert s.get(Unit, saved.unit_id).name == "Hội Đông y"
