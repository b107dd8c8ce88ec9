"""/xuat: files for the secretary: the registration sheet (.xlsx) and the review's
documents of the year; under the sheet, a button for all of the bloc's data for that year
in one workbook (exports/year_workbook.py), sent to the pressing secretary's private chat."""

from __future__ import annotations

from telegram import Update
from telegram.error import Forbidden

from domain.scores import Criterion, from_rows
from exports import year_workbook
from exports.registration_sheet import SheetRow, registration_sheet
from handlers.buttons import ExportYear
from handlers.common import Context, alert, group_button, group_command, keyboard, label, svc
from handlers.status import chosen_year, load_status
from khoibot.services import Services
from storage import audit, rollover, yearly
from storage import scores as score_store
from storage.models import Bloc, TgUser
from storage.users import mark_unreachable, reachable


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


def year_export(s: Services, bloc: Bloc, year: int, *, by: int | None) -> bytes:
    """All of the bloc's data for ``year`` as one .xlsx workbook; the export is audited."""
    default = [Criterion(c.name, c.max) for c in s.settings.scores.criteria]
    with s.db.session() as session:
        own = score_store.own_table(session=session, bloc_id=bloc.id, year=year)
        criteria = from_rows(own.criteria) if own else default
        records = yearly.year_records(session=session, bloc=bloc, year=year)
        audit.record(session=session, bloc_id=bloc.id, actor_id=by, now=s.clock.now(), action="export.year",
                     year=year)

    def title_name(code: str) -> str:
        title = s.catalogue.get(code)
        return title.name if title is not None else code

    return year_workbook.year_workbook(
        records, title_name=title_name, milestone_name=lambda kind: s.render.plain("schedule.milestone_name", kind=kind),
        criteria=[(c.name, c.max) for c in criteria], generated_at=s.clock.now(), tz=s.tz)


@group_button(secretary=True)
async def on_button(update: Update, context: Context, bloc: Bloc) -> None:
    """xu:all:<year>: the year's whole data, to the pressing secretary's private chat (it
    holds people's names and the audit log: not for the whole group)."""
    button = ExportYear.unpack(update.callback_query.data)
    year = button.year if button else None
    s = svc(context)
    with s.db.session() as session:
        years = rollover.years_with_data(session=session, bloc=bloc)
        person = session.get(TgUser, update.effective_user.id)
    if year is None or year not in years:
        await alert(update, context, "common.stale_button")
        return
    user_id = update.effective_user.id
    if not reachable(person):
        await alert(update, context, "exports.open_private_first")
        return
    content = year_export(s, bloc, year, by=user_id)
    try:
        await context.bot.send_document(user_id, document=content, filename=year_workbook.filename(year),
                                        caption=s.render("exports.all_caption", bloc=bloc, year=year))
    except Forbidden:
        with s.db.session() as session:
            mark_unreachable(session=session, user_id=user_id, now=s.clock.now())
        await alert(update, context, "exports.open_private_first")
        return
    await alert(update, context, "exports.all_sent", year=year)


@group_command()
async def xuat(update: Update, context: Context, bloc: Bloc) -> None:
    """/xuat, or /xuat 2025 for a past year's sheet."""
    year = await chosen_year(update, context, bloc, "xuat")
    if year is None:
        return
    await send_registration_sheet(context, bloc, update.effective_chat.id, year, offer_all=True)
    # The review's documents of that year, latest version, when the bloc has voted.
    from handlers.review import send_latest_documents

    await send_latest_documents(context.application, bloc, update.effective_chat.id, year)
