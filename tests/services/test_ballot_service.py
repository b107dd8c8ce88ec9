"""services.ballot on a real database (SQLite, and PostgreSQL when configured), with rows set
up through storage functions, not conversations: who may vote, the ticks the rules allow, and
a confirmation that is one transaction and counts a unit once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


from domain.ballot import BallotLine, Rules
from domain.milestones import Kind
from services import ballot
from services.ballot import Refusal, Refused
from storage import blocs, milestones, roster, votes
from storage.db import Database
from storage.sealing import Seal
from tests.factories import people, represent

NOW = datetime(2025, 12, 10, 2, 0, tzinfo=UTC)
SECRETARY, AN, BINH, OUTSIDER = 10, 11, 12, 13  # An and Bình both act for the Sở Y tế
SEAL = Seal("service test secret")


def _bloc(db: Database, *, open_vote: bool = True, deadline: datetime | None = None):
    """A bloc of three units, the Sở Y tế represented by An and Bình, a ballot of one title
    (quota 1, all three candidates; self-votes not allowed), opened for the three unless not."""
    with db.session() as s:
        people(s, SECRETARY, AN, BINH, OUTSIDER, now=NOW)
        bloc = blocs.create_bloc(session=s, chat_id=-100777, name="Khối số 6", year=2025, province="Huế",
                                 by=SECRETARY, now=NOW)
        units = roster.add_units(session=s, bloc=bloc, names=["Sở Y tế", "Ban Dân tộc", "Đài Phát thanh"],
                                 by=SECRETARY, now=NOW)
        for user in (AN, BINH):
            represent(s, bloc, units[0], user, by=SECRETARY, now=NOW)
        vote = votes.prepare(session=s, bloc=bloc, by=SECRETARY, now=NOW, ballot=[
            BallotLine("CO_TINH", 1, tuple(u.id for u in units))])
        milestone = milestones.set_milestone(session=s, bloc=bloc, kind=Kind.BALLOT_DEADLINE.value, at=deadline,
                                             by=SECRETARY, now=NOW) if deadline else None
        s.flush()
        if open_vote:
            votes.open_vote(session=s, vote=vote, voters=[u.id for u in units],
                            rules=Rules(threshold=50, strictly_more=False, base="members", self_vote=False).as_dict(),
                            deadline_milestone_id=milestone.id if milestone else None, by=SECRETARY, now=NOW,
                            default_quotas={})
    return bloc, vote, units


def _start(db: Database, user: int, unit_id: int, message_id: int, now: datetime = NOW):
    """The person opens the unit's ballot; its message is ``message_id``."""
    with db.session() as s:
        step = ballot.start(s, user_id=user, unit_id=unit_id, now=now, seal=SEAL)
    if isinstance(step, ballot.Step):
        with db.session() as s:
            votes.save_draft(session=s, draft=step.draft, now=now, seal=SEAL, message_id=message_id)
    return step


def _press(db: Database, what, user: int, draft_id: int, message_id: int, now: datetime = NOW, **args):
    with db.session() as s:
        return what(s, user_id=user, draft_id=draft_id, message_id=message_id, now=now, seal=SEAL, **args)


def _voted(db: Database, vote) -> int:
    with db.session() as s:
        return votes.voted_count(session=s, vote_id=vote.id)


def test_a_ballot_is_confirmed_once_and_a_second_one_of_the_unit_is_refused(db):
    _, vote, (so_y_te, ban_dan_toc, _) = _bloc(db)
    first = _start(db, AN, so_y_te.id, message_id=501)
    other = _start(db, BINH, so_y_te.id, message_id=601)  # Bình fills one in too, at the same time
    ticked = _press(db, ballot.toggle, AN, first.draft.id, 501, choice=ban_dan_toc.id)
    assert ticked.draft.choices == {"CO_TINH": [ban_dan_toc.id]}
    assert isinstance(_press(db, ballot.move, AN, first.draft.id, 501, by=1), ballot.Step)

    cast = _press(db, ballot.confirm, AN, first.draft.id, 501)
    assert isinstance(cast, ballot.Cast) and cast.unit.id == so_y_te.id and cast.at == NOW
    assert _voted(db, vote) == 1
    with db.session() as s:
        assert votes.draft_of(session=s, user_id=AN, seal=SEAL) is None  # counted with the ballot

    # The same draft pressed again: it is gone, the press is stale, nothing more is counted.
    assert _press(db, ballot.confirm, AN, first.draft.id, 501) == Refused(Refusal.STALE)
    # Bình's ballot, started before, went with the unit's counted one: his press is stale, and
    # a new ballot of the unit is refused, saying when it voted.
    assert _press(db, ballot.confirm, BINH, other.draft.id, 601) == Refused(Refusal.STALE)
    again = _start(db, BINH, so_y_te.id, message_id=602)
    assert isinstance(again, Refused) and again.code == Refusal.ALREADY_VOTED and again.at == NOW
    assert _voted(db, vote) == 1


def test_a_unit_the_person_does_not_represent_is_refused(db):
    _, vote, (so_y_te, ban_dan_toc, _) = _bloc(db)
    assert _start(db, OUTSIDER, so_y_te.id, message_id=1) == Refused(Refusal.NOT_YOUR_UNIT)
    assert _start(db, AN, ban_dan_toc.id, message_id=1) == Refused(Refusal.NOT_YOUR_UNIT)
    # Someone else's draft, even with its id and message, is not theirs to press.
    mine = _start(db, AN, so_y_te.id, message_id=501)
    assert _press(db, ballot.confirm, OUTSIDER, mine.draft.id, 501) == Refused(Refusal.STALE)
    # Nor is an earlier message of one's own draft.
    assert _press(db, ballot.toggle, AN, mine.draft.id, 500, choice=ban_dan_toc.id) == Refused(Refusal.STALE)
    assert _voted(db, vote) == 0


