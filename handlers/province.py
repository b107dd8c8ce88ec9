"""/tinh: the province's officers (issue 18). In a group an officer makes it the province's
group, where the province board is pinned and edited in place as the blocs' year goes on; in
private the board comes with the officers' buttons (the nominations checked across blocs, the
.xlsx, the .zip). ``/tinh them`` adds an officer. Under a bloc's posted list its secretaries
send the dossier to the province. The decisions are services/province.py's."""

from __future__ import annotations

import logging
import re

from telegram import Update
from telegram.constants import ChatType
from telegram.error import BadRequest
from telegram.ext import Application

from domain.chunks import TEXT_LIMIT, split_lines, utf16_len
from domain.provinces import Province
from domain.text import fold
from exports.province_list import ListRow, province_list
from exports.province_zip import BlocFiles, province_zip
from handlers.buttons import DossierSend, ProvinceView
from handlers.common import GROUP_TYPES, Context, alert, best_effort, command_text, keyboard, label, say, transaction
from handlers.documents import send_documents
from handlers.gates import acting, pressed_in_group, pressed_message, refuse_button
from handlers.pacing import pacer
from khoibot import outbox
from khoibot.services import Services, services_of
from services import province as service
from services.blocs import Refused as BlocRefused
from services.blocs import bloc_in
from storage.models import Bloc

log = logging.getLogger(__name__)

_USER_ID = re.compile(r"[0-9]{1,15}")


def _buttons(context: Context, code: str):
    return keyboard([[(label(context, "province.btn_list"), ProvinceView("list", code).pack())],
                     [(label(context, "province.btn_xlsx"), ProvinceView("xlsx", code).pack()),
                      (label(context, "province.btn_zip"), ProvinceView("zip", code).pack())]])


async def tinh(update: Update, context: Context) -> None:
    """/tinh in a group (it becomes the province's group) or in private (the board);
    /tinh them (a reply to the person, or their Telegram id) adds an officer."""
    words = command_text(update).split()
    if words and fold(words[0]) == "them":
        await _add_officer(update, context, words[1:])
    elif update.effective_chat.type in GROUP_TYPES:
        await _in_group(update, context)
    else:
        await _in_private(update, context)


async def _in_private(update: Update, context: Context) -> None:
    s = context.services
    with transaction(context) as session:
        opened = service.open_board(session, s.provinces, user_id=update.effective_user.id, catalogue=s.catalogue,
                                    now=s.clock.now(), tz=s.tz)
    if isinstance(opened, service.Refused):
        await say(update, context, "province.not_officer")
        return
    await say(update, context, "province.board", board=opened.board,
              reply_markup=_buttons(context, opened.board.province.code))


async def _in_group(update: Update, context: Context) -> None:
    s = context.services
    with transaction(context) as session:
        done = service.set_group(session, s.provinces, user_id=update.effective_user.id,
                                 chat_id=update.effective_chat.id, now=s.clock.now())
    if isinstance(done, service.Refused):
        await say(update, context, "province.bloc_group" if done.code == service.Refusal.BLOC_GROUP
                  else "province.not_officer")
        return
    naming = done.province.in_year(s.local_now().year)
    await say(update, context, "province.group_set", naming=naming, replaced=done.replaced,
              reply_markup=_buttons(context, done.province.code))
    await refresh_province_board(context.application, done.province)


async def _add_officer(update: Update, context: Context, rest: list[str]) -> None:
    s = context.services
    replied = update.effective_message.reply_to_message
    new = None
    if replied is not None and replied.from_user is not None and not replied.from_user.is_bot:
        new = replied.from_user.id
    elif len(rest) == 1 and _USER_ID.fullmatch(rest[0]):
        new = int(rest[0])
    with transaction(context) as session:
        done = service.add_officer(session, s.provinces, user_id=update.effective_user.id, new=new,
                                   now=s.clock.now())
    if isinstance(done, service.Refused):
        template = {service.Refusal.NO_PERSON: "province.officer_usage",
                    service.Refusal.ALREADY_OFFICER: "province.officer_already"}.get(done.code, "province.not_officer")
        await say(update, context, template)
        return
    name = done.name or (replied.from_user.full_name if replied is not None and replied.from_user else "")
    await say(update, context, "province.officer_added", naming=done.province.in_year(s.local_now().year), name=name)


