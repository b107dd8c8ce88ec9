"""Webhook delivery, as Telegram does it: once setWebhook succeeded, POST each pending update as
JSON to the webhook URL, one at a time and in order. An update is gone once the receiver answers
2xx; otherwise it stays first in the queue, is retried after a growing back-off, and the error
shows in getWebhookInfo (last_error_date, last_error_message).

Only loopback URLs are accepted, so tests never send traffic off the machine: plain HTTP (a
test's receiver), or HTTPS as Telegram requires it — to a proxy whose certificate is trusted,
or self-signed and uploaded with setWebhook (``certificate``), which is then the only one trusted.
"""

from __future__ import annotations

import asyncio
import json
import ssl
from typing import Any, Callable
from urllib.parse import urlsplit

import aiohttp

from .errors import bad_request

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def check_webhook_url(url: str) -> None:
    """Refuse (400) any URL the stand-in must not contact. Telegram itself wants HTTPS on ports
    443/80/88/8443; a local receiver on a random port over HTTP is what tests need instead."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
        ok = parts.scheme in ("http", "https") and parts.hostname in LOOPBACK_HOSTS
    except ValueError:
        ok = False
    if not ok:
        raise bad_request("bad webhook: the stand-in delivers only to http(s)://127.0.0.1 or "
                          f"http(s)://localhost URLs, not {url!r}")


class WebhookDelivery:
    """The background task that pushes the update queue to the webhook while one is set."""

    def __init__(self, world: Any, touch: Callable[[], None], *, first_delay: float = 0.05,
                 max_delay: float = 1.0, timeout: float = 10.0):
        self.world = world
        self.touch = touch  # tells settle() something happened
        self.first_delay, self.max_delay, self.timeout = first_delay, max_delay, timeout
        self.attempts = 0  # POSTs made (answered or not)
        self.delivered = 0  # POSTs answered 2xx
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._http: aiohttp.ClientSession | None = None

    def start(self) -> None:
        # trust_env=False (aiohttp's default, spelled out): never go through an HTTP(S)_PROXY.
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout),
                                           trust_env=False)
        self._task = asyncio.create_task(self._run(), name="standin-webhook-delivery")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
        if self._http is not None:
            await self._http.close()
            self._http = None

    def poke(self) -> None:
        """A new update, or the webhook was set/deleted: look at the queue again."""
        self._wake.set()

    async def _run(self) -> None:
        delay, last_hook = self.first_delay, None
        while True:
            self._wake.clear()  # before looking: a poke from now on is not lost
            hook, queue = self.world.webhook, self.world.updates
            if hook is None or not queue.pending:
                await self._wake.wait()
                continue
            if hook is not last_hook:  # a new setWebhook starts with a fresh back-off
                delay, last_hook = self.first_delay, hook
            update = queue.pending[0]
            error = await self._post(hook, update)
            self.touch()
            if error is None:
                # Confirmed, like a getUpdates offset past it (it is still first unless
                # drop_pending_updates removed it meanwhile; confirm() copes with both).
                queue.confirm(update["update_id"] + 1)
                queue.delivered_upto = max(queue.delivered_upto, update["update_id"])
                self.delivered += 1
                delay = self.first_delay
                continue
            hook["last_error_date"] = self.world.now()
            hook["last_error_message"] = error
            await self._back_off(delay, hook)
            delay = min(delay * 2, self.max_delay)

    async def _post(self, hook: dict[str, Any], update: dict[str, Any]) -> str | None:
        """POST one update; None when the receiver answered 2xx, else Telegram-like error text."""
        # Exactly "application/json": PTB's webhook server refuses anything else (even a charset).
        headers = {"Content-Type": "application/json"}
        if hook.get("secret_token"):
            headers["X-Telegram-Bot-Api-Secret-Token"] = hook["secret_token"]
        body = json.dumps(update, ensure_ascii=False).encode()
        self.attempts += 1
        tls = None
        if hook["url"].startswith("https://"):
            # Telegram checks the chain; a self-signed certificate counts only when uploaded.
            tls = ssl.create_default_context(cadata=hook["certificate"]) if hook.get("certificate") else \
                ssl.create_default_context()
        try:
            async with self._http.post(hook["url"], data=body, headers=headers, ssl=tls or True,
                                       allow_redirects=False) as r:
                await r.read()
                if 200 <= r.status < 300:
                    return None
                return f"Wrong response from the webhook: {r.status} {r.reason or ''}".rstrip()
        except asyncio.TimeoutError:
            return "Read timeout expired"
        except aiohttp.ClientConnectorCertificateError:
            return "SSL error {error:14090086:SSL routines:ssl3_get_server_certificate:certificate verify failed}"
        except aiohttp.ClientConnectorError:
            return "Connection refused"
        except aiohttp.ClientError as e:
            return f"Connection error: {type(e).__name__}"

    async def _back_off(self, delay: float, hook: dict[str, Any]) -> None:
        """Wait `delay` seconds, but stop waiting as soon as the webhook is set anew or deleted."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + delay
        while self.world.webhook is hook:
            left = deadline - loop.time()
            if left <= 0:
                return
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), left)
            except asyncio.TimeoutError:
                return
