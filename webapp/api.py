"""The Mini Apps' JSON API: who is asking (Telegram's signed initData, nothing else), then
one service call in one transaction, then the answer as the page shows it.

Each endpoint is ``POST {base}/api/<name>`` with a JSON body and the raw initData in the
``X-Telegram-Init-Data`` header. An answer is ``{"ok": true, ...}``, or ``{"ok": false,
"message": <a Vietnamese sentence>, "refusal": <a word for the page's script, never shown>}``
with a 4xx status. The decisions are the chat's (services.registration, services.ballot,
services.status): what the chat refuses, the page refuses, in the same words where they fit.
What a decision makes the bot say in Telegram (the receipt, the group's notice, the board,
the ballot's progress) is the ``Effects``' job, run after the commit.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from aiohttp import web

from domain import ballot as ballot_rules
from domain import registration as rules
from domain.catalogue import Catalogue
from khoibot.clock import Clock
from khoibot.render import Renderer
from services import ballot, registration, status
from services.naming import Catalogues, catalogue_of
from services.quotas import for_year
from services.review import entry_name
from storage.db import Database
from storage.models import Bloc
from storage.sealing import Seal
from webapp import initdata
from webapp.initdata import InitData, WebUser

INIT_DATA_HEADER = "X-Telegram-Init-Data"
MAX_ID = 2**31 - 1  # the database's integer ids (PostgreSQL's INTEGER)
MAX_BODY = 256 * 1024  # a registration of 500 named people per title fits well within it


class Effects(Protocol):
    """What the bot does in Telegram after a decision the page made (khoibot/web.py)."""

    def registered(self, person: WebUser, done: registration.Confirmed) -> None: ...

    def withdrawn(self, person: WebUser, done: registration.Withdrawn) -> None: ...

    def voted(self, person: WebUser, done: ballot.Cast) -> None: ...

    async def in_group(self, chat_id: int, user_id: int) -> bool: ...


@dataclass
class Web:
    """What the API needs of the bot: the same database, clock, catalogue and templates."""

    db: Database
    clock: Clock
    render: Renderer
    catalogue: Catalogues              # the titles, named for each bloc's province in a year
    token: str
    seal: Callable[[], Seal]
    max_age: timedelta
    effects: Effects

    def titles(self, bloc: Bloc, year: int | None = None) -> Catalogue:
        return catalogue_of(self.catalogue, bloc, year)

    def line_name(self, bloc: Bloc, code: str, year: int) -> str:
        """A ballot line as people read it: the title, or next year's Trưởng/Phó khối."""
        return entry_name(self.titles(bloc, year),
                          lambda c, y: self.render.plain("review.leader_name", code=c, year=y), code, year)


class Refusal(Exception):
    """An answer that refuses: the HTTP status, the template of the sentence, the script's word."""

    def __init__(self, status: int, template: str, word: str, **ctx: Any) -> None:
        super().__init__(word)
        self.status, self.template, self.word, self.ctx = status, template, word, ctx


_TAGS = re.compile(r"<[^>]+>")


def plain(web_: Web, template: str, **ctx) -> str:
    """A sentence for the page: the message rendered as for Telegram (values escaped), its
    tags dropped and entities read back: the chat's sentences serve the page unchanged."""
    return html.unescape(_TAGS.sub("", web_.render(template, **ctx))).strip()


# ---- who is asking -------------------------------------------------------------------------------

_INIT_REFUSALS = {
    initdata.Refusal.MISSING: "webapp.init_missing",
    initdata.Refusal.MALFORMED: "webapp.init_forged",
    initdata.Refusal.FORGED: "webapp.init_forged",
    initdata.Refusal.EXPIRED: "webapp.init_expired",
    initdata.Refusal.NO_USER: "webapp.init_no_user",
}


def who(web_: Web, request: web.Request) -> InitData:
    checked = initdata.verify(request.headers.get(INIT_DATA_HEADER), token=web_.token, now=web_.clock.now(),
                              max_age=web_.max_age)
    if isinstance(checked, initdata.Refused):
        raise Refusal(401, _INIT_REFUSALS[checked.code], "who",
                      hours=max(1, round(web_.max_age.total_seconds() / 3600)))
    return checked


