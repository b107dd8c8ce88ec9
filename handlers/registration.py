"""/dangky and /giaouoc in the representative's private chat.

The registration is a conversation whose state is a ``registration_draft`` row: the
step and what was chosen so far. Buttons carry the draft's id and only the draft's
current message answers, so a button from an ended or earlier step is refused; a
restart of the bot loses nothing, since the next press or answer reads the row.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application

from domain import registration as rules
from handlers.buttons import Covenant, Draft, RegistrationUnit
from handlers.common import (private_button, the_unit, unit_choices, show_step_message, Context, alert, best_effort,
                             represented_units, keyboard, label, private_command, say, svc, tell)
from handlers.notices import notify_secretaries
from handlers.status import refresh_board
from handlers.waits import answer_unread
from khoibot import outbox
from khoibot.services import Services
from storage import registrations, roles, roster
from storage.models import Bloc, Registration, RegistrationDraft, Unit
from storage.users import reachable

log = logging.getLogger(__name__)


# ---- what a unit's representative may act on -------------------------------------------

def _unit_for(context: Context, user_id: int, unit_id: int | None) -> tuple[Unit, Bloc] | None:
    """The unit and its bloc, only if this person represents it now."""
    if unit_id is None:
        return None
    with svc(context).db.connection() as connection:
        return _represented(connection, user_id, unit_id)


def _represented(session, user_id: int, unit_id: int) -> tuple[Unit, Bloc] | None:
    return next(((u, b) for u, b in roster.units_of_user(session=session, user_id=user_id) if u.id == unit_id), None)


def _window(s: Services, bloc: Bloc, unit_id: int, *, session=None) -> rules.Window:
    """Whether the unit may register now (in ``session`` when given, else in a transaction of its own)."""
    if session is None:
        with s.db.connection() as connection:
            return _window(s, bloc, unit_id, session=connection)
    deadline, reopened = registrations.window_facts(session=session, bloc=bloc, unit_id=unit_id)
    return rules.window(deadline=deadline, reopened_until=reopened, now=s.clock.now())


def _summary(s: Services, year: int, data: dict) -> dict:
    """The chosen titles as catalogue entries, for the templates."""
    catalogue = s.catalogue
    return dict(
        collective=catalogue.in_order(data["collective"]),
        individuals=[(t, i["count"], i["names"]) for i in rules.individuals_list(data) if (t := catalogue.get(i["code"]))],
        targets=data["targets"],
    )


# ---- /dangky: choose the unit, see its registration ---------------------------------------

@private_command
async def dangky(update: Update, context: Context) -> None:
    await open_registration(update, context)


async def open_registration(update: Update, context: Context) -> None:
    target = await the_unit(update, context, question="registration.choose_unit",
                          data=lambda unit: RegistrationUnit("unit", unit.id).pack())
    if target is not None:
        await show_overview(update, context, *target, edit=False)


async def show_overview(update: Update, context: Context, unit: Unit, bloc: Bloc, *, edit: bool) -> None:
    s = svc(context)
    with s.db.connection() as connection:
        current = registrations.current_of_unit(session=connection, unit_id=unit.id, year=bloc.year)
        window = _window(s, bloc, unit.id, session=connection)
    registered = current is not None and not current.withdrawn
    rows = []
    if window.open:
        rows.append([(label(context, "registration.btn_change" if registered else "registration.btn_start"),
                      RegistrationUnit("edit", unit.id).pack())])
        if registered:
            rows.append([(label(context, "registration.btn_withdraw"), RegistrationUnit("wd", unit.id).pack())])
    summary = _summary(s, bloc.year, rules.data_from(current.collective, current.individuals, current.targets)) \
        if registered else None
    text = s.render("registration.overview", unit=unit, bloc=bloc, registered=registered, current=current,
                    summary=summary, window=window)
    markup = keyboard(rows) if rows else None
    if edit:
        message = update.callback_query.message
        await outbox.edit(context.bot, message.chat.id, message.message_id, text, reply_markup=markup)
    else:
        await outbox.send(context.bot, s, update.effective_chat.id, text, reply_markup=markup)


@private_button
async def on_unit_button(update: Update, context: Context) -> None:
    """rg:unit|edit|wd:<unit id>, rg:wdok:<unit id>:<registration id> — acting on a unit
    this person represents."""
    button = RegistrationUnit.unpack(update.callback_query.data)
    user_id = update.effective_user.id
    s = svc(context)
    window = draft = None
    with s.db.connection() as connection:  # who may act, the window, the draft started: at once
        target = _represented(connection, user_id, button.unit_id) if button is not None else None
        if target is not None and button.action in ("edit", "wd", "wdok"):
            window = _window(s, target[1], target[0].id, session=connection)
            if button.action == "edit" and window.open:
                message = update.callback_query.message
                draft = _new_draft(s, connection, user_id, *target,
                                   message_id=message.message_id if message is not None else None)
    if target is None:
        await alert(update, context, "registration.not_your_unit" if button else "common.stale_button")
        return
    unit, bloc = target
    action = button.action
    if action == "unit":
        await update.callback_query.answer()
        await show_overview(update, context, unit, bloc, edit=True)
        return
    if not window.open:
        await alert(update, context, "registration.locked_alert", deadline=window.deadline)
        await show_overview(update, context, unit, bloc, edit=True)
        return
    if action == "edit":
        await update.callback_query.answer()
        await show_step(update, context, draft, unit, bloc, edit=True)
    elif action == "wd":
        with s.db.session() as session:
            current = registrations.current_of_unit(session=session, unit_id=unit.id, year=bloc.year)
        await update.callback_query.answer()
        message = update.callback_query.message
        # The confirmation names the registration it was shown for: a newer one is not withdrawn by it.
        yes = RegistrationUnit("wdok", unit.id, current.id if current else 0).pack()
        await outbox.edit(context.bot, message.chat.id, message.message_id,
                          s.render("registration.confirm_withdraw", unit=unit, bloc=bloc),
                          reply_markup=keyboard([[(label(context, "registration.btn_withdraw_yes"), yes),
                                                  (label(context, "registration.btn_withdraw_no"), RegistrationUnit("unit", unit.id).pack())]]))
    else:
        shown = button.registration_id
        with s.db.session() as session:
            current = registrations.current_of_unit(session=session, unit_id=unit.id, year=bloc.year)
            if current is None or current.id != shown:
                current = None
            done = current is not None and not current.withdrawn
            if done:
                registrations.withdraw(session=session, bloc=bloc, unit_id=unit.id, by=user_id, now=s.clock.now())
        await update.callback_query.answer()
        message = update.callback_query.message
        await outbox.edit(context.bot, message.chat.id, message.message_id,
                          s.render("registration.withdrawn" if done else "registration.withdraw_outdated",
                                   unit=unit, bloc=bloc, at=s.clock.now()))
        if done:
            await _after_change(update, context, unit, bloc, "withdraw")


# ---- the draft: choose titles, count people, write targets, review, confirm ----------------

def _new_draft(s: Services, connection, user_id: int, unit: Unit, bloc: Bloc, *,
               message_id: int | None) -> RegistrationDraft:
    """A new draft, from the unit's current registration if it has one; ``message_id`` is the
    message that will show its first step."""
    current = registrations.current_of_unit(session=connection, unit_id=unit.id, year=bloc.year)
    data = rules.data_from(current.collective, current.individuals, current.targets) \
        if current is not None and not current.withdrawn else rules.empty_data()
    return registrations.start_draft(session=connection, user_id=user_id, bloc=bloc, unit_id=unit.id, data=data,
                                     step=rules.COLLECTIVE, now=s.clock.now(), message_id=message_id)


def _step_view(context: Context, draft: RegistrationDraft, unit: Unit, bloc: Bloc):
    """The text and buttons of the draft's current step."""
    s = svc(context)
    d = draft.id
    data = draft.data
    cancel = (label(context, "registration.btn_cancel"), Draft(d, "cancel").pack())
    back = (label(context, "registration.btn_back"), Draft(d, "back").pack())
    common = dict(unit=unit, bloc=bloc, summary=_summary(s, bloc.year, data))
    if draft.step == rules.COLLECTIVE:
        titles = s.catalogue.collective(bloc.year)
        rows = [[(label(context, "registration.btn_toggle", title=t, chosen=t.code in data["collective"]),
                  Draft(d, "t", t.code).pack())] for t in titles]
        rows.append([cancel, (label(context, "registration.btn_next"), Draft(d, "next").pack())])
        return s.render("registration.step_collective", **common), keyboard(rows)
    if draft.step.startswith(rules.INDIVIDUAL_PREFIX):
        title = s.catalogue.get(draft.step.removeprefix(rules.INDIVIDUAL_PREFIX))
        if title is None:  # the catalogue changed under a draft (a restart with a new config)
            draft.step = rules.COLLECTIVE
            return _step_view(context, draft, unit, bloc)
        entry = data["individuals"].get(title.code, {"count": 0, "names": []})
        rows = [[(label(context, "registration.btn_zero"), Draft(d, "zero").pack())]]
        if entry["count"]:
            rows[0].append((label(context, "registration.btn_keep", count=entry["count"]), Draft(d, "keep").pack()))
        rows.append([back, cancel])
        return s.render("registration.step_individual", title=title, entry=entry, **common), keyboard(rows)
    if draft.step == rules.TARGETS:
        rows = [[(label(context, "registration.btn_keep_targets" if data["targets"] else "registration.btn_skip"),
                  Draft(d, "skip").pack())], [back, cancel]]
        return s.render("registration.step_targets", limit=rules.MAX_TARGETS, **common), keyboard(rows)
    rows = [[(label(context, "registration.btn_confirm"), Draft(d, "ok").pack())], [back, cancel]]
    return s.render("registration.step_review", **common), keyboard(rows)


