"""The demo's script: a readable TOML file of a bloc's year, turned into checked steps.

    [bloc]   name, year, province, place, start ("06/01/2025 08:00"), secretary, units;
             ``from = "other.toml"``: that script's [bloc], [short] and [people] (this one's win)
    [people] unit = the name of its representative (optional)
    [short]  SHORT = "a long unit or title name", usable wherever a name is expected
    [[provinces]] the provinces the bot knows, as in the configuration (names and kinds by year)
    [[blocs]] more blocs of the province (optional): key, name, secretary, units, people
    [officers] the province's officers: name = their Telegram id (as in [[provinces]] officers)
    [province] group = the title of the officers' own group
    [[step]] at, note, bloc (a [[blocs]] key; default: [bloc]), who, in, one action, and what
             to expect of the bot

Every problem is reported in Vietnamese with the step's number, before anything runs.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from khoibot.config import ProvinceSettings

ACTIONS = ("say", "press", "reply", "file", "add_bot", "enrol", "register", "scores", "vote")
OTHER_KEYS = ("at", "note", "bloc", "who", "in", "expect", "pinned", "files")
SECRETARY = "thư ký"
CHATS = ("nhóm", "riêng")
PROVINCE_CHAT = "tỉnh"  # the officers' group
BUNDLED = Path(__file__).with_name("hue-2025.toml")
PROVINCE_SCRIPT = Path(__file__).with_name("hue-province-2025.toml")  # --province


class ScriptError(Exception):
    """A script that cannot be played; ``code``/``step``/``value`` fill templates' demo.problem."""

    def __init__(self, code: str, step: int | None = None, value: Any = "") -> None:
        super().__init__(code, step, value)
        self.code, self.step, self.value = code, step, value


@dataclass
class Step:
    number: int
    action: str | None  # None: only move the clock (and send the reminders due)
    value: Any = None
    at: datetime | None = None
    note: str = ""
    who: str = SECRETARY
    chat: str = "nhóm"
    bloc: str = ""  # the key of the bloc the step is played in ("": the script's [bloc])
    expect: list[str] = field(default_factory=list)
    pinned: str = ""
    files: list[str] = field(default_factory=list)


@dataclass
class BlocPart:
    """One bloc the script plays: its key (what a step's ``bloc`` names), who runs it, its units."""

    key: str
    name: str
    secretary: str
    units: list[str]
    people: dict[str, str]
    province: str


@dataclass
class Script:
    path: Path
    bloc: str
    year: int
    province: str
    place: str
    start: datetime
    secretary: str
    units: list[str]
    people: dict[str, str]
    steps: list[Step]
    provinces: list[dict] = field(default_factory=list)
    blocs: list[BlocPart] = field(default_factory=list)   # every bloc, the [bloc] first
    officers: dict[str, int] = field(default_factory=dict)  # the province's officers: name → Telegram id
    province_group: str = ""                                # the title of the officers' group

    def part(self, key: str) -> BlocPart:
        return next(b for b in self.blocs if b.key == key)


def parse_time(text: Any, tz: ZoneInfo, step: int | None = None) -> datetime:
    try:
        return datetime.strptime(str(text).strip(), "%d/%m/%Y %H:%M").replace(tzinfo=tz)
    except ValueError:
        raise ScriptError("bad_time", step, text) from None


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ScriptError("unreadable", None, exc) from None


def load(path: Path, tz: ZoneInfo) -> Script:
    data = _read(path)
    bloc = data.get("bloc")
    if not isinstance(bloc, dict):
        raise ScriptError("no_bloc")
    if isinstance(bloc.get("from"), str):  # another script's bloc, units and names, this one's keys winning
        base = _read(Path(path).parent / bloc["from"])
        bloc = {**base.get("bloc", {}), **{k: v for k, v in bloc.items() if k != "from"}}
        for table in ("short", "people"):
            data[table] = {**base.get(table, {}), **data.get(table, {})}
    for key, kind in (("name", str), ("year", int), ("start", str), ("secretary", str), ("units", list)):
        if not isinstance(bloc.get(key), kind):
            raise ScriptError("bloc_key", None, key)
    short = {str(k): str(v) for k, v in data.get("short", {}).items()}
    resolve = _resolver(short)
    units = [resolve(u) for u in bloc["units"]]
    people = {resolve(k): str(v) for k, v in data.get("people", {}).items()}
    province = str(bloc.get("province", ""))
    parts = [BlocPart(str(bloc.get("key", "")), bloc["name"], bloc["secretary"], units, people, province)]
    parts += _more_blocs(data.get("blocs", []), resolve, province, parts)
    officers = data.get("officers", {})
    if not isinstance(officers, dict) or not all(isinstance(v, int) and v > 0 for v in officers.values()):
        raise ScriptError("bad_value", None, "officers")
    province_group = data.get("province", {}).get("group", "") if isinstance(data.get("province"), dict) else ""
    raw_steps = data.get("step")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise ScriptError("no_steps")
    start = parse_time(bloc["start"], tz)
    steps, clock = [], start
    for number, raw in enumerate(raw_steps, start=1):
        step = _step(number, raw, resolve, parts, officers, bool(province_group), tz)
        if step.at is not None:
            if step.at < clock:
                raise ScriptError("time_backwards", number, raw["at"])
            clock = step.at
        steps.append(step)
    return Script(path=Path(path), bloc=bloc["name"], year=bloc["year"], province=province,
                  place=str(bloc.get("place", "")), start=start, secretary=bloc["secretary"], units=units,
                  people=people, steps=steps, provinces=_provinces(data.get("provinces", [])), blocs=parts,
                  officers={str(k): v for k, v in officers.items()}, province_group=str(province_group))


