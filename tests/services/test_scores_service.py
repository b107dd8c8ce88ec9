"""services.scores on a real database (SQLite, and PostgreSQL when configured), rows set up
through storage functions: a representative's own points (only for their unit, against the
table they were asked, until the vote opens), the secretary's points table (until a unit
has points) and adjustments (with a reason, counting instead of the unit's own)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from domain.scores import DEFAULT_CRITERIA, Criterion
from services import scores
from services.blocs import Actor
from services.scores import Refusal, Refused
from storage import blocs, roster, votes
from storage import scores as store
from storage.models import AuditLog, PointsTable
from storage.users import mark_unreachable
from tests.factories import people, represent

NOW = datetime(2025, 11, 20, 3, 0, tzinfo=UTC)
SECRETARY, HA, KHOA, OUTSIDER = 30, 31, 32, 33  # Hà and Khoa act for the Sở Tư pháp
DEFAULT = [Criterion(name, maximum) for name, maximum in DEFAULT_CRITERIA]
CHAT = -100999


@pytest.fixture
def world(db):
    """A bloc of three units; Hà and Khoa represent the Sở Tư pháp (Khoa cannot be reached by DM)."""
    with db.session() as s:
        people(s, SECRETARY, HA, KHOA, OUTSIDER, now=NOW)
        mark_unreachable(session=s, user_id=KHOA, now=NOW)
        bloc = blocs.create_bloc(session=s, chat_id=CHAT, name="Khối Nội chính", year=2025, province="Huế",
                                 by=SECRETARY, now=NOW)
        units = roster.add_units(session=s, bloc=bloc, names=["Sở Tư pháp", "Thanh tra tỉnh", "Sở Nội vụ"],
                                 by=SECRETARY, now=NOW)
        for user in (HA, KHOA):
            represent(s, bloc, units[0], user, by=SECRETARY, now=NOW)
    return bloc, units


def _own(db, user: int, unit_id: int, bloc_id: int, text: str, asked=None, now: datetime = NOW):
    with db.session() as s:
        return scores.enter_own(s, user_id=user, unit_id=unit_id, bloc_id=bloc_id,
                                asked=tuple(DEFAULT) if asked is None else asked, text=text, now=now,
                                default=DEFAULT)


def _audit(db, action: str) -> list[AuditLog]:
    with db.session() as s:
        return list(s.exec(select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)))


def test_a_representative_saves_the_units_own_points_and_changes_them(db, world):
    bloc, (tu_phap, *_) = world
    saved = _own(db, HA, tu_phap.id, bloc.id, "45\n18\n14\n9,5\n5")
    assert isinstance(saved, scores.Saved) and saved.at == NOW
    assert saved.scores.self_total == 91.5 and saved.scores.total == 91.5 and not saved.scores.adjusted
    assert [line.own for line in saved.scores.lines] == [45, 18, 14, 9.5, 5]
    again = _own(db, KHOA, tu_phap.id, bloc.id, "50; 20; 15 10 5", now=NOW + timedelta(hours=1))
    assert again.scores.total == 100
    entries = _audit(db, "scores.self")
    assert [(e.actor_id, e.detail["previous"]) for e in entries] == [
        (HA, [None] * 5), (KHOA, [45, 18, 14, 9.5, 5])]
    # The first score fixed the table it was entered against as the bloc's own.
    with db.session() as s:
        assert store.own_criteria(session=s, bloc_id=bloc.id, year=2025) == DEFAULT


def test_own_points_are_refused_for_another_unit_a_changed_table_or_once_the_vote_opens(db, world):
    bloc, (tu_phap, thanh_tra, _) = world
    assert _own(db, OUTSIDER, tu_phap.id, bloc.id, "45\n18\n14\n9\n5") == Refused(Refusal.NOT_YOUR_UNIT)
    assert _own(db, HA, thanh_tra.id, bloc.id, "45\n18\n14\n9\n5") == Refused(Refusal.NOT_YOUR_UNIT)
    assert _own(db, HA, tu_phap.id, bloc.id + 1, "45\n18\n14\n9\n5") == Refused(Refusal.NOT_YOUR_UNIT)
    shorter = tuple(DEFAULT[:3])
    assert _own(db, HA, tu_phap.id, bloc.id, "45\n18\n14", asked=shorter).code == Refusal.TABLE_CHANGED
    over = _own(db, HA, tu_phap.id, bloc.id, "51\n18\n14\n9\n5")
    assert over.code == Refusal.INVALID and over.problem == "above_max" and over.details["maximum"] == 50
    assert _own(db, HA, tu_phap.id, bloc.id, "45\n18").problem == "count"
    with db.session() as s:
        vote = votes.prepare(session=s, bloc=bloc, by=SECRETARY, now=NOW, ballot=[])
    assert isinstance(_own(db, HA, tu_phap.id, bloc.id, "45\n18\n14\n9\n5"), scores.Saved)  # a draft locks nothing
    with db.session() as s:
        vote = s.merge(vote)
        vote.status = "open"
    locked = _own(db, HA, tu_phap.id, bloc.id, "50\n20\n15\n10\n5")
    assert locked.code == Refusal.LOCKED and locked.unit.id == tu_phap.id
    with db.session() as s:
        assert store.totals(session=s, bloc_id=bloc.id, year=2025) == {tu_phap.id: (91.0, False)}
    assert len(_audit(db, "scores.self")) == 1


def test_the_secretary_sets_the_table_until_a_unit_has_points(db, world):
    bloc, (tu_phap, *_) = world
    with db.session() as s:
        assert scores.may_set_table(s, bloc=bloc) is None
        wrong = scores.set_table(s, chat_id=CHAT, bloc_id=bloc.id, actor=Actor(SECRETARY),
                                 text="Hoàn thành nhiệm vụ 60", now=NOW)
        assert wrong.code == Refusal.INVALID and wrong.problem == "table_line"
        done = scores.set_table(s, chat_id=CHAT, bloc_id=bloc.id, actor=Actor(SECRETARY),
                                text="Hoàn thành nhiệm vụ | 60\nPhong trào thi đua | 40", now=NOW)
    assert isinstance(done, scores.TableSet) and done.max_total == 100
    with db.session() as s:
        view = scores.criteria(s, bloc=bloc, default=DEFAULT)
        assert view.own and not view.scored
        assert view.criteria == [Criterion("Hoàn thành nhiệm vụ", 60), Criterion("Phong trào thi đua", 40)]
        assert s.exec(select(PointsTable.criteria)).one() == [{"name": "Hoàn thành nhiệm vụ", "max": 60.0},
                                                               {"name": "Phong trào thi đua", "max": 40.0}]
    assert isinstance(_own(db, HA, tu_phap.id, bloc.id, "55\n35", asked=tuple(done.criteria)), scores.Saved)
    with db.session() as s:
        assert scores.may_set_table(s, bloc=bloc) == Refused(Refusal.TABLE_LOCKED, bloc=bloc)
        late = scores.set_table(s, chat_id=CHAT, bloc_id=bloc.id, actor=Actor(SECRETARY),
                                text="Một tiêu chí | 100", now=NOW)
    assert late.code == Refusal.TABLE_LOCKED
    assert [e.detail["criteria"][0]["max"] for e in _audit(db, "scores.table")] == [60]


def test_only_a_secretary_of_the_questions_bloc_answers_for_it(db, world):
    bloc, _ = world
    with db.session() as s:
        refused = scores.set_table(s, chat_id=CHAT, bloc_id=bloc.id, actor=Actor(HA),
                                   text="Một tiêu chí | 100", now=NOW)
        assert refused.code == Refusal.NOT_SECRETARY
        # A group administrator, when such are secretaries, is decided again as one.
        assert isinstance(scores.set_table(s, chat_id=CHAT, bloc_id=bloc.id, actor=Actor(HA, group_admin=True, admins_are_secretaries=True),
                                           text="Một tiêu chí | 100", now=NOW), scores.TableSet)
        other_chat = scores.set_table(s, chat_id=-100123, bloc_id=bloc.id, actor=Actor(SECRETARY),
                                      text="Một tiêu chí | 100", now=NOW)
    assert other_chat == Refused(Refusal.NO_BLOC)


def test_the_secretary_adjusts_a_unit_with_a_reason_and_its_reachable_people_are_told(db, world):
    bloc, (tu_phap, *_) = world
    _own(db, HA, tu_phap.id, bloc.id, "45\n18\n14\n9,5\n5")

    def adjust(text: str):
        with db.session() as s:
            return scores.adjust(s, chat_id=CHAT, bloc_id=bloc.id, actor=Actor(SECRETARY), text=text,
                                 now=NOW, default=DEFAULT)

    assert adjust("Sở Tư pháp\n40; 18; 14; 9,5; 5").problem == "no_reason"
    assert adjust("Sở\n40; 18; 14; 9,5; 5\nLý do: kiểm tra").code == Refusal.UNIT_AMBIGUOUS
    missing = adjust("Sở Tài chính\n40; 18; 14; 9,5; 5\nLý do: kiểm tra")
    assert missing.code == Refusal.UNIT_NOT_FOUND and missing.name == "Sở Tài chính"
    assert adjust("so tu phap\n51; 18; 14; 9,5; 5\nLý do: kiểm tra").problem == "above_max"
    assert _audit(db, "scores.adjust") == []

    done = adjust("so tu phap\n40; 18; 14; 9,5; 5\nLý do: theo biên bản kiểm tra")
    assert isinstance(done, scores.Adjusted)
    assert done.old_total == 91.5 and done.scores.total == 86.5 and done.scores.adjusted
    assert [(line.previous, line.adjusted) for line in done.scores.lines][:2] == [(45, 40), (18, 18)]
    assert done.scores.reason == "theo biên bản kiểm tra"
    assert [p.id for p in done.people] == [HA]  # Khoa cannot be reached
    with db.session() as s:
        assert [r.self_points for r in store.scores_of_unit(session=s, unit_id=tu_phap.id, year=2025)] == [
            45, 18, 14, 9.5, 5]  # the unit's own points are kept
        view = scores.bloc_scores(s, bloc=bloc, actor=Actor(SECRETARY), default=DEFAULT)
    assert view.secretary and [(r.unit.name, r.total, r.adjusted) for r in view.scored] == [
        ("Sở Tư pháp", 86.5, True)]
    assert [r.unit.name for r in view.unscored] == ["Sở Nội vụ", "Thanh tra tỉnh"] and view.count == 3


def test_chamdiem_opens_the_persons_one_unit_or_asks_which(db, world):
    bloc, (tu_phap, thanh_tra, _) = world
    with db.session() as s:
        assert scores.open_unit(s, user_id=OUTSIDER, unit_id=None, default=DEFAULT) == Refused(
            Refusal.NOT_REPRESENTATIVE)
        view = scores.open_unit(s, user_id=HA, unit_id=None, default=DEFAULT)
        assert isinstance(view, scores.UnitScores) and view.unit.id == tu_phap.id and view.total is None
        assert scores.open_unit(s, user_id=HA, unit_id=thanh_tra.id, default=DEFAULT) == Refused(
            Refusal.NOT_YOUR_UNIT)
        represent(s, bloc, thanh_tra, HA, by=SECRETARY, now=NOW)
        s.flush()
        choose = scores.open_unit(s, user_id=HA, unit_id=None, default=DEFAULT)
    assert isinstance(choose, scores.Choose) and {u.id for u, _ in choose.units} == {tu_phap.id, thanh_tra.id}
