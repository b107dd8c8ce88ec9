"""/tinhhinh: the bloc's registration status; the pinned status board kept up to date;
reopening one unit after the deadline."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest

from domain.chunks import MAX_CHUNKS, TEXT_LIMIT, split_lines, utf16_len
from domain.text import clean, shorten
from exports.registration_sheet import SheetRow, registration_sheet
from handlers import miniapp
from handlers import province as province_handlers
from handlers.buttons import ExportYear, Status
from handlers.common import (BUTTON_NAME, Context, alert, ask, best_effort, command_text, keyboard, label, say, tell,
                             transaction)
from handlers.gates import acting, in_group, pressed_in_group, pressed_message, refuse_button, refuse_command
from handlers.pacing import pacer
from handlers.replies import Answer, Decided, secretary_bloc
from khoibot import outbox
from khoibot.services import Services
from services import quotas as quota_service
from services import status as status_service
from services.blocs import Refused as BlocRefused
from services.blocs import bloc_in
from services.quotas import Refusal as QuotaRefusal
from services.quotas import Refused as QuotaRefused
from storage.models import Bloc, PendingReply

log = logging.getLogger(__name__)


# The registration sheet (.xlsx) is the status as a spreadsheet: sent by /tinhhinh when the
# status is too long for the chat, by the board's button, and by /xuat (handlers/exports.py).
def sheet_rows(context: Context, view: status_service.View) -> list[SheetRow]:
    render = context.services.render.plain
    rows = []
    for unit in view.status.units:
        reg = unit.registration
        rows.append(SheetRow(
            unit=unit.name,
            collective=[t.name for t in unit.collective if not t.commendation],
            commendations=[t.name for t in unit.collective if t.commendation],
            individuals=[(t.name, count, names) for t, count, names in unit.individuals],
            targets=reg.targets if unit.registered else "",
            registered_at=reg.confirmed_at if unit.registered else None,
            note=render("exports.sheet_note", unit=unit),
        ))
    return rows


async def send_registration_sheet(context: Context, view: status_service.View, chat_id: int, *,
                                  offer_all: bool = False) -> None:
    """The sheet of the status ``view`` was read for; with ``offer_all``, the button for
    the year's whole data under it."""
    s = context.services
    bloc, year = view.bloc, view.status.year
    content = registration_sheet(bloc_name=bloc.name, year=year, province=bloc.province,
                                 rows=sheet_rows(context, view), generated_at=s.clock.now(), tz=s.tz)
    markup = keyboard([[(label(context, "exports.btn_all", year=year), ExportYear(year).pack())]]) if offer_all else None
    await outbox.send_document(context.bot, s, chat_id, content, filename=f"dang_ky_thi_dua_{year}.xlsx",
                               caption=s.render("exports.sheet_caption", bloc=bloc, year=year), reply_markup=markup)


def status_keyboard(context: Context):
    return keyboard([[(label(context, "status.btn_reopen"), Status("pick").pack()),
                      (label(context, "status.btn_export"), Status("xlsx").pack())],
                     [(label(context, "status.btn_quota"), Status("quota").pack())]])


async def year_refused(update: Update, context: Context, refused: status_service.Refused, bloc: Bloc,
                       command: str) -> None:
    """The year typed after the command cannot be shown: not a year, or one the bloc has no
    records of (services.status.read_year)."""
    typed = command_text(update)
    if refused.code == status_service.Refusal.NOT_A_YEAR:
        await say(update, context, "status.year_not_a_number", command=command, typed=typed[:30], bloc=bloc)
    else:
        await say(update, context, "status.year_no_data", command=command, year=refused.year, years=refused.years,
                  bloc=bloc)


@in_group
async def tinhhinh(update: Update, context: Context) -> None:
    """/tinhhinh, or /tinhhinh 2025 for a past year: the bloc found and the status of the
    year typed read in one transaction."""
    with transaction(context) as session:
        bloc = bloc_in(session, chat_id=update.effective_chat.id)
        view = bloc if isinstance(bloc, BlocRefused) else status_service.read_year(
            session, bloc_id=bloc.id, typed=command_text(update), catalogue=context.services.catalogue_for)
    if isinstance(view, BlocRefused):
        await refuse_command(update, context, view, "tinhhinh")
        return
    if isinstance(view, status_service.Refused):
        await year_refused(update, context, view, bloc, "tinhhinh")
        return
    text = context.services.render("status.full", status=view.status, **view.extra)
    if len(split_lines(text)) > MAX_CHUNKS:
        # Past a few messages the spreadsheet is the better answer.
        await say(update, context, "status.too_long_for_chat", status=view.status, **view.extra)
        await send_registration_sheet(context, view, update.effective_chat.id)
        return
    markup = status_keyboard(context) if view.editable else None
    markup = miniapp.with_row(markup, miniapp.group_link(context.services, context.bot.username, miniapp.STATUS, bloc.id))
    await say(update, context, "status.full", status=view.status, reply_markup=markup, **view.extra)


