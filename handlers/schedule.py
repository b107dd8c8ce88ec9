"""/lich: the bloc's milestones (deadlines and meetings) and what is still owed before
them. Secretaries set, move or cancel a milestone, which replans its reminders, and
choose the hour reminders go out at."""

from __future__ import annotations

from telegram import Update

from domain import dates
from domain.dates import fmt_date, fmt_time
from domain.milestones import MEETINGS, Kind, example
from handlers.buttons import Schedule
from handlers.common import (Context, alert, ask, best_effort, group_button, group_command, keyboard, label, say, svc,
                             transaction)
from handlers.replies import secretary_answering
from handlers.status import refresh_board
from khoibot import outbox, scheduler
from services import milestones as service
from services.milestones import Refusal, Refused
from storage.models import Bloc, PendingReply

# Short codes for callback data.
CODES = {"dl": Kind.REGISTRATION_DEADLINE, "gu": Kind.COVENANT_MEETING, "sk": Kind.MIDYEAR_MEETING,
         "tk": Kind.YEAREND_MEETING, "hs": Kind.DOSSIER_DEADLINE}


def example_of(context: Context, bloc: Bloc, kind: Kind) -> dict[str, str]:
    """The date and hour a prompt for ``kind`` shows as its example: in the bloc's year and
    still to come (domain.milestones.example). Strings, as a question's payload is kept."""
    s = svc(context)
    at = example(kind, year=bloc.year, now=s.clock.now().astimezone(s.tz))
    return dict(date=fmt_date(at), time=fmt_time(at))


def year_problem(context: Context, bloc: Bloc, at) -> dict | None:
    """When a typed date is too far from the bloc's year to be meant: the accepted years
    (domain.dates.year_problem; the ballot's deadline asks it too)."""
    s = svc(context)
    return dates.year_problem(at, bloc_year=bloc.year, now=s.clock.now(), tz=s.tz)


def _view(context: Context, bloc: Bloc):
    with transaction(context) as session:
        shown = service.schedule(session, bloc_id=bloc.id, rules_of=svc(context).settings.reminders.rules)
    active = {item.milestone.kind for item in shown.items}
    rows = [[(label(context, "schedule.btn_set", kind=kind.value), Schedule("set", code).pack())] for code, kind in CODES.items()]
    rows += [[(label(context, "schedule.btn_cancel", kind=kind.value), Schedule("cancel", code).pack())]
             for code, kind in CODES.items() if kind.value in active]
    rows.append([(label(context, "schedule.btn_hour"), Schedule("hour").pack())])
    items = [dict(milestone=item.milestone, owing=item.owing) for item in shown.items]
    return dict(bloc=shown.bloc, items=items, hour=shown.hour), keyboard(rows)


@group_command()
async def lich(update: Update, context: Context, bloc: Bloc) -> None:
    view, markup = _view(context, bloc)
    await say(update, context, "schedule.show", reply_markup=markup, **view)


@group_button(secretary=True)
async def on_button(update: Update, context: Context, bloc: Bloc) -> None:
    button = Schedule.unpack(update.callback_query.data)
    action, code = (button.action, button.code) if button else (None, None)
    kind = CODES.get(code)
    s = svc(context)
    message = update.callback_query.message
    if action == "hour":
        await update.callback_query.answer()
        await ask(update, context, "schedule.ask_hour", action="schedule.hour", bloc_id=bloc.id)
    elif action == "set" and kind:
        await update.callback_query.answer()
        await ask(update, context, "schedule.ask_meeting" if kind in MEETINGS else "schedule.ask_deadline",
                  action="schedule.set", bloc_id=bloc.id, kind=kind.value, example=example_of(context, bloc, kind))
    elif action == "cancel" and kind:
        # Ask first: cancelling drops the milestone's reminders.
        with transaction(context) as session:
            milestone = service.to_cancel(session, bloc_id=bloc.id, kind=kind)
        if isinstance(milestone, Refused):
            await alert(update, context, "common.stale_button")
            return
        await update.callback_query.answer()
        await outbox.edit(context.bot, message.chat.id, message.message_id,
                          s.render("schedule.confirm_cancel", milestone=milestone),
                          reply_markup=keyboard([[(label(context, "schedule.btn_cancel_yes"), Schedule("cancelok", milestone_id=milestone.id).pack()),
                                                  (label(context, "schedule.btn_cancel_no"), Schedule("show").pack())]]))
    elif action == "cancelok":
        with transaction(context) as session:
            milestone = service.cancel(session, bloc_id=bloc.id, milestone_id=button.milestone_id,
                                       by=update.effective_user.id, now=s.clock.now())
        if isinstance(milestone, Refused):
            await alert(update, context, "common.stale_button")
            return
        await update.callback_query.answer()
        scheduler.set_alarm(context.application)
        await outbox.edit(context.bot, message.chat.id, message.message_id,
                          s.render("schedule.cancelled", milestone=milestone))
        await best_effort("refresh board", refresh_board(context, bloc))
    elif action == "show":
        await update.callback_query.answer()
        view, markup = _view(context, bloc)
        await outbox.edit(context.bot, message.chat.id, message.message_id,
                          s.render("schedule.show", **view), reply_markup=markup)
    else:
        await alert(update, context, "common.stale_button")


async def answer_set(update: Update, context: Context, pending: PendingReply, text: str) -> bool:
    bloc = await secretary_answering(update, context, pending, "lich")
    if bloc is None:
        return True
    s = svc(context)
    kind = Kind(pending.payload["kind"])
    # A question asked before prompts carried an example is asked again with one.
    pending.payload.setdefault("example", example_of(context, bloc, kind))
    with transaction(context) as session:
        outcome = service.set_milestone(session, bloc_id=bloc.id, kind=kind, text=text, by=update.effective_user.id,
                                        now=s.clock.now(), tz=s.tz, rules_of=s.settings.reminders.rules)
    if isinstance(outcome, Refused):
        needs_example = outcome.code in (Refusal.FORMAT, Refusal.IMPOSSIBLE, Refusal.MEETING_TIME)
        await say(update, context, f"schedule.error_{outcome.code}", **outcome.details,
                  **(dict(example=example_of(context, bloc, kind)) if needs_example else {}))
        return False
    scheduler.set_alarm(context.application)
    await say(update, context, "schedule.set", milestone=outcome.milestone, old_at=outcome.old_at,
              reminders=outcome.reminders)
    await best_effort("refresh board", refresh_board(context, bloc))
    return True


async def answer_hour(update: Update, context: Context, pending: PendingReply, text: str) -> bool:
    bloc = await secretary_answering(update, context, pending, "lich")
    if bloc is None:
        return True
    s = svc(context)
    with transaction(context) as session:
        outcome = service.set_hour(session, bloc_id=bloc.id, text=text, by=update.effective_user.id,
                                   now=s.clock.now(), tz=s.tz, rules_of=s.settings.reminders.rules)
    if isinstance(outcome, Refused):
        await say(update, context, "schedule.error_hour")
        return False
    scheduler.set_alarm(context.application)
    await say(update, context, "schedule.hour_set", hour=outcome.hour)
    return True
