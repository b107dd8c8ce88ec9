"""services.vote on a real database (SQLite, and PostgreSQL when configured), rows set up
through storage functions: the secretary of «Khối số 6» prepares the ballot, adds an
exception, opens it with a deadline, closes it; the box is counted once, a tie is left to the
meeting and settled there, the meeting's attendance and chair are recorded; anyone else is
refused and writes nothing."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlmodel import select

from domain.ballot import BallotLine, Rules
from khoibot.clock import ManualClock
from khoibot.config import Settings
from khoibot.render import Renderer
from khoibot.services import Services
from services import vote as service
from services.vote import Actor, Refusal, Refused
from storage import blocs, roles, roster, votes
from storage.db import Database
from storage.migrate import upgrade
from storage.models import AuditLog, Milestone, Reminder, VoteCount, YearResult
from storage.users import touch_user

NOW = datetime(2025, 12, 10, 2, 0, tzinfo=UTC)  # 9:00 in Huế
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SECRETARY, OUTSIDER, ADMIN = 10, 13, 14
UNITS = ["Sở Y tế", "Ban Dân tộc", "Đài Phát thanh", "Sở Tư pháp"]
SECRETARY_ACTS = Actor(SECRETARY)


@pytest.fixture
def s(database_url):
    settings = Settings.model_validate({"database": {"url": database_url}, "bot": {"province": "Huế"},
                                        "logging": {"format": "text"}, "vote": {"strictly_more": False}})
    database = Database(database_url)
    upgrade(database.engine)
    yield Services(settings=settings, db=database, clock=ManualClock(NOW), render=Renderer(settings.bot.tz),
                   catalogue=settings.catalogue)
    database.dispose()


@pytest.fixture
def bloc(s):
    """«Khối số 6» with four units; Trần Thị Hoa (SECRETARY) is its listed secretary."""
    with s.db.session() as session:
        for user in (SECRETARY, OUTSIDER, ADMIN):
            touch_user(session=session, user_id=user, first_name=f"N{user}", last_name=None, username=None, now=NOW,
                       private=True)
        bloc = blocs.create_bloc(session=session, chat_id=-100666, name="Khối số 6", year=2025, province="Huế",
                                 by=SECRETARY, now=NOW)
        roster.add_units(session=session, bloc=bloc, names=UNITS, by=SECRETARY, now=NOW)
        roles.add_secretary(session=session, bloc=bloc, user_id=SECRETARY, by=SECRETARY, now=NOW)
    return bloc


def _units(s) -> dict[str, int]:
    with s.db.session() as session:
        return {u.name: u.id for u in roster.active_units(session=session, bloc_id=1)}


def _setup(s) -> service.Setup:
    """What the vote reads besides the database, as plain values: the catalogue, at least half
    of the member units to be proposed (not strictly more), Huế's time, the seal."""
    return service.Setup(
        catalogue=s.catalogue, rules=Rules(threshold=50.0, strictly_more=False, base="members", self_vote=True),
        elect_leaders=True, tz=TZ, reminder_rules=s.settings.reminders.rules, seal=s.seal, document_place="",
        leader_name=lambda code, year: f"{'Trưởng' if code == 'LEAD' else 'Phó'} khối năm {year}")


def _call(s, what, *args, **kwargs):
    """One service call in one transaction, as a handler makes it."""
    with s.db.session() as session:
        return what(_setup(s), session, *args, **kwargs)


def _typed(at: datetime | None) -> str:
    """A deadline as the secretary types it, in the bloc's time: "11:00 12/12/2025", or «không»."""
    return "không" if at is None else at.astimezone(TZ).strftime("%H:%M %d/%m/%Y")


