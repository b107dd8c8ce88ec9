"""What a reminder says and to whom: the group is told who still owes what (and which
units cannot be reached by DM); each representative of a unit that owes something gets a
DM with what is missing and a button to do it. Units that are done hear nothing.

Never twice: a reminder is claimed (committed) before anything is sent, each recipient is
recorded, marked ``sending`` before its message and ``sent`` right after, and a claimed
reminder a crash left unfinished goes on with the recipients not yet sent to. A recipient
left ``sending`` (the bot died between the send and its mark) is not sent it again: it is
recorded ``unsure`` (at most once; Telegram cannot say whether the message went out).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import Application
from telegram.helpers import create_deep_linked_url

from domain.milestones import DUTIES, MEETINGS, Duty, Kind
from domain.reminders import time_left
from handlers import miniapp
from handlers.buttons import DoDuty
from handlers.common import best_effort
from khoibot import outbox
from khoibot.services import Services, services_of
from services import reminders as service
from services.reminders import CLOSE, Skip, Skipped  # CLOSE: the review plans its deadline's close row
from storage import reminders
from storage.models import Milestone

log = logging.getLogger(__name__)

# The private-chat command that fulfils each duty (deep links and DM buttons).
DUTY_COMMAND = {Duty.REGISTRATION: "dangky", Duty.COVENANT: "giaouoc", Duty.MIDYEAR_REPORT: "baocao",
                Duty.YEAREND_REPORT: "baocao", Duty.BALLOT: "bophieu"}
# A milestone kind → what its "close" row does when due (the ballot closes at its
# deadline): async fn(app, milestone), given by the route table (handlers/routes.py).
@dataclass(frozen=True)
class OnClose:
    """What a milestone's end does (the route table's ON_CLOSE): ``decide(services, session,
    milestone, now)`` in the one transaction that takes the close row and marks it done, then
    ``show(app, outcome)`` tells the people, after the commit."""

    decide: Callable[[Services, Session, Milestone, datetime], object]
    show: Callable[[Application, object], Awaitable[None]]


@dataclass(frozen=True)
class OwnReminders:
    """A milestone kind whose reminders are not the units' duties (the route table's OWN):
    ``take(services, session, now)`` gives services/reminders.take what decides and claims one
    of them in its transaction; ``deliver(app, work)`` sends what it decided (each recipient
    through ``send_once``) and records the reminder done."""

    take: Callable[[Services, Session, datetime], Callable]
    deliver: Callable[[Application, object], Awaitable[None]]


async def deliver_due(app: Application, *, on_close: dict[str, OnClose],
                      own: dict[str, OwnReminders] | None = None) -> int:
    """Send every reminder that is due (or record it as missed); how many went out.

    Each reminder is its own unit of work, split around the network on purpose: one
    transaction decides and claims it (and records its recipients), then each message goes
    between two short marks of its recipient (``sending`` before, ``sent`` after), then one
    records it done. No transaction is open while Telegram is called, and whatever a crash
    interrupts, the rows say what is known: the next run goes on, repeating nobody."""
    s: Services = services_of(app)
    now = s.clock.now()
    with s.db.session() as session:
        due = service.due(session, now=now)
    sent = 0
    for reminder_id in due:
        try:
            with s.db.session() as session:
                work = service.take(session, reminder_id=reminder_id, now=now, rules_of=s.settings.reminders.rules,
                                    own={kind: o.take(s, session, now) for kind, o in (own or {}).items()})
                if isinstance(work, service.Close):  # the milestone's end, decided and marked done at once
                    closing = on_close[work.milestone.kind]
                    outcome = closing.decide(s, session, work.milestone, now)
                    service.finished(session, reminder_id=reminder_id, now=now, closed=True)
        except Exception:  # rolled back: the next run takes it again
            log.exception("a due reminder could not be taken", extra={"reminder_id": reminder_id})
            continue
        if isinstance(work, Skipped):
            if work.why == Skip.TOO_LATE:
                s.metrics.reminders.labels("missed").inc()
                log.info("reminder missed", extra={"reminder_id": reminder_id, "bloc_id": work.bloc_id})
            continue
        if isinstance(work, service.Close):
            await best_effort("closing at the deadline told", closing.show(app, outcome))
            continue
        s.metrics.reminders.labels("due").inc()
        for chat_id in work.unsure:
            s.metrics.reminders.labels("unsure").inc()
            log.warning("reminder may not have reached a recipient (the bot stopped while sending it)",
                        extra={"reminder_id": reminder_id, "chat_id": chat_id})
        try:
            await (deliver(app, work) if isinstance(work, service.Send) else own[work.milestone.kind].deliver(app, work))
            sent += 1
            s.metrics.reminders.labels("sent").inc()
        except Exception:
            # Left claimed: the next run goes on with the recipients not yet marked.
            log.exception("reminder interrupted", extra={"reminder_id": reminder_id})
    return sent


# The duties a Mini App page does on one page (handlers/miniapp.py), beside the chat's button.
DUTY_FORM = {Duty.REGISTRATION: miniapp.REGISTRATION, Duty.BALLOT: miniapp.BALLOT}


def _dm_buttons(s: Services, unit_id: int, duties: list[Duty]) -> InlineKeyboardMarkup:
    rows = [[InlineKeyboardButton(s.render.plain("reminders.btn_do", duty=duty),
                                  callback_data=DoDuty(DUTY_COMMAND[duty], unit_id).pack())] for duty in duties]
    forms = [button for duty in duties if duty in DUTY_FORM
             if (button := miniapp.form_button(s, DUTY_FORM[duty])) is not None]
    return InlineKeyboardMarkup(rows + [[button] for button in forms])


async def send_once(s: Services, delivery_id: int, sending) -> str:
    """Mark the recipient ``sending`` (committed) before the message goes, ``sent`` or
    ``unreachable`` after; a send that failed while the bot lives goes back to ``pending``.
    The status recorded."""
    with s.db.session() as session:
        service.sending(session, delivery_id=delivery_id, now=s.clock.now())
    try:
        message = await sending
    except BaseException:
        with s.db.session() as session:
            service.not_sent(session, delivery_id=delivery_id, now=s.clock.now())
        raise
    with s.db.session() as session:
        return service.sent(session, delivery_id=delivery_id, reached=message is not None, now=s.clock.now())


async def deliver(app: Application, work: service.Send) -> None:
    s: Services = services_of(app)
    milestone, bloc = work.milestone, work.bloc
    kind = Kind(milestone.kind)
    status = {chat_id: delivery.status for chat_id, delivery in work.deliveries.items()}
    context = dict(bloc=bloc, milestone=milestone, label=work.reminder.label)

    def left():
        # The time left when this message is actually sent (a reminder caught up after a
        # restart, or the last of many paced DMs, is later than planned).
        return time_left(now=s.clock.now(), at=milestone.at, tz=s.tz, meeting=kind in MEETINGS)
    for unit, duties, person in work.direct:
        if status[person.id] == reminders.PENDING:
            status[person.id] = await send_once(s, work.deliveries[person.id].id, outbox.send(
                app.bot, s, person.id, s.render("reminders.dm", unit=unit, duties=duties, time=left(), **context),
                reply_markup=_dm_buttons(s, unit.id, duties)))
    if status[bloc.chat_id] == reminders.PENDING:
        reached = {person.id for _, _, person in work.direct if status[person.id] in (reminders.SENT, reminders.UNSURE)}
        rows = [dict(unit=o.unit, duties=o.duties, reached=any(p.id in reached for p in o.people)) for o in work.owing]
        payload = DUTY_COMMAND[DUTIES[kind][0]] if DUTIES[kind] else None
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(
            s.render.plain("common.btn_open_private"),
            url=create_deep_linked_url(app.bot.username, payload))]]) if payload and work.owing else None
        await send_once(s, work.deliveries[bloc.chat_id].id, outbox.send(
            app.bot, s, bloc.chat_id, s.render("reminders.group", rows=rows, time=left(), **context),
            reply_markup=markup))
    with s.db.session() as session:
        service.finished(session, reminder_id=work.reminder.id, now=s.clock.now())
