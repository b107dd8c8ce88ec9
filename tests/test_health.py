"""Is the bot alive and ready? /healthz and /readyz on the bot's web server, as the machine
that watches it asks them, and `khoibot status` as the person on call reads it."""

from __future__ import annotations

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from khoibot import cli
from khoibot.config import WebSettings
from khoibot.web import web_server
from tests.samples import HUE_UNITS, enrol, register, set_up_bloc

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def web_settings() -> dict:
    return {"enabled": True, "port": 0}


async def get(world, path: str) -> tuple[int, dict]:
    async with aiohttp.ClientSession() as client:
        async with client.get(f"http://127.0.0.1:{web_server(world.app).port}{path}") as response:
            return response.status, await response.json()


async def test_alive_and_ready_then_not_ready_saying_which_part(world, capsys):
    assert await get(world, "/healthz") == (200, {"alive": True})
    await world.standin.settle()
    status, body = await get(world, "/readyz")
    assert status == 200 and body["ready"] is True
    assert set(body["parts"]) == {"database", "updates", "reminder_alarm", "reminders_on_time"}
    # A bloc whose registration deadline has reminders pending; the bot stops hearing from
    # Telegram, and a reminder falls due without being sent (its timer does not ring: the
    # clock is moved by hand, and the alarm is what the test takes away).
    group, secretary = await set_up_bloc(world)
    await enrol(world, group, secretary, HUE_UNITS[:1])
    await secretary.send(group, "/lich")
    await secretary.press(group.last_bot_message(), "Đặt/dời: Hạn đăng ký thi đua")
    await secretary.reply(group.last_bot_message(), "17h ngày 20/2/2025")
    await world.app.updater.stop()
    for job in world.app.job_queue.jobs():
        job.schedule_removal()
    world.clock.set(datetime(2025, 2, 13, 9, 0, tzinfo=TZ))  # the 13/02 08:00 reminder is an hour late
    status, body = await get(world, "/readyz")
    assert status == 503 and body["ready"] is False
    parts = body["parts"]
    assert parts["database"] == {"ready": True}
    assert parts["updates"]["ready"] is False and parts["updates"]["problem"] == "silent"
    assert parts["reminder_alarm"] == {"ready": False, "problem": "not_set"}
    assert parts["reminders_on_time"]["problem"] == "late" and parts["reminders_on_time"]["seconds"] >= 3600
    # The person on call: one line per part, in Vietnamese.
    settings = world.settings.model_copy(deep=True)
    settings.web.port = web_server(world.app).port
    code = await _in_thread(cli.status, settings)
    out = capsys.readouterr().out
    assert code == 1
    assert "CHƯA sẵn sàng" in out and "Cơ sở dữ liệu: tốt" in out
    assert "Nhận tin từ Telegram: lâu không nhận được gì" in out and "Nhắc hạn đúng giờ: có lời nhắc trễ 60 phút" in out
    await world.app.updater.start_polling(poll_interval=0.0, timeout=1)  # for the fixture's stop


async def test_status_says_when_no_bot_answers(world, capsys):
    settings = world.settings.model_copy(deep=True)
    settings.web.port = 9  # nothing listens there
    assert await _in_thread(cli.status, settings) == 2
    assert "Không liên lạc được với bot" in capsys.readouterr().err
    settings.web.enabled = False
    assert await _in_thread(cli.status, settings) == 2
    assert "Máy chủ web của bot đang tắt" in capsys.readouterr().err


async def _in_thread(fn, *args):
    """`khoibot status` blocks on its HTTP request: run it off the loop the bot's server uses."""
    return await asyncio.to_thread(fn, *args)


def test_the_freshness_window_cannot_be_shorter_than_a_poll():
    """A window of a second would call a healthy bot between two long polls not ready."""
    with pytest.raises(ValueError):
        WebSettings(updates_within_seconds=1)


@pytest.mark.refusals_expected  # one injected 502: the metrics count it
async def test_metrics_scraped_in_prometheus_format(world):
    group, secretary = await set_up_bloc(world)
    officers = await enrol(world, group, secretary, HUE_UNITS[:1])
    await register(officers[HUE_UNITS[0]], ["Tập thể lao động xuất sắc"])
    world.standin.faults.fail_next("sendMessage", kind="502", chat_id=group.id)
    await secretary.send(group, "/tinhhinh")
    async with aiohttp.ClientSession() as client:
        async with client.get(f"http://127.0.0.1:{web_server(world.app).port}/metrics") as response:
            assert response.status == 200 and response.headers["Content-Type"].startswith("text/plain")
            text = await response.text()
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for family in text_string_to_metric_families(text) for s in family.samples}
    assert samples[("khoibot_updates_total", (("kind", "command"),))] >= 3   # /khoi, /donvi, /dangky, …
    assert samples[("khoibot_updates_total", (("kind", "callback_query"),))] >= 3  # the registration's presses
    assert samples[("khoibot_update_handling_seconds_count", ())] >= 6
    assert samples[("khoibot_bot_api_calls_total", (("method", "sendMessage"), ("outcome", "ok")))] >= 3
    assert samples[("khoibot_bot_api_calls_total", (("method", "answerCallbackQuery"), ("outcome", "ok")))] >= 3
    assert samples[("khoibot_bot_api_calls_total", (("method", "sendMessage"), ("outcome", "server_error")))] == 1
    assert samples[("khoibot_ballots_open", ())] == 0
    assert samples[("khoibot_oldest_overdue_reminder_seconds", ())] == 0