async def show_step(update: Update, context: Context, draft: RegistrationDraft, unit: Unit, bloc: Bloc, *,
                    edit: bool) -> None:
    """Show the current step: in place when a button was pressed, as a new message after
    typed input (the new message's buttons are then the only live ones)."""
    s = svc(context)
    message_id = await show_step_message(update, context, *_step_view(context, draft, unit, bloc), edit=edit)
    if message_id is not None and draft.message_id != message_id:
        with s.db.connection() as connection:
            registrations.save_draft(session=connection, draft=draft, now=s.clock.now(), message_id=message_id)


def _live_draft(context: Context, user_id: int, connection) -> tuple[RegistrationDraft | None, bool,
                                                                     tuple[Unit, Bloc] | None]:
    """The person's draft, whether it timed out (then it is dropped), and the draft's unit
    and bloc if this person still represents it (one statement, and one more to drop)."""
    s = svc(context)
    found = registrations.live_draft(session=connection, user_id=user_id)
    if found is None:
        return None, False, None
    draft, unit, bloc = found
    idle = timedelta(minutes=s.settings.bot.draft_timeout_minutes)
    if draft.touched_at + idle <= s.clock.now():
        registrations.drop_draft(session=connection, draft_id=draft.id)
        return None, True, None
    return draft, False, (unit, bloc) if unit is not None else None


