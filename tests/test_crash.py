"""Crashes: the bot process is killed with SIGKILL at random moments (seeded) while twelve
representatives register, and again while they cast the secret ballot, all at once; and in
the middle of a reminder's fan-out to every unit. Each time it is started again and the
people carry on as people would (press again, or send the command again).

After each run: every registration and ballot whose receipt reached its person is in the
database, with the content confirmed, once; no reminder reached any chat twice; every
person finished (their conversation resumed, or the bot told them to start again and they
did); no bot life logged an unhandled exception.

CI runs the reduced form (one seed, a few kills per phase); ``KHOIBOT_RELIABILITY=full``
runs three seeds with many more kills (the figures in docs/RELIABILITY.md).
"""

from __future__ import annotations

import asyncio
import os
import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import func, select

from khoibot.clock import ManualClock
from khoibot.sandbox import BOT_USERNAME, TOKEN, Sandbox, sandbox_settings
from standin import BotApiStandIn
from storage.db import Database
from storage.models import (BallotCast, Bloc, Milestone, Registration, Reminder, ReminderDelivery, SealedBallot, Unit,
                            Vote)
from tests.crash import Chaos, CrashBot, Registrant, Voter
from tests.samples import HUE_UNITS, enrol, opened_box, set_up_bloc

FULL = os.environ.get("KHOIBOT_RELIABILITY") == "full"
SEEDS = [1, 2, 3] if FULL else [11]
REMINDER_ROUNDS = 8 if FULL else 2
KILLS_PER_BURST = int(os.environ.get("CRASH_KILLS", 16 if FULL else 4))

BK = "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh"
BK_CODE = "BK_UBND"
KHKT = HUE_UNITS[0]
CTD = "Hội Chữ thập đỏ"
# What a person may be told when a press finds the conversation ended (e.g. by a crash).
START_AGAIN = ("/dangky", "/bophieu")

# Figures of every run, printed at the end (pytest -s) for docs/RELIABILITY.md.
FIGURES: list[dict] = []


async def _burst(bot: CrashBot, people, chaos: Chaos, limit: float = float(os.environ.get("CRASH_LIMIT", 150))) -> int:
    loop = asyncio.get_running_loop()
    kills_before = bot.kills
    done = asyncio.Event()
    killer = asyncio.create_task(chaos.run(done))
    try:
        await asyncio.gather(*(p.run(bot.standin, loop.time() + limit) for p in people))
    finally:
        done.set()
        await killer
    if not bot.alive:
        await bot.restart()
    return bot.kills - kills_before


def _check_people(people, what: str, standin=None) -> dict:
    unfinished = [p.unit for p in people if not p.done]
    stuck = next((p for p in people if not p.done), None)
    assert not unfinished, (f"{what}: these people never got through: {unfinished}; the first one's chat ends:\n"
                            + "\n".join(f"{m.text!r} {m.buttons}" for m in stuck.chat.bot_messages()[-4:])
                            + f"\nalerts {stuck.alerts[-3:]}, silences {stuck.cut}, commands {stuck.commands}"
                            + (f" pending {standin.pending_updates()[:2]} polls {standin.stats.calls['getUpdates']} "
                               f"answer {standin.callback_answer(stuck.user.last_query_id)}" if standin and stuck else ""))
    for p in people:
        for alert in p.alerts:
            assert any(c in alert for c in START_AGAIN) or "thử lại" in alert, \
                f"{what}: {p.unit} was told {alert!r}, which does not say how to go on"
    return dict(receipted=sum(p.receipt is not None for p in people),
                found_saved=sum(p.found_saved is not None for p in people),
                cut=sum(p.cut for p in people), restarted=sum(p.commands - 1 for p in people),
                alerts=sum(len(p.alerts) for p in people))


async def _reminder_round(bot: CrashBot, db: Database, bloc: Bloc, rng: random.Random, chats: set[int]) -> dict:
    """A covenant-meeting reminder due now goes to every unit (none signed) and the group; the
    bot is started with a kill armed at a random send of the fan-out, then started again."""
    now = datetime.now(UTC)
    with db.session() as session:
        for old in session.exec(select(Milestone).where(Milestone.cancelled_at.is_(None))):
            old.cancelled_at = now
            session.add(old)
        milestone = Milestone(bloc_id=bloc.id, year=bloc.year, kind="covenant_meeting", at=now + timedelta(days=3),
                              place="Hội trường A", created_by=1, created_at=now)
        session.add(milestone)
        session.flush()
        reminder = Reminder(bloc_id=bloc.id, milestone_id=milestone.id, due_at=now - timedelta(minutes=1), label="3d")
        session.add(reminder)
        session.flush()
        reminder_id = reminder.id
    mark = bot.standin.mark()
    at = rng.randint(1, len(chats))
    bot.arm(at, methods=("sendMessage",), chats=chats)
    await bot.start()  # the fan-out runs before the bot polls: the kill falls in the middle of it
    bot.disarm()
    killed = not bot.alive
    if killed:
        await bot.restart()  # catching up at start goes on with the recipients not yet reached
    await bot.stop()
    sent = Counter(m.chat.id for m in bot.standin.sent_since(mark) if (m.text or "").startswith("⏰"))
    with db.session() as session:
        row = session.get(Reminder, reminder_id)
        deliveries = session.exec(select(ReminderDelivery).where(ReminderDelivery.reminder_id == reminder_id)).all()
    twice = {chat: n for chat, n in sent.items() if n > 1}
    assert not twice, f"reminder sent twice to {twice} (killed after send {at})"
    assert row.status == "sent", row
    assert {d.chat_id for d in deliveries} == chats
    missing = chats - set(sent)
    # At most once: a message in flight when the bot died may be lost, never repeated. Only a
    # recipient whose send the kill interrupted can miss it, and it is recorded as unsure.
    assert len(missing) <= 1, f"reminder lost for {missing}"
    return dict(killed=killed, at=at, delivered=sum(sent.values()), lost=len(missing))


