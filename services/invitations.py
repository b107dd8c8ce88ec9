"""Invitation links and enrolment: a secretary's links (/moi: every unit without a
representative, or a fresh one for the unit named), revoking a unit's links, and the
officer who opens one becoming the unit's representative. Each function is one decision in
the caller's transaction; sending the links is the handler's, between ``issue``/``fresh``
and ``settle``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session

from domain.invitations import InvitationState
from services.roster import Listing, RosterRefused, listing, unit
from storage import invitations, roles, roster
from storage.models import Bloc, Invitation, TgUser, Unit
from storage.users import reachable


class Problem(StrEnum):
    """Why a link cannot be used now (the names of templates invite.problem_*), or why the
    secretary cannot be sent links."""

    UNKNOWN = "unknown"              # no invitation has this token
    REVOKED = InvitationState.REVOKED.value  # revoked, or its unit was removed
    USED = InvitationState.USED.value
    EXPIRED = InvitationState.EXPIRED.value
    ALREADY = "already"              # the person represents the unit already
    UNREACHABLE = "unreachable"      # the secretary has not opened a private chat with the bot


@dataclass(frozen=True)
class InviteRefused:
    code: Problem
    unit: Unit | None = None
    bloc: Bloc | None = None
    expires: datetime | None = None


@dataclass(frozen=True)
class Issued:
    """Links to send the secretary, a (unit, invitation) pair each; ``replacing``: fresh
    links that replace the unit's older ones once delivered (``settle``)."""

    targets: list[tuple[Unit, Invitation]]
    replacing: bool


@dataclass(frozen=True)
class WhichUnit:
    """/moi with a name that is no unit, or several."""

    typed: str
    matches: list[Unit]
    units: list[Unit]


@dataclass(frozen=True)
class NobodyLeft:
    """/moi when every unit has a representative."""


@dataclass(frozen=True)
class AskRevoke:
    unit: Unit


@dataclass(frozen=True)
class Revoked:
    unit: Unit
    count: int
    listing: Listing


@dataclass(frozen=True)
class Invited:
    """A valid link opened: the person is asked to confirm."""

    unit: Unit
    bloc: Bloc


@dataclass(frozen=True)
class Enrolled:
    unit: Unit
    bloc: Bloc
    secretaries: list[int] = field(default_factory=list)  # to tell, those the bot may write to


@dataclass(frozen=True)
class Declined:
    unit: Unit
    bloc: Bloc


def _reachable(session: Session, user_id: int) -> bool:
    return reachable(session.get(TgUser, user_id))


def issue(session: Session, *, bloc: Bloc, by: int, typed: str, now: datetime,
          ttl_days: int) -> Issued | WhichUnit | NobodyLeft | InviteRefused:
    """/moi: with a unit's name, a fresh link for it; without, the open link (or a new one)
    of every unit without a representative. Links go to the secretary's private chat."""
    if not _reachable(session, by):
        return InviteRefused(Problem.UNREACHABLE)
    if typed:
        matches = roster.find_units(session=session, bloc_id=bloc.id, typed=typed)
        if len(matches) != 1:
            return WhichUnit(typed, matches, roster.active_units(session=session, bloc_id=bloc.id))
        invitation = invitations.issue(session=session, bloc=bloc, unit=matches[0], by=by, now=now, ttl_days=ttl_days)
        return Issued([(matches[0], invitation)], replacing=True)
    people = roster.representatives(session=session, bloc_id=bloc.id)
    open_ = invitations.open_invitations(session=session, bloc_id=bloc.id, now=now)
    targets = [(u, open_.get(u.id) or invitations.issue(session=session, bloc=bloc, unit=u, by=by, now=now,
                                                         ttl_days=ttl_days))
               for u in roster.active_units(session=session, bloc_id=bloc.id) if not people.get(u.id)]
    return Issued(targets, replacing=False) if targets else NobodyLeft()


