"""A unit's registration (đăng ký thi đua), as its representative makes it: see it, start a
draft from it, press the draft's buttons (tick a collective title, next, back, zero, keep,
skip, cancel, confirm), type a step's answer (people, targets), withdraw it; and the
covenant (giao ước). Each function is one decision in the caller's one transaction — a Core
``Connection`` for the conversation's path (every press; storage/core.py), a Session for the
covenant — and returns a typed outcome or a ``Refused``. The draft is a
``registration_draft`` row (storage/drafts.py: its timeout and current message)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from domain import registration as rules
from domain.catalogue import Catalogue
from storage import drafts, registrations, roles, roster
from storage.models import Bloc, Covenant, Registration, Unit


class Refusal(StrEnum):
    NOT_YOUR_UNIT = "not_your_unit"    # the person does not (or no longer) represent the unit
    LOCKED = "locked"                  # the window is closed (``window`` says until when it was open)
    TIMED_OUT = "timed_out"            # the draft was idle past the timeout: it went
    STALE = "stale"                    # no such draft, not its current message, or a press its step has not
    NOTHING_CHOSEN = "nothing_chosen"  # a confirmation with no title chosen
    NO_DRAFT = "no_draft"              # typed text, and no registration waits for it
    INPUT = "input"                    # a typed answer the rules refuse (``problem``, ``details``)
    BUTTON_STEP = "button_step"        # typed text where a button is awaited (``step`` to show again)
    OUTDATED = "outdated"              # a withdrawal (or a form) confirmed for a registration since replaced


@dataclass(frozen=True)
class Overview:
    """The unit's registration as it counts now, and whether it may change."""

    unit: Unit
    bloc: Bloc
    current: Registration | None
    window: rules.Window

    @property
    def registered(self) -> bool:
        return self.current is not None and not self.current.withdrawn

    @property
    def choice(self) -> rules.Choice:
        """What counts now (nothing when not registered)."""
        current = self.current
        return rules.Choice.from_stored(current.collective, current.individuals, current.targets) \
            if self.registered else rules.Choice()


@dataclass(frozen=True)
class Refused:
    code: Refusal
    unit: Unit | None = None
    bloc: Bloc | None = None
    window: rules.Window | None = None
    overview: Overview | None = None   # LOCKED from the unit's buttons: shown again
    problem: str | None = None         # INPUT: the domain's InputError code
    details: dict = field(default_factory=dict)
    step: Step | None = None           # BUTTON_STEP: the step to show again
    ended: bool = False                # the draft went: its message says why


@dataclass(frozen=True)
class Step:
    """The draft as it is now, to show."""

    draft: registrations.Draft
    unit: Unit
    bloc: Bloc


@dataclass(frozen=True)
class Told:
    """Who hears of a change, read in its transaction: the unit's other reachable
    representatives and the bloc's reachable secretaries."""

    others: list[int]
    secretaries: list[int]


@dataclass(frozen=True)
class Cancelled:
    unit: Unit


@dataclass(frozen=True)
class Confirmed:
    unit: Unit
    bloc: Bloc
    registration: Registration
    version: int      # how many versions the unit's registration now has (this one included)
    changed: bool     # it replaced a registration that counted (else a first one, or after a withdrawal)
    choice: rules.Choice  # what was confirmed (for the receipt)
    told: Told
    again: bool = False  # the form sent the same registration twice: the first one stands, nothing new written


@dataclass(frozen=True)
class WithdrawAsked:
    """The confirmation to ask, naming the registration it was shown for."""

    unit: Unit
    bloc: Bloc
    registration_id: int


@dataclass(frozen=True)
class Withdrawn:
    unit: Unit
    bloc: Bloc
    at: datetime
    told: Told


@dataclass(frozen=True)
class Signed:
    """The covenant: signed now (``new``) or already, at ``at``."""

    unit: Unit
    bloc: Bloc
    at: datetime
    new: bool


def represented(session, user_id: int, unit_id: int | None) -> tuple[Unit, Bloc] | None:
    """The unit and its bloc, only if this person represents it now."""
    if unit_id is None:
        return None
    return next(((u, b) for u, b in roster.units_of_user(session=session, user_id=user_id) if u.id == unit_id), None)


