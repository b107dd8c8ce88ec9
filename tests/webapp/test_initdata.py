"""Who a Mini App's request is from: only initData signed with this bot's token, fresh, and
naming a person, is believed (webapp/initdata.py) — as the page gets it from Telegram."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode

from webapp.initdata import InitData, Refusal, Refused, WebUser, sign, verify

TOKEN = "123456:AAE-test-token-of-khoibot"
NOW = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
LAN = {"id": 7001, "first_name": "Lan", "last_name": "Nguyễn Thị", "username": "lan_khuyenhoc", "language_code": "vi"}


def _signed(user=LAN, at: datetime = NOW, token: str = TOKEN, **extra) -> str:
    fields = {"auth_date": str(int(at.timestamp())), "query_id": "AAHdF6IQAAAAAN0XohDhrOrc", **extra}
    if user is not None:
        fields["user"] = json.dumps(user, ensure_ascii=False, separators=(",", ":"))
    return sign(fields, token=token)


def test_the_person_telegram_names_is_the_one_asking():
    found = verify(_signed(start_param="b42"), token=TOKEN, now=NOW + timedelta(minutes=3), max_age=HOUR)
    assert found == InitData(WebUser(7001, "Lan", "Nguyễn Thị", "lan_khuyenhoc"), NOW, "b42",
                             "AAHdF6IQAAAAAN0XohDhrOrc")
    assert found.user.full_name == "Lan Nguyễn Thị"


def test_data_signed_with_a_signature_field_is_believed_either_way():
    # Bot API 8.0 clients add a third-party "signature"; the bot's hash may cover it or not.
    covered = _signed(signature="c2lnbmF0dXJl")
    assert isinstance(verify(covered, token=TOKEN, now=NOW, max_age=HOUR), InitData)
    fields = dict(parse_qsl(_signed()))
    fields.pop("hash")
    added_after = urlencode({**dict(parse_qsl(sign(fields, token=TOKEN))), "signature": "c2lnbmF0dXJl"})
    assert isinstance(verify(added_after, token=TOKEN, now=NOW, max_age=HOUR), InitData)


def test_forged_changed_or_another_bots_data_is_refused():
    assert verify(_signed(token="999:another-bot"), token=TOKEN, now=NOW, max_age=HOUR) == Refused(Refusal.FORGED)
    # Someone else's id put in Lan's signed data.
    fields = dict(parse_qsl(_signed()))
    fields["user"] = fields["user"].replace("7001", "7002")
    assert verify(urlencode(fields), token=TOKEN, now=NOW, max_age=HOUR) == Refused(Refusal.FORGED)
    fields = dict(parse_qsl(_signed()))
    fields["hash"] = "0" * 64
    assert verify(urlencode(fields), token=TOKEN, now=NOW, max_age=HOUR) == Refused(Refusal.FORGED)


def test_old_or_future_data_is_refused():
    assert verify(_signed(at=NOW - HOUR - timedelta(seconds=1)), token=TOKEN, now=NOW, max_age=HOUR) == \
        Refused(Refusal.EXPIRED)
    assert isinstance(verify(_signed(at=NOW - HOUR), token=TOKEN, now=NOW, max_age=HOUR), InitData)
    assert verify(_signed(at=NOW + timedelta(hours=2)), token=TOKEN, now=NOW, max_age=HOUR) == Refused(Refusal.EXPIRED)


def test_nothing_garbage_or_no_person_is_refused_with_its_reason():
    assert verify(None, token=TOKEN, now=NOW, max_age=HOUR) == Refused(Refusal.MISSING)
    assert verify("", token=TOKEN, now=NOW, max_age=HOUR) == Refused(Refusal.MISSING)
    for garbage in ("not a query", "user=1&user=2&hash=ab", "auth_date=1", "a" * 10_000):
        assert verify(garbage, token=TOKEN, now=NOW, max_age=HOUR) == Refused(Refusal.MALFORMED), garbage
    assert verify(_signed(user=None), token=TOKEN, now=NOW, max_age=HOUR) == Refused(Refusal.NO_USER)
    for user in ({"id": "7001", "first_name": "Lan"}, {"id": True, "first_name": "Lan"}, {"id": -5, "first_name": "X"},
                 {"first_name": "Lan"}, ["Lan"]):
        assert verify(_signed(user=user), token=TOKEN, now=NOW, max_age=HOUR) == Refused(Refusal.NO_USER), user
    signed_badly = sign({"auth_date": "soon", "user": json.dumps(LAN)}, token=TOKEN)
    assert verify(signed_badly, token=TOKEN, now=NOW, max_age=HOUR) == Refused(Refusal.MALFORMED)