async def body(request: web.Request) -> dict:
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise Refusal(413, "webapp.bad_request", "request")
    try:
        raw = await request.content.read(MAX_BODY + 1)
        data = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise Refusal(400, "webapp.bad_request", "request") from None
    if len(raw) > MAX_BODY or not isinstance(data, dict):
        raise Refusal(400, "webapp.bad_request", "request")
    return data


def whole(value: Any) -> int | None:
    """An id as sent: a whole number that fits the database, else None."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        return None
    return value


# ---- the registration ---------------------------------------------------------------------------

def not_yours(session, user_id: int) -> Refusal:
    """Refused a unit: the person represents others, or none at all (then say how to become one)."""
    if not registration.units(session, user_id=user_id):
        return Refusal(403, "webapp.not_representative", "not_representative")
    return Refusal(403, "webapp.not_your_unit", "not_your_unit")


def _which_unit(web_: Web, session, user_id: int, unit_id: int | None) -> tuple[list[dict], int | None]:
    """The units to choose among (none when the person represents one) and the unit the page
    is for: the one asked, the person's only one, or None (the page shows the choice first)."""
    units = registration.units(session, user_id=user_id)
    if not units:
        raise Refusal(403, "webapp.not_representative", "not_representative")
    if len(units) == 1:
        return [], unit_id if unit_id is not None else units[0][0].id
    return [{"unit_id": u.id, "label": plain(web_, "webapp.unit_label", unit=u, bloc=b)} for u, b in units], unit_id


def registration_state(web_: Web, session, user_id: int, unit_id: int | None) -> dict:
    """The form as it should show now: the unit (or the choice of one), its registration as it
    counts, the titles of the year, the window and the bloc's quotas."""
    choose, unit_id = _which_unit(web_, session, user_id, unit_id)
    if unit_id is None:
        return {"ok": True, "choose": choose, "unit_id": None}
    seen = registration.overview(session, user_id=user_id, unit_id=unit_id, now=web_.clock.now())
    if isinstance(seen, registration.Refused):
        raise Refusal(403, "webapp.not_your_unit", "not_your_unit")
    unit, bloc, choice = seen.unit, seen.bloc, seen.choice
    year = bloc.year
    catalogue = web_.titles(bloc)
    quotas = for_year(session, bloc, catalogue)
    quota_lines = [plain(web_, "webapp.quota_line", title=t, quota=quotas[t.code])
                   for t in catalogue.quota_titles(year) if quotas.get(t.code)]
    return {
        "ok": True, "choose": choose, "unit_id": unit.id, "unit_name": unit.name,
        "bloc_name": bloc.name, "year": year,
        "heading_text": plain(web_, "webapp.registration_heading", unit=unit, bloc=bloc),
        "open": seen.window.open, "window_text": plain(web_, "webapp.window", window=seen.window),
        "quotas_text": quota_lines, "registered": seen.registered,
        "current_text": plain(web_, "webapp.current", current=seen.current, registered=seen.registered),
        "based_on": seen.current.id if seen.current is not None else 0,
        "collective": [{"code": t.code, "name": t.name, "chosen": t.code in choice.collective}
                       for t in catalogue.collective(year)],
        "individual": [{"code": t.code, "name": t.name, "count": choice.people(t.code).count,
                        "names": list(choice.people(t.code).names)} for t in catalogue.individual(year)],
        "targets": choice.targets,
        "limits": {"people": rules.MAX_PEOPLE, "name": rules.MAX_PERSON_NAME, "targets": rules.MAX_TARGETS},
    }


