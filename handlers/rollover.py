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

from handlers import dossier_due
from handlers.buttons import Rollover as RolloverButton
from handlers.common import Context, alert, best_effort, keyboard, label, private_chat_button, say, tell, transaction
from handlers.gates import acting, in_group, pressed_in_group, pressed_message, refuse_button, refuse_command
from khoibot import outbox, scheduler
from services import rollover as service
from services.blocs import Refused as BlocRefused
from services.blocs import bloc_in
from services.rollover import Preview, Refusal, Refused
from storage.models import Bloc, RoleKind

PICK_LEAD, SET_LEAD, PICK_DEPUTY, SET_DEPUTY = "pl", "L", "pd", "D"
BACK, GO, OK, CANCEL = "back", "go", "ok", "no"


def _data(bloc: Bloc, action: str, unit_id: int = 0) -> str:
    return RolloverButton(action, bloc.year, unit_id).pack()


def _view(context: Context, preview: Preview) -> dict:
    """What the bloc's move to next year would do, for the templates."""
    return dict(bloc=preview.bloc, year=preview.year, next_year=preview.next_year, lead=preview.lead,
                deputy=preview.deputy, secretaries=preview.secretaries,
                admins_are_secretaries=context.services.settings.bot.admins_are_secretaries, units=len(preview.units),
                unit_list=preview.units, deputy_choices=preview.deputy_choices, vote=preview.vote,
                reminders_left=preview.reminders_left)


def _preview_keyboard(context: Context, bloc: Bloc):
    return keyboard([[(label(context, "rollover.btn_leaders"), _data(bloc, PICK_LEAD))],
                     [(label(context, "rollover.btn_go", next_year=bloc.year + 1), _data(bloc, GO))]])


@in_group
async def namsau(update: Update, context: Context) -> None:
    local_year = context.services.local_now().year
    actor = await acting(update, context)
    with transaction(context) as session:
        bloc = bloc_in(session, chat_id=update.effective_chat.id, actor=actor, secretary=True)
        found = bloc if isinstance(bloc, BlocRefused) else service.may_move(session, bloc_id=bloc.id, year=None,
                                                                            local_year=local_year)
    if isinstance(found, BlocRefused):
        await refuse_command(update, context, found, "namsau")
        return
    if isinstance(found, Refused):
        await say(update, context, f"rollover.{found.code}", local_year=local_year, **_view(context, found.preview))
        return
    await say(update, context, "rollover.preview", reply_markup=_preview_keyboard(context, found.bloc),
              **_view(context, found))


async def _edit(update: Update, context: Context, template: str, /, *, reply_markup=None, **ctx) -> None:
    message = update.callback_query.message
    await outbox.edit(context.bot, message.chat.id, message.message_id, context.services.render(template, **ctx),
                      reply_markup=reply_markup)


def _picker(context: Context, view: dict, *, lead: bool):
    """The roster as buttons, for the Trưởng khối or the Phó khối (services.rollover.Preview
    says which units may be which)."""
    bloc = view["bloc"]
    chosen = view["lead"] if lead else view["deputy"]
    skip = PICK_DEPUTY if lead else BACK
    rows = [[(label(context, "rollover.btn_unit", unit=u, chosen=chosen is not None and u.id == chosen.id),
              _data(bloc, SET_LEAD if lead else SET_DEPUTY, u.id))]
            for u in (view["unit_list"] if lead else view["deputy_choices"])]
    rows.append([(label(context, "rollover.btn_back"), _data(bloc, BACK)),
                 (label(context, "rollover.btn_skip"), _data(bloc, skip))])
    return keyboard(rows)


async def _show_picker(update: Update, context: Context, preview: Preview, *, lead: bool) -> None:
    view = _view(context, preview)
    if not view["unit_list"]:
        await _edit(update, context, "rollover.no_units")
        return
    await _edit(update, context, "rollover.pick_lead" if lead else "rollover.pick_deputy",
                reply_markup=_picker(context, view, lead=lead), **view)


