"""Who the bot can reach, and who can hold up a group.

A representative who blocks the bot is known at once (Telegram tells the bot): the reminders
stop writing to them and the group's lists name them as people the bot cannot reach, until
they unblock it. A member who sends the same view again and again gets it once, and the
secretary's command is not queued behind them.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.conftest import TZ
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
