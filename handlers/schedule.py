"""/lich: the bloc's milestones (deadlines and meetings) and what is still owed before
them. Secretaries set, move or cancel a milestone, which replans its reminders, and
choose the hour reminders go out at."""

from __future__ import annotations

from telegram import Update

from domain.dates import fmt_date, fmt_time
from domain.milestones import MEETINGS, Kind, example
from domain.text import clean
from handlers.buttons import Schedule
from handlers.common import Context, alert, ask, best_effort, keyboard, label, say, transaction
from handlers.gates import acting, in_group, pressed_in_group, pressed_message, refuse_button, refuse_command
from handlers.replies import Answer, Decided, secretary_bloc
from handlers.status import refresh_board
from khoibot import outbox, scheduler
from services import milestones as service
from services.blocs import Refused as BlocRefused
from services.blocs import bloc_in
from services.milestones import Refusal, Refused
from storage.models import Bloc, PendingReply

# Short codes for callback data.
CODES = {"dl": Kind.REGISTRATION_DEADLINE, "gu": Kind.COVENANT_MEETING, "sk": Kind.MIDYEAR_MEETING,
         "tk": Kind.YEAREND_MEETING, "hs": Kind.DOSSIER_DEADLINE}


def example_of(context: Context, bloc: Bloc, kind: Kind) -> dict[str, str]:
    """The date and hour a prompt for ``kind`` shows as its example: in the bloc's year,
    still to come and on a working day of the bloc (domain.milestones.example). Strings, as a question's payload is kept."""
    s = context.services
    at = example(kind, year=bloc.year, now=s.clock.now().astimezone(s.tz),
                 days=service.working_days(bloc, s.provinces))
    return dict(date=fmt_date(at), time=fmt_time(at))


def _view(context: Context, shown: service.Schedule):
    """The schedule as the templates show it, with a secretary's buttons."""
    active = {item.milestone.kind for item in shown.items}
    rows = [[(label(context, "schedule.btn_set", kind=kind.value), Schedule("set", code).pack())] for code, kind in CODES.items()]
    rows += [[(label(context, "schedule.btn_cancel", kind=kind.value), Schedule("cancel", code).pack())]
             for code, kind in CODES.items() if kind.value in active]
    rows.append([(label(context, "schedule.btn_hour"), Schedule("hour").pack())])
    # The press asks for the other choice; the data says which, so a second press of an old
    # message does not undo the first.
    weekends = Schedule("wkrest" if not shown.bloc.weekends_off else "wkwork")
    rows.append([(label(context, f"schedule.btn_{weekends.action}"), weekends.pack())])
    items = [dict(milestone=item.milestone, owing=item.owing, day_off=item.day_off, moved=item.moved)
             for item in shown.items]
    return dict(bloc=shown.bloc, items=items, hour=shown.hour, naming=shown.naming), keyboard(rows)


def _schedule(context: Context, session, bloc_id: int) -> service.Schedule:
    s = context.services
    return service.schedule(session, bloc_id=bloc_id, rules_of=s.settings.reminders.rules, tz=s.tz,
                            provinces=s.provinces)


@in_group
async def lich(update: Update, context: Context) -> None:
    with transaction(context) as session:
        bloc = bloc_in(session, chat_id=update.effective_chat.id)
        shown = bloc if isinstance(bloc, BlocRefused) else _schedule(context, session, bloc.id)
    if isinstance(shown, BlocRefused):
        await refuse_command(update, context, shown, "lich")
        return
    view, markup = _view(context, shown)
    await say(update, context, "schedule.show", reply_markup=markup, **view)


def _decide(context: Context, session, bloc: Bloc, action: str | None, kind: Kind | None, button: Schedule | None,
            by: int):
    """What a press of the schedule's buttons decides, past the gate (None: nothing to decide:
    a question is asked, or the data is stale)."""
    s = context.services
    if action == "cancel" and kind:
        return service.to_cancel(session, bloc_id=bloc.id, kind=kind)
    if action == "cancelok":
        return service.cancel(session, bloc_id=bloc.id, milestone_id=button.milestone_id, by=by, now=s.clock.now())
    if action == "show":
        return _schedule(context, session, bloc.id)
    if action in ("wkrest", "wkwork"):
        changed = service.set_weekends(session, bloc_id=bloc.id, off=action == "wkrest", by=by, now=s.clock.now(),
                                       tz=s.tz, rules_of=s.settings.reminders.rules, provinces=s.provinces)
        return changed, _schedule(context, session, bloc.id)
    return None


