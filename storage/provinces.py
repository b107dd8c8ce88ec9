"""The province's level: officers added by officers, the province's group and its board's
message, the blocs' dossiers, and what the province reads of many blocs at once (their
votes, their documents, their per-year results)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage import audit
from storage.models import Bloc, Dossier, Milestone, ProvinceGroup, ProvinceOfficer, ReviewDocument, Unit, Vote, YearResult


def all_blocs(*, session: Session) -> list[Bloc]:
    return list(session.exec(select(Bloc).order_by(Bloc.id)))


# ---- officers ------------------------------------------------------------------------------

def added_officers(*, session: Session) -> list[tuple[str, int]]:
    """(province code, user id) of every officer an officer added (and nobody removed)."""
    rows = session.exec(select(ProvinceOfficer.province, ProvinceOfficer.user_id)
                        .where(col(ProvinceOfficer.removed_at).is_(None)))
    return [(code, user_id) for code, user_id in rows]


def add_officer(*, session: Session, province: str, user_id: int, by: int, now: datetime) -> bool:
    """Whether the person was added (False: added already)."""
    if (province, user_id) in added_officers(session=session):
        return False
    session.add(ProvinceOfficer(province=province, user_id=user_id, added_by=by, added_at=now))
    audit.record(session=session, action="province.officer_add", actor_id=by, now=now, province=province,
                 user_id=user_id)
    return True


# ---- the province's group and board ----------------------------------------------------------

def group_of(*, session: Session, province: str) -> ProvinceGroup | None:
    return session.exec(select(ProvinceGroup).where(ProvinceGroup.province == province)).first()


def group_of_chat(*, session: Session, chat_id: int) -> ProvinceGroup | None:
    return session.exec(select(ProvinceGroup).where(ProvinceGroup.chat_id == chat_id)).first()


def set_group(*, session: Session, province: str, chat_id: int, by: int, now: datetime) -> ProvinceGroup:
    """This chat becomes the province's group; another province's group it was stops being one."""
    row = group_of(session=session, province=province)
    taken = group_of_chat(session=session, chat_id=chat_id)
    if taken is not None and taken is not row:
        session.delete(taken)
        session.flush()
    before = row.chat_id if row is not None else None
    if row is None:
        row = ProvinceGroup(province=province, chat_id=chat_id, set_by=by, set_at=now)
    elif row.chat_id != chat_id:
        row.chat_id, row.board_message_id = chat_id, None
    row.set_by, row.set_at = by, now
    session.add(row)
    audit.record(session=session, action="province.group_set", actor_id=by, now=now, province=province,
                 chat_id=chat_id, replaced=before)
    return row


def save_board(*, session: Session, province: str, chat_id: int, message_id: int) -> None:
    row = group_of(session=session, province=province)
    if row is not None and row.chat_id == chat_id:
        row.board_message_id = message_id
        session.add(row)


# ---- dossiers ------------------------------------------------------------------------------

def dossiers(*, session: Session, bloc_ids: Sequence[int], year: int) -> dict[int, list[Dossier]]:
    """bloc → its dossiers of the year, oldest first."""
    found: dict[int, list[Dossier]] = {}
    if bloc_ids:
        for row in session.exec(select(Dossier).where(col(Dossier.bloc_id).in_(list(bloc_ids)), Dossier.year == year)
                                .order_by(Dossier.id)):
            found.setdefault(row.bloc_id, []).append(row)
    return found


def record_dossier(*, session: Session, bloc_id: int, year: int, version: int, by: int, now: datetime) -> Dossier:
    row = Dossier(bloc_id=bloc_id, year=year, version=version, sent_by=by, sent_at=now)
    session.add(row)
    audit.record(session=session, bloc_id=bloc_id, action="dossier.send", actor_id=by, now=now, year=year,
                 version=version)
    session.flush()
    return row


# ---- what the province reads of its blocs ----------------------------------------------------

def votes_of(*, session: Session, bloc_ids: Sequence[int], year: int) -> dict[int, Vote]:
    if not bloc_ids:
        return {}
    return {v.bloc_id: v for v in session.exec(select(Vote).where(col(Vote.bloc_id).in_(list(bloc_ids)),
                                                                  Vote.year == year))}


def documents_of(*, session: Session, bloc_ids: Sequence[int], year: int) -> dict[int, dict[str, ReviewDocument]]:
    """bloc → kind → the latest version of each of the year's documents."""
    found: dict[int, dict[str, ReviewDocument]] = {}
    if bloc_ids:
        for row in session.exec(select(ReviewDocument).where(col(ReviewDocument.bloc_id).in_(list(bloc_ids)),
                                                             ReviewDocument.year == year)
                                .order_by(ReviewDocument.version)):
            found.setdefault(row.bloc_id, {})[row.kind] = row
    return found


def latest_versions(*, session: Session, bloc_ids: Sequence[int], year: int) -> dict[int, int]:
    """bloc → the latest version of its year's documents (without reading the files)."""
    if not bloc_ids:
        return {}
    rows = session.exec(select(ReviewDocument.bloc_id, func.max(ReviewDocument.version))
                        .where(col(ReviewDocument.bloc_id).in_(list(bloc_ids)), ReviewDocument.year == year)
                        .group_by(ReviewDocument.bloc_id))
    return {bloc_id: version for bloc_id, version in rows}


def listed(*, session: Session, bloc_ids: Sequence[int], year: int) -> set[int]:
    """The blocs whose year's list was made (a document of kind «list»)."""
    if not bloc_ids:
        return set()
    return set(session.exec(select(ReviewDocument.bloc_id).where(
        col(ReviewDocument.bloc_id).in_(list(bloc_ids)), ReviewDocument.year == year,
        ReviewDocument.kind == "list").distinct()))


def proposals(*, session: Session, bloc_ids: Sequence[int], year: int) -> list[tuple[YearResult, Unit]]:
    """Every proposal of these blocs in the year, with its unit."""
    if not bloc_ids:
        return []
    return [(r, u) for r, u in session.exec(
        select(YearResult, Unit).join(Unit, Unit.id == YearResult.unit_id)
        .where(col(YearResult.bloc_id).in_(list(bloc_ids)), YearResult.year == year, YearResult.proposed)
        .order_by(YearResult.id))]


def results_before(*, session: Session, unit_ids: Sequence[int], year: int) -> dict[int, dict[int, set[str]]]:
    """unit → earlier year → the codes it was proposed for (as the bloc's own checks read them)."""
    found: dict[int, dict[int, set[str]]] = {}
    if unit_ids:
        for row in session.exec(select(YearResult).where(col(YearResult.unit_id).in_(list(unit_ids)),
                                                         YearResult.year < year, YearResult.proposed)):
            found.setdefault(row.unit_id, {}).setdefault(row.year, set()).add(row.code)
    return found


def deadlines(*, session: Session, bloc_ids: Sequence[int], year: int, kind: str) -> dict[int, Milestone]:
    if not bloc_ids:
        return {}
    return {m.bloc_id: m for m in session.exec(select(Milestone).where(
        col(Milestone.bloc_id).in_(list(bloc_ids)), Milestone.year == year, Milestone.kind == kind,
        col(Milestone.cancelled_at).is_(None)))}