# ---- the officers' buttons: to the presser's private chat ------------------------------------

def _xlsx(s: Services, found: service.Nominations) -> bytes:
    groups = [(title.name, [ListRow(title=title.name, bloc=n.bloc.name, unit=n.unit.name, votes=n.votes,
                                    percent=n.percent, score=n.score,
                                    warnings=[s.render.plain("province.warning", w=w, names=found.names, level=found.naming.level)
                                              for w in n.warnings],
                                    version_sent=n.version_sent, sent_at=n.sent_at) for n in items])
              for title, items in found.by_title()]
    return province_list(province=s.render.plain("province.ban", naming=found.naming), year=found.year,
                         groups=groups, generated_at=s.clock.now(), tz=s.tz)


def _zip(s: Services, folders: list[service.Folder]) -> bytes:
    return province_zip([BlocFiles(f.bloc.name, f.version, [(d.kind, d.filename, d.content) for d in f.documents])
                         for f in folders], made_at=s.local_now())


async def on_view_button(update: Update, context: Context) -> None:
    query = update.callback_query
    button = ProvinceView.unpack(query.data)
    if button is None:
        await alert(update, context, "common.stale_button")
        return
    s = context.services
    user_id = update.effective_user.id
    now = s.clock.now()
    with transaction(context) as session:
        province = service.officer_province(session, s.provinces, user_id, button.code)
        if isinstance(province, service.Refused):
            found = province
        elif button.action == "zip":
            found = service.dossier_folders(session, province, None, now=now, tz=s.tz)
        else:
            found = service.nominations(session, province, None, s.catalogue, now=now, tz=s.tz)
    if isinstance(found, service.Refused):
        await alert(update, context, "province.not_officer_button")
        return
    if button.action == "list":
        sent = await outbox.send(context.bot, s, user_id, s.render("province.nominations", n=found))
    elif button.action == "xlsx":
        sent = await outbox.send_document(context.bot, s, user_id, _xlsx(s, found),
                                          filename=s.render.plain("province.xlsx_filename", year=found.year),
                                          caption=s.render("province.xlsx_caption", naming=found.naming,
                                                           year=found.year))
    else:
        year, folders = found
        naming = province.in_year(year)
        if not folders:
            sent = await outbox.send(context.bot, s, user_id, s.render("province.zip_empty", naming=naming, year=year))
        else:
            sent = await outbox.send_document(context.bot, s, user_id, _zip(s, folders),
                                              filename=s.render.plain("province.zip_filename", year=year),
                                              caption=s.render("province.zip_caption", naming=naming, year=year,
                                                               count=len(folders)))
    if sent is None:
        await alert(update, context, "province.open_private")
    elif query.message is not None and query.message.chat.type != ChatType.PRIVATE:
        await alert(update, context, "province.files_sent")
    else:
        await query.answer()


# ---- the province board, pinned in the province's group -------------------------------------

def _board_text(s: Services, board: service.Board) -> str:
    text = s.render("province.board", board=board)
    return text if utf16_len(text) <= TEXT_LIMIT else split_lines(text)[0]


async def refresh_for_bloc(app: Application, bloc: Bloc) -> None:
    """After a change in a bloc: its province's board, when the province is configured."""
    province = services_of(app).provinces.find(bloc.province)
    if province is not None:
        await refresh_province_board(app, province)


async def refresh_province_board(app: Application, province: Province) -> None:
    """Edit the province's pinned board in place (post and pin it when there is none), paced
    per province as a bloc's board is (handlers/pacing.py)."""
    s: Services = services_of(app)

    async def flush(items: list[Province]) -> None:
        await _refresh(app, items[-1])

    await pacer(app, "refresh province board").request(app, s.provinces.all.index(province), province, flush,
                                                        s.settings.bot.board_refresh_seconds)