@dataclass
class _Press:
    """What a press on a draft's button did to the database, for the answer to tell."""

    outcome: str  # timed_out, stale, cancelled, nothing_chosen, locked, confirmed, saved
    draft: RegistrationDraft | None = None
    unit: Unit | None = None
    bloc: Bloc | None = None
    window: rules.Window | None = None
    saved: Registration | None = None
    previous: Registration | None = None
    version: int = 0


def _press(context: Context, connection, query, user_id: int) -> _Press:
    """Read the draft, decide what the press means, write it: one transaction, no Telegram."""
    s = svc(context)
    button = Draft.unpack(query.data)
    draft, timed_out, represented = _live_draft(context, user_id, connection)
    if timed_out:
        return _Press("timed_out")
    stale = (draft is None or button is None or button.draft_id != draft.id
             or query.message is None or query.message.message_id != draft.message_id)
    if stale or represented is None:
        return _Press("stale")
    unit, bloc = represented
    action, data, step = button.action, draft.data, draft.step
    all_steps = rules.steps(s.catalogue, bloc.year)
    changes: dict = {}
    if action == "cancel":
        registrations.drop_draft(session=connection, draft_id=draft.id)
        return _Press("cancelled", draft, unit, bloc)
    if action == Draft.TOGGLE and step == rules.COLLECTIVE and button.code in {
            t.code for t in s.catalogue.collective(bloc.year)}:
        changes["data"] = rules.toggle(data, button.code)
    elif action == "next" and step == rules.COLLECTIVE:
        changes["step"] = rules.following(all_steps, step)
    elif action == "back" and step != rules.COLLECTIVE:
        changes["step"] = rules.following(all_steps, step, -1)
    elif action in ("zero", "keep") and step.startswith(rules.INDIVIDUAL_PREFIX):
        if action == "zero":
            code = step.removeprefix(rules.INDIVIDUAL_PREFIX)
            changes["data"] = {**data, "individuals": {**data["individuals"], code: {"count": 0, "names": []}}}
        changes["step"] = rules.following(all_steps, step)
    elif action == "skip" and step == rules.TARGETS:
        changes["step"] = rules.REVIEW
    elif action == "ok" and step == rules.REVIEW:
        return _confirm(s, connection, draft, unit, bloc, user_id)
    else:
        return _Press("stale")
    draft = registrations.save_draft(session=connection, draft=draft, now=s.clock.now(), **changes)
    return _Press("saved", draft, unit, bloc)


