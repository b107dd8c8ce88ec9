"""Rules of a unit's registration (đăng ký thi đua): its parts, the steps of filling
it in, what a typed answer means, and whether the window is open."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from domain.catalogue import Catalogue
from domain.text import clean

MAX_PEOPLE = 500  # people one unit puts up for one individual title
MAX_PERSON_NAME = 100
MAX_TARGETS = 3000  # characters of "nội dung, chỉ tiêu"

COLLECTIVE, TARGETS, REVIEW = "collective", "targets", "review"
INDIVIDUAL_PREFIX = "ind:"


class InputError(ValueError):
    """A typed answer that cannot be used; ``code`` names the template that explains why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def empty_data() -> dict:
    return {"collective": [], "individuals": {}, "targets": ""}


def data_from(collective: list[str], individuals: list[dict], targets: str) -> dict:
    """Draft data from a stored registration, so a change starts from what counts now."""
    return {"collective": list(collective),
            "individuals": {i["code"]: {"count": i["count"], "names": list(i.get("names", []))}
                            for i in individuals},
            "targets": targets}


def individuals_list(data: dict) -> list[dict]:
    """The individuals part as stored: only titles with at least one person."""
    return [{"code": code, "count": entry["count"], "names": entry["names"]}
            for code, entry in data["individuals"].items() if entry["count"] > 0]


def with_people(data: dict, code: str, count: int, names: list[str]) -> dict:
    """The draft data with ``count`` people (and their names) for the individual title ``code``."""
    return {**data, "individuals": {**data["individuals"], code: {"count": count, "names": names}}}


def steps(catalogue: Catalogue, year: int) -> list[str]:
    return [COLLECTIVE, *(INDIVIDUAL_PREFIX + t.code for t in catalogue.individual(year)), TARGETS, REVIEW]


def following(all_steps: list[str], step: str, offset: int = 1) -> str:
    index = all_steps.index(step) if step in all_steps else 0
    return all_steps[max(0, min(len(all_steps) - 1, index + offset))]


def toggle(data: dict, code: str) -> dict:
    chosen = list(data["collective"])
    if code in chosen:
        chosen.remove(code)
    else:
        chosen.append(code)
    return {**data, "collective": chosen}


# ASCII digits only (str.isdigit() and \d take «²» and other scripts' digits), then the end,
# a space, a separator before the names, or "người".
_COUNT = re.compile(r"^\s*([+-]?[0-9]+)(?=$|\s|[:.,;-]|người|nguoi|ng\b)\s*(?:người|nguoi|ng\b)?\s*[:.,;-]?\s*(.*)$",
                    re.IGNORECASE | re.DOTALL)
# "2,5", "3.7 người", "1e3", "10^12", "2/3": a number that is not a whole number of people.
_NOT_WHOLE = re.compile(r"^\s*[+-]?[0-9]*[.,/][0-9]|^\s*[+-]?[0-9]+\s*(?:e[+-]?[0-9]|\^|\*\*|x\s*10)",
                        re.IGNORECASE)


def parse_people(text: str) -> tuple[int, list[str]]:
    """Read "2", "2: Nguyễn Văn A, Trần Thị B" or "2" with one name per following line."""
    first, _, rest = text.strip().partition("\n")
    if _NOT_WHOLE.match(first):
        raise InputError("people_not_whole")
    match = _COUNT.match(first)
    if not match:
        raise InputError("people_not_number")
    if len(match.group(1).lstrip("+-")) > 6:
        raise InputError("people_too_many")
    count = int(match.group(1))
    if count < 0:
        raise InputError("people_negative")
    if count > MAX_PEOPLE:
        raise InputError("people_too_many")
    raw = [match.group(2), *rest.split("\n")]
    names = [clean(n) for part in raw for n in re.split(r"[,;]", part) if clean(n)]
    if any(len(n) > MAX_PERSON_NAME for n in names):
        raise InputError("person_name_too_long")
    if any(not any(ch.isalpha() for ch in n) for n in names):
        raise InputError("person_name_not_a_name")  # "2: 5" or "2 - ..." is no one's name
    if len(names) > count:
        raise InputError("people_names_exceed")
    return count, names


def check_targets(text: str) -> str:
    # Targets keep their line breaks: clean() each line, not the whole text.
    lines = [clean(line) for line in text.strip().split("\n")]
    value = "\n".join(lines).strip()
    if not value:
        raise InputError("targets_empty")
    if len(value) > MAX_TARGETS:
        raise InputError("targets_too_long")
    return value


@dataclass(frozen=True)
class Window:
    open: bool
    deadline: datetime | None
    reopened_until: datetime | None = None


def window(*, deadline: datetime | None, reopened_until: datetime | None, now: datetime) -> Window:
    """Registrations are open until the deadline, or until a secretary's reopening ends."""
    if reopened_until is not None and now < reopened_until:
        return Window(True, deadline, reopened_until)
    return Window(deadline is None or now < deadline, deadline)
