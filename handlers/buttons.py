"""Every kind of button the bot makes: one small typed class per kind (issue 16).

A kind has a prefix (unique: a second kind with the same prefix, or one that would match
the other's data, raises when its class is made), ``pack()`` giving the callback data and
``unpack(data)`` giving the button back, or None for data of another kind or not shaped as
this kind's (a stale or forged button). Ids are read once here, by ``common.int_arg``, so a
handler gets whole numbers within the database's INTEGER or nothing. ``pattern`` is what
the route table gives ``CallbackQueryHandler``.

The data strings are those the bot always made (``r:unit:<id>``, ``rd:<draft>:<action>`` …):
messages already sent keep working.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar, Self

from domain.invitations import is_token
from domain.reports import PERIODS as REPORT_PERIODS
from handlers.common import int_arg

MAX_DATA_BYTES = 64  # Telegram's limit on callback_data
# A code carried by a button (a title's, a milestone kind's short code): never a colon.
_CODE = re.compile(r"[A-Za-z0-9_]{1,20}")


def _code(value: str) -> str | None:
    return value if _CODE.fullmatch(value) else None


class Button:
    """A kind of button. Subclasses are frozen dataclasses that define ``args`` (the parts
    after the prefix, as strings) and ``parse`` (those parts back, or None)."""

    prefix: ClassVar[str]
    pattern: ClassVar[str]
    kinds: ClassVar[dict[str, type[Button]]] = {}

    def __init_subclass__(cls, *, prefix: str, bare: bool = False, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        for other, kind in Button.kinds.items():
            # "sc" would also match "sc:unit:…": one kind's data must never be another's.
            if prefix == other or prefix.startswith(other + ":") or other.startswith(prefix + ":"):
                raise TypeError(f"button prefix {prefix!r} of {cls.__name__} clashes with {kind.__name__}'s {other!r}")
        cls.prefix = prefix
        # A bare kind is its prefix alone ("b:catalogue"); others carry parts after a colon.
        cls.pattern = rf"^{re.escape(prefix)}$" if bare else rf"^{re.escape(prefix)}:"
        Button.kinds[prefix] = cls

    def args(self) -> tuple:
        return ()

    @classmethod
    def parse(cls, args: list[str]) -> Self | None:
        return cls() if not args else None

    def pack(self) -> str:
        data = ":".join([self.prefix, *(str(a) for a in self.args())])
        if len(data.encode()) > MAX_DATA_BYTES:
            raise ValueError(f"callback data over {MAX_DATA_BYTES} bytes: {data!r}")
        return data

    @classmethod
    def unpack(cls, data: str | None) -> Self | None:
        if not data:
            return None
        head = cls.prefix.split(":")
        parts = data.split(":")
        if parts[:len(head)] != head:
            return None
        return cls.parse(parts[len(head):])


def _id_pair(args: list[str], actions) -> tuple[str, int] | None:
    """(action, id) from "<action>:<id>" with a known action."""
    if len(args) != 2 or args[0] not in actions:
        return None
    number = int_arg(args[1])
    return None if number is None else (args[0], number)


# ---- the bloc's card (/khoi) ---------------------------------------------------------------

@dataclass(frozen=True)
class Catalogue(Button, prefix="b:catalogue", bare=True):
    """The titles and quotas, in place of the card."""


@dataclass(frozen=True)
class RenameBloc(Button, prefix="b:rename", bare=True):
    pass


@dataclass(frozen=True)
class SetProvince(Button, prefix="b:province", bare=True):
    pass


# ---- the roster (/donvi), invitations, secretaries -----------------------------------------

@dataclass(frozen=True)
class Roster(Button, prefix="r"):
    """``add``/``pick``/``close``/``back`` carry 0; the others a unit of the bloc."""

    ACTIONS: ClassVar[tuple[str, ...]] = ("add", "pick", "close", "back", "unit", "ren", "del", "delok", "lead", "dep")
    action: str
    unit_id: int = 0

    def args(self) -> tuple:
        return self.action, self.unit_id

    @classmethod
    def parse(cls, args):
        pair = _id_pair(args, cls.ACTIONS)
        return cls(*pair) if pair else None


@dataclass(frozen=True)
class InviteUnit(Button, prefix="i"):
    """From a unit's menu: ``new`` link, ``rev`` (asks), ``revok`` (revokes)."""

    ACTIONS: ClassVar[tuple[str, ...]] = ("new", "rev", "revok")
    action: str
    unit_id: int

    def args(self) -> tuple:
        return self.action, self.unit_id

    @classmethod
    def parse(cls, args):
        pair = _id_pair(args, cls.ACTIONS)
        return cls(*pair) if pair else None


