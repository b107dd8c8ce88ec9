"""/tinhhinh: the bloc's registration status; the pinned status board kept up to date;
reopening one unit after the deadline."""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import Update
from telegram.error import BadRequest

from domain.chunks import MAX_CHUNKS, TEXT_LIMIT, split_lines, utf16_len
from domain.rollover import YearArgumentError, parse_year
from domain.status import Registered, Status, compile_status
from domain.text import shorten
from exports.registration_sheet import SheetRow, registration_sheet
from handlers.buttons import ExportYear, Status
from handlers.common import (BUTTON_NAME, Context, alert, ask, best_effort, command_text, group_button, group_command,
                             int_arg, keyboard, label, say, svc, tell)
from handlers.pacing import pacer
from handlers.replies import secretary_answering
from khoibot import outbox
from khoibot.services import Services
from storage import boards, quotas, registrations, rollover, roster
from storage.milestones import REGISTRATION_DEADLINE
from storage.models import Bloc, PendingReply
from storage.status import status_rows

log = logging.getLogger(__name__)


def _compiled(context: Context, bloc: Bloc, year: int, units, deadline, current, signed,
              own_quotas: dict[str, int]) -> tuple[Status, dict]:
    status = compile_status(
        units=[(u.id, u.name) for u in units],
        registrations={uid: Registered(r.collective, r.individuals, r.targets, r.withdrawn, r.confirmed_at)
                       for uid, r in current.items()},
        covenants={uid: c.confirmed_at for uid, c in signed.items()},
        catalogue=svc(context).catalogue, year=year, quotas=own_quotas)
    return status, dict(bloc=bloc, deadline=deadline.at if deadline else None)


def load_status(context: Context, bloc: Bloc, year: int | None = None) -> tuple[Status, dict]:
    """The bloc's status for ``year`` (None: the current year; a past year stays readable
    after /namsau) and what the templates need beside it (deadline)."""
    year = bloc.year if year is None else year
    if year == bloc.year:
        return load_statuses(context, [bloc])[bloc.id]
    with svc(context).db.session() as session:
        units = rollover.members_in_year(session=session, bloc=bloc, year=year)
        deadline = rollover.deadline_in_year(session=session, bloc_id=bloc.id, year=year,
                                             kind=REGISTRATION_DEADLINE)
        current = registrations.current(session=session, bloc_id=bloc.id, year=year)
        signed = registrations.covenants(session=session, bloc_id=bloc.id, year=year)
        own_quotas = quotas.own(session=session, bloc_id=bloc.id, year=year)
    return _compiled(context, bloc, year, units, deadline, current, signed, own_quotas)


def load_statuses(context: Context, blocs: list[Bloc]) -> dict[int, tuple[Status, dict]]:
    """Each bloc's status in its current year, read for all of them at once (storage/status.py:
    the same five statements for one bloc or a whole country's)."""
    with svc(context).db.session() as session:
        rows = status_rows(session=session, blocs=blocs)
    return {bloc.id: _compiled(context, bloc, bloc.year, rows[bloc.id].units, rows[bloc.id].deadline,
                               rows[bloc.id].current, rows[bloc.id].covenants, rows[bloc.id].quotas)
            for bloc in blocs}


# The registration sheet (.xlsx) is the status as a spreadsheet: sent by /tinhhinh when the
# status is too long for the chat, by the board's button, and by /xuat (handlers/exports.py).
def sheet_rows(context: Context, bloc: Bloc, year: int | None = None) -> list[SheetRow]:
    status, _ = load_status(context, bloc, year)
    render = svc(context).render.plain
    rows = []
    for unit in status.units:
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


async def send_registration_sheet(context: Context, bloc: Bloc, chat_id: int, year: int | None = None, *,
                                  offer_all: bool = False) -> None:
    """The sheet of ``year`` (None: the current year); with ``offer_all``, the button for
    the year's whole data under it."""
    s = svc(context)
    year = bloc.year if year is None else year
    content = registration_sheet(bloc_name=bloc.name, year=year, province=bloc.province,
                                 rows=sheet_rows(context, bloc, year), generated_at=s.clock.now(), tz=s.tz)
    markup = keyboard([[(label(context, "exports.btn_all", year=year), ExportYear(year).pack())]]) if offer_all else None
    await context.bot.send_document(chat_id, document=content, filename=f"dang_ky_thi_dua_{year}.xlsx",
                                    caption=s.render("exports.sheet_caption", bloc=bloc, year=year),
                                    reply_markup=markup)


