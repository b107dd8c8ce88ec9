"""The Mini App's pages in Chromium, before and apart from the bot's server: a small aiohttp app
of this file's own serves the templates and static files as the server does, and a FAKE API
answers with canned states. It checks the layout and the behaviour in the browser only (what a
person sees and can do, and what the page sends); the real API, its rules and the database are
the end-to-end tests' business."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import asyncio
import json
from copy import deepcopy

import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestServer
from khoibot.render import Renderer

from tests.webapp.browser import DARK, LIGHT, ROOT, chromium, fresh_page, launch_url
from webapp.initdata import sign

# No bot here: the tests share one browser, on one event loop for the module (a launch per
# test would double the module's time).
pytestmark = pytest.mark.asyncio(loop_scope="module")

BASE = "/app"
INIT_DATA = sign({"user": json.dumps({"id": 501, "first_name": "Lan", "last_name": "Trần"}),
                  "auth_date": "1760000000", "query_id": "AAH-test"}, token="123:FAKE")
LONG_UNIT = "Hội Liên hiệp Phụ nữ tỉnh Thừa Thiên Huế và các đơn vị trực thuộc"

UNITS = [{"unit_id": 11, "label": "Sở Tư pháp — Khối thi đua các cơ quan Nội chính (2026)"},
         {"unit_id": 12, "label": f"{LONG_UNIT} — Khối thi đua các tổ chức chính trị - xã hội (2026)"}]

REGISTRATION = {
    "ok": True, "choose": UNITS[:1], "unit_id": 11, "unit_name": "Sở Tư pháp",
    "bloc_name": "Khối thi đua các cơ quan Nội chính", "year": 2026,
    "heading_text": "Đăng ký thi đua năm 2026 — Sở Tư pháp",
    "open": True, "window_text": "Hạn đăng ký: 23:59 31/03/2026.",
    "quotas_text": ["Cờ thi đua của UBND tỉnh: 1 đơn vị.", "Bằng khen của Chủ tịch UBND tỉnh: 2 đơn vị."],
    "registered": True, "current_text": "Đăng ký đang có hiệu lực (xác nhận lúc 09:00 10/02/2026).",
    "based_on": 7,
    "collective": [{"code": "CO_TINH", "name": "Cờ thi đua của UBND tỉnh", "chosen": True},
                   {"code": "TTLDXS", "name": "Tập thể lao động xuất sắc", "chosen": False}],
    "individual": [{"code": "CSTD_CS", "name": "Chiến sĩ thi đua cơ sở", "count": 2,
                    "names": ["Nguyễn Văn An", "Lê Thị Bình"]},
                   {"code": "LDTT", "name": "Lao động tiên tiến", "count": 0, "names": []}],
    "targets": "Hoàn thành 100% kế hoạch công tác năm.",
    "limits": {"people": 500, "name": 120, "targets": 2000},
}

BALLOT = {
    "ok": True, "choose": UNITS[:1], "unit_id": 11, "unit_name": "Sở Tư pháp",
    "bloc_name": "Khối thi đua các cơ quan Nội chính",
    "heading_text": "Bỏ phiếu kín suy tôn năm 2026 — Sở Tư pháp", "can_vote": True, "message": "",
    "deadline_text": "Hạn bỏ phiếu: 16:30 10/12/2026.",
    "secrecy_text": "Phiếu kín: lá phiếu được niêm phong ngay khi gửi; bot chỉ giữ tổng số phiếu.",
    "lines": [
        {"code": "CO_TINH", "name": "Cờ thi đua của UBND tỉnh", "quota": 2,
         "quota_text": "Chọn tối đa 2 đơn vị.",
         "candidates": [{"id": 11, "name": "Sở Tư pháp", "allowed": False},
                        {"id": 12, "name": LONG_UNIT, "allowed": True},
                        {"id": 13, "name": "Công an tỉnh", "allowed": True},
                        {"id": 14, "name": "Viện Kiểm sát nhân dân tỉnh", "allowed": True}]},
        {"code": "BK_UBND", "name": "Bằng khen của Chủ tịch UBND tỉnh", "quota": 1,
         "quota_text": "Chọn tối đa 1 đơn vị.",
         "candidates": [{"id": 13, "name": "Công an tỉnh", "allowed": True},
                        {"id": 14, "name": "Viện Kiểm sát nhân dân tỉnh", "allowed": True}]},
    ],
}
VOTED = "Sở Tư pháp đã bỏ phiếu lúc 10:05 09/12/2026. Mỗi đơn vị một phiếu; phiếu không sửa được."

BOARD = {"ok": True, "heading_text": "Tình hình đăng ký thi đua năm 2026",
         "board_html": "<b>Khối thi đua các cơ quan Nội chính</b>\n1. Sở Tư pháp: ✅ đã đăng ký\n"
                       f"2. {LONG_UNIT}: <i>chưa đăng ký</i><br><code>Cờ thi đua: 1/1</code>"}


class FakeApi:
    """Canned answers, and what the page sent (name, payload, its initData header)."""

    def __init__(self) -> None:
        self.registration = deepcopy(REGISTRATION)
        self.ballot = deepcopy(BALLOT)
        self.calls: list[tuple[str, dict, str]] = []
        self.refuse: dict[str, str] = {}        # API name → the message its refusal carries
        self.hold: asyncio.Event | None = None  # submits wait for it when set
        self.arrived = asyncio.Event()

    def sent(self, name: str) -> list[dict]:
        return [payload for called, payload, _ in self.calls if called == name]

    async def handle(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        payload = await request.json()
        self.calls.append((name, payload, request.headers.get("X-Telegram-Init-Data", "")))
        if name in self.refuse:
            return web.json_response({"ok": False, "message": self.refuse[name], "refusal": "closed"}, status=409)
        if name.endswith("submit") or name.endswith("withdraw"):
            self.arrived.set()
            if self.hold is not None:
                await self.hold.wait()
        return web.json_response(self.answer(name, payload))

    def answer(self, name: str, payload: dict) -> dict:
        if name == "registration/state":
            if len(self.registration["choose"]) > 1 and payload["unit_id"] is None:
                return {"ok": True, "choose": self.registration["choose"], "unit_id": None}
            return {**self.registration, "unit_id": payload["unit_id"] or self.registration["unit_id"]}
        if name == "registration/submit":
            chosen = set(payload["collective"])
            for title in self.registration["collective"]:
                title["chosen"] = title["code"] in chosen
            for title in self.registration["individual"]:
                title.update(payload["individual"][title["code"]])
            self.registration.update(targets=payload["targets"], based_on=payload["based_on"] + 1)
            return {"ok": True, "message": "Đã ghi đăng ký thi đua của Sở Tư pháp.", "state": self.registration}
        if name == "registration/withdraw":
            self.registration.update(registered=False, current_text="Đơn vị đã rút đăng ký lúc 10:00 11/02/2026.")
            return {"ok": True, "message": "Đã rút đăng ký của Sở Tư pháp.", "state": self.registration}
        if name == "ballot/state":
            return self.ballot
        if name == "ballot/submit":
            self.ballot = {**self.ballot, "can_vote": False, "message": VOTED}
            return {"ok": True, "message": VOTED}
        if name == "status/state":
            return BOARD
        raise AssertionError(f"the page called an API the pages do not use: {name}")


def _pages_app(api: FakeApi) -> web.Application:
    """Serves the pages as the bot's server does (same templates, same context, same paths)."""
    renderer = Renderer(ZoneInfo("Asia/Ho_Chi_Minh"))
    context = {"base": BASE, "static": BASE + "/static", "api": BASE + "/api", "v": "test"}

    def page(template: str):
        async def render(_request):
            return web.Response(text=renderer.page(template, **context), content_type="text/html")
        return render

    app = web.Application()
    app.router.add_get(BASE + "/", page("start"))
    for name in ("dangky", "bophieu", "tinhhinh"):
        app.router.add_get(f"{BASE}/{name}", page(name))
    app.router.add_static(BASE + "/static", ROOT / "webapp" / "static")
    app.router.add_post(BASE + "/api/{name:.+}", api.handle)
    return app


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser():
    async with chromium() as launched:
        yield launched


