"""A person's Mini App as Telegram opens it: initData signed with the bot's token for that
person (as Telegram signs it), and the page's calls to the bot's web server."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import aiohttp

from khoibot.sandbox import TOKEN
from khoibot.web import web_server
from webapp.api import INIT_DATA_HEADER
from webapp.initdata import sign

PUBLIC_URL = "https://khoibot.example.vn/app"
# The [web] section the Mini App tests run with: on a free port of this machine; Telegram
# would open the pages at PUBLIC_URL, which a proxy forwards here.
WEB = {"enabled": True, "port": 0, "public_url": PUBLIC_URL}


def init_data(user, *, at: datetime, start_param: str | None = None, token: str = TOKEN, **extra: str) -> str:
    fields = {"user": json.dumps({"id": user.id, "first_name": user.first_name, "language_code": "vi"},
                                 ensure_ascii=False, separators=(",", ":")),
              "auth_date": str(int(at.timestamp())), **extra}
    if start_param is not None:
        fields["start_param"] = start_param
    else:
        fields["query_id"] = f"AAH{user.id}"
    return sign(fields, token=token)


def base_url(world) -> str:
    server = web_server(world.app)
    return f"http://127.0.0.1:{server.port}/app"


class Page:
    """One person's open Mini App (their initData fixed when it was opened)."""

    def __init__(self, world, user, *, opened: datetime | None = None, raw: str | None = None,
                 start_param: str | None = None) -> None:
        self.world = world
        self.raw = raw if raw is not None else init_data(user, at=opened or world.clock.now(), start_param=start_param)

    async def call(self, name: str, payload: dict | None = None, *, body: bytes | None = None) -> tuple[int, dict]:
        headers = {INIT_DATA_HEADER: self.raw, "Content-Type": "application/json"}
        data = body if body is not None else json.dumps(payload or {}).encode()
        async with aiohttp.ClientSession() as client:
            async with client.post(f"{base_url(self.world)}/api/{name}", data=data, headers=headers) as response:
                answer = await response.json()
        await self.world.standin.settle()  # what the bot said in Telegram after it
        return response.status, answer


def opened_hours_ago(world, hours: float) -> datetime:
    return world.clock.now() - timedelta(hours=hours)
