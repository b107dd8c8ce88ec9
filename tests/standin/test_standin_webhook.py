"""Webhook mode: after setWebhook the stand-in POSTs updates to a local receiver, like Telegram."""

from __future__ import annotations

import asyncio
import socket

import pytest
from aiohttp import web
from telegram import Update
from telegram.error import BadRequest, Conflict

from standin import ptb_idle_probe
from standin_kit import TinyBot, build_tiny_app

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(30)]

SECRET = "s3cr3t_Token-42"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Receiver:
    """A tiny webhook receiver: records every request and answers `status`."""

    def __init__(self) -> None:
        self.status = 200
        self.requests: list[tuple[dict[str, str], dict]] = []
        self._runner: web.AppRunner | None = None

    async def start(self, port: int = 0) -> Receiver:
        app = web.Application()
        app.router.add_post("/hook", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/hook"
        return self

    async def stop(self) -> None:
        await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        self.requests.append((dict(request.headers), await request.json()))
        return web.Response(status=self.status)

    @property
    def texts(self) -> list[str]:
        return [body["message"]["text"] for _, body in self.requests]

    @property
    def update_ids(self) -> list[int]:
        return [body["update_id"] for _, body in self.requests]


@pytest.fixture
async def receiver():
    r = await Receiver().start()
    try:
        yield r
    finally:
        await r.stop()


async def eventually(predicate, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.01)


async def test_updates_are_posted_in_order_with_the_secret(standin, bot, alice, receiver):
    await alice.send_private("một", settle=False)  # queued before the webhook: delivered too
    assert await bot.set_webhook(receiver.url, secret_token=SECRET, allowed_updates=["message"])
    await alice.send_private("hai")  # settle() returns once the receiver answered 2xx
    await alice.send_private("ba")
    assert receiver.texts == ["một", "hai", "ba"]
    assert receiver.update_ids == sorted(receiver.update_ids)
    for headers, _ in receiver.requests:
        assert headers["X-Telegram-Bot-Api-Secret-Token"] == SECRET
        assert headers["Content-Type"] == "application/json"
    assert standin.pending_updates() == []
    assert standin.webhook["secret_token"] == SECRET
    info = await bot.get_webhook_info()
    assert (info.url, info.pending_update_count, info.last_error_date) == (receiver.url, 0, None)
    assert info.allowed_updates == ("message",)
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates()


async def test_no_secret_header_without_a_secret(standin, bot, alice, receiver):
    assert await bot.set_webhook(receiver.url)
    await alice.send_private("xin chào")
    headers, _ = receiver.requests[0]
    assert "X-Telegram-Bot-Api-Secret-Token" not in headers


async def test_a_500_is_retried_with_back_off_and_reported(standin, bot, alice, receiver):
    receiver.status = 500
    assert await bot.set_webhook(receiver.url)
    await alice.send_private("thử lại", settle=False)
    await eventually(lambda: len(receiver.requests) >= 3)
    info = await bot.get_webhook_info()
    assert info.pending_update_count == 1
    assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"
    assert info.last_error_date is not None
    await asyncio.sleep(0.5)
    # back-off 0.05 s doubling (to 1 s): a handful of attempts, not hundreds
    assert len(receiver.requests) < 10
    with pytest.raises(AssertionError, match="last error: Wrong response"):
        await standin.settle(timeout=0.1)
    receiver.status = 200
    await standin.settle()
    assert set(receiver.update_ids) == {receiver.update_ids[0]}  # the same update every time
    assert standin.pending_updates() == [] and standin.webhook_delivery.delivered == 1


async def test_connection_refused_until_the_receiver_starts(standin, bot, alice):
    port = free_port()
    assert await bot.set_webhook(f"http://127.0.0.1:{port}/hook")
    await alice.send_private("sớm quá", settle=False)
    await eventually(lambda: standin.webhook.get("last_error_message") == "Connection refused")
    late = await Receiver().start(port)  # PTB, too, may set the webhook before it listens
    try:
        await standin.settle()
        assert late.texts == ["sớm quá"]
    finally:
        await late.stop()


async def test_delete_webhook_returns_to_polling(standin, bot, alice, receiver):
    receiver.status = 503
    assert await bot.set_webhook(receiver.url)
    await alice.send_private("giữ lại", settle=False)
    await eventually(lambda: receiver.requests)
    assert await bot.delete_webhook()  # pending updates are kept for getUpdates
    tries = len(receiver.requests)
    await asyncio.sleep(0.2)
    assert len(receiver.requests) == tries  # delivery stopped
    got = await bot.get_updates()
    assert [u.message.text for u in got] == ["giữ lại"]
    assert (await bot.get_webhook_info()).url == ""
    # and drop_pending_updates drops them
    assert await bot.set_webhook(receiver.url)
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates() == ()


async def test_refused_webhooks_change_nothing(standin, bot, alice, receiver):
    for url in ("https://example.org/hook", "http://example.org/hook", "http://10.0.0.1/hook",
                "http://127.0.0.1.example.org/hook", "ftp://127.0.0.1/hook", "http://127.0.0.1:x/"):
        with pytest.raises(BadRequest, match="(?i)^bad webhook: the stand-in delivers only to"):
            await bot.set_webhook(url, drop_pending_updates=True)
    with pytest.raises(BadRequest, match="(?i)secret token contains unallowed characters"):
        await bot.set_webhook(receiver.url, secret_token="có dấu")
    assert standin.webhook is None and receiver.requests == []


async def test_set_webhook_ends_a_held_long_poll(standin, bot, receiver):
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    assert await bot.set_webhook(receiver.url)
    with pytest.raises(Conflict, match="terminated by setWebhook request"):
        await asyncio.wait_for(poll, 2)


async def test_a_real_ptb_application_in_webhook_mode(standin, alice):
    """PTB's own webhook server (tornado) behind the stand-in, as `run_webhook` sets it up."""
    seen = TinyBot()
    app = build_tiny_app(standin, seen)
    port = free_port()
    await app.initialize()
    await app.updater.start_webhook(listen="127.0.0.1", port=port, url_path="tiny",
                                    webhook_url=f"http://127.0.0.1:{port}/tiny", secret_token=SECRET,
                                    allowed_updates=Update.ALL_TYPES)
    await app.start()
    standin.idle_probe = ptb_idle_probe(app)
    try:
        assert standin.webhook["secret_token"] == SECRET
        await alice.send_private("/start Lan")
        assert alice.private_chat.last_bot_message().text == "Chào Lan"
        assert seen.errors == []
    finally:
        standin.idle_probe = lambda: True
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
