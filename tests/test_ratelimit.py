"""TelegramLimits: Telegram's sending limits kept with a virtual clock, retries against the
real stand-in (429, 502, stalls), and a burst under the stand-in's own rate enforcement."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging

import pytest
from telegram.error import (BadRequest, ChatMigrated, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter,
                            TimedOut)
from telegram.ext import ExtBot
from telegram.request import HTTPXRequest

from khoibot.app import build_application
from khoibot.config import Settings
from khoibot.ratelimit import TelegramLimits
from khoibot.services import services_of
from standin import BotApiStandIn

pytestmark = [pytest.mark.timeout(60),
              pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")]

TOKEN = "123456:TEST-token"
BOT_USERNAME = "khoibot_test_bot"


# ---------------------------------------------------------------- virtual time
class VirtualTime:
    """A clock that moves only when every task is asleep on it: time jumps to the earliest
    wake-up. Good for limiter tests whose calls never do real I/O."""

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future]] = []
        self._seq = itertools.count()
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        future = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + max(0.0, seconds), next(self._seq), future))
        await future

    async def run(self, *coros):
        """Run the coroutines concurrently, in the order given, moving time when all sleep."""
        tasks = [asyncio.ensure_future(c) for c in coros]
        while not all(t.done() for t in tasks):
            for _ in range(50):  # let every runnable task run until it blocks
                await asyncio.sleep(0)
            if all(t.done() for t in tasks):
                break
            while self._sleepers and self._sleepers[0][2].cancelled():
                heapq.heappop(self._sleepers)
            if not self._sleepers:
                for t in tasks:
                    t.cancel()
                raise AssertionError("deadlock: tasks wait but nobody sleeps")
            at, _, future = heapq.heappop(self._sleepers)
            self.now = max(self.now, at)
            future.set_result(None)
        return await asyncio.gather(*tasks, return_exceptions=True)


class FakeApi:
    """Stands for ExtBot's _do_post: records when each call went out, fails as told."""

    def __init__(self, vt: VirtualTime) -> None:
        self.vt = vt
        self.calls: list[tuple[float, str, object]] = []
        self.failures: dict[object, list[BaseException]] = {}

    def fail(self, chat_id, *errors: BaseException) -> None:
        self.failures.setdefault(chat_id, []).extend(errors)

    async def do_post(self, endpoint: str, data: dict, **kwargs):
        self.calls.append((self.vt.now, endpoint, data.get("chat_id")))
        await asyncio.sleep(0)  # a real call yields at least once
        pending = self.failures.get(data.get("chat_id"))
        if pending:
            raise pending.pop(0)
        return {"ok": True, "chat_id": data.get("chat_id")}

    def times(self, chat_id=None) -> list[float]:
        return [t for t, _, c in self.calls if chat_id is None or c == chat_id]


def limiter_for(vt: VirtualTime, **kw) -> TelegramLimits:
    kw.setdefault("backoff_base", 0.5)
    return TelegramLimits(clock=vt.clock, sleep=vt.sleep, **kw)


def call(limiter: TelegramLimits, api: FakeApi, chat_id, endpoint: str = "sendMessage", **data):
    data = {"chat_id": chat_id, **data} if chat_id is not None else data
    return limiter.process_request(api.do_post, (endpoint, data), {}, endpoint, data, None)


@pytest.fixture
def vt() -> VirtualTime:
    return VirtualTime()


@pytest.fixture
def api(vt) -> FakeApi:
    return FakeApi(vt)


# ---------------------------------------------------------------- limits, virtual time
async def test_the_31st_send_in_one_instant_waits_a_second(vt, api):
    limiter = limiter_for(vt)
    await vt.run(*(call(limiter, api, 1000 + i) for i in range(31)))
    assert api.times()[:30] == [0.0] * 30
    assert api.times()[30] == pytest.approx(1.0)
    assert [c for _, _, c in api.calls] == [1000 + i for i in range(31)]  # arrival order
    assert limiter.stats.throttled == 1 and limiter.stats.waited_seconds == pytest.approx(1.0)


async def test_a_second_send_to_one_private_chat_waits_a_second(vt, api):
    limiter = limiter_for(vt)
    results = await vt.run(call(limiter, api, 42, text="1"), call(limiter, api, 42, text="2"))
    assert api.times(42) == [0.0, pytest.approx(1.0)]
    assert results == [{"ok": True, "chat_id": 42}] * 2


async def test_the_21st_send_to_a_group_waits_a_minute(vt, api):
    limiter = limiter_for(vt)
    await vt.run(*(call(limiter, api, -100) for i in range(21)))
    assert api.times(-100)[:20] == [0.0] * 20
    assert api.times(-100)[20] == pytest.approx(60.0)


