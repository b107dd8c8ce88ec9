"""/tinhhinh's decisions and reads: the bloc's registration status for a year (a past one
stays readable after /namsau), the pinned board's rows, and reopening one unit after the
deadline. Each function runs in the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from sqlmodel import Session

from domain.catalogue import Catalogue
from domain.rollover import YearArgumentError, parse_year
from domain.status import Registered, Status, compile_status
from services.naming import Catalogues, catalogue_of
from storage import boards, registrations, rollover, roster
from storage import quotas as quota_store
from storage.milestones import REGISTRATION_DEADLINE
from storage.models import Bloc, Milestone, StatusBoard, TgUser, Unit
from storage.status import status_rows


class Refusal(StrEnum):
    NOT_A_YEAR = "year_not_a_number"  # what follows the command is not a year
    NO_DATA = "year_no_data"  # a year the bloc has no records of
    UNIT_GONE = "unit_gone"  # the unit is not (or no longer) the bloc's


@dataclass(frozen=True)
class Refused:
    code: Refusal
    year: int | None = None
    years: list[int] = field(default_factory=list)  # NO_DATA: the years there are records of


@dataclass(frozen=True)
class View:
    """A bloc's status for a year and what the templates show beside it."""

    bloc: Bloc
    status: Status
    deadline: datetime | None  # the year's registration deadline

    @property
    def extra(self) -> dict:
        return dict(bloc=self.bloc, deadline=self.deadline)

    @property
    def editable(self) -> bool:
        """Reopening and the sheet act on the bloc's current year; a past year is only read."""
        return self.status.year == self.bloc.year


@dataclass(frozen=True)
class Board:
    """What the pinned board is made from: its row (None: not posted yet) and the status."""

    row: StatusBoard | None
    view: View


@dataclass(frozen=True)
class Reopened:
    unit: Unit
    until: datetime
    people: list[TgUser]  # the unit's representatives, to be told


def _view(bloc: Bloc, year: int, units: list[Unit], deadline: Milestone | None, current, signed,
          own_quotas: dict[str, int], catalogue: Catalogue) -> View:
    status = compile_status(
        units=[(u.id, u.name) for u in units],
        registrations={uid: Registered(r.collective, r.individuals, r.targets, r.withdrawn, r.confirmed_at)
                       for uid, r in current.items()},
        covenants={uid: c.confirmed_at for uid, c in signed.items()},
        catalogue=catalogue, year=year, quotas=own_quotas)
    return View(bloc, status, deadline.at if deadline else None)


def statuses(session: Session, blocs: list[Bloc], catalogue: Catalogues) -> dict[int, View]:
    """Each bloc's status in its current year, read for all of them at once (storage/status.py:
    the same five statements for one bloc or a whole country's); titles named for each bloc's province."""
    rows = status_rows(session=session, blocs=blocs)
    return {bloc.id: _view(bloc, bloc.year, rows[bloc.id].units, rows[bloc.id].deadline, rows[bloc.id].current,
                           rows[bloc.id].covenants, rows[bloc.id].quotas, catalogue_of(catalogue, bloc))
            for bloc in blocs}


def status(session: Session, *, bloc_id: int, catalogue: Catalogues, year: int | None = None) -> View:
    """The bloc's status for ``year`` (None: its current year)."""
    bloc = session.get(Bloc, bloc_id)
    year = bloc.year if year is None else year
    if year == bloc.year:
        return statuses(session, [bloc], catalogue)[bloc.id]
    return _view(bloc, year, rollover.members_in_year(session=session, bloc=bloc, year=year),
                 rollover.deadline_in_year(session=session, bloc_id=bloc.id, year=year, kind=REGISTRATION_DEADLINE),
                 registrations.current(session=session, bloc_id=bloc.id, year=year),
                 registrations.covenants(session=session, bloc_id=bloc.id, year=year),
                 quota_store.own(session=session, bloc_id=bloc.id, year=year), catalogue_of(catalogue, bloc, year))


def year_to_read(session: Session, *, bloc_id: int, typed: str) -> int | Refused:
    """The year typed after /tinhhinh or /xuat ("2025"), the current year when none was;
    refused when it is not a year, or one the bloc has no records of."""
    bloc = session.get(Bloc, bloc_id)
    try:
        year = parse_year(typed)
    except YearArgumentError:
        return Refused(Refusal.NOT_A_YEAR)
    if year is None or year == bloc.year:
        return bloc.year
    years = rollover.years_with_data(session=session, bloc=bloc)
    return year if year in years else Refused(Refusal.NO_DATA, year=year, years=years)


def read_year(session: Session, *, bloc_id: int, typed: str, catalogue: Catalogues) -> View | Refused:
    """The status of the year typed after /tinhhinh or /xuat (year_to_read)."""
    year = year_to_read(session, bloc_id=bloc_id, typed=typed)
    return year if isinstance(year, Refused) else status(session, bloc_id=bloc_id, catalogue=catalogue, year=year)


def board(session: Session, *, bloc: Bloc, catalogue: Catalogues) -> Board:
    """The bloc's board row and status, read together in one transaction."""
    return Board(boards.board_of(session=session, bloc_id=bloc.id, year=bloc.year),
                 statuses(session, [bloc], catalogue)[bloc.id])


def record_board(session: Session, *, bloc: Bloc, chat_id: int, message_id: int, pinned: bool,
                 pin_refusal_told: bool) -> None:
    """The board posted (after the send): where it is, and whether it was pinned."""
    boards.save_board(session=session, bloc_id=bloc.id, year=bloc.year, chat_id=chat_id, message_id=message_id,
                      pinned=pinned, pin_refusal_told=pin_refusal_told)


def units(session: Session, *, bloc_id: int) -> list[Unit]:
    """The units a secretary may reopen the registration of."""
    return roster.active_units(session=session, bloc_id=bloc_id)


def reopen(session: Session, *, bloc_id: int, unit_id: int, by: int, now: datetime, days: int) -> Reopened | Refused:
    """Let one unit register again after the deadline, for ``days`` days."""
    bloc = session.get(Bloc, bloc_id)
    unit = roster.unit_of_bloc(session=session, bloc_id=bloc.id, unit_id=unit_id)
    if unit is None:
        return Refused(Refusal.UNIT_GONE)
    until = now + timedelta(days=days)
    registrations.reopen(session=session, bloc=bloc, unit_id=unit.id, until=until, by=by, now=now)
    return Reopened(unit, until, roster.representatives(session=session, bloc_id=bloc.id).get(unit.id, []))
