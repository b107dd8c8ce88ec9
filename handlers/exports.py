"""/xuat: files for the secretary: the registration sheet (.xlsx) and the review's
documents of the year; under the sheet, a button for all of the bloc's data for that year
in one workbook (exports/year_workbook.py), sent to the pressing secretary's private chat."""

from __future__ import annotations

from telegram import Update
from telegram.error import Forbidden

from domain.scores import Criterion
from exports import year_workbook
from handlers.buttons import ExportYear
from handlers.common import Context, alert, group_button, group_command, svc
from handlers.documents import send_latest_documents
from handlers.status import chosen_year, send_registration_sheet
from khoibot.services import Services
from storage import audit, rollover, yearly
from storage.models import Bloc, TgUser
from storage.users import mark_unreachable, reachable


def year_export(s: Services, bloc: Bloc, year: int, *, by: int | None) -> bytes:
    """All of the bloc's data for ``year`` as one .xlsx workbook; the export is audited."""
    default = [Criterion(c.name, c.max) for c in s.settings.scores.criteria]
    with s.db.session() as session:
        records = yearly.year_records(session=session, bloc=bloc, year=year)
        audit.record(session=session, bloc_id=bloc.id, actor_id=by, now=s.clock.now(), action="export.year",
                     year=year)

    def title_name(code: str) -> str:
        title = s.catalogue.get(code)
        return title.name if title is not None else code

    return year_workbook.year_workbook(
        records, title_name=title_name, milestone_name=lambda kind: s.render.plain("schedule.milestone_name", kind=kind),
        criteria=[(c.name, c.max) for c in records.criteria or default], generated_at=s.clock.now(), tz=s.tz)


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
    await send_latest_documents(context.application, bloc, update.effective_chat.id, year)
