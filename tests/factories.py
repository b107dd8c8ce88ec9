"""Rows for tests that are not about how they came to be: people the bot has met, a bloc
with its units, a unit's representative. Made through the storage functions the bot uses
(so they are rows the bot could have written), for the service tests on a real database.
Tests about the set-up itself go through the conversation (tests/test_enrolment.py,
tests/samples.py)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from storage import blocs, invitations, registrations, roster, votes
from storage.milestones import REGISTRATION_DEADLINE, set_milestone
from storage.models import Bloc, Unit, YearResult
from storage.users import touch_user
from tests.samples import HOA_BINH_BLOC, HOA_BINH_UNITS


def people(s: Session, *user_ids: int, now: datetime) -> None:
    """People who have opened a private chat with the bot (named N<id>)."""
    for user in user_ids:
        touch_user(session=s, user_id=user, first_name=f"N{user}", last_name=None, username=None, now=now,
                   private=True)


def represent(s: Session, bloc: Bloc, unit: Unit, user_id: int, *, by: int, now: datetime, ttl_days: int = 7) -> None:
    """``user_id`` represents ``unit``, enrolled by an invitation ``by`` issued."""
    invitation = invitations.issue(session=s, bloc=bloc, unit=unit, by=by, now=now, ttl_days=ttl_days)
    roster.enrol(session=s, invitation=invitation, user_id=user_id, now=now)


def bloc_of_units(s: Session, names: list[str], *, secretary: int, now: datetime, chat_id: int = -100555,
                  name: str = "Khối các Hội đặc thù", year: int = 2025,
                  province: str = "Huế") -> tuple[Bloc, list[Unit]]:
    """A bloc set up by its secretary (Trần Thị Hoa, who has opened a private chat), with these units."""
    touch_user(session=s, user_id=secretary, first_name="Trần Thị", last_name="Hoa", username=None, now=now,
               private=True)
    bloc = blocs.create_bloc(session=s, chat_id=chat_id, name=name, year=year, province=province, by=secretary,
                             now=now)
    return bloc, roster.add_units(session=s, bloc=bloc, names=names, by=secretary, now=now)


def year_to_the_list(s: Session, bloc: Bloc, units: list[Unit], *, proposals: dict[str, list[Unit]], by: int,
                     now: datetime, deadline: datetime | None = None, registered: list[Unit] | None = None,
                     year: int | None = None, listed: bool = True) -> int | None:
    """A bloc's year played to its list: the registration deadline, the units ``registered``
    (all by default) registered and signed, the vote closed with ``proposals`` (title code →
    units, in the order of their votes) as its results and, when ``listed``, the documents
    (version 1 for the first list, then the next). The documents' version, or None."""
    year = year or bloc.year
    if deadline is not None:
        set_milestone(session=s, bloc=bloc, kind=REGISTRATION_DEADLINE, at=deadline, by=by, now=now)
    for unit in units if registered is None else registered:
        codes = sorted({code for code, chosen in proposals.items() if unit in chosen}) or ["TTLDXS"]
        registrations.confirm(session=s, bloc=bloc, unit_id=unit.id, collective=codes, individuals=[], targets="",
                              by=by, now=now)
        registrations.sign_covenant(session=s, bloc=bloc, unit_id=unit.id, by=by, now=now)
    vote = votes.vote_of(session=s, bloc=bloc, year=year) or votes.prepare(session=s, bloc=bloc, ballot=[], by=by,
                                                                           now=now)
    vote.status, vote.closed_at, vote.voters = votes.CLOSED, now, tuple(u.id for u in units)
    s.add(vote)
    members = len(units)
    votes.replace_results(session=s, bloc=bloc, year=year, rows=[
        YearResult(bloc_id=bloc.id, unit_id=u.id, year=year, code=code, votes=members - rank,
                   percent=round(100 * (members - rank) / members, 1), recorded_at=now)
        for code, chosen in proposals.items() for rank, u in enumerate(chosen)])
    if not listed:
        return None
    return new_documents(s, bloc, by=by, now=now, year=year)


def new_documents(s: Session, bloc: Bloc, *, by: int, now: datetime, year: int | None = None) -> int:
    """The year's four documents made again (a new version, as after a change of the list)."""
    year = year or bloc.year
    version = votes.next_version(session=s, bloc_id=bloc.id, year=year)
    for kind, ext in (("minutes", "docx"), ("list", "docx"), ("proposal", "docx"), ("list_xlsx", "xlsx")):
        votes.add_document(session=s, bloc_id=bloc.id, year=year, kind=kind, version=version,
                           filename=f"{kind}-{year}-v{version}.{ext}", content=f"{bloc.name} {kind} {version}".encode(),
                           fingerprint=str(version), by=by, now=now)
    s.flush()
    return version


def past_results(s: Session, bloc: Bloc, unit: Unit, *, year: int, codes: list[str], now: datetime) -> None:
    """What a unit was proposed for in an earlier year (for the consecutive-year checks)."""
    s.add_all([YearResult(bloc_id=bloc.id, unit_id=unit.id, year=year, code=code, recorded_at=now) for code in codes])


def more_blocs_of_hue(s: Session, *, first_secretary: int, first_chat: int, now: datetime,
                      registration_deadline: datetime) -> dict[str, tuple[Bloc, list[Unit]]]:
    """Besides the seeds' Huế bloc, the province tests' other blocs, each played to its list:
    the Hòa Bình bloc's units filed under Huế (one of them proposed for both flags), a bloc of
    Sở (its unit proposed for both flags, the province typed «TP Huế»), a bloc of schools that
    did not all register by the deadline, and a bloc of another province (Hòa Bình). Secretaries
    and chats are numbered from the first ones given."""
    made: dict[str, tuple[Bloc, list[Unit]]] = {}

    def bloc(key: str, names: list[str], name: str, province: str, **played) -> None:
        number = len(made)
        made[key] = bloc_of_units(s, names, secretary=first_secretary + number, now=now,
                                  chat_id=first_chat - number, name=name, province=province)
        units = made[key][1]
        by = {u.name: u for u in units}
        proposals = {code: [by[n] if isinstance(n, str) else units[n] for n in picked]
                     for code, picked in played.pop("proposals").items()}
        year_to_the_list(s, made[key][0], units, by=first_secretary + number, now=now, proposals=proposals,
                         **({"registered": units[:1], "deadline": registration_deadline} if played.get("late") else {}))

    dioxin = "Hội Nạn nhân chất độc da cam/dioxin tỉnh"
    bloc("third", HOA_BINH_UNITS, HOA_BINH_BLOC, "Huế", proposals={
        "CO_CP": [dioxin], "CO_TINH": [dioxin], "BK_UBND": ["Hội Chữ thập đỏ", "Hội Người cao tuổi"]})
    bloc("depts", ["Sở Y tế", "Sở Tư pháp", "Sở Xây dựng"], "Khối các Sở", "TP Huế",
         proposals={"CO_CP": [0], "CO_TINH": [0]})
    bloc("schools", ["Trường Cao đẳng Huế", "Trường Trung cấp Huế"], "Khối các Trường", "Huế",
         proposals={"BK_UBND": [0]}, late=True)
    bloc("elsewhere", ["Hội Nông dân"], "Khối Hòa Bình", "Hòa Bình", proposals={"CO_TINH": [0]})
    return made
