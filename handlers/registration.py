"""/dangky and /giaouoc in the representative's private chat.

The registration is a conversation whose state is a ``registration_draft`` row: the
step and what was chosen so far. The decisions are services.registration's, each in one
transaction closed before anything is sent; here the update is parsed and the outcome
shown. Buttons carry the draft's id and only the draft's current message answers, so a
button from an ended or earlier step is refused; a restart of the bot loses nothing, since
the next press or answer reads the row.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import timedelta
from functools import partial

from sqlmodel import Session
from telegram import Update

from domain import registration as rules
from handlers.buttons import Covenant, RegistrationUnit
from handlers.buttons import Draft as DraftButton
from handlers.common import (private_button, unit_choices, show_step_message, Context, alert, best_effort,
                             represented_units, keyboard, label, private_command, say, tell, transaction)
from handlers import miniapp
from handlers.notices import notify_secretaries
from handlers.status import refresh_board
from handlers.waits import answer_unread
from khoibot import outbox
from khoibot.services import Services
from services import registration
from services import waits as waits_service
from services.waits import Wait
from storage import registrations
from storage.models import Bloc, Unit


def _summary(s: Services, bloc: Bloc, choice: rules.Choice) -> dict:
    """The chosen titles as catalogue entries (named for the bloc's province), for the templates."""
    catalogue = s.catalogue_for(bloc)
    return dict(
        collective=catalogue.in_order(list(choice.collective)),
        individuals=[(t, p.count, list(p.names)) for code, p in choice.put_up if (t := catalogue.get(code))],
        targets=choice.targets,
    )


def _conversation(context: Context) -> dict:
    """What every draft decision is given besides the press: the time, the timeout, the titles
    (for their codes; what people read is named for the bloc's province: _summary)."""
    s = context.services
    return dict(now=s.clock.now(), timeout=timedelta(minutes=s.settings.bot.draft_timeout_minutes),
                catalogue=s.catalogue)


# ---- /dangky: choose the unit, see its registration ---------------------------------------

@private_command
async def dangky(update: Update, context: Context) -> None:
    await open_registration(update, context)


async def open_registration(update: Update, context: Context) -> None:
    """The unit's registration, or first which unit when the person represents several."""
    s = context.services
    with s.db.connection() as connection:
        seen = registration.opening(connection, user_id=update.effective_user.id, now=s.clock.now())
    if isinstance(seen, registration.Several):
        rows = unit_choices(context, seen.units, lambda unit: RegistrationUnit("unit", unit.id).pack())
        await say(update, context, "registration.choose_unit",
                  reply_markup=miniapp.with_row(keyboard(rows), miniapp.form_button(s, miniapp.REGISTRATION)))
    elif isinstance(seen, registration.Refused):
        await say(update, context, "registration.not_representative")
    else:
        await show_overview(update, context, seen, edit=False)


async def open_unit(update: Update, context: Context, unit_id: int) -> None:
    """A reminder's button: the unit's registration, as a new message, if the person
    represents it (else a pop-up says so)."""
    s = context.services
    with s.db.connection() as connection:
        seen = registration.overview(connection, user_id=update.effective_user.id, unit_id=unit_id,
                                     now=s.clock.now())
    if isinstance(seen, registration.Refused):
        await alert(update, context, "registration.not_your_unit")
        return
    await update.callback_query.answer()
    await show_overview(update, context, seen, edit=False)


async def covenant_of_unit(update: Update, context: Context, unit_id: int) -> None:
    """A reminder's button: the covenant's question for the unit, if the person represents it."""
    with transaction(context) as session:
        target = registration.represented(session, update.effective_user.id, unit_id)
    if target is None:
        await alert(update, context, "registration.not_your_unit")
        return
    await update.callback_query.answer()
    await covenant_for(update, context, [target])


async def show_overview(update: Update, context: Context, seen: registration.Overview, *, edit: bool) -> None:
    s = context.services
    unit, bloc = seen.unit, seen.bloc
    rows = []
    if seen.window.open:
        rows.append([(label(context, "registration.btn_change" if seen.registered else "registration.btn_start"),
                      RegistrationUnit("edit", unit.id).pack())])
        if seen.registered:
            rows.append([(label(context, "registration.btn_withdraw"), RegistrationUnit("wd", unit.id).pack())])
    summary = _summary(s, bloc, seen.choice) if seen.registered else None
    text = s.render("registration.overview", unit=unit, bloc=bloc, registered=seen.registered, current=seen.current,
                    summary=summary, window=seen.window)
    markup = keyboard(rows) if rows else None
    if seen.window.open:
        markup = miniapp.with_row(markup, miniapp.form_button(s, miniapp.REGISTRATION))
    if edit:
        message = update.callback_query.message
        await outbox.edit(context.bot, message.chat.id, message.message_id, text, reply_markup=markup)
    else:
        await outbox.send(context.bot, s, update.effective_chat.id, text, reply_markup=markup)


@private_button
async def on_unit_button(update: Update, context: Context) -> None:
    """rg:unit|edit|wd:<unit id>, rg:wdok:<unit id>:<registration id> — acting on a unit
    this person represents: one service call, one transaction."""
    query = update.callback_query
    button = RegistrationUnit.unpack(query.data)
    if button is None:
        await alert(update, context, "common.stale_button")
        return
    s = context.services
    who = dict(user_id=update.effective_user.id, unit_id=button.unit_id, now=s.clock.now())
    with s.db.connection() as connection:
        if button.action == "edit":
            outcome = registration.start(connection, message_id=query.message.message_id, **who)
        elif button.action == "wd":
            outcome = registration.ask_withdraw(connection, **who)
        elif button.action == "wdok":
            outcome = registration.withdraw(connection, registration_id=button.registration_id, **who)
        else:
            outcome = registration.overview(connection, **who)
    if isinstance(outcome, registration.Refused) and outcome.code == registration.Refusal.NOT_YOUR_UNIT:
        await alert(update, context, "registration.not_your_unit")
        return
    if isinstance(outcome, registration.Refused) and outcome.code == registration.Refusal.LOCKED:
        await alert(update, context, "registration.locked_alert", deadline=outcome.window.deadline)
        await show_overview(update, context, outcome.overview, edit=True)
        return
    await query.answer()
    message = query.message
    if isinstance(outcome, registration.Overview):
        await show_overview(update, context, outcome, edit=True)
    elif isinstance(outcome, registration.Step):
        await show_step(update, context, outcome, edit=True)
    elif isinstance(outcome, registration.WithdrawAsked):
        unit = outcome.unit
        # The confirmation names the registration it was shown for: a newer one is not withdrawn by it.
        yes = RegistrationUnit("wdok", unit.id, outcome.registration_id).pack()
        await outbox.edit(context.bot, message.chat.id, message.message_id,
                          s.render("registration.confirm_withdraw", unit=unit, bloc=outcome.bloc),
                          reply_markup=keyboard([[(label(context, "registration.btn_withdraw_yes"), yes),
                                                  (label(context, "registration.btn_withdraw_no"), RegistrationUnit("unit", unit.id).pack())]]))
    elif isinstance(outcome, registration.Withdrawn):
        await outbox.edit(context.bot, message.chat.id, message.message_id,
                          s.render("registration.withdrawn", unit=outcome.unit, bloc=outcome.bloc, at=outcome.at))
        await after_change(context, update.effective_user.full_name, outcome.unit, outcome.bloc, outcome.told,
                           "withdraw")
    else:  # OUTDATED: the registration changed since the confirmation was asked
        await outbox.edit(context.bot, message.chat.id, message.message_id,
                          s.render("registration.withdraw_outdated", unit=outcome.unit, bloc=outcome.bloc,
                                   at=s.clock.now()))


# ---- the draft: choose titles, count people, write targets, review, confirm ----------------

def _step_view(context: Context, draft: registrations.Draft, unit: Unit, bloc: Bloc):
    """The text and buttons of the draft's current step."""
    s = context.services
    d = draft.id
    choice = draft.choice
    cancel = (label(context, "registration.btn_cancel"), DraftButton(d, "cancel").pack())
    back = (label(context, "registration.btn_back"), DraftButton(d, "back").pack())
    common = dict(unit=unit, bloc=bloc, summary=_summary(s, bloc, choice))
    if draft.step == rules.COLLECTIVE:
        titles = s.catalogue_for(bloc).collective(bloc.year)
        rows = [[(label(context, "registration.btn_toggle", title=t, chosen=t.code in choice.collective),
                  DraftButton(d, DraftButton.TOGGLE, t.code).pack())] for t in titles]
        rows.append([cancel, (label(context, "registration.btn_next"), DraftButton(d, "next").pack())])
        return s.render("registration.step_collective", **common), keyboard(rows)
    if draft.step.startswith(rules.INDIVIDUAL_PREFIX):
        title = s.catalogue_for(bloc).get(draft.step.removeprefix(rules.INDIVIDUAL_PREFIX))
        if title is None:  # the catalogue changed under a draft (a restart with a new config)
            return _step_view(context, replace(draft, step=rules.COLLECTIVE), unit, bloc)
        people = choice.people(title.code)
        rows = [[(label(context, "registration.btn_zero"), DraftButton(d, "zero").pack())]]
        if people.count:
            rows[0].append((label(context, "registration.btn_keep", count=people.count), DraftButton(d, "keep").pack()))
        rows.append([back, cancel])
        return s.render("registration.step_individual", title=title, entry=people, **common), keyboard(rows)
    if draft.step == rules.TARGETS:
        rows = [[(label(context, "registration.btn_keep_targets" if choice.targets else "registration.btn_skip"),
                  DraftButton(d, "skip").pack())], [back, cancel]]
        return s.render("registration.step_targets", limit=rules.MAX_TARGETS, **common), keyboard(rows)
    rows = [[(label(context, "registration.btn_confirm"), DraftButton(d, "ok").pack())], [back, cancel]]
    return s.render("registration.step_review", **common), keyboard(rows)


async def show_step(update: Update, context: Context, step: registration.Step, *, edit: bool) -> None:
    """Show the current step: in place when a button was pressed, as a new message after
    typed input (the new message's buttons are then the only live ones)."""
    s = context.services
    view = _step_view(context, step.draft, step.unit, step.bloc)
    message_id = await show_step_message(update, context, *view, edit=edit)
    if message_id is not None and step.draft.message_id != message_id:
        # The message exists only now: the draft learns which one answers (a transaction of its own).
        with s.db.connection() as connection:
            registration.shown(connection, step=step, message_id=message_id, now=s.clock.now())


_PRESS_ALERTS = {registration.Refusal.TIMED_OUT: "registration.timed_out_alert",
                 registration.Refusal.STALE: "registration.stale_alert",
                 registration.Refusal.NOTHING_CHOSEN: "registration.nothing_chosen"}


@private_button
async def on_draft_button(update: Update, context: Context) -> None:
    """rd:<draft id>:<action>[:<title code>] — one service call in one Core transaction."""
    query = update.callback_query
    s = context.services
    button = DraftButton.unpack(query.data)
    with s.db.connection() as connection:
        outcome = registration.press(
            connection, user_id=update.effective_user.id, draft_id=button.draft_id if button else None,
            message_id=query.message.message_id if query.message else None, action=button.action if button else "",
            code=button.code if button else None, **_conversation(context))
    if isinstance(outcome, registration.Refused) and outcome.code in _PRESS_ALERTS:
        await alert(update, context, _PRESS_ALERTS[outcome.code])
        return
    await query.answer()
    message = query.message
    if isinstance(outcome, registration.Step):
        await show_step(update, context, outcome, edit=True)
    elif isinstance(outcome, registration.Cancelled):
        await outbox.edit(context.bot, message.chat.id, message.message_id,
                          s.render("registration.cancelled", unit=outcome.unit))
    elif isinstance(outcome, registration.Confirmed):
        await confirmed(update, context, outcome)
    else:  # LOCKED: the window closed while the draft was filled in; the draft went
        await outbox.edit(context.bot, message.chat.id, message.message_id,
                          s.render("registration.locked", unit=outcome.unit, deadline=outcome.window.deadline))


def decide_text(context: Context, connection, orm: Callable[[], AbstractContextManager[Session]], *,
                user_id: int, text: str) -> tuple[registration.Step | registration.Refused, list[Wait] | None]:
    """Typed text in the private chat, decided in the caller's transaction: a step of the
    person's registration draft, or, with no draft, what else waits for them (read through
    ``orm``, a session in the same transaction)."""
    s = context.services
    outcome = registration.answer(connection, user_id=user_id, text=text, **_conversation(context))
    if not (isinstance(outcome, registration.Refused) and outcome.code == registration.Refusal.NO_DRAFT):
        return outcome, None
    with orm() as session:
        return outcome, waits_service.waiting(session, chat_id=user_id, private=True, user_id=user_id,
                                              now=s.clock.now(), seal=s.seal)


async def on_text(update: Update, context: Context) -> None:
    """Typed answers in the private chat: the number of people, or the targets (one transaction
    on Core statements; an ORM session joins it only when no draft takes the text)."""
    s = context.services
    with s.db.connection() as connection:  # read, check and save at once; Telegram afterwards
        decided = decide_text(context, connection, partial(s.db.session_on, connection),
                              user_id=update.effective_user.id, text=update.message.text or "")
    await show_text(update, context, decided)


async def show_text(update: Update, context: Context, decided) -> None:
    outcome, waits = decided
    if isinstance(outcome, registration.Step):
        await show_step(update, context, outcome, edit=False)
    elif outcome.code == registration.Refusal.TIMED_OUT:
        await say(update, context, "registration.timed_out")
    elif outcome.code == registration.Refusal.NO_DRAFT:  # maybe another step waits (a file, a reply): say what
        await answer_unread(update, context, typed=True, waits=waits)
    elif outcome.code == registration.Refusal.NOT_YOUR_UNIT:
        await say(update, context, "registration.not_your_unit")
    elif outcome.code == registration.Refusal.INPUT:
        await say(update, context, f"registration.error_{outcome.problem}", **outcome.details)
    else:  # BUTTON_STEP: say so and show the step again below, with live buttons
        await say(update, context, "registration.press_a_button")
        await show_step(update, context, outcome.step, edit=False)


async def confirmed(update: Update, context: Context, done: registration.Confirmed) -> None:
    """The receipt (what was saved, and when), then the others are told."""
    s = context.services
    query = update.callback_query
    summary = _summary(s, done.bloc, done.choice)
    await outbox.edit(context.bot, query.message.chat.id, query.message.message_id,
                      s.render("registration.receipt", unit=done.unit, bloc=done.bloc, at=done.registration.confirmed_at,
                               version=done.version, **summary))
    await after_change(context, update.effective_user.full_name, done.unit, done.bloc, done.told,
                       "change" if done.changed else "register", summary=summary)


async def after_change(context: Context, person: str, unit: Unit, bloc: Bloc, told: registration.Told,
                       kind: str, summary: dict | None = None) -> None:
    """Tell the unit's other representatives and the secretaries (read in the change's
    transaction) who (``person``, a name) changed what; update the pinned board."""
    for person_id in told.others:
        await best_effort("tell other representative", tell(
            context, person_id, "registration.changed_by_other", unit=unit, bloc=bloc, person=person,
            kind=kind, summary=summary))
    await best_effort("notify secretaries", notify_secretaries(
        context, bloc, told.secretaries, "registration.secretary_notice", unit=unit, kind=kind, person=person,
        summary=summary))
    await best_effort("refresh board", refresh_board(context, bloc))


async def form_confirmed(context: Context, user_id: int, person: str, done: registration.Confirmed) -> None:
    """A registration sent from the Mini App: the receipt in the person's chat with the bot
    (as the chat's «✅ Xác nhận» gives it), then the others told, as after the chat's."""
    s = context.services
    summary = _summary(s, done.bloc, done.choice)
    await best_effort("form receipt", outbox.send(context.bot, s, user_id, s.render(
        "registration.receipt", unit=done.unit, bloc=done.bloc, at=done.registration.confirmed_at,
        version=done.version, **summary)))
    await after_change(context, person, done.unit, done.bloc, done.told, "change" if done.changed else "register",
                       summary=summary)


async def form_withdrawn(context: Context, user_id: int, person: str, done: registration.Withdrawn) -> None:
    s = context.services
    await best_effort("form receipt", outbox.send(context.bot, s, user_id, s.render(
        "registration.withdrawn", unit=done.unit, bloc=done.bloc, at=done.at)))
    await after_change(context, person, done.unit, done.bloc, done.told, "withdraw")


# ---- /giaouoc: the covenant ----------------------------------------------------------------

@private_command
async def giaouoc(update: Update, context: Context) -> None:
    units = await represented_units(update, context)
    if units:
        await covenant_for(update, context, units)


async def covenant_for(update: Update, context: Context, units: list[tuple[Unit, Bloc]]) -> None:
    rows = unit_choices(context, units, lambda unit: Covenant(unit.id).pack(), template="registration.btn_covenant")
    await outbox.send(context.bot, context.services, update.effective_chat.id,
                      context.services.render("registration.covenant_question", units=units),
                      reply_markup=keyboard(rows))


@private_button
async def on_covenant_button(update: Update, context: Context) -> None:
    """cv:<unit id> — one service call, one transaction."""
    button = Covenant.unpack(update.callback_query.data)
    if button is None:
        await alert(update, context, "common.stale_button")
        return
    s = context.services
    with transaction(context) as session:
        outcome = registration.sign_covenant(session, user_id=update.effective_user.id, unit_id=button.unit_id,
                                             now=s.clock.now())
    if isinstance(outcome, registration.Refused):
        await alert(update, context, "registration.not_your_unit")
        return
    await update.callback_query.answer()
    message = update.callback_query.message
    await outbox.edit(context.bot, message.chat.id, message.message_id,
                      s.render("registration.covenant_signed" if outcome.new else "registration.covenant_already",
                               unit=outcome.unit, bloc=outcome.bloc, at=outcome.at))
    if outcome.new:
        await best_effort("refresh board", refresh_board(context, outcome.bloc))