def _board_text(context: Context, view: status_service.View) -> str:
    """The pinned status board as it reads now (compact, or cut at a line, when the full
    board would pass one message)."""
    render = context.services.render
    text = render("status.board", status=view.status, compact=False, **view.extra)
    if utf16_len(text) > TEXT_LIMIT:
        text = render("status.board", status=view.status, compact=True, **view.extra)
    return text if utf16_len(text) <= TEXT_LIMIT else split_lines(text)[0]


def board_texts(context: Context, blocs: list[Bloc]) -> dict[int, str]:
    """Each bloc's pinned status board as it reads now (the blocs' rows read at once)."""
    with transaction(context) as session:
        views = status_service.statuses(session, blocs, context.services.catalogue_for)
    return {bloc_id: _board_text(context, view) for bloc_id, view in views.items()}


async def refresh_board(context: Context, bloc: Bloc) -> None:
    """Bring the bloc's pinned status board up to date. Updates run concurrently, so two
    people confirming at once must neither post two boards nor leave the older text last:
    one refresh runs at a time per bloc, and a request that comes while one runs is folded
    into one more run of it (which reads the database afresh).

    A burst of changes in one bloc (a meeting where every unit registers) is shown by one
    edit per ``board_refresh_seconds`` (handlers/pacing.py): the first change at once, the
    ones that come within the interval together at its end. What was confirmed is saved and
    acknowledged before; only the board's text waits."""
    async def flush(blocs: list[Bloc]) -> None:
        await _refresh_board(context, blocs[-1])

    await pacer(context.application, "refresh board").request(
        context.application, bloc.id, bloc, flush, context.services.settings.bot.board_refresh_seconds)
    # The bloc's counts are also a line of its province's board.
    await province_handlers.refresh_for_bloc(context.application, bloc)


async def _refresh_board(context: Context, bloc: Bloc) -> None:
    """Edit the pinned status message in place; post and pin it when there is none (or it
    was deleted, or the group moved). Without the right to pin, say so once and go on unpinned."""
    s = context.services
    # One read (the board's row and the status), the edit or the post, one record.
    with transaction(context) as session:
        read = status_service.board(session, bloc=bloc, catalogue=s.catalogue_for)
    board, text = read.row, _board_text(context, read.view)
    if board is not None and board.chat_id == bloc.chat_id:
        key = (board.chat_id, board.message_id)
        if s.board_texts.get(key) == text:
            return
        try:
            await outbox.edit(context.bot, board.chat_id, board.message_id, text)
            s.board_texts[key] = text
            return
        except BadRequest as exc:  # deleted by someone: post a new board
            log.info("status board gone, posting a new one", extra={"bloc_id": bloc.id, "error": exc.message})
    message = await outbox.send(context.bot, s, bloc.chat_id, text)
    if message is None:
        return
    refusal_told = board.pin_refusal_told if board else False
    pinned = await outbox.pin(context.bot, message.chat.id, message.message_id)
    if not pinned and not refusal_told:
        await tell(context, bloc.chat_id, "status.cannot_pin")
        refusal_told = True
    s.board_texts[(message.chat.id, message.message_id)] = text
    with transaction(context) as session:
        status_service.record_board(session, bloc=bloc, chat_id=message.chat.id, message_id=message.message_id,
                                    pinned=pinned, pin_refusal_told=refusal_told)


def _decide(session, bloc: Bloc, button: Status | None, by: int, s: Services):
    """What a press of the status's buttons decides, past the gate (None: stale data)."""
    action = button.action if button else None
    if action == "xlsx":
        return status_service.status(session, bloc_id=bloc.id, catalogue=s.catalogue_for)
    if action == "quota":
        return quota_service.menu(session, bloc_id=bloc.id, catalogue=s.catalogue_for)
    if action == "qt":
        return quota_service.asking(session, bloc_id=bloc.id, code=button.code, catalogue=s.catalogue_for)
    if action == "pick":
        return status_service.units(session, bloc_id=bloc.id)
    if action == "reopen" and button.unit_id is not None:
        return status_service.reopen(session, bloc_id=bloc.id, unit_id=button.unit_id, by=by, now=s.clock.now(),
                                     days=s.settings.bot.reopen_days)
    return None


