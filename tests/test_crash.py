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

import os
import random
from datetime import UTC, datetime

import pytest

from khoibot.clock import ManualClock
from khoibot.sandbox import BOT_USERNAME, TOKEN, Sandbox, sandbox_settings
from standin import BotApiStandIn
from storage.db import Database
from storage.models import Bloc
from tests.crash import (Chaos, CrashBot, Registrant, Voter, add_due_reminder, ballot_opened, burst, check_ballots,
                         check_people, check_registrations, check_reminder, the_bloc)
from tests.samples import HUE_UNITS

FULL = os.environ.get("KHOIBOT_RELIABILITY") == "full"
SEEDS = [1, 2, 3] if FULL else [11]
REMINDER_ROUNDS = 8 if FULL else 2
KILLS_PER_BURST = int(os.environ.get("CRASH_KILLS", 16 if FULL else 4))

BK = "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh"
BK_CODE = "BK_UBND"
KHKT = HUE_UNITS[0]
CTD = "Hội Chữ thập đỏ"

# Figures of every run, printed at the end (pytest -s) for docs/RELIABILITY.md.
FIGURES: list[dict] = []


async def _reminder_round(bot: CrashBot, db: Database, bloc: Bloc, rng: random.Random, chats: set[int]) -> dict:
    """A covenant-meeting reminder due now goes to every unit (none signed) and the group; the
    bot is started with a kill armed at a random send of the fan-out, then started again."""
    reminder_id = add_due_reminder(db, bloc)
    mark = bot.standin.mark()
    at = rng.randint(1, len(chats))
    bot.arm(at, methods=("sendMessage",), chats=chats)
    await bot.start()  # the fan-out runs before the bot polls: the kill falls in the middle of it
    bot.disarm()
    killed = not bot.alive
    if killed:
        await bot.restart()  # catching up at start goes on with the recipients not yet reached
    await bot.stop()
    return dict(killed=killed, **check_reminder(bot.standin, db, reminder_id, mark, chats, at))


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
        group, secretary, officers, bloc, units, recipients = await the_bloc(sandbox, db)

        # 1. Reminders: killed in the middle of the fan-out, round after round.
        rounds = [await _reminder_round(bot, db, bloc, rng, recipients) for _ in range(REMINDER_ROUNDS)]
        figures["reminders"] = dict(rounds=len(rounds), killed=sum(r["killed"] for r in rounds),
                                    delivered=sum(r["delivered"] for r in rounds), lost=sum(r["lost"] for r in rounds))

        # 2. Twelve registrations at once, the bot killed at random all along.
        await bot.start()
        people = [Registrant(officers[unit], unit, [BK]) for unit in HUE_UNITS]
        chaos = Chaos(bot, seed=rng.randrange(10**9), kills=KILLS_PER_BURST)
        kills = await burst(bot, people, chaos)
        await bot.stop()
        figures["registration"] = dict(kills=kills, by_calls=chaos.by_calls, by_time=chaos.by_time, **check_people(people, "registration"))
        check_registrations(db, units, people, BK_CODE)

        # 3. The secretary opens the ballot (bot in the test's process again) ...
        await ballot_opened(sandbox, group, secretary)
        # ... and twelve ballots are cast at once, the bot killed at random all along.
        await bot.start()
        voters = [Voter(officers[unit], unit, {BK: [CTD if unit == KHKT else KHKT]}, HUE_UNITS) for unit in HUE_UNITS]
        chaos = Chaos(bot, seed=rng.randrange(10**9), kills=KILLS_PER_BURST)
        kills = await burst(bot, voters, chaos)
        await bot.stop()
        figures["ballot"] = dict(kills=kills, by_calls=chaos.by_calls, by_time=chaos.by_time, **check_people(voters, "ballot", bot.standin))
        # The vote is still open: the box is the sealed ballots, opened as the close opens them.
        box = check_ballots(db, sandbox.settings, units, BK_CODE)
        assert box[units[KHKT]] == 11 and box[units[CTD]] == 1

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
