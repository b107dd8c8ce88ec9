"""/donvi: the roster. Secretaries add units (a list, one per line), rename, remove,
and mark this year's Trưởng khối and Phó khối; everyone may look."""

from __future__ import annotations

from telegram import Update

from domain.roster import MAX_NAME_LENGTH, name_problem, plan_additions
from domain.text import fold, shorten
from handlers.buttons import InviteUnit, Roster
from handlers.common import (BUTTON_NAME, Context, alert, ask, command_text, group_button, group_command, is_secretary,
                             keyboard, label, say, svc)
from handlers.replies import secretary_answering
from khoibot import outbox
from storage import invitations, roles, roster
from storage.models import Bloc, PendingReply, RoleKind, Unit
from storage.users import reachable

UNIT_ROLE_ACTIONS = {"lead": RoleKind.LEAD, "dep": RoleKind.DEPUTY}


def roster_view(context: Context, bloc: Bloc) -> dict:
    s = svc(context)
    with s.db.session() as session:
        units = roster.active_units(session=session, bloc_id=bloc.id)
        people = roster.representatives(session=session, bloc_id=bloc.id)
        unit_roles = roles.unit_roles(session=session, bloc=bloc)
        invited = invitations.open_invitations(session=session, bloc_id=bloc.id, now=s.clock.now())
    # Representatives the bot cannot write to first (never started it, or blocked it) are
    # named, as the reminders name them.
    rows = [dict(unit=u, people=people.get(u.id, []), role=unit_roles.get(u.id), invited=u.id in invited,
                 unreached={user.id for user in people.get(u.id, []) if not reachable(user)})
            for u in units]
    return dict(bloc=bloc, rows=rows, represented=sum(1 for r in rows if r["people"]))


def roster_keyboard(context: Context):
    return keyboard([[(label(context, "roster.btn_add"), Roster("add").pack()),
                      (label(context, "roster.btn_edit"), Roster("pick").pack())]])


@group_command()
async def donvi(update: Update, context: Context, bloc: Bloc) -> None:
    text = command_text(update)
    if not text:
        await say(update, context, "roster.list", reply_markup=roster_keyboard(context), **roster_view(context, bloc))
        return
    if not await is_secretary(context, bloc, update.effective_user.id):
        await say(update, context, "common.secretaries_only", command="donvi")
        return
    await add_units(update, context, bloc, text)


async def add_units(update: Update, context: Context, bloc: Bloc, text: str) -> bool:
    s = svc(context)
    capacity = s.settings.bot.max_units_per_bloc
    with s.db.session() as session:
        existing = roster.name_keys(roster.active_units(session=session, bloc_id=bloc.id))
        plan = plan_additions(text, existing, capacity)
        if plan.to_add and not plan.refused:
            roster.add_units(session=session, bloc=bloc, names=plan.to_add, by=update.effective_user.id,
                             now=s.clock.now())
    if plan.refused or not plan.to_add:
        await say(update, context, "roster.add_refused", plan=plan, limit=MAX_NAME_LENGTH, capacity=capacity)
        return False
    await say(update, context, "roster.added", plan=plan, reply_markup=roster_keyboard(context),
              **roster_view(context, bloc))
    return True


async def answer_add(update: Update, context: Context, pending: PendingReply, text: str) -> bool:
    bloc = await secretary_answering(update, context, pending, "donvi")
    return True if bloc is None else await add_units(update, context, bloc, text)


def _picker(context: Context, bloc: Bloc):
    with svc(context).db.session() as session:
        units = roster.active_units(session=session, bloc_id=bloc.id)
    rows = [[(shorten(u.name, BUTTON_NAME), Roster("unit", u.id).pack())] for u in units]
    rows.append([(label(context, "roster.btn_close"), Roster("close").pack())])
    return units, keyboard(rows)


def _unit_menu(context: Context, bloc: Bloc, unit: Unit, done: str | None = None):
    view = roster_view(context, bloc)
    row = next(r for r in view["rows"] if r["unit"].id == unit.id)
    markup = keyboard([
        [(label(context, "roster.btn_rename"), Roster("ren", unit.id).pack()),
         (label(context, "roster.btn_remove"), Roster("del", unit.id).pack())],
        [(label(context, "roster.btn_lead"), Roster("lead", unit.id).pack()),
         (label(context, "roster.btn_deputy"), Roster("dep", unit.id).pack())],
        [(label(context, "roster.btn_invite"), InviteUnit("new", unit.id).pack()),
         (label(context, "roster.btn_revoke"), InviteUnit("rev", unit.id).pack())],
        [(label(context, "roster.btn_back"), Roster("back").pack())],
    ])
    return render_menu(context, bloc, row, done), markup