def status_keyboard(context: Context):
    return keyboard([[(label(context, "status.btn_reopen"), Status("pick").pack()),
                      (label(context, "status.btn_export"), Status("xlsx").pack())],
                     [(label(context, "status.btn_quota"), Status("quota").pack())]])


async def chosen_year(update: Update, context: Context, bloc: Bloc, command: str) -> int | None:
    """The year typed after the command ("/tinhhinh 2025"), the current year when none was;
    None when it cannot be shown (not a year, or one the bloc has no records of: told so)."""
    typed = command_text(update)
    try:
        year = parse_year(typed)
    except YearArgumentError:
        await say(update, context, "status.year_not_a_number", command=command, typed=typed[:30], bloc=bloc)
        return None
    if year is None or year == bloc.year:
        return bloc.year
    with svc(context).db.session() as session:
        years = rollover.years_with_data(session=session, bloc=bloc)
    if year not in years:
        await say(update, context, "status.year_no_data", command=command, year=year, years=years, bloc=bloc)
        return None
    return year


@group_command()
async def tinhhinh(update: Update, context: Context, bloc: Bloc) -> None:
    year = await chosen_year(update, context, bloc, "tinhhinh")
    if year is None:
        return
    status, extra = load_status(context, bloc, year)
    text = svc(context).render("status.full", status=status, **extra)
    if len(split_lines(text)) > MAX_CHUNKS:
        # Past a few messages the spreadsheet is the better answer.
        await say(update, context, "status.too_long_for_chat", status=status, **extra)
        await send_registration_sheet(context, bloc, update.effective_chat.id, year)
        return
    # Reopening and the sheet's button act on the current year; a past year is only read.
    markup = status_keyboard(context) if year == bloc.year else None
    await say(update, context, "status.full", status=status, reply_markup=markup, **extra)


def board_texts(context: Context, blocs: list[Bloc]) -> dict[int, str]:
    """Each bloc's pinned status board as it reads now (compact, or cut at a line, when the
    full board would pass one message)."""
    render = svc(context).render
    texts = {}
    for bloc_id, (status, extra) in load_statuses(context, blocs).items():
        text = render("status.board", status=status, compact=False, **extra)
        if utf16_len(text) > TEXT_LIMIT:
            text = render("status.board", status=status, compact=True, **extra)
        texts[bloc_id] = text if utf16_len(text) <= TEXT_LIMIT else split_lines(text)[0]
    return texts


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
        context.application, bloc.id, bloc, flush, svc(context).settings.bot.board_refresh_seconds)


async def _refresh_board(context: Context, bloc: Bloc) -> None:
    """Edit the pinned status message in place; post and pin it when there is none (or it
    was deleted, or the group moved). Without the right to pin, say so once and go on unpinned."""
    s = svc(context)
    with s.db.session() as session:
        board = boards.board_of(session=session, bloc_id=bloc.id, year=bloc.year)
    text = board_texts(context, [bloc])[bloc.id]
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
    with s.db.session() as session:
        boards.save_board(session=session, bloc_id=bloc.id, year=bloc.year, chat_id=message.chat.id,
                          message_id=message.message_id, pinned=pinned, pin_refusal_told=refusal_told)