def _confirm(s: Services, connection, draft: RegistrationDraft, unit: Unit, bloc: Bloc, user_id: int) -> _Press:
    """The window checked and the registration saved (or the draft dropped when it closed)."""
    data = draft.data
    if not data["collective"] and not rules.individuals_list(data):
        return _Press("nothing_chosen")
    window = _window(s, bloc, unit.id, session=connection)
    if not window.open:
        registrations.drop_draft(session=connection, draft_id=draft.id)
        return _Press("locked", draft, unit, bloc, window=window)
    previous = registrations.current_of_unit(session=connection, unit_id=unit.id, year=bloc.year)
    saved = registrations.confirm(session=connection, bloc=bloc, unit_id=unit.id, collective=data["collective"],
                                  individuals=rules.individuals_list(data), targets=data["targets"], by=user_id,
                                  now=s.clock.now())
    version = registrations.versions(session=connection, unit_id=unit.id, year=bloc.year)
    registrations.drop_draft(session=connection, draft_id=draft.id)
    return _Press("confirmed", draft, unit, bloc, window=window, saved=saved, previous=previous, version=version)


@private_button
async def on_draft_button(update: Update, context: Context) -> None:
    """rd:<draft id>:<action>[:<title code>]."""
    query = update.callback_query
    s = svc(context)
    with s.db.connection() as connection:
        press = _press(context, connection, query, update.effective_user.id)
    if press.outcome in ("timed_out", "stale", "nothing_chosen"):
        await alert(update, context, {"timed_out": "registration.timed_out_alert", "stale": "registration.stale_alert",
                                      "nothing_chosen": "registration.nothing_chosen"}[press.outcome])
        return
    unit, bloc = press.unit, press.bloc
    await query.answer()
    if press.outcome == "saved":
        await show_step(update, context, press.draft, unit, bloc, edit=True)
        return
    message = query.message
    if press.outcome == "cancelled":
        await outbox.edit(context.bot, message.chat.id, message.message_id, s.render("registration.cancelled", unit=unit))
    elif press.outcome == "locked":
        await outbox.edit(context.bot, message.chat.id, message.message_id,
                          s.render("registration.locked", unit=unit, deadline=press.window.deadline))
    else:
        await confirmed(update, context, press)


async def on_text(update: Update, context: Context) -> None:
    """Typed answers in the private chat: the number of people, or the targets."""
    user_id = update.effective_user.id
    s = svc(context)
    text = update.message.text or ""
    error: tuple[str, dict] | None = None
    with s.db.connection() as connection:  # read, check and save at once; Telegram afterwards
        draft, timed_out, target = _live_draft(context, user_id, connection)
        if draft is not None and target is None:  # the unit was removed, or this person no longer represents it
            registrations.drop_draft(session=connection, draft_id=draft.id)
        elif draft is not None:
            unit, bloc = target
            step = draft.step
            data = None
            if step.startswith(rules.INDIVIDUAL_PREFIX):
                try:
                    count, names = rules.parse_people(text)
                    code = step.removeprefix(rules.INDIVIDUAL_PREFIX)
                    data = {**draft.data, "individuals": {**draft.data["individuals"],
                                                          code: {"count": count, "names": names}}}
                except rules.InputError as exc:
                    error = (f"registration.error_{exc.code}",
                             dict(limit=rules.MAX_PEOPLE, name_limit=rules.MAX_PERSON_NAME))
            elif step == rules.TARGETS:
                try:
                    data = {**draft.data, "targets": rules.check_targets(text)}
                except rules.InputError as exc:
                    error = (f"registration.error_{exc.code}", dict(limit=rules.MAX_TARGETS, length=len(text)))
            if data is not None:
                draft = registrations.save_draft(session=connection, draft=draft, now=s.clock.now(), data=data,
                                                 step=rules.following(rules.steps(s.catalogue, bloc.year), step))
    if timed_out:
        await say(update, context, "registration.timed_out")
    elif draft is None:  # maybe another step waits (a file, a reply to a question): say what
        await answer_unread(update, context, typed=True)
    elif target is None:
        await say(update, context, "registration.not_your_unit")
    elif error is not None:
        await say(update, context, error[0], **error[1])
    elif data is None:
        # A button step: say so and show the step again below, with live buttons.
        await say(update, context, "registration.press_a_button")
        await show_step(update, context, draft, unit, bloc, edit=False)
    else:
        await show_step(update, context, draft, unit, bloc, edit=False)