def _opened(s, bloc, *, deadline: datetime | None = None) -> dict[str, int]:
    """Prepared, Sở Y tế and Ban Dân tộc added to the provincial flag, opened."""
    ids = _units(s)
    _call(s, service.prepare, bloc, SECRETARY_ACTS, now=NOW)
    for name in ("Sở Y tế", "Ban Dân tộc"):
        _call(s, service.add_candidate, bloc, SECRETARY_ACTS, code="CO_TINH", unit_id=ids[name], now=NOW)
    opened = _call(s, service.open_vote, bloc, SECRETARY_ACTS, deadline=_typed(deadline), now=NOW, close="close")
    assert isinstance(opened, service.Opened)
    return ids


def _cast(s, bloc, voter: str, flag: list[str]) -> None:
    ids = _units(s)
    with s.db.session() as session:
        vote = votes.vote_of(session=session, bloc=bloc)
        votes.cast(session=session, vote=vote, unit_id=ids[voter], choices={"CO_TINH": [ids[u] for u in flag]},
                   by=SECRETARY, now=NOW, seal=s.seal)


def _vote(s, bloc):
    with s.db.session() as session:
        return votes.vote_of(session=session, bloc=bloc)


def test_the_secretary_prepares_adds_an_exception_and_opens_with_a_deadline(s, bloc):
    ids = _units(s)
    prepared = _call(s, service.prepare, bloc, SECRETARY_ACTS, now=NOW)
    assert isinstance(prepared, service.Prepared) and prepared.panel.stage == votes.DRAFT
    # The leaders' lines are named for the year the units elected lead (the caller's wording).
    assert [e.name for e in prepared.panel.entries if e.leader] == ["Trưởng khối năm 2026", "Phó khối năm 2026"]
    # Nobody registered: no title has a candidate, and the vote cannot open yet.
    assert all(not e.candidates for e in prepared.panel.entries if not e.leader)
    assert _call(s, lambda setup, session: service.may_open(session, bloc, SECRETARY_ACTS)) == \
        Refused(Refusal.NOTHING_TO_VOTE)
    # Preparing again asks first (it would drop what was set by hand); a stale rebuild is refused.
    vote_id = prepared.panel.vote.id
    assert _call(s, service.prepare, bloc, SECRETARY_ACTS, now=NOW) == service.ConfirmRebuild(vote_id)
    assert _call(s, service.prepare, bloc, SECRETARY_ACTS, now=NOW, rebuild=vote_id + 1) == Refused(Refusal.STALE)

    added = _call(s, service.add_candidate, bloc, SECRETARY_ACTS, code="CO_TINH", unit_id=ids["Sở Y tế"], now=NOW)
    assert added.unit.name == "Sở Y tế" and added.title == "Cờ thi đua của Ủy ban nhân dân tỉnh"
    flag = next(e for e in added.panel.entries if e.code == "CO_TINH")
    assert flag.candidates == ["Sở Y tế"] and flag.added == ["Sở Y tế"]
    assert _call(s, service.add_candidate, bloc, SECRETARY_ACTS, code="CO_TINH", unit_id=ids["Sở Y tế"],
                 now=NOW) == Refused(Refusal.STALE)  # on the line already
    assert _call(s, service.add_candidate, bloc, SECRETARY_ACTS, code="LEAD", unit_id=ids["Sở Y tế"],
                 now=NOW) == Refused(Refusal.STALE)  # the leaders' lines hold every unit

    # The flag's quota, set on the prepared ballot: a whole number up to the 4 units.
    assert _call(s, service.set_quota, bloc, SECRETARY_ACTS, code="CO_TINH", quota=5, now=NOW) == \
        Refused(Refusal.QUOTA, members=4)
    assert _call(s, service.set_quota, bloc, SECRETARY_ACTS, code="LEAD", quota=2, now=NOW) == Refused(Refusal.STALE)
    quota = _call(s, service.set_quota, bloc, SECRETARY_ACTS, code="CO_TINH", quota=2, now=NOW)
    assert quota.title == "Cờ thi đua của Ủy ban nhân dân tỉnh" and quota.quota == 2
    assert next(e.quota for e in quota.panel.entries if e.code == "CO_TINH") == 2

    # The deadline as typed: read, or refused saying why.
    assert _call(s, service.open_vote, bloc, SECRETARY_ACTS, deadline="chiều mai nhé", now=NOW,
                 close="close") == Refused(Refusal.DEADLINE_UNREAD, problem="format")
    far = _call(s, service.open_vote, bloc, SECRETARY_ACTS, deadline="17:00 10/12/2040", now=NOW, close="close")
    assert far.code == Refusal.DEADLINE_FAR and far.years == (2024, 2026)
    assert _call(s, service.open_vote, bloc, SECRETARY_ACTS, deadline=_typed(NOW - timedelta(minutes=1)), now=NOW,
                 close="close") == Refused(Refusal.DEADLINE_PAST, at=NOW - timedelta(minutes=1))
    deadline = NOW + timedelta(days=2)
    opened = _call(s, service.open_vote, bloc, SECRETARY_ACTS, deadline=_typed(deadline), now=NOW, close="close")
    assert isinstance(opened, service.Opened)
    assert opened.panel.stage == votes.OPEN and opened.panel.deadline.at == deadline
    assert sorted(opened.panel.vote.voters) == sorted(ids.values())
    assert opened.panel.vote.rules.strictly_more is False and opened.panel.voted == 0
    with s.db.session() as session:
        planned = session.exec(select(Reminder).where(Reminder.milestone_id == opened.panel.deadline.id)).all()
    assert planned and max(r.due_at for r in planned).replace(tzinfo=UTC) == deadline  # the close, at the deadline
    # Opened once: again, and the ballot can no longer change.
    assert _call(s, service.open_vote, bloc, SECRETARY_ACTS, deadline="không", now=NOW,
                 close="close") == Refused(Refusal.NOT_DRAFT)
    assert _call(s, service.add_candidate, bloc, SECRETARY_ACTS, code="CO_TINH", unit_id=ids["Ban Dân tộc"],
                 now=NOW) == Refused(Refusal.NOT_DRAFT)
    assert _call(s, service.set_quota, bloc, SECRETARY_ACTS, code="CO_TINH", quota=1, now=NOW) == \
        Refused(Refusal.NOT_DRAFT)
    assert [(line.code, line.quota) for line in opened.panel.vote.ballot if line.code not in ("LEAD", "DEPUTY")
            ] == [("CO_TINH", 2)]  # fixed on the ballot; the lines without candidates left off


