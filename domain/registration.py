"""Rules of a unit's registration (đăng ký thi đua): its parts, the steps of filling
it in, what a typed answer means, and whether the window is open."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
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


@dataclass(frozen=True)
class People:
    """The people a unit puts up for one individual title (names optional, at most ``count``)."""

    count: int = 0
    names: tuple[str, ...] = ()


NOBODY = People()

# People per individual title, (title code, people) in the order entered: how a registration's
# ``individuals`` column reads (storage/types.PeopleByTitle), stored as [{"code", "count", "names"}].
PeopleByTitle = tuple[tuple[str, People], ...]


def people_from_stored(rows) -> PeopleByTitle:
    """From the stored rows (or already typed entries, passed through)."""
    return tuple(row if isinstance(row, tuple) else (row["code"], People(int(row.get("count", 0)),
                                                                         tuple(row.get("names", []))))
                 for row in rows or ())


def people_stored(entries: PeopleByTitle) -> list[dict]:
    return [{"code": code, "count": p.count, "names": list(p.names)} for code, p in entries]


@dataclass(frozen=True)
class Choice:
    """What a unit registers, or what its draft has chosen so far: collective titles (codes,
    in the order chosen), people per individual title, the targets. Stored as JSON in the
    draft's row (``as_draft_json``) and in a registration's columns (``stored_individuals``,
    typed by storage/types.PeopleByTitle);
    the storage functions convert, so nothing above them reads the raw shape."""

    collective: tuple[str, ...] = ()
    individuals: tuple[tuple[str, People], ...] = ()  # (title code, people), in the order entered
    targets: str = ""

    def people(self, code: str) -> People:
        return dict(self.individuals).get(code, NOBODY)

    @property
    def put_up(self) -> list[tuple[str, People]]:
        """The individual titles with at least one person."""
        return [(code, people) for code, people in self.individuals if people.count > 0]

    @property
    def empty(self) -> bool:
        return not self.collective and not self.put_up

    def toggled(self, code: str) -> Choice:
        chosen = [c for c in self.collective if c != code] if code in self.collective else [*self.collective, code]
        return replace(self, collective=tuple(chosen))

    def with_people(self, code: str, count: int, names: list[str]) -> Choice:
        entries = dict(self.individuals)
        entries[code] = People(count, tuple(names))
        return replace(self, individuals=tuple(entries.items()))

    def with_targets(self, targets: str) -> Choice:
        return replace(self, targets=targets)

    def stored_individuals(self) -> PeopleByTitle:
        """The individuals part as a registration keeps it: only titles with someone."""
        return tuple(self.put_up)

    @classmethod
    def from_stored(cls, collective, individuals, targets: str) -> Choice:
        """From a registration (its typed columns, or rows as stored), so a change starts
        from what counts now."""
        return cls(tuple(collective), people_from_stored(individuals), targets or "")

    def as_draft_json(self) -> dict:
        return {"collective": list(self.collective),
                "individuals": {code: {"count": p.count, "names": list(p.names)} for code, p in self.individuals},
                "targets": self.targets}

    @classmethod
    def from_draft_json(cls, data: dict | None) -> Choice:
        data = data or {}
        return cls(tuple(data.get("collective", [])),
                   tuple((code, People(entry.get("count", 0), tuple(entry.get("names", []))))
                         for code, entry in data.get("individuals", {}).items()),
                   data.get("targets", ""))


def steps(catalogue: Catalogue, year: int) -> list[str]:
    return [COLLECTIVE, *(INDIVIDUAL_PREFIX + t.code for t in catalogue.individual(year)), TARGETS, REVIEW]


def following(all_steps: list[str], step: str, offset: int = 1) -> str:
    index = all_steps.index(step) if step in all_steps else 0
    return all_steps[max(0, min(len(all_steps) - 1, index + offset))]


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


def check_form(*, collective, individual, targets, collective_codes, individual_codes) -> Choice:
    """A whole registration as a form sends it (the Mini App): the collective titles ticked,
    per individual title a number and names, the targets. Checked with the chat's rules (the
    same limits, the same InputError codes) plus the shape a forged request could break:
    unknown titles (``unknown_title``), a count that is not a whole number. An empty targets
    text is allowed (the chat's «Bỏ qua»)."""
    if not isinstance(collective, list) or not all(isinstance(c, str) for c in collective):
        raise InputError("unknown_title")
    if not isinstance(individual, dict) or not isinstance(targets, str):
        raise InputError("unknown_title")
    chosen: list[str] = []
    for code in collective:
        if code not in collective_codes:
            raise InputError("unknown_title")
        if code not in chosen:
            chosen.append(code)
    people: list[tuple[str, People]] = []
    for code in individual_codes:  # in the catalogue's order
        entry = individual.get(code)
        if entry is None:
            continue
        if not isinstance(entry, dict):
            raise InputError("people_not_number")
        count, names = entry.get("count", 0), entry.get("names", [])
        if isinstance(count, bool) or not isinstance(count, int):
            raise InputError("people_not_whole")
        if count < 0:
            raise InputError("people_negative")
        if count > MAX_PEOPLE:
            raise InputError("people_too_many")
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise InputError("person_name_not_a_name")
        names = [clean(n) for n in names if clean(n)]
        if any(len(n) > MAX_PERSON_NAME for n in names):
            raise InputError("person_name_too_long")
        if any(not any(ch.isalpha() for ch in n) for n in names):
            raise InputError("person_name_not_a_name")
        if len(names) > count:
            raise InputError("people_names_exceed")
        if count:
            people.append((code, People(count, tuple(names))))
    if set(individual) - set(individual_codes):
        raise InputError("unknown_title")
    text = check_targets(targets) if targets.strip() else ""
    return Choice(tuple(chosen), tuple(people), text)
