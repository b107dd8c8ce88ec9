"""/lich: the bloc's milestones (deadlines and meetings) and what is still owed before
them. Secretaries set, move or cancel a milestone, which replans its reminders, and
choose the hour reminders go out at."""

from __future__ import annotations

from datetime import time

from telegram import Update

from domain.dates import DateParseError, accepted_years, fmt_date, fmt_time, is_past, parse_vn_datetime
from domain.milestones import MEETINGS, Kind, example, order_problem, parse_hour, split_place
from domain.reminders import plan
from handlers.buttons import Schedule
from handlers.common import Context, alert, ask, best_effort, group_button, group_command, keyboard, label, say, svc
from handlers.reminders import duties_by_unit, rules_for
from handlers.replies import secretary_answering
from handlers.status import refresh_board
from khoibot import outbox, scheduler
from storage import blocs as bloc_store
from storage import milestones, reminders
from storage.models import Bloc, Milestone, PendingReply

# Short codes for callback data.
CODES = {"dl": Kind.REGISTRATION_DEADLINE, "gu": Kind.COVENANT_MEETING, "sk": Kind.MIDYEAR_MEETING,
         "tk": Kind.YEAREND_MEETING, "hs": Kind.DOSSIER_DEADLINE}
CODE_OF = {kind: code for code, kind in CODES.items()}


def example_of(context: Context, bloc: Bloc, kind: Kind) -> dict[str, str]:
    """The date and hour a prompt for ``kind`` shows as its example: in the bloc's year and
    still to come (domain.milestones.example). Strings, as a question's payload is kept."""
    s = svc(context)
    at = example(kind, year=bloc.year, now=s.clock.now().astimezone(s.tz))
    return dict(date=fmt_date(at), time=fmt_time(at))


def year_problem(context: Context, bloc: Bloc, at) -> dict | None:
    """When a typed date is too far from the bloc's year to be meant: the accepted years."""
    s = svc(context)
    low, high = accepted_years(bloc.year, s.clock.now().astimezone(s.tz).year)
    return None if low <= at.astimezone(s.tz).year <= high else dict(at=at, low=low, high=high)


def _active(context: Context, bloc: Bloc) -> list[Milestone]:
    with svc(context).db.session() as session:
        return milestones.all_active(session=session, bloc=bloc)


def _view(context: Context, bloc: Bloc):
    s = svc(context)
    items = [dict(milestone=m, owing=duties_by_unit(s, bloc, m)) for m in _active(context, bloc)]
    active = {m["milestone"].kind for m in items}
    rows = [[(label(context, "schedule.btn_set", kind=kind.value), Schedule("set", code).pack())] for code, kind in CODES.items()]
    rows += [[(label(context, "schedule.btn_cancel", kind=kind.value), Schedule("cancel", code).pack())]
             for code, kind in CODES.items() if kind.value in active]
    rows.append([(label(context, "schedule.btn_hour"), Schedule("hour").pack())])
    hour = rules_for(s, bloc).hour
    return dict(bloc=bloc, items=items, hour=hour), keyboard(rows)


@group_command()
async def lich(update: Update, context: Context, bloc: Bloc) -> None:
    view, markup = _view(context, bloc)
    await say(update, context, "schedule.show", reply_markup=markup, **view)


@group_button(secretary=True)
async def on_button(update: Update, context: Context, bloc: Bloc) -> None:
    button = Schedule.unpack(update.callback_query.data)
    action, code = (button.action, button.code) if button else (None, None)
    kind = CODES.get(code)
    if action == "hour":
        await update.callback_query.answer()
        await ask(update, context, "schedule.ask_hour", action="schedule.hour", bloc_id=bloc.id)
    elif action == "set" and kind:
        await update.callback_query.answer()
        await ask(update, context, "schedule.ask_meeting" if kind in MEETINGS else "schedule.ask_deadline",
                  action="schedule.set", bloc_id=bloc.id, kind=kind.value, example=example_of(context, bloc, kind))
    elif action == "cancel" and kind:
        # Ask first: cancelling drops the milestone's reminders.
        s = svc(context)
        with s.db.session() as session:
            milestone = milestones.active(session=session, bloc=bloc, kind=kind.value)
        if milestone is None:
            await alert(update, context, "common.stale_button")
            return
        await update.callback_query.answer()
        message = update.callback_query.message
        await outbox.edit(context.bot, message.chat.id, message.message_id,
                          s.render("schedule.confirm_cancel", milestone=milestone),
                          reply_markup=keyboard([[(label(context, "schedule.btn_cancel_yes"), Schedule("cancelok", milestone_id=milestone.id).pack()),
                                                  (label(context, "schedule.btn_cancel_no"), Schedule("show").pack())]]))
    elif action == "cancelok":
        s = svc(context)
        with s.db.session() as session:
            milestone = session.get(Milestone, button.milestone_id)
            # The milestone named by the confirmation, if it is still this bloc's, this year's and active.
            if milestone is None or milestone.bloc_id != bloc.id or milestone.year != bloc.year \
                    or milestone.cancelled_at is not None:
                milestone = None
            else:
                milestones.cancel(session=session, milestone=milestone, by=update.effective_user.id, now=s.clock.now())
                reminders.cancel(session=session, milestone_id=milestone.id)
        if milestone is None:
            await alert(update, context, "common.stale_button")
            return
        await update.callback_query.answer()
        scheduler.set_alarm(context.application)
        message = update.callback_query.message
        await outbox.edit(context.bot, message.chat.id, message.message_id,
                          s.render("schedule.cancelled", milestone=milestone))
        await best_effort("refresh board", refresh_board(context, bloc))
    elif action == "show":
        await update.callback_query.answer()
        view, markup = _view(context, bloc)
        message = update.callback_query.message
        await outbox.edit(context.bot, message.chat.id, message.message_id,
                          svc(context).render("schedule.show", **view), reply_markup=markup)
    else:
        await alert(update, context, "common.stale_button")


