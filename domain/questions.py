"""What a question the bot asked (a message with ForceReply) keeps until its answer: the
template that asked it, so a refused answer is asked again the same way; what the answer
acts on (a unit, a title, a milestone's kind, a report's period, a year, the points asked
for); and what else the question showed, to show it again. Stored flat, as one JSON object
(``pending_reply.payload``, storage/types.QuestionJSON), so rows written before this type
read back the same."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace

from domain.scores import Criterion, from_rows, to_rows


@dataclass(frozen=True)
class Question:
    prompt: str = "common.ask_again"      # the template that asked
    unit_id: int | None = None
    code: str | None = None               # a title's code
    kind: str | None = None               # a milestone's kind
    period: str | None = None             # a report's period
    year: int | None = None
    after_list: bool = False              # the chair asked for right after the list was posted
    criteria: tuple[Criterion, ...] | None = None  # the points table the representative was asked for
    example: Mapping[str, str] | None = None       # the date examples the prompt showed
    shown: Mapping[str, object] = field(default_factory=dict)  # anything else the prompt showed

    @classmethod
    def of(cls, values: Mapping[str, object]) -> Question:
        """From what a question was asked with (or a stored row): the known keys as fields,
        the rest as what it showed."""
        known = {f.name for f in fields(cls)} - {"shown"}
        given = {k: v for k, v in values.items() if k in known and v is not None}
        if "criteria" in given:
            given["criteria"] = tuple(c if isinstance(c, Criterion) else from_rows([c])[0] for c in given["criteria"])
        if "example" in given:
            given["example"] = dict(given["example"])
        return cls(**given, shown={k: v for k, v in values.items() if k not in known})

    def stored(self) -> dict[str, object]:
        """The flat JSON object kept with the question; also what re-renders its prompt."""
        values: dict[str, object] = dict(self.shown)
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "shown" or value is None or (f.name == "after_list" and not value):
                continue
            values[f.name] = to_rows(list(value)) if f.name == "criteria" else \
                dict(value) if f.name == "example" else value
        return values

    def with_example(self, example: Mapping[str, str]) -> Question:
        """The same question, showing ``example`` unless it showed one already (questions
        asked before prompts carried examples are asked again with one)."""
        return self if self.example else replace(self, example=dict(example))
