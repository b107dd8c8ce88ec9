"""/chamdiem: scores against the bloc's points table (bảng chấm điểm).

In the private chat a unit's representative enters the unit's own points, one per
criterion, by replying to the bot's question; they may change them until the bloc's vote
for the year opens. In the group everyone sees the table of totals; secretaries set the
bloc's points table for the year (before any score) and adjust a unit's points with a
reason. Buttons: ``sc:unit:<unit id>`` (private chat), ``sc:menu``, ``sc:table``,
``sc:settable``, ``sc:adjust`` (group; the bloc comes from the chat).
"""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType

from domain.scores import (Criterion, ScoreError, check, max_total, parse_adjustment, parse_points, parse_table,
                           to_rows)
from domain.text import sort_key
from handlers.buttons import ScoreAdjust, ScoreCriteria, ScoreSetTable, ScoreUnit
from handlers.common import (the_unit, Context, alert, ask, best_effort, group_button, group_command, is_secretary,
                             keyboard, label, say, svc, tell)
from handlers.replies import secretary_answering
from storage import roster
from storage import scores as store
from storage.models import Bloc, PendingReply, Score, Unit
from storage.users import display_name, reachable

SELF = "scores.self"


# ---- what the views show --------------------------------------------------------------------

def _criteria(context: Context, bloc: Bloc) -> list[Criterion]:
    s = svc(context)
    default = [Criterion(c.name, c.max) for c in s.settings.scores.criteria]
    with s.db.session() as session:
        return store.points_table(session=session, bloc=bloc, default=default)


def _lines(criteria: list[Criterion], rows: list[Score]) -> list[dict]:
    """One line per criterion: its own points, the secretary's adjustment."""
    by_index = {r.criterion: r for r in rows}
    lines = []
    for index, criterion in enumerate(criteria):
        row = by_index.get(index)
        lines.append(dict(number=index + 1, criterion=criterion,
                          self=row.self_points if row else None,
                          adjusted=row.adjusted_points if row else None))
    return lines


def _unit_state(context: Context, bloc: Bloc, unit: Unit) -> dict:
    s = svc(context)
    criteria = _criteria(context, bloc)
    with s.db.session() as session:
        rows = store.scores_of_unit(session=session, unit_id=unit.id, year=bloc.year)
        locked = store.self_entry_locked(session=session, bloc_id=bloc.id, year=bloc.year)
    total, adjusted = store.unit_total(rows)
    own = [r.self_points for r in rows if r.criterion < len(criteria)]
    return dict(unit=unit, bloc=bloc, criteria=criteria, lines=_lines(criteria, rows), total=total,
                adjusted=adjusted, locked=locked, max_total=max_total(criteria),
                self_total=round(sum(p for p in own if p is not None), 2) if any(p is not None for p in own) else None,
                reason=next((r.adjusted_reason for r in rows if r.adjusted_reason), ""))


def _unit_for(context: Context, user_id: int, unit_id: int | None) -> tuple[Unit, Bloc] | None:
    """The unit and its bloc, only if this person represents it now."""
    if unit_id is None:
        return None
    with svc(context).db.session() as session:
        return next(((u, b) for u, b in roster.units_of_user(session=session, user_id=user_id) if u.id == unit_id),
                    None)


# ---- /chamdiem ----------------------------------------------------------------------------

async def chamdiem(update: Update, context: Context) -> None:
    """In the private chat: enter the unit's points; in the group: the table of scores."""
    if update.effective_chat.type == ChatType.PRIVATE:
        await _private(update, context)
    else:
        await _group(update, context)


async def _private(update: Update, context: Context) -> None:
    target = await the_unit(update, context, question="scores.choose_unit", data=lambda unit: ScoreUnit(unit.id).pack())
    if target is not None:
        await open_unit(update, context, *target)


