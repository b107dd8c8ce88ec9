"""/thuky: show the bloc's secretaries; a secretary adds one by answering that
person's message with /thuky, and removes one with a button. The decisions are
services.secretaries'; here the update is read and the outcome shown."""

from __future__ import annotations

from telegram import Update

from handlers.buttons import Secretary
from handlers.common import Context, alert, keyboard, label, say, transaction
from handlers.gates import acting, in_group, pressed_in_group, pressed_message, refuse_button, refuse_command
from khoibot import outbox
from services import secretaries as service
from services.blocs import Refused, bloc_in
from services.secretaries import Listed, Problem, SecretaryRefused
from storage.users import display_name


def _view(context: Context, listed: Listed, **extra):
    markup = keyboard([[(label(context, "secretaries.btn_remove", name=display_name(user)),
                         Secretary("rm", role.id).pack())] for role, user in listed.listed]) if listed.listed else None
    return dict(bloc=listed.bloc, listed=[user for _, user in listed.listed],
                admins_are_secretaries=context.services.settings.bot.admins_are_secretaries, **extra), markup


@in_group
async def thuky(update: Update, context: Context) -> None:
    replied = update.message.reply_to_message
    # In a forum topic every message "replies" to the topic's first message: not a choice of person.
    if replied is not None and update.message.is_topic_message and replied.message_id == update.message.message_thread_id:
        replied = None
    target = replied.from_user if replied is not None else None
    chat_id = update.effective_chat.id
    if target is None:
        with transaction(context) as session:
            outcome = service.show(session, chat_id=chat_id)
        if isinstance(outcome, Refused):
            await refuse_command(update, context, outcome, "thuky")
            return
        view, markup = _view(context, outcome)
        await say(update, context, "secretaries.list", reply_markup=markup, **view)
        return
    actor = await acting(update, context)
    person = service.Person(target.id, target.first_name, target.last_name, target.username, target.is_bot)
    with transaction(context) as session:
        outcome = service.name(session, chat_id=chat_id, actor=actor, person=person, now=context.services.clock.now())
    if isinstance(outcome, Refused):
        await refuse_command(update, context, outcome, "thuky")
    elif isinstance(outcome, SecretaryRefused):
        await say(update, context, "secretaries.not_a_bot")
    else:
        await say(update, context, "secretaries.already" if outcome.already else "secretaries.added",
                  person=target.full_name)


@pressed_in_group
async def on_button(update: Update, context: Context) -> None:
    """s:rm:<role> asks to confirm; s:rmok:<role> removes; s:list:0 goes back to the list."""
    button = Secretary.unpack(update.callback_query.data)
    action = button.action if button else None
    role_id = button.role_id if button and action in ("rm", "rmok") else None
    s = context.services
    actor = await acting(update, context)
    with transaction(context) as session:
        bloc = bloc_in(session, chat_id=update.callback_query.message.chat.id, actor=actor, secretary=True,
                       message=pressed_message(update))
        if isinstance(bloc, Refused):
            outcome = bloc
        elif action == "list":
            outcome = service.listing(session, bloc=bloc)
        else:
            outcome = service.remove(session, bloc=bloc, actor=actor, role_id=role_id, confirmed=action == "rmok",
                                     now=s.clock.now())
    if isinstance(outcome, Refused):
        await refuse_button(update, context, outcome)
        return
    if isinstance(outcome, SecretaryRefused):
        await alert(update, context, "secretaries.last_one" if outcome.code == Problem.LAST_ONE
                    else "common.stale_button")
        return
    await update.callback_query.answer()
    chat_id, message_id = pressed_message(update)
    if isinstance(outcome, service.AskRemove):
        confirm = keyboard([[(label(context, "secretaries.btn_remove_yes"), Secretary("rmok", outcome.role.id).pack()),
                             (label(context, "secretaries.btn_remove_no"), Secretary("list").pack())]])
        await outbox.edit(context.bot, chat_id, message_id,
                          s.render("secretaries.confirm_remove", person=display_name(outcome.person), bloc=bloc),
                          reply_markup=confirm)
        return
    if isinstance(outcome, service.Removed):
        view, markup = _view(context, outcome.listing, removed=display_name(outcome.person))
    else:
        view, markup = _view(context, outcome)
    await outbox.edit(context.bot, chat_id, message_id, s.render("secretaries.list", **view), reply_markup=markup)