async def test_a_saturated_group_does_not_block_messages_to_other_chats(vt, api):
    limiter = limiter_for(vt)
    group = [call(limiter, api, -100) for _ in range(25)]
    other_group = [call(limiter, api, -200) for _ in range(3)]
    dms = [call(limiter, api, 7 + i) for i in range(2)]
    await vt.run(*group, *other_group, *dms, call(limiter, api, 7))
    assert api.times(-200) == [0.0] * 3
    assert api.times(7) == [0.0, pytest.approx(1.0)] and api.times(8) == [0.0]
    assert api.times(-100)[20:] == [pytest.approx(60.0)] * 5


async def test_waiting_callers_are_served_in_arrival_order(vt, api):
    limiter = limiter_for(vt)
    await vt.run(*(call(limiter, api, 1 + i) for i in range(95)))
    assert [c for _, _, c in api.calls] == [1 + i for i in range(95)]
    assert api.times() == sorted(api.times())
    assert [api.times().count(float(s)) for s in range(4)] == [30, 30, 30, 5]


async def test_unlimited_methods_and_inline_edits(vt, api):
    limiter = limiter_for(vt)
    busy = [call(limiter, api, 5) for _ in range(3)]
    free = [call(limiter, api, 5, "getChatMember", user_id=1), call(limiter, api, None, "answerCallbackQuery"),
            call(limiter, api, None, "getMe")]
    await vt.run(*busy, *free, *(call(limiter, api, None, "editMessageText", inline_message_id="x")
                                 for _ in range(31)))
    assert [t for t, e, _ in api.calls if e in ("getChatMember", "answerCallbackQuery", "getMe")] == [0.0] * 3
    assert [t for t, e, _ in api.calls if e == "sendMessage"] == [0.0, 1.0, 2.0]
    inline = [t for t, e, _ in api.calls if e == "editMessageText"]
    assert inline.count(0.0) == 29 and inline[-2:] == [1.0, 1.0]  # 30/s overall, counting the send to 5


async def test_a_call_counts_from_its_answer_and_in_flight_calls_count(vt):
    """Telegram may stamp a call as late as its answer: a slow call holds its slot till then."""
    limiter = limiter_for(vt, overall_per_second=1)
    went: list[tuple[int, float]] = []

    async def slow(endpoint, data, **kw):
        went.append((data["chat_id"], vt.now))
        await vt.sleep(0.5 if data["chat_id"] == 1 else 0.0)
        return True

    await vt.run(*(limiter.process_request(slow, ("sendMessage", {"chat_id": c}), {}, "sendMessage",
                                           {"chat_id": c}, None) for c in (1, 2)))
    assert went == [(1, 0.0), (2, 1.5)]  # chat 1 was answered at 0.5


async def test_a_cancelled_waiter_frees_its_place(vt, api):
    limiter = limiter_for(vt)

    async def cancel_soon(task: asyncio.Task) -> None:
        await vt.sleep(0.5)
        task.cancel()

    await vt.run(call(limiter, api, 9))
    waiting = asyncio.ensure_future(call(limiter, api, 9))
    results = await vt.run(cancel_soon(waiting), asyncio.wait([waiting]), call(limiter, api, 9))
    assert waiting.cancelled() and results[2] == {"ok": True, "chat_id": 9}
    assert api.times(9) == [0.0, 1.0]


# ---------------------------------------------------------------- retries, virtual time
async def test_retry_after_is_waited_out_for_that_chat_only(vt, api):
    limiter = limiter_for(vt)
    api.fail(5, RetryAfter(3))
    await vt.run(call(limiter, api, 5, text="a"), call(limiter, api, 5, text="b"), call(limiter, api, 6))
    assert api.times(5) == [0.0, pytest.approx(3.1), pytest.approx(4.1)]  # b stays behind a
    assert api.times(6) == [0.0]
    assert limiter.stats.retries_after_429 == 1
    assert limiter.stats.retry_wait_seconds == pytest.approx(3.1)


async def test_network_errors_back_off_exponentially_then_give_up(vt, api):
    limiter = limiter_for(vt, max_tries=4)
    # a group, whose window (20 a minute) leaves the back-off alone
    api.fail(-5, NetworkError("Bad Gateway"), TimedOut(), NetworkError("Service Unavailable"))
    assert (await vt.run(call(limiter, api, -5))) == [{"ok": True, "chat_id": -5}]
    assert api.times(-5) == [0.0, 0.5, 1.5, 3.5]
    assert limiter.stats.retries_after_errors == 3

    api.fail(-6, *[TimedOut()] * 4)
    [result] = await vt.run(call(limiter, api, -6))
    assert isinstance(result, TimedOut) and len(api.times(-6)) == 4
    assert limiter.stats.gave_up == 1


