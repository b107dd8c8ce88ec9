"""Who is asking, for a page opened from Telegram (a Mini App). Telegram hands the page its
``initData``: a query string of fields (``user`` as JSON, ``auth_date``, ``query_id``,
``start_param``, …) and a ``hash`` signed with the bot's token. The server checks that
signature and the data's age and takes the person from it: nothing else identifies a person
on the web side.

The signature (Telegram's "Validating data received via the Mini App"): the secret key is
HMAC-SHA256 of the bot token under the key "WebAppData"; the hash is the hex HMAC-SHA256, under
that secret, of every other field as ``key=value``, sorted by key, joined by line feeds. Clients
since Bot API 8.0 add a ``signature`` field (an Ed25519 signature for third parties); it is
taken as one of the signed fields, and a hash made without it is accepted too, since both
need the token."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from urllib.parse import parse_qsl, urlencode

MAX_LENGTH = 8192  # far more than Telegram sends; anything longer is not initData


class Refusal(StrEnum):
    MISSING = "missing"        # no initData (the page was not opened from Telegram)
    MALFORMED = "malformed"    # not a query string of fields, or no hash
    FORGED = "forged"          # the hash is not the bot token's
    EXPIRED = "expired"        # signed too long ago (or in the future)
    NO_USER = "no_user"        # signed, but names no person (e.g. opened from a channel)


@dataclass(frozen=True)
class Refused:
    code: Refusal


@dataclass(frozen=True)
class WebUser:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() if self.last_name else self.first_name


@dataclass(frozen=True)
class InitData:
    user: WebUser
    auth_date: datetime
    start_param: str | None = None  # the link's startapp parameter (a group's link names its bloc)
    query_id: str | None = None


def _secret(token: str) -> bytes:
    return hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()


def _hash(fields: Mapping[str, str], token: str) -> str:
    check = "\n".join(f"{key}={fields[key]}" for key in sorted(fields))
    return hmac.new(_secret(token), check.encode(), hashlib.sha256).hexdigest()


def sign(fields: Mapping[str, str], *, token: str) -> str:
    """The initData Telegram would hand a page for these fields (tests, the demo)."""
    return urlencode({**fields, "hash": _hash(fields, token)})


def verify(init_data: str | None, *, token: str, now: datetime, max_age: timedelta) -> InitData | Refused:
    """The person the page is for, if ``init_data`` is Telegram's for this bot and fresh."""
    if not init_data:
        return Refused(Refusal.MISSING)
    if len(init_data) > MAX_LENGTH:
        return Refused(Refusal.MALFORMED)
    try:
        pairs = parse_qsl(init_data, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        return Refused(Refusal.MALFORMED)
    fields = dict(pairs)
    given = fields.pop("hash", "")
    if len(fields) != len(pairs) - 1 or not given:  # a field twice, or no hash
        return Refused(Refusal.MALFORMED)
    unsigned = {k: v for k, v in fields.items() if k != "signature"}
    if not any(hmac.compare_digest(given, _hash(f, token)) for f in (fields, unsigned)):
        return Refused(Refusal.FORGED)
    try:
        signed_at = datetime.fromtimestamp(int(fields.get("auth_date", "")), UTC)
    except (ValueError, OverflowError, OSError):
        return Refused(Refusal.MALFORMED)
    if not timedelta(minutes=-5) <= now - signed_at <= max_age:  # a few minutes of clock skew allowed
        return Refused(Refusal.EXPIRED)
    user = _user(fields.get("user"))
    if user is None:
        return Refused(Refusal.NO_USER)
    return InitData(user, signed_at, fields.get("start_param") or None, fields.get("query_id") or None)


def _user(raw: str | None) -> WebUser | None:
    try:
        data = json.loads(raw) if raw else None
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("id"), int) or isinstance(data.get("id"), bool) \
            or data["id"] <= 0 or not isinstance(data.get("first_name"), str):
        return None
    text = lambda key: data[key] if isinstance(data.get(key), str) and data[key] else None  # noqa: E731
    return WebUser(data["id"], data["first_name"], text("last_name"), text("username"))