def test_closing_counts_the_box_once_and_drops_the_deadline(s, bloc):
    deadline = NOW + timedelta(days=2)
    _opened(s, bloc, deadline=deadline)
    _cast(s, bloc, "Đài Phát thanh", ["Sở Y tế"])
    _cast(s, bloc, "Sở Tư pháp", ["Sở Y tế"])
    _cast(s, bloc, "Sở Y tế", ["Ban Dân tộc"])
    vote = _vote(s, bloc)
    later = NOW + timedelta(hours=1)
    assert _call(s, service.close_now, bloc, SECRETARY_ACTS, vote_id=vote.id + 1, now=later) == Refused(Refusal.STALE)

    closed = _call(s, service.close_now, bloc, SECRETARY_ACTS, vote_id=vote.id, now=later)
    assert isinstance(closed, service.Closed) and closed.voted == 3 and closed.panel.stage == votes.CLOSED
    flag = next(o for o in closed.outcomes if o.code == "CO_TINH")
    assert [(line.unit, line.votes, line.selected) for line in flag.lines] == [
        ("Sở Y tế", 2, True), ("Ban Dân tộc", 1, False)]
    # A press made for the open vote (the confirmation to close) is stale once it closed.
    assert _call(s, service.view, bloc, SECRETARY_ACTS, at=votes.OPEN) == Refused(Refusal.STALE)
    assert _call(s, service.view, bloc, SECRETARY_ACTS, at=votes.CLOSED).voted == 3
    # Counted once: a second close (the secretary's or the deadline's) does nothing.
    assert _call(s, service.close_now, bloc, SECRETARY_ACTS, vote_id=vote.id, now=later) == Refused(Refusal.STALE)
    with s.db.session() as session:
        deadline_row = session.get(Milestone, vote.deadline_milestone_id)
        assert service.close_at_deadline(_setup(s), session, deadline_row, now=deadline) is None
        counts = {(c.code, c.unit_id): c.votes for c in session.exec(select(VoteCount)) if c.code == "CO_TINH"}
        results = session.exec(select(YearResult)).all()
        closes = session.exec(select(AuditLog).where(AuditLog.action == "vote.close")).all()
        assert deadline_row.cancelled_at is not None  # closed before it: the deadline went
    ids = _units(s)
    assert counts == {("CO_TINH", ids["Sở Y tế"]): 2, ("CO_TINH", ids["Ban Dân tộc"]): 1}
    assert [(r.unit_id, r.code) for r in results] == [(ids["Sở Y tế"], "CO_TINH")]
    assert len(closes) == 1


