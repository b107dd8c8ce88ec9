"""Invitations and enrolment: /moi makes personal deep links; the officer who opens
one confirms in the private chat and becomes the unit's representative."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from telegram import Update
from telegram.constants import ChatType
from telegram.helpers import create_deep_linked_url

from domain.invitations import InvitationState, payload_for, token_from_payload
from handlers.buttons import Enrol, InviteUnit, Roster
from handlers.common import (Context, alert, best_effort, command_text, group_button, group_command, keyboard, label,
                             private_chat_button, say, svc, tell)
from handlers.help import welcome
from handlers.notices import notify_secretaries
from handlers.roster import show_unit_menu
from khoibot import outbox
from storage import invitations, roles, roster
from storage.models import Bloc, TgUser, Unit
from storage.users import reachable


def link(context: Context, token: str) -> str:
    return create_deep_linked_url(context.bot.username, payload_for(token))


def _secretary_reachable(context: Context, user_id: int) -> bool:
    with svc(context).db.session() as session:
        return reachable(session.get(TgUser, user_id))


async def _need_private_chat(update: Update, context: Context) -> None:
    await say(update, context, "invite.open_private_first",
              reply_markup=private_chat_button(context, "common.btn_open_private", "moi"))


@group_command(secretary=True)
async def moi(update: Update, context: Context, bloc: Bloc) -> None:
    """Links for every unit without a representative, or a fresh one for the unit named."""
    s = svc(context)
    user_id = update.effective_user.id
    if not _secretary_reachable(context, user_id):
        await _need_private_chat(update, context)
        return
    typed = command_text(update)
    now = s.clock.now()
    with s.db.session() as session:
        if typed:
            matches = roster.find_units(session=session, bloc_id=bloc.id, typed=typed)
            if len(matches) != 1:
                units = roster.active_units(session=session, bloc_id=bloc.id)
                targets = None
            else:
                invitation = invitations.issue(session=session, bloc=bloc, unit=matches[0], by=user_id, now=now,
                                               ttl_days=s.settings.bot.invitation_ttl_days)
                targets = [(matches[0], invitation)]
        else:
            people = roster.representatives(session=session, bloc_id=bloc.id)
            open_ = invitations.open_invitations(session=session, bloc_id=bloc.id, now=now)
            targets = []
            for unit in roster.active_units(session=session, bloc_id=bloc.id):
                if people.get(unit.id):
                    continue
                invitation = open_.get(unit.id) or invitations.issue(
                    session=session, bloc=bloc, unit=unit, by=user_id, now=now,
                    ttl_days=s.settings.bot.invitation_ttl_days)
                targets.append((unit, invitation))
    if targets is None:
        await say(update, context, "invite.which_unit", typed=typed, matches=matches, units=units)
        return
    if not targets:
        await say(update, context, "invite.nobody_left")
        return
    sent = await _deliver(context, bloc, user_id, targets, replacing=bool(typed))
    if not sent:
        await _need_private_chat(update, context)
        return
    await say(update, context, "invite.sent_privately", count=len(targets))


async def _deliver(context: Context, bloc: Bloc, user_id: int, targets: list, *, replacing: bool) -> bool:
    """Send the links to the secretary. A fresh link for one unit replaces the older ones
    only once it has been delivered, so a failed send never leaves the unit without a link."""
    s = svc(context)
    items = [dict(unit=unit, link=link(context, inv.token), expires=inv.expires_at) for unit, inv in targets]
    sent = await tell(context, user_id, "invite.links", bloc=bloc, items=items) is not None
    if replacing:
        with s.db.session() as session:
            for unit, invitation in targets:
                if sent:
                    invitations.revoke_unit(session=session, unit=unit, by=user_id, now=s.clock.now(),
                                            keep=invitation.id)
                else:
                    session.merge(invitation).revoked_at = s.clock.now()
    return sent


@group_button(secretary=True)
async def on_unit_button(update: Update, context: Context, bloc: Bloc) -> None:
    """From a unit's menu: a fresh link (the old ones stop working), or revoke them."""
    button = InviteUnit.unpack(update.callback_query.data)
    if button is None:  # not data this bot makes: say so, not that a unit is gone
        await alert(update, context, "common.stale_button")
        return
    unit_id = button.unit_id
    s = svc(context)
    with s.db.session() as session:
        unit = roster.unit_of_bloc(session=session, bloc_id=bloc.id, unit_id=unit_id)
    if unit is None:
        await alert(update, context, "roster.unit_gone")
        return
    user_id = update.effective_user.id
    if button.action == "rev":
        # Ask first: whoever was sent a link could not enrol with it any more.
        await update.callback_query.answer()
        message = update.callback_query.message
        await outbox.edit(context.bot, message.chat.id, message.message_id,
                          s.render("invite.confirm_revoke", unit=unit),
                          reply_markup=keyboard([[(label(context, "invite.btn_revoke_yes"), InviteUnit("revok", unit.id).pack()),
                                                  (label(context, "invite.btn_revoke_no"), Roster("unit", unit.id).pack())]]))
        return
    if button.action == "revok":
        with s.db.session() as session:
            count = invitations.revoke_unit(session=session, unit=unit, by=user_id, now=s.clock.now())
        await update.callback_query.answer(label(context, "invite.revoked", count=count), show_alert=True)
        await show_unit_menu(update, context, bloc, unit)
        return
    if not _secretary_reachable(context, user_id):
        await alert(update, context, "invite.open_private_first_alert")
        return
    with s.db.session() as session:
        invitation = invitations.issue(session=session, bloc=bloc, unit=unit, by=user_id, now=s.clock.now(),
                                       ttl_days=s.settings.bot.invitation_ttl_days)
    sent = await _deliver(context, bloc, user_id, [(unit, invitation)], replacing=True)
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
    s = svc(context)
    with s.db.session() as session:
        invitation = invitations.by_token(session=session, token=token) if token else None
        if invitation is None:
            problem, unit, bloc = "unknown", None, None
        else:
            unit = roster.unit_of_bloc(session=session, bloc_id=invitation.bloc_id, unit_id=invitation.unit_id)
            bloc = session.get(Bloc, invitation.bloc_id)
            problem = _problem(session, invitation, unit, update.effective_user.id, s.clock.now())
    if problem:
        await say(update, context, f"invite.problem_{problem}", unit=unit, bloc=bloc,
                  expires=invitation.expires_at if invitation else None)
        return
    markup = keyboard([[(label(context, "invite.btn_confirm"), Enrol("ok", token).pack()),
                        (label(context, "invite.btn_decline"), Enrol("no", token).pack())]])
    await say(update, context, "invite.confirm", unit=unit, bloc=bloc, user_name=update.effective_user.full_name,
              reply_markup=markup)


