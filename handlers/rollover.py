"""/namsau: the bloc moves from year Y to Y + 1 (shared/domain.md §2: Trưởng khối and Phó
khối rotate every year). Secretaries see what will happen, may record next year's
leaders (when the province assigns them, or the meeting voted on paper; the ballot
records them itself), and confirm. The roster and the secretaries stay; whatever is
keyed by year starts empty for Y + 1; year Y stays readable (/tinhhinh Y, /xuat Y).

Buttons carry ``ro:<action>:<Y>:<unit id or 0>``. Every one is refused once the bloc has
left Y, so a confirmation pressed late cannot move the bloc a second time; unit ids are
checked to belong to the bloc of the chat the button is in.
"""

from __future__ import annotations

from telegram import Update

from domain import rollover as rules
from handlers.buttons import Rollover as RolloverButton
from handlers.common import (Context, alert, group_button, group_command, keyboard, label, private_chat_button, say,
                             svc, tell)
from khoibot import outbox, scheduler
from storage import roles, roster
from storage import rollover as store
from storage.models import Bloc, RoleKind
from storage.users import display_name

PICK_LEAD, SET_LEAD, PICK_DEPUTY, SET_DEPUTY = "pl", "L", "pd", "D"
BACK, GO, OK, CANCEL = "back", "go", "ok", "no"


def _data(bloc: Bloc, action: str, unit_id: int = 0) -> str:
    return RolloverButton(action, bloc.year, unit_id).pack()


def _view(context: Context, bloc: Bloc) -> dict:
    """What the bloc's move to next year would do, for the templates."""
    s = svc(context)
    with s.db.session() as session:
        units = roster.active_units(session=session, bloc_id=bloc.id)
        led = store.leaders(session=session, bloc=bloc, year=bloc.year + 1)
        listed = roles.secretaries(session=session, bloc=bloc)
        vote = store.vote_status(session=session, bloc_id=bloc.id, year=bloc.year)
        reminders_left = store.pending_reminders(session=session, bloc=bloc)
    return dict(bloc=bloc, year=bloc.year, next_year=bloc.year + 1, lead=led.get(RoleKind.LEAD),
                deputy=led.get(RoleKind.DEPUTY), secretaries=[display_name(user) for _, user in listed if user],
                admins_are_secretaries=s.settings.bot.admins_are_secretaries, units=len(units), unit_list=units,
                vote=vote, reminders_left=reminders_left)


def _refusal(context: Context, view: dict) -> rules.Refusal | None:
    return rules.refusal(year=view["year"], local_year=svc(context).local_now().year, vote_status=view["vote"])


def _preview_keyboard(context: Context, bloc: Bloc):
    return keyboard([[(label(context, "rollover.btn_leaders"), _data(bloc, PICK_LEAD))],
                     [(label(context, "rollover.btn_go", next_year=bloc.year + 1), _data(bloc, GO))]])


@group_command(secretary=True)
async def namsau(update: Update, context: Context, bloc: Bloc) -> None:
    view = _view(context, bloc)
    refusal = _refusal(context, view)
    if refusal is not None:
        await say(update, context, f"rollover.{refusal}", local_year=svc(context).local_now().year, **view)
        return
    await say(update, context, "rollover.preview", reply_markup=_preview_keyboard(context, bloc), **view)


async def _edit(update: Update, context: Context, template: str, /, *, reply_markup=None, **ctx) -> None:
    message = update.callback_query.message
    await outbox.edit(context.bot, message.chat.id, message.message_id, svc(context).render(template, **ctx),
                      reply_markup=reply_markup)


def _picker(context: Context, bloc: Bloc, view: dict, *, lead: bool):
    """The roster as buttons; the deputy's leaves out next year's Trưởng khối (not both)."""
    chosen = view["lead"] if lead else view["deputy"]
    skip = PICK_DEPUTY if lead else BACK
    rows = [[(label(context, "rollover.btn_unit", unit=u, chosen=chosen is not None and u.id == chosen.id),
              _data(bloc, SET_LEAD if lead else SET_DEPUTY, u.id))]
            for u in view["unit_list"] if lead or view["lead"] is None or u.id != view["lead"].id]
    rows.append([(label(context, "rollover.btn_back"), _data(bloc, BACK)),
                 (label(context, "rollover.btn_skip"), _data(bloc, skip))])
    return keyboard(rows)


