"""Running the permission table (tests/test_permissions.py) against the real bot.

The world: bloc A (the Thừa Thiên Huế bloc, 12 units and two spare ones) in its group,
bloc B (the Hòa Bình bloc) in another group, a third group where no bloc was set up, and
seven people, each a member of the three groups and with a private chat open with the bot:

  S   a secretary of A, listed with /thuky (not a group admin)
  D   an administrator of group A (and of the group with no bloc), not a listed secretary
  R   the representative of Hội Khuyến học (unit X of A)
  R2  the representative of Hội Nhà báo (unit Y, another unit of A)
  RB  the representative of Hội Người cao tuổi (a unit of bloc B)
  X   a stranger: in the groups, nothing in any bloc
  F   a former representative: of Hội Đông y, a unit of A that was removed since

A cell is one person doing one thing in one chat: sending the command, or pressing a
button with the row's callback data on a message of that chat (the chat's anchor, a
message of the bot there; for a conversation's buttons, the message the conversation is
on). What came back (the pop-up of a button, the messages the bot sent or edited in that
chat) is recognised as one answer kind (``KINDS`` below, by the text of the template the
bot renders for it, or the row's own fragments). A refusal must change nothing: every
table but the bookkeeping (``tg_user``: who wrote last; ``processed_update``) is compared before and after.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlmodel import SQLModel, select

from khoibot.render import Renderer
from storage.models import (BallotDraft, Bloc, Invitation, Milestone, Registration, RegistrationDraft, Representative, Role,
                            Unit, Vote)

PERSONS = ("S", "D", "R", "R2", "RB", "X", "F")
CHATS = ("A", "B", "N", "P")
CHAT_NAMES = {"A": "the bloc's group", "B": "another bloc's group", "N": "a group with no bloc",
              "P": "the person's private chat"}


@dataclass
class Row:
    """One command or button. ``what`` is the text sent, or the callback data pressed,
    with {placeholders} (see ``Places``); A, B, N, P give one answer kind per person, in
    the order of PERSONS. ``ok`` (and ``kinds``) are fragments that recognise the row's
    own answers; ``writes`` says the allowed answer may change the database (a refusal
    never may)."""

    what: str
    A: str
    B: str
    N: str
    P: str
    ok: tuple[str, ...] = ()
    kinds: dict[str, tuple[str, ...]] = field(default_factory=dict)
    writes: bool = False
    on: str = "anchor"  # "draft" / "ballot": the message of R's registration / ballot conversation
    reply_to: str | None = None  # a command sent as a reply to this bystander's message

    @property
    def button(self) -> bool:
        return not self.what.startswith("/")

    @property
    def command(self) -> str:
        return self.what.split()[0].split("@")[0].lstrip("/")

    def expected(self, chat: str, person: str) -> str:
        codes = getattr(self, chat).split()
        assert len(codes) == len(PERSONS), f"row {self.what!r}, chat {chat}: {len(codes)} cells, not 7"
        return codes[PERSONS.index(person)]


@dataclass
class Step:
    """Something that happens between rows (the bloc moves to its vote, …)."""

    what: str
    run: Callable


def rows(table: list) -> int:
    return sum(1 for row in table if isinstance(row, Row))


def cells(table: list) -> int:
    return sum(len(PERSONS) * len(CHATS) for row in table if isinstance(row, Row))


# ---- recognising answers ------------------------------------------------------------------

_TAG = re.compile(r"<[^>]+>")


def _plain(text: str) -> str:
    return " ".join(_TAG.sub("", text).split())


def refusal_texts(render: Renderer, row: Row) -> dict[str, list[str]]:
    """What the bot says for each refusal kind, rendered from its templates."""
    command = row.command if not row.button else ""
    t = lambda name, **ctx: _plain(render.plain(name, **ctx))  # noqa: E731
    return {
        "grp": [t("common.group_only", command=command)],
        "prv": [t("common.private_only", command=command)],
        "nob": [t("common.no_bloc")],
        "sec": [t("common.secretaries_only", command=command)],
        "secb": [t("common.secretaries_only_button")],
        "old": [t("common.stale_button")],
        "rep": [t("registration.not_representative")],
        "mine": [t("registration.not_your_unit"), t("scores.not_your_unit"), t("review.not_your_unit")],
        "adm": [t("setup.admins_only")],
        "gone": [t("roster.unit_gone")],
        "stl": [t("registration.stale_alert"), t("review.stale")],
        "unk": [t("invite.problem_unknown")],
        "used": ["Liên kết mời này đã được dùng"],
        "yr": [t("rollover.stale_year_alert", made_for=0, current=0).split(" 0")[0]],
        "err": [t("common.error"), t("common.error_alert")],
    }


REFUSALS = ("grp", "prv", "nob", "sec", "secb", "old", "rep", "mine", "adm", "gone", "stl", "unk", "used", "yr")


def recognise(answers: list[str], known: dict[str, list[str]]) -> str | None:
    """The first kind whose text is among the answers."""
    joined = [_plain(a) for a in answers]
    for kind, texts in known.items():
        if any(text and text in answer for text in texts for answer in joined):
            return kind
    return None


# ---- the database, before and after -------------------------------------------------------

_SKIP = {"tg_user", "alembic_version", "processed_update"}  # bookkeeping: who wrote last, the schema, updates handled


def snapshot(db) -> dict[str, list[str]]:
    tables = [t for t in SQLModel.metadata.sorted_tables if t.name not in _SKIP]
    with db.engine.connect() as connection:
        return {t.name: sorted(repr(tuple(r)) for r in connection.execute(t.select()).all()) for t in tables}


def changed(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after.get(name)]


# ---- placeholders -------------------------------------------------------------------------

class Places(dict):
    """The ids a row's text names, looked up when the cell runs (what the bot would have
    put in a real button): {X} {Y} {Z} {W} (units of A: R's, R2's, F's removed one, one
    without a representative), {B1} (RB's unit in bloc B), {spare} (a spare unit of A, one
    for S and one for D), {draft} {ballot} (R's registration / ballot draft), {vote} (A's
    ballot), {reg} (X's current registration), {token} (a valid invitation for W), {last}
    (W's newest invitation, used or not),
    {used} (the invitation R enrolled with), {role} (a bystander's secretary role in A,
    one for S and one for D), {roleB} (the secretary role of B's founder), {ms} (a
    milestone of A: sk for S, tk for D, dl for others), {msid} (that milestone's id), {year} (A's year), {n} (unique)."""

    counter = itertools.count(1)

    def __init__(self, world, names: dict, person: str):
        super().__init__()
        self.world, self.names, self.person = world, names, person

    def __missing__(self, key: str) -> str:
        with self.world.db.session() as s:
            value = self._look_up(s, key)
        return str(value if value is not None else 987654321)

    def _unit(self, s, name: str, bloc: str = "A"):
        bloc_id = self.names["bloc_ids"][bloc]
        unit = s.exec(select(Unit).where(Unit.bloc_id == bloc_id, Unit.name == name)).first()
        return unit.id if unit else None

    def _look_up(self, s, key: str):
        n = self.names
        if key in ("X", "Y", "Z", "W"):
            return self._unit(s, n["units"][key])
        if key == "B1":
            return self._unit(s, n["units"]["B1"], "B")
        if key == "spare":
            return self._unit(s, n["spares"]["D" if self.person == "D" else "S"])
        if key == "draft":
            d = s.exec(select(RegistrationDraft).where(RegistrationDraft.user_id == n["users"]["R"])).first()
            return d.id if d else None
        if key == "ballot":
            d = s.exec(select(BallotDraft).where(BallotDraft.user_id == n["users"]["R"])).first()
            return d.id if d else None
        if key == "vote":
            v = s.exec(select(Vote).where(Vote.bloc_id == n["bloc_ids"]["A"])).first()
            return v.id if v else None
        if key == "reg":
            r = s.exec(select(Registration).where(Registration.unit_id == self._unit(s, n["units"]["X"]),
                                                  Registration.current == True)).first()  # noqa: E712
            return r.id if r else 0
        if key == "token":
            inv = s.exec(select(Invitation).where(Invitation.unit_id == self._unit(s, n["units"]["W"]),
                                                  Invitation.used_at == None,  # noqa: E711
                                                  Invitation.revoked_at == None)  # noqa: E711
                         .order_by(Invitation.id.desc())).first()
            return inv.token if inv else "x" * 32
        if key == "last":  # W's newest invitation, whatever became of it
            inv = s.exec(select(Invitation).where(Invitation.unit_id == self._unit(s, n["units"]["W"]))
                         .order_by(Invitation.id.desc())).first()
            return inv.token
        if key == "used":
            rep = s.exec(select(Representative).where(Representative.user_id == n["users"]["R"])).first()
            return s.get(Invitation, rep.invitation_id).token
        if key in ("role", "roleB"):
            who = n["users"]["roleB" if key == "roleB" else ("Z2" if self.person == "D" else "Z1")]
            role = s.exec(select(Role).where(Role.user_id == who, Role.kind == "secretary")).first()
            return role.id if role else None
        if key == "ms":
            return {"S": "sk", "D": "tk"}.get(self.person, "dl")
        if key == "msid":  # the id of that milestone, as the confirmation button carries it
            from handlers.schedule import CODES
            kind = CODES[{"S": "sk", "D": "tk"}.get(self.person, "dl")].value
            ms = s.exec(select(Milestone).where(Milestone.bloc_id == n["bloc_ids"]["A"], Milestone.kind == kind,
                                                Milestone.cancelled_at.is_(None))).first()
            return ms.id if ms else 0
        if key == "year":
            return s.get(Bloc, n["bloc_ids"]["A"]).year
        if key == "n":
            return next(self.counter)
        raise KeyError(key)