@dataclass(frozen=True)
class Enrol(Button, prefix="inv"):
    """The officer's answer to an invitation; carries the token itself."""

    answer: str  # "ok" or "no"
    token: str

    def args(self) -> tuple:
        return self.answer, self.token

    @classmethod
    def parse(cls, args):
        if len(args) != 2 or args[0] not in ("ok", "no") or not is_token(args[1]):
            return None
        return cls(args[0], args[1])


@dataclass(frozen=True)
class Secretary(Button, prefix="s"):
    """``rm`` asks to confirm, ``rmok`` removes a secretary role; ``list`` (0) goes back."""

    ACTIONS: ClassVar[tuple[str, ...]] = ("rm", "rmok", "list")
    action: str
    role_id: int = 0

    def args(self) -> tuple:
        return self.action, self.role_id

    @classmethod
    def parse(cls, args):
        pair = _id_pair(args, cls.ACTIONS)
        return cls(*pair) if pair else None


# ---- registration and covenant (private chat) ----------------------------------------------

@dataclass(frozen=True)
class RegistrationUnit(Button, prefix="rg"):
    """A unit this person represents: ``unit``, ``edit``, ``wd`` (asks), and ``wdok`` which
    also names the registration being withdrawn (0: none)."""

    ACTIONS: ClassVar[tuple[str, ...]] = ("unit", "edit", "wd")
    WITHDRAW_OK: ClassVar[str] = "wdok"
    action: str
    unit_id: int
    registration_id: int | None = None

    def args(self) -> tuple:
        if self.action == self.WITHDRAW_OK:
            return self.action, self.unit_id, self.registration_id or 0
        return self.action, self.unit_id

    @classmethod
    def parse(cls, args):
        if len(args) == 3 and args[0] == cls.WITHDRAW_OK:
            unit_id, registration_id = int_arg(args[1]), int_arg(args[2])
            if unit_id is None or registration_id is None:
                return None
            return cls(cls.WITHDRAW_OK, unit_id, registration_id)
        pair = _id_pair(args, cls.ACTIONS)
        return cls(*pair) if pair else None


@dataclass(frozen=True)
class Draft(Button, prefix="rd"):
    """A step of a registration draft: ``t`` toggles the collective title ``code``."""

    ACTIONS: ClassVar[tuple[str, ...]] = ("cancel", "back", "next", "zero", "keep", "skip", "ok")
    TOGGLE: ClassVar[str] = "t"
    draft_id: int
    action: str
    code: str | None = None

    def args(self) -> tuple:
        return (self.draft_id, self.action, self.code) if self.action == self.TOGGLE else (self.draft_id, self.action)

    @classmethod
    def parse(cls, args):
        draft_id = int_arg(args[0]) if args else None
        if draft_id is None:
            return None
        if len(args) == 3 and args[1] == cls.TOGGLE and _code(args[2]):
            return cls(draft_id, cls.TOGGLE, args[2])
        if len(args) == 2 and args[1] in cls.ACTIONS:
            return cls(draft_id, args[1])
        return None


@dataclass(frozen=True)
class Covenant(Button, prefix="gu"):
    """Sign the covenant for this unit."""

    unit_id: int

    def args(self) -> tuple:
        return "ok", self.unit_id

    @classmethod
    def parse(cls, args):
        pair = _id_pair(args, ("ok",))
        return cls(pair[1]) if pair else None


# ---- reports and reminders -----------------------------------------------------------------

