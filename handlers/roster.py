"""/donvi: the roster. Secretaries add units (a list, one per line), rename, remove,
and mark this year's Trưởng khối and Phó khối; everyone may look. The decisions are
services.roster's; here the update is read and the outcome shown."""

from __future__ import annotations

from telegram import Update

from domain.roster import MAX_NAME_LENGTH
from domain.text import clean, shorten
from handlers.buttons import InviteUnit, Roster
from handlers.common import BUTTON_NAME, Context, alert, ask, command_text, keyboard, label, say, transaction
from handlers.gates import acting, in_group, pressed_in_group, pressed_message, refuse_button, refuse_command
from handlers.replies import Answer, Decided, secretary_bloc
from khoibot import outbox
from services import roster as service
from services.blocs import Actor, Refused, bloc_in
from services.roster import Listing, RosterRefused
from storage.models import PendingReply, Unit


def roster_keyboard(context: Context):
    return keyboard([[(label(context, "roster.btn_add"), Roster("add").pack()),
                      (label(context, "roster.btn_edit"), Roster("pick").pack())]])


@in_group
async def donvi(update: Update, context: Context) -> None:
    text = command_text(update)
    s = context.services
    if not text:
        with transaction(context) as session:
            outcome = service.show(session, chat_id=update.effective_chat.id, now=s.clock.now())
        if isinstance(outcome, Refused):
            await refuse_command(update, context, outcome, "donvi")
        else:
            await say(update, context, "roster.list", reply_markup=roster_keyboard(context), **outcome.view())
        return
    actor = await acting(update, context)
    with transaction(context) as session:
        outcome = service.paste(session, chat_id=update.effective_chat.id, actor=actor, text=text,
                                capacity=s.settings.bot.max_units_per_bloc, now=s.clock.now())
    await _added(update, context, outcome, "donvi")


async def _added(update: Update, context: Context, outcome, command: str) -> bool:
    if isinstance(outcome, Refused):
        await refuse_command(update, context, outcome, command)
        return True
    if isinstance(outcome, RosterRefused):
        await say(update, context, "roster.add_refused", plan=outcome.plan, limit=MAX_NAME_LENGTH,
                  capacity=context.services.settings.bot.max_units_per_bloc)
        return False
    await say(update, context, "roster.added", plan=outcome.plan, reply_markup=roster_keyboard(context),
              **outcome.listing.view())
    return True


def _decide_add(context: Context, session, pending: PendingReply, answer: Answer):
    """A secretary's list of units answered, past the gate (checked again at answer time)."""
    bloc = secretary_bloc(session, pending, answer)
    return bloc if isinstance(bloc, Refused) else service.add(
        session, bloc=bloc, actor=answer.actor, now=answer.now, text=clean(answer.text),
        capacity=context.services.settings.bot.max_units_per_bloc)


async def _tell_added(update: Update, context: Context, pending: PendingReply, outcome) -> bool:
    return await _added(update, context, outcome, "donvi")


answer_add = Decided(_decide_add, _tell_added)


def _picker(context: Context, units: list[Unit]):
    rows = [[(shorten(u.name, BUTTON_NAME), Roster("unit", u.id).pack())] for u in units]
    rows.append([(label(context, "roster.btn_close"), Roster("close").pack())])
    return keyboard(rows)


def unit_menu(context: Context, listing: Listing, unit: Unit, done: str | None = None):
    """A unit's line and its buttons."""
    markup = keyboard([
        [(label(context, "roster.btn_rename"), Roster("ren", unit.id).pack()),
         (label(context, "roster.btn_remove"), Roster("del", unit.id).pack())],
        [(label(context, "roster.btn_lead"), Roster("lead", unit.id).pack()),
         (label(context, "roster.btn_deputy"), Roster("dep", unit.id).pack())],
        [(label(context, "roster.btn_invite"), InviteUnit("new", unit.id).pack()),
         (label(context, "roster.btn_revoke"), InviteUnit("rev", unit.id).pack())],
        [(label(context, "roster.btn_back"), Roster("back").pack())],
    ])
    text = context.services.render("roster.unit_menu", bloc=listing.bloc, done=done, **listing.row(unit.id))
    return text, markup


async def show_unit_menu(update: Update, context: Context, listing: Listing, unit: Unit, done: str | None = None):
    text, markup = unit_menu(context, listing, unit, done)
    message = update.callback_query.message
    await outbox.edit(context.bot, message.chat.id, message.message_id, text, reply_markup=markup)


