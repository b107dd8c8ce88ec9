"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from sqlalchemy import JSON, DateTime
from sqlalchemy.types import TypeDecorator

from domain.ballot import BallotLine, Rules
from domain.questions import Question
from domain.registration import PeopleByTitle as PeopleByTitleValue
from domain.registration import people_from_stored, people_stored


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out.

    SQLite has no time zones and hands back naive values; storing UTC and
    re-attaching it on the way out keeps comparisons with the clock correct.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class RulesJSON(TypeDecorator):
    """A vote's rules (domain.ballot.Rules) as the JSON object the column has always held;
    ``{}`` (a vote not opened yet) is None. A mapping given is read as rules first, so only
    their shape is ever stored."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: Rules | Mapping | None, dialect) -> dict:
        if value is None:
            return {}
        return (value if isinstance(value, Rules) else Rules.from_dict(value)).as_dict()

    def process_result_value(self, value: dict | None, dialect) -> Rules | None:
        return Rules.from_dict(value) if value else None


class BallotLines(TypeDecorator):
    """A vote's ballot (domain.ballot.BallotLine) as the JSON list of objects the column has
    always held ({"code", "quota", "candidates", "added"}); a tuple of lines out. A mapping
    given is read as a line first, so only that shape is ever stored."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: Sequence[BallotLine | Mapping] | None, dialect) -> list[dict]:
        return [(line if isinstance(line, BallotLine) else BallotLine.from_dict(line)).as_dict()
                for line in value or ()]

    def process_result_value(self, value: list[dict] | None, dialect) -> tuple[BallotLine, ...]:
        return tuple(BallotLine.from_dict(line) for line in value or ())


class UnitIds(TypeDecorator):
    """Unit ids (a vote's voters) as a JSON list; a tuple of ints out."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value, dialect) -> list[int]:
        return [int(u) for u in value or ()]

    def process_result_value(self, value, dialect) -> tuple[int, ...]:
        return tuple(int(u) for u in value or ())


class UnitIdsByCode(TypeDecorator):
    """Unit ids by a line's code (the meeting's decisions on ties) as a JSON object; a dict
    of tuples of ints out."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value, dialect) -> dict[str, list[int]]:
        return {str(code): [int(u) for u in ids] for code, ids in (value or {}).items()}

    def process_result_value(self, value, dialect) -> dict[str, tuple[int, ...]]:
        return {str(code): tuple(int(u) for u in ids) for code, ids in (value or {}).items()}


class QuestionJSON(TypeDecorator):
    """A question's payload (``pending_reply.payload``) as a domain.questions.Question; stored
    as the flat JSON object it always was, so older rows read back the same."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: Question | Mapping | None, dialect) -> dict:
        if value is None:
            return {}
        return (value if isinstance(value, Question) else Question.of(value)).stored()

    def process_result_value(self, value: dict | None, dialect) -> Question:
        return Question.of(value or {})


class PeopleByTitle(TypeDecorator):
    """A registration's people per individual title (``registration.individuals``) as
    (title code, domain.registration.People) pairs; stored as the list of
    {"code", "count", "names"} it always was, so older rows read back the same."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value, dialect) -> list:
        return people_stored(people_from_stored(value))

    def process_result_value(self, value: list | None, dialect) -> PeopleByTitleValue:
        return people_from_stored(value)