@group_button(secretary=True)
async def on_button(update: Update, context: Context, bloc: Bloc) -> None:
    query = update.callback_query
    button = Status.unpack(query.data)
    action, unit_id = (button.action, button.unit_id) if button else (None, None)
    s = svc(context)
    if action == "xlsx":
        await query.answer()
        await send_registration_sheet(context, bloc, query.message.chat.id)
        return
    if action == "quota":
        await query.answer()
        titles = s.catalogue.quota_titles(bloc.year)
        current = bloc_quotas(s, bloc)
        with s.db.session() as session:
            fixed = quotas.fixed(session=session, bloc=bloc)
        # Once the ballot has opened the quotas are only shown.
        rows = [] if fixed else [[(t.name[:60], Status(Status.QUOTA_TITLE, code=t.code).pack())] for t in titles]
        await outbox.send(context.bot, s, query.message.chat.id,
                          s.render("status.pick_quota", bloc=bloc, titles=[(t, current.get(t.code)) for t in titles],
                                   fixed=fixed), reply_markup=keyboard(rows) if rows else None)
        return
    if action == "qt":
        title = _quota_title(s, bloc, button.code)
        if title is None:
            await alert(update, context, "common.stale_button")
            return
        with s.db.session() as session:
            fixed = quotas.fixed(session=session, bloc=bloc)
        if fixed:
            await alert(update, context, "status.quota_locked", year=bloc.year)
            return
        await query.answer()
        await ask(update, context, "status.ask_quota", action="status.quota", bloc_id=bloc.id, code=title.code,
                  title=title.name, year=bloc.year, current=bloc_quotas(s, bloc).get(title.code))
        return
    if action == "pick":
        await query.answer()
        with s.db.session() as session:
            units = roster.active_units(session=session, bloc_id=bloc.id)
        rows = [[(shorten(u.name, BUTTON_NAME), Status("reopen", u.id).pack())] for u in units]
        await outbox.send(context.bot, s, query.message.chat.id, s.render("status.pick_reopen"),
                          reply_markup=keyboard(rows))
        return
    if action != "reopen" or unit_id is None:
        await alert(update, context, "common.stale_button")
        return
    now = s.clock.now()
    until = now + timedelta(days=s.settings.bot.reopen_days)
    with s.db.session() as session:
        unit = roster.unit_of_bloc(session=session, bloc_id=bloc.id, unit_id=unit_id)
        if unit is not None:
            registrations.reopen(session=session, bloc=bloc, unit_id=unit.id, until=until,
                                 by=update.effective_user.id, now=now)
            people = roster.representatives(session=session, bloc_id=bloc.id).get(unit.id, [])
    if unit is None:
        await alert(update, context, "roster.unit_gone")
        return
    await query.answer()
    await outbox.edit(context.bot, query.message.chat.id, query.message.message_id,
                      s.render("status.reopened", unit=unit, until=until))
    for person in people:
        await tell(context, person.id, "registration.reopened_for_you", unit=unit, bloc=bloc, until=until)


# ---- the bloc's quotas for its year: one fact (storage/quotas.py), set from /tinhhinh at any
# time of the year or from /binhxet's preparation; the status, the board and the ballot read it.

def _members(s: Services, bloc: Bloc) -> int:
    with s.db.session() as session:
        return len(roster.active_units(session=session, bloc_id=bloc.id))


def bloc_quotas(s: Services, bloc: Bloc) -> dict[str, int | None]:
    """code → the bloc's quota for its current year (its own, else the catalogue's)."""
    members = _members(s, bloc)
    with s.db.session() as session:
        return quotas.for_year(session=session, bloc_id=bloc.id, year=bloc.year, catalogue=s.catalogue,
                               members=members)


def _quota_title(s: Services, bloc: Bloc, code: str):
    return next((t for t in s.catalogue.quota_titles(bloc.year) if t.code == code), None)


async def save_quota(update: Update, context: Context, bloc: Bloc, code: str, text: str) -> str:
    """A secretary's typed quota for one title: "saved" (the caller confirms, then refreshes
    the board), "again" (not a whole number from 0 to the number of units: told, to be asked
    again) or "locked" (the year's ballot has opened, its quotas are fixed: told)."""
    s = svc(context)
    members = _members(s, bloc)
    quota = int_arg(text.strip())
    if quota is None or not 0 <= quota <= members:
        await say(update, context, "review.error_quota", text=text[:30], members=members)
        return "again"
    with s.db.session() as session:
        saved = quotas.set_quota(session=session, bloc=bloc, code=code, quota=quota, by=update.effective_user.id,
                                 now=s.clock.now())
    if not saved:
        await say(update, context, "status.quota_locked", year=bloc.year)
        return "locked"
    return "saved"


async def answer_quota(update: Update, context: Context, pending: PendingReply, text: str) -> bool:
    bloc = await secretary_answering(update, context, pending, "tinhhinh")
    if bloc is None:
        return True
    s = svc(context)
    title = _quota_title(s, bloc, pending.payload.get("code", ""))
    if title is None or pending.payload.get("year") != bloc.year:  # asked before /namsau
        await say(update, context, "common.question_expired")
        return True
    result = await save_quota(update, context, bloc, title.code, text)
    if result == "saved":
        await say(update, context, "status.quota_set", title=title.name, quota=int_arg(text.strip()), year=bloc.year)
        await best_effort("refresh board", refresh_board(context, bloc))
    return result != "again"
