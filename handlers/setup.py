"""/khoi: set a bloc up in its group, or show it; rename it; set its province. The decisions
are services.blocs'; here the update is read and the outcome told."""

from __future__ import annotations

from dataclasses import fields

from telegram import Update

from domain.blocs import MAX_BLOC_NAME
from domain.text import clean
from handlers import dossier_due
from handlers.buttons import Catalogue, RenameBloc, SetProvince
from handlers.common import Context, ask, best_effort, command_text, keyboard, label, say, transaction
from handlers.gates import acting, in_group, pressed_in_group, pressed_message, refuse_button, refuse_command
from handlers.replies import Answer, Decided, secretary_bloc
from khoibot import outbox
from services import blocs as service
from services.blocs import Refusal, Refused
from storage.models import PendingReply


def card_view(context: Context, card: service.Card) -> dict:
    """What templates setup.card reads."""
    return dict({f.name: getattr(card, f.name) for f in fields(card)},
                admins_are_secretaries=context.services.settings.bot.admins_are_secretaries)


def card_keyboard(context: Context):
    return keyboard([[(label(context, "setup.btn_catalogue"), Catalogue().pack())],
                     [(label(context, "setup.btn_rename"), RenameBloc().pack()),
                      (label(context, "setup.btn_province"), SetProvince().pack())]])


@in_group
async def khoi(update: Update, context: Context) -> None:
    # Only an administrator sets a bloc up: Telegram is asked before the transaction.
    actor = await acting(update, context, ask_admin=True)
    await _create(update, context, actor, command_text(update), service.khoi)


async def _create(update: Update, context: Context, actor: service.Actor, text: str, decide) -> bool:
    s = context.services
    with transaction(context) as session:
        outcome = decide(session, chat_id=update.effective_chat.id, actor=actor, text=text,
                         province=s.settings.bot.province, now=s.clock.now(), current_year=s.local_now().year)
    return await _told(update, context, outcome)


async def _told(update: Update, context: Context, outcome) -> bool:
    """The outcome of /khoi or of the bloc's name answered; False when the name was refused."""
    if isinstance(outcome, service.Card):
        await say(update, context, "setup.card", reply_markup=card_keyboard(context), **card_view(context, outcome))
    elif isinstance(outcome, service.AskName):
        await ask(update, context, "setup.ask_name", action="setup.create")
    elif isinstance(outcome, service.Created):
        await say(update, context, "setup.created", bloc=outcome.bloc)
        await best_effort("province deadline", dossier_due.follow(context.application, outcome.bloc))
    elif outcome.code == Refusal.ADMINS_ONLY:
        await say(update, context, "setup.admins_only")
    elif outcome.code == Refusal.ALREADY:
        await say(update, context, "setup.already")
    else:
        await say(update, context, f"setup.error_{outcome.problem}", limit=MAX_BLOC_NAME,
                  year=context.services.local_now().year)
        return False
    return True


def _decide_create(context: Context, session, pending: PendingReply, answer: Answer):
    s = context.services
    return service.create(session, chat_id=answer.chat_id, actor=answer.actor, text=clean(answer.text),
                          province=s.settings.bot.province, now=answer.now, current_year=s.local_now().year)


async def _show_created(update: Update, context: Context, pending: PendingReply, outcome) -> bool:
    return await _told(update, context, outcome)


# The bloc's name answered (only a group's administrator sets a bloc up: the router asked Telegram).
answer_create = Decided(_decide_create, _show_created)


@pressed_in_group
async def on_catalogue_button(update: Update, context: Context) -> None:
    """The titles units may register for this year, with this bloc's quotas."""
    s = context.services
    with transaction(context) as session:
        bloc = service.bloc_in(session, chat_id=update.callback_query.message.chat.id, message=pressed_message(update))
        outcome = bloc if isinstance(bloc, Refused) else service.titles(session, bloc=bloc,
                                                                         catalogue=s.catalogue_for(bloc))
    if isinstance(outcome, Refused):
        await refuse_button(update, context, outcome)
        return
    await update.callback_query.answer()
    # Shown in place of the card, so presses by many people do not fill the group.
    chat_id, message_id = pressed_message(update)
    await outbox.edit(context.bot, chat_id, message_id, s.render(
        "setup.catalogue", bloc=outcome.bloc, titles=outcome.titles, members=outcome.members))


@pressed_in_group
async def on_card_button(update: Update, context: Context) -> None:
    """Rename the bloc, or set its province: a secretary is asked the new one."""
    actor = await acting(update, context)
    with transaction(context) as session:
        bloc = service.bloc_in(session, chat_id=update.callback_query.message.chat.id, actor=actor, secretary=True,
                               message=pressed_message(update))
    if isinstance(bloc, Refused):
        await refuse_button(update, context, bloc)
        return
    await update.callback_query.answer()
    if RenameBloc.unpack(update.callback_query.data):
        await ask(update, context, "setup.ask_rename", action="setup.rename", bloc_id=bloc.id, old=bloc.name)
    else:
        await ask(update, context, "setup.ask_province", action="setup.province", bloc_id=bloc.id,
                  old=bloc.province)


def _deciding(decide, field: str):
    """The decision on a secretary's answer to the card's question, past the gate; the
    answer's text is the service's ``field``."""
    def decision(context: Context, session, pending: PendingReply, answer: Answer):
        bloc = secretary_bloc(session, pending, answer)
        return bloc if isinstance(bloc, Refused) else decide(session, bloc=bloc, actor=answer.actor, now=answer.now,
                                                             **{field: clean(answer.text)})
    return decision


async def _gate_refused(update: Update, context: Context, outcome) -> bool:
    if isinstance(outcome, Refused) and outcome.code in (Refusal.NO_BLOC, Refusal.NOT_SECRETARY):
        await refuse_command(update, context, outcome, "khoi")
        return True
    return False


async def _tell_renamed(update: Update, context: Context, pending: PendingReply, outcome) -> bool:
    if await _gate_refused(update, context, outcome):
        return True
    if isinstance(outcome, Refused):
        await say(update, context, f"setup.error_{outcome.problem}", limit=MAX_BLOC_NAME)
        return False
    await say(update, context, "setup.renamed", name=outcome.name)
    return True


async def _tell_province(update: Update, context: Context, pending: PendingReply, outcome) -> bool:
    if await _gate_refused(update, context, outcome):
        return True
    if isinstance(outcome, Refused):
        await say(update, context, "setup.error_province")
        return False
    await say(update, context, "setup.province_set", province=outcome.province)
    await best_effort("province deadline", dossier_due.follow(context.application, outcome.bloc))
    return True


answer_rename = Decided(_deciding(service.rename, "name"), _tell_renamed)
answer_province = Decided(_deciding(service.set_province, "province"), _tell_province)
