"""A question's payload as a typed value (domain.questions.Question): what the answer acts on
read as fields, what the prompt showed kept as it was, and stored as the same flat object
it was before the type (tests/test_storage_questions.py reads such rows back)."""

from __future__ import annotations

from domain.questions import Question
from domain.scores import Criterion


def test_a_stored_question_reads_as_fields_and_writes_back_the_same_object():
    stored = {"prompt": "scores.ask_self", "unit_id": 7, "unit_name": "Sở Tư pháp",
              "criteria": [{"name": "Công tác chuyên môn", "max": 50.0}, {"name": "Xây dựng Đảng", "max": 20.0}]}
    question = Question.of(stored)
    assert question.prompt == "scores.ask_self" and question.unit_id == 7
    assert question.criteria == (Criterion("Công tác chuyên môn", 50.0), Criterion("Xây dựng Đảng", 20.0))
    assert question.shown == {"unit_name": "Sở Tư pháp"}
    assert question.stored() == stored
    assert Question.of({}).prompt == "common.ask_again" and Question.of({}).stored() == {"prompt": "common.ask_again"}


def test_an_example_is_added_to_a_question_that_showed_none_and_kept_where_it_did():
    example = {"date": "31/03/2025", "datetime": "14:00 31/03/2025"}
    old = Question.of({"prompt": "schedule.ask_deadline", "kind": "registration_deadline"})
    assert old.with_example(example).example == example
    shown = old.with_example(example)
    assert shown.with_example({"date": "01/01/2026"}) is shown