def window(session, bloc: Bloc, unit_id: int, now: datetime) -> rules.Window:
    deadline, reopened = registrations.window_facts(session=session, bloc=bloc, unit_id=unit_id)
    return rules.window(deadline=deadline, reopened_until=reopened, now=now)


def _overview(session, unit: Unit, bloc: Bloc, now: datetime) -> Overview:
    current = registrations.current_of_unit(session=session, unit_id=unit.id, year=bloc.year)
    return Overview(unit, bloc, current, window(session, bloc, unit.id, now))


def _told(session, unit: Unit, bloc: Bloc, user_id: int) -> Told:
    return Told(roster.reachable_representatives(session=session, unit_id=unit.id, but=user_id),
                roles.reachable_secretaries(session=session, bloc=bloc))


def overview(session, *, user_id: int, unit_id: int | None, now: datetime) -> Overview | Refused:
    found = represented(session, user_id, unit_id)
    if found is None:
        return Refused(Refusal.NOT_YOUR_UNIT)
    return _overview(session, *found, now)


@dataclass(frozen=True)
class Several:
    """The person represents several units: which one (unit, bloc) pairs to choose from."""

    units: list[tuple[Unit, Bloc]]


def opening(session, *, user_id: int, now: datetime) -> Overview | Several | Refused:
    """/dangky: the overview of the one unit the person represents, or the units to choose
    from; NOT_YOUR_UNIT when they represent none."""
    units = roster.units_of_user(session=session, user_id=user_id)
    if not units:
        return Refused(Refusal.NOT_YOUR_UNIT)
    if len(units) > 1:
        return Several(units)
    return _overview(session, *units[0], now)


def _open_overview(session, user_id: int, unit_id: int | None, now: datetime) -> Overview | Refused:
    """The unit's overview if the person may change its registration now; refused else."""
    seen = overview(session, user_id=user_id, unit_id=unit_id, now=now)
    if isinstance(seen, Overview) and not seen.window.open:
        return Refused(Refusal.LOCKED, seen.unit, seen.bloc, window=seen.window, overview=seen)
    return seen


def start(session, *, user_id: int, unit_id: int | None, message_id: int | None, now: datetime) -> Step | Refused:
    """A new draft (any earlier one of the person's goes), from the unit's registration as it
    counts now; ``message_id``: the message that will show its first step."""
    seen = _open_overview(session, user_id, unit_id, now)
    if isinstance(seen, Refused):
        return seen
    draft = registrations.start_draft(session=session, user_id=user_id, bloc=seen.bloc, unit_id=seen.unit.id,
                                      choice=seen.choice, step=rules.COLLECTIVE, now=now, message_id=message_id)
    return Step(draft, seen.unit, seen.bloc)


def shown(session, *, step: Step, message_id: int, now: datetime) -> None:
    """The step was shown on ``message_id``: only that message's buttons answer now."""
    registrations.save_draft(session=session, draft=step.draft, now=now, message_id=message_id)


def ask_withdraw(session, *, user_id: int, unit_id: int | None, now: datetime) -> WithdrawAsked | Refused:
    seen = _open_overview(session, user_id, unit_id, now)
    if isinstance(seen, Refused):
        return seen
    return WithdrawAsked(seen.unit, seen.bloc, seen.current.id if seen.current else 0)


def withdraw(session, *, user_id: int, unit_id: int | None, registration_id: int | None,
             now: datetime) -> Withdrawn | Refused:
    """Withdraw the registration the confirmation was shown for; a newer one (or one
    withdrawn meanwhile) is not withdrawn by it."""
    seen = _open_overview(session, user_id, unit_id, now)
    if isinstance(seen, Refused):
        return seen
    if not seen.registered or seen.current.id != registration_id:
        return Refused(Refusal.OUTDATED, seen.unit, seen.bloc)
    registrations.withdraw(session=session, bloc=seen.bloc, unit_id=seen.unit.id, by=user_id, now=now)
    return Withdrawn(seen.unit, seen.bloc, now, _told(session, seen.unit, seen.bloc, user_id))


# ---- the draft ------------------------------------------------------------------------------

