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

from collections.abc import Awaitable, Callable
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import Application
from telegram.helpers import create_deep_linked_url

from domain.milestones import DUTIES, MEETINGS, Duty, Kind
from domain.reminders import still_worth_sending, superseded, time_left
from handlers.buttons import DoDuty
from khoibot import outbox
from khoibot.services import Services
from services.reminders import Owing, owing
from storage import reminders
from storage.models import Bloc, Milestone, Reminder
from storage.users import reachable

log = logging.getLogger(__name__)

# The private-chat command that fulfils each duty (deep links and DM buttons).
DUTY_COMMAND = {Duty.REGISTRATION: "dangky", Duty.COVENANT: "giaouoc", Duty.MIDYEAR_REPORT: "baocao",
                Duty.YEAREND_REPORT: "baocao", Duty.BALLOT: "bophieu"}
# A milestone kind → what its "close" row does when due (the ballot closes at its
# deadline): async fn(app, milestone), given by the route table (handlers/routes.py).
OnClose = Callable[[Application, Milestone], Awaitable[None]]
CLOSE = "close"


def rules_for(s: Services, bloc: Bloc):
    return s.settings.reminders.rules(bloc.reminder_hour)


async def deliver_due(app: Application, *, on_close: dict[str, OnClose]) -> int:
    """Send every reminder that is due (or record it as missed); how many went out."""
    s: Services = app.bot_data["services"]
    now = s.clock.now()
    with s.db.session() as session:
        rows = reminders.due(session=session, now=now)
        milestones = reminders.unfinished_milestones(session=session, ids=list({r.milestone_id for r in rows}))
        blocs = {b.id: b for b in (session.get(Bloc, r.bloc_id) for r in rows) if b is not None}
    replaced = superseded([(r.id, r.milestone_id, r.due_at) for r in rows
                           if r.status == reminders.PENDING and r.label != CLOSE])
    sent = 0
    for reminder in rows:
        if reminder.id in replaced:
            with s.db.session() as session:
                reminders.finish(session=session, reminder_id=reminder.id, status=reminders.MISSED, now=now,
                                 note=reminders.NOTE_SUPERSEDED)
            continue
        milestone, bloc = milestones.get(reminder.milestone_id), blocs.get(reminder.bloc_id)
        if milestone is None or bloc is None or milestone.cancelled_at is not None:
            with s.db.session() as session:
                reminders.finish(session=session, reminder_id=reminder.id, status=reminders.CANCELLED, now=now)
            continue
        if reminder.label == CLOSE:
            # Not a message: the milestone's end (closing the ballot), done however late.
            with s.db.session() as session:
                claimed = reminder.status == reminders.CLAIMED or reminders.claim(
                    session=session, reminder_id=reminder.id, now=now)
            if claimed:
                try:
                    await on_close[milestone.kind](app, milestone)
                    with s.db.session() as session:
                        reminders.finish(session=session, reminder_id=reminder.id, status=reminders.SENT,
                                         now=s.clock.now(), note=reminders.NOTE_CLOSED)
                except Exception:
                    log.exception("closing at the deadline failed", extra={"reminder_id": reminder.id})
            continue
        if not still_worth_sending(due_at=reminder.due_at if reminder.status == reminders.PENDING else now,
                                   milestone_at=milestone.at, now=now, grace=rules_for(s, bloc).grace):
            with s.db.session() as session:
                reminders.finish(session=session, reminder_id=reminder.id, status=reminders.MISSED, now=now,
                                 note=reminders.NOTE_TOO_LATE)
            log.info("reminder missed", extra={"reminder_id": reminder.id, "bloc_id": bloc.id})
            continue
        if reminder.status == reminders.PENDING:
            with s.db.session() as session:
                if not reminders.claim(session=session, reminder_id=reminder.id, now=now):
                    continue  # someone else took it
        try:
            await deliver(app, reminder, milestone, bloc)
            sent += 1
        except Exception:
            # Left claimed: the next run goes on with the recipients not yet marked.
            log.exception("reminder interrupted", extra={"reminder_id": reminder.id})
    return sent


def duties_by_unit(s: Services, bloc: Bloc, milestone: Milestone) -> list[Owing]:
    with s.db.session() as session:
        return owing(session, bloc, milestone)