async def open_unit(update: Update, context: Context, unit: Unit, bloc: Bloc) -> None:
    """The unit's points so far, then (until the vote opens) the question for new ones."""
    state = _unit_state(context, bloc, unit)
    await tell(context, update.effective_chat.id, "scores.unit_view", **state)
    if not state["locked"]:
        await ask(update, context, "scores.ask_self", action=SELF, bloc_id=bloc.id, unit_id=unit.id,
                  unit_name=unit.name, criteria=to_rows(state["criteria"]))


async def on_unit_button(update: Update, context: Context) -> None:
    """sc:unit:<unit id> in the private chat: a unit this person represents."""
    query = update.callback_query
    if query.message is None or query.message.chat.type != ChatType.PRIVATE:
        await alert(update, context, "common.stale_button")
        return
    button = ScoreUnit.unpack(query.data)
    unit_id = button.unit_id if button else None
    target = _unit_for(context, update.effective_user.id, unit_id) if button else None
    if target is None:
        await alert(update, context, "scores.not_your_unit" if unit_id is not None else "common.stale_button")
        return
    await query.answer()
    await open_unit(update, context, *target)


async def answer_self(update: Update, context: Context, pending: PendingReply, text: str) -> bool:
    s = svc(context)
    user_id = update.effective_user.id
    target = _unit_for(context, user_id, pending.payload.get("unit_id"))
    if target is None or target[1].id != pending.bloc_id:
        await say(update, context, "scores.not_your_unit")
        return True
    unit, bloc = target
    criteria = _criteria(context, bloc)
    if to_rows(criteria) != pending.payload.get("criteria"):
        await say(update, context, "scores.table_changed")
        return True
    with s.db.session() as session:
        locked = store.self_entry_locked(session=session, bloc_id=bloc.id, year=bloc.year)
    if locked:
        await say(update, context, "scores.locked", unit=unit, bloc=bloc)
        return True
    try:
        points = check(parse_points(update.message.text or text), criteria)
    except ScoreError as exc:
        await say(update, context, f"scores.error_{exc.code}", **exc.details)
        return False
    now = s.clock.now()
    with s.db.session() as session:
        store.enter_self(session=session, bloc=bloc, unit_id=unit.id, points=points, by=user_id, now=now,
                         criteria=criteria)
    await say(update, context, "scores.receipt", at=now, **_unit_state(context, bloc, unit))
    return True


# ---- the group: the table of scores, the secretaries' buttons ------------------------------

def _bloc_view(context: Context, bloc: Bloc) -> dict:
    s = svc(context)
    criteria = _criteria(context, bloc)
    with s.db.session() as session:
        units = roster.active_units(session=session, bloc_id=bloc.id)
        totals = store.totals(session=session, bloc_id=bloc.id, year=bloc.year)
        locked = store.self_entry_locked(session=session, bloc_id=bloc.id, year=bloc.year)
    rows = [dict(unit=u, total=totals.get(u.id, (None, False))[0], adjusted=totals.get(u.id, (None, False))[1])
            for u in units]
    scored = sorted((r for r in rows if r["total"] is not None), key=lambda r: (-r["total"], sort_key(r["unit"].name)))
    unscored = [r for r in rows if r["total"] is None]  # already in Vietnamese order
    return dict(bloc=bloc, scored=scored, unscored=unscored, count=len(units), locked=locked,
                max_total=max_total(criteria))


