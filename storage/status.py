"""What a bloc's registration status is made from (domain.status.compile_status), read for
one bloc or for many at once: the same five statements whatever the number of blocs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from domain.text import sort_key
from storage.milestones import REGISTRATION_DEADLINE
from storage.quotas import own_of_blocs
from storage.models import Bloc, Covenant, Milestone, Registration, Unit

# Bloc ids per IN (...) list: well under SQLite's and PostgreSQL's limits on bound parameters.
_IDS_PER_STATEMENT = 900


@dataclass
class StatusRows:
    """One bloc's rows for its current year: its active units sorted the Vietnamese way, the
    registration deadline (None when not set), unit id → the registration that counts now
    (withdrawn ones included), unit id → the covenant signature, the quotas the bloc's
    secretary set for the year (code → quota; the catalogue's defaults for the others)."""

    units: list[Unit] = field(default_factory=list)
    deadline: Milestone | None = None
    current: dict[int, Registration] = field(default_factory=dict)
    covenants: dict[int, Covenant] = field(default_factory=dict)
    quotas: dict[str, int] = field(default_factory=dict)


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), _IDS_PER_STATEMENT):
        yield ids[start:start + _IDS_PER_STATEMENT]


def status_rows(*, session: Session, blocs: Sequence[Bloc]) -> dict[int, StatusRows]:
    """bloc id → its rows, each bloc in its own current year (``bloc.year``)."""
    year_of = {bloc.id: bloc.year for bloc in blocs}
    years = set(year_of.values())
    rows = {bloc.id: StatusRows() for bloc in blocs}
    for ids in _chunks(list(year_of)):
        units: dict[int, list[Unit]] = defaultdict(list)
        for unit in session.exec(select(Unit).where(col(Unit.bloc_id).in_(ids), col(Unit.removed_at).is_(None))):
            units[unit.bloc_id].append(unit)
        for bloc_id, found in units.items():
            rows[bloc_id].units = sorted(found, key=lambda u: sort_key(u.name))
        # The newest active deadline of the bloc's year, as storage.milestones.active gives it.
        for milestone in session.exec(select(Milestone).where(
                col(Milestone.bloc_id).in_(ids), col(Milestone.year).in_(years), Milestone.kind == REGISTRATION_DEADLINE,
                col(Milestone.cancelled_at).is_(None)).order_by(col(Milestone.id))):
            if milestone.year == year_of[milestone.bloc_id]:
                rows[milestone.bloc_id].deadline = milestone
        for registration in session.exec(select(Registration).where(
                col(Registration.bloc_id).in_(ids), col(Registration.year).in_(years),
                col(Registration.current).is_(True))):
            if registration.year == year_of[registration.bloc_id]:
                rows[registration.bloc_id].current[registration.unit_id] = registration
        for covenant in session.exec(select(Covenant).where(col(Covenant.bloc_id).in_(ids), col(Covenant.year).in_(years))):
            if covenant.year == year_of[covenant.bloc_id]:
                rows[covenant.bloc_id].covenants[covenant.unit_id] = covenant
        for (bloc_id, year), quotas in own_of_blocs(session=session, bloc_ids=ids, years=years).items():
            if year == year_of[bloc_id]:
                rows[bloc_id].quotas = quotas
    return rows