def _dm_buttons(s: Services, unit_id: int, duties: list[Duty]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(s.render.plain("reminders.btn_do", duty=duty),
                                                       callback_data=DoDuty(DUTY_COMMAND[duty], unit_id).pack())]
                                 for duty in duties])


def _ready(s: Services, delivery) -> bool:
    """Whether this recipient is still to be sent the reminder. One left ``sending`` was being
    sent when the bot died: the message may have gone out, and Telegram offers no way to ask,
    so it is not sent again (at most once) but recorded as ``unsure``."""
    if delivery.status == reminders.SENDING:
        with s.db.session() as session:
            reminders.mark(session=session, delivery_id=delivery.id, status=reminders.UNSURE, now=s.clock.now())
        delivery.status = reminders.UNSURE
        log.warning("reminder may not have reached a recipient (the bot stopped while sending it)",
                    extra={"reminder_id": delivery.reminder_id, "chat_id": delivery.chat_id})
    return delivery.status == reminders.PENDING


async def _send_once(s: Services, delivery, sending):
    """Mark the recipient ``sending`` (committed) before the message goes, ``sent`` or
    ``unreachable`` after; a send that failed while the bot lives goes back to ``pending``."""
    with s.db.session() as session:
        reminders.mark(session=session, delivery_id=delivery.id, status=reminders.SENDING, now=s.clock.now())
    try:
        message = await sending
    except BaseException:
        with s.db.session() as session:
            reminders.mark(session=session, delivery_id=delivery.id, status=reminders.PENDING, now=s.clock.now())
        raise
    with s.db.session() as session:
        reminders.mark(session=session, delivery_id=delivery.id,
                       status=reminders.SENT if message else reminders.UNREACHABLE, now=s.clock.now())
    return message


async def deliver(app: Application, reminder: Reminder, milestone: Milestone, bloc: Bloc) -> None:
    s: Services = app.bot_data["services"]
    kind = Kind(milestone.kind)
    owing = duties_by_unit(s, bloc, milestone)
    now = s.clock.now()
    if DUTIES[kind] and not owing and kind not in MEETINGS:
        with s.db.session() as session:
            reminders.finish(session=session, reminder_id=reminder.id, status=reminders.SENT, now=now,
                             note=reminders.NOTE_NOTHING_OWED)
        return
    direct = [(unit, duties, person) for unit, duties, people in owing for person in people if reachable(person)]
    with s.db.session() as session:
        reminders.add_recipients(session=session, reminder_id=reminder.id,
                                 chat_ids=[person.id for _, _, person in direct] + [bloc.chat_id])
        recorded = {d.chat_id: d for d in reminders.deliveries(session=session, reminder_id=reminder.id)}
    context = dict(bloc=bloc, milestone=milestone, label=reminder.label)

    def left():
        # The time left when this message is actually sent (a reminder caught up after a
        # restart, or the last of many paced DMs, is later than planned).
        return time_left(now=s.clock.now(), at=milestone.at, tz=s.tz, meeting=kind in MEETINGS)
    for unit, duties, person in direct:
        delivery = recorded[person.id]
        if _ready(s, delivery):
            message = await _send_once(s, delivery, outbox.send(
                app.bot, s, person.id, s.render("reminders.dm", unit=unit, duties=duties, time=left(), **context),
                reply_markup=_dm_buttons(s, unit.id, duties)))
            delivery.status = reminders.SENT if message else reminders.UNREACHABLE
    group = recorded[bloc.chat_id]
    if _ready(s, group):
        reached = {person.id for _, _, person in direct
                   if recorded[person.id].status in (reminders.SENT, reminders.UNSURE)}
        rows = [dict(unit=unit, duties=duties, reached=any(p.id in reached for p in people))
                for unit, duties, people in owing]
        payload = DUTY_COMMAND[DUTIES[kind][0]] if DUTIES[kind] else None
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(
            s.render.plain("common.btn_open_private"),
            url=create_deep_linked_url(app.bot.username, payload))]]) if payload and owing else None
        await _send_once(s, group, outbox.send(
            app.bot, s, bloc.chat_id, s.render("reminders.group", rows=rows, time=left(), **context),
            reply_markup=markup))
    with s.db.session() as session:
        reminders.finish(session=session, reminder_id=reminder.id, status=reminders.SENT, now=s.clock.now())