@pytest_asyncio.fixture(loop_scope="module")
async def page(browser):
    async with fresh_page(browser) as opened:
        yield opened


@pytest_asyncio.fixture(loop_scope="module")
async def api():
    return FakeApi()


@pytest_asyncio.fixture(loop_scope="module")
async def site(api):
    server = TestServer(_pages_app(api), host="127.0.0.1")
    await server.start_server()
    yield lambda path, theme=LIGHT, start=None: launch_url(
        str(server.make_url(BASE + path)), INIT_DATA, theme, start)
    await server.close()


async def _text(page, selector: str) -> str:
    return (await page.locator(selector).inner_text()).strip()


async def test_the_page_takes_telegrams_launch_data_and_a_dark_theme(page, site, api):
    await page.goto(site("/dangky", DARK, start="dk"))
    await page.locator("#form").wait_for()
    webapp = await page.evaluate("""() => ({user: Telegram.WebApp.initDataUnsafe.user,
        start: Telegram.WebApp.initDataUnsafe.start_param, scheme: Telegram.WebApp.colorScheme,
        platform: Telegram.WebApp.platform, raw: Telegram.WebApp.initData,
        background: getComputedStyle(document.body).backgroundColor,
        text: getComputedStyle(document.body).color})""")
    assert webapp["user"] == {"id": 501, "first_name": "Lan", "last_name": "Trần"}
    assert (webapp["start"], webapp["scheme"], webapp["platform"]) == ("dk", "dark", "android")
    assert webapp["raw"] == INIT_DATA
    assert (webapp["background"], webapp["text"]) == ("rgb(33, 33, 33)", "rgb(255, 255, 255)")
    assert [header for _, _, header in api.calls] == [INIT_DATA]  # the server can check the signature

    await page.goto(site("/dangky", LIGHT))
    await page.reload()  # a reload without the hash keeps the launch data (as Telegram's script does)
    assert await page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"
    assert await page.evaluate("Telegram.WebApp.colorScheme") == "light"


