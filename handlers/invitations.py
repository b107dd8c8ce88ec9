"""Invitations and enrolment: /moi makes personal deep links; the officer who opens
one confirms in the private chat and becomes the unit's representative. The decisions are
services.invitations'; here the update is read, the links sent and the outcome shown."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from telegram import Update
from telegram.constants import ChatType
from telegram.helpers import create_deep_linked_url

from domain.invitations import payload_for, token_from_payload
from handlers.buttons import Enrol, InviteUnit, Roster
from handlers.common import (Context, alert, best_effort, command_text, keyboard, label, private_chat_button, say,
                             tell, transaction)
from handlers.gates import acting, in_group, pressed_in_group, pressed_message, refuse_button, refuse_command
from handlers.help import welcome
from handlers.notices import notify_secretaries
from handlers.roster import show_unit_menu
from khoibot import outbox
from services import invitations as service
from services.blocs import Refused, bloc_in
from services.invitations import InviteRefused, Issued
from services.roster import RosterRefused
from storage.models import Bloc


def link(context: Context, token: str) -> str:
    return create_deep_linked_url(context.bot.username, payload_for(token))


async def _need_private_chat(update: Update, context: Context) -> None:
    await say(update, context, "invite.open_private_first",
              reply_markup=private_chat_button(context, "common.btn_open_private", "moi"))


@in_group
async def moi(update: Update, context: Context) -> None:
    """Links for every unit without a representative, or a fresh one for the unit named."""
    s = context.services
    actor = await acting(update, context)
    typed = command_text(update)
    with transaction(context) as session:
        bloc = bloc_in(session, chat_id=update.effective_chat.id, actor=actor, secretary=True)
        outcome = bloc if isinstance(bloc, Refused) else service.issue(
            session, bloc=bloc, by=actor.user_id, typed=typed, now=s.clock.now(),
            ttl_days=s.settings.bot.invitation_ttl_days)
    if isinstance(outcome, Refused):
        await refuse_command(update, context, outcome, "moi")
    elif isinstance(outcome, InviteRefused):
        await _need_private_chat(update, context)
    elif isinstance(outcome, service.WhichUnit):
        await say(update, context, "invite.which_unit", typed=outcome.typed, matches=outcome.matches,
                  units=outcome.units)
    elif isinstance(outcome, service.NobodyLeft):
        await say(update, context, "invite.nobody_left")
    elif not await _deliver(context, bloc, actor.user_id, outcome):
        await _need_private_chat(update, context)
    else:
        await say(update, context, "invite.sent_privately", count=len(outcome.targets))


async def _deliver(context: Context, bloc: Bloc, user_id: int, issued: Issued) -> bool:
    """Send the links to the secretary; then fresh links replace the unit's older ones, or are
    withdrawn when they could not be sent (services.invitations.settle: a transaction of its
    own, as it depends on the send)."""
    s = context.services
    items = [dict(unit=unit, link=link(context, inv.token), expires=inv.expires_at) for unit, inv in issued.targets]
    sent = await tell(context, user_id, "invite.links", bloc=bloc, items=items) is not None
    if issued.replacing:
        with transaction(context) as session:
            service.settle(session, issued=issued, delivered=sent, by=user_id, now=s.clock.now())
    return sent


@pressed_in_group
async def on_unit_button(update: Update, context: Context) -> None:
    """From a unit's menu: a fresh link (the old ones stop working), or revoke them."""
    button = InviteUnit.unpack(update.callback_query.data)
    s = context.services
    actor = await acting(update, context)
    with transaction(context) as session:
        bloc = bloc_in(session, chat_id=update.callback_query.message.chat.id, actor=actor, secretary=True,
                       message=pressed_message(update))
        if isinstance(bloc, Refused) or button is None:
            outcome = bloc
        elif button.action == "rev":
            outcome = service.ask_revoke(session, bloc=bloc, unit_id=button.unit_id)
        elif button.action == "revok":
            outcome = service.revoke(session, bloc=bloc, by=actor.user_id, unit_id=button.unit_id, now=s.clock.now())
        else:
            outcome = service.fresh(session, bloc=bloc, by=actor.user_id, unit_id=button.unit_id, now=s.clock.now(),
                                    ttl_days=s.settings.bot.invitation_ttl_days)
    if isinstance(outcome, Refused):
        await refuse_button(update, context, outcome)
    elif button is None:  # not data this bot makes: say so, not that a unit is gone
        await alert(update, context, "common.stale_button")
    elif isinstance(outcome, RosterRefused):
        await alert(update, context, "roster.unit_gone")
    elif isinstance(outcome, service.AskRevoke):
        # Ask first: whoever was sent a link could not enrol with it any more.
        await update.callback_query.answer()
        chat_id, message_id = pressed_message(update)
        unit = outcome.unit
        await outbox.edit(context.bot, chat_id, message_id, s.render("invite.confirm_revoke", unit=unit),
                          reply_markup=keyboard([[(label(context, "invite.btn_revoke_yes"), InviteUnit("revok", unit.id).pack()),
                                                  (label(context, "invite.btn_revoke_no"), Roster("unit", unit.id).pack())]]))
    elif isinstance(outcome, service.Revoked):
        await update.callback_query.answer(label(context, "invite.revoked", count=outcome.count), show_alert=True)
        await show_unit_menu(update, context, outcome.listing, outcome.unit)
    elif isinstance(outcome, InviteRefused):
        await alert(update, context, "invite.open_private_first_alert")
    else:
        sent = await _deliver(context, bloc, actor.user_id, outcome)
        await update.callback_query.answer(
            label(context, "invite.sent_alert" if sent else "invite.open_private_first_alert"), show_alert=True)


