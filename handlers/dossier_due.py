"""The province's dossier deadline as every bloc's milestone (services/dossier_due.py): kept as
the configuration says at start, when a bloc is set up or its province set, and when its list
is posted; its reminders to the secretaries before it, and the one notice to the province's
officers after it, sent as every reminder is (handlers/reminders.py: each recipient marked
``sending`` before its message and ``sent`` after, so nobody gets it twice)."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlmodel import Session
from telegram.ext import Application

from domain.reminders import time_left
from handlers.reminders import OwnReminders, send_once
from khoibot import outbox, scheduler
from khoibot.services import Services, services_of
from services import dossier_due as service
from services import reminders as reminder_service
from storage import reminders
from storage.models import Bloc

log = logging.getLogger(__name__)


def follow_all(app: Application) -> int:
    """At start, before the reminders are caught up: every bloc's deadline as configured now."""
    s: Services = services_of(app)
    with s.db.session() as session:
        changed = service.follow_all(session, s.provinces, now=s.clock.now(), tz=s.tz,
                                     rules_of=s.settings.reminders.rules)
    if changed:
        log.info("province dossier deadlines set or moved", extra={"count": changed})
    return changed


async def follow(app: Application, bloc: Bloc) -> None:
    """One bloc's deadline as configured (it was set up, its province set, its list posted);
    the alarm set again when its reminders changed."""
    s: Services = services_of(app)
    if not any(p.dossier_due for p in s.provinces.all):
        return  # no province sets a deadline: none to follow (one dropped from the configuration goes at start)
    with s.db.session() as session:
        changed = service.follow(session, s.provinces, session.get(Bloc, bloc.id), now=s.clock.now(), tz=s.tz,
                                 rules_of=s.settings.reminders.rules)
    if changed:
        scheduler.set_alarm(app)


def _take(s: Services, session: Session, now: datetime):
    def take(reminder, milestone, bloc):
        return service.take(session, s.provinces, reminder=reminder, milestone=milestone, bloc=bloc, now=now,
                            rules=s.settings.reminders.rules(bloc.reminder_hour))
    return take


async def _deliver(app: Application, work: service.Remind | service.Late) -> None:
    s: Services = services_of(app)
    pending = {chat_id: d for chat_id, d in work.deliveries.items() if d.status == reminders.PENDING}
    if isinstance(work, service.Remind):
        left = time_left(now=s.clock.now(), at=work.milestone.at, tz=s.tz, meeting=False)
        for person in work.people:
            if person.id in pending:
                await send_once(s, pending[person.id].id, outbox.send(
                    app.bot, s, person.id, s.render("province.due_dm", bloc=work.bloc, milestone=work.milestone,
                                                    naming=work.naming, listed=work.listed, time=left)))
    else:
        for chat_id, delivery in pending.items():  # the group recorded when it was claimed
            await send_once(s, delivery.id, outbox.send(
                app.bot, s, chat_id, s.render("province.due_late", milestone=work.milestone, naming=work.naming,
                                              late=work.late)))
    with s.db.session() as session:
        reminder_service.finished(session, reminder_id=work.reminder.id, now=s.clock.now())


REMINDERS = OwnReminders(take=_take, deliver=_deliver)