def _problem(session, invitation, unit: Unit | None, user_id: int, now) -> str | None:
    """Why this person cannot enrol with this invitation now, or None."""
    if unit is None:
        return InvitationState.REVOKED.value
    if roster.is_representative(session=session, unit_id=unit.id, user_id=user_id):
        return "already"
    state = invitations.state(invitation, now)
    return None if state is InvitationState.VALID else state.value


async def on_enrol_button(update: Update, context: Context) -> None:
    query = update.callback_query
    button = Enrol.unpack(query.data)
    if (button is None or query.message is None or query.message.chat.type != ChatType.PRIVATE):
        await alert(update, context, "common.stale_button")
        return
    s = svc(context)
    user_id = update.effective_user.id
    now = s.clock.now()
    with s.db.session() as session:
        invitation = invitations.by_token(session=session, token=button.token)
        if invitation is None:
            problem, unit, bloc = "unknown", None, None
        else:
            unit = roster.unit_of_bloc(session=session, bloc_id=invitation.bloc_id, unit_id=invitation.unit_id)
            bloc = session.get(Bloc, invitation.bloc_id)
            problem = _problem(session, invitation, unit, user_id, now)
            if problem is None and button.answer == "ok":
                roster.enrol(session=session, invitation=invitation, user_id=user_id, now=now)
                secretaries = [role.user_id for role, user in roles.secretaries(session=session, bloc=bloc)
                               if reachable(user)]
    await query.answer()
    chat_id, message_id = query.message.chat.id, query.message.message_id
    if problem:
        await outbox.edit(context.bot, chat_id, message_id, s.render(
            f"invite.problem_{problem}", unit=unit, bloc=bloc, expires=invitation.expires_at if invitation else None))
        return
    if button.answer == "no":
        await outbox.edit(context.bot, chat_id, message_id, s.render("invite.declined", unit=unit, bloc=bloc))
        return
    await outbox.edit(context.bot, chat_id, message_id, s.render("invite.enrolled", unit=unit, bloc=bloc))
    await best_effort("notify secretaries", notify_secretaries(
        context, bloc, secretaries, "invite.new_representative", unit=unit, person=update.effective_user.full_name))
