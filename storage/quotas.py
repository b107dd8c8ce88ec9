"""The bloc's quotas for a year (``bloc_quota``): one fact, read by the status, the board and
the ballot; the catalogue's defaults (domain.catalogue.Catalogue.quotas) where none was set."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from domain.catalogue import Catalogue
from storage import audit
from storage.models import Bloc, BlocQuota, Vote

# The vote's status while its ballot may still change (storage.votes.DRAFT).
_DRAFT = "draft"


def own(*, session: Session, bloc_id: int, year: int) -> dict[str, int]:
    """code → the quota the bloc's secretary set for the year."""
    return {row.code: row.quota for row in session.exec(select(BlocQuota).where(
        BlocQuota.bloc_id == bloc_id, BlocQuota.year == year))}


def own_of_blocs(*, session: Session, bloc_ids: list[int], years: set[int]) -> dict[tuple[int, int], dict[str, int]]:
    """(bloc id, year) → its own quotas, for many blocs in one statement."""
    found: dict[tuple[int, int], dict[str, int]] = {}
    for row in session.exec(select(BlocQuota).where(col(BlocQuota.bloc_id).in_(bloc_ids),
                                                    col(BlocQuota.year).in_(years))):
        found.setdefault((row.bloc_id, row.year), {})[row.code] = row.quota
    return found


def for_year(*, session: Session, bloc_id: int, year: int, catalogue: Catalogue,
             members: int) -> dict[str, int | None]:
    """code → the bloc's quota for the year: its own, else the catalogue's for ``members`` units."""
    return catalogue.quotas(year, members, own(session=session, bloc_id=bloc_id, year=year))


def fixed(*, session: Session, bloc: Bloc) -> bool:
    """Whether the bloc's quotas for its current year are fixed: its ballot has opened."""
    status = session.exec(select(Vote.status).where(Vote.bloc_id == bloc.id, Vote.year == bloc.year)).first()
    return status is not None and status != _DRAFT


def set_quota(*, session: Session, bloc: Bloc, code: str, quota: int, by: int, now: datetime) -> bool:
    """Set the bloc's quota for one title in its current year, audited. False (nothing
    changed) once the year's ballot has opened: the ballot units were given fixed it.

    The vote's row is touched while still a draft, so a concurrent opening (which fixes the
    ballot's quotas after taking that row, storage.votes.open_vote) comes either before
    this (refused here) or after (it reads this quota)."""
    vote = session.exec(select(Vote.id).where(Vote.bloc_id == bloc.id, Vote.year == bloc.year)).first()
    if vote is not None and session.execute(update(Vote).where(Vote.id == vote, Vote.status == _DRAFT).values(
            status=_DRAFT)).rowcount != 1:
        return False
    row = session.exec(select(BlocQuota).where(BlocQuota.bloc_id == bloc.id, BlocQuota.year == bloc.year,
                                               BlocQuota.code == code)).first()
    previous = row.quota if row is not None else None
    if row is None:
        row = BlocQuota(bloc_id=bloc.id, year=bloc.year, code=code)
    row.quota, row.set_by, row.set_at = quota, by, now
    session.add(row)
    audit.record(session=session, bloc_id=bloc.id, actor_id=by, now=now, action="quota.set", year=bloc.year,
                 code=code, quota=quota, previous=previous)
    return True