@pressed_in_group
async def on_button(update: Update, context: Context) -> None:
    query = update.callback_query
    button = Status.unpack(query.data)
    action = button.action if button else None
    s = context.services
    actor = await acting(update, context)
    with transaction(context) as session:
        bloc = bloc_in(session, chat_id=query.message.chat.id, actor=actor, secretary=True,
                       message=pressed_message(update))
        outcome = bloc if isinstance(bloc, BlocRefused) else _decide(session, bloc, button,
                                                                     update.effective_user.id, s)
    if isinstance(outcome, BlocRefused):
        await refuse_button(update, context, outcome)
        return
    if outcome is None:
        await alert(update, context, "common.stale_button")
        return
    if action == "xlsx":
        await query.answer()
        await send_registration_sheet(context, outcome, query.message.chat.id)
        return
    if action == "quota":
        await query.answer()
        # Once the ballot has opened the quotas are only shown.
        rows = [] if outcome.fixed else [[(t.name[:60], Status(Status.QUOTA_TITLE, code=t.code).pack())]
                                         for t, _ in outcome.titles]
        await outbox.send(context.bot, s, query.message.chat.id,
                          s.render("status.pick_quota", bloc=outcome.bloc, titles=outcome.titles, fixed=outcome.fixed),
                          reply_markup=keyboard(rows) if rows else None)
        return
    if action == "qt":
        if isinstance(outcome, QuotaRefused):
            if outcome.code == QuotaRefusal.LOCKED:
                await alert(update, context, "status.quota_locked", year=outcome.year)
            else:
                await alert(update, context, "common.stale_button")
            return
        await query.answer()
        await ask(update, context, "status.ask_quota", action="status.quota", bloc_id=bloc.id, code=outcome.title.code,
                  title=outcome.title.name, year=outcome.year, current=outcome.current)
        return
    if action == "pick":
        await query.answer()
        rows = [[(shorten(u.name, BUTTON_NAME), Status("reopen", u.id).pack())] for u in outcome]
        await outbox.send(context.bot, s, query.message.chat.id, s.render("status.pick_reopen"),
                          reply_markup=keyboard(rows))
        return
    if isinstance(outcome, status_service.Refused):
        await alert(update, context, "roster.unit_gone")
        return
    await query.answer()
    await outbox.edit(context.bot, query.message.chat.id, query.message.message_id,
                      s.render("status.reopened", unit=outcome.unit, until=outcome.until))
    for person in outcome.people:
        await tell(context, person.id, "registration.reopened_for_you", unit=outcome.unit, bloc=bloc,
                   until=outcome.until)


# ---- the bloc's quotas for its year: one fact (storage/quotas.py), set from /tinhhinh at any
# time of the year or from /binhxet's preparation; the status, the board and the ballot read it.

async def _quota_refused(update: Update, context: Context, refused: QuotaRefused, text: str) -> None:
    if refused.code == QuotaRefusal.OUT_OF_RANGE:
        await say(update, context, "review.error_quota", text=text[:30], members=refused.members)
    elif refused.code == QuotaRefusal.LOCKED:
        await say(update, context, "status.quota_locked", year=refused.year)
    else:
        await say(update, context, "common.question_expired")


def _decide_quota(context: Context, session, pending: PendingReply, answer: Answer):
    """A secretary's typed quota (the gate checked again at answer time): the bloc, with the
    service's outcome, for the board's refresh after the commit."""
    bloc = secretary_bloc(session, pending, answer)
    if isinstance(bloc, BlocRefused):
        return bloc
    question = pending.payload
    return bloc, quota_service.answer(session, bloc_id=bloc.id, code=question.code, year=question.year,
                                      text=clean(answer.text), by=answer.user_id, now=answer.now,
                                      catalogue=context.services.catalogue_for)


async def _tell_quota(update: Update, context: Context, pending: PendingReply, decided) -> bool:
    if isinstance(decided, BlocRefused):
        await refuse_command(update, context, decided, "tinhhinh")
        return True
    bloc, outcome = decided
    if isinstance(outcome, QuotaRefused):
        await _quota_refused(update, context, outcome, clean(update.message.text or ""))
        return outcome.code != QuotaRefusal.OUT_OF_RANGE
    title, saved = outcome
    await say(update, context, "status.quota_set", title=title.name, quota=saved.quota, year=saved.year)
    await best_effort("refresh board", refresh_board(context, bloc))
    return True


answer_quota = Decided(_decide_quota, _tell_quota)
