"""Rules for a bloc's roster: what a pasted list of unit names adds, and why not."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.text import clean, fold, parse_lines

MAX_NAME_LENGTH = 200
MIN_NAME_LENGTH = 2


@dataclass
class AddPlan:
    to_add: list[str] = field(default_factory=list)
    # (the name typed, the existing or earlier name it repeats)
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    too_long: list[str] = field(default_factory=list)
    too_short: list[str] = field(default_factory=list)
    # lines that hold only blank-looking or invisible characters (Hangul filler, zero width...)
    invisible: int = 0
    over_capacity: int = 0  # how many names past the bloc's limit

    @property
    def refused(self) -> bool:
        """A list with a bad line is refused whole, so the secretary fixes and resends it."""
        return bool(self.too_long or self.too_short or self.invisible or self.over_capacity)


def name_problem(name: str) -> str | None:
    """Why a single unit name cannot be used, or None."""
    if name.strip() and not clean(name):
        return "invisible"  # shows as nothing, or as blank space
    name = clean(name)
    if len(name) < MIN_NAME_LENGTH or not any(ch.isalpha() for ch in name):
        return "too_short"
    if len(name) > MAX_NAME_LENGTH:
        return "too_long"
    return None


def plan_additions(text: str, existing: dict[str, str], capacity: int) -> AddPlan:
    """Plan adding the names in ``text`` (one per line) to a roster.

    ``existing`` maps fold(name) to the name of every active unit; ``capacity`` is
    how many units the bloc may have in all.
    """
    plan = AddPlan()
    seen = dict(existing)
    # parse_lines() drops lines that clean to nothing; a line that was not empty to Python
    # yet is now (U+3164 alone) was typed as a name that reads as nothing.
    plan.invisible = sum(1 for raw in text.splitlines() if raw.strip() and not clean(raw))
    for name in parse_lines(text):
        problem = name_problem(name)
        if problem == "too_long":
            plan.too_long.append(name)
            continue
        if problem == "too_short":
            plan.too_short.append(name)
            continue
        key = fold(name)
        if key in seen:
            plan.duplicates.append((name, seen[key]))
            continue
        seen[key] = name
        plan.to_add.append(name)
    plan.over_capacity = max(0, len(existing) + len(plan.to_add) - capacity)
    return plan
