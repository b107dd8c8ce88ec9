"""/chamdiem: scores against the bloc's points table (bảng chấm điểm).

In the private chat a unit's representative enters the unit's own points, one per
criterion, by replying to the bot's question; they may change them until the bloc's vote
for the year opens. In the group everyone sees the table of totals; secretaries set the
bloc's points table for the year (before any score) and adjust a unit's points with a
reason. Buttons: ``sc:unit:<unit id>`` (private chat), ``sc:menu``, ``sc:table``,
``sc:settable``, ``sc:adjust`` (group; the bloc comes from the chat). The decisions are
services.scores'; this module parses, renders and sends.
"""

from __future__ import annotations

from sqlmodel import Session
from telegram import Update
from telegram.constants import ChatType

from domain.scores import Criterion, to_rows
from handlers.buttons import ScoreAdjust, ScoreCriteria, ScoreSetTable, ScoreUnit
from handlers.common import Context, alert, ask, best_effort, keyboard, label, say, tell, transaction, unit_choices
from handlers.gates import acting, pressed_in_group, pressed_message, refuse_button, refuse_command
from handlers.replies import Answer, Decided
from services import scores as service
from services.blocs import bloc_in
from services.blocs import Refused as BlocRefused
from services.scores import Refusal, Refused
from storage.models import Bloc, PendingReply
from storage.users import display_name

SELF = "scores.self"


def _default(context: Context) -> list[Criterion]:
    """The deployment's points table (config ``[scores]``), for blocs without their own."""
    return [Criterion(c.name, c.max) for c in context.services.settings.scores.criteria]


async def _say_invalid(update: Update, context: Context, refused: Refused) -> None:
    await say(update, context, f"scores.error_{refused.problem}", **refused.details)


# ---- /chamdiem ----------------------------------------------------------------------------

async def chamdiem(update: Update, context: Context) -> None:
    """In the private chat: enter the unit's points; in the group: the table of scores."""
    if update.effective_chat.type == ChatType.PRIVATE:
        await _private(update, context)
    else:
        await _group(update, context)


async def _private(update: Update, context: Context) -> None:
    with transaction(context) as session:
        outcome = service.open_unit(session, user_id=update.effective_user.id, unit_id=None, default=_default(context))
    if isinstance(outcome, Refused):
        await say(update, context, "registration.not_representative")
    elif isinstance(outcome, service.Choose):
        rows = unit_choices(context, outcome.units, lambda unit: ScoreUnit(unit.id).pack())
        await say(update, context, "scores.choose_unit", reply_markup=keyboard(rows))
    else:
        await _open_unit(update, context, outcome)


async def _open_unit(update: Update, context: Context, scores: service.UnitScores) -> None:
    """The unit's points so far, then (until the vote opens) the question for new ones."""
    await tell(context, update.effective_chat.id, "scores.unit_view", **scores.context())
    if not scores.locked:
        await ask(update, context, "scores.ask_self", action=SELF, bloc_id=scores.bloc.id, unit_id=scores.unit.id,
                  unit_name=scores.unit.name, criteria=scores.criteria)


async def on_unit_button(update: Update, context: Context) -> None:
    """sc:unit:<unit id> in the private chat: a unit this person represents."""
    query = update.callback_query
    button = ScoreUnit.unpack(query.data)
    if query.message is None or query.message.chat.type != ChatType.PRIVATE or button is None:
        await alert(update, context, "common.stale_button")
        return
    with transaction(context) as session:
        outcome = service.open_unit(session, user_id=update.effective_user.id, unit_id=button.unit_id,
                                    default=_default(context))
    if isinstance(outcome, Refused):
        await alert(update, context, "scores.not_your_unit")
        return
    await query.answer()
    await _open_unit(update, context, outcome)


def _decide_self(context: Context, session: Session, pending: PendingReply, answer: Answer):
    return service.enter_own(session, user_id=answer.user_id, unit_id=pending.payload.unit_id,
                             bloc_id=pending.bloc_id, asked=pending.payload.criteria, text=answer.text,
                             now=answer.now, default=_default(context))


async def _show_self(update: Update, context: Context, pending: PendingReply, outcome) -> bool:
    if isinstance(outcome, Refused):
        if outcome.code == Refusal.INVALID:
            await _say_invalid(update, context, outcome)
            return False
        if outcome.code == Refusal.LOCKED:
            await say(update, context, "scores.locked", unit=outcome.unit, bloc=outcome.bloc)
        else:
            await say(update, context, "scores.table_changed" if outcome.code == Refusal.TABLE_CHANGED
                      else "scores.not_your_unit")
        return True
    await say(update, context, "scores.receipt", at=outcome.at, **outcome.scores.context())
    return True


# A representative's own points, in the transaction that finds the question.
answer_self = Decided(_decide_self, _show_self)


# ---- the group: the table of scores, the secretaries' buttons ------------------------------

async def show_scores(update: Update, context: Context, view: service.BlocScores) -> None:
    """The bloc's table of scores in the chat of the update (the group); the person who
    asked gets the secretaries' buttons if they are one. Does not answer a callback query."""
    markup = keyboard([[(label(context, "scores.btn_criteria"), ScoreCriteria().pack())],
                       [(label(context, "scores.btn_adjust"), ScoreAdjust().pack())]]) \
        if view.secretary else None
    await say(update, context, "scores.table", reply_markup=markup, **view.context())


