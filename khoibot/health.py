"""Is the bot alive, and is it ready? For the machine that watches it (``GET /healthz``,
``GET /readyz`` on the bot's web server) and for a person (``khoibot status``).

Ready means every part a bloc relies on works now: the database answers, updates are
arriving (the last getUpdates returned, or the last webhook delivery came, within
``web.updates_within_seconds``), the reminders' alarm is set when a reminder is pending, and no
reminder is overdue by more than ``web.reminder_late_minutes``. Each part says why it is not.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from aiohttp import web
from sqlalchemy import func, select, text
from telegram.ext import Application

from khoibot import scheduler
from khoibot.services import services_of
from storage import votes
from storage.models import Reminder, Vote
from storage.reminders import CLAIMED, PENDING

log = logging.getLogger(__name__)

PARTS = ("database", "updates", "reminder_alarm", "reminders_on_time")


@dataclass(frozen=True)
class Part:
    name: str
    ready: bool
    problem: str = ""               # a word for the machine: "unreachable", "silent", "not_set", "late"
    seconds: float | None = None    # how long ago / how late, where it applies


def _database(app: Application) -> Part:
    try:
        with services_of(app).db.connection() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:
        log.warning("readiness: the database does not answer", exc_info=True)
        return Part("database", False, "unreachable")
    return Part("database", True)


def last_contact(app: Application) -> datetime | None:
    """When Telegram was last heard from: a getUpdates returned, or a webhook delivery came."""
    return app.bot_data.get(_CONTACT)


_CONTACT = "last_telegram_contact"


def heard_from_telegram(app: Application) -> None:
    app.bot_data[_CONTACT] = services_of(app).clock.now()


def _updates(app: Application, now: datetime) -> Part:
    within = services_of(app).settings.web.updates_within_seconds
    last = last_contact(app)
    if last is None:
        return Part("updates", False, "silent")
    ago = (now - last).total_seconds()
    return Part("updates", ago <= within, "" if ago <= within else "silent", round(ago, 1))


def _earliest_pending(app: Application) -> datetime | None:
    with services_of(app).db.connection() as connection:
        return connection.execute(select(func.min(Reminder.due_at)).where(
            Reminder.status.in_((PENDING, CLAIMED)))).scalar()


def _reminders(app: Application, now: datetime) -> list[Part]:
    try:
        earliest = _earliest_pending(app)
    except Exception:
        return [Part("reminder_alarm", False, "unreachable"), Part("reminders_on_time", False, "unreachable")]
    if earliest is not None and earliest.tzinfo is None:  # SQLite keeps naive UTC
        earliest = earliest.replace(tzinfo=UTC)
    alarm_set = bool(app.job_queue.get_jobs_by_name(scheduler.ALARM)) if app.job_queue else False
    alarm = Part("reminder_alarm", alarm_set or earliest is None, "" if alarm_set or earliest is None else "not_set")
    late_after = timedelta(minutes=services_of(app).settings.web.reminder_late_minutes)
    late = (now - earliest) if earliest is not None else timedelta(0)
    on_time = Part("reminders_on_time", late <= late_after, "" if late <= late_after else "late",
                   round(late.total_seconds(), 1) if earliest is not None and late > timedelta(0) else None)
    return [alarm, on_time]


def readiness(app: Application) -> list[Part]:
    now = services_of(app).clock.now()
    return [_database(app), _updates(app, now), *_reminders(app, now)]


def as_json(parts: list[Part]) -> dict:
    """The body of /readyz. ``role`` is "active" here; a standby answers "standby" with its own
    parts (khoibot/standby.py)."""
    return {"ready": all(p.ready for p in parts), "role": "active",
            "parts": {p.name: {"ready": p.ready, **({"problem": p.problem} if p.problem else {}),
                               **({"seconds": p.seconds} if p.seconds is not None else {})} for p in parts}}


def scraped(app: Application) -> dict[str, float]:
    """The metrics read at each scrape (khoibot/metrics.py): the rate limiter's counters, the
    oldest overdue reminder's age, the ballots open."""
    values: dict[str, float] = {}
    stats = getattr(app.bot.rate_limiter, "stats", None)
    if stats is not None:
        values.update(khoibot_rate_limiter_throttled=stats.throttled,
                      khoibot_rate_limiter_wait_seconds=stats.waited_seconds,
                      khoibot_rate_limiter_retries_after_429=stats.retries_after_429,
                      khoibot_rate_limiter_retries_after_errors=stats.retries_after_errors,
                      khoibot_rate_limiter_gave_up=stats.gave_up)
    try:
        earliest = _earliest_pending(app)
        with services_of(app).db.connection() as connection:
            values["khoibot_ballots_open"] = connection.execute(
                select(func.count()).select_from(Vote).where(Vote.status == votes.OPEN)).scalar_one()
    except Exception:
        services_of(app).metrics.database_errors.inc()
        return values
    if earliest is not None and earliest.tzinfo is None:
        earliest = earliest.replace(tzinfo=UTC)
    overdue = (services_of(app).clock.now() - earliest).total_seconds() if earliest is not None else 0.0
    values["khoibot_oldest_overdue_reminder_seconds"] = max(0.0, overdue)
    return values


def routes(app: Application) -> list[web.RouteDef]:
    """The health and metrics routes, added to the bot's web server (khoibot/web.py)."""
    metrics = services_of(app).metrics
    metrics.watch(lambda: scraped(app))

    async def metrics_page(_request: web.Request) -> web.Response:
        body, content_type = metrics.exposition()
        return web.Response(body=body, headers={"Content-Type": content_type})

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"alive": True})

    async def readyz(_request: web.Request) -> web.Response:
        body = as_json(readiness(app))
        return web.json_response(body, status=200 if body["ready"] else 503)

    return [web.get("/healthz", healthz), web.get("/readyz", readyz), web.get("/metrics", metrics_page)]