async def test_the_registration_form_shows_the_state_and_sends_one_confirmation(page, site, api):
    await page.goto(site("/dangky"))
    await page.locator("#form").wait_for()
    assert await _text(page, "#heading") == "Đăng ký thi đua năm 2026 — Sở Tư pháp"
    assert "Hạn đăng ký: 23:59 31/03/2026." in await _text(page, "#overview")
    assert "Bằng khen của Chủ tịch UBND tỉnh: 2 đơn vị." in await _text(page, "#quotas")
    assert await page.is_checked('input[name="collective"][value="CO_TINH"]')
    assert not await page.is_checked('input[name="collective"][value="TTLDXS"]')
    assert await page.input_value('input[name="count-CSTD_CS"]') == "2"
    assert await page.input_value('textarea[name="names-CSTD_CS"]') == "Nguyễn Văn An\nLê Thị Bình"
    assert await page.input_value('textarea[name="targets"]') == "Hoàn thành 100% kế hoạch công tác năm."
    assert await page.is_hidden("#unit-box")  # one unit: no choice to make

    await page.check('input[name="collective"][value="TTLDXS"]')
    await page.fill('input[name="count-LDTT"]', "3")
    await page.fill('textarea[name="names-LDTT"]', "Phạm Minh Châu\n\n  Hồ   Thị Dung ")
    await page.click("#submit")
    assert await page.is_hidden("#form")
    review = await _text(page, "#review")
    assert "Tập thể lao động xuất sắc" in review
    assert "Chiến sĩ thi đua cơ sở: 2 người (Nguyễn Văn An, Lê Thị Bình)" in review
    assert "Lao động tiên tiến: 3 người (Phạm Minh Châu, Hồ Thị Dung)" in review
    assert api.sent("registration/submit") == []  # the review sends nothing

    api.hold = asyncio.Event()
    await page.dblclick("#confirm")
    await api.arrived.wait()
    assert await page.is_disabled("#confirm")
    assert await _text(page, "#confirm") == "Đang gửi…"
    api.hold.set()
    await page.locator("#status").get_by_text("Đã ghi đăng ký thi đua của Sở Tư pháp.").wait_for()
    assert api.sent("registration/submit") == [{
        "unit_id": 11, "based_on": 7, "collective": ["CO_TINH", "TTLDXS"],
        "individual": {"CSTD_CS": {"count": 2, "names": ["Nguyễn Văn An", "Lê Thị Bình"]},
                       "LDTT": {"count": 3, "names": ["Phạm Minh Châu", "Hồ Thị Dung"]}},
        "targets": "Hoàn thành 100% kế hoạch công tác năm."}]
    assert await page.is_visible("#form") and await page.is_hidden("#review")
    assert await page.input_value('input[name="count-LDTT"]') == "3"  # re-drawn from the answer's state


