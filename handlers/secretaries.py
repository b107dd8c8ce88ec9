"""/thuky: show the bloc's secretaries; a secretary adds one by answering that
person's message with /thuky, and removes one with a button."""

from __future__ import annotations

from telegram import Update

from handlers.buttons import Secretary
from handlers.common import Context, alert, group_button, group_command, is_secretary, keyboard, label, say, svc
from khoibot import outbox
from storage import roles
from storage.models import Bloc, TgUser
from storage.users import display_name, touch_user


def _view(context: Context, bloc: Bloc):
    s = svc(context)
    with s.db.session() as session:
        listed = roles.secretaries(session=session, bloc=bloc)
    markup = keyboard([[(label(context, "secretaries.btn_remove", name=display_name(user)), Secretary("rm", role.id).pack())]
                       for role, user in listed]) if listed else None
    return dict(bloc=bloc, listed=[user for _, user in listed],
                admins_are_secretaries=s.settings.bot.admins_are_secretaries), markup


@group_command()
async def thuky(update: Update, context: Context, bloc: Bloc) -> None:
    replied = update.message.reply_to_message
    # In a forum topic every message "replies" to the topic's first message: not a choice of person.
    if replied is not None and update.message.is_topic_message and replied.message_id == update.message.message_thread_id:
        replied = None
    target = replied.from_user if replied is not None else None
    if target is None:
        view, markup = _view(context, bloc)
        await say(update, context, "secretaries.list", reply_markup=markup, **view)
        return
    if not await is_secretary(context, bloc, update.effective_user.id):
        await say(update, context, "common.secretaries_only", command="thuky")
        return
    if target.is_bot:
        await say(update, context, "secretaries.not_a_bot")
        return
    s = svc(context)
    with s.db.session() as session:
        already = roles.is_listed_secretary(session=session, bloc=bloc, user_id=target.id)
        if not already:
            touch_user(session=session, user_id=target.id, first_name=target.first_name,
                       last_name=target.last_name, username=target.username, now=s.clock.now(), private=False)
            roles.add_secretary(session=session, bloc=bloc, user_id=target.id, by=update.effective_user.id,
                                now=s.clock.now())
    await say(update, context, "secretaries.already" if already else "secretaries.added", person=target.full_name)


@group_button(secretary=True)
async def on_button(update: Update, context: Context, bloc: Bloc) -> None:
    """s:rm:<role> asks to confirm; s:rmok:<role> removes; s:list:0 goes back to the list."""
    button = Secretary.unpack(update.callback_query.data)
    action = button.action if button else None
    role_id = button.role_id if button and action in ("rm", "rmok") else None
    s = svc(context)
    message = update.callback_query.message
    if action == "list":
        await update.callback_query.answer()
        view, markup = _view(context, bloc)
        await outbox.edit(context.bot, message.chat.id, message.message_id,
                          s.render("secretaries.list", **view), reply_markup=markup)
        return
    with s.db.session() as session:
        role = roles.secretary_role(session=session, bloc=bloc, role_id=role_id) if role_id else None
        person = session.get(TgUser, role.user_id) if role is not None else None
        last = role is not None and len(roles.secretaries(session=session, bloc=bloc)) == 1
        refuse = last and not s.settings.bot.admins_are_secretaries
        if role is not None and not refuse and action == "rmok":
            roles.remove_role(session=session, role=role, by=update.effective_user.id, now=s.clock.now())
    if role is None:
        await alert(update, context, "common.stale_button")
        return
    if refuse:
        await alert(update, context, "secretaries.last_one")
        return
    await update.callback_query.answer()
    if action == "rm":
        confirm = keyboard([[(label(context, "secretaries.btn_remove_yes"), Secretary("rmok", role.id).pack()),
                             (label(context, "secretaries.btn_remove_no"), Secretary("list").pack())]])
        await outbox.edit(context.bot, message.chat.id, message.message_id,
                          s.render("secretaries.confirm_remove", person=display_name(person), bloc=bloc),
                          reply_markup=confirm)
        return
    view, markup = _view(context, bloc)
    await outbox.edit(context.bot, message.chat.id, message.message_id,
                      s.render("secretaries.list", removed=display_name(person), **view), reply_markup=markup)
