"""/baocao: a unit's representative sends the report (or self-score sheet) before a review
meeting as a file in the private chat; it is kept (by Telegram file id) and forwarded to
the secretaries. Also the buttons of reminder DMs ("do:<command>:<unit id>"). The decisions
are services.reports'; this module parses, renders and sends."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from sqlmodel import Session
from telegram import Update

from domain.reports import ALLOWED, LIMIT_MB, PERIODS
from handlers.buttons import DoDuty, ReportPeriod
from handlers.common import (private_button, Context, alert, best_effort, represented_units, unit_choices, keyboard,
                             private_command, say, transaction, with_leave_hint)
from handlers.notices import notify_secretaries
from handlers.replies import Answer, Decided
from khoibot import outbox
from services import reports as service
from services.reports import Refusal, Refused, Upload
from storage.models import Bloc, PendingReply, Unit

WAITING = service.WAITING


@private_command
async def baocao(update: Update, context: Context) -> None:
    units = await represented_units(update, context)
    if units:
        await ask_period(update, context, units)


async def ask_period(update: Update, context: Context, units: list[tuple[Unit, Bloc]]) -> None:
    rows = unit_choices(context, units, lambda unit, period: ReportPeriod(period, unit.id).pack(),
                        template="reports.btn_period", variants=tuple({"period": p} for p in PERIODS))
    await outbox.send(context.bot, context.services, update.effective_chat.id,
                      context.services.render("reports.which"), reply_markup=keyboard(rows))


async def _refused_press(update: Update, context: Context, refused: Refused) -> None:
    await alert(update, context, "registration.not_your_unit" if refused.code == Refusal.NOT_YOUR_UNIT
                else "common.stale_button")


@private_button
async def on_period_button(update: Update, context: Context) -> None:
    """bc:<period>:<unit id>: the next file in this chat is that report."""
    button = ReportPeriod.unpack(update.callback_query.data)
    user_id = update.effective_user.id
    message = update.callback_query.message
    with transaction(context) as session:
        outcome = service.await_file(session, user_id=user_id, unit_id=button.unit_id if button else None,
                                     period=button.period if button else None, message_id=message.message_id,
                                     now=context.services.clock.now())
    if isinstance(outcome, Refused):
        await _refused_press(update, context, outcome)
        return
    await update.callback_query.answer()
    await outbox.edit(context.bot, message.chat.id, message.message_id, with_leave_hint(
        context, context.services.render("reports.send_now", unit=outcome.unit, period=outcome.period,
                                     limit_mb=LIMIT_MB)))


def _decide_text(context: Context, session: Session, pending: PendingReply, answer: Answer) -> Unit | None:
    return service.awaited_unit(session, pending)


async def _show_text(update: Update, context: Context, pending: PendingReply, unit: Unit | None) -> bool:
    await say(update, context, "waits.file_awaited", unit=unit, period=pending.payload.period)
    return True


# A text reply to the «send the file here» message: a file is awaited, and the wait goes on.
answer_text = Decided(_decide_text, _show_text, keep=True)


async def on_document(update: Update, context: Context) -> None:
    s = context.services
    document = update.message.document
    upload = Upload(file_id=document.file_id, file_unique_id=document.file_unique_id, file_name=document.file_name,
                    size=document.file_size, mime_type=document.mime_type)
    now = s.clock.now()
    with transaction(context) as session:
        outcome = service.receive(session, user_id=update.effective_user.id, upload=upload, now=now)
    if isinstance(outcome, Refused):
        if outcome.code == Refusal.NOT_AWAITED:
            await say(update, context, "reports.send_command_first")
        elif outcome.code == Refusal.NOT_YOUR_UNIT:
            await say(update, context, "registration.not_your_unit")
        else:
            await say(update, context, f"reports.{outcome.problem}", filename=outcome.filename,
                      allowed=sorted(ALLOWED), limit_mb=LIMIT_MB)
        return
    report, unit, bloc = outcome.report, outcome.unit, outcome.bloc
    await say(update, context, "reports.received", unit=unit, period=report.period, filename=report.filename, at=now)
    caption = s.render("reports.caption", unit=unit, period=report.period, bloc=bloc)
    for secretary in outcome.secretaries:
        forward = outbox.send_document(context.bot, s, secretary, report.file_id, caption=caption)
        await best_effort("forward report", forward)
    await best_effort("notify secretaries", notify_secretaries(context, bloc, [], "reports.notice", unit=unit,
                                                               period=report.period, filename=report.filename))


# What a reminder's button opens for one unit (by its id): /dangky's overview, /giaouoc,
# /bophieu's ballot; each checks, in its one transaction, that the person represents the unit.
Opener = Callable[[Update, Context, int], Awaitable[None]]


def duty_button(openers: Mapping[str, Opener]):
    """The buttons of reminder DMs: open the flow that fulfils the duty, for that unit.
    The route table gives the flows of the other commands (``openers`` by command): those
    modules import this one's neighbours, so this one does not import them; /baocao's is here."""

    @private_button
    async def on_do_button(update: Update, context: Context) -> None:
        button = DoDuty.unpack(update.callback_query.data)
        if button is None:
            await alert(update, context, "common.stale_button")
            return
        opener = openers.get(button.command)
        if opener is not None:
            await opener(update, context, button.unit_id)
            return
        with transaction(context) as session:
            target = service.acting_for(session, user_id=update.effective_user.id, unit_id=button.unit_id)
        if isinstance(target, Refused):
            await _refused_press(update, context, target)
            return
        await update.callback_query.answer()
        await ask_period(update, context, [target])

    return on_do_button
