"""Rows for tests that are not about how they came to be: people the bot has met, a bloc
with its units, a unit's representative. Made through the storage functions the bot uses
(so they are rows the bot could have written), for the service tests on a real database.
Tests about the set-up itself go through the conversation (tests/test_enrolment.py,
tests/samples.py)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from storage import blocs, invitations, roster
from storage.models import Bloc, Unit
from storage.users import touch_user


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
