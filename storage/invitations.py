"""Invitation links for units' representatives."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from domain.invitations import InvitationState, invitation_state, new_token
from storage import audit
from storage.models import Bloc, Invitation, Unit


def by_token(*, session: Session, token: str) -> Invitation | None:
    return session.exec(select(Invitation).where(Invitation.token == token)).first()


def state(invitation: Invitation, now: datetime) -> InvitationState:
    return invitation_state(used_at=invitation.used_at, revoked_at=invitation.revoked_at,
                            expires_at=invitation.expires_at, now=now)


def open_invitations(*, session: Session, bloc_id: int, now: datetime) -> dict[int, Invitation]:
    """unit id → its newest invitation that can still be used."""
    rows = session.exec(select(Invitation).where(
        Invitation.bloc_id == bloc_id, col(Invitation.used_at).is_(None), col(Invitation.revoked_at).is_(None),
        Invitation.expires_at > now).order_by(Invitation.id))
    return {inv.unit_id: inv for inv in rows}


def revoke_unit(*, session: Session, unit: Unit, by: int, now: datetime, keep: int | None = None) -> int:
    """Revoke every open invitation of the unit but ``keep``; how many there were."""
    count = 0
    for inv in session.exec(select(Invitation).where(
            Invitation.unit_id == unit.id, col(Invitation.used_at).is_(None), col(Invitation.revoked_at).is_(None),
            Invitation.id != (keep or 0))):
        inv.revoked_at = now
        session.add(inv)
        count += 1
    if count:
        audit.record(session=session, bloc_id=unit.bloc_id, actor_id=by, now=now, action="invitation.revoke",
                     unit_id=unit.id, count=count)
    return count


def issue(*, session: Session, bloc: Bloc, unit: Unit, by: int, now: datetime, ttl_days: int) -> Invitation:
    """A fresh invitation for the unit (earlier ones stay valid until revoked)."""
    inv = Invitation(token=new_token(), bloc_id=bloc.id, unit_id=unit.id, created_by=by, created_at=now,
                     expires_at=now + timedelta(days=ttl_days))
    session.add(inv)
    session.flush()
    audit.record(session=session, bloc_id=bloc.id, actor_id=by, now=now, action="invitation.issue",
                 unit_id=unit.id, invitation_id=inv.id)
    return inv


def withdraw(*, session: Session, invitation_id: int, now: datetime) -> None:
    """A fresh link that could not be delivered stops working (nobody ever saw it)."""
    invitation = session.get(Invitation, invitation_id)
    if invitation is not None:
        invitation.revoked_at = now
        session.add(invitation)
