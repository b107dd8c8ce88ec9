"""/khoi: set a bloc up in its group, or show it; rename it; set its province."""

from __future__ import annotations

from telegram import Update

from domain.blocs import MAX_BLOC_NAME, SetupError, parse_setup
from domain.text import clean
from handlers.buttons import Catalogue, RenameBloc, SetProvince
from handlers.common import (GROUP_TYPES, Context, ask, command_text, group_button, is_group_admin, keyboard, label,
                             load_bloc, say, svc)
from handlers.replies import secretary_answering
from khoibot import outbox
from storage import blocs, quotas, roles, roster
from storage.models import Bloc, PendingReply
from storage.users import display_name


def bloc_card(context: Context, bloc: Bloc) -> dict:
    """What the card of a bloc shows: name, year, roles, counts."""
    with svc(context).db.session() as session:
        units = roster.active_units(session=session, bloc_id=bloc.id)
        people = roster.representatives(session=session, bloc_id=bloc.id)
        unit_roles = roles.unit_roles(session=session, bloc=bloc)
        secretaries = roles.secretaries(session=session, bloc=bloc)
    names = {u.id: u.name for u in units}
    return dict(
        bloc=bloc,
        units=len(units),
        represented=sum(1 for u in units if people.get(u.id)),
        lead=next((names[u] for u, k in unit_roles.items() if k == "truong_khoi" and u in names), None),
        deputy=next((names[u] for u, k in unit_roles.items() if k == "pho_khoi" and u in names), None),
        secretaries=[dict(id=user.id, name=display_name(user)) for _, user in secretaries if user is not None],
        admins_are_secretaries=svc(context).settings.bot.admins_are_secretaries,
    )


def card_keyboard(context: Context):
    return keyboard([[(label(context, "setup.btn_catalogue"), Catalogue().pack())],
                     [(label(context, "setup.btn_rename"), RenameBloc().pack()),
                      (label(context, "setup.btn_province"), SetProvince().pack())]])


async def khoi(update: Update, context: Context) -> None:
    chat, user = update.effective_chat, update.effective_user
    if chat.type not in GROUP_TYPES:
        await say(update, context, "common.group_only", command="khoi")
        return
    bloc = load_bloc(context, chat.id)
    if bloc is not None:
        await say(update, context, "setup.card", reply_markup=card_keyboard(context), **bloc_card(context, bloc))
        return
    if not await is_group_admin(context, chat.id, user.id):
        await say(update, context, "setup.admins_only")
        return
    text = command_text(update)
    if not text:
        await ask(update, context, "setup.ask_name", action="setup.create")
        return
    await create(update, context, text)


async def create(update: Update, context: Context, text: str) -> bool:
    s = svc(context)
    try:
        setup = parse_setup(text, s.local_now().year)
    except SetupError as exc:
        await say(update, context, f"setup.error_{exc.code}", limit=MAX_BLOC_NAME, year=s.local_now().year)
        return False
    chat_id, user_id = update.effective_chat.id, update.effective_user.id
    with s.db.session() as session:
        if blocs.bloc_of_chat(session=session, chat_id=chat_id) is not None:
            created = None
        else:
            created = blocs.create_bloc(session=session, chat_id=chat_id, name=setup.name, year=setup.year,
                                        province=clean(s.settings.bot.province), by=user_id, now=s.clock.now())
    if created is None:
        await say(update, context, "setup.already")
        return True
    await say(update, context, "setup.created", bloc=created)
    return True


async def answer_create(update: Update, context: Context, pending: PendingReply, text: str) -> bool:
    if not await is_group_admin(context, update.effective_chat.id, update.effective_user.id):
        await say(update, context, "setup.admins_only")
        return True
    return await create(update, context, text)


@group_button(secretary=False)
async def on_catalogue_button(update: Update, context: Context, bloc: Bloc) -> None:
    """The titles units may register for this year, with this bloc's quotas (the ones its
    secretary set, else the catalogue's)."""
    s = svc(context)
    with s.db.session() as session:
        members = len(roster.active_units(session=session, bloc_id=bloc.id))
        bloc_quotas = quotas.for_year(session=session, bloc_id=bloc.id, year=bloc.year, catalogue=s.catalogue,
                                      members=members)
    titles = [(t, bloc_quotas[t.code]) for t in s.catalogue.for_year(bloc.year)]
    await update.callback_query.answer()
    # Shown in place of the card, so presses by many people do not fill the group.
    message = update.callback_query.message
    await outbox.edit(context.bot, message.chat.id, message.message_id,
                      s.render("setup.catalogue", bloc=bloc, titles=titles, members=members))


@group_button(secretary=True)
async def on_card_button(update: Update, context: Context, bloc: Bloc) -> None:
    await update.callback_query.answer()
    if RenameBloc.unpack(update.callback_query.data):
        await ask(update, context, "setup.ask_rename", action="setup.rename", bloc_id=bloc.id, old=bloc.name)
    else:
        await ask(update, context, "setup.ask_province", action="setup.province", bloc_id=bloc.id,
                  old=bloc.province)


async def answer_rename(update: Update, context: Context, pending: PendingReply, text: str) -> bool:
    bloc = await secretary_answering(update, context, pending, "khoi")
    if bloc is None:
        return True
    if len(text) < 3 or len(text) > MAX_BLOC_NAME or not any(ch.isalpha() for ch in text):
        await say(update, context, "setup.error_name_missing" if len(text) < 3 else "setup.error_name_too_long",
                  limit=MAX_BLOC_NAME)
        return False
    s = svc(context)
    with s.db.session() as session:
        blocs.rename_bloc(session=session, bloc=session.merge(bloc), name=text, by=update.effective_user.id,
                          now=s.clock.now())
    await say(update, context, "setup.renamed", name=text)
    return True


async def answer_province(update: Update, context: Context, pending: PendingReply, text: str) -> bool:
    bloc = await secretary_answering(update, context, pending, "khoi")
    if bloc is None:
        return True
    if not text or len(text) > 100:
        await say(update, context, "setup.error_province")
        return False
    s = svc(context)
    with s.db.session() as session:
        blocs.set_province(session=session, bloc=session.merge(bloc), province=text,
                           by=update.effective_user.id, now=s.clock.now())
    await say(update, context, "setup.province_set", province=text)
    return True