async def _refused(update: Update, context: Context, refused: Refused) -> None:
    if refused.code == Refusal.STALE_YEAR:
        await alert(update, context, "rollover.stale_year_alert", made_for=refused.made_for, current=refused.current)
    elif refused.code == Refusal.UNIT_GONE:
        await alert(update, context, "roster.unit_gone")
    elif refused.code == Refusal.NOT_BOTH:
        await alert(update, context, "rollover.not_both_alert")
    else:
        await alert(update, context, f"rollover.{refused.code}_alert", **_view(context, refused.preview))


async def _rolled_over(update: Update, context: Context, done: service.RolledOver) -> None:
    await update.callback_query.answer()
    if done.reminders_stopped:
        scheduler.set_alarm(context.application)
    new = done.bloc
    await best_effort("province deadline", dossier_due.follow(context.application, new))
    await _edit(update, context, "rollover.done", year=done.previous, next_year=new.year)
    await tell(context, new.chat_id, "rollover.started", bloc=new, year=new.year, lead=done.lead,
               deputy=done.deputy, previous=done.previous,
               reply_markup=private_chat_button(context, "rollover.btn_register", "dangky"))


def _decide(session, bloc: Bloc, button: RolloverButton, by: int, s):
    """What a press of the move's buttons decides, past the gate."""
    action, year = button.action, button.year
    if action in (SET_LEAD, SET_DEPUTY):
        return service.set_leader(session, bloc_id=bloc.id, year=year, unit_id=button.unit_id or None,
                                  kind=RoleKind.LEAD if action == SET_LEAD else RoleKind.DEPUTY, by=by,
                                  now=s.clock.now())
    if action == OK:
        return service.confirm(session, bloc_id=bloc.id, year=year, local_year=s.local_now().year, by=by,
                               now=s.clock.now())
    if action == GO:
        return service.may_move(session, bloc_id=bloc.id, year=year, local_year=s.local_now().year)
    return service.preview(session, bloc_id=bloc.id, year=year)


@pressed_in_group
async def on_button(update: Update, context: Context) -> None:
    button = RolloverButton.unpack(update.callback_query.data)
    s = context.services
    actor = await acting(update, context)
    with transaction(context) as session:
        bloc = bloc_in(session, chat_id=update.callback_query.message.chat.id, actor=actor, secretary=True,
                       message=pressed_message(update))
        outcome = bloc if isinstance(bloc, BlocRefused) or button is None else _decide(
            session, bloc, button, update.effective_user.id, s)
    if isinstance(outcome, BlocRefused):
        await refuse_button(update, context, outcome)
        return
    if button is None:
        await alert(update, context, "common.stale_button")
        return
    action = button.action
    if isinstance(outcome, Refused):
        await _refused(update, context, outcome)
        return
    if isinstance(outcome, service.RolledOver):
        await _rolled_over(update, context, outcome)
        return
    await update.callback_query.answer()
    view = _view(context, outcome)
    if action in (PICK_LEAD, PICK_DEPUTY, SET_LEAD):
        await _show_picker(update, context, outcome, lead=action == PICK_LEAD)
    elif action == SET_DEPUTY:
        await _edit(update, context, "rollover.preview", reply_markup=_preview_keyboard(context, outcome.bloc),
                    saved=True, **view)
    elif action == BACK:
        await _edit(update, context, "rollover.preview", reply_markup=_preview_keyboard(context, outcome.bloc),
                    **view)
    elif action == CANCEL:
        await _edit(update, context, "rollover.cancelled", year=outcome.year)
    else:  # GO
        await _edit(update, context, "rollover.confirm", **view, reply_markup=keyboard([[
            (label(context, "rollover.btn_confirm", next_year=outcome.next_year), _data(outcome.bloc, OK)),
            (label(context, "rollover.btn_cancel"), _data(outcome.bloc, CANCEL))]]))