async def _show_picker(update: Update, context: Context, bloc: Bloc, *, lead: bool) -> None:
    view = _view(context, bloc)
    if not view["unit_list"]:
        await _edit(update, context, "rollover.no_units")
        return
    await _edit(update, context, "rollover.pick_lead" if lead else "rollover.pick_deputy",
                reply_markup=_picker(context, bloc, view, lead=lead), **view)


async def _set_leader(update: Update, context: Context, bloc: Bloc, kind: str, unit_id: int | None) -> bool:
    """Record next year's Trưởng/Phó khối; False (and an alert) when the unit is not this
    bloc's, or is asked to be both."""
    s = svc(context)
    next_year = bloc.year + 1
    with s.db.session() as session:
        unit = roster.unit_of_bloc(session=session, bloc_id=bloc.id, unit_id=unit_id) if unit_id else None
        led = store.leaders(session=session, bloc=bloc, year=next_year)
        both = kind == RoleKind.DEPUTY and unit is not None and RoleKind.LEAD in led \
            and led[RoleKind.LEAD].id == unit.id
        if unit is not None and not both:
            roles.set_unit_role(session=session, bloc=bloc, unit=unit, kind=kind, by=update.effective_user.id,
                                now=s.clock.now(), year=next_year)
    if unit is None:
        await alert(update, context, "roster.unit_gone")
        return False
    if both:
        await alert(update, context, "rollover.not_both_alert")
        return False
    await update.callback_query.answer()
    return True


async def _roll_over(update: Update, context: Context, bloc: Bloc, year: int) -> None:
    s = svc(context)
    with s.db.session() as session:
        outcome = store.roll_over(session=session, bloc_id=bloc.id, from_year=year, by=update.effective_user.id,
                                  now=s.clock.now())
    if outcome.vote_open:
        await alert(update, context, "rollover.vote_open_alert", year=year)
        return
    if not outcome.moved:  # another press got there first
        await alert(update, context, "rollover.stale_year_alert", made_for=year, current=outcome.bloc.year)
        return
    await update.callback_query.answer()
    if outcome.reminders_stopped:
        scheduler.set_alarm(context.application)
    new = outcome.bloc
    await _edit(update, context, "rollover.done", year=year, next_year=new.year)
    with s.db.session() as session:
        led = store.leaders(session=session, bloc=new, year=new.year)
    await tell(context, new.chat_id, "rollover.started", bloc=new, year=new.year, lead=led.get(RoleKind.LEAD),
               deputy=led.get(RoleKind.DEPUTY), previous=year,
               reply_markup=private_chat_button(context, "rollover.btn_register", "dangky"))


@group_button(secretary=True)
async def on_button(update: Update, context: Context, bloc: Bloc) -> None:
    button = RolloverButton.unpack(update.callback_query.data)
    action, year, unit_id = (button.action, button.year, button.unit_id) if button else (None, None, None)
    if button is None:
        await alert(update, context, "common.stale_button")
        return
    if year != bloc.year:
        # Made for a year the bloc has left: a late confirmation must not move it again.
        await alert(update, context, "rollover.stale_year_alert", made_for=year, current=bloc.year)
        return
    if action in (PICK_LEAD, PICK_DEPUTY):
        await update.callback_query.answer()
        await _show_picker(update, context, bloc, lead=action == PICK_LEAD)
    elif action == SET_LEAD:
        if await _set_leader(update, context, bloc, RoleKind.LEAD, unit_id):
            await _show_picker(update, context, bloc, lead=False)
    elif action == SET_DEPUTY:
        if await _set_leader(update, context, bloc, RoleKind.DEPUTY, unit_id):
            await _edit(update, context, "rollover.preview", reply_markup=_preview_keyboard(context, bloc),
                        saved=True, **_view(context, bloc))
    elif action == BACK:
        await update.callback_query.answer()
        await _edit(update, context, "rollover.preview", reply_markup=_preview_keyboard(context, bloc),
                    **_view(context, bloc))
    elif action == CANCEL:
        await update.callback_query.answer()
        await _edit(update, context, "rollover.cancelled", year=bloc.year)
    else:
        view = _view(context, bloc)
        refusal = _refusal(context, view)
        if refusal is not None:
            await alert(update, context, f"rollover.{refusal}_alert", **view)
            return
        if action == GO:
            await update.callback_query.answer()
            await _edit(update, context, "rollover.confirm", **view, reply_markup=keyboard([[
                (label(context, "rollover.btn_confirm", next_year=bloc.year + 1), _data(bloc, OK)),
                (label(context, "rollover.btn_cancel"), _data(bloc, CANCEL))]]))
        else:
            await _roll_over(update, context, bloc, year)