async def _refresh(app: Application, province: Province) -> None:
    s: Services = services_of(app)
    with s.db.session() as session:
        place = service.board_place(session, province, s.catalogue, s.clock.now(), tz=s.tz)
    if place.chat_id is None:
        return
    text = _board_text(s, place.board)
    if place.message_id is not None:
        key = (place.chat_id, place.message_id)
        if s.board_texts.get(key) == text:
            return
        try:
            await outbox.edit(app.bot, place.chat_id, place.message_id, text)
            s.board_texts[key] = text
            return
        except BadRequest as exc:  # deleted: post a new board
            log.info("province board gone, posting a new one", extra={"province": province.code,
                                                                      "error": exc.message})
    message = await outbox.send(app.bot, s, place.chat_id, text)
    if message is None:
        return
    if not await outbox.pin(app.bot, message.chat.id, message.message_id):
        await outbox.send(app.bot, s, message.chat.id, s.render("province.cannot_pin"))
    s.board_texts[(message.chat.id, message.message_id)] = text
    with s.db.session() as session:
        service.record_board(session, province, chat_id=message.chat.id, message_id=message.message_id)


# ---- the dossier, from the bloc's group ------------------------------------------------------

async def offer_dossier(app: Application, bloc: Bloc, year: int) -> None:
    """Under the posted list and its documents: where the dossier stands, with the button to
    send it (again) when the province is configured and the officers lack this version."""
    s: Services = services_of(app)
    if s.provinces.find(bloc.province) is None:
        return
    with s.db.session() as session:
        offer = service.offer(session, s.provinces, bloc, year)
    if offer is None:
        return
    markup = None
    if not offer.up_to_date:
        name = "province.btn_resend" if offer.sent else "province.btn_send"
        markup = keyboard([[(s.render.plain(name, level=offer.naming.level), DossierSend(year).pack())]])
    await outbox.send(app.bot, s, bloc.chat_id, s.render("province.dossier_offer", offer=offer), reply_markup=markup)
    await refresh_province_board(app, offer.province)


_DOSSIER_REFUSALS = {service.Refusal.NO_LIST: "province.dossier_no_list",
                     service.Refusal.NO_PROVINCE: "province.dossier_no_province"}


@pressed_in_group
async def on_dossier_button(update: Update, context: Context) -> None:
    query = update.callback_query
    button = DossierSend.unpack(query.data)
    if button is None:
        await alert(update, context, "common.stale_button")
        return
    s = context.services
    actor = await acting(update, context)
    with transaction(context) as session:
        bloc = bloc_in(session, chat_id=query.message.chat.id, actor=actor, secretary=True,
                       message=pressed_message(update))
        sent = bloc if isinstance(bloc, BlocRefused) else service.send_dossier(
            session, s.provinces, bloc, year=button.year, by=update.effective_user.id, now=s.clock.now())
    if isinstance(sent, BlocRefused):
        await refuse_button(update, context, sent)
        return
    if isinstance(sent, service.Refused):
        if sent.code == service.Refusal.SENT_ALREADY:
            await alert(update, context, "province.dossier_already", at=sent.at)
        else:
            await alert(update, context, _DOSSIER_REFUSALS[sent.code])
        return
    await query.answer()
    await outbox.edit(context.bot, query.message.chat.id, query.message.message_id,
                      s.render("province.dossier_sent", sent=sent))
    if sent.group_chat_id is not None:
        await best_effort("dossier to the province", _deliver(context.application, sent))
    await best_effort("province board", refresh_province_board(context.application, sent.province))


async def _deliver(app: Application, sent: service.Sent) -> None:
    s: Services = services_of(app)
    await outbox.send(app.bot, s, sent.group_chat_id, s.render("province.dossier_arrived", sent=sent))
    await send_documents(app, sent.documents, sent.group_chat_id, sent.year,
                         caption=lambda d: s.render("province.dossier_caption", bloc=sent.bloc, kind=d.kind,
                                                    version=d.version, times=sent.times))
