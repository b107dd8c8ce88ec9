"""The Mini Apps name the titles as the chat does (issue 18, «Names that follow the province»):
for a bloc of Huế, a city since 2025, the registration form, the status page and the ballot
read «… Ủy ban nhân dân thành phố»."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.samples import HUE_UNITS, enrol, register, set_up_bloc
from tests.test_province_names import HUE, titles
from tests.webapp.miniapp import Page

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
UNITS = HUE_UNITS[:3]
CITY = titles("thành phố")


@pytest.fixture
def province_settings() -> list[dict]:
    return [HUE]


async def test_a_citys_bloc_reads_the_citys_titles_on_the_pages(world):
    group, secretary = await set_up_bloc(world, units=UNITS)
    group.promote_bot(can_pin=True)
    officers = await enrol(world, group, secretary, UNITS)
    officer = officers[UNITS[0]]
    status, state = await Page(world, officer).call("registration/state", {"unit_id": None})
    assert status == 200, state
    assert [t["name"] for t in state["collective"]][1:3] == [CITY["flag"], CITY["bk"]]
    assert [t["name"] for t in state["individual"]] == CITY["individual"]
    assert any(CITY["flag"] in line for line in state["quotas_text"])
    for unit in UNITS:
        await register(officers[unit], [CITY["flag"], CITY["bk"]], individual=CITY["individual"])

    await secretary.send(group, "/tinhhinh")
    link = [b for row in group.last_bot_message().button_rows for b in row if "url" in b][0]["url"]
    status, page = await Page(world, secretary, start_param=link.split("startapp=")[1]).call("status/state", {})
    assert status == 200 and CITY["flag"] in page["board_html"] and "nhân dân tỉnh" not in page["board_html"]

    world.clock.set(datetime(2025, 12, 10, 9, 0, tzinfo=TZ))
    await secretary.send(group, "/binhxet")
    await secretary.press(group.last_bot_message(), "Chuẩn bị lá phiếu")
    await secretary.press(group.last_bot_message(), "Mở bỏ phiếu")
    await secretary.reply(group.last_bot_message(), "không")
    status, sheet = await Page(world, officer).call("ballot/state", {})
    assert status == 200 and sheet["can_vote"], sheet
    assert {CITY["flag"], CITY["bk"]} <= {line["name"] for line in sheet["lines"]}