def _live(session, user_id: int, now: datetime, timeout: timedelta) -> tuple[registrations.Draft, tuple | None] | Refused:
    """The person's draft and its (unit, bloc) when they still represent it (one statement);
    an idle one goes (and one more to drop it)."""
    found = registrations.live_draft(session=session, user_id=user_id)
    if found is None:
        return Refused(Refusal.NO_DRAFT)
    draft, unit, bloc = found
    if drafts.expired(draft.touched_at, now=now, timeout=timeout):
        drafts.REGISTRATION.drop(session=session, draft_id=draft.id)
        return Refused(Refusal.TIMED_OUT)
    return draft, (unit, bloc) if unit is not None else None


def press(session, *, user_id: int, draft_id: int | None, message_id: int | None, action: str,
          code: str | None = None, now: datetime, timeout: timedelta,
          catalogue: Catalogue) -> Step | Cancelled | Confirmed | Refused:
    """A button of the draft pressed on ``message_id``: stale unless it is the draft's current
    message and its step has that button; else the step changes (saved) or the draft ends.
    ``action``: "t" (tick/untick the collective title ``code``), "next", "back", "zero" (no one
    for this individual title), "keep" (the people as they are), "skip" (the targets as they
    are), "cancel", "ok" (confirm)."""
    live = _live(session, user_id, now, timeout)
    if isinstance(live, Refused):
        return live if live.code == Refusal.TIMED_OUT else Refused(Refusal.STALE)
    draft, represented_now = live
    if represented_now is None or not drafts.answers(draft.message_id, draft_id=draft.id, pressed_draft=draft_id,
                                                     pressed_message=message_id):
        return Refused(Refusal.STALE)
    unit, bloc = represented_now
    choice, step = draft.choice, draft.step
    all_steps = rules.steps(catalogue, bloc.year)
    changes: dict = {}
    if action == "cancel":
        drafts.REGISTRATION.drop(session=session, draft_id=draft.id)
        return Cancelled(unit)
    if action == "t" and step == rules.COLLECTIVE and code in {t.code for t in catalogue.collective(bloc.year)}:
        changes["choice"] = choice.toggled(code)
    elif action == "next" and step == rules.COLLECTIVE:
        changes["step"] = rules.following(all_steps, step)
    elif action == "back" and step != rules.COLLECTIVE:
        changes["step"] = rules.following(all_steps, step, -1)
    elif action in ("zero", "keep") and step.startswith(rules.INDIVIDUAL_PREFIX):
        if action == "zero":
            changes["choice"] = choice.with_people(step.removeprefix(rules.INDIVIDUAL_PREFIX), 0, [])
        changes["step"] = rules.following(all_steps, step)
    elif action == "skip" and step == rules.TARGETS:
        changes["step"] = rules.REVIEW
    elif action == "ok" and step == rules.REVIEW:
        return _confirm(session, draft, unit, bloc, user_id, now)
    else:
        return Refused(Refusal.STALE)
    return Step(registrations.save_draft(session=session, draft=draft, now=now, **changes), unit, bloc)


def _confirm(session, draft: registrations.Draft, unit: Unit, bloc: Bloc, user_id: int,
             now: datetime) -> Confirmed | Refused:
    """The window checked and the registration saved (or the draft dropped when it closed)."""
    choice = draft.choice
    if choice.empty:
        return Refused(Refusal.NOTHING_CHOSEN, unit, bloc)
    seen = _overview(session, unit, bloc, now)
    if not seen.window.open:
        drafts.REGISTRATION.drop(session=session, draft_id=draft.id)
        return Refused(Refusal.LOCKED, unit, bloc, window=seen.window, ended=True)
    saved = registrations.confirm(session=session, bloc=bloc, unit_id=unit.id, collective=list(choice.collective),
                                  individuals=choice.stored_individuals(), targets=choice.targets, by=user_id,
                                  now=now)
    version = registrations.versions(session=session, unit_id=unit.id, year=bloc.year)
    drafts.REGISTRATION.drop(session=session, draft_id=draft.id)
    return Confirmed(unit, bloc, saved, version, seen.registered, choice, _told(session, unit, bloc, user_id))