async def test_a_retry_to_a_private_chat_still_keeps_its_window(vt, api):
    """The failed try may have reached Telegram, so it counts: the retry waits for the chat."""
    limiter = limiter_for(vt)
    api.fail(5, NetworkError("Bad Gateway"))
    await vt.run(call(limiter, api, 5))
    assert api.times(5) == [0.0, 1.0]


@pytest.mark.parametrize("error", [BadRequest("Message text is empty"), Forbidden("bot was blocked by the user"),
                                   ChatMigrated(-1001), InvalidToken(), Conflict("terminated by other getUpdates")])
async def test_telegrams_verdicts_are_raised_at_once(vt, api, error):
    limiter = limiter_for(vt)
    api.fail(5, error)
    [result] = await vt.run(call(limiter, api, 5))
    assert result is error and len(api.calls) == 1
    assert limiter.stats.retries_after_errors == limiter.stats.retries_after_429 == 0


async def test_get_updates_is_passed_straight_through(vt, api):
    limiter = limiter_for(vt)
    api.fail(None, NetworkError("Bad Gateway"))
    [result] = await vt.run(call(limiter, api, None, "getUpdates"))
    assert isinstance(result, NetworkError) and len(api.calls) == 1 and limiter.stats.calls == 0


async def test_retries_are_logged_with_method_and_chat(vt, api, caplog):
    limiter = limiter_for(vt)
    api.fail(-300, RetryAfter(1), NetworkError("Bad Gateway"))
    with caplog.at_level(logging.INFO, logger="khoibot.ratelimit"):
        await vt.run(call(limiter, api, -300))
    messages = [r.getMessage() for r in caplog.records if r.name == "khoibot.ratelimit"]
    assert messages == ["429 on sendMessage to chat -300: retrying in 1.10 s",
                        "NetworkError on sendMessage to chat -300 (try 1 of 6): retrying in 0.50 s"]
    assert all(r.levelno == logging.INFO and r.method == "sendMessage" and r.chat_id == -300
               for r in caplog.records if r.name == "khoibot.ratelimit")


# ---------------------------------------------------------------- against the stand-in
def started_user(standin: BotApiStandIn, name: str):
    u = standin.add_user(name)
    u.private_chat  # noqa: B018
    u.started = True
    return u


def limited_bot(standin: BotApiStandIn, limiter: TelegramLimits | None, read_timeout: float = 5.0) -> ExtBot:
    return ExtBot(TOKEN, base_url=standin.base_url, base_file_url=standin.base_file_url,
                  request=HTTPXRequest(connection_pool_size=128, read_timeout=read_timeout, connect_timeout=2),
                  get_updates_request=HTTPXRequest(read_timeout=read_timeout + 5), rate_limiter=limiter)


@pytest.fixture
async def standin():
    s = BotApiStandIn(token=TOKEN, bot_username=BOT_USERNAME)
    await s.start()
    try:
        yield s
    finally:
        await s.stop()


@pytest.fixture
async def limited(standin):
    # Real waiting kept small: quick back-off, and a short private-chat interval since every
    # failed try counts as a send to its chat.
    limiter = TelegramLimits(backoff_base=0.01, private_interval=0.05)
    bot = limited_bot(standin, limiter, read_timeout=0.3)
    await bot.initialize()
    try:
        yield bot, limiter
    finally:
        await bot.shutdown()


async def test_429_502_and_stalls_from_the_standin_are_retried_and_nothing_is_lost(standin, limited, caplog):
    bot, limiter = limited
    lan, binh = started_user(standin, "Lan"), started_user(standin, "Bình")
    standin.faults.fail_next("sendMessage", kind="429", retry_after=1)
    with caplog.at_level(logging.INFO, logger="khoibot.ratelimit"):
        await bot.send_message(lan.id, "một")
        standin.faults.fail_next("sendMessage", times=2, kind="502")
        await bot.send_message(binh.id, "hai")
        standin.faults.fail_next("sendMessage", kind="stall", seconds=5)
        await bot.send_message(binh.id, "ba")
        standin.faults.fail_next("editMessageText", kind="502")
        sent = await bot.send_message(lan.id, "bốn")
        await bot.edit_message_text("bốn (sửa)", chat_id=lan.id, message_id=sent.message_id)
    await standin.settle(timeout=3)
    assert [m.text for m in lan.private_chat.bot_messages()] == ["một", "bốn (sửa)"]
    assert [m.text for m in binh.private_chat.bot_messages()] == ["hai", "ba"]
    assert [(r.method, r.text) for r in standin.stats.sends] == [
        ("sendMessage", "một"), ("sendMessage", "hai"), ("sendMessage", "ba"), ("sendMessage", "bốn"),
        ("editMessageText", "bốn (sửa)")]
    assert standin.stats.faults == {"429": 1, "502": 3, "stall": 1}
    assert limiter.stats.retries_after_429 == 1 and limiter.stats.retries_after_errors == 4
    ours = [r.getMessage() for r in caplog.records if r.name == "khoibot.ratelimit"]
    assert len(ours) == 5 and not [m for m in ours if "TEST-token" in m]


