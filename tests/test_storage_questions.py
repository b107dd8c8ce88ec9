"""A question's payload in the database (pending_reply.payload, storage/types.QuestionJSON):
the same flat JSON object as before the type, so questions asked before an upgrade are
answered after it. SQLite, and PostgreSQL when configured."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import text

from domain.questions import Question
from storage.db import Database
from storage.migrate import upgrade
from storage.models import PendingReply


def test_a_row_written_before_the_type_is_answered_after_it(database_url):
    db = Database(database_url)
    upgrade(db.engine)
    now = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)
    try:
        with db.session() as s:
            s.add(PendingReply(chat_id=-100123, message_id=55, user_id=10, action="status.quota",
                               payload=Question.of({"code": "CO_TINH", "year": 2025, "title": "Cờ thi đua"}),
                               created_at=now, expires_at=now))
        with db.connection() as c:  # the JSON as the column holds it
            raw = c.execute(text("SELECT payload FROM pending_reply")).scalar_one()
        assert (json.loads(raw) if isinstance(raw, str) else raw) == {
            "prompt": "common.ask_again", "code": "CO_TINH", "year": 2025, "title": "Cờ thi đua"}
        with db.connection() as c:  # an older row, written as a plain object
            c.execute(text("UPDATE pending_reply SET payload = :p"),
                      {"p": '{"prompt": "status.ask_quota", "code": "BK", "year": 2024, "title": "Bằng khen"}'})
        with db.session() as s:
            question = s.get(PendingReply, 1).payload
        assert (question.code, question.year, question.prompt) == ("BK", 2024, "status.ask_quota")
        assert question.shown == {"title": "Bằng khen"}
    finally:
        db.dispose()
