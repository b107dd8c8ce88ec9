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
from handlers.common import (Context, alert, ask, best_effort, group_button, group_command, is_group_admin, keyboard,
                             label, say, svc, tell, transaction, unit_choices)
from handlers.replies import Answer, Decided
from services import scores as service
from services.scores import Refusal, Refused
from storage.models import Bloc, PendingReply
from storage.users import display_name

SELF = "scores.self"


def _default(context: Context) -> list[Criterion]:
    """The deployment's points table (config ``[scores]``), for blocs without their own."""
    return [Criterion(c.name, c.max) for c in svc(context).settings.scores.criteria]


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
                  unit_name=scores.unit.name, criteria=to_rows(scores.criteria))


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
    return service.enter_own(session, user_id=answer.user_id, unit_id=pending.payload.get("unit_id"),
                             bloc_id=pending.bloc_id, asked=pending.payload.get("criteria"), text=answer.text,
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

async def show_scores(update: Update, context: Context, bloc: Bloc) -> None:
    """The bloc's table of scores in the chat of the update (the group); the person who
    asked gets the secretaries' buttons if they are one. Does not answer a callback query."""
    user_id = update.effective_user.id
    with transaction(context) as session:
        view = service.bloc_scores(session, bloc=bloc, user_id=user_id, default=_default(context))
    secretary = view.listed_secretary or (svc(context).settings.bot.admins_are_secretaries
                                          and await is_group_admin(context, bloc.chat_id, user_id))
    markup = keyboard([[(label(context, "scores.btn_criteria"), ScoreCriteria().pack())],
                       [(label(context, "scores.btn_adjust"), ScoreAdjust().pack())]]) if secretary else None
    await say(update, context, "scores.table", reply_markup=markup, **view.context())


@group_command()
async def _group(update: Update, context: Context, bloc: Bloc) -> None:
    await show_scores(update, context, bloc)


@group_button(secretary=False)
async def on_menu(update: Update, context: Context, bloc: Bloc) -> None:
    """sc:menu: the table, from another feature's panel (e.g. /binhxet)."""
    await update.callback_query.answer()
    await show_scores(update, context, bloc)


@group_button(secretary=True)
async def on_secretary_button(update: Update, context: Context, bloc: Bloc) -> None:
    data = update.callback_query.data
    if ScoreCriteria.unpack(data):
        with transaction(context) as session:
            view = service.criteria(session, bloc=bloc, default=_default(context))
        await update.callback_query.answer()
        markup = None if view.scored else keyboard([[(label(context, "scores.btn_set_table"),
                                                      ScoreSetTable().pack())]])
        await say(update, context, "scores.criteria", reply_markup=markup, bloc=bloc, criteria=view.criteria,
                  own=view.own, scored=view.scored, max_total=view.max_total)
    elif ScoreSetTable.unpack(data):
        with transaction(context) as session:
            refused = service.may_set_table(session, bloc=bloc)
        if refused is not None:
            await alert(update, context, "scores.table_locked_alert", bloc=bloc)
            return
        await update.callback_query.answer()
        await ask(update, context, "scores.ask_table", action="scores.table", bloc_id=bloc.id, year=bloc.year)
    else:  # adjust
        with transaction(context) as session:
            table = service.points_table(session, bloc=bloc, default=_default(context))
        await update.callback_query.answer()
        await ask(update, context, "scores.ask_adjust", action="scores.adjust", bloc_id=bloc.id,
                  criteria=to_rows(table))


async def _secretary_answer(update: Update, context: Context, pending: PendingReply, outcome, decide):
    """A secretary's answer decided as a listed secretary: a group administrator (when such
    are secretaries) who is not listed is asked about to Telegram, then decided again as one
    (a second transaction, after that await). The outcome, or None when refused here (said)."""
    if isinstance(outcome, Refused) and outcome.code == Refusal.NOT_LISTED:
        chat_id, user_id = update.effective_chat.id, update.effective_user.id
        if svc(context).settings.bot.admins_are_secretaries and await is_group_admin(context, chat_id, user_id):
            with transaction(context) as session:
                outcome = decide(context, session, pending, Answer(chat_id, user_id, update.message.text or "",
                                                                   svc(context).clock.now()), admin=True)
        else:
            await say(update, context, "common.secretaries_only", command="chamdiem")
            return None
    if isinstance(outcome, Refused) and outcome.code == Refusal.NO_BLOC:
        await say(update, context, "common.no_bloc")
        return None
    return outcome


def _decide_table(context: Context, session: Session, pending: PendingReply, answer: Answer, admin: bool = False):
    return service.set_table(session, chat_id=answer.chat_id, bloc_id=pending.bloc_id, user_id=answer.user_id,
                             admin=admin, text=answer.text, now=answer.now)


async def _show_table(update: Update, context: Context, pending: PendingReply, outcome) -> bool:
    outcome = await _secretary_answer(update, context, pending, outcome, _decide_table)
    if outcome is None:
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


def _decide_adjust(context: Context, session: Session, pending: PendingReply, answer: Answer, admin: bool = False):
    return service.adjust(session, chat_id=answer.chat_id, bloc_id=pending.bloc_id, user_id=answer.user_id,
                          admin=admin, text=answer.text, now=answer.now, default=_default(context))


async def _show_adjust(update: Update, context: Context, pending: PendingReply, outcome) -> bool:
    outcome = await _secretary_answer(update, context, pending, outcome, _decide_adjust)
    if outcome is None:
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
