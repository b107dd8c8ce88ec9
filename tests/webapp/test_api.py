"""The Mini Apps' API as a page calls it, against the real bot, its web server and a real
database: who is asking is Telegram's signed initData and nothing else; a registration or a
ballot sent from a page is written as the chat writes it, and the chat says so."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from storage.models import BallotCast, Registration, Unit
from tests.samples import HUE_UNITS, register, voting_open
from tests.webapp.miniapp import Page, init_data, opened_hours_ago

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
FLAG = "Cờ thi đua của Ủy ban nhân dân tỉnh"
BK = "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh"
XS = "Tập thể lao động xuất sắc"


def registrations(world) -> list[tuple[str, list[str], bool]]:
    with world.db.session() as session:
        rows = session.exec(select(Registration, Unit).where(Registration.unit_id == Unit.id).order_by(Registration.id))
        return [(unit.name, list(reg.collective), reg.current) for reg, unit in rows]


def codes_of(state: dict, names: list[str]) -> list[str]:
    return [t["code"] for t in state["collective"] if t["name"] in names]


async def test_a_representative_registers_on_the_form_and_the_chat_says_so(world, bloc):
    group, secretary, officers = bloc
    officer = officers["Liên hiệp các Hội Khoa học và Kỹ thuật"]
    page = Page(world, officer)
    status, state = await page.call("registration/state", {"unit_id": None})
    assert status == 200 and state["ok"]
    assert state["heading_text"] == "Đăng ký thi đua năm 2025 — Liên hiệp các Hội Khoa học và Kỹ thuật"
    assert state["registered"] is False and state["open"] is True and state["choose"] == []
    assert "chưa đăng ký thi đua" in state["current_text"]
    individual = state["individual"][0]
    status, answer = await page.call("registration/submit", {
        "unit_id": state["unit_id"], "based_on": state["based_on"], "collective": codes_of(state, [XS]),
        "individual": {individual["code"]: {"count": 2, "names": ["Nguyễn Văn An", "Trần Thị Bình"]}},
        "targets": "Tăng 10% hội viên"})
    assert status == 200 and answer["ok"], answer
    assert "Đã ghi nhận đăng ký của Liên hiệp các Hội Khoa học và Kỹ thuật lúc 09:00 ngày 10/02/2025" in \
        answer["message"]
    assert answer["state"]["registered"] and [t["name"] for t in answer["state"]["collective"] if t["chosen"]] == [XS]
    # The chat: the receipt in the person's private chat, the board in the group.
    receipt = officer.private_chat.last_bot_message().text
    assert "Đã ghi nhận đăng ký thi đua năm 2025 của Liên hiệp các Hội Khoa học và Kỹ thuật" in receipt
    assert "Nguyễn Văn An" in receipt and "Tăng 10% hội viên" in receipt
    assert "Đã đăng ký: 1/12" in group.pinned.text
    # As the chat's overview reads it afterwards: the same registration.
    await officer.send_private("/dangky")
    overview = officer.private_chat.last_bot_message()
    assert "Đăng ký đang có hiệu lực" in overview.text and XS in overview.text
    assert registrations(world) == [("Liên hiệp các Hội Khoa học và Kỹ thuật", ["TTLDXS"], True)]


async def test_the_form_sent_twice_is_counted_once(world, bloc):
    _, _, officers = bloc
    officer = officers["Liên hiệp các Hội Văn học Nghệ thuật"]
    page = Page(world, officer)
    _, state = await page.call("registration/state", {})
    form = {"unit_id": state["unit_id"], "based_on": state["based_on"], "collective": codes_of(state, [XS]),
            "individual": {}, "targets": ""}
    first = await page.call("registration/submit", form)
    second = await page.call("registration/submit", form)  # the same request again (a double press, a resend)
    assert first[0] == second[0] == 200
    assert "không có gì thay đổi" in second[1]["message"]
    assert [r for r in registrations(world) if r[0] == "Liên hiệp các Hội Văn học Nghệ thuật"] == [
        ("Liên hiệp các Hội Văn học Nghệ thuật", ["TTLDXS"], True)]
    receipts = [m for m in officer.private_chat.bot_messages() if "Đã ghi nhận đăng ký thi đua" in m.text]
    assert len(receipts) == 1


@pytest.mark.refusals_expected
async def test_a_form_opened_on_an_older_registration_is_refused_and_shows_the_new_one(world, bloc):
    _, _, officers = bloc
    officer = officers["Liên hiệp các Tổ chức hữu nghị"]
    page = Page(world, officer)
    _, state = await page.call("registration/state", {})
    await register(officer, [XS])  # meanwhile, in the chat
    status, answer = await page.call("registration/submit", {
        "unit_id": state["unit_id"], "based_on": state["based_on"], "collective": [], "individual": {
            state["individual"][0]["code"]: {"count": 1, "names": []}}, "targets": ""})
    assert status == 409 and not answer["ok"]
    assert "vừa được thay đổi" in answer["message"]
    assert answer["state"]["registered"] and [t["name"] for t in answer["state"]["collective"] if t["chosen"]] == [XS]


async def test_past_the_deadline_the_form_is_refused_on_submit(world, bloc):
    group, secretary, officers = bloc
    officer = officers["Liên hiệp các Hội Khoa học và Kỹ thuật"]
    await secretary.send(group, "/lich")
    await secretary.press(group.last_bot_message(), "Đặt/dời: Hạn đăng ký thi đua")
    await secretary.reply(group.last_bot_message(), "9h30 ngày 10/2/2025")
    page = Page(world, officer)
    _, state = await page.call("registration/state", {})
    assert state["open"] and state["window_text"].startswith("Hạn đăng ký: 09:30 ngày 10/02/2025")
    world.clock.advance(timedelta(minutes=40))  # the form stays open on the phone past the deadline
    status, answer = await page.call("registration/submit", {
        "unit_id": state["unit_id"], "based_on": 0, "collective": codes_of(state, [XS]), "individual": {},
        "targets": ""})
    assert status == 409 and answer["message"].startswith("Đã hết hạn đăng ký (09:30 ngày 10/02/2025)")
    assert registrations(world) == []
    _, state = await page.call("registration/state", {})
    assert state["open"] is False and "không sửa được nữa" in state["window_text"]


async def test_who_is_asking_is_the_signed_initdata_and_nothing_else(world, bloc):
    _, _, officers = bloc
    officer, other = officers["Liên hiệp các Hội Khoa học và Kỹ thuật"], officers["Liên hiệp các Tổ chức hữu nghị"]
    stranger = world.standin.add_user("Người lạ")
    _, mine = await Page(world, officer).call("registration/state", {})
    form = {"unit_id": mine["unit_id"], "based_on": 0, "collective": codes_of(mine, [XS]), "individual": {},
            "targets": ""}
    good = init_data(officer, at=world.clock.now())
    # Forged: the user swapped for another's id, the signature kept.
    forged = good.replace(f"%22id%22%3A{officer.id}", f"%22id%22%3A{other.id}")
    assert forged != good
    cases = {
        "none": (Page(world, officer, raw=""), 401, "chỉ mở được từ nút trong Telegram"),
        "forged": (Page(world, officer, raw=forged), 401, "không hợp lệ"),
        "another bot's token": (Page(world, officer, raw=init_data(officer, at=world.clock.now(), token="1:other")),
                                401, "không hợp lệ"),
        "expired": (Page(world, officer, opened=opened_hours_ago(world, 25)), 401, "Trang đã mở quá lâu (hơn 24 giờ)"),
        "another unit's person": (Page(world, other), 403, "không (hoặc không còn) là người đại diện"),
        "a stranger": (Page(world, stranger), 403, "chưa là người đại diện"),
    }
    for name, (page, status, words) in cases.items():
        got_status, answer = await page.call("registration/submit", form)
        assert (got_status, answer["ok"]) == (status, False), name
        assert words in answer["message"], (name, answer["message"])
        assert "refusal" in answer and answer["refusal"] not in answer["message"]
    assert registrations(world) == []


async def test_forged_forms_are_refused_with_a_sentence(world, bloc):
    _, _, officers = bloc
    officer = officers["Liên hiệp các Hội Khoa học và Kỹ thuật"]
    page = Page(world, officer)
    _, state = await page.call("registration/state", {})
    base = {"unit_id": state["unit_id"], "based_on": 0, "individual": {}, "targets": ""}
    code = state["individual"][0]["code"]
    cases = [
        ({**base, "collective": ["NOT_A_TITLE"]}, "không có trong danh mục"),
        ({**base, "collective": [], "individual": {code: {"count": "2", "names": []}}}, "số nguyên"),
        ({**base, "collective": [], "individual": {code: {"count": 1, "names": ["A", "B"]}}}, "nhiều hơn số người"),
        ({**base, "collective": [], "individual": {code: {"count": 10 ** 6, "names": []}}}, "tối đa 500"),
        ({**base, "collective": []}, "Chưa chọn danh hiệu nào"),
        ({**base, "collective": codes_of(state, [XS]), "targets": "x" * 3001}, "quá mức 3000 ký tự"),
        ({**base, "unit_id": 2 ** 40, "collective": codes_of(state, [XS])}, "không (hoặc không còn)"),
    ]
    for form, words in cases:
        status, answer = await page.call("registration/submit", form)
        assert status in (403, 422) and words in answer["message"], (form, answer)
        assert "<" not in answer["message"]
    status, answer = await page.call("registration/submit", body=b"{not json")
    assert status == 400 and "Yêu cầu không đọc được" in answer["message"]
    assert registrations(world) == []


async def test_withdraw_from_the_form(world, bloc):
    group, _, officers = bloc
    officer = officers["Liên hiệp các Hội Khoa học và Kỹ thuật"]
    await register(officer, [XS])
    page = Page(world, officer)
    _, state = await page.call("registration/state", {})
    status, answer = await page.call("registration/withdraw", {"unit_id": state["unit_id"],
                                                              "based_on": state["based_on"]})
    assert status == 200 and "Đã rút đăng ký" in answer["message"]
    assert answer["state"]["registered"] is False
    assert "Đã rút đăng ký" in officer.private_chat.last_bot_message().text
    assert "Đã đăng ký: 0/12" in group.pinned.text


async def test_a_person_of_two_units_chooses_which(world, bloc):
    group, secretary, officers = bloc
    officer = officers["Liên hiệp các Hội Khoa học và Kỹ thuật"]
    from tests.samples import invite_and_enrol
    await invite_and_enrol(secretary, group, "Hội Nhà báo", officer)
    page = Page(world, officer)
    status, state = await page.call("registration/state", {"unit_id": None})
    assert status == 200 and state["unit_id"] is None
    labels = {c["label"]: c["unit_id"] for c in state["choose"]}
    assert set(labels) == {"Liên hiệp các Hội Khoa học và Kỹ thuật — Khối thi đua các Tổ chức xã hội (2025)",
                           "Hội Nhà báo — Khối thi đua các Tổ chức xã hội (2025)"}
    _, state = await page.call("registration/state", {
        "unit_id": labels["Hội Nhà báo — Khối thi đua các Tổ chức xã hội (2025)"]})
    assert state["unit_name"] == "Hội Nhà báo"


async def test_the_chat_offers_the_form_beside_the_conversation(world, bloc):
    group, secretary, officers = bloc
    officer = officers["Liên hiệp các Tổ chức hữu nghị"]
    await officer.send_private("/dangky")
    buttons = officer.private_chat.last_bot_message().button_rows
    opener = [b for row in buttons for b in row if "web_app" in b]
    assert [b["text"] for b in opener] == ["📝 Mở biểu mẫu đăng ký"]
    assert opener[0]["web_app"]["url"] == "https://khoibot.example.vn/app/dangky"
    # In the group, where Telegram allows no Mini App button: a link to the Direct Link Mini App.
    await secretary.send(group, "/dangky")
    links = [b for row in group.last_bot_message().button_rows for b in row if "url" in b]
    assert any(b["url"] == "https://t.me/khoibot_test_bot?startapp=dk" for b in links), links
    await secretary.send(group, "/tinhhinh")
    links = [b for row in group.last_bot_message().button_rows for b in row if "url" in b]
    assert [b["text"] for b in links] == ["📊 Mở trang tình hình"] and "startapp=tt-" in links[0]["url"]


async def test_the_status_page_for_the_groups_members_only(world, bloc):
    group, secretary, officers = bloc
    await register(officers["Liên hiệp các Hội Khoa học và Kỹ thuật"], [XS])
    await secretary.send(group, "/tinhhinh")
    link = [b for row in group.last_bot_message().button_rows for b in row if "url" in b][0]["url"]
    param = link.split("startapp=")[1]
    member = world.standin.add_user("Thành viên nhóm")
    group.add_member(member)
    outsider = world.standin.add_user("Người ngoài")
    status, page = await Page(world, member, start_param=param).call("status/state", {})
    assert status == 200 and page["heading_text"] == "Tình hình thi đua năm 2025 — Khối thi đua các Tổ chức xã hội"
    assert "Liên hiệp các Hội Khoa học và Kỹ thuật" in page["board_html"]
    status, page = await Page(world, outsider, start_param=param).call("status/state", {})
    assert status == 403 and "chỉ dành cho thành viên nhóm" in page["message"]


# ---- the ballot -------------------------------------------------------------------------------

UNITS = HUE_UNITS[:5]


async def test_the_ballot_on_the_form_within_the_quota_once(world):
    group, secretary, officers = await voting_open(world, UNITS, flag={UNITS[0], UNITS[1]}, deadline="không",
                                                   flag_title=FLAG, bk_title=BK)
    officer = officers[UNITS[2]]
    page = Page(world, officer)
    status, sheet = await page.call("ballot/state", {})
    assert status == 200 and sheet["can_vote"], sheet
    lines = {line["name"]: line for line in sheet["lines"]}
    flag = lines[FLAG]
    assert [c["name"] for c in flag["candidates"]] == UNITS[:2]
    assert flag["quota"] == 1  # 30 % of 5 units
    over = {flag["code"]: [c["id"] for c in flag["candidates"]]}  # both candidates, past the quota, by hand
    status, answer = await page.call("ballot/submit", {"unit_id": sheet["unit_id"], "choices": over})
    assert status == 422 and "nhiều hơn chỉ tiêu" in answer["message"]
    forged = {flag["code"]: [sheet["unit_id"] + 1000]}
    status, answer = await page.call("ballot/submit", {"unit_id": sheet["unit_id"], "choices": forged})
    assert status == 422 and "không phải ứng viên" in answer["message"]
    choice = {flag["code"]: [flag["candidates"][0]["id"]]}
    status, answer = await page.call("ballot/submit", {"unit_id": sheet["unit_id"], "choices": choice})
    assert status == 200 and "Đã nhận phiếu của" in answer["message"]
    assert "Đã nhận phiếu của" in officer.private_chat.last_bot_message().text
    status, again = await page.call("ballot/submit", {"unit_id": sheet["unit_id"], "choices": choice})
    assert status == 409 and "không bỏ phiếu lại được" in again["message"]
    _, sheet = await page.call("ballot/state", {})
    # Afterwards the page shows only that the unit voted: no line, no candidate, no choice.
    assert sheet["can_vote"] is False and sheet["lines"] == [] and "Đã nhận phiếu của" in sheet["message"]
    with world.db.session() as session:
        assert len(session.exec(select(BallotCast)).all()) == 1
    # The chat knows the unit voted: /bophieu says so.
    await officer.send_private("/bophieu")
    assert "đã bỏ phiếu" in officer.private_chat.last_bot_message().text


async def test_the_ballots_opener_in_the_chat(world):
    group, secretary, officers = await voting_open(world, UNITS, flag={UNITS[0]}, deadline="không",
                                                   flag_title=FLAG, bk_title=BK)
    officer = officers[UNITS[1]]
    await officer.send_private("/bophieu")
    openers = [b for row in officer.private_chat.last_bot_message().button_rows for b in row if "web_app" in b]
    assert [b["web_app"]["url"] for b in openers] == ["https://khoibot.example.vn/app/bophieu"]


async def test_a_reminder_to_register_offers_the_form(world, bloc):
    group, secretary, officers = bloc
    await secretary.send(group, "/lich")
    await secretary.press(group.last_bot_message(), "Đặt/dời: Hạn đăng ký thi đua")
    await secretary.reply(group.last_bot_message(), "17h ngày 20/2/2025")
    await world.run_reminders(datetime(2025, 2, 13, 8, 0, tzinfo=TZ))
    officer = officers["Liên hiệp các Hội Khoa học và Kỹ thuật"]
    reminder = officer.private_chat.last_bot_message()
    assert "20/02/2025" in reminder.text
    openers = [b for row in reminder.button_rows for b in row if "web_app" in b]
    assert [(b["text"], b["web_app"]["url"]) for b in openers] == [
        ("📝 Mở biểu mẫu đăng ký", "https://khoibot.example.vn/app/dangky")]