async def show_scores(update: Update, context: Context, bloc: Bloc) -> None:
    """The bloc's table of scores in the chat of the update (the group); the person who
    asked gets the secretaries' buttons if they are one. Does not answer a callback query."""
    secretary = await is_secretary(context, bloc, update.effective_user.id)
    markup = keyboard([[(label(context, "scores.btn_criteria"), ScoreCriteria().pack())],
                       [(label(context, "scores.btn_adjust"), ScoreAdjust().pack())]]) if secretary else None
    await say(update, context, "scores.table", reply_markup=markup, **_bloc_view(context, bloc))


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
    action = "table" if ScoreCriteria.unpack(data) else "settable" if ScoreSetTable.unpack(data) else "adjust"
    s = svc(context)
    criteria = _criteria(context, bloc)
    with s.db.session() as session:
        scored = store.has_scores(session=session, bloc_id=bloc.id, year=bloc.year)
        own = store.own_table(session=session, bloc_id=bloc.id, year=bloc.year) is not None
    if action == "table":
        await update.callback_query.answer()
        markup = None if scored else keyboard([[(label(context, "scores.btn_set_table"), ScoreSetTable().pack())]])
        await say(update, context, "scores.criteria", reply_markup=markup, bloc=bloc, criteria=criteria, own=own,
                  scored=scored, max_total=max_total(criteria))
    elif action == "settable":
        if scored:
            await alert(update, context, "scores.table_locked_alert", bloc=bloc)
            return
        await update.callback_query.answer()
        await ask(update, context, "scores.ask_table", action="scores.table", bloc_id=bloc.id, year=bloc.year)
    else:  # adjust
        await update.callback_query.answer()
        await ask(update, context, "scores.ask_adjust", action="scores.adjust", bloc_id=bloc.id,
                  criteria=to_rows(criteria))


async def answer_table(update: Update, context: Context, pending: PendingReply, text: str) -> bool:
    bloc = await secretary_answering(update, context, pending, "chamdiem")
    if bloc is None:
        return True
    try:
        criteria = parse_table(update.message.text or text)
    except ScoreError as exc:
        await say(update, context, f"scores.error_{exc.code}", **exc.details)
        return False
    s = svc(context)
    with s.db.session() as session:
        scored = store.has_scores(session=session, bloc_id=bloc.id, year=bloc.year)
        if not scored:
            store.set_points_table(session=session, bloc=bloc, criteria=criteria, by=update.effective_user.id,
                                   now=s.clock.now())
    if scored:
        await say(update, context, "scores.table_locked", bloc=bloc)
        return True
    await say(update, context, "scores.table_set", bloc=bloc, criteria=criteria, max_total=max_total(criteria))
    return True


async def answer_adjust(update: Update, context: Context, pending: PendingReply, text: str) -> bool:
    bloc = await secretary_answering(update, context, pending, "chamdiem")
    if bloc is None:
        return True
    s = svc(context)
    criteria = _criteria(context, bloc)
    try:
        typed = parse_adjustment(update.message.text or text)
    except ScoreError as exc:
        await say(update, context, f"scores.error_{exc.code}", **exc.details)
        return False
    with s.db.session() as session:
        units = roster.find_units(session=session, bloc_id=bloc.id, typed=typed.unit)
    if len(units) != 1:
        await say(update, context, "scores.unit_ambiguous" if units else "scores.unit_not_found", name=typed.unit,
                  units=units)
        return False
    unit = units[0]
    try:
        points = check(parse_points(typed.points), criteria)
    except ScoreError as exc:
        await say(update, context, f"scores.error_{exc.code}", **exc.details)
        return False
    before = _unit_state(context, bloc, unit)
    now = s.clock.now()
    user = update.effective_user
    with s.db.session() as session:
        store.adjust(session=session, bloc=bloc, unit_id=unit.id, points=points, reason=typed.reason, by=user.id,
                     now=now, criteria=criteria)
        people = [p for p in roster.representatives(session=session, bloc_id=bloc.id).get(unit.id, [])
                  if reachable(p)]
    after = _unit_state(context, bloc, unit)
    for line, old in zip(after["lines"], before["lines"]):
        line["previous"] = old["adjusted"] if old["adjusted"] is not None else old["self"]
    await say(update, context, "scores.adjusted", at=now, old_total=before["total"], by_name=user.full_name,
              **after)
    for person in people:
        await best_effort("tell representative", tell(context, person.id, "scores.adjusted_notice",
                                                      name=display_name(person), **after))
    return True