def test_the_deadline_closes_the_vote_it_is_the_deadline_of(s, bloc):
    deadline = NOW + timedelta(days=2)
    _opened(s, bloc, deadline=deadline)
    _cast(s, bloc, "Đài Phát thanh", ["Sở Y tế"])
    with s.db.session() as session:
        due = session.get(Milestone, _vote(s, bloc).deadline_milestone_id)
        closed = service.close_at_deadline(_setup(s), session, due, now=deadline)
    assert closed.vote.closed_by is None and closed.voted == 1
    with s.db.session() as session:
        assert session.get(Milestone, due.id).cancelled_at is None  # it came: kept as it was


def test_a_tie_left_to_the_meeting_is_decided_by_the_secretary(s, bloc):
    _opened(s, bloc)
    _cast(s, bloc, "Đài Phát thanh", ["Sở Y tế"])
    _cast(s, bloc, "Sở Tư pháp", ["Ban Dân tộc"])
    _cast(s, bloc, "Sở Y tế", ["Ban Dân tộc"])
    _cast(s, bloc, "Ban Dân tộc", ["Sở Y tế"])
    vote = _vote(s, bloc)
    closed = _call(s, service.close_now, bloc, SECRETARY_ACTS, vote_id=vote.id, now=NOW)
    flag = next(o for o in closed.outcomes if o.code == "CO_TINH")
    assert {line.unit for line in flag.unresolved} == {"Sở Y tế", "Ban Dân tộc"} and not flag.selected

    ids = _units(s)
    choice = _call(s, service.tie_choice, bloc, SECRETARY_ACTS, "CO_TINH")
    assert sorted(choice.units) == sorted([(ids["Sở Y tế"], "Sở Y tế"), (ids["Ban Dân tộc"], "Ban Dân tộc")])
    assert _call(s, service.decide_tie, bloc, SECRETARY_ACTS, code="CO_TINH", unit_id=ids["Đài Phát thanh"],
                 now=NOW) == Refused(Refusal.STALE)  # not one of the tied units
    decided = _call(s, service.decide_tie, bloc, SECRETARY_ACTS, code="CO_TINH", unit_id=ids["Ban Dân tộc"], now=NOW)
    assert decided.unit.name == "Ban Dân tộc"
    flag = next(o for o in decided.panel.outcomes if o.code == "CO_TINH")
    assert [line.unit for line in flag.selected] == ["Ban Dân tộc"] and not flag.unresolved
    with s.db.session() as session:
        assert [(r.unit_id, r.code) for r in session.exec(select(YearResult))] == [(ids["Ban Dân tộc"], "CO_TINH")]
    # Settled: the tie is no longer there to decide.
    assert _call(s, service.decide_tie, bloc, SECRETARY_ACTS, code="CO_TINH", unit_id=ids["Sở Y tế"],
                 now=NOW) == Refused(Refusal.STALE)
    assert _call(s, service.ties, bloc, SECRETARY_ACTS) == []


