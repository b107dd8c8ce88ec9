"""/baocao: a unit's representative sends the report (or self-score sheet) before a review
meeting as a file in the private chat; it is kept (by Telegram file id) and forwarded to
the secretaries. Also the buttons of reminder DMs ("do:<command>:<unit id>")."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from pathlib import PurePath

from telegram import Update

from domain.text import clean
from handlers.buttons import DoDuty, ReportPeriod
from handlers.common import (private_button, Context, alert, best_effort, represented_units, unit_choices, keyboard,
                             private_command, say, svc, with_leave_hint)
from handlers.notices import notify_secretaries
from handlers.replies import KEEP_WAITING
from khoibot import outbox
from storage import pending as pending_store
from storage import reports, roles, roster
from storage.models import Bloc, PendingReply, Unit
from storage.users import reachable

PERIODS = ReportPeriod.PERIODS
MAX_BYTES = 20 * 1024 * 1024  # what a bot may download from Telegram
ALLOWED = {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".odt", ".ods", ".rtf", ".zip", ".rar", ".7z"}
WAITING = "report.upload"
MAX_NAME = 200  # characters of a file name kept (stored, shown)
MAX_SUFFIX = 16  # a longer "extension" is only a dot far into the name


def stored_name(raw: str | None) -> str:
    """The file name as stored and shown: no control characters, one line (domain.text.clean),
    at most MAX_NAME characters, shortened in its stem so that the extension stays."""
    name = clean(raw or "") or "baocao"
    if len(name) <= MAX_NAME:
        return name
    suffix = PurePath(name).suffix
    if len(suffix) > MAX_SUFFIX:
        suffix = ""
    return name[:MAX_NAME - len(suffix)].rstrip() + suffix


def _my_units(context: Context, user_id: int) -> list[tuple[Unit, Bloc]]:
    with svc(context).db.session() as session:
        return roster.units_of_user(session=session, user_id=user_id)


@private_command
async def baocao(update: Update, context: Context) -> None:
    units = await represented_units(update, context)
    if units:
        await ask_period(update, context, units)


async def ask_period(update: Update, context: Context, units: list[tuple[Unit, Bloc]]) -> None:
    rows = unit_choices(context, units, lambda unit, period: ReportPeriod(period, unit.id).pack(), template="reports.btn_period",
                        variants=tuple({"period": p} for p in PERIODS))
    await outbox.send(context.bot, svc(context), update.effective_chat.id,
                      svc(context).render("reports.which"), reply_markup=keyboard(rows))


async def _pressed_for(update: Update, context: Context, unit_id: int | None):
    """The (unit, bloc) a press names, when the person represents it; else they are told why
    (a stale button, or not their unit) and None is returned."""
    target = next(((u, b) for u, b in _my_units(context, update.effective_user.id) if u.id == unit_id), None)
    if target is None:
        await alert(update, context, "registration.not_your_unit" if unit_id else "common.stale_button")
    return target


@private_button
async def on_period_button(update: Update, context: Context) -> None:
    """bc:<period>:<unit id>: the next file in this chat is that report."""
    button = ReportPeriod.unpack(update.callback_query.data)
    target = await _pressed_for(update, context, button.unit_id if button else None)
    if target is None:
        return
    unit, bloc = target
    s = svc(context)
    user_id = update.effective_user.id
    message = update.callback_query.message
    with s.db.session() as session:
        pending_store.drop_for(session=session, chat_id=user_id, user_id=user_id)
        pending_store.ask(session=session, chat_id=user_id, message_id=message.message_id, user_id=user_id,
                          action=WAITING, bloc_id=bloc.id, now=s.clock.now(), unit_id=unit.id, period=button.period)
    await update.callback_query.answer()
    await outbox.edit(context.bot, message.chat.id, message.message_id, with_leave_hint(
        context, s.render("reports.send_now", unit=unit, period=button.period, limit_mb=MAX_BYTES // 2**20)))


def waiting_upload(context: Context, user_id: int) -> PendingReply | None:
    """The report upload this person's private chat waits for, if any."""
    s = svc(context)
    with s.db.session() as session:
        return next((p for p in pending_store.for_chat(session=session, chat_id=user_id)
                     if p.action == WAITING and p.user_id == user_id and p.expires_at > s.clock.now()), None)


async def answer_text(update: Update, context: Context, pending: PendingReply, text: str) -> str:
    """A text reply to the «send the file here» message: a file is awaited, and the wait goes on."""
    with svc(context).db.session() as session:
        unit = session.get(Unit, pending.payload.get("unit_id") or 0)
    await say(update, context, "waits.file_awaited", unit=unit, period=pending.payload.get("period"))
    return KEEP_WAITING


async def on_document(update: Update, context: Context) -> None:
    s = svc(context)
    user_id = update.effective_user.id
    document = update.message.document
    waiting = waiting_upload(context, user_id)
    if waiting is None:  # nothing is filed, counted or forwarded
        await say(update, context, "reports.send_command_first")
        return
    filename = stored_name(document.file_name)
    if PurePath(filename.lower()).suffix not in ALLOWED:
        await say(update, context, "reports.wrong_kind", filename=filename, allowed=sorted(ALLOWED))
        return
    if document.file_size == 0:  # None: Telegram did not say, the file is taken
        await say(update, context, "reports.empty_file", filename=filename)
        return
    if (document.file_size or 0) > MAX_BYTES:
        await say(update, context, "reports.too_large", filename=filename, limit_mb=MAX_BYTES // 2**20)
        return
    unit_id, period = waiting.payload["unit_id"], waiting.payload["period"]
    target = next(((u, b) for u, b in _my_units(context, user_id) if u.id == unit_id), None)
    if target is None:
        await say(update, context, "registration.not_your_unit")
        return
    unit, bloc = target
    now = s.clock.now()
    with s.db.session() as session:
        reports.add(session=session, bloc=bloc, unit_id=unit.id, period=period, file_id=document.file_id,
                    file_unique_id=document.file_unique_id, filename=filename, size=document.file_size or 0,
                    mime_type=document.mime_type or "", by=user_id, now=now)
        pending_store.done(session=session, pending=session.merge(waiting))
        secretaries = [role.user_id for role, user in roles.secretaries(session=session, bloc=bloc) if reachable(user)]
    await say(update, context, "reports.received", unit=unit, period=period, filename=filename, at=now)
    caption = s.render("reports.caption", unit=unit, period=period, bloc=bloc)
    for secretary in secretaries:
        await best_effort("forward report", context.bot.send_document(secretary, document.file_id, caption=caption))
    await best_effort("notify secretaries", notify_secretaries(context, bloc, [], "reports.notice", unit=unit,
                                                               period=period, filename=filename))


# What a reminder's button opens for one unit: /dangky's overview, /giaouoc, /bophieu's ballot.
Opener = Callable[[Update, Context, Unit, Bloc], Awaitable[None]]


def duty_button(openers: Mapping[str, Opener]):
    """The buttons of reminder DMs: open the flow that fulfils the duty, for that unit.
    The route table gives the flows of the other commands (``openers`` by command): those
    modules import this one's neighbours, so this one does not import them; /baocao's is here."""

    @private_button
    async def on_do_button(update: Update, context: Context) -> None:
        button = DoDuty.unpack(update.callback_query.data)
        target = await _pressed_for(update, context, button.unit_id if button else None)
        if target is None:
            return
        await update.callback_query.answer()
        opener = openers.get(button.command)
        if opener is not None:
            await opener(update, context, *target)
        else:
            await ask_period(update, context, [target])

    return on_do_button