async def confirmed(update: Update, context: Context, press: _Press) -> None:
    """The receipt (what was saved, and when), then the others are told."""
    s = svc(context)
    query = update.callback_query
    unit, bloc, data = press.unit, press.bloc, press.draft.data
    summary = _summary(s, bloc.year, data)
    await outbox.edit(context.bot, query.message.chat.id, query.message.message_id,
                      s.render("registration.receipt", unit=unit, bloc=bloc, at=press.saved.confirmed_at,
                               version=press.version, **summary))
    kind = "change" if press.previous is not None and not press.previous.withdrawn else "register"
    await _after_change(update, context, unit, bloc, kind, summary=summary)


async def _after_change(update: Update, context: Context, unit: Unit, bloc: Bloc, kind: str,
                        summary: dict | None = None) -> None:
    """Tell the unit's other representatives and the secretaries; update the pinned board."""
    s = svc(context)
    me = update.effective_user
    with s.db.connection() as connection:
        others = roster.reachable_representatives(session=connection, unit_id=unit.id, but=me.id)
    secretaries = []
    if s.settings.bot.notify == "dm":  # in the group, every secretary reads the one notice
        with s.db.session() as session:
            secretaries = [role.user_id for role, user in roles.secretaries(session=session, bloc=bloc)
                           if reachable(user)]
    for person_id in others:
        await best_effort("tell other representative", tell(
            context, person_id, "registration.changed_by_other", unit=unit, bloc=bloc, person=me.full_name,
            kind=kind, summary=summary))
    await best_effort("notify secretaries", notify_secretaries(
        context, bloc, secretaries, "registration.secretary_notice", unit=unit, kind=kind, person=me.full_name,
        summary=summary))
    await best_effort("refresh board", refresh_board(context, bloc))


# ---- /giaouoc: the covenant ----------------------------------------------------------------

@private_command
async def giaouoc(update: Update, context: Context) -> None:
    units = await represented_units(update, context)
    if units:
        await covenant_for(update, context, units)


async def covenant_for(update: Update, context: Context, units: list[tuple[Unit, Bloc]]) -> None:
    rows = unit_choices(context, units, lambda unit: Covenant(unit.id).pack(), template="registration.btn_covenant")
    await outbox.send(context.bot, svc(context), update.effective_chat.id,
                      svc(context).render("registration.covenant_question", units=units), reply_markup=keyboard(rows))


@private_button
async def on_covenant_button(update: Update, context: Context) -> None:
    button = Covenant.unpack(update.callback_query.data)
    target = _unit_for(context, update.effective_user.id, button.unit_id) if button else None
    if target is None:
        await alert(update, context, "registration.not_your_unit" if button else "common.stale_button")
        return
    unit, bloc = target
    s = svc(context)
    with s.db.session() as session:
        signed = registrations.sign_covenant(session=session, bloc=bloc, unit_id=unit.id,
                                             by=update.effective_user.id, now=s.clock.now())
        existing = signed or registrations.covenants(session=session, bloc_id=bloc.id, year=bloc.year)[unit.id]
    await update.callback_query.answer()
    message = update.callback_query.message
    await outbox.edit(context.bot, message.chat.id, message.message_id,
                      s.render("registration.covenant_signed" if signed else "registration.covenant_already",
                               unit=unit, bloc=bloc, at=existing.confirmed_at))
    if signed:
        await best_effort("refresh board", refresh_board(context, bloc))


# ---- idle drafts time out ------------------------------------------------------------------

async def sweep_idle_drafts(app: Application) -> int:
    """Drop drafts left untouched past the timeout and tell their owners; how many."""
    s: Services = app.bot_data["services"]
    idle = timedelta(minutes=s.settings.bot.draft_timeout_minutes)
    with s.db.session() as session:
        drafts = registrations.idle_drafts(session=session, now=s.clock.now(), idle=idle)
        found = [(d, session.get(Unit, d.unit_id)) for d in drafts]
        for draft in drafts:
            registrations.drop_draft(session=session, draft_id=draft.id)
    for draft, unit in found:
        if draft.message_id:
            try:
                await app.bot.edit_message_reply_markup(draft.user_id, draft.message_id, reply_markup=None)
            except TelegramError:
                pass  # the message is gone or already without buttons
        await outbox.send(app.bot, s, draft.user_id, s.render("registration.timed_out", unit=unit,
                                                               minutes=s.settings.bot.draft_timeout_minutes))
    return len(found)


async def sweep_job(context: Context) -> None:
    await sweep_idle_drafts(context.application)
