"""/xuat: files for the secretary: the registration sheet (.xlsx) and the review's
documents of the year; under the sheet, a button for all of the bloc's data for that year
in one workbook (exports/year_workbook.py), sent to the pressing secretary's private chat."""

from __future__ import annotations

from telegram import Update

from domain.scores import Criterion
from exports import year_workbook
from handlers.buttons import ExportYear
from handlers.common import Context, alert, command_text, transaction
from handlers.documents import send_documents
from handlers.gates import acting, in_group, pressed_in_group, pressed_message, refuse_button, refuse_command
from handlers.status import send_registration_sheet, year_refused
from khoibot import outbox
from khoibot.services import Services
from services import status as status_service
from services import yearly
from services.blocs import Refused as BlocRefused
from services.blocs import bloc_in
from services.yearly import Refusal, Refused


def year_workbook_of(s: Services, data: yearly.YearData) -> bytes:
    """All of the bloc's data for the year as one .xlsx workbook."""
    catalogue = s.catalogue_for(data.bloc, data.year)

    def title_name(code: str) -> str:
        title = catalogue.get(code)
        return title.name if title is not None else code

    return year_workbook.year_workbook(
        data.records, title_name=title_name,
        milestone_name=lambda kind: s.render.plain("schedule.milestone_name", kind=kind),
        criteria=[(c.name, c.max) for c in data.criteria], generated_at=s.clock.now(), tz=s.tz)


@pressed_in_group
async def on_button(update: Update, context: Context) -> None:
    """xu:all:<year>: the year's whole data, to the pressing secretary's private chat (it
    holds people's names and the audit log: not for the whole group)."""
    button = ExportYear.unpack(update.callback_query.data)
    s = context.services
    user_id = update.effective_user.id
    actor = await acting(update, context)
    with transaction(context) as session:
        bloc = bloc_in(session, chat_id=update.callback_query.message.chat.id, actor=actor, secretary=True,
                       message=pressed_message(update))
        data = bloc if isinstance(bloc, BlocRefused) else yearly.year_data(
            session, bloc_id=bloc.id, year=button.year if button else None, by=user_id, now=s.clock.now(),
            default_criteria=[Criterion(c.name, c.max) for c in s.settings.scores.criteria])
    if isinstance(data, BlocRefused):
        await refuse_button(update, context, data)
        return
    if isinstance(data, Refused):
        await alert(update, context, "common.stale_button" if data.code == Refusal.STALE
                    else "exports.open_private_first")
        return
    sent = await outbox.send_document(context.bot, s, user_id, year_workbook_of(s, data),
                                      filename=year_workbook.filename(data.year),
                                      caption=s.render("exports.all_caption", bloc=data.bloc, year=data.year))
    if sent is None:  # the person blocked the bot since (outbox marked them unreachable)
        await alert(update, context, "exports.open_private_first")
        return
    await alert(update, context, "exports.all_sent", year=data.year)


@in_group
async def xuat(update: Update, context: Context) -> None:
    """/xuat, or /xuat 2025 for a past year's sheet; with it the review's documents of that
    year, latest version, when the bloc has voted. All read in one transaction."""
    with transaction(context) as session:
        bloc = bloc_in(session, chat_id=update.effective_chat.id)
        sheet = bloc if isinstance(bloc, BlocRefused) else yearly.sheet(
            session, bloc_id=bloc.id, typed=command_text(update), catalogue=context.services.catalogue_for)
    if isinstance(sheet, BlocRefused):
        await refuse_command(update, context, sheet, "xuat")
        return
    if isinstance(sheet, status_service.Refused):
        await year_refused(update, context, sheet, bloc, "xuat")
        return
    chat_id, year = update.effective_chat.id, sheet.view.status.year
    await send_registration_sheet(context, sheet.view, chat_id, offer_all=True)
    await send_documents(context.application, sheet.documents, chat_id, year)
