"""The bot's HTTP to the Bot API (khoibot/http.py): requests under way at the same time go out
on connections of their own, and a failed request gives its connection back."""

from __future__ import annotations

import asyncio

import pytest
from telegram.error import TelegramError

from khoibot.http import SpreadRequest
from standin import BotApiStandIn


async def until_under_way(request: SpreadRequest, count: int) -> None:
    for _ in range(100):  # the requests start at their tasks' first step; no time passes here
        if sum(request.under_way()) >= count:
            return
        await asyncio.sleep(0)
    raise AssertionError(f"{request.under_way()} under way, {count} expected")


async def test_requests_at_once_each_get_a_connection_of_their_own():
    async with BotApiStandIn() as standin:
        request = SpreadRequest(3)
        await request.initialize()
        try:
            url = f"{standin.base_url}{standin.token}/getMe"
            # Telegram is slow to answer the first two: the two wait side by side...
            standin.faults.fail_next("getMe", times=2, kind="lost", seconds=0.3)
            slow = [asyncio.create_task(request.post(url)) for _ in range(2)]
            await until_under_way(request, 2)
            assert request.under_way() == (1, 1, 0)
            # ...and a third one meanwhile takes the free connection, not a queue behind them.
            assert (await request.post(url))["is_bot"]
            assert request.under_way() == (1, 1, 0)
            answers = await asyncio.gather(*slow)
            assert all(answer["is_bot"] for answer in answers)
            assert request.under_way() == (0, 0, 0)
            # A request Telegram fails gives its connection back.
            standin.faults.fail_next("getMe", kind="500")
            with pytest.raises(TelegramError):
                await request.post(url)
            assert request.under_way() == (0, 0, 0)
        finally:
            await request.shutdown()


def test_at_least_one_connection():
    with pytest.raises(ValueError):
        SpreadRequest(0)