async def test_a_refusal_or_a_lost_network_keeps_the_form_as_filled(page, site, api):
    await page.goto(site("/dangky"))
    await page.locator("#form").wait_for()
    await page.fill('textarea[name="targets"]', "Chỉ tiêu mới")
    await page.fill('textarea[name="names-LDTT"]', "Một\nHai")  # two names for 0 people
    await page.click("#submit")
    assert "Lao động tiên tiến: có 2 họ tên nhưng chỉ đăng ký 0 người" in await _text(page, "#error")
    assert await page.is_visible("#form") and api.sent("registration/submit") == []

    await page.fill('textarea[name="names-LDTT"]', "")
    api.refuse["registration/submit"] = "Đã hết hạn đăng ký (23:59 31/03/2026). Hãy liên hệ thư ký khối."
    await page.click("#submit")
    await page.click("#confirm")
    await page.locator("#error").get_by_text("Đã hết hạn đăng ký").wait_for()
    assert "closed" not in await page.locator("body").inner_text()  # the refusal's word is the script's only
    assert await page.input_value('textarea[name="targets"]') == "Chỉ tiêu mới"

    await page.route("**/api/registration/submit", lambda route: route.abort())
    await page.click("#submit")
    await page.click("#confirm")
    await page.locator("#error").get_by_text("Không kết nối được với bot.").wait_for()
    assert await page.is_visible("#form") and await page.is_enabled("#submit")
    assert await page.input_value('textarea[name="targets"]') == "Chỉ tiêu mới"


async def test_several_units_are_chosen_first_and_a_closed_registration_is_only_shown(page, site, api):
    api.registration.update(choose=UNITS, open=False, registered=True,
                            window_text="🔒 Đã hết hạn đăng ký (23:59 31/03/2026).")
    await page.goto(site("/dangky"))
    await page.locator("#unit-box").wait_for()
    assert await page.is_hidden("#form")
    assert LONG_UNIT in await _text(page, "#unit-choice")
    await page.select_option("#unit-choice", "12")
    await page.locator("#form").wait_for()
    assert [p["unit_id"] for p in api.sent("registration/state")] == [None, 12]
    assert await page.is_visible("#unit-box")  # still there, to switch unit
    assert "Đã hết hạn đăng ký" in await _text(page, "#window")
    assert await page.is_disabled('input[name="collective"][value="CO_TINH"]')
    assert await page.is_disabled('textarea[name="targets"]')
    assert await page.is_hidden("#submit") and await page.is_hidden("#withdraw")


async def test_withdrawing_asks_first(page, site, api):
    await page.goto(site("/dangky"))
    await page.click("#withdraw")
    assert await page.is_visible("#withdraw-box") and await page.is_hidden("#form")
    assert api.sent("registration/withdraw") == []
    await page.click("#withdraw-confirm")
    await page.locator("#status").get_by_text("Đã rút đăng ký của Sở Tư pháp.").wait_for()
    assert api.sent("registration/withdraw") == [{"unit_id": 11, "based_on": 7}]
    assert "Đơn vị đã rút đăng ký" in await _text(page, "#current")
    assert await page.is_hidden("#withdraw")  # nothing registered any more


