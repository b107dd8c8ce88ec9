"""The one draft mechanism (storage/drafts.py) on both kinds of draft, a registration being
filled in and a ballot being filled in (sealed), on a real database: a press on a draft's
earlier message is stale, a draft idle past the timeout is swept (its owner to be told), a
fresh one is kept — and the sweep never needs a ballot's sealed choices."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.ballot import BallotLine, Rules
from domain.catalogue import DEFAULT_TITLES, Catalogue
from services import ballot, registration, waits
from storage import blocs, drafts, registrations, roster, votes
from storage.sealing import Seal
from tests.factories import people, represent

NOW = datetime(2025, 12, 10, 2, 0, tzinfo=UTC)
TIMEOUT = timedelta(minutes=60)
SEAL = Seal("drafts test secret")
SECRETARY, AN, BINH = 10, 11, 12  # An acts for the Sở Y tế, Bình for the Ban Dân tộc


@pytest.fixture
def bloc(db):
    """Two units, each with its representative, and an open ballot of one line."""
    with db.session() as s:
        people(s, SECRETARY, AN, BINH, now=NOW)
        bloc = blocs.create_bloc(session=s, chat_id=-100999, name="Khối số 7", year=2025, province="Huế",
                                 by=SECRETARY, now=NOW)
        units = roster.add_units(session=s, bloc=bloc, names=["Sở Y tế", "Ban Dân tộc"], by=SECRETARY, now=NOW)
        for user, unit in ((AN, units[0]), (BINH, units[1])):
            represent(s, bloc, unit, user, by=SECRETARY, now=NOW)
        vote = votes.prepare(session=s, bloc=bloc, by=SECRETARY, now=NOW, ballot=[
            BallotLine("CO_TINH", 1, tuple(u.id for u in units))])
        s.flush()
        votes.open_vote(session=s, vote=vote, voters=[u.id for u in units],
                        rules=Rules(threshold=50, strictly_more=False, base="members", self_vote=False).as_dict(),
                        deadline_milestone_id=None, by=SECRETARY, now=NOW, default_quotas={})
    return bloc, units


def _registration_draft(db, user: int, unit_id: int, message_id: int, now: datetime = NOW):
    with db.connection() as c:
        step = registration.start(c, user_id=user, unit_id=unit_id, message_id=message_id, now=now)
    return step.draft


def _ballot_draft(db, user: int, unit_id: int, message_id: int, now: datetime = NOW, seal: Seal = SEAL):
    with db.session() as s:
        step = ballot.start(s, user_id=user, unit_id=unit_id, now=now, seal=seal)
    with db.session() as s:
        return votes.save_draft(session=s, draft=step.draft, now=now, seal=seal, message_id=message_id)


def test_a_press_answers_only_the_draft_s_current_message():
    assert drafts.answers(501, draft_id=7, pressed_draft=7, pressed_message=501)
    assert not drafts.answers(501, draft_id=7, pressed_draft=7, pressed_message=500)  # an earlier step's
    assert not drafts.answers(501, draft_id=7, pressed_draft=8, pressed_message=501)  # another draft's
    assert not drafts.answers(None, draft_id=7, pressed_draft=7, pressed_message=None)  # not shown yet
    assert not drafts.answers(501, draft_id=7, pressed_draft=None, pressed_message=501)  # unreadable data


def test_a_stale_message_is_refused_for_both_kinds(db, bloc):
    _, (so_y_te, _) = bloc
    mine = _registration_draft(db, AN, so_y_te.id, message_id=501)
    with db.connection() as c:
        # Shown again below typed text: only the new message answers.
        registrations.save_draft(session=c, draft=mine, now=NOW, message_id=502)
    with db.connection() as c:
        old = registration.press(c, user_id=AN, draft_id=mine.id, message_id=501, action="t", code="TTLDXS", now=NOW,
                                 timeout=TIMEOUT, catalogue=Catalogue(DEFAULT_TITLES))
    assert old == registration.Refused(registration.Refusal.STALE)

    ballot_draft = _ballot_draft(db, AN, so_y_te.id, message_id=601)
    with db.session() as s:
        old = ballot.move(s, user_id=AN, draft_id=ballot_draft.id, message_id=600, by=1, now=NOW, seal=SEAL)
    assert old == ballot.Refused(ballot.Refusal.STALE)
    with db.session() as s:
        live = ballot.move(s, user_id=AN, draft_id=ballot_draft.id, message_id=601, by=1, now=NOW, seal=SEAL)
    assert isinstance(live, ballot.Step) and live.draft.step == 1


def test_idle_drafts_of_both_kinds_are_swept_and_fresh_ones_kept(db, bloc):
    _, (so_y_te, ban_dan_toc) = bloc
    _registration_draft(db, AN, so_y_te.id, message_id=501)              # idle from NOW
    _ballot_draft(db, AN, so_y_te.id, message_id=601)                    # idle from NOW
    later = NOW + timedelta(minutes=30)
    fresh_registration = _registration_draft(db, BINH, ban_dan_toc.id, message_id=701, now=later)
    fresh_ballot = _ballot_draft(db, BINH, ban_dan_toc.id, message_id=801, now=later)

    with db.session() as s:  # one minute short of the timeout: nothing goes
        assert waits.sweep(s, now=NOW + TIMEOUT - timedelta(minutes=1), timeout=TIMEOUT) == []
    with db.session() as s:
        swept = waits.sweep(s, now=NOW + TIMEOUT, timeout=TIMEOUT)
    assert sorted((e.kind, e.user_id, e.unit.name, e.message_id) for e in swept) == [
        (waits.BALLOT, AN, "Sở Y tế", 601), (waits.REGISTRATION, AN, "Sở Y tế", 501)]
    with db.session() as s:
        assert registrations.draft_of(session=s, user_id=AN) is None
        assert votes.draft_of(session=s, user_id=AN, seal=SEAL) is None
        assert registrations.draft_of(session=s, user_id=BINH).id == fresh_registration.id
        assert votes.draft_of(session=s, user_id=BINH, seal=SEAL).id == fresh_ballot.id


def test_the_sweep_needs_no_seal(db, bloc):
    """The sweep is given no seal and reads no sealed column: a ballot draft sealed under a
    secret the sweep never sees goes like any other."""
    _, (so_y_te, _) = bloc
    _ballot_draft(db, AN, so_y_te.id, message_id=601, seal=Seal("a secret only the ballot knows"))
    with db.session() as s:
        assert [e.kind for e in waits.sweep(s, now=NOW + TIMEOUT, timeout=TIMEOUT)] == [waits.BALLOT]
    with db.session() as s:
        assert votes.draft_of(session=s, user_id=AN, seal=SEAL) is None


def test_an_idle_registration_draft_goes_at_its_next_press_too(db, bloc):
    _, (so_y_te, _) = bloc
    mine = _registration_draft(db, AN, so_y_te.id, message_id=501)
    assert drafts.expired(mine.touched_at, now=NOW + TIMEOUT, timeout=TIMEOUT)
    assert not drafts.expired(mine.touched_at, now=NOW + TIMEOUT - timedelta(seconds=1), timeout=TIMEOUT)
    with db.connection() as c:
        late = registration.press(c, user_id=AN, draft_id=mine.id, message_id=501, action="next",
                                  now=NOW + TIMEOUT, timeout=TIMEOUT, catalogue=Catalogue(DEFAULT_TITLES))
    assert late == registration.Refused(registration.Refusal.TIMED_OUT)
    with db.connection() as c:
        assert registrations.draft_of(session=c, user_id=AN) is None