def replan(context: Context, bloc: Bloc, milestone: Milestone) -> int:
    """Plan the milestone's reminders anew (after it was set or moved); how many ahead."""
    s = svc(context)
    planned = plan(at=milestone.at, meeting=Kind(milestone.kind) in MEETINGS, now=s.clock.now(), tz=s.tz,
                   rules=rules_for(s, bloc))
    with s.db.session() as session:
        reminders.replan(session=session, milestone=milestone, planned=planned)
    scheduler.set_alarm(context.application)
    return len(planned)


async def answer_set(update: Update, context: Context, pending: PendingReply, text: str) -> bool:
    bloc = await secretary_answering(update, context, pending, "lich")
    if bloc is None:
        return True
    s = svc(context)
    kind = Kind(pending.payload["kind"])
    # A question asked before prompts carried an example is asked again with one.
    pending.payload.setdefault("example", example_of(context, bloc, kind))
    meeting = kind in MEETINGS
    when_text, place = split_place(text)
    now = s.clock.now()
    try:
        # A deadline given as a day runs to the end of that day; a meeting needs its hour.
        parsed = parse_vn_datetime(when_text, now=now, tz=s.tz, default_time=None if meeting else time(23, 59))
    except DateParseError as exc:
        await say(update, context, f"schedule.error_{exc.code}", text=when_text, example=example_of(context, bloc, kind))
        return False
    if meeting and not parsed.has_time:
        await say(update, context, "schedule.error_meeting_time", example=example_of(context, bloc, kind))
        return False
    far = year_problem(context, bloc, parsed.value)
    if far:
        await say(update, context, "schedule.error_far", **far)
        return False
    if is_past(parsed.value, now):
        await say(update, context, "schedule.error_past", at=parsed.value)
        return False
    others = {Kind(m.kind): m.at for m in _active(context, bloc) if m.kind != kind.value}
    problem = order_problem(kind, parsed.value, others)
    if problem:
        await say(update, context, "schedule.error_order", earlier=problem[0].value, later=problem[1].value,
                  earlier_at=parsed.value if problem[0] == kind else others[problem[0]],
                  later_at=parsed.value if problem[1] == kind else others[problem[1]])
        return False
    with s.db.session() as session:
        previous = milestones.active(session=session, bloc=bloc, kind=kind.value)
        old_at = previous.at if previous else None
        milestone = milestones.set_milestone(session=session, bloc=bloc, kind=kind.value, at=parsed.value,
                                             place=place, by=update.effective_user.id, now=now)
    count = replan(context, bloc, milestone)
    await say(update, context, "schedule.set", milestone=milestone, old_at=old_at, reminders=count)
    await best_effort("refresh board", refresh_board(context, bloc))
    return True


async def answer_hour(update: Update, context: Context, pending: PendingReply, text: str) -> bool:
    bloc = await secretary_answering(update, context, pending, "lich")
    if bloc is None:
        return True
    hour = parse_hour(text)
    if hour is None:
        await say(update, context, "schedule.error_hour")
        return False
    s = svc(context)
    with s.db.session() as session:
        stored = session.merge(bloc)
        stored.reminder_hour = hour
        session.add(stored)
        bloc_store.record_setting(session=session, bloc=stored, by=update.effective_user.id, now=s.clock.now(),
                                  reminder_hour=hour)
    for milestone in _active(context, stored):
        replan(context, stored, milestone)
    await say(update, context, "schedule.hour_set", hour=hour)
    return True