async def test_the_ballot_stops_at_the_quota_reviews_and_then_shows_only_that_the_unit_voted(page, site, api):
    await page.goto(site("/bophieu"))
    await page.locator("#form").wait_for()
    flag = 'input[name="line-CO_TINH"][value="{}"]'
    assert await page.is_disabled(flag.format(11))  # one's own unit
    assert "Đã chọn 0/2" in await _text(page, "#lines")
    await page.check(flag.format(12))
    await page.check(flag.format(13))
    assert "Đã chọn 2/2" in await _text(page, "#lines")
    assert await page.is_disabled(flag.format(14))  # the third is out of reach as you tick
    await page.uncheck(flag.format(13))
    assert await page.is_enabled(flag.format(14)) and await page.is_disabled(flag.format(11))
    await page.check(flag.format(14))

    await page.click("#submit")
    review = await _text(page, "#review")
    assert LONG_UNIT in review and "Viện Kiểm sát nhân dân tỉnh" in review and "Công an tỉnh" not in review
    assert "Không chọn ai" in review  # the second line
    await page.click("#back")
    await page.check('input[name="line-BK_UBND"][value="13"]')
    await page.click("#submit")
    assert "Không chọn ai" not in await _text(page, "#review")

    await page.click("#confirm")
    await page.locator("#done").get_by_text("Sở Tư pháp đã bỏ phiếu").wait_for()
    assert api.sent("ballot/submit") == [{"unit_id": 11, "choices": {"CO_TINH": [12, 14], "BK_UBND": [13]}}]
    assert await page.locator("input[type=checkbox]").count() == 0
    assert await page.locator("main").inner_text() == await page.locator("#heading").inner_text() + "\n\n" + VOTED

    await page.reload()
    await page.locator("#done").get_by_text("Sở Tư pháp đã bỏ phiếu").wait_for()
    assert await page.is_hidden("#form")


async def test_a_direct_link_opens_the_page_its_parameter_names(page, site, api):
    await page.goto(site("/", start="bp-3"))
    await page.wait_for_url("**/app/bophieu#tgWebAppData=*")
    await page.locator("#form").wait_for()

    await page.goto(site("/", start="tt-7"))
    await page.locator("#board").wait_for()
    assert api.sent("status/state") == [{"bloc_id": 7}]
    assert await _text(page, "#heading") == "Tình hình đăng ký thi đua năm 2026"
    assert await page.locator("#board b").inner_text() == "Khối thi đua các cơ quan Nội chính"
    assert await page.evaluate("getComputedStyle(document.getElementById('board')).whiteSpace") == "pre-wrap"

    await page.goto(site("/", start="xyz"))
    await page.locator("#nowhere").wait_for()
    assert "/dangky" in await _text(page, "#nowhere")


async def test_nothing_scrolls_sideways_on_a_320_pixel_phone(page, site, api):
    await page.set_viewport_size({"width": 320, "height": 640})
    api.registration["choose"] = UNITS
    for path, ready in (("/dangky", "#unit-box"), ("/bophieu", "#form"), ("/tinhhinh", "#board")):
        await page.goto(site(path))
        await page.locator(ready).wait_for()
        if path == "/dangky":
            await page.select_option("#unit-choice", "12")
            await page.locator("#form").wait_for()
        assert await page.evaluate("document.scrollingElement.scrollWidth") <= 320, path
    await page.goto(site("/bophieu"))
    await page.click("#submit")
    assert await page.evaluate("document.scrollingElement.scrollWidth") <= 320


async def test_the_forms_work_with_the_keyboard_alone(page, site, api):
    await page.goto(site("/dangky"))
    await page.locator("#form").wait_for()
    first = 'input[name="collective"][value="CO_TINH"]'
    for _ in range(10):
        await page.keyboard.press("Tab")
        if await page.evaluate(f"document.activeElement.matches('{first}')"):
            break
    assert await page.evaluate(f"document.activeElement.matches('{first}')")
    assert await page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    await page.keyboard.press("Space")
    assert not await page.is_checked(first)
    await page.focus("#submit")
    await page.keyboard.press("Enter")
    assert await page.is_visible("#review")
    assert await page.evaluate("document.activeElement.id") == "review-heading"

    await page.goto(site("/bophieu"))
    await page.locator("#form").wait_for()
    for _ in range(10):
        await page.keyboard.press("Tab")
        if await page.evaluate("document.activeElement.name === 'line-CO_TINH'"):
            break
    assert await page.evaluate("document.activeElement.value") == "12"  # 11, one's own unit, is skipped
    await page.keyboard.press("Space")
    assert await page.is_checked('input[name="line-CO_TINH"][value="12"]')