def test_the_meetings_attendance_and_chair_are_recorded_once_closed(s, bloc):
    _opened(s, bloc)
    assert _call(s, service.record_attended, bloc, SECRETARY_ACTS, attended=3, now=NOW) == Refused(Refusal.NOT_CLOSED)
    _cast(s, bloc, "Đài Phát thanh", ["Sở Y tế"])
    _call(s, service.close_now, bloc, SECRETARY_ACTS, vote_id=_vote(s, bloc).id, now=NOW)

    assert _call(s, service.record_attended, bloc, SECRETARY_ACTS, attended=5, now=NOW) == \
        Refused(Refusal.ATTENDED, members=4)
    assert _call(s, service.record_attended, bloc, SECRETARY_ACTS, attended=None, now=NOW).code == Refusal.ATTENDED
    recorded = _call(s, service.record_attended, bloc, SECRETARY_ACTS, attended=3, now=NOW)
    assert recorded.attended == 3 and recorded.panel.attended == 3  # not the 1 unit that voted

    assert _call(s, service.record_chair, bloc, SECRETARY_ACTS, text="12, 34", now=NOW) == Refused(Refusal.CHAIR)
    chaired = _call(s, service.record_chair, bloc, SECRETARY_ACTS, text="  Nguyễn  Văn An,  Phó Chủ tịch ", now=NOW)
    assert chaired.chair == "Nguyễn Văn An, Phó Chủ tịch" and chaired.panel.vote.chair == chaired.chair

    listing = _call(s, service.compile_list, bloc, SECRETARY_ACTS, by_name="Trần Thị Hoa", now=NOW)
    assert listing.record.present == 3 and listing.record.chair == "Nguyễn Văn An, Phó Chủ tịch"
    assert not listing.ask_chair and listing.record.secretary == "N10"  # the listed secretary
    assert set(listing.documents) and listing.record.version == 1
    assert listing.record.issued_on == date(2025, 12, 10) and listing.record.place == "Huế"  # dated on ``now``, in Huế
    # Nothing changed since: the same version, no new documents.
    assert _call(s, service.compile_list, bloc, SECRETARY_ACTS, by_name="Trần Thị Hoa", now=NOW).record.version == 1


def test_someone_not_a_secretary_is_refused_and_writes_nothing(s, bloc):
    outsider = Actor(OUTSIDER)
    assert _call(s, service.prepare, bloc, outsider, now=NOW) == Refused(Refusal.NOT_SECRETARY)
    assert _vote(s, bloc) is None
    ids = _opened(s, bloc)
    vote = _vote(s, bloc)
    assert _call(s, service.view, bloc, outsider) == Refused(Refusal.NOT_SECRETARY)
    assert _call(s, service.close_now, bloc, outsider, vote_id=vote.id, now=NOW) == Refused(Refusal.NOT_SECRETARY)
    assert _vote(s, bloc).status == votes.OPEN
    _call(s, service.close_now, bloc, SECRETARY_ACTS, vote_id=vote.id, now=NOW)
    for refused in (_call(s, service.record_attended, bloc, outsider, attended=1, now=NOW),
                    _call(s, service.record_chair, bloc, outsider, text="Nguyễn Văn An", now=NOW),
                    _call(s, service.decide_tie, bloc, outsider, code="CO_TINH", unit_id=ids["Sở Y tế"], now=NOW),
                    _call(s, service.compile_list, bloc, outsider, by_name="Người lạ", now=NOW)):
        assert refused == Refused(Refusal.NOT_SECRETARY)
    assert _vote(s, bloc).attended is None and _vote(s, bloc).chair is None
    with s.db.session() as session:
        assert votes.latest_documents(session=session, bloc_id=bloc.id, year=2025) == {}
    # Anyone may read the list, without the documents being made.
    assert _call(s, service.public_list, bloc, now=NOW).members == 4
    # A group administrator counts as a secretary when the caller says Telegram counts them one.
    assert _call(s, service.record_attended, bloc, Actor(ADMIN, group_admin=True, admins_are_secretaries=True), attended=2, now=NOW).attended == 2