def _form_choice(web_: Web, bloc: Bloc, data: dict) -> rules.Choice:
    year = bloc.year
    try:
        return rules.check_form(collective=data.get("collective", []), individual=data.get("individual", {}),
                                targets=data.get("targets", ""),
                                collective_codes=[t.code for t in web_.titles(bloc).collective(year)],
                                individual_codes=[t.code for t in web_.titles(bloc).individual(year)])
    except rules.InputError as exc:
        template = "webapp.error_unknown_title" if exc.code == "unknown_title" else f"registration.error_{exc.code}"
        limit = rules.MAX_TARGETS if exc.code == "targets_too_long" else rules.MAX_PEOPLE
        raise Refusal(422, template, "input", limit=limit, name_limit=rules.MAX_PERSON_NAME,
                      length=len(str(data.get("targets", "")))) from None


def registration_submit(web_: Web, session, person: WebUser, data: dict) -> tuple[dict, registration.Confirmed]:
    unit_id = whole(data.get("unit_id"))
    seen = registration.overview(session, user_id=person.id, unit_id=unit_id, now=web_.clock.now())
    if isinstance(seen, registration.Refused):
        raise not_yours(session, person.id)
    choice = _form_choice(web_, seen.bloc, data)
    based_on = data.get("based_on", 0)
    done = registration.submit_form(session, user_id=person.id, unit_id=unit_id,
                                    based_on=based_on if isinstance(based_on, int) else -1, choice=choice,
                                    now=web_.clock.now())
    _refuse_registration(session, person.id, done)
    message = plain(web_, "webapp.registered", unit=done.unit, at=done.registration.confirmed_at,
                    version=done.version, again=done.again)
    return {"message": message}, done


def registration_withdraw(web_: Web, session, person: WebUser, data: dict) -> tuple[dict, registration.Withdrawn]:
    based_on = data.get("based_on")
    done = registration.withdraw(session, user_id=person.id, unit_id=whole(data.get("unit_id")),
                                 registration_id=based_on if isinstance(based_on, int) else None,
                                 now=web_.clock.now())
    _refuse_registration(session, person.id, done)
    return {"message": plain(web_, "webapp.withdrawn", unit=done.unit, at=done.at)}, done


def _refuse_registration(session, user_id: int, outcome) -> None:
    if not isinstance(outcome, registration.Refused):
        return
    code = outcome.code
    if code == registration.Refusal.NOT_YOUR_UNIT:
        raise not_yours(session, user_id)
    if code == registration.Refusal.LOCKED:
        raise Refusal(409, "webapp.locked", "locked", window=outcome.window)
    if code == registration.Refusal.NOTHING_CHOSEN:
        raise Refusal(422, "webapp.nothing_chosen", "nothing_chosen")
    raise Refusal(409, "webapp.outdated", "outdated", unit=outcome.unit)


# ---- the ballot ----------------------------------------------------------------------------------

_BALLOT_REFUSALS = {
    ballot.Refusal.NOT_OPEN: ("review.not_open", False),
    ballot.Refusal.CLOSED: ("review.closed_already", True),
    ballot.Refusal.NOT_ISSUED: ("review.not_issued", False),
    ballot.Refusal.ALREADY_VOTED: ("webapp.voted", True),
    ballot.Refusal.PAST_DEADLINE: ("review.past_deadline", True),
}


def _ballot_message(web_: Web, refused: ballot.Refused) -> str:
    template, dated = _BALLOT_REFUSALS[refused.code]
    return plain(web_, template, unit=refused.unit, bloc=refused.bloc, **({"at": refused.at} if dated else {}))