def answer(session, *, user_id: int, text: str, now: datetime, timeout: timedelta,
           catalogue: Catalogue) -> Step | Refused:
    """Typed text in the private chat: the number of people (and names) of the individual
    title the draft is at, or its targets; saved, and the draft moves on."""
    live = _live(session, user_id, now, timeout)
    if isinstance(live, Refused):
        return live
    draft, represented_now = live
    if represented_now is None:  # the unit was removed, or this person no longer represents it
        drafts.REGISTRATION.drop(session=session, draft_id=draft.id)
        return Refused(Refusal.NOT_YOUR_UNIT)
    unit, bloc = represented_now
    step = draft.step
    if step.startswith(rules.INDIVIDUAL_PREFIX):
        try:
            count, names = rules.parse_people(text)
        except rules.InputError as exc:
            return Refused(Refusal.INPUT, unit, bloc, problem=exc.code,
                           details=dict(limit=rules.MAX_PEOPLE, name_limit=rules.MAX_PERSON_NAME))
        choice = draft.choice.with_people(step.removeprefix(rules.INDIVIDUAL_PREFIX), count, names)
    elif step == rules.TARGETS:
        try:
            choice = draft.choice.with_targets(rules.check_targets(text))
        except rules.InputError as exc:
            return Refused(Refusal.INPUT, unit, bloc, problem=exc.code,
                           details=dict(limit=rules.MAX_TARGETS, length=len(text)))
    else:
        return Refused(Refusal.BUTTON_STEP, unit, bloc, step=Step(draft, unit, bloc))
    draft = registrations.save_draft(session=session, draft=draft, now=now, choice=choice,
                                     step=rules.following(rules.steps(catalogue, bloc.year), step))
    return Step(draft, unit, bloc)


# ---- the covenant -------------------------------------------------------------------------------

def sign_covenant(session, *, user_id: int, unit_id: int | None, now: datetime) -> Signed | Refused:
    """The unit's head signed the year's covenant, as its representative confirms (once a year)."""
    found = represented(session, user_id, unit_id)
    if found is None:
        return Refused(Refusal.NOT_YOUR_UNIT)
    unit, bloc = found
    signed: Covenant | None = registrations.sign_covenant(session=session, bloc=bloc, unit_id=unit.id, by=user_id,
                                                          now=now)
    existing = signed or registrations.covenants(session=session, bloc_id=bloc.id, year=bloc.year)[unit.id]
    return Signed(unit, bloc, existing.confirmed_at, signed is not None)


# ---- the form (Mini App): the whole registration at once -------------------------------------

def submit_form(session, *, user_id: int, unit_id: int | None, based_on: int | None, choice: rules.Choice,
                now: datetime) -> Confirmed | Refused:
    """A registration sent whole from the form, checked (domain.registration.check_form) by
    the caller: written as the chat's «✅ Xác nhận» writes it, in the caller's one transaction.
    ``based_on``: the registration the form was opened on (0 for none). If the unit's
    registration changed since, the form is OUTDATED — unless what counts now is exactly
    what this person just sent: a second press or a resent request, which writes nothing
    (``again``)."""
    seen = _open_overview(session, user_id, unit_id, now)
    if isinstance(seen, Refused):
        return seen
    unit, bloc = seen.unit, seen.bloc
    if choice.empty:
        return Refused(Refusal.NOTHING_CHOSEN, unit, bloc)
    current_id = seen.current.id if seen.current is not None else 0
    if current_id != (based_on or 0):
        if seen.registered and seen.current.confirmed_by == user_id and seen.choice == choice:
            version = registrations.versions(session=session, unit_id=unit.id, year=bloc.year)
            return Confirmed(unit, bloc, seen.current, version, False, choice, Told([], []), again=True)
        return Refused(Refusal.OUTDATED, unit, bloc, overview=seen)
    saved = registrations.confirm(session=session, bloc=bloc, unit_id=unit.id, collective=list(choice.collective),
                                  individuals=choice.stored_individuals(), targets=choice.targets, by=user_id,
                                  now=now)
    version = registrations.versions(session=session, unit_id=unit.id, year=bloc.year)
    # A chat draft of this person's for the unit would confirm over what was just sent.
    draft = registrations.live_draft(session=session, user_id=user_id)
    if draft is not None and draft[0].unit_id == unit.id:
        drafts.REGISTRATION.drop(session=session, draft_id=draft[0].id)
    return Confirmed(unit, bloc, saved, version, seen.registered, choice, _told(session, unit, bloc, user_id))


def units(session, *, user_id: int) -> list[tuple[Unit, Bloc]]:
    """The units (with their blocs) the person represents now, for a form's choice."""
    return list(roster.units_of_user(session=session, user_id=user_id))
