"""services.questions on a real database: a reply answers the question it replies to, only by
the person it was asked to, only while it stands; a question past its time is closed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from services import questions
from services.questions import Refusal, Refused
from storage import pending
from storage.models import PendingReply
from tests.factories import people

NOW = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)
GROUP, HOA, LAN = -100321, 10, 11


def _asked(db, *, to: int, message_id: int, at: datetime = NOW, action: str = "roster.add") -> None:
    with db.session() as s:
        people(s, HOA, LAN, now=NOW)
        pending.ask(session=s, chat_id=GROUP, message_id=message_id, user_id=to, action=action, now=at,
                    prompt="roster.ask_add")


def _answering(db, message_id: int, user_id: int, now: datetime = NOW):
    with db.session() as s:
        return questions.answering(s, chat_id=GROUP, message_id=message_id, user_id=user_id, now=now,
                                   answerable={"roster.add"})


def _left(db) -> int:
    with db.session() as s:
        return len(s.exec(select(PendingReply)).all())


def test_the_person_asked_answers_while_the_question_stands(db):
    _asked(db, to=HOA, message_id=70)
    assert _answering(db, 71, HOA) == Refused(Refusal.NO_QUESTION)  # a reply to another message
    assert _answering(db, 70, LAN) == Refused(Refusal.SOMEONE_ELSE)
    found = _answering(db, 70, HOA)
    assert isinstance(found, PendingReply) and found.payload.prompt == "roster.ask_add"
    with db.session() as s:
        questions.answered(s, s.merge(found))
    assert _answering(db, 70, HOA) == Refused(Refusal.NO_QUESTION) and _left(db) == 0


def test_a_question_past_its_time_or_of_a_step_gone_is_closed(db):
    _asked(db, to=HOA, message_id=80)
    _asked(db, to=HOA, message_id=81, action="feature.gone")
    assert _answering(db, 80, HOA, now=NOW + pending.ANSWER_WINDOW + timedelta(seconds=1)) == Refused(Refusal.EXPIRED)
    assert _answering(db, 81, HOA) == Refused(Refusal.EXPIRED)
    assert _left(db) == 0