async def start(update: Update, context: Context, *, links: dict[str, Callable[[Update, Context], Awaitable[None]]]) -> None:
    """/start: with an invitation payload, the enrolment; with a command's name (``links``,
    from the route table), that command; without, the welcome."""
    if update.effective_chat.type != ChatType.PRIVATE:
        await welcome(update, context)
        return
    payload = context.args[0] if context.args else ""
    if payload in links:
        # The button a group command answers with opens the private chat on that command.
        await links[payload](update, context)
        return
    if not payload.startswith("i_"):
        await welcome(update, context)
        return
    token = token_from_payload(payload)
    with transaction(context) as session:
        outcome = service.opened(session, token=token, user_id=update.effective_user.id,
                                 now=context.services.clock.now())
    if isinstance(outcome, InviteRefused):
        await say(update, context, f"invite.problem_{outcome.code}", unit=outcome.unit, bloc=outcome.bloc,
                  expires=outcome.expires)
        return
    markup = keyboard([[(label(context, "invite.btn_confirm"), Enrol("ok", token).pack()),
                        (label(context, "invite.btn_decline"), Enrol("no", token).pack())]])
    await say(update, context, "invite.confirm", unit=outcome.unit, bloc=outcome.bloc,
              user_name=update.effective_user.full_name, reply_markup=markup)


async def on_enrol_button(update: Update, context: Context) -> None:
    query = update.callback_query
    button = Enrol.unpack(query.data)
    if (button is None or query.message is None or query.message.chat.type != ChatType.PRIVATE):
        await alert(update, context, "common.stale_button")
        return
    s = context.services
    with transaction(context) as session:
        outcome = service.answer(session, token=button.token, user_id=update.effective_user.id,
                                 accept=button.answer == "ok", now=s.clock.now())
    await query.answer()
    chat_id, message_id = query.message.chat.id, query.message.message_id
    if isinstance(outcome, InviteRefused):
        await outbox.edit(context.bot, chat_id, message_id, s.render(
            f"invite.problem_{outcome.code}", unit=outcome.unit, bloc=outcome.bloc, expires=outcome.expires))
        return
    if isinstance(outcome, service.Declined):
        await outbox.edit(context.bot, chat_id, message_id, s.render("invite.declined", unit=outcome.unit,
                                                                     bloc=outcome.bloc))
        return
    await outbox.edit(context.bot, chat_id, message_id, s.render("invite.enrolled", unit=outcome.unit,
                                                                 bloc=outcome.bloc))
    await best_effort("notify secretaries", notify_secretaries(
        context, outcome.bloc, outcome.secretaries, "invite.new_representative", unit=outcome.unit,
        person=update.effective_user.full_name))