def render_menu(context: Context, bloc: Bloc, row: dict, done: str | None) -> str:
    return svc(context).render("roster.unit_menu", bloc=bloc, done=done, **row)


async def show_unit_menu(update: Update, context: Context, bloc: Bloc, unit: Unit, done: str | None = None):
    text, markup = _unit_menu(context, bloc, unit, done)
    message = update.callback_query.message
    await outbox.edit(context.bot, message.chat.id, message.message_id, text, reply_markup=markup)


@group_button(secretary=True)
async def on_button(update: Update, context: Context, bloc: Bloc) -> None:
    query = update.callback_query
    button = Roster.unpack(query.data)
    if button is None:
        await alert(update, context, "common.stale_button")
        return
    action, unit_id = button.action, button.unit_id
    s = svc(context)
    if action == "add":
        await query.answer()
        await ask(update, context, "roster.ask_add", action="roster.add", bloc_id=bloc.id)
        return
    if action in ("pick", "back", "close"):
        # "pick" opens the unit picker under the roster; "back" returns to it from a unit's menu.
        await query.answer()
        if action == "close":
            await outbox.edit(context.bot, query.message.chat.id, query.message.message_id,
                              s.render("roster.closed"))
            return
        units, markup = _picker(context, bloc)
        text = s.render("roster.pick", bloc=bloc, count=len(units))
        if action == "back":
            await outbox.edit(context.bot, query.message.chat.id, query.message.message_id, text, reply_markup=markup)
        else:
            await outbox.send(context.bot, s, query.message.chat.id, text, reply_markup=markup)
        return
    with s.db.session() as session:
        unit = roster.unit_of_bloc(session=session, bloc_id=bloc.id, unit_id=unit_id)
    if unit is None:
        await alert(update, context, "roster.unit_gone")
        return
    user_id = update.effective_user.id
    if action == "unit":
        await query.answer()
        await show_unit_menu(update, context, bloc, unit)
    elif action == "ren":
        await query.answer()
        await ask(update, context, "roster.ask_rename", action="roster.rename", bloc_id=bloc.id,
                  unit_id=unit.id, unit_name=unit.name)
    elif action == "del":
        await query.answer()
        confirm = keyboard([[(label(context, "roster.btn_remove_yes"), Roster("delok", unit.id).pack()),
                             (label(context, "roster.btn_remove_no"), Roster("unit", unit.id).pack())]])
        await outbox.edit(context.bot, query.message.chat.id, query.message.message_id,
                          s.render("roster.confirm_remove", unit=unit), reply_markup=confirm)
    elif action == "delok":
        with s.db.session() as session:
            roster.remove_unit(session=session, unit=session.merge(unit), by=user_id, now=s.clock.now())
        await query.answer()
        await outbox.edit(context.bot, query.message.chat.id, query.message.message_id,
                          s.render("roster.removed", unit=unit))
    elif action in UNIT_ROLE_ACTIONS:
        with s.db.session() as session:
            roles.set_unit_role(session=session, bloc=bloc, unit=unit, kind=UNIT_ROLE_ACTIONS[action],
                                by=user_id, now=s.clock.now())
        await query.answer()
        await show_unit_menu(update, context, bloc, unit, done=UNIT_ROLE_ACTIONS[action])
    else:
        await alert(update, context, "common.stale_button")


async def answer_rename(update: Update, context: Context, pending: PendingReply, text: str) -> bool:
    bloc = await secretary_answering(update, context, pending, "donvi")
    if bloc is None:
        return True
    s = svc(context)
    problem = name_problem(text)
    with s.db.session() as session:
        unit = roster.unit_of_bloc(session=session, bloc_id=bloc.id, unit_id=pending.payload.get("unit_id", 0))
        if unit is None:
            clash = None
        else:
            clash = next((u for u in roster.active_units(session=session, bloc_id=bloc.id)
                          if u.name_key == fold(text) and u.id != unit.id), None)
            if problem is None and clash is None:
                old = unit.name
                roster.rename_unit(session=session, unit=unit, name=text, by=update.effective_user.id,
                                   now=s.clock.now())
    if unit is None:
        await say(update, context, "roster.unit_gone")
        return True
    if problem or clash:
        await say(update, context, "roster.rename_refused", problem=problem, clash=clash, limit=MAX_NAME_LENGTH)
        return False
    await say(update, context, "roster.renamed", old=old, new=unit.name)
    return True
