"""Everything a bloc holds for one year, read in one session, for the yearly export.

Every query is bounded by the bloc's id: another bloc's rows cannot come in. The secret
ballot is read as the bot keeps it: which units voted (``ballot_cast``) and the counts per
candidate (``vote_count``), which hold no trace of how any unit voted; while the vote is
still open not even the counts are read (watching them move would tell who chose what).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from domain.scores import Criterion
from storage import audit
from storage.models import (AuditLog, BallotCast, Bloc, Covenant, Milestone, Registration, Reminder,
                            ReminderDelivery, Reopening, Report, Representative, ReviewDocument, Role,
                            Score, TgUser, Unit, Vote, VoteCount, YearResult)
from storage.rollover import ROLLOVER
from storage.scores import own_criteria


@dataclass
class YearRecords:
    bloc: Bloc
    year: int
    units: list[Unit] = field(default_factory=list)  # every unit the bloc ever had, removed ones too
    roles: list[Role] = field(default_factory=list)  # the year's secretaries and Trưởng/Phó khối, ended ones too
    representatives: list[Representative] = field(default_factory=list)
    registrations: list[Registration] = field(default_factory=list)  # every version, oldest first
    covenants: list[Covenant] = field(default_factory=list)
    reopenings: list[Reopening] = field(default_factory=list)
    milestones: list[Milestone] = field(default_factory=list)
    reminders: list[Reminder] = field(default_factory=list)
    deliveries: dict[int, dict[str, int]] = field(default_factory=dict)  # reminder id → status → count
    reports: list[Report] = field(default_factory=list)
    criteria: list[Criterion] | None = None  # the bloc's own points table for the year, if any
    scores: list[Score] = field(default_factory=list)
    vote: Vote | None = None
    cast: list[BallotCast] = field(default_factory=list)  # which units voted, and when
    counts: list[VoteCount] = field(default_factory=list)  # empty while the vote is open
    results: list[YearResult] = field(default_factory=list)
    documents: list[ReviewDocument] = field(default_factory=list)  # without their content
    audit: list[AuditLog] = field(default_factory=list)
    audit_from: datetime | None = None
    audit_until: datetime | None = None
    users: dict[int, TgUser] = field(default_factory=dict)  # every person named above


def _year_span(session: Session, bloc: Bloc, year: int) -> tuple[datetime | None, datetime | None]:
    """When the bloc was in ``year``: from its move out of the year before (or its start)
    to its move out of this one (or now)."""
    start = end = None
    for entry in audit.entries(session=session, bloc_id=bloc.id, action=ROLLOVER):
        if entry.detail.get("from_year") == year - 1:
            start = entry.at
        elif entry.detail.get("from_year") == year:
            end = entry.at
    return start, end


def year_records(*, session: Session, bloc: Bloc, year: int) -> YearRecords:
    r = YearRecords(bloc=bloc, year=year)
    units = list(session.exec(select(Unit).where(Unit.bloc_id == bloc.id).order_by(Unit.id)))
    unit_ids = [u.id for u in units]
    r.units = units
    r.roles = list(session.exec(select(Role).where(Role.bloc_id == bloc.id, Role.year == year).order_by(Role.id)))
    r.representatives = list(session.exec(select(Representative).where(
        col(Representative.unit_id).in_(unit_ids)).order_by(Representative.id))) if unit_ids else []

    def of_year(model):
        return list(session.exec(select(model).where(model.bloc_id == bloc.id, model.year == year)
                                 .order_by(model.id)))

    r.registrations = of_year(Registration)
    r.covenants = of_year(Covenant)
    r.reopenings = of_year(Reopening)
    r.milestones = of_year(Milestone)
    r.reports = of_year(Report)
    r.scores = of_year(Score)
    r.results = of_year(YearResult)
    r.criteria = own_criteria(session=session, bloc_id=bloc.id, year=year)
    milestone_ids = [m.id for m in r.milestones]
    if milestone_ids:
        r.reminders = list(session.exec(select(Reminder).where(
            Reminder.bloc_id == bloc.id, col(Reminder.milestone_id).in_(milestone_ids)).order_by(Reminder.due_at)))
        reminder_ids = [x.id for x in r.reminders]
        if reminder_ids:
            for reminder_id, status in session.exec(select(ReminderDelivery.reminder_id, ReminderDelivery.status)
                                                    .where(col(ReminderDelivery.reminder_id).in_(reminder_ids))):
                counts = r.deliveries.setdefault(reminder_id, {})
                counts[status] = counts.get(status, 0) + 1
    r.vote = session.exec(select(Vote).where(Vote.bloc_id == bloc.id, Vote.year == year)).first()
    if r.vote is not None:
        r.cast = list(session.exec(select(BallotCast).where(BallotCast.vote_id == r.vote.id)
                                   .order_by(BallotCast.cast_at, BallotCast.id)))
        if r.vote.status == "closed":
            r.counts = list(session.exec(select(VoteCount).where(VoteCount.vote_id == r.vote.id)
                                         .order_by(VoteCount.id)))
    r.documents = list(session.exec(  # the files themselves stay in the database
        select(ReviewDocument).where(ReviewDocument.bloc_id == bloc.id, ReviewDocument.year == year)
        .options(defer(ReviewDocument.content)).order_by(ReviewDocument.id)))
    r.audit_from, r.audit_until = _year_span(session, bloc, year)
    query = select(AuditLog).where(AuditLog.bloc_id == bloc.id)
    if r.audit_from is not None:
        query = query.where(AuditLog.at > r.audit_from)
    if r.audit_until is not None:
        query = query.where(AuditLog.at <= r.audit_until)
    r.audit = list(session.exec(query.order_by(AuditLog.id)))

    people = {bloc.created_by}
    people.update(x.user_id for x in r.roles if x.user_id is not None)
    people.update(x.created_by for x in r.roles if x.created_by is not None)
    people.update(x.user_id for x in r.representatives)
    for rows, attr in ((r.registrations, "confirmed_by"), (r.covenants, "confirmed_by"), (r.reopenings, "created_by"),
                       (r.milestones, "created_by"), (r.reports, "sent_by"), (r.cast, "cast_by"),
                       (r.documents, "created_by"), (r.audit, "actor_id"), (r.scores, "self_by"),
                       (r.scores, "adjusted_by")):
        people.update(getattr(x, attr) for x in rows if getattr(x, attr) is not None)
    for entry in r.audit:  # the people an audit entry names (a secretary added, those carried over)
        named = entry.detail.get("user_id"), *(entry.detail.get("secretaries") or [])
        people.update(p for p in named if isinstance(p, int))
    if people:
        r.users = {u.id: u for u in session.exec(select(TgUser).where(col(TgUser.id).in_(list(people))))}
    return r

