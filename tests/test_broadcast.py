"""A reminder broadcast to every unit of several blocs while Telegram misbehaves: 429s with
retry_after and 5xx answers on a share of calls, and the sending limits enforced by the
stand-in. Nothing is lost, nothing is sent twice, no limit is exceeded."""

from __future__ import annotations

from datetime import datetime

from tests.conftest import TZ
from tests.samples import enrol, set_up_bloc
from tests.test_reminders import run_reminders, set_milestone

BLOCS = {
    "Khối thi đua các Tổ chức xã hội": ["Hội Chữ thập đỏ", "Hội Khuyến học", "Hội Luật gia", "Hội Nhà báo"],
    "Khối thi đua số 3 (các tổ chức Hội)": ["Hội Người cao tuổi", "Hội Cựu Thanh niên xung phong",
                                            "Câu lạc bộ Hưu trí", "Hội Người mù"],
    "Khối thi đua số 6": ["Ban Dân tộc", "Sở Y tế", "Sở Khoa học và Công nghệ", "Trường Cao đẳng Bình Phước"],
}


async def test_a_broadcast_under_faults_loses_nothing_and_duplicates_nothing(world):
    groups, officers = [], {}
    for n, (title, units) in enumerate(BLOCS.items()):
        group, secretary = await set_up_bloc(world, title=title, units=units, secretary_name=f"Thư ký {n}")
        officers.update(await enrol(world, group, secretary, units))
        await set_milestone(secretary, group, "Đặt/dời: Hạn đăng ký thi đua", "31/3/2025")
        groups.append(group)

    # From here on the bot keeps Telegram's limits itself, and Telegram is unreliable.
    world.settings.telegram.rate_limit = True
    await world.restart_bot()
    standin = world.standin
    standin.stats.reset()
    standin.faults.enforce_rates(True)
    standin.faults.random_failures(rate=0.2, kinds=("429", "502"), seed=7, methods=["sendMessage"], retry_after=1)
    await run_reminders(world, datetime(2025, 3, 24, 8, 0, tzinfo=TZ))
    standin.faults.clear()

    for unit, officer in officers.items():
        dms = [m for m in officer.private_chat.bot_messages() if "Hạn đăng ký thi đua (còn 7 ngày)" in m.text]
        assert len(dms) == 1, unit
    for group in groups:
        reminders = [m for m in group.bot_messages() if "Nhắc lịch — Hạn đăng ký thi đua" in m.text]
        assert len(reminders) == 1, group.title
    injected = standin.stats.faults["429"] + standin.stats.faults["502"]
    assert injected > 0  # the faults really happened
    assert standin.stats.rate_limited == 0  # the bot never went past a limit on its own
    sends = standin.stats.sent("sendMessage")
    assert len(sends) == len(officers) + len(groups)
    assert len({s.chat_id for s in sends}) == len(sends)