async def test_random_502s_and_stalls_lose_and_repeat_nothing(standin, limited):
    bot, limiter = limited
    people = [started_user(standin, f"Người {i}") for i in range(6)]
    standin.faults.random_failures(rate=0.3, kinds=("502", "stall"), seed=3, seconds=5)
    await asyncio.gather(*(bot.send_message(p.id, f"tin {n} cho {p.id}") for p in people for n in range(3)))
    standin.faults.clear()
    await standin.settle(timeout=3)
    for p in people:
        assert [m.text for m in p.private_chat.bot_messages()] == [f"tin {n} cho {p.id}" for n in range(3)]
    assert standin.stats.faults_injected >= 3
    assert limiter.stats.retries_after_errors == standin.stats.faults_injected


async def test_bad_request_and_forbidden_from_the_standin_are_not_retried(standin, limited):
    bot, limiter = limited
    lan = started_user(standin, "Lan")
    stranger = standin.add_user("Chưa bấm Start")
    with pytest.raises(BadRequest):
        await bot.send_message(lan.id, "<b>thiếu thẻ đóng", parse_mode="HTML")
    with pytest.raises(Forbidden):
        await bot.send_message(stranger.id, "chào")
    assert standin.stats.calls["sendMessage"] == 2 and standin.stats.sends == []
    assert limiter.stats.retries_after_errors == limiter.stats.retries_after_429 == 0


async def test_too_many_502s_are_raised_after_the_last_try(standin):
    limiter = TelegramLimits(backoff_base=0.01, private_interval=0.05, max_tries=3)
    bot = limited_bot(standin, limiter)
    await bot.initialize()
    try:
        lan = started_user(standin, "Lan")
        standin.faults.fail_next("sendMessage", times=5, kind="502")
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.send_message(lan.id, "không tới")
        assert standin.stats.calls["sendMessage"] == 3 and limiter.stats.gave_up == 1
    finally:
        await bot.shutdown()


async def burst(bot: ExtBot, standin: BotApiStandIn):
    people = [started_user(standin, f"Người {i}") for i in range(60)]
    lan = started_user(standin, "Lan")
    group = standin.add_group("Khối thi đua", members=[lan], admins=[lan], with_bot=True)
    sends = [bot.send_message(p.id, f"thông báo {p.id}") for p in people]
    sends += [bot.send_message(group.id, f"nhóm {i}") for i in range(5)]
    results = await asyncio.gather(*sends, return_exceptions=True)
    return people, group, results


async def test_a_burst_stays_under_the_standins_enforced_limits(standin):
    standin.faults.enforce_rates(True)
    limiter = TelegramLimits()
    bot = limited_bot(standin, limiter)
    await bot.initialize()
    try:
        started = asyncio.get_running_loop().time()
        people, group, results = await burst(bot, standin)
        took = asyncio.get_running_loop().time() - started
    finally:
        await bot.shutdown()
    assert not [r for r in results if isinstance(r, BaseException)]
    assert standin.stats.too_many_requests == 0 and limiter.stats.retries_after_429 == 0
    for p in people:
        assert [m.text for m in p.private_chat.bot_messages()] == [f"thông báo {p.id}"]
    assert [m.text for m in group.bot_messages()] == [f"nhóm {i}" for i in range(5)]
    assert len(standin.stats.sends) == 65
    assert 1.0 <= took < 5 and limiter.stats.throttled >= 30


async def test_the_same_burst_without_the_limiter_meets_429s(standin):
    standin.faults.enforce_rates(True)
    bot = limited_bot(standin, None)
    await bot.initialize()
    try:
        _, _, results = await burst(bot, standin)
    finally:
        await bot.shutdown()
    assert any(isinstance(r, RetryAfter) for r in results) and standin.stats.rate_limited > 0


# ---------------------------------------------------------------- wiring
@pytest.mark.parametrize("rate_limit", [True, False])
def test_the_application_uses_telegram_limits_when_rate_limit_is_on(tmp_path, rate_limit):
    settings = Settings.model_validate({
        "telegram": {"token": TOKEN, "rate_limit": rate_limit},
        "database": {"url": f"sqlite:///{tmp_path / 'k.sqlite3'}"},
        "bot": {"province": "Thừa Thiên Huế"},
    })
    app = build_application(settings)
    try:
        assert isinstance(app.bot.rate_limiter, TelegramLimits) if rate_limit else app.bot.rate_limiter is None
    finally:
        services_of(app).db.dispose()
