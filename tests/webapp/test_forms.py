"""The Mini Apps in a real browser (Debian's Chromium through Playwright) against the real
bot, its web server and a real database: a representative opens the page from the bot's
button as Telegram opens it (launch data in the URL's hash, signed with the bot's token),
fills it in, confirms; the test reads the chat and the database afterwards. The screenshots
in docs/screens/ (the README shows them) are taken here."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from storage.models import BallotCast, Registration
from tests.samples import HUE_UNITS, INDIVIDUAL_TITLES, register, voting_open
from tests.webapp.browser import DARK, DESKTOP, LIGHT, PHONE, launch_url, screenshot
from tests.webapp.miniapp import PUBLIC_URL, base_url, init_data

XS = "Tập thể lao động xuất sắc"
FLAG = "Cờ thi đua của Ủy ban nhân dân tỉnh"
BK = "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh"
CSTD = INDIVIDUAL_TITLES[0]


def opener_url(world, message, text: str) -> str:
    """The page a web_app button opens, reached here as the HTTPS proxy would forward it."""
    button = next(b for row in message.button_rows for b in row if b.get("text") == text and "web_app" in b)
    return button["web_app"]["url"].replace(PUBLIC_URL, base_url(world))


def first_run(request) -> bool:
    """Screenshots once per run: on the SQLite run of a test (they look the same on PostgreSQL)."""
    return "sqlite" in request.node.callspec.id


async def open_page(page, world, user, url: str, *, theme=LIGHT, raw: str | None = None, start_param=None):
    data = raw if raw is not None else init_data(user, at=world.clock.now(), start_param=start_param)
    await page.goto("about:blank")  # a new launch, not a change of the hash of the page already open
    await page.goto(launch_url(url, data, theme, start_param=start_param))


async def the_other_screens(page, world, user, url: str, name: str) -> None:
    """The page's screenshots besides the phone in daylight (taken mid-test): phone at night,
    desktop by day and at night."""
    for theme, scheme in ((DARK, "dark"), (LIGHT, "light")):
        for viewport, size in ((PHONE, "phone"), (DESKTOP, "desktop")):
            if (scheme, size) == ("light", "phone"):
                continue
            await page.set_viewport_size(viewport)
            await open_page(page, world, user, url, theme=theme)
            await page.locator("#form").wait_for()
            await screenshot(page, f"{name}-{size}-{scheme}")


async def test_a_representative_registers_on_the_page(world, bloc, page, browser, request):
    group, secretary, officers = bloc
    officer = officers["Liên hiệp các Hội Khoa học và Kỹ thuật"]
    await officer.send_private("/dangky")
    url = opener_url(world, officer.private_chat.last_bot_message(), "📝 Mở biểu mẫu đăng ký")
    await open_page(page, world, officer, url)
    form = page.locator("#form")
    await form.wait_for()
    await page.get_by_label(XS).check()
    person = page.locator("fieldset", has_text=CSTD)
    await person.get_by_label("Số người").fill("2")
    await person.get_by_label("Họ tên (mỗi dòng một người)").fill("Nguyễn Văn An\nTrần Thị Bình")
    await page.locator("#targets").fill("Tăng 10% hội viên")
    if first_run(request):
        await screenshot(page, "dangky-phone-light")
    await page.locator("#submit").click()
    review = page.locator("#review")
    await review.wait_for()
    assert XS in await review.inner_text() and "Nguyễn Văn An" in await review.inner_text()
    await page.locator("#confirm").dblclick()  # a double press: sent once
    await page.locator("#status").filter(has_text="Đã ghi nhận").wait_for()
    await world.standin.settle()
    receipt = officer.private_chat.last_bot_message().text
    assert "Đã ghi nhận đăng ký thi đua năm 2025 của Liên hiệp các Hội Khoa học và Kỹ thuật" in receipt
    assert "Trần Thị Bình" in receipt and "Tăng 10% hội viên" in receipt
    assert "Đã đăng ký: 1/12" in group.pinned.text
    with world.db.session() as session:
        rows = session.exec(select(Registration)).all()
    assert [(r.collective, [(c, p.count, list(p.names)) for c, p in r.individuals], r.targets) for r in rows] == [
        (["TTLDXS"], [("CSTD_TINH", 2, ["Nguyễn Văn An", "Trần Thị Bình"])], "Tăng 10% hội viên")]
    # The page now shows the registration that counts, still editable before the deadline.
    assert await page.get_by_label(XS).is_checked()
    assert "Đăng ký đang có hiệu lực" in await page.locator("#current").inner_text()
    if first_run(request):
        await the_other_screens(page, world, officer, url, "dangky")


async def test_a_page_left_open_past_the_deadline_is_refused_on_submit(world, bloc, page):
    group, secretary, officers = bloc
    officer = officers["Liên hiệp các Hội Văn học Nghệ thuật"]
    await secretary.send(group, "/lich")
    await secretary.press(group.last_bot_message(), "Đặt/dời: Hạn đăng ký thi đua")
    await secretary.reply(group.last_bot_message(), "9h30 ngày 10/2/2025")
    await open_page(page, world, officer, f"{base_url(world)}/dangky")
    await page.locator("#form").wait_for()
    await page.get_by_label(XS).check()
    await page.locator("#submit").click()
    world.clock.advance(timedelta(minutes=40))  # the phone lies on the desk past 09:30
    await page.locator("#confirm").click()
    error = page.locator("#error")
    await error.filter(has_text="Đã hết hạn đăng ký").wait_for()
    assert "09:30 ngày 10/02/2025" in await error.inner_text()
    with world.db.session() as session:
        assert session.exec(select(Registration)).all() == []


async def test_forged_expired_and_other_peoples_launch_data_are_refused(world, bloc, page):
    _, _, officers = bloc
    officer, other = officers["Liên hiệp các Hội Khoa học và Kỹ thuật"], officers["Liên hiệp các Tổ chức hữu nghị"]
    good = init_data(officer, at=world.clock.now())
    forged = good.replace(f"%22id%22%3A{officer.id}", f"%22id%22%3A{other.id}")
    cases = [
        (forged, "không hợp lệ"),
        (init_data(officer, at=world.clock.now() - timedelta(hours=30)), "Trang đã mở quá lâu"),
        (init_data(officer, at=world.clock.now(), token="42:not-this-bot"), "không hợp lệ"),
    ]
    for raw, words in cases:
        await open_page(page, world, officer, f"{base_url(world)}/dangky", raw=raw)
        await page.locator("#error").filter(has_text=words).wait_for()
        assert not await page.locator("#form").is_visible()
    # Another person's valid launch data shows that person's own unit, never this one's.
    await open_page(page, world, other, f"{base_url(world)}/dangky")
    await page.locator("#form").wait_for()
    assert "Liên hiệp các Tổ chức hữu nghị" in await page.locator("h1, #heading").first.inner_text()


async def test_the_ballot_on_one_page(world, page, browser, request):
    units = HUE_UNITS[:5]
    group, secretary, officers = await voting_open(world, units, flag={units[0], units[1]}, deadline="không",
                                                   flag_title=FLAG, bk_title=BK)
    officer = officers[units[2]]
    await officer.send_private("/bophieu")
    url = opener_url(world, officer.private_chat.last_bot_message(), "🗳 Mở phiếu bầu")
    await open_page(page, world, officer, url)
    await page.locator("#form").wait_for()
    flag = page.locator("fieldset", has_text=FLAG).first
    first, second = flag.get_by_label(units[0]), flag.get_by_label(units[1])
    await first.check()
    # The quota (1 of 2 candidates) is kept as one ticks: the other box is now disabled.
    assert await second.is_disabled()
    if first_run(request):
        await screenshot(page, "bophieu-phone-light")
    await page.locator("#submit").click()
    review = page.locator("#review")
    await review.wait_for()
    assert units[0] in await review.inner_text()
    await page.locator("#confirm").click()
    done = page.locator("#done")
    await done.filter(has_text="Đã nhận phiếu").wait_for()
    assert not await page.locator("#form").is_visible()
    await world.standin.settle()
    assert "Đã nhận phiếu của" in officer.private_chat.last_bot_message().text
    # Opened again: only that the unit has voted, nothing of what it chose.
    await page.reload()
    await done.filter(has_text="Đã nhận phiếu").wait_for()
    assert units[0] not in await page.locator("body").inner_text()
    with world.db.session() as session:
        assert len(session.exec(select(BallotCast)).all()) == 1
    if first_run(request):  # another unit's ballot, still to fill in
        await the_other_screens(page, world, officers[units[3]], f"{base_url(world)}/bophieu", "bophieu")


async def test_the_status_page_from_the_groups_link(world, bloc, page, request):
    group, secretary, officers = bloc
    await register(officers["Liên hiệp các Hội Khoa học và Kỹ thuật"], [XS])
    await register(officers["Liên hiệp các Tổ chức hữu nghị"], [XS, BK])
    await secretary.send(group, "/tinhhinh")
    link = next(b["url"] for row in group.last_bot_message().button_rows for b in row if "url" in b)
    param = link.split("startapp=")[1]
    member = world.standin.add_user("Thành viên nhóm")
    group.add_member(member)
    # A Direct Link opens the app's start page with the parameter; it goes on to the page named.
    for theme, name, viewport, size in ((LIGHT, "light", PHONE, "phone"), (DARK, "dark", PHONE, "phone"),
                                        (LIGHT, "light", DESKTOP, "desktop"), (DARK, "dark", DESKTOP, "desktop")):
        await page.set_viewport_size(viewport)
        await open_page(page, world, member, f"{base_url(world)}/", theme=theme, start_param=param)
        board = page.locator("#board")
        await board.filter(has_text="Đã đăng ký: 2/12").wait_for()
        assert "Liên hiệp các Tổ chức hữu nghị" in await board.inner_text()
        if not first_run(request):
            break
        await screenshot(page, f"tinhhinh-{size}-{name}")
