"""The reminders' decisions: who still owes what before a milestone, and what the reminder
job does with each due reminder (services/deliveries.py sends none itself: the job sends
between the transactions these decisions run in)."""

from __future__ import annotations

from typing import NamedTuple

from sqlmodel import Session

from domain.milestones import Duty, Kind, owed
from storage import registrations, reports, roster, votes
from storage.models import Bloc, Milestone, TgUser, Unit


class Owing(NamedTuple):
    """A unit that owes something before a milestone, and the people who act for it (a
    tuple, as the templates unpack it)."""

    unit: Unit
    duties: list[Duty]
    people: list[TgUser]


def owing(session: Session, bloc: Bloc, milestone: Milestone) -> list[Owing]:
    """The bloc's units that still owe what ``milestone`` asks, in roster order."""
    kind = Kind(milestone.kind)
    units = roster.active_units(session=session, bloc_id=bloc.id)
    people = roster.representatives(session=session, bloc_id=bloc.id)
    current = registrations.current(session=session, bloc_id=bloc.id, year=bloc.year)
    signed = registrations.covenants(session=session, bloc_id=bloc.id, year=bloc.year)
    sent = reports.periods_sent(session=session, bloc_id=bloc.id, year=bloc.year)
    # Units issued a ballot that have not cast it (a unit added after voting opened has none).
    ballot_owed = votes.not_voted(session=session, bloc=bloc) if kind is Kind.BALLOT_DEADLINE else set()
    found = []
    for unit in units:
        registration = current.get(unit.id)
        duties = owed(kind, registered=registration is not None and not registration.withdrawn,
                      signed=unit.id in signed, periods_sent=sent.get(unit.id, set()),
                      voted=unit.id not in ballot_owed)
        if duties:
            found.append(Owing(unit, duties, people.get(unit.id, [])))
    return found
