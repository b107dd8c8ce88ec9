"""Registrations, their drafts, covenant signatures and reopenings."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import and_, bindparam, insert, update
from sqlmodel import Session, col, func, select

from domain.registration import Choice, PeopleByTitle, people_from_stored, people_stored
from storage import audit, core, drafts
from storage.milestones import REGISTRATION_DEADLINE
from storage.models import (Bloc, Covenant, Milestone, Registration, RegistrationDraft, Reopening, Representative,
                            Unit)


_REGISTRATION = core.table(Registration)


def current(*, session: Session, bloc_id: int, year: int) -> dict[int, Registration]:
    """unit id → the registration that counts now (withdrawn ones included)."""
    rows = session.exec(select(Registration).where(
        Registration.bloc_id == bloc_id, Registration.year == year, col(Registration.current).is_(True)))
    return {r.unit_id: r for r in rows}


_CURRENT_OF_UNIT = select(*core.labelled(Registration, "r_")).where(
    _REGISTRATION.c.unit_id == bindparam("unit_id"), _REGISTRATION.c.year == bindparam("year"),
    _REGISTRATION.c.current.is_(True))


def current_of_unit(*, session: Session, unit_id: int, year: int) -> Registration | None:
    """The unit's registration that counts now (a detached object; ``_replace`` changes it).
    One prepared Core statement; a Session or a Connection."""
    row = session.execute(_CURRENT_OF_UNIT, {"unit_id": unit_id, "year": year}).first()
    return core.build(Registration, row, "r_") if row is not None else None


def _window_statement():
    milestone, reopening = core.table(Milestone), core.table(Reopening)
    deadline = (select(milestone.c.at).where(
        milestone.c.bloc_id == bindparam("bloc_id"), milestone.c.year == bindparam("year"),
        milestone.c.kind == REGISTRATION_DEADLINE, milestone.c.cancelled_at.is_(None))
        .order_by(milestone.c.id.desc()).limit(1).scalar_subquery())
    reopened = select(func.max(reopening.c.until)).where(
        reopening.c.unit_id == bindparam("unit_id"), reopening.c.year == bindparam("year")).scalar_subquery()
    return select(deadline.label("deadline"), reopened.label("reopened"))


_WINDOW = _window_statement()


def window_facts(*, session: Session, bloc: Bloc, unit_id: int) -> tuple[datetime | None, datetime | None]:
    """What decides whether the unit may register now: the bloc's active registration deadline
    and the end of the unit's latest reopening (one statement; a Session or a Connection)."""
    row = session.execute(_WINDOW, {"bloc_id": bloc.id, "year": bloc.year, "unit_id": unit_id}).one()
    return _aware(row.deadline), _aware(row.reopened)


def _aware(value: datetime | None) -> datetime | None:
    # Should a driver hand a subquery's value back untyped: SQLite keeps naive UTC.
    if value is None or isinstance(value, datetime) and value.tzinfo is not None:
        return value
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC)


_CURRENT_ID = select(_REGISTRATION.c.id).where(
    _REGISTRATION.c.unit_id == bindparam("unit_id"), _REGISTRATION.c.year == bindparam("year"),
    _REGISTRATION.c.current.is_(True))
_RETIRE = update(_REGISTRATION).where(_REGISTRATION.c.id == bindparam("registration_id")).values(current=False)
_INSERT_REGISTRATION = insert(_REGISTRATION)


def _replace(session: Session, bloc: Bloc, unit_id: int, values: dict, action: str, by: int,
             now: datetime) -> Registration:
    """The new version becomes the unit's current registration; the previous one is kept as
    history. Core statements (a confirmation is on the conversation's path)."""
    previous_id = session.execute(_CURRENT_ID, {"unit_id": unit_id, "year": bloc.year}).scalar()
    if previous_id is not None:
        session.execute(_RETIRE, {"registration_id": previous_id})
    values = {**dict(bloc_id=bloc.id, unit_id=unit_id, year=bloc.year, current=True, withdrawn=False, collective=[],
                     individuals=(), targets="", confirmed_by=by, confirmed_at=now), **values}
    values["individuals"] = people_from_stored(values["individuals"])  # typed, whichever form was given
    new_id = session.execute(_INSERT_REGISTRATION, values).inserted_primary_key[0]
    audit.record(session=session, bloc_id=bloc.id, actor_id=by, now=now, action=action, unit_id=unit_id,
                 registration_id=new_id, previous_id=previous_id, collective=values["collective"],
                 individuals=people_stored(values["individuals"]))
    return core.detached(Registration, {"id": new_id, **values})


def confirm(*, session: Session, bloc: Bloc, unit_id: int, collective: list[str],
            individuals: PeopleByTitle | list[dict], targets: str, by: int, now: datetime) -> Registration:
    return _replace(session, bloc, unit_id, dict(collective=collective, individuals=individuals, targets=targets),
                    "registration.confirm", by, now)


def withdraw(*, session: Session, bloc: Bloc, unit_id: int, by: int, now: datetime) -> Registration:
    return _replace(session, bloc, unit_id, dict(withdrawn=True), "registration.withdraw", by, now)


_VERSIONS = select(func.count()).select_from(_REGISTRATION).where(
    _REGISTRATION.c.unit_id == bindparam("unit_id"), _REGISTRATION.c.year == bindparam("year"))


def versions(*, session: Session, unit_id: int, year: int) -> int:
    """How many times the unit's registration for the year was confirmed or withdrawn."""
    return session.execute(_VERSIONS, {"unit_id": unit_id, "year": year}).scalar_one()


