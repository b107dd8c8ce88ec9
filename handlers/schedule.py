"""/lich: the bloc's milestones. For now the registration deadline, which a secretary
sets or moves; reminders before milestones come later (issue 4)."""

from __future__ import annotations

from datetime import time

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from domain.dates import DateParseError, is_past, parse_vn_datetime
from handlers.common import (NEW_MESSAGES, Context, alert, ask, best_effort, group_button, group_command, keyboard, label,
                             say, svc)
from handlers.replies import answers, secretary_answering
from handlers.status import load_status, refresh_board
from storage import milestones
from storage.milestones import REGISTRATION_DEADLINE
from storage.models import Bloc, PendingReply

SETTABLE = {"dl": REGISTRATION_DEADLINE}


@group_command()
async def lich(update: Update, context: Context, bloc: Bloc) -> None:
    status, extra = load_status(context, bloc)
    markup = keyboard([[(label(context, "schedule.btn_set_deadline"), "lc:set:dl")]])
    await say(update, context, "schedule.show", status=status, reply_markup=markup, **extra)


@group_button(secretary=True)
async def on_button(update: Update, context: Context, bloc: Bloc) -> None:
    data = update.callback_query.data or ""
    kind = SETTABLE.get(data.removeprefix("lc:set:"))
    if kind is None:
        await alert(update, context, "common.stale_button")
        return
    await update.callback_query.answer()
    await ask(update, context, "schedule.ask_deadline", action="schedule.set", bloc_id=bloc.id, kind=kind)


@answers("schedule.set")
async def answer_set(update: Update, context: Context, pending: PendingReply, text: str) -> bool:
    bloc = await secretary_answering(update, context, pending, "lich")
    if bloc is None:
        return True
    s = svc(context)
    now = s.clock.now()
    try:
        # A deadline given as a day runs to the end of that day.
        parsed = parse_vn_datetime(text, now=now, tz=s.tz, default_time=time(23, 59))
    except DateParseError as exc:
        await say(update, context, f"schedule.error_{exc.code}", text=text)
        return False
    if is_past(parsed.value, now):
        await say(update, context, "schedule.error_past", at=parsed.value)
        return False
    with s.db.session() as session:
        milestones.set_milestone(session=session, bloc=bloc, kind=pending.payload["kind"], at=parsed.value,
                                 by=update.effective_user.id, now=now)
    await say(update, context, "schedule.deadline_set", at=parsed.value)
    await best_effort("refresh board", refresh_board(context, bloc))
    return True


def handlers() -> list:
    return [CommandHandler("lich", lich, filters=NEW_MESSAGES), CallbackQueryHandler(on_button, pattern=r"^lc:")]
