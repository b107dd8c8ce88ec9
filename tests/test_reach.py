"""Who the bot can reach, and who can hold up a group.

A representative who blocks the bot is known at once (Telegram tells the bot): the reminders
stop writing to them and the group's lists name them as people the bot cannot reach, until
they unblock it. A member who sends the same view again and again gets it once, and the
secretary's command is not queued behind them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from khoibot.clock import ManualClock
from khoibot.ratelimit import TelegramLimits
from khoibot.sandbox import BOT_USERNAME, TOKEN, VirtualTime
from standin import BotApiStandIn
from tests.conftest import TZ, World, make_settings
from tests.samples import enrol, set_up_bloc

UNITS = ["Hội Chữ thập đỏ", "Hội Khuyến học", "Hội Luật gia", "Hội Nhà báo"]
BLOCKED = ("sendMessage", 403, "Forbidden: bot was blocked by the user")


def local(day: int, month: int, hour: int = 8, minute: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=TZ)


@pytest.fixture
async def bloc(world):
    group, secretary = await set_up_bloc(world, units=UNITS)
    officers = await enrol(world, group, secretary, UNITS)
    return group, secretary, officers


async def set_deadline(secretary, group, answer: str) -> None:
    await secretary.send(group, "/lich")
    await secretary.press(group.last_bot_message(), "Đặt/dời: Hạn đăng ký thi đua")
    await secretary.reply(group.last_bot_message(), answer)


def refused_as_blocked(world) -> int:
    return world.standin.stats.refusals.count(BLOCKED)


async def test_a_representative_who_blocks_the_bot_is_no_longer_written_to_and_is_named(world, bloc):
    group, secretary, officers = bloc
    lawyer = officers["Hội Luật gia"]
    await set_deadline(secretary, group, "31/3/2025")
    await secretary.send(group, "/donvi")
    assert "bot chưa nhắn riêng được" not in group.last_bot_message().text

    lawyer.block_bot()  # Telegram tells the bot: my_chat_member "kicked" in the private chat
    await world.standin.settle()
    world.clock.advance(timedelta(minutes=5))  # the same view asked at once would not be answered again
    await secretary.send(group, "/donvi")
    roster = group.last_bot_message().text
    assert f"👤 {lawyer.full_name} — ⚠️ bot chưa nhắn riêng được" in roster
    assert roster.count("bot chưa nhắn riêng được") == 1

    dms_before = len(lawyer.private_chat.bot_messages())
    await world.run_reminders(local(24, 3))
    reminder = group.last_bot_message().text
    assert "Nhắc lịch — Hạn đăng ký thi đua (còn 7 ngày)" in reminder
    assert "Hội Luật gia: đăng ký thi đua — ⚠️ bot chưa nhắn riêng được" in reminder
    assert "1 đơn vị chưa nhận được nhắc riêng" in reminder
    assert refused_as_blocked(world) == 0  # the bot did not even try
    assert len(lawyer.private_chat.bot_messages()) == dms_before
    red_cross = officers["Hội Chữ thập đỏ"].private_chat.last_bot_message().text
    assert "Hạn đăng ký thi đua (còn 7 ngày)" in red_cross

    # They unblock the bot (Telegram's "Restart" sends /start): reminded again, no longer named.
    await lawyer.send_private("/start")
    world.clock.advance(timedelta(minutes=5))
    await secretary.send(group, "/donvi")
    assert "bot chưa nhắn riêng được" not in group.last_bot_message().text
    await world.run_reminders(local(28, 3))
    assert "Hạn đăng ký thi đua (còn 3 ngày)" in lawyer.private_chat.last_bot_message().text
    reminder = group.last_bot_message().text
    assert "Nhắc lịch — Hạn đăng ký thi đua (còn 3 ngày)" in reminder
    assert "bot chưa nhắn riêng được" not in reminder
    assert refused_as_blocked(world) == 0


async def test_unblocking_alone_makes_them_reachable_again(world, bloc):
    group, secretary, officers = bloc
    lawyer = officers["Hội Luật gia"]
    lawyer.block_bot()
    lawyer.unblock_bot()  # my_chat_member "member" in the private chat
    await world.standin.settle()
    await secretary.send(group, "/donvi")
    assert "bot chưa nhắn riêng được" not in group.last_bot_message().text
    await set_deadline(secretary, group, "31/3/2025")
    await world.run_reminders(local(24, 3))
    assert "Hạn đăng ký thi đua (còn 7 ngày)" in lawyer.private_chat.last_bot_message().text
    assert refused_as_blocked(world) == 0


# ---------------------------------------------------------------- one person, one group
@pytest.fixture
async def paced(database_url):
    """The world with the real rate limiter (Telegram's 20 messages a minute in a group), whose
    waits pass at once on virtual time but keep their order."""
    standin = BotApiStandIn(token=TOKEN, bot_username=BOT_USERNAME)
    await standin.start()
    vt = VirtualTime()
    w = World(standin, make_settings(standin, database_url, {"rate_limit": True}), ManualClock(local(10, 2, 9)),
              rate_limiter=TelegramLimits(clock=vt.clock, sleep=vt.sleep))
    await w.start_bot()
    try:
        yield w
    finally:
        if w.app is not None:
            await w.stop_bot()
        await standin.stop()


def group_sends(world, group) -> list[str]:
    return [r.text for r in world.standin.stats.sends if r.chat_id == group.id and r.method == "sendMessage"]


async def test_forty_views_in_a_row_get_one_answer_and_the_secretary_goes_first(paced):
    group, secretary = await set_up_bloc(paced, units=UNITS)
    member = paced.standin.add_user("Lê Văn Tò Mò")
    group.add_member(member)
    await paced.standin.settle()
    before = len(group_sends(paced, group))
    for _ in range(40):
        await member.send(group, "/donvi", settle=False)
    await secretary.send(group, "/tinhhinh", settle=False)
    await paced.standin.settle()
    said = group_sends(paced, group)[before:]
    # The member's first /donvi is answered, the 39 repeats are not, the secretary's
    # /tinhhinh comes next (before the fix: forty lists, then the status).
    assert len(said) == 2
    assert said[0].startswith("📋 Đơn vị thành viên") and said[1].startswith("📊 Tình hình đăng ký thi đua")

    # Once the answer is older than the window, the same view is answered again.
    paced.clock.advance(timedelta(minutes=1))
    await member.send(group, "/donvi")
    assert group.last_bot_message().text.startswith("📋 Đơn vị thành viên")
    assert len(group_sends(paced, group)) == before + 3


async def test_a_view_asked_again_after_something_else_is_answered_again(world, bloc):
    group, secretary, officers = bloc
    def schedules() -> int:
        return len([m for m in group.bot_messages() if m.text.startswith("🗓 Lịch của")])

    for answer in ("31/3/2025", "30/3/2025"):  # /lich, a press, a reply; then /lich again
        shown = schedules()
        await secretary.send(group, "/lich")
        assert schedules() == shown + 1
        await secretary.press(group.last_bot_message(), "Đặt/dời: Hạn đăng ký thi đua")
        await secretary.reply(group.last_bot_message(), answer)
    member = officers["Hội Nhà báo"]
    group.add_member(member)
    await member.send(group, "/donvi")
    count = len(group.bot_messages())
    await member.send(group, "/donvi@khoibot_test_bot")  # the same view: no new message
    assert len(group.bot_messages()) == count
    await member.send(group, "/lich")  # something else in between: each is answered
    await member.send(group, "/donvi")
    assert len(group.bot_messages()) == count + 2
    await secretary.send(group, "/donvi\nHội Cựu chiến binh")  # someone else changes the list
    await member.send(group, "/donvi")
    assert "Hội Cựu chiến binh" in group.last_bot_message().text
    assert len(group.bot_messages()) == count + 4
