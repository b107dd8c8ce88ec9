"""Turns reminder rows into one APScheduler timer (through PTB's JobQueue), and back.

The database is the truth: the timer is only an alarm clock set for the earliest
pending reminder. When it rings, ``deliver`` (given by the caller; this module knows
nothing of what a reminder says) sends whatever is due and the alarm is set again. After
a restart the alarm is set from the rows, and what fell due meanwhile is handled at once.
Times come from the injected clock, so the alarm's delay is clock time, not wall time.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram.ext import Application

from storage import reminders
from khoibot.services import KhoibotContext, services_of

log = logging.getLogger(__name__)
ALARM = "reminders-alarm"
SWEEP = "reminders-sweep"
Deliver = Callable[[Application], Awaitable[int]]


async def install(app: Application, deliver: Deliver) -> None:
    """At start (post_init, before updates flow): send what fell due while the bot was
    down, or record it as missed, then set the alarm."""
    app.bot_data["deliver_reminders"] = deliver
    try:
        await deliver(app)
    except Exception:  # a failing catch-up must not keep the bot from starting
        log.exception("catching up on reminders failed; the alarm will retry")
    set_alarm(app)
    every = services_of(app).settings.reminders.check_every_seconds
    if every:
        # A safety net: a timer lost for any reason is caught up within a minute.
        app.job_queue.run_repeating(_ring, interval=every, first=every, name=SWEEP)


def set_alarm(app: Application) -> None:
    """(Re)set the one timer to the earliest pending reminder."""
    services = services_of(app)
    for job in app.job_queue.get_jobs_by_name(ALARM):
        job.schedule_removal()
    with services.db.session() as session:
        upcoming = reminders.pending(session=session)
    if not upcoming:
        return
    delay = max(0.0, (upcoming[0].due_at - services.clock.now()).total_seconds())
    app.job_queue.run_once(_ring, when=delay, name=ALARM)


async def _ring(context: KhoibotContext) -> None:
    app = context.application
    try:
        await app.bot_data["deliver_reminders"](app)
    finally:
        set_alarm(app)