def test_the_rules_voters_and_decisions_are_typed_in_and_stored_as_they_always_were(s, bloc):
    ids = _opened(s, bloc)
    vote = _vote(s, bloc)
    assert vote.rules == Rules(threshold=50.0, strictly_more=False, base="members", self_vote=True)
    assert isinstance(vote.voters, tuple) and sorted(vote.voters) == sorted(ids.values()) and vote.decisions == {}
    with s.db.session() as session:
        votes.record_decision(session=session, vote=vote, code="CO_TINH", unit_ids=[ids["Sở Y tế"]], by=SECRETARY,
                              now=NOW)
        raw = session.execute(text("SELECT rules, voters, decisions FROM vote")).one()
    stored = [json.loads(v) if isinstance(v, str) else v for v in raw]
    assert stored == [dict(threshold=50.0, strictly_more=False, base="members", self_vote=True),
                      list(vote.voters), {"CO_TINH": [ids["Sở Y tế"]]}]
    assert _vote(s, bloc).decisions == {"CO_TINH": (ids["Sở Y tế"],)}
    # A vote only prepared has no rules yet: stored as {} and read as None.
    with s.db.session() as session:
        other = blocs.create_bloc(session=session, chat_id=-100667, name="Khối số 7", year=2025, province="Huế",
                                  by=SECRETARY, now=NOW)
        prepared = votes.prepare(session=session, bloc=other, ballot=[], by=SECRETARY, now=NOW)
        session.flush()
        raw = session.execute(text("SELECT rules FROM vote WHERE id = :id"), {"id": prepared.id}).scalar_one()
        assert (json.loads(raw) if isinstance(raw, str) else raw) == {}
    assert _vote(s, other).rules is None


def test_the_ballot_lines_are_typed_in_and_stored_as_they_always_were(s, bloc):
    ids = _opened(s, bloc)
    vote = _vote(s, bloc)
    flag = next(line for line in vote.ballot if line.code == "CO_TINH")
    assert isinstance(vote.ballot, tuple) and all(isinstance(line, BallotLine) for line in vote.ballot)
    assert flag == BallotLine("CO_TINH", 1, (ids["Sở Y tế"], ids["Ban Dân tộc"]),
                              added=(ids["Sở Y tế"], ids["Ban Dân tộc"]))
    with s.db.session() as session:
        raw = session.execute(text("SELECT ballot FROM vote WHERE id = :id"), {"id": vote.id}).scalar_one()
    stored = json.loads(raw) if isinstance(raw, str) else raw
    assert stored == [line.as_dict() for line in vote.ballot]
    assert stored[0] == dict(code="CO_TINH", quota=1, candidates=[ids["Sở Y tế"], ids["Ban Dân tộc"]],
                             added=[ids["Sở Y tế"], ids["Ban Dân tộc"]])
    # A row written before the lines were typed (as JSON, by hand) reads back as lines.
    with s.db.session() as session:
        other = blocs.create_bloc(session=session, chat_id=-100667, name="Khối số 7", year=2025, province="Huế",
                                  by=SECRETARY, now=NOW)
        session.flush()
        session.execute(text("INSERT INTO vote (bloc_id, year, status, ballot, voters, rules, decisions, created_by, "
                             "created_at, unopened) VALUES (:bloc, 2025, 'draft', :ballot, '[]', '{}', '{}', :by, "
                             ":at, 0)"),
                        {"bloc": other.id, "by": SECRETARY, "at": NOW.replace(tzinfo=None),
                         "ballot": json.dumps([dict(code="BK_UBND", quota=2, candidates=[3, 4], added=[4]),
                                               dict(code="LEAD", quota=1, candidates=[1, 2, 3, 4], added=[])])})
    assert _vote(s, other).ballot == (BallotLine("BK_UBND", 2, (3, 4), added=(4,)),
                                      BallotLine("LEAD", 1, (1, 2, 3, 4)))