def fresh(session: Session, *, bloc: Bloc, by: int, unit_id: int | None, now: datetime,
          ttl_days: int) -> Issued | RosterRefused | InviteRefused:
    """From a unit's menu: a fresh link for it, replacing its older ones once delivered."""
    found = unit(session, bloc=bloc, unit_id=unit_id)
    if isinstance(found, RosterRefused):
        return found
    if not _reachable(session, by):
        return InviteRefused(Problem.UNREACHABLE)
    invitation = invitations.issue(session=session, bloc=bloc, unit=found, by=by, now=now, ttl_days=ttl_days)
    return Issued([(found, invitation)], replacing=True)


def settle(session: Session, *, issued: Issued, delivered: bool, by: int, now: datetime) -> None:
    """After sending fresh links: delivered, they replace the unit's older ones; not
    delivered, they are withdrawn, so a failed send never leaves a unit without a link."""
    if not issued.replacing:
        return
    for target, invitation in issued.targets:
        if delivered:
            invitations.revoke_unit(session=session, unit=target, by=by, now=now, keep=invitation.id)
        else:
            invitations.withdraw(session=session, invitation_id=invitation.id, now=now)


def ask_revoke(session: Session, *, bloc: Bloc, unit_id: int | None) -> AskRevoke | RosterRefused:
    """Revoking asks first: whoever was sent a link could not enrol with it any more."""
    found = unit(session, bloc=bloc, unit_id=unit_id)
    return found if isinstance(found, RosterRefused) else AskRevoke(found)


def revoke(session: Session, *, bloc: Bloc, by: int, unit_id: int | None, now: datetime) -> Revoked | RosterRefused:
    """Every open link of the unit stops working; the unit's line as it is now, for its menu."""
    found = unit(session, bloc=bloc, unit_id=unit_id)
    if isinstance(found, RosterRefused):
        return found
    count = invitations.revoke_unit(session=session, unit=found, by=by, now=now)
    session.flush()
    return Revoked(found, count, listing(session, bloc=bloc, now=now))


def _opened(session: Session, token: str | None, user_id: int,
            now: datetime) -> tuple[Invitation, Unit, Bloc] | InviteRefused:
    """The invitation of ``token`` if this person may enrol with it now."""
    invitation = invitations.by_token(session=session, token=token) if token else None
    if invitation is None:
        return InviteRefused(Problem.UNKNOWN)
    found = roster.unit_of_bloc(session=session, bloc_id=invitation.bloc_id, unit_id=invitation.unit_id)
    bloc = session.get(Bloc, invitation.bloc_id)
    if found is None:
        return InviteRefused(Problem.REVOKED, bloc=bloc, expires=invitation.expires_at)
    if roster.is_representative(session=session, unit_id=found.id, user_id=user_id):
        return InviteRefused(Problem.ALREADY, unit=found, bloc=bloc, expires=invitation.expires_at)
    state = invitations.state(invitation, now)
    if state is not InvitationState.VALID:
        return InviteRefused(Problem(state.value), unit=found, bloc=bloc, expires=invitation.expires_at)
    return invitation, found, bloc


def opened(session: Session, *, token: str | None, user_id: int, now: datetime) -> Invited | InviteRefused:
    """A link opened in the private chat (/start i_<token>)."""
    found = _opened(session, token, user_id, now)
    return found if isinstance(found, InviteRefused) else Invited(found[1], found[2])


def answer(session: Session, *, token: str | None, user_id: int, accept: bool,
           now: datetime) -> Enrolled | Declined | InviteRefused:
    """The person confirms (``accept``) or declines; the link is checked again, as it may have
    been used, revoked or expired since it was opened. Confirmed, they represent the unit
    and the link is spent."""
    found = _opened(session, token, user_id, now)
    if isinstance(found, InviteRefused):
        return found
    invitation, found_unit, bloc = found
    if not accept:
        return Declined(found_unit, bloc)
    roster.enrol(session=session, invitation=invitation, user_id=user_id, now=now)
    secretaries = [role.user_id for role, user in roles.secretaries(session=session, bloc=bloc) if reachable(user)]
    return Enrolled(found_unit, bloc, secretaries)