@dataclass(frozen=True)
class ReportPeriod(Button, prefix="bc"):
    """The next file in this chat is this unit's report for ``period``."""

    PERIODS: ClassVar[tuple[str, ...]] = REPORT_PERIODS
    period: str
    unit_id: int

    def args(self) -> tuple:
        return self.period, self.unit_id

    @classmethod
    def parse(cls, args):
        pair = _id_pair(args, cls.PERIODS)
        return cls(*pair) if pair else None


@dataclass(frozen=True)
class DoDuty(Button, prefix="do"):
    """A reminder DM's button: open the private command that fulfils a duty, for a unit."""

    COMMANDS: ClassVar[tuple[str, ...]] = ("dangky", "giaouoc", "baocao", "bophieu")
    command: str
    unit_id: int

    def args(self) -> tuple:
        return self.command, self.unit_id

    @classmethod
    def parse(cls, args):
        pair = _id_pair(args, cls.COMMANDS)
        return cls(*pair) if pair else None


# ---- the schedule (/lich) ------------------------------------------------------------------

@dataclass(frozen=True)
class Schedule(Button, prefix="lc"):
    """``set``/``cancel`` a milestone kind by its short ``code``; ``cancelok`` a milestone by
    id; ``hour``, ``show`` and the weekends' choice (``wkrest``: no reminders then, ``wkwork``:
    reminders then too) carry 0."""

    BY_CODE: ClassVar[tuple[str, ...]] = ("set", "cancel")
    BY_ID: ClassVar[tuple[str, ...]] = ("cancelok", "hour", "show", "wkrest", "wkwork")
    action: str
    code: str | None = None
    milestone_id: int = 0

    def args(self) -> tuple:
        return self.action, self.code if self.action in self.BY_CODE else self.milestone_id

    @classmethod
    def parse(cls, args):
        if len(args) == 2 and args[0] in cls.BY_CODE and _code(args[1]):
            return cls(args[0], code=args[1])
        pair = _id_pair(args, cls.BY_ID)
        return cls(pair[0], milestone_id=pair[1]) if pair else None


# ---- scores (/chamdiem) --------------------------------------------------------------------

@dataclass(frozen=True)
class ScoreUnit(Button, prefix="sc:unit"):
    """In the private chat: self-score this unit."""

    unit_id: int

    def args(self) -> tuple:
        return (self.unit_id,)

    @classmethod
    def parse(cls, args):
        unit_id = int_arg(args[0]) if len(args) == 1 else None
        return None if unit_id is None else cls(unit_id)


@dataclass(frozen=True)
class ScoreMenu(Button, prefix="sc:menu", bare=True):
    """The scores table, from another feature's panel (/binhxet)."""


@dataclass(frozen=True)
class ScoreCriteria(Button, prefix="sc:table", bare=True):
    """The points table (secretaries)."""


@dataclass(frozen=True)
class ScoreSetTable(Button, prefix="sc:settable", bare=True):
    pass


@dataclass(frozen=True)
class ScoreAdjust(Button, prefix="sc:adjust", bare=True):
    pass


# ---- the status board (/tinhhinh), exports, rollover ---------------------------------------

@dataclass(frozen=True)
class Status(Button, prefix="st"):
    """``pick``/``xlsx``/``quota`` carry 0, ``reopen`` a unit, ``qt`` a quota title's code."""

    BY_ID: ClassVar[tuple[str, ...]] = ("pick", "xlsx", "quota", "reopen")
    QUOTA_TITLE: ClassVar[str] = "qt"
    action: str
    unit_id: int = 0
    code: str | None = None

    def args(self) -> tuple:
        return self.action, self.code if self.action == self.QUOTA_TITLE else self.unit_id

    @classmethod
    def parse(cls, args):
        if len(args) == 2 and args[0] == cls.QUOTA_TITLE and _code(args[1]):
            return cls(cls.QUOTA_TITLE, code=args[1])
        pair = _id_pair(args, cls.BY_ID)
        return cls(*pair) if pair else None


@dataclass(frozen=True)
class ExportYear(Button, prefix="xu"):
    """A year's whole data, to the pressing secretary's private chat."""

    year: int

    def args(self) -> tuple:
        return "all", self.year

    @classmethod
    def parse(cls, args):
        pair = _id_pair(args, ("all",))
        return cls(pair[1]) if pair else None