@pressed_in_group
async def on_button(update: Update, context: Context) -> None:
    button = Schedule.unpack(update.callback_query.data)
    action, code = (button.action, button.code) if button else (None, None)
    kind = CODES.get(code)
    s = context.services
    message = update.callback_query.message
    actor = await acting(update, context)
    with transaction(context) as session:
        bloc = bloc_in(session, chat_id=message.chat.id, actor=actor, secretary=True, message=pressed_message(update))
        outcome = bloc if isinstance(bloc, BlocRefused) else _decide(context, session, bloc, action, kind, button,
                                                                     update.effective_user.id)
    if isinstance(outcome, BlocRefused):
        await refuse_button(update, context, outcome)
    elif action == "hour":
        await update.callback_query.answer()
        await ask(update, context, "schedule.ask_hour", action="schedule.hour", bloc_id=bloc.id)
    elif action == "set" and kind:
        await update.callback_query.answer()
        await ask(update, context, "schedule.ask_meeting" if kind in MEETINGS else "schedule.ask_deadline",
                  action="schedule.set", bloc_id=bloc.id, kind=kind.value, example=example_of(context, bloc, kind))
    elif action == "cancel" and kind:
        # Ask first: cancelling drops the milestone's reminders.
        if isinstance(outcome, Refused):
            await alert(update, context, "common.stale_button")
            return
        await update.callback_query.answer()
        await outbox.edit(context.bot, message.chat.id, message.message_id,
                          s.render("schedule.confirm_cancel", milestone=outcome),
                          reply_markup=keyboard([[(label(context, "schedule.btn_cancel_yes"), Schedule("cancelok", milestone_id=outcome.id).pack()),
                                                  (label(context, "schedule.btn_cancel_no"), Schedule("show").pack())]]))
    elif action == "cancelok":
        if isinstance(outcome, Refused):
            await alert(update, context, "common.stale_button")
            return
        await update.callback_query.answer()
        scheduler.set_alarm(context.application)
        await outbox.edit(context.bot, message.chat.id, message.message_id,
                          s.render("schedule.cancelled", milestone=outcome))
        await best_effort("refresh board", refresh_board(context, bloc))
    elif action in ("wkrest", "wkwork"):
        changed, shown = outcome
        await update.callback_query.answer()
        scheduler.set_alarm(context.application)
        view, markup = _view(context, shown)
        await outbox.edit(context.bot, message.chat.id, message.message_id,
                          s.render("schedule.show", **view), reply_markup=markup)
        await say(update, context, "schedule.weekends_set", weekends_off=changed.weekends_off, moved=changed.moved)
    elif action == "show":
        await update.callback_query.answer()
        view, markup = _view(context, outcome)
        await outbox.edit(context.bot, message.chat.id, message.message_id,
                          s.render("schedule.show", **view), reply_markup=markup)
    else:
        await alert(update, context, "common.stale_button")


# A secretary's answers (the gate checked again at answer time): the decision returns the
# bloc with the service's outcome, the board being refreshed after the commit.

def _decide_set(context: Context, session, pending: PendingReply, answer: Answer):
    bloc = secretary_bloc(session, pending, answer)
    if isinstance(bloc, BlocRefused):
        return bloc
    s = context.services
    return bloc, service.set_milestone(session, bloc_id=bloc.id, kind=Kind(pending.payload.kind),
                                       text=clean(answer.text), by=answer.user_id, now=answer.now, tz=s.tz,
                                       rules_of=s.settings.reminders.rules, provinces=s.provinces)


async def _tell_set(update: Update, context: Context, pending: PendingReply, decided) -> bool:
    if isinstance(decided, BlocRefused):
        await refuse_command(update, context, decided, "lich")
        return True
    bloc, outcome = decided
    if isinstance(outcome, Refused):
        kind = Kind(pending.payload.kind)
        # A question asked before prompts carried an example is asked again with one.
        pending.payload = pending.payload.with_example(example_of(context, bloc, kind))
        needs_example = outcome.code in (Refusal.FORMAT, Refusal.IMPOSSIBLE, Refusal.MEETING_TIME)
        await say(update, context, f"schedule.error_{outcome.code}", **outcome.details,
                  **(dict(example=example_of(context, bloc, kind)) if needs_example else {}))
        return False
    scheduler.set_alarm(context.application)
    await say(update, context, "schedule.set", milestone=outcome.milestone, old_at=outcome.old_at,
              reminders=outcome.reminders)
    await best_effort("refresh board", refresh_board(context, bloc))
    return True


def _decide_hour(context: Context, session, pending: PendingReply, answer: Answer):
    bloc = secretary_bloc(session, pending, answer)
    if isinstance(bloc, BlocRefused):
        return bloc
    s = context.services
    return service.set_hour(session, bloc_id=bloc.id, text=clean(answer.text), by=answer.user_id, now=answer.now,
                            tz=s.tz, rules_of=s.settings.reminders.rules, provinces=s.provinces)


async def _tell_hour(update: Update, context: Context, pending: PendingReply, outcome) -> bool:
    if isinstance(outcome, BlocRefused):
        await refuse_command(update, context, outcome, "lich")
        return True
    if isinstance(outcome, Refused):
        await say(update, context, "schedule.error_hour")
        return False
    scheduler.set_alarm(context.application)
    await say(update, context, "schedule.hour_set", hour=outcome.hour)
    return True


answer_set = Decided(_decide_set, _tell_set)
answer_hour = Decided(_decide_hour, _tell_hour)