def ballot_state(web_: Web, session, user_id: int, unit_id: int | None) -> dict:
    choose, unit_id = _which_unit(web_, session, user_id, unit_id)
    if unit_id is None:
        return {"ok": True, "choose": choose, "unit_id": None}
    found = ballot.sheet(session, user_id=user_id, unit_id=unit_id, now=web_.clock.now())
    if isinstance(found, ballot.Refused) and found.code == ballot.Refusal.NOT_YOUR_UNIT:
        raise Refusal(403, "webapp.not_your_unit", "not_your_unit")
    common = {"ok": True, "choose": choose, "unit_id": unit_id}
    if isinstance(found, ballot.Refused):
        return {**common, "unit_name": found.unit.name, "bloc_name": found.bloc.name,
                "heading_text": plain(web_, "webapp.ballot_heading", unit=found.unit, bloc=found.bloc),
                "can_vote": False, "message": _ballot_message(web_, found), "lines": []}
    vote, unit, bloc = found.vote, found.unit, found.bloc
    deadline = ballot.deadline(session, vote)
    lines = []
    for line in vote.ballot:
        allowed = set(found.choosable(line))
        leader = line.code in ballot_rules.LEADERS
        lines.append({"code": line.code, "name": web_.line_name(bloc, line.code, vote.year), "quota": line.quota,
                      "quota_text": plain(web_, "webapp.ballot_quota", quota=line.quota, leader=leader),
                      "candidates": [{"id": u, "name": found.names.get(u, ""), "allowed": u in allowed}
                                     for u in line.candidates]})
    return {**common, "unit_name": unit.name, "bloc_name": bloc.name,
            "heading_text": plain(web_, "webapp.ballot_heading", unit=unit, bloc=bloc), "can_vote": True,
            "message": "", "deadline_text": plain(web_, "webapp.ballot_deadline", at=deadline.at if deadline else None),
            "secrecy_text": plain(web_, "webapp.ballot_secrecy"), "lines": lines}


def ballot_submit(web_: Web, session, person: WebUser, data: dict) -> tuple[dict, ballot.Cast]:
    unit_id = whole(data.get("unit_id"))
    if unit_id is None:
        raise not_yours(session, person.id)
    done = ballot.cast_form(session, user_id=person.id, unit_id=unit_id, choices=data.get("choices", {}),
                            now=web_.clock.now(), seal=web_.seal())
    if isinstance(done, ballot.Refused):
        if done.code == ballot.Refusal.NOT_YOUR_UNIT:
            raise not_yours(session, person.id)
        if done.code == ballot.Refusal.INVALID:
            raise Refusal(422, "webapp.ballot_invalid", "invalid", problem=done.problem)
        word = "voted" if done.code == ballot.Refusal.ALREADY_VOTED else "cannot_vote"
        template, dated = _BALLOT_REFUSALS[done.code]
        raise Refusal(409, template, word, unit=done.unit, bloc=done.bloc, **({"at": done.at} if dated else {}))
    return {"message": plain(web_, "webapp.voted", unit=done.unit, at=done.at)}, done


# ---- the status page -----------------------------------------------------------------------------

def status_bloc(session, user_id: int, bloc_id: int | None) -> tuple[Bloc | None, bool]:
    """The bloc the page is for (the link's, else the person's one bloc) and whether the
    person acts in it (represents one of its units), so that no group membership needs asking."""
    blocs = {b.id: b for _, b in registration.units(session, user_id=user_id)}
    if bloc_id is None:
        return (next(iter(blocs.values())), True) if len(blocs) == 1 else (None, False)
    if bloc_id in blocs:
        return blocs[bloc_id], True
    return session.get(Bloc, bloc_id), False


def status_page(web_: Web, session, bloc: Bloc) -> dict:
    view = status.status(session, bloc_id=bloc.id, catalogue=web_.catalogue)
    board = web_.render("status.full", status=view.status, **view.extra)
    # Telegram's HTML, built from escaped values: the page shows it as is, line breaks kept by CSS.
    return {"ok": True, "heading_text": plain(web_, "webapp.status_heading", bloc=bloc), "board_html": board}


def start_param_bloc(start_param: str | None) -> int | None:
    """A group's link names its bloc: ``tt-<bloc id>`` (or ``dk-…``, ``bp-…``)."""
    if not start_param:
        return None
    _, _, number = start_param.partition("-")
    return int(number) if number.isascii() and number.isdigit() and len(number) < 18 else None


def refused(web_: Web, refusal: Refusal, **extra) -> web.Response:
    return web.json_response({"ok": False, "refusal": refusal.word,
                              "message": plain(web_, refusal.template, **refusal.ctx), **extra}, status=refusal.status)


def answer(payload: dict) -> web.Response:
    return web.json_response({"ok": True, **payload})