def covenants(*, session: Session, bloc_id: int, year: int) -> dict[int, Covenant]:
    rows = session.exec(select(Covenant).where(Covenant.bloc_id == bloc_id, Covenant.year == year))
    return {c.unit_id: c for c in rows}


def sign_covenant(*, session: Session, bloc: Bloc, unit_id: int, by: int, now: datetime) -> Covenant | None:
    """Record the signature; None when the unit had already signed this year."""
    existing = session.exec(select(Covenant).where(Covenant.unit_id == unit_id, Covenant.year == bloc.year)).first()
    if existing is not None:
        return None
    covenant = Covenant(bloc_id=bloc.id, unit_id=unit_id, year=bloc.year, confirmed_by=by, confirmed_at=now)
    session.add(covenant)
    audit.record(session=session, bloc_id=bloc.id, actor_id=by, now=now, action="covenant.sign", unit_id=unit_id)
    return covenant


def reopen(*, session: Session, bloc: Bloc, unit_id: int, until: datetime, by: int, now: datetime) -> Reopening:
    reopening = Reopening(bloc_id=bloc.id, unit_id=unit_id, year=bloc.year, until=until, created_by=by,
                          created_at=now)
    session.add(reopening)
    audit.record(session=session, bloc_id=bloc.id, actor_id=by, now=now, action="registration.reopen",
                 unit_id=unit_id, until=until.isoformat())
    return reopening


# Drafts: one per person; starting a new one replaces it. They are read and written on every
# step of the conversation, so through Core statements (storage/core.py), not the ORM; what
# drafts of every kind share (dropping, the sweep, the current message) is storage/drafts.py.

_DRAFT = core.table(RegistrationDraft)
_DRAFT_OF = select(*core.labelled(RegistrationDraft, "d_")).where(_DRAFT.c.user_id == bindparam("user_id"))


def _live_draft_statement():
    unit, bloc, rep = core.table(Unit), core.table(Bloc), core.table(Representative)
    return (select(*core.labelled(RegistrationDraft, "d_"), *core.labelled(Unit, "u_"), *core.labelled(Bloc, "b_"))
            .select_from(
                _DRAFT.outerjoin(rep, and_(rep.c.unit_id == _DRAFT.c.unit_id, rep.c.user_id == _DRAFT.c.user_id,
                                           rep.c.removed_at.is_(None)))
                .outerjoin(unit, and_(unit.c.id == rep.c.unit_id, unit.c.removed_at.is_(None)))
                .outerjoin(bloc, bloc.c.id == unit.c.bloc_id))
            .where(_DRAFT.c.user_id == bindparam("user_id")))


_LIVE_DRAFT = _live_draft_statement()
_INSERT_DRAFT = insert(_DRAFT)


@dataclass(frozen=True)
class Draft:
    """A registration being filled in: the step it is at and what it has chosen (the row
    holds the choice as JSON, ``data``)."""

    id: int
    user_id: int
    unit_id: int
    bloc_id: int
    year: int
    step: str
    choice: Choice
    message_id: int | None
    touched_at: datetime


def _draft(row) -> Draft:
    m = row._mapping
    return Draft(id=m["d_id"], user_id=m["d_user_id"], unit_id=m["d_unit_id"], bloc_id=m["d_bloc_id"],
                 year=m["d_year"], step=m["d_step"], choice=Choice.from_draft_json(m["d_data"]),
                 message_id=m["d_message_id"], touched_at=_aware(m["d_touched_at"]))


def draft_of(*, session: Session, user_id: int) -> Draft | None:
    row = session.execute(_DRAFT_OF, {"user_id": user_id}).first()
    return _draft(row) if row is not None else None


def live_draft(*, session: Session, user_id: int) -> tuple[Draft, Unit | None, Bloc | None] | None:
    """The person's draft, with its unit and the unit's bloc when the person still represents
    that unit (else None, None): one statement."""
    row = session.execute(_LIVE_DRAFT, {"user_id": user_id}).first()
    if row is None:
        return None
    draft, unit, bloc = _draft(row), core.build(Unit, row, "u_"), core.build(Bloc, row, "b_")
    if unit is None or bloc is None:
        return draft, None, None
    return draft, unit, bloc


def start_draft(*, session: Session, user_id: int, bloc: Bloc, unit_id: int, choice: Choice, step: str,
                now: datetime, message_id: int | None = None) -> Draft:
    """A new draft replaces the person's earlier one; ``message_id``: the message whose
    buttons will drive it, when already known."""
    drafts.REGISTRATION.drop_of(session=session, user_id=user_id)
    values = dict(user_id=user_id, unit_id=unit_id, bloc_id=bloc.id, year=bloc.year, step=step,
                  data=choice.as_draft_json(), message_id=message_id, started_at=now, touched_at=now)
    result = session.execute(_INSERT_DRAFT, values)
    return Draft(id=result.inserted_primary_key[0], user_id=user_id, unit_id=unit_id, bloc_id=bloc.id,
                 year=bloc.year, step=step, choice=choice, message_id=message_id, touched_at=now)


def save_draft(*, session: Session, draft: Draft, now: datetime, step: str | None = None,
               choice: Choice | None = None, message_id: int | None = None) -> Draft:
    """Write what changed (and the time it was touched) to the draft's row; the draft as it
    now is. A draft dropped meanwhile (timed out, /huy) stays dropped."""
    changes = {key: value for key, value in (("step", step), ("choice", choice), ("message_id", message_id))
               if value is not None}
    values = {("data" if key == "choice" else key): (value.as_draft_json() if key == "choice" else value)
              for key, value in changes.items()}
    drafts.REGISTRATION.touch(session=session, draft_id=draft.id, now=now, **values)
    return replace(draft, touched_at=now, **changes)
