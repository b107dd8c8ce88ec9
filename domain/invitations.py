"""Invitation tokens: unguessable, single-use, expiring, revocable."""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from enum import StrEnum

# /start payloads allow at most 64 characters of A-Za-z0-9_-; ours is "i_" + 32.
PAYLOAD_PREFIX = "i_"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")


class InvitationState(StrEnum):
    VALID = "valid"
    USED = "used"
    REVOKED = "revoked"
    EXPIRED = "expired"


def new_token() -> str:
    return secrets.token_urlsafe(24)  # 192 random bits, 32 characters


def payload_for(token: str) -> str:
    return PAYLOAD_PREFIX + token


def token_from_payload(payload: str) -> str | None:
    """The token in a /start payload, or None if the payload cannot be one of ours."""
    if not payload.startswith(PAYLOAD_PREFIX):
        return None
    token = payload[len(PAYLOAD_PREFIX):]
    return token if _TOKEN.fullmatch(token) else None


def is_token(text: str) -> bool:
    return bool(_TOKEN.fullmatch(text))


def invitation_state(
    *, used_at: datetime | None, revoked_at: datetime | None, expires_at: datetime, now: datetime
) -> InvitationState:
    if revoked_at is not None:
        return InvitationState.REVOKED
    if used_at is not None:
        return InvitationState.USED
    if now >= expires_at:
        return InvitationState.EXPIRED
    return InvitationState.VALID
