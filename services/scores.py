"""/chamdiem's decisions: the unit a representative scores and whether its own points may
still change (until the bloc's vote opens), the points typed against the table asked, the
secretary's points table (until a score exists) and adjustments (with a reason). The
typed input is read by domain.scores; each function is one decision in the caller's
transaction and returns what the chat shows after it."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session

from domain.scores import (Criterion, ScoreError, check, max_total, parse_adjustment, parse_points,
                           parse_table, total)
from domain.text import sort_key
from services.blocs import Actor, is_secretary
from storage import roster
from storage import scores as store
from storage.blocs import bloc_of_chat
from storage.models import Bloc, Score, TgUser, Unit
from storage.users import reachable


class Refusal(StrEnum):
    STALE = "stale"                      # a press or question that names no unit
    NOT_REPRESENTATIVE = "not_representative"  # the person represents no unit at all
    NOT_YOUR_UNIT = "not_your_unit"      # not (or no longer) the unit's representative
    TABLE_CHANGED = "table_changed"      # the points table changed since the question
    LOCKED = "locked"                    # the bloc's vote opened: own points are kept as they are
    INVALID = "invalid"                  # typed input the rules refuse (``problem``, ``details``: ScoreError's)
    TABLE_LOCKED = "table_locked"        # a unit has points: the table stays
    NO_BLOC = "no_bloc"                  # a secretary's answer in a chat that is not the question's bloc
    NOT_SECRETARY = "not_secretary"      # not a secretary of the bloc (listed, or its group's administrator)
    UNIT_NOT_FOUND = "unit_not_found"    # the adjustment names no unit of the bloc …
    UNIT_AMBIGUOUS = "unit_ambiguous"    # … or several (``units``)


@dataclass(frozen=True)
class Refused:
    code: Refusal
    problem: str | None = None
    details: dict = field(default_factory=dict)
    unit: Unit | None = None
    bloc: Bloc | None = None
    name: str | None = None              # the unit's name as typed
    units: list[Unit] = field(default_factory=list)


@dataclass(frozen=True)
class Line:
    """One criterion of a unit's scores: its own points, the secretary's, and (in an
    adjustment's answer) what counted before."""

    number: int
    criterion: Criterion
    own: float | None
    adjusted: float | None
    previous: float | None = None


@dataclass(frozen=True)
class UnitScores:
    unit: Unit
    bloc: Bloc
    criteria: list[Criterion]
    lines: list[Line]
    total: float | None                  # what counts (adjustments, else own points)
    adjusted: bool                       # the secretary adjusted some criterion
    reason: str                          # the secretary's reason, if any
    self_total: float | None             # the unit's own points summed
    locked: bool
    max_total: float

    def context(self) -> dict:
        """The fields, as the templates take them."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class Choose:
    """The person represents several units: which one?"""

    units: list[tuple[Unit, Bloc]]


@dataclass(frozen=True)
class Saved:
    scores: UnitScores
    at: datetime


@dataclass(frozen=True)
class Row:
    unit: Unit
    total: float | None
    adjusted: bool


@dataclass(frozen=True)
class BlocScores:
    """The group's table: units with points by total (ties by name), then the others."""

    bloc: Bloc
    scored: list[Row]
    unscored: list[Row]
    count: int
    locked: bool
    max_total: float
    secretary: bool                      # the person who asked is a secretary of the bloc

    def context(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "secretary"}


@dataclass(frozen=True)
class Criteria:
    """The bloc's points table as the secretary sees it."""

    bloc: Bloc
    criteria: list[Criterion]
    own: bool                            # the bloc's own, not the deployment's default
    scored: bool                         # a unit has points: the table can no longer change
    max_total: float


@dataclass(frozen=True)
class TableSet:
    bloc: Bloc
    criteria: list[Criterion]
    max_total: float


@dataclass(frozen=True)
class Adjusted:
    scores: UnitScores                   # after, each line with what counted before
    old_total: float | None
    reason: str
    at: datetime
    people: list[TgUser]                 # the unit's representatives a private message can reach


# ---- what the views show ----------------------------------------------------------------------

def _unit_scores(session: Session, bloc: Bloc, unit: Unit, default: list[Criterion]) -> UnitScores:
    criteria = store.points_table(session=session, bloc=bloc, default=default)
    rows = store.scores_of_unit(session=session, unit_id=unit.id, year=bloc.year)
    by_index: dict[int, Score] = {r.criterion: r for r in rows}
    lines = [Line(i + 1, c, by_index[i].self_points if i in by_index else None,
                  by_index[i].adjusted_points if i in by_index else None) for i, c in enumerate(criteria)]
    counted, adjusted = store.unit_total(rows)
    return UnitScores(unit=unit, bloc=bloc, criteria=criteria, lines=lines, total=counted, adjusted=adjusted,
                      reason=next((r.adjusted_reason for r in rows if r.adjusted_reason), ""),
                      self_total=total([r.self_points for r in rows if r.criterion < len(criteria)]),
                      locked=store.self_entry_locked(session=session, bloc_id=bloc.id, year=bloc.year),
                      max_total=max_total(criteria))


def _represented(session: Session, user_id: int, unit_id: int | None) -> tuple[Unit, Bloc] | None:
    if unit_id is None:
        return None
    return next(((u, b) for u, b in roster.units_of_user(session=session, user_id=user_id) if u.id == unit_id), None)


def open_unit(session: Session, *, user_id: int, unit_id: int | None, default: list[Criterion]
              ) -> UnitScores | Choose | Refused:
    """/chamdiem in the private chat (``unit_id`` None: the person's one unit, else they
    choose) or its unit button: the unit's scores, if the person represents it."""
    if unit_id is None:
        units = roster.units_of_user(session=session, user_id=user_id)
        if not units:
            return Refused(Refusal.NOT_REPRESENTATIVE)
        if len(units) > 1:
            return Choose(units)
        unit, bloc = units[0]
    else:
        found = _represented(session, user_id, unit_id)
        if found is None:
            return Refused(Refusal.NOT_YOUR_UNIT)
        unit, bloc = found
    return _unit_scores(session, bloc, unit, default)


def enter_own(session: Session, *, user_id: int, unit_id: int | None, bloc_id: int | None,
              asked: tuple[Criterion, ...] | None,
              text: str, now: datetime, default: list[Criterion]) -> Saved | Refused:
    """A representative's answer to the question for the unit's own points (``asked``: the
    table the question listed, as kept with it): saved if they still represent the unit,
    the table is still the one asked, the vote has not opened and the points fit."""
    found = _represented(session, user_id, unit_id)
    if found is None or found[1].id != bloc_id:
        return Refused(Refusal.NOT_YOUR_UNIT)
    unit, bloc = found
    criteria = store.points_table(session=session, bloc=bloc, default=default)
    if not asked or list(asked) != criteria:
        return Refused(Refusal.TABLE_CHANGED, unit=unit, bloc=bloc)
    if store.self_entry_locked(session=session, bloc_id=bloc.id, year=bloc.year):
        return Refused(Refusal.LOCKED, unit=unit, bloc=bloc)
    try:
        points = check(parse_points(text), criteria)
    except ScoreError as exc:
        return Refused(Refusal.INVALID, problem=exc.code, details=exc.details, unit=unit, bloc=bloc)
    store.enter_self(session=session, bloc=bloc, unit_id=unit.id, points=points, by=user_id, now=now,
                     criteria=criteria)
    return Saved(_unit_scores(session, bloc, unit, default), now)


def bloc_scores(session: Session, *, bloc: Bloc, actor: Actor, default: list[Criterion]) -> BlocScores:
    """/chamdiem in the group (or its menu button)."""
    criteria = store.points_table(session=session, bloc=bloc, default=default)
    units = roster.active_units(session=session, bloc_id=bloc.id)
    totals = store.totals(session=session, bloc_id=bloc.id, year=bloc.year)
    rows = [Row(u, *totals.get(u.id, (None, False))) for u in units]
    scored = sorted((r for r in rows if r.total is not None), key=lambda r: (-r.total, sort_key(r.unit.name)))
    return BlocScores(bloc=bloc, scored=scored, unscored=[r for r in rows if r.total is None],  # already sorted
                      count=len(units), locked=store.self_entry_locked(session=session, bloc_id=bloc.id,
                                                                       year=bloc.year),
                      max_total=max_total(criteria),
                      secretary=is_secretary(session, bloc=bloc, actor=actor))


# ---- the secretaries' side ----------------------------------------------------------------------

def criteria(session: Session, *, bloc: Bloc, default: list[Criterion]) -> Criteria:
    table = store.points_table(session=session, bloc=bloc, default=default)
    return Criteria(bloc, table, own=store.own_criteria(session=session, bloc_id=bloc.id, year=bloc.year) is not None,
                    scored=store.has_scores(session=session, bloc_id=bloc.id, year=bloc.year),
                    max_total=max_total(table))


def may_set_table(session: Session, *, bloc: Bloc) -> Refused | None:
    """Whether the secretary may be asked for a new table: not once a unit has points."""
    if store.has_scores(session=session, bloc_id=bloc.id, year=bloc.year):
        return Refused(Refusal.TABLE_LOCKED, bloc=bloc)
    return None


def points_table(session: Session, *, bloc: Bloc, default: list[Criterion]) -> list[Criterion]:
    return store.points_table(session=session, bloc=bloc, default=default)


def answering_secretary(session: Session, *, chat_id: int, bloc_id: int | None, actor: Actor) -> Bloc | Refused:
    """The bloc a secretary's answer acts on: the chat's, if it is the question's (``bloc_id``),
    and the person still a secretary of it (services.blocs.is_secretary)."""
    bloc = bloc_of_chat(session=session, chat_id=chat_id)
    if bloc is None or bloc.id != bloc_id:
        return Refused(Refusal.NO_BLOC)
    if not is_secretary(session, bloc=bloc, actor=actor):
        return Refused(Refusal.NOT_SECRETARY, bloc=bloc)
    return bloc


def set_table(session: Session, *, chat_id: int, bloc_id: int | None, actor: Actor, text: str,
              now: datetime) -> TableSet | Refused:
    """The secretary's answer with the bloc's points table for its year: taken while no
    unit has points (scores are kept by criterion position)."""
    bloc = answering_secretary(session, chat_id=chat_id, bloc_id=bloc_id, actor=actor)
    user_id = actor.user_id
    if isinstance(bloc, Refused):
        return bloc
    try:
        table = parse_table(text)
    except ScoreError as exc:
        return Refused(Refusal.INVALID, problem=exc.code, details=exc.details, bloc=bloc)
    if store.has_scores(session=session, bloc_id=bloc.id, year=bloc.year):
        return Refused(Refusal.TABLE_LOCKED, bloc=bloc)
    store.set_points_table(session=session, bloc=bloc, criteria=table, by=user_id, now=now)
    return TableSet(bloc, table, max_total(table))


def adjust(session: Session, *, chat_id: int, bloc_id: int | None, actor: Actor, text: str,
           now: datetime, default: list[Criterion]) -> Adjusted | Refused:
    """The secretary's answer with a unit's points and the reason: they count instead of
    the unit's own (kept), whether or not the vote opened."""
    bloc = answering_secretary(session, chat_id=chat_id, bloc_id=bloc_id, actor=actor)
    user_id = actor.user_id
    if isinstance(bloc, Refused):
        return bloc
    table = store.points_table(session=session, bloc=bloc, default=default)
    try:
        typed = parse_adjustment(text)
    except ScoreError as exc:
        return Refused(Refusal.INVALID, problem=exc.code, details=exc.details, bloc=bloc)
    units = roster.find_units(session=session, bloc_id=bloc.id, typed=typed.unit)
    if len(units) != 1:
        return Refused(Refusal.UNIT_AMBIGUOUS if units else Refusal.UNIT_NOT_FOUND, bloc=bloc, name=typed.unit,
                       units=units)
    unit = units[0]
    try:
        points = check(parse_points(typed.points), table)
    except ScoreError as exc:
        return Refused(Refusal.INVALID, problem=exc.code, details=exc.details, unit=unit, bloc=bloc)
    before = _unit_scores(session, bloc, unit, default)
    store.adjust(session=session, bloc=bloc, unit_id=unit.id, points=points, reason=typed.reason, by=user_id,
                 now=now, criteria=table)
    after = _unit_scores(session, bloc, unit, default)
    lines = [replace(line, previous=old.adjusted if old.adjusted is not None else old.own)
             for line, old in zip(after.lines, before.lines)]
    people = [p for p in roster.representatives(session=session, bloc_id=bloc.id).get(unit.id, []) if reachable(p)]
    return Adjusted(replace(after, lines=lines), old_total=before.total, reason=typed.reason, at=now, people=people)