def _decide(session, button: Roster, bloc, actor: Actor, now):
    """What a press of the roster's buttons decides, past the gate."""
    action, unit_id = button.action, button.unit_id
    if action in ("pick", "back"):
        return service.units(session, bloc=bloc)
    if action == "unit":
        return service.shown(session, bloc=bloc, unit_id=unit_id, now=now)
    if action in ("ren", "del"):
        return service.unit(session, bloc=bloc, unit_id=unit_id)
    if action == "delok":
        return service.remove(session, bloc=bloc, actor=actor, unit_id=unit_id, now=now)
    if action in service.UNIT_ROLES:
        return service.give_role(session, bloc=bloc, actor=actor, unit_id=unit_id, action=action, now=now)
    return None  # add, close: nothing to decide past the gate


@pressed_in_group
async def on_button(update: Update, context: Context) -> None:
    query = update.callback_query
    s = context.services
    actor = await acting(update, context)
    button = Roster.unpack(query.data)
    with transaction(context) as session:
        bloc = bloc_in(session, chat_id=query.message.chat.id, actor=actor, secretary=True,
                       message=pressed_message(update))
        outcome = bloc if isinstance(bloc, Refused) or button is None else _decide(session, button, bloc, actor,
                                                                                    s.clock.now())
    if isinstance(outcome, Refused):
        await refuse_button(update, context, outcome)
        return
    if button is None:
        await alert(update, context, "common.stale_button")
        return
    if isinstance(outcome, RosterRefused):
        await alert(update, context, "roster.unit_gone")
        return
    action = button.action
    chat_id, message_id = pressed_message(update)
    await query.answer()
    if action == "add":
        await ask(update, context, "roster.ask_add", action="roster.add", bloc_id=bloc.id)
    elif action == "close":
        await outbox.edit(context.bot, chat_id, message_id, s.render("roster.closed"))
    elif action in ("pick", "back"):
        # "pick" opens the unit picker under the roster; "back" returns to it from a unit's menu.
        text = s.render("roster.pick", bloc=bloc, count=len(outcome))
        if action == "back":
            await outbox.edit(context.bot, chat_id, message_id, text, reply_markup=_picker(context, outcome))
        else:
            await outbox.send(context.bot, s, chat_id, text, reply_markup=_picker(context, outcome))
    elif isinstance(outcome, service.UnitShown):
        await show_unit_menu(update, context, outcome.listing, outcome.unit, done=outcome.done)
    elif action == "ren":
        await ask(update, context, "roster.ask_rename", action="roster.rename", bloc_id=bloc.id,
                  unit_id=outcome.id, unit_name=outcome.name)
    elif action == "del":
        confirm = keyboard([[(label(context, "roster.btn_remove_yes"), Roster("delok", outcome.id).pack()),
                             (label(context, "roster.btn_remove_no"), Roster("unit", outcome.id).pack())]])
        await outbox.edit(context.bot, chat_id, message_id, s.render("roster.confirm_remove", unit=outcome),
                          reply_markup=confirm)
    else:  # removed
        await outbox.edit(context.bot, chat_id, message_id, s.render("roster.removed", unit=outcome.unit))


async def _tell_renamed(update: Update, context: Context, pending: PendingReply, outcome) -> bool:
    if isinstance(outcome, Refused):
        await refuse_command(update, context, outcome, "donvi")
        return True
    if isinstance(outcome, RosterRefused) and outcome.code == service.Problem.UNIT_GONE:
        await say(update, context, "roster.unit_gone")
        return True
    if isinstance(outcome, RosterRefused):
        await say(update, context, "roster.rename_refused", problem=outcome.problem, clash=outcome.clash,
                  limit=MAX_NAME_LENGTH)
        return False
    await say(update, context, "roster.renamed", old=outcome.old, new=outcome.unit.name)
    return True


def _decide_rename(context: Context, session, pending: PendingReply, answer: Answer):
    """A unit's new name answered, past the gate."""
    bloc = secretary_bloc(session, pending, answer)
    return bloc if isinstance(bloc, Refused) else service.rename(
        session, bloc=bloc, actor=answer.actor, now=answer.now, unit_id=pending.payload.unit_id or 0,
        name=clean(answer.text))


answer_rename = Decided(_decide_rename, _tell_renamed)
