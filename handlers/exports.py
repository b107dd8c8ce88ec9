"""/xuat: files for the secretary. Now the registration sheet (.xlsx); the minutes, the
nomination list and the proposal come with the review meeting (issue 5)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from exports.registration_sheet import SheetRow, registration_sheet
from handlers.common import NEW_MESSAGES, Context, group_command, svc
from handlers.status import chosen_year, load_status
from storage.models import Bloc


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


async def send_registration_sheet(context: Context, bloc: Bloc, chat_id: int, year: int | None = None) -> None:
    """The sheet of ``year`` (None: the current year)."""
    s = svc(context)
    year = bloc.year if year is None else year
    content = registration_sheet(bloc_name=bloc.name, year=year, province=bloc.province,
                                 rows=sheet_rows(context, bloc, year), generated_at=s.clock.now(), tz=s.tz)
    await context.bot.send_document(chat_id, document=content, filename=f"dang_ky_thi_dua_{year}.xlsx",
                                    caption=s.render("exports.sheet_caption", bloc=bloc, year=year))


@group_command()
async def xuat(update: Update, context: Context, bloc: Bloc) -> None:
    """/xuat, or /xuat 2025 for a past year's sheet."""
    year = await chosen_year(update, context, bloc, "xuat")
    if year is None:
        return
    await send_registration_sheet(context, bloc, update.effective_chat.id, year)
    # The review's documents of that year, latest version, when the bloc has voted.
    from handlers.review import send_latest_documents

    await send_latest_documents(context.application, bloc, update.effective_chat.id, year)


def handlers() -> list:
    return [CommandHandler("xuat", xuat, filters=NEW_MESSAGES)]