@dataclass(frozen=True)
class Rollover(Button, prefix="ro"):
    """A step of /namsau, made for ``year`` (a press for a year the bloc has left is refused)."""

    ACTIONS: ClassVar[tuple[str, ...]] = ("pl", "L", "pd", "D", "back", "go", "ok", "no")
    action: str
    year: int
    unit_id: int = 0

    def args(self) -> tuple:
        return self.action, self.year, self.unit_id

    @classmethod
    def parse(cls, args):
        if len(args) != 3 or args[0] not in cls.ACTIONS:
            return None
        year, unit_id = int_arg(args[1]), int_arg(args[2])
        return None if year is None or unit_id is None else cls(args[0], year, unit_id)


# ---- the review meeting and the ballot (handlers/review.py) --------------------------------

@dataclass(frozen=True)
class ReviewPanel(Button, prefix="bx"):
    """``bx:<action>[:<code>[:<unit id>]]``: the secretaries' side of the ballot."""

    action: str
    code: str | None = None
    unit_id: int | None = None

    def args(self) -> tuple:
        return tuple(a for a in (self.action, self.code, self.unit_id) if a is not None)

    @property
    def line(self) -> str | None:
        """The ballot line a press about a line names (``bx:<action>:<code>``); a press that
        also names a unit is not about a line."""
        return self.code if self.unit_id is None else None

    @classmethod
    def parse(cls, args):
        if not 1 <= len(args) <= 3 or not all(_code(a) for a in args):
            return None
        unit_id = int_arg(args[2]) if len(args) == 3 else None
        if len(args) == 3 and unit_id is None:
            return None
        return cls(args[0], args[1] if len(args) > 1 else None, unit_id)


@dataclass(frozen=True)
class BallotUnit(Button, prefix="bp"):
    """Vote for this unit."""

    unit_id: int

    def args(self) -> tuple:
        return "unit", self.unit_id

    @classmethod
    def parse(cls, args):
        pair = _id_pair(args, ("unit",))
        return cls(pair[1]) if pair else None


@dataclass(frozen=True)
class BallotDraft(Button, prefix="bv"):
    """``bv:<draft id>:<action>[:<unit id>]``: a step of one ballot."""

    draft_id: int
    action: str
    unit_id: int | None = None

    def args(self) -> tuple:
        return (self.draft_id, self.action) + (() if self.unit_id is None else (self.unit_id,))

    @classmethod
    def parse(cls, args):
        if len(args) not in (2, 3) or not _code(args[1]):
            return None
        draft_id = int_arg(args[0])
        unit_id = int_arg(args[2]) if len(args) == 3 else None
        if draft_id is None or (len(args) == 3 and unit_id is None):
            return None
        return cls(draft_id, args[1], unit_id)


# ---- the province's officers and the blocs' dossiers (handlers/province.py) -----------------

_PROVINCE_CODE = re.compile(r"[A-Z][A-Z0-9_]{1,15}")


@dataclass(frozen=True)
class ProvinceView(Button, prefix="tv"):
    """``tv:<action>:<province code>``: the officers' list, .xlsx or .zip, sent to the presser's
    private chat (the officer is checked at the press)."""

    ACTIONS: ClassVar[tuple[str, ...]] = ("list", "xlsx", "zip")
    action: str
    code: str

    def args(self) -> tuple:
        return self.action, self.code

    @classmethod
    def parse(cls, args):
        if len(args) != 2 or args[0] not in cls.ACTIONS or not _PROVINCE_CODE.fullmatch(args[1]):
            return None
        return cls(args[0], args[1])


@dataclass(frozen=True)
class DossierSend(Button, prefix="hs"):
    """``hs:send:<year>``: a secretary sends the bloc's dossier of that year to its province."""

    year: int

    def args(self) -> tuple:
        return "send", self.year

    @classmethod
    def parse(cls, args):
        pair = _id_pair(args, ("send",))
        return cls(pair[1]) if pair else None