async def _group(update: Update, context: Context) -> None:
    actor = await acting(update, context)
    with transaction(context) as session:
        bloc = bloc_in(session, chat_id=update.effective_chat.id)
        view = bloc if isinstance(bloc, BlocRefused) else service.bloc_scores(
            session, bloc=bloc, actor=actor, default=_default(context))
    if isinstance(view, BlocRefused):
        await refuse_command(update, context, view, "chamdiem")
        return
    await show_scores(update, context, view)


@pressed_in_group
async def on_menu(update: Update, context: Context) -> None:
    """sc:menu: the table, from another feature's panel (e.g. /binhxet)."""
    actor = await acting(update, context)
    with transaction(context) as session:
        bloc = bloc_in(session, chat_id=update.callback_query.message.chat.id, message=pressed_message(update))
        view = bloc if isinstance(bloc, BlocRefused) else service.bloc_scores(
            session, bloc=bloc, actor=actor, default=_default(context))
    if isinstance(view, BlocRefused):
        await refuse_button(update, context, view)
        return
    await update.callback_query.answer()
    await show_scores(update, context, view)


def _decide_press(context: Context, session, bloc: Bloc, data: str):
    """What a secretary's press decides, past the gate."""
    if ScoreCriteria.unpack(data):
        return service.criteria(session, bloc=bloc, default=_default(context))
    if ScoreSetTable.unpack(data):
        return service.may_set_table(session, bloc=bloc)
    return service.points_table(session, bloc=bloc, default=_default(context))


@pressed_in_group
async def on_secretary_button(update: Update, context: Context) -> None:
    data = update.callback_query.data
    actor = await acting(update, context)
    with transaction(context) as session:
        bloc = bloc_in(session, chat_id=update.callback_query.message.chat.id, actor=actor, secretary=True,
                       message=pressed_message(update))
        outcome = bloc if isinstance(bloc, BlocRefused) else _decide_press(context, session, bloc, data)
    if isinstance(outcome, BlocRefused):
        await refuse_button(update, context, outcome)
    elif ScoreCriteria.unpack(data):
        await update.callback_query.answer()
        markup = None if outcome.scored else keyboard([[(label(context, "scores.btn_set_table"),
                                                         ScoreSetTable().pack())]])
        await say(update, context, "scores.criteria", reply_markup=markup, bloc=bloc, criteria=outcome.criteria,
                  own=outcome.own, scored=outcome.scored, max_total=outcome.max_total)
    elif ScoreSetTable.unpack(data):
        if outcome is not None:
            await alert(update, context, "scores.table_locked_alert", bloc=bloc)
            return
        await update.callback_query.answer()
        await ask(update, context, "scores.ask_table", action="scores.table", bloc_id=bloc.id, year=bloc.year)
    else:  # adjust
        await update.callback_query.answer()
        await ask(update, context, "scores.ask_adjust", action="scores.adjust", bloc_id=bloc.id,
                  criteria=to_rows(outcome))


async def _secretary_refused(update: Update, context: Context, outcome) -> bool:
    """A secretary's answer refused by its gate (no longer a secretary, or not the question's
    bloc), said; whether it was."""
    if isinstance(outcome, Refused) and outcome.code == Refusal.NOT_SECRETARY:
        await say(update, context, "common.secretaries_only", command="chamdiem")
        return True
    if isinstance(outcome, Refused) and outcome.code == Refusal.NO_BLOC:
        await say(update, context, "common.no_bloc")
        return True
    return False


def _decide_table(context: Context, session: Session, pending: PendingReply, answer: Answer):
    return service.set_table(session, chat_id=answer.chat_id, bloc_id=pending.bloc_id, actor=answer.actor,
                             text=answer.text, now=answer.now)


async def _show_table(update: Update, context: Context, pending: PendingReply, outcome) -> bool:
    if await _secretary_refused(update, context, outcome):
        return True
    if isinstance(outcome, Refused):
        if outcome.code == Refusal.INVALID:
            await _say_invalid(update, context, outcome)
            return False
        await say(update, context, "scores.table_locked", bloc=outcome.bloc)
        return True
    await say(update, context, "scores.table_set", bloc=outcome.bloc, criteria=outcome.criteria,
              max_total=outcome.max_total)
    return True


# The secretary's points table, in the transaction that finds the question.
answer_table = Decided(_decide_table, _show_table)


def _decide_adjust(context: Context, session: Session, pending: PendingReply, answer: Answer):
    return service.adjust(session, chat_id=answer.chat_id, bloc_id=pending.bloc_id, actor=answer.actor,
                          text=answer.text, now=answer.now, default=_default(context))


async def _show_adjust(update: Update, context: Context, pending: PendingReply, outcome) -> bool:
    if await _secretary_refused(update, context, outcome):
        return True
    if isinstance(outcome, Refused):
        if outcome.code == Refusal.INVALID:
            await _say_invalid(update, context, outcome)
        else:  # the unit named matches none or several
            await say(update, context, f"scores.{outcome.code}", name=outcome.name, units=outcome.units)
        return False
    after = outcome.scores.context()
    await say(update, context, "scores.adjusted", at=outcome.at, old_total=outcome.old_total,
              by_name=update.effective_user.full_name, **after)
    for person in outcome.people:
        await best_effort("tell representative", tell(context, person.id, "scores.adjusted_notice",
                                                      name=display_name(person), **after))
    return True


# A secretary's adjustment of a unit's points, in the transaction that finds the question.
answer_adjust = Decided(_decide_adjust, _show_adjust)
