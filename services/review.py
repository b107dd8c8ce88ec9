"""The year-end review's reckoning, with no chat in it: the tally of a vote, the record the
documents are made from, the documents themselves (a new version only when the record
changed), each unit's results kept for later years, and the deadline's reminders.

Plain arguments only (the catalogue, the time zone, ``now``, how a leader line is named):
the database is the caller's ``session`` (the one transaction of an action)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta, tzinfo

from sqlmodel import Session

from domain import ballot as rules
from domain.catalogue import Catalogue
from domain.milestones import Kind
from domain.provinces import Naming
from domain.reminders import Planned, plan
from domain.review import ReviewRecord, ScoreLine, TitleOutcome
from domain.text import sort_key
from domain.working_days import WorkingDays
from exports import review_documents
from storage import milestones, reminders, roles, votes
from storage import scores as score_store
from storage.models import Bloc, Milestone, RoleKind, Unit, Vote, YearResult
# A leader line's name as people read it ("Trưởng khối năm 2026"): its code, and the year the
# unit elected leads (the one after the vote's). The wording is the templates', so the caller's.
LeaderName = Callable[[str, int], str]


def entry_name(catalogue: Catalogue, leader_name: LeaderName, code: str, year: int) -> str:
    """A line of the vote of ``year`` as people read it: the title, or the leader line."""
    title = catalogue.get(code)
    return title.name if title else leader_name(code, year + 1)


def names(session: Session, ids: list[int]) -> dict[int, str]:
    return {u.id: u.name for u in votes.units_by_id(session=session, ids=ids).values()}


def compute(session: Session, bloc: Bloc, vote: Vote, *, catalogue: Catalogue,
            leader_name: LeaderName) -> list[TitleOutcome]:
    """The tally of every line of the ballot, from the box, the scores and earlier years."""
    ids = sorted({u for e in vote.ballot for u in e.candidates})
    box = votes.box(session=session, vote_id=vote.id)
    totals = score_store.totals(session=session, bloc_id=bloc.id, year=vote.year)
    history = votes.history(session=session, unit_ids=ids, before=vote.year)
    return rules.outcome(ballot=vote.ballot, box=box, issued=len(vote.voters), rules=vote.rules,
                         names=names(session, ids), scores={u: t[0] for u, t in totals.items()}, catalogue=catalogue,
                         decisions={k: list(v) for k, v in vote.decisions.items()}, history=history, year=vote.year,
                         line_names={code: entry_name(catalogue, leader_name, code, vote.year)
                                     for code in rules.LEADERS})


def titles(outcomes: list[TitleOutcome]) -> list[TitleOutcome]:
    return [o for o in outcomes if o.code not in rules.LEADERS]


def next_leaders(session: Session, bloc: Bloc, vote: Vote,
                 outcomes: list[TitleOutcome]) -> tuple[str | None, str | None]:
    """Next year's Trưởng/Phó khối: recorded for next year (elected, or assigned by the
    province), else what the ballot decided."""
    recorded = roles.unit_roles(session=session, bloc=bloc, year=vote.year + 1)
    unit_names = names(session, list(recorded))
    found = {kind: unit_names.get(unit) for unit, kind in recorded.items()}
    return (found.get(RoleKind.LEAD) or rules.elected(outcomes, rules.LEAD),
            found.get(RoleKind.DEPUTY) or rules.elected(outcomes, rules.DEPUTY))


def attended(vote: Vote, voted: int) -> int:
    """Member units at the meeting: as the secretary recorded it, else the units that voted."""
    return vote.attended if vote.attended is not None else voted


def build_record(session: Session, bloc: Bloc, vote: Vote, outcomes: list[TitleOutcome], *, secretary: str,
                 tz: tzinfo, place: str, now: datetime, naming: Naming | None = None) -> ReviewRecord:
    """What the documents say, made on ``now``; ``place`` where they are signed ("": the
    bloc's province). ``naming``: the province configured, as the vote's year calls it
    («thành phố Huế»; None: as the bloc typed it)."""
    this_year = roles.unit_roles(session=session, bloc=bloc, year=vote.year)
    unit_names = names(session, list({*this_year, *vote.voters}))
    present = votes.voted_count(session=session, vote_id=vote.id)
    totals = score_store.totals(session=session, bloc_id=bloc.id, year=vote.year)
    meeting = milestones.active(session=session, bloc=bloc, kind=Kind.YEAREND_MEETING.value)
    role_of = {kind: unit_names.get(unit, "") for unit, kind in this_year.items()}
    next_lead, next_deputy = next_leaders(session, bloc, vote, outcomes)
    scores = sorted(((unit_names.get(u, "?"), totals.get(u, (None, False))) for u in vote.voters),
                    key=lambda item: (-(item[1][0] if item[1][0] is not None else -1), sort_key(item[0])))
    return ReviewRecord(
        bloc=bloc.name, province=f"{naming.level} {naming.name}" if naming else bloc.province,
        place=place or (naming.name if naming else bloc.province), year=vote.year,
        issued_on=now.astimezone(tz).date(), number="",
        meeting_at=meeting.at.astimezone(tz) if meeting else None, meeting_place=meeting.place if meeting else "",
        closed_at=(vote.closed_at or now).astimezone(tz),
        lead_unit=role_of.get(RoleKind.LEAD, ""), deputy_unit=role_of.get(RoleKind.DEPUTY, ""),
        secretary=secretary, members=len(vote.voters), present=attended(vote, present), chair=vote.chair or "",
        scores=tuple(ScoreLine(unit=name, total=total, adjusted=adjusted) for name, (total, adjusted) in scores),
        titles=tuple(titles(outcomes)), next_lead=next_lead, next_deputy=next_deputy)


def fingerprint(record: ReviewRecord) -> str:
    """What the documents say, without the date they are made on and their version."""
    same = replace(record, issued_on=date(2000, 1, 1), version=0)
    return hashlib.sha256(repr(same).encode()).hexdigest()


def documents(session: Session, bloc: Bloc, record: ReviewRecord, *, by: int, tz: tzinfo, now: datetime) -> dict:
    """The latest version of each document, made anew when the record changed."""
    mark = fingerprint(record)
    latest = votes.latest_documents(session=session, bloc_id=bloc.id, year=record.year)
    if latest and all(d.fingerprint == mark for d in latest.values()) and set(latest) == set(
            review_documents.KINDS):
        return latest
    version = votes.next_version(session=session, bloc_id=bloc.id, year=record.year)
    versioned = replace(record, version=version)
    made = {}
    for kind in review_documents.KINDS:
        made[kind] = votes.add_document(
            session=session, bloc_id=bloc.id, year=record.year, kind=kind, version=version,
            filename=review_documents.filename(kind, versioned),
            content=review_documents.build(kind, versioned, tz), fingerprint=mark, by=by, now=now)
    session.flush()
    return made


def save_results(session: Session, bloc: Bloc, vote: Vote, outcomes: list[TitleOutcome], now: datetime) -> None:
    """Each unit's result for the year (for later years' checks); next year's leaders as
    roles, unless the secretary recorded them."""
    rows = [YearResult(bloc_id=bloc.id, unit_id=line.unit_id, year=vote.year, code=o.code, proposed=True,
                       votes=line.votes, percent=line.percent, recorded_at=now)
            for o in titles(outcomes) for line in o.selected]
    votes.replace_results(session=session, bloc=bloc, year=vote.year, rows=rows)
    recorded = roles.unit_roles(session=session, bloc=bloc, year=vote.year + 1)
    for code, kind in ((rules.LEAD, RoleKind.LEAD), (rules.DEPUTY, RoleKind.DEPUTY)):
        line = rules.elected_line(outcomes, code)
        unit = session.get(Unit, line.unit_id) if line else None
        if unit is not None and kind not in recorded.values():
            roles.set_unit_role(session=session, bloc=bloc, unit=unit, kind=kind, by=vote.opened_by or 0,
                                now=now, year=vote.year + 1)
            recorded[unit.id] = kind


def plan_deadline(session, milestone: Milestone, now: datetime, *, tz, rule, close: str,
                  days: WorkingDays | None = None) -> None:
    """Reminders to units that have not voted (days before at the bloc's hour, the working day
    before where that is a day off (``days``), and 2 hours before), and the row (kind
    ``close``) that closes the vote at the deadline."""
    planned = plan(at=milestone.at, meeting=False, now=now, tz=tz, rules=rule, days=days)
    for hours in rule.hours_before_meeting:
        due = milestone.at - timedelta(hours=hours)
        if now < due and all(p.due_at != due for p in planned):
            planned.append(Planned(due, f"{hours}h"))
    planned = sorted(planned, key=lambda p: p.due_at) + [Planned(milestone.at, close)]
    reminders.replan(session=session, milestone=milestone, planned=planned)