def test_bophieu_opens_the_ballot_of_the_one_unit_or_asks_which(db):
    bloc, vote, (so_y_te, ban_dan_toc, dai_phat_thanh) = _bloc(db)
    with db.session() as s:
        assert ballot.opening(s, user_id=OUTSIDER, now=NOW, seal=SEAL) == Refused(Refusal.NOT_REPRESENTATIVE)
        step = ballot.opening(s, user_id=AN, now=NOW, seal=SEAL)  # An acts for the Sở Y tế alone
        assert isinstance(step, ballot.Step) and step.unit.id == so_y_te.id and step.draft.choices == {}
        assert step.choosable == [ban_dan_toc.id, dai_phat_thanh.id]  # not itself: no self-votes here
        # An also acts for the Ban Dân tộc now: which unit votes is his to choose, and nothing is started.
        represent(s, bloc, ban_dan_toc, AN, by=SECRETARY, now=NOW)
    with db.session() as s:
        several = ballot.opening(s, user_id=AN, now=NOW, seal=SEAL)
        assert isinstance(several, ballot.Several)
        assert sorted(unit.name for unit, _ in several.units) == ["Ban Dân tộc", "Sở Y tế"]
    assert _voted(db, vote) == 0


def test_a_vote_not_open_or_closed_is_refused(db):
    bloc, vote, (so_y_te, ban_dan_toc, _) = _bloc(db, open_vote=False)
    refused = _start(db, AN, so_y_te.id, message_id=1)
    assert isinstance(refused, Refused) and refused.code == Refusal.NOT_OPEN and refused.unit.id == so_y_te.id
    with db.session() as s:
        votes.open_vote(session=s, vote=vote, voters=[so_y_te.id, ban_dan_toc.id],
                        rules=Rules(threshold=50, strictly_more=False, base="members", self_vote=False).as_dict(),
                        deadline_milestone_id=None, by=SECRETARY, now=NOW, default_quotas={})
    step = _start(db, AN, so_y_te.id, message_id=501)
    _press(db, ballot.toggle, AN, step.draft.id, 501, choice=ban_dan_toc.id)
    _press(db, ballot.move, AN, step.draft.id, 501, by=1)
    closed_at = NOW + timedelta(minutes=5)
    with db.session() as s:
        votes.close_vote(session=s, vote_id=vote.id, by=SECRETARY, now=closed_at, seal=SEAL)
    # The close took the draft with it: its confirmation is stale and counts nothing.
    assert _press(db, ballot.confirm, AN, step.draft.id, 501) == Refused(Refusal.STALE)
    refused = _start(db, AN, so_y_te.id, message_id=502)
    assert refused.code == Refusal.CLOSED and refused.at == closed_at
    assert _voted(db, vote) == 0


def test_a_ballot_past_its_deadline_is_refused_and_its_draft_ends(db):
    deadline = NOW + timedelta(hours=1)
    _, vote, (so_y_te, ban_dan_toc, _) = _bloc(db, deadline=deadline)
    step = _start(db, AN, so_y_te.id, message_id=501)
    _press(db, ballot.toggle, AN, step.draft.id, 501, choice=ban_dan_toc.id)
    _press(db, ballot.move, AN, step.draft.id, 501, by=1)
    late = _press(db, ballot.confirm, AN, step.draft.id, 501, now=deadline)
    assert late.code == Refusal.PAST_DEADLINE and late.at == deadline and late.ended
    with db.session() as s:
        assert votes.draft_of(session=s, user_id=AN, seal=SEAL) is None
    assert _voted(db, vote) == 0


def test_the_quota_and_the_rules_are_enforced_on_every_tick(db):
    _, vote, (so_y_te, ban_dan_toc, dai) = _bloc(db)
    step = _start(db, AN, so_y_te.id, message_id=501)
    d = step.draft.id
    _press(db, ballot.toggle, AN, d, 501, choice=ban_dan_toc.id)
    over = _press(db, ballot.toggle, AN, d, 501, choice=dai.id)
    assert over.code == Refusal.CHOICE and over.problem == "over_quota" and over.details == {"quota": 1}
    own = _press(db, ballot.toggle, AN, d, 501, choice=so_y_te.id)
    assert own.code == Refusal.CHOICE and own.problem == "self_vote"
    nobody = _press(db, ballot.toggle, AN, d, 501, choice=None)
    assert nobody.code == Refusal.CHOICE and nobody.problem == "not_candidate"
    with db.session() as s:
        assert votes.draft_of(session=s, user_id=AN, seal=SEAL).choices == {"CO_TINH": [ban_dan_toc.id]}
    # Unticking frees the seat for another; confirming is only from the summary.
    _press(db, ballot.toggle, AN, d, 501, choice=ban_dan_toc.id)
    assert _press(db, ballot.toggle, AN, d, 501, choice=dai.id).draft.choices == {"CO_TINH": [dai.id]}
    assert _press(db, ballot.confirm, AN, d, 501) == Refused(Refusal.STALE)
    assert _press(db, ballot.move, AN, d, 501, by=-1) == Refused(Refusal.STALE)
    _press(db, ballot.move, AN, d, 501, by=1)
    assert _press(db, ballot.move, AN, d, 501, by=1) == Refused(Refusal.STALE)  # nothing after the summary
    assert isinstance(_press(db, ballot.confirm, AN, d, 501), ballot.Cast)
    assert _voted(db, vote) == 1
