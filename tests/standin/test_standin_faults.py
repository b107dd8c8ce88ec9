"""Fault injection, Telegram's sending limits with a fake clock, and the stats benchmarks read."""

import asyncio
import re

import pytest
import pytest_asyncio
from telegram.error import NetworkError, RetryAfter, TimedOut

from standin_kit import BOT, TOKEN, make_bot, started_user
from standin import BotApiStandIn

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(30),
              pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")]


def retry_seconds(exc: RetryAfter) -> int:
    return int(re.search(r"Retry in (\d+)", str(exc)).group(1))


async def test_fail_next_429_then_success(standin, bot, alice):
    standin.faults.fail_next("sendMessage", times=2, kind="429", retry_after=3)
    for _ in range(2):
        with pytest.raises(RetryAfter) as e:
            await bot.send_message(alice.id, "x")
        assert retry_seconds(e.value) == 3
    await bot.send_message(alice.id, "x")
    assert [m.text for m in alice.private_chat.bot_messages()] == ["x"]
    assert standin.stats.faults["429"] == 2 and standin.stats.too_many_requests == 2
    assert standin.stats.calls["sendMessage"] == 3 and len(standin.stats.sends) == 1


async def test_5xx_and_any_method(standin, bot, alice):
    standin.faults.fail_next("sendmessage", kind="502")  # method names are case-insensitive
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(alice.id, "x")
    standin.faults.fail_next(None, kind="500")
    assert await bot.get_updates() == ()  # getUpdates is never hit by method=None
    with pytest.raises(NetworkError, match="Internal Server Error"):
        await bot.get_me()
    await bot.get_me()
    assert alice.private_chat.bot_messages() == []


async def test_a_stalled_call_times_out_and_changes_nothing(standin, alice):
    impatient = make_bot(standin, read_timeout=0.3)
    await impatient.initialize()
    try:
        standin.faults.fail_next("sendMessage", kind="stall", seconds=30)
        with pytest.raises(TimedOut):
            await impatient.send_message(alice.id, "lạc mất")
        await standin.settle(timeout=3)  # the held request ended when the client hung up
        assert alice.private_chat.messages == [] and standin.stats.sends == []
        await impatient.send_message(alice.id, "lần sau")
        assert [m.text for m in alice.private_chat.bot_messages()] == ["lần sau"]
    finally:
        await impatient.shutdown()


async def test_a_lost_answer_means_the_call_did_happen(standin, alice):
    impatient = make_bot(standin, read_timeout=0.3)
    await impatient.initialize()
    try:
        standin.faults.fail_next("sendMessage", kind="lost", seconds=30)
        with pytest.raises(TimedOut):
            await impatient.send_message(alice.id, "đã gửi")
        # a naive retry duplicates the message; stats.sends lets a benchmark see that
        await impatient.send_message(alice.id, "đã gửi")
        assert [s.text for s in standin.stats.sent(chat_id=alice.id)] == ["đã gửi", "đã gửi"]
    finally:
        await impatient.shutdown()


async def test_random_failures_are_seeded(standin, bot, alice):
    async def run() -> list[str]:
        standin.faults.random_failures(rate=0.3, kinds=("429", "502"), seed=7, methods=["sendChatAction"])
        outcomes = []
        for _ in range(40):
            try:
                await bot.send_chat_action(alice.id, "typing")
                outcomes.append("ok")
            except RetryAfter:
                outcomes.append("429")
            except NetworkError:
                outcomes.append("502")
        return outcomes

    first, second = await run(), await run()
    assert first == second
    assert 5 <= first.count("429") + first.count("502") <= 20
    await bot.send_message(alice.id, "not affected")  # other methods untouched
    standin.faults.clear()


# ---------------------------------------------------------------- rate limits, fake clock
class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest_asyncio.fixture
async def timed():
    clock = FakeClock()
    s = BotApiStandIn(token=TOKEN, bot_username=BOT, clock=clock)
    await s.start()
    b = make_bot(s)
    await b.initialize()
    s.faults.enforce_rates(True)
    try:
        yield s, b, clock
    finally:
        await b.shutdown()
        await s.stop()


async def test_one_message_per_second_in_a_private_chat(timed):
    s, bot, clock = timed
    lan = started_user(s, "Lan")
    m = await bot.send_message(lan.id, "1")
    with pytest.raises(RetryAfter) as e:
        await bot.send_message(lan.id, "2")
    assert retry_seconds(e.value) == 1
    with pytest.raises(RetryAfter):  # edits count as sends too
        await bot.edit_message_text("1'", lan.id, m.message_id)
    clock.now += 1.0
    await bot.send_message(lan.id, "2")
    assert s.stats.rate_limited == 2 and [r.text for r in s.stats.sends] == ["1", "2"]


async def test_twenty_per_minute_in_a_group(timed):
    s, bot, clock = timed
    lan = started_user(s, "Lan")
    group = s.add_group("Khối", members=[lan], admins=[lan], with_bot=True)
    for i in range(20):
        await bot.send_message(group.id, str(i))
        clock.now += 1.5
    with pytest.raises(RetryAfter) as e:
        await bot.send_message(group.id, "20")
    assert retry_seconds(e.value) == 30  # the first of the 20 was sent 30 s ago
    clock.now += 30
    await bot.send_message(group.id, "20")


async def test_thirty_per_second_overall(timed):
    s, bot, clock = timed
    users = [started_user(s, f"U{i}") for i in range(31)]
    for u in users[:30]:
        await bot.send_message(u.id, "tin")
    with pytest.raises(RetryAfter):
        await bot.send_message(users[30].id, "tin")
    clock.now += 1.0
    await bot.send_message(users[30].id, "tin")
    s.faults.enforce_rates(False)
    for _ in range(3):
        await bot.send_message(users[0].id, "không giới hạn")
    assert len(s.stats.sends) == 34


async def test_stop_releases_a_long_poll_at_once():
    s = BotApiStandIn(token=TOKEN, bot_username=BOT)
    await s.start()
    b = make_bot(s, read_timeout=30)
    await b.initialize()
    poll = asyncio.create_task(b.get_updates(timeout=25))
    await asyncio.sleep(0.05)
    started = asyncio.get_running_loop().time()
    await s.stop()
    try:
        assert await asyncio.wait_for(poll, 3) == ()
    finally:
        await b.shutdown()
    assert asyncio.get_running_loop().time() - started < 2