@pytest.mark.timeout(1800 if FULL else 300)
@pytest.mark.parametrize("seed", SEEDS)
async def test_sigkill_during_bursts_loses_no_receipted_record_and_repeats_nothing(database_url, tmp_path, seed):
    rng = random.Random(seed)
    standin = BotApiStandIn(token=TOKEN, bot_username=BOT_USERNAME, settle_timeout=30)
    await standin.start()
    sandbox = Sandbox(standin, sandbox_settings(standin, database_url), ManualClock(datetime.now(UTC)))
    bot = CrashBot(standin, database_url, tmp_path)
    db = Database(database_url)
    figures: dict = dict(seed=seed, backend=database_url.split(":")[0])
    try:
        # The bloc, its 12 units and their representatives (the bot in the test's process).
        await sandbox.start_bot()
        group, secretary = await set_up_bloc(sandbox)
        officers = await enrol(sandbox, group, secretary, HUE_UNITS)
        await sandbox.stop_bot()
        with db.session() as session:
            bloc = session.exec(select(Bloc)).one()
            units = {u.name: u.id for u in session.exec(select(Unit))}
        recipients = {o.id for o in officers.values()} | {group.id}

        # 1. Reminders: killed in the middle of the fan-out, round after round.
        rounds = [await _reminder_round(bot, db, bloc, rng, recipients) for _ in range(REMINDER_ROUNDS)]
        figures["reminders"] = dict(rounds=len(rounds), killed=sum(r["killed"] for r in rounds),
                                    delivered=sum(r["delivered"] for r in rounds), lost=sum(r["lost"] for r in rounds))

        # 2. Twelve registrations at once, the bot killed at random all along.
        await bot.start()
        people = [Registrant(officers[unit], unit, [BK]) for unit in HUE_UNITS]
        chaos = Chaos(bot, seed=rng.randrange(10**9), kills=KILLS_PER_BURST)
        kills = await _burst(bot, people, chaos)
        await bot.stop()
        figures["registration"] = dict(kills=kills, by_calls=chaos.by_calls, by_time=chaos.by_time, **_check_people(people, "registration"))
        with db.session() as session:
            rows = session.exec(select(Registration)).all()
        by_unit = Counter(r.unit_id for r in rows)
        assert {name: by_unit[uid] for name, uid in units.items() if by_unit[uid] != 1} == {}, \
            "every unit has exactly one version: nothing lost, nothing written twice"
        for p in people:
            row = next(r for r in rows if r.unit_id == units[p.unit])
            assert row.current and not row.withdrawn and row.collective == [BK_CODE], (p.unit, row)
            assert row.confirmed_by == p.user.id

        # 3. The secretary opens the ballot (bot in the test's process again) ...
        await sandbox.start_bot()
        await secretary.send(group, "/binhxet")
        await secretary.press(group.last_bot_message(), "Chuẩn bị lá phiếu")
        await secretary.press(group.last_bot_message(), "Mở bỏ phiếu")
        await secretary.reply(group.last_bot_message(), "không")
        assert "Đã bỏ phiếu: 0/12 đơn vị" in group.last_bot_message().text
        await sandbox.stop_bot()
        # ... and twelve ballots are cast at once, the bot killed at random all along.
        await bot.start()
        voters = [Voter(officers[unit], unit, {BK: [CTD if unit == KHKT else KHKT]}, HUE_UNITS) for unit in HUE_UNITS]
        chaos = Chaos(bot, seed=rng.randrange(10**9), kills=KILLS_PER_BURST)
        kills = await _burst(bot, voters, chaos)
        await bot.stop()
        figures["ballot"] = dict(kills=kills, by_calls=chaos.by_calls, by_time=chaos.by_time, **_check_people(voters, "ballot", bot.standin))
        with db.session() as session:
            vote = session.exec(select(Vote)).one()
            cast = Counter(c.unit_id for c in session.exec(select(BallotCast).where(BallotCast.vote_id == vote.id)))
            sealed = session.exec(select(func.count()).select_from(SealedBallot)
                                  .where(SealedBallot.vote_id == vote.id)).one()
        # The vote is still open: the box is the sealed ballots, opened as the close opens them.
        box = {unit: n for (code, unit), n in opened_box(db, sandbox.settings, vote.id).items() if code == BK_CODE}
        assert cast == Counter(units.values()), "one ballot per unit, every unit's counted"
        assert sealed == 12, "one sealed ballot per unit"
        assert box[units[KHKT]] == 11 and box[units[CTD]] == 1
        assert sum(box.values()) == 12

        figures["lives"], figures["kills"] = bot.lives, bot.kills
        assert bot.failures() == [], "the bot logged failures:\n" + "\n".join(bot.failures()[:20])
        FIGURES.append(figures)
        print(f"\ncrash run: {figures}")
    finally:
        if sandbox.app is not None:
            await sandbox.stop_bot()
        await bot.stop()
        db.dispose()
        await standin.stop()