def _more_blocs(tables: Any, resolve, province: str, parts: list[BlocPart]) -> list[BlocPart]:
    """The script's [[blocs]]: each with a key of its own, a name, a secretary and units."""
    if not isinstance(tables, list):
        raise ScriptError("bad_value", None, "blocs")
    found: list[BlocPart] = []
    for table in tables:
        if not isinstance(table, dict):
            raise ScriptError("bad_value", None, "blocs")
        for key, kind in (("key", str), ("name", str), ("secretary", str), ("units", list)):
            if not isinstance(table.get(key), kind) or not table[key]:
                raise ScriptError("bloc_key", None, key)
        if table["key"] in [p.key for p in parts + found]:
            raise ScriptError("bad_value", None, "blocs")
        found.append(BlocPart(table["key"], table["name"], table["secretary"], [resolve(u) for u in table["units"]],
                              {resolve(k): str(v) for k, v in table.get("people", {}).items()},
                              str(table.get("province", province))))
    return found


def _provinces(tables: Any) -> list[dict]:
    """The script's [[provinces]], checked as the configuration checks them."""
    if not isinstance(tables, list):
        raise ScriptError("bad_value", None, "provinces")
    for table in tables:
        try:
            ProvinceSettings.model_validate(table)
        except ValidationError:
            raise ScriptError("bad_value", None, "provinces") from None
    return tables


def _resolver(short: dict[str, str]):
    def resolve(value: Any) -> Any:
        if isinstance(value, str):
            return short.get(value, value)
        if isinstance(value, list):
            return [resolve(v) for v in value]
        if isinstance(value, dict):
            return {resolve(k): resolve(v) for k, v in value.items()}
        return value
    return resolve


def _step(number: int, raw: dict, resolve, parts: list[BlocPart], officers: dict[str, int],
          province_group: bool, tz: ZoneInfo) -> Step:
    unknown = [k for k in raw if k not in ACTIONS + OTHER_KEYS]
    if unknown:
        raise ScriptError("unknown_key", number, unknown[0])
    actions = [k for k in ACTIONS if k in raw]
    if len(actions) > 1:
        raise ScriptError("many_actions", number, ", ".join(actions))
    if not actions and "at" not in raw:
        raise ScriptError("no_action", number)
    action = actions[0] if actions else None
    key = str(raw.get("bloc", parts[0].key))
    part = next((p for p in parts if p.key == key), None)
    if part is None:
        raise ScriptError("unknown_bloc", number, key)
    units = part.units
    who = resolve(str(raw.get("who", SECRETARY)))
    if who != SECRETARY and who not in units and who not in officers:
        raise ScriptError("unknown_person", number, who)
    chat = str(raw.get("in", "nhóm" if who == SECRETARY else "riêng"))
    if chat not in CHATS and not (chat == PROVINCE_CHAT and province_group and who in officers):
        raise ScriptError("bad_chat", number, chat)
    value = resolve(raw[action]) if action else None
    _check_value(number, action, value, units)
    expect = raw.get("expect", [])
    return Step(number=number, action=action, value=value,
                at=parse_time(raw["at"], tz, number) if "at" in raw else None,
                note=str(raw.get("note", "")), who=who, chat=chat, bloc=key,
                expect=[resolve(e) for e in ([expect] if isinstance(expect, str) else expect)],
                pinned=str(raw.get("pinned", "")), files=list(raw.get("files", [])))


def _check_value(number: int, action: str | None, value: Any, units: list[str]) -> None:
    ok = {
        None: lambda v: True,
        "say": lambda v: isinstance(v, str) and v.strip() != "",
        "press": lambda v: isinstance(v, str) and v != "",
        "reply": lambda v: isinstance(v, str) and v.strip() != "",
        "file": lambda v: isinstance(v, str) and v != "",
        "add_bot": lambda v: isinstance(v, bool),
        "enrol": lambda v: v == "tất cả" or (isinstance(v, list) and all(u in units for u in v)),
        "register": lambda v: isinstance(v, list) or (isinstance(v, dict) and all(u in units for u in v)),
        "scores": lambda v: isinstance(v, list) or (isinstance(v, dict) and all(u in units for u in v)),
        "vote": lambda v: isinstance(v, dict) and all(isinstance(x, list) for x in v.values()),
    }[action]
    if not ok(value):
        raise ScriptError("bad_value", number, action)
