"""The bloc's quotas for its year («🔢 Chỉ tiêu»: one fact, storage/quotas.py), as a secretary
sees and sets them from /tinhhinh or from /binhxet's preparation. Each function is one
decision in the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session

from domain.catalogue import Title
from domain.status import parse_quota
from services.naming import Catalogues, catalogue_of
from storage import quotas, roster
from storage.models import Bloc


class Refusal(StrEnum):
    UNKNOWN_TITLE = "unknown_title"  # no quota title of the bloc's year has this code
    EXPIRED = "expired"  # asked for a year the bloc has left (/namsau came between)
    LOCKED = "locked"  # the year's ballot has opened: its quotas are fixed
    OUT_OF_RANGE = "out_of_range"  # not a whole number from 0 to the number of units


@dataclass(frozen=True)
class Refused:
    code: Refusal
    year: int | None = None
    members: int | None = None  # OUT_OF_RANGE: the largest quota allowed


@dataclass(frozen=True)
class Menu:
    bloc: Bloc
    titles: list[tuple[Title, int | None]]  # each quota title of the year and its quota now
    fixed: bool  # the ballot has opened: only shown


@dataclass(frozen=True)
class Asking:
    """A title's quota may be set: what the question shows."""

    title: Title
    year: int
    current: int | None


@dataclass(frozen=True)
class Saved:
    code: str
    year: int
    quota: int


def for_year(session: Session, bloc: Bloc, catalogue: Catalogues) -> dict[str, int | None]:
    """code → the bloc's quota for its current year (its own, else the catalogue's)."""
    members = len(roster.active_units(session=session, bloc_id=bloc.id))
    return quotas.for_year(session=session, bloc_id=bloc.id, year=bloc.year,
                           catalogue=catalogue_of(catalogue, bloc), members=members)


def _title(catalogue: Catalogues, bloc: Bloc, code: str | None) -> Title | None:
    return next((t for t in catalogue_of(catalogue, bloc).quota_titles(bloc.year) if t.code == code), None)


def menu(session: Session, *, bloc_id: int, catalogue: Catalogues) -> Menu:
    bloc = session.get(Bloc, bloc_id)
    current = for_year(session, bloc, catalogue)
    return Menu(bloc, [(t, current.get(t.code)) for t in catalogue_of(catalogue, bloc).quota_titles(bloc.year)],
                quotas.fixed(session=session, bloc=bloc))


def asking(session: Session, *, bloc_id: int, code: str | None, catalogue: Catalogues) -> Asking | Refused:
    """Whether the title's quota may be set now (asked before the question is sent)."""
    bloc = session.get(Bloc, bloc_id)
    title = _title(catalogue, bloc, code)
    if title is None:
        return Refused(Refusal.UNKNOWN_TITLE)
    if quotas.fixed(session=session, bloc=bloc):
        return Refused(Refusal.LOCKED, year=bloc.year)
    return Asking(title, bloc.year, for_year(session, bloc, catalogue).get(title.code))


def save(session: Session, *, bloc_id: int, code: str, text: str, by: int, now: datetime) -> Saved | Refused:
    """A secretary's typed quota for one title of the bloc's current year: a whole number
    from 0 to the number of units, refused once the year's ballot has opened."""
    bloc = session.get(Bloc, bloc_id)
    members = len(roster.active_units(session=session, bloc_id=bloc.id))
    quota = parse_quota(text, members)
    if quota is None:
        return Refused(Refusal.OUT_OF_RANGE, members=members)
    if not quotas.set_quota(session=session, bloc=bloc, code=code, quota=quota, by=by, now=now):
        return Refused(Refusal.LOCKED, year=bloc.year)
    return Saved(code, bloc.year, quota)


def answer(session: Session, *, bloc_id: int, code: str | None, year: int | None, text: str, by: int,
           now: datetime, catalogue: Catalogues) -> tuple[Title, Saved] | Refused:
    """The answer to /tinhhinh's question for one title's quota, asked for ``year``: the title
    must be a quota title of the bloc's year, and the bloc still in the year it was asked for."""
    bloc = session.get(Bloc, bloc_id)
    title = _title(catalogue, bloc, code)
    if title is None or year != bloc.year:
        return Refused(Refusal.EXPIRED, year=bloc.year)
    saved = save(session, bloc_id=bloc_id, code=title.code, text=text, by=by, now=now)
    return saved if isinstance(saved, Refused) else (title, saved)
