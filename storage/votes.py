"""The secret ballot's rows: the vote, who voted (``ballot_cast``), the sealed ballots
(``sealed_ballot``) and their totals once closed (``vote_count``), ballot drafts (sealed),
results per year, and the documents' versions."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from domain.ballot import BallotLine, BoxTitle, Rules, with_quotas
from storage import audit, drafts
from storage import quotas as bloc_quotas
from storage.models import (BallotCast, BallotDraft, Bloc, ReviewDocument, SealedBallot, Unit, Vote, VoteCount,
                            YearResult)
from storage.sealing import Seal, SealBroken, ballot_purpose, draft_purpose

DRAFT, OPEN, CLOSED = "draft", "open", "closed"


def vote_of(*, session: Session, bloc: Bloc, year: int | None = None) -> Vote | None:
    return session.exec(select(Vote).where(Vote.bloc_id == bloc.id, Vote.year == (year or bloc.year))).first()


def get(*, session: Session, vote_id: int) -> Vote | None:
    return session.get(Vote, vote_id)


def prepare(*, session: Session, bloc: Bloc, ballot: Sequence[BallotLine], by: int, now: datetime) -> Vote:
    vote = Vote(bloc_id=bloc.id, year=bloc.year, ballot=tuple(ballot), created_by=by, created_at=now)
    session.add(vote)
    session.flush()
    audit.record(session=session, bloc_id=bloc.id, actor_id=by, now=now, action="vote.prepare", vote_id=vote.id)
    return vote


def change_ballot(*, session: Session, vote: Vote, ballot: Sequence[BallotLine], by: int, now: datetime, action: str,
                  **detail) -> Vote:
    vote = session.merge(vote)
    vote.ballot = tuple(ballot)
    session.add(vote)
    audit.record(session=session, bloc_id=vote.bloc_id, actor_id=by, now=now, action=action, vote_id=vote.id,
                 **detail)
    return vote


def open_vote(*, session: Session, vote: Vote, voters: list[int], rules: Rules, deadline_milestone_id: int | None,
              by: int, now: datetime, default_quotas: dict[str, int | None]) -> bool:
    """Open a prepared vote: the ballot, its quotas (the bloc's for the year, read once the
    vote's row is taken, so no quota set meanwhile is missed: storage.quotas.set_quota; the
    catalogue's ``default_quotas`` for the titles without one), the voters and the rules are
    fixed from here. Lines without candidates are left off the ballot."""
    done = session.execute(update(Vote).where(Vote.id == vote.id, Vote.status == DRAFT).values(
        status=OPEN, voters=voters, rules=rules, deadline_milestone_id=deadline_milestone_id,
        opened_by=by, opened_at=now)).rowcount == 1
    if done:
        quotas = {**default_quotas, **bloc_quotas.own(session=session, bloc_id=vote.bloc_id, year=vote.year)}
        # Read again under the row's lock: the ballot as it is now, not as the caller saw it.
        current = session.exec(select(Vote.ballot).where(Vote.id == vote.id)).one()
        ballot = [entry for entry in with_quotas(current, quotas) if entry.candidates]
        session.execute(update(Vote).where(Vote.id == vote.id).values(ballot=ballot))
        # The box starts with a zero for every candidate, so a ballot only ever adds.
        session.add_all([VoteCount(vote_id=vote.id, code=entry.code, unit_id=u)
                         for entry in ballot for u in entry.candidates])
        audit.record(session=session, bloc_id=vote.bloc_id, actor_id=by, now=now, action="vote.open",
                     vote_id=vote.id, voters=len(voters))
    return done


def close_vote(*, session: Session, vote_id: int, by: int | None, now: datetime,
               seal: Seal) -> list[tuple[int, int]] | None:
    """Close an open vote (by a secretary, or at the deadline with ``by`` None); only once.
    The sealed ballots are opened and counted, in the same transaction. Ballots being filled
    in are dropped: their (chat, message) are returned, or None when the vote was not open."""
    vote = session.get(Vote, vote_id)
    done = session.execute(update(Vote).where(Vote.id == vote_id, Vote.status == OPEN).values(
        status=CLOSED, closed_by=by, closed_at=now)).rowcount == 1
    if not done:
        return None
    drafts = [(d.user_id, d.message_id) for d in session.exec(select(BallotDraft).where(
        BallotDraft.vote_id == vote_id)) if d.message_id]
    if done:
        _count_the_box(session=session, vote=vote, seal=seal)
        session.execute(delete(BallotDraft).where(BallotDraft.vote_id == vote_id))
        audit.record(session=session, bloc_id=vote.bloc_id, actor_id=by, now=now, action="vote.close",
                     vote_id=vote_id)
    return drafts


def _count_the_box(*, session: Session, vote: Vote, seal: Seal) -> None:
    """Open every sealed ballot of the vote, add them up into ``vote_count`` and delete them:
    from here only totals exist. A ballot that cannot be opened (sealed under a secret since
    changed) is counted on the vote as ``unopened``; the others count as usual."""
    sealed = list(session.exec(select(SealedBallot).where(SealedBallot.vote_id == vote.id)))
    returned: dict[str, int] = {}
    counts: dict[tuple[str, int], int] = {}
    unopened = 0
    for row in sealed:
        try:
            ballot = seal.open(ballot_purpose(vote.id), row.sealed)
        except SealBroken:
            unopened += 1
            continue
        for code, chosen in ballot.items():
            returned[code] = returned.get(code, 0) + 1
            for unit_id in chosen:
                counts[code, unit_id] = counts.get((code, unit_id), 0) + 1
    for row in session.exec(select(VoteCount).where(VoteCount.vote_id == vote.id)):
        row.returned += returned.get(row.code, 0)
        row.votes += counts.get((row.code, row.unit_id), 0)
        session.add(row)
    if unopened:
        session.execute(update(Vote).where(Vote.id == vote.id).values(unopened=unopened))
    session.execute(delete(SealedBallot).where(SealedBallot.vote_id == vote.id))


def set_progress_message(*, session: Session, vote_id: int, message_id: int) -> None:
    session.execute(update(Vote).where(Vote.id == vote_id).values(progress_message_id=message_id))


def record_decision(*, session: Session, vote: Vote, code: str, unit_ids: list[int], by: int, now: datetime) -> Vote:
    vote = session.merge(vote)
    vote.decisions = {**vote.decisions, code: unit_ids}
    session.add(vote)
    audit.record(session=session, bloc_id=vote.bloc_id, actor_id=by, now=now, action="vote.decide",
                 vote_id=vote.id, code=code, unit_ids=unit_ids)
    return vote


def record_meeting(*, session: Session, vote: Vote, by: int, now: datetime, **facts) -> Vote:
    """The review meeting's facts for the minutes, as the secretary records them:
    ``attended`` (member units at the meeting) and/or ``chair`` (who chaired)."""
    vote = session.merge(vote)
    for name, value in facts.items():
        if name not in ("attended", "chair"):
            raise ValueError(f"not a meeting fact: {name!r}")
        setattr(vote, name, value)
    session.add(vote)
    audit.record(session=session, bloc_id=vote.bloc_id, actor_id=by, now=now, action="vote.meeting",
                 vote_id=vote.id, **facts)
    return vote


# ---- casting: who voted is one table, what was chosen another --------------------------

class AlreadyVoted(Exception):
    pass


def cast(*, session: Session, vote: Vote, unit_id: int, choices: dict, by: int, now: datetime,
         seal: Seal) -> BallotCast:
    """Put one ballot in the box: mark the unit as having voted and add its choices, sealed,
    in one transaction (the caller's). Nothing is counted until the close, so no row changes
    with what the unit chose. A unit's second ballot raises AlreadyVoted."""
    if has_voted(session=session, vote_id=vote.id, unit_id=unit_id):
        raise AlreadyVoted
    mark = BallotCast(vote_id=vote.id, unit_id=unit_id, cast_by=by, cast_at=now)
    session.add(mark)
    try:
        session.flush()  # the unique (vote, unit) row: a concurrent second ballot fails here
    except IntegrityError:
        raise AlreadyVoted from None
    chosen = {entry.code: sorted(int(u) for u in choices.get(entry.code, [])) for entry in vote.ballot}
    session.add(SealedBallot(id=secrets.token_hex(16), vote_id=vote.id,
                             sealed=seal.seal(ballot_purpose(vote.id), chosen)))
    session.execute(delete(BallotDraft).where(BallotDraft.vote_id == vote.id, BallotDraft.unit_id == unit_id))
    audit.record(session=session, bloc_id=vote.bloc_id, actor_id=by, now=now, action="vote.cast",
                 vote_id=vote.id, unit_id=unit_id)
    return mark


def has_voted(*, session: Session, vote_id: int, unit_id: int) -> bool:
    return session.exec(select(BallotCast.id).where(BallotCast.vote_id == vote_id,
                                                    BallotCast.unit_id == unit_id)).first() is not None


def cast_marks(*, session: Session, vote_id: int) -> dict[int, BallotCast]:
    return {m.unit_id: m for m in session.exec(select(BallotCast).where(BallotCast.vote_id == vote_id))}


def voted_count(*, session: Session, vote_id: int) -> int:
    return session.exec(select(func.count()).select_from(BallotCast).where(BallotCast.vote_id == vote_id)).one()


def box(*, session: Session, vote_id: int) -> dict[str, BoxTitle]:
    counts: dict[str, dict[int, int]] = {}
    returned: dict[str, int] = {}
    for row in session.exec(select(VoteCount).where(VoteCount.vote_id == vote_id)):
        counts.setdefault(row.code, {})[row.unit_id] = row.votes
        returned[row.code] = row.returned
    return {code: BoxTitle(votes, returned[code]) for code, votes in counts.items()}


# ---- drafts ----------------------------------------------------------------------------
# What every draft shares (dropping, the sweep, the current message, the timeout) is
# storage/drafts.py; here, what only a ballot has: its choices, sealed.

@dataclass(frozen=True)
class Draft:
    """A ballot being filled in, its choices opened (the row holds them sealed)."""

    id: int
    user_id: int
    vote_id: int
    unit_id: int
    step: int
    choices: dict
    message_id: int | None


def _opened(row: BallotDraft, seal: Seal) -> Draft:
    choices = seal.open(draft_purpose(row.vote_id), row.sealed) if row.sealed else {}
    return Draft(id=row.id, user_id=row.user_id, vote_id=row.vote_id, unit_id=row.unit_id, step=row.step,
                 choices=choices, message_id=row.message_id)


def draft_of(*, session: Session, user_id: int, seal: Seal) -> Draft | None:
    row = session.exec(select(BallotDraft).where(BallotDraft.user_id == user_id)).first()
    if row is None:
        return None
    try:
        return _opened(row, seal)
    except SealBroken:  # sealed under another secret: the person starts the ballot again
        session.delete(row)
        return None


def start_draft(*, session: Session, user_id: int, vote_id: int, unit_id: int, now: datetime,
                seal: Seal) -> Draft:
    drafts.BALLOT.drop_of(session=session, user_id=user_id)
    row = BallotDraft(user_id=user_id, vote_id=vote_id, unit_id=unit_id, started_at=now, touched_at=now,
                      sealed=seal.seal(draft_purpose(vote_id), {}))
    session.add(row)
    session.flush()
    return _opened(row, seal)


def save_draft(*, session: Session, draft: Draft, now: datetime, seal: Seal, **changes) -> Draft:
    """``changes``: step, choices, message_id. Choices are sealed anew each time (a fresh
    nonce), so successive versions of the row do not show which choice changed."""
    values = {key: value for key, value in changes.items() if key != "choices"}
    choices = changes.get("choices", draft.choices)
    drafts.BALLOT.touch(session=session, draft_id=draft.id, now=now,
                        sealed=seal.seal(draft_purpose(draft.vote_id), choices), **values)
    return replace(draft, choices=choices, **values)


# ---- results per year and documents --------------------------------------------------------

def replace_results(*, session: Session, bloc: Bloc, year: int, rows: list[YearResult]) -> None:
    """The year's results from the ballot, replaced as a whole (after a correction)."""
    session.execute(delete(YearResult).where(YearResult.bloc_id == bloc.id, YearResult.year == year,
                                             YearResult.source == "vote"))
    session.add_all(rows)


def history(*, session: Session, unit_ids: list[int], before: int) -> dict[int, dict[int, set[str]]]:
    """unit → year → codes it was proposed for, in the years before ``before``."""
    found: dict[int, dict[int, set[str]]] = {}
    if not unit_ids:
        return found
    for row in session.exec(select(YearResult).where(col(YearResult.unit_id).in_(unit_ids),
                                                     YearResult.year < before, YearResult.proposed)):
        found.setdefault(row.unit_id, {}).setdefault(row.year, set()).add(row.code)
    return found


def latest_documents(*, session: Session, bloc_id: int, year: int) -> dict[str, ReviewDocument]:
    rows = session.exec(select(ReviewDocument).where(ReviewDocument.bloc_id == bloc_id, ReviewDocument.year == year)
                        .order_by(ReviewDocument.version))
    return {row.kind: row for row in rows}


def documents_of_version(*, session: Session, bloc_id: int, year: int, version: int) -> list[ReviewDocument]:
    return list(session.exec(select(ReviewDocument).where(ReviewDocument.bloc_id == bloc_id, ReviewDocument.year == year,
                                                          ReviewDocument.version == version)
                             .order_by(ReviewDocument.id)))


def add_document(*, session: Session, bloc_id: int, year: int, kind: str, version: int, filename: str,
                 content: bytes, fingerprint: str, by: int, now: datetime) -> ReviewDocument:
    row = ReviewDocument(bloc_id=bloc_id, year=year, kind=kind, version=version, filename=filename, content=content,
                         fingerprint=fingerprint, created_by=by, created_at=now)
    session.add(row)
    audit.record(session=session, bloc_id=bloc_id, actor_id=by, now=now, action="document.generate", kind=kind,
                 version=version, year=year)
    return row


def next_version(*, session: Session, bloc_id: int, year: int) -> int:
    latest = session.exec(select(func.max(ReviewDocument.version)).where(
        ReviewDocument.bloc_id == bloc_id, ReviewDocument.year == year)).one()
    return (latest or 0) + 1


def remember_file_id(*, session: Session, document_id: int, file_id: str) -> None:
    session.execute(update(ReviewDocument).where(ReviewDocument.id == document_id).values(file_id=file_id))


def units_by_id(*, session: Session, ids: list[int]) -> dict[int, Unit]:
    return {u.id: u for u in session.exec(select(Unit).where(col(Unit.id).in_(ids)))} if ids else {}


def not_voted(*, session: Session, bloc: Bloc) -> set[int]:
    """Units issued a ballot in the bloc's open vote that have not cast it."""
    vote = vote_of(session=session, bloc=bloc)
    if vote is None or vote.status != OPEN:
        return set()
    return set(vote.voters) - set(cast_marks(session=session, vote_id=vote.id))
