"""The tables. The database is the source of truth for everything a user was told.

Telegram ids are BIGINT: user ids pass 2**31 and supergroup ids are -100… numbers.
Rows that matter historically (units, representatives, roles) are ended with
``removed_at`` instead of being deleted, so last year's records stay readable.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Index, LargeBinary, Text, UniqueConstraint, false as sa_false
from sqlmodel import Field, SQLModel

from domain.ballot import BallotLine, Rules
from domain.questions import Question
from domain.registration import PeopleByTitle as PeopleByTitleValue
from storage.types import BallotLines, PeopleByTitle, QuestionJSON, RulesJSON, UnitIds, UnitIdsByCode, UTCDateTime


def _ts(nullable: bool = False, index: bool = False):
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


def _tg_id(nullable: bool = False, index: bool = False, unique: bool = False):
    return Field(default=None, sa_type=BigInteger, nullable=nullable, index=index, unique=unique)


class RoleKind(StrEnum):
    SECRETARY = "secretary"  # a person
    LEAD = "truong_khoi"  # a unit
    DEPUTY = "pho_khoi"  # a unit


class TgUser(SQLModel, table=True):
    """A Telegram user the bot has seen; whether a private chat with them is open."""

    __tablename__ = "tg_user"
    id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    first_name: str = ""
    last_name: str = ""
    username: str | None = None
    started_at: datetime | None = _ts(nullable=True)  # first private message to the bot
    blocked_at: datetime | None = _ts(nullable=True)  # a DM answered 403 "blocked"
    updated_at: datetime = _ts()


class Bloc(SQLModel, table=True):
    """An emulation bloc; one bloc is one Telegram group."""

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = _tg_id(unique=True)
    name: str
    province: str = ""
    year: int
    created_at: datetime = _ts()
    created_by: int = _tg_id()
    # The local hour day-based reminders go out at; None: the deployment's default.
    reminder_hour: int | None = None
    # Saturdays and Sundays count as days off for its reminders (public holidays always do).
    weekends_off: bool = Field(default=False, sa_column_kwargs={"server_default": sa_false()})


class Unit(SQLModel, table=True):
    """A member unit of a bloc."""

    id: int | None = Field(default=None, primary_key=True)
    bloc_id: int = Field(sa_column=Column(ForeignKey("bloc.id", ondelete="CASCADE"), nullable=False, index=True))
    name: str
    # fold(name): how duplicates and typed names are matched.
    name_key: str = Field(index=True)
    created_at: datetime = _ts()
    removed_at: datetime | None = _ts(nullable=True)


class Representative(SQLModel, table=True):
    """A Telegram user acting for a unit. A unit may have several; a person several units."""

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(sa_column=Column(ForeignKey("unit.id", ondelete="CASCADE"), nullable=False, index=True))
    user_id: int = Field(sa_column=Column(BigInteger, ForeignKey("tg_user.id"), nullable=False, index=True))
    invitation_id: int | None = Field(default=None, foreign_key="invitation.id")
    enrolled_at: datetime = _ts()
    removed_at: datetime | None = _ts(nullable=True)


class Invitation(SQLModel, table=True):
    """A personal deep link for one unit: unguessable, single-use, expiring, revocable."""

    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(unique=True, index=True)
    bloc_id: int = Field(sa_column=Column(ForeignKey("bloc.id", ondelete="CASCADE"), nullable=False, index=True))
    unit_id: int = Field(sa_column=Column(ForeignKey("unit.id", ondelete="CASCADE"), nullable=False, index=True))
    created_by: int = _tg_id()
    created_at: datetime = _ts()
    expires_at: datetime = _ts()
    used_at: datetime | None = _ts(nullable=True)
    used_by: int | None = _tg_id(nullable=True)
    revoked_at: datetime | None = _ts(nullable=True)


class Role(SQLModel, table=True):
    """Who holds a role in a bloc for a year: a secretary (person) or Trưởng/Phó khối (unit)."""

    __table_args__ = (Index("ix_role_bloc_year_kind", "bloc_id", "year", "kind"),)
    id: int | None = Field(default=None, primary_key=True)
    bloc_id: int = Field(sa_column=Column(ForeignKey("bloc.id", ondelete="CASCADE"), nullable=False))
    year: int
    kind: str
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    user_id: int | None = _tg_id(nullable=True)
    created_at: datetime = _ts()
    created_by: int | None = _tg_id(nullable=True)
    removed_at: datetime | None = _ts(nullable=True)


class PendingReply(SQLModel, table=True):
    """A question the bot asked with ForceReply and the answer it waits for.

    In groups a bot in privacy mode sees only commands and replies to its own
    messages, so multi-step input there is "reply to this message"; keeping the
    question in a row lets the answer arrive after a restart.
    """

    __tablename__ = "pending_reply"
    __table_args__ = (UniqueConstraint("chat_id", "message_id"),)
    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = _tg_id()
    message_id: int
    user_id: int = _tg_id()
    bloc_id: int | None = Field(default=None, foreign_key="bloc.id", ondelete="CASCADE")
    action: str
    payload: Question = Field(default_factory=Question, sa_type=QuestionJSON)  # what the answer acts on
    created_at: datetime = _ts()
    expires_at: datetime = _ts()


class AuditLog(SQLModel, table=True):
    """Who changed what, when."""

    __tablename__ = "audit_log"
    id: int | None = Field(default=None, primary_key=True)
    bloc_id: int | None = Field(default=None, foreign_key="bloc.id", index=True, ondelete="CASCADE")
    actor_id: int | None = _tg_id(nullable=True)
    action: str = Field(index=True)
    detail: dict = Field(default_factory=dict, sa_type=JSON)
    at: datetime = _ts(index=True)


class Milestone(SQLModel, table=True):
    """A dated step of a bloc's year, e.g. the registration deadline (kind
    ``registration_deadline``). Moving one keeps the row; cancelling ends it."""

    __table_args__ = (Index("ix_milestone_bloc_year_kind", "bloc_id", "year", "kind"),)
    id: int | None = Field(default=None, primary_key=True)
    bloc_id: int = Field(sa_column=Column(ForeignKey("bloc.id", ondelete="CASCADE"), nullable=False))
    year: int
    kind: str
    at: datetime = _ts()
    place: str = ""
    created_by: int = _tg_id()
    created_at: datetime = _ts()
    cancelled_at: datetime | None = _ts(nullable=True)


class Registration(SQLModel, table=True):
    """One confirmed version of a unit's registration for a year. Every confirmation adds
    a row; the latest (``current``) counts, the earlier ones are the history."""

    __table_args__ = (Index("ix_registration_bloc_year_current", "bloc_id", "year", "current"),)
    id: int | None = Field(default=None, primary_key=True)
    bloc_id: int = Field(sa_column=Column(ForeignKey("bloc.id", ondelete="CASCADE"), nullable=False))
    unit_id: int = Field(sa_column=Column(ForeignKey("unit.id", ondelete="CASCADE"), nullable=False, index=True))
    year: int
    current: bool = True
    withdrawn: bool = False
    collective: list = Field(default_factory=list, sa_type=JSON)  # title codes
    individuals: PeopleByTitleValue = Field(default=(), sa_type=PeopleByTitle)  # (title code, People)
    targets: str = ""
    confirmed_by: int = _tg_id()
    confirmed_at: datetime = _ts()


class RegistrationDraft(SQLModel, table=True):
    """A registration being filled in by one person: the conversation's state, kept in
    the database so it survives a restart of the bot."""

    __tablename__ = "registration_draft"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False, unique=True))
    unit_id: int = Field(sa_column=Column(ForeignKey("unit.id", ondelete="CASCADE"), nullable=False))
    bloc_id: int = Field(sa_column=Column(ForeignKey("bloc.id", ondelete="CASCADE"), nullable=False))
    year: int
    step: str
    data: dict = Field(default_factory=dict, sa_type=JSON)
    message_id: int | None = None  # the bot's message whose buttons drive the current step
    started_at: datetime = _ts()
    touched_at: datetime = _ts()


class Covenant(SQLModel, table=True):
    """A unit's head signed the year's covenant (giao ước thi đua), as its representative confirmed."""

    __table_args__ = (UniqueConstraint("unit_id", "year"),)
    id: int | None = Field(default=None, primary_key=True)
    bloc_id: int = Field(sa_column=Column(ForeignKey("bloc.id", ondelete="CASCADE"), nullable=False))
    unit_id: int = Field(sa_column=Column(ForeignKey("unit.id", ondelete="CASCADE"), nullable=False))
    year: int
    confirmed_by: int = _tg_id()
    confirmed_at: datetime = _ts()


class Reopening(SQLModel, table=True):
    """A secretary let one unit change its registration after the deadline, until ``until``."""

    id: int | None = Field(default=None, primary_key=True)
    bloc_id: int = Field(sa_column=Column(ForeignKey("bloc.id", ondelete="CASCADE"), nullable=False))
    unit_id: int = Field(sa_column=Column(ForeignKey("unit.id", ondelete="CASCADE"), nullable=False, index=True))
    year: int
    until: datetime = _ts()
    created_by: int = _tg_id()
    created_at: datetime = _ts()


class StatusBoard(SQLModel, table=True):
    """The bloc's registration status message, kept pinned and edited in place."""

    __tablename__ = "status_board"
    __table_args__ = (UniqueConstraint("bloc_id", "year"),)
    id: int | None = Field(default=None, primary_key=True)
    bloc_id: int = Field(sa_column=Column(ForeignKey("bloc.id", ondelete="CASCADE"), nullable=False))
    year: int
    chat_id: int = _tg_id()
    message_id: int
    pinned: bool = False
    # Told the group once that the bot lacks the right to pin.
    pin_refusal_told: bool = False


class Report(SQLModel, table=True):
    """A file a unit sent before a review meeting (its report or self-score), kept for
    the secretary by Telegram file id."""

    __table_args__ = (Index("ix_report_bloc_year_period", "bloc_id", "year", "period"),)
    id: int | None = Field(default=None, primary_key=True)
    bloc_id: int = Field(sa_column=Column(ForeignKey("bloc.id", ondelete="CASCADE"), nullable=False))
    unit_id: int = Field(sa_column=Column(ForeignKey("unit.id", ondelete="CASCADE"), nullable=False))
    year: int
    period: str  # "midyear" or "yearend"
    file_id: str
    file_unique_id: str = ""
    filename: str
    size: int = 0
    mime_type: str = ""
    sent_by: int = _tg_id()
    sent_at: datetime = _ts()


class Reminder(SQLModel, table=True):
    """One reminder before a milestone. The row is the truth; APScheduler only wakes the
    bot up. ``status`` goes pending → claimed (before anything is sent) → sent; or
    missed (fell due while the bot was down, too late) or cancelled (milestone moved)."""

    __table_args__ = (Index("ix_reminder_status_due", "status", "due_at"),)
    id: int | None = Field(default=None, primary_key=True)
    bloc_id: int = Field(sa_column=Column(ForeignKey("bloc.id", ondelete="CASCADE"), nullable=False, index=True))
    milestone_id: int = Field(sa_column=Column(ForeignKey("milestone.id", ondelete="CASCADE"), nullable=False,
                                               index=True))
    due_at: datetime = _ts()
    label: str  # "7d", "3d", "1d", "2h", "morning"
    status: str = "pending"
    claimed_at: datetime | None = _ts(nullable=True)
    done_at: datetime | None = _ts(nullable=True)
    note: str = ""  # why it ended so: a code of storage/reminders.py (NOTE_*), named by the yearly export
    moved_from: datetime | None = _ts(nullable=True)  # planned then, but that was a day off: moved to due_at


class ReminderDelivery(SQLModel, table=True):
    """Who one reminder goes to; a recipient is marked sent right after its message, so a
    reminder interrupted half-way goes on with the others and repeats nobody."""

    __tablename__ = "reminder_delivery"
    __table_args__ = (UniqueConstraint("reminder_id", "chat_id"),)
    id: int | None = Field(default=None, primary_key=True)
    reminder_id: int = Field(sa_column=Column(ForeignKey("reminder.id", ondelete="CASCADE"), nullable=False))
    chat_id: int = _tg_id()
    status: str = "pending"  # pending, sending, sent, unreachable, unsure (storage/reminders.py)
    done_at: datetime | None = _ts(nullable=True)


# ---- the year-end review: scores, the secret ballot, results, documents ----------------------

def _bloc_fk(index: bool = False):
    return Field(sa_column=Column(ForeignKey("bloc.id", ondelete="CASCADE"), nullable=False, index=index))


def _unit_fk(index: bool = False):
    return Field(sa_column=Column(ForeignKey("unit.id", ondelete="CASCADE"), nullable=False, index=index))


class PointsTable(SQLModel, table=True):
    """The bloc's points table (bảng chấm điểm) for a year: criteria with maximum points.
    Without a row, the deployment's default table (config ``[scores]``) applies."""

    __tablename__ = "points_table"
    __table_args__ = (UniqueConstraint("bloc_id", "year"),)
    id: int | None = Field(default=None, primary_key=True)
    bloc_id: int = _bloc_fk()
    year: int
    # JSON rows [{"name": str, "max": float}]; storage/scores.py reads and writes them as
    # domain.scores.Criterion, nothing else touches them.
    criteria: list[dict] = Field(default_factory=list, sa_type=JSON)
    set_by: int = _tg_id()
    set_at: datetime = _ts()


class BlocQuota(SQLModel, table=True):
    """The bloc's quota for one title in a year (how many units it may propose), set by a
    secretary at any time until the year's ballot opens. Without a row, the catalogue's
    default applies (storage/quotas.py)."""

    __tablename__ = "bloc_quota"
    __table_args__ = (UniqueConstraint("bloc_id", "year", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    bloc_id: int = _bloc_fk()
    year: int
    code: str
    quota: int
    set_by: int = _tg_id()
    set_at: datetime = _ts()


class Score(SQLModel, table=True):
    """A unit's points for one criterion (by position in the points table): what the unit
    entered, and the secretary's adjustment with its reason. Every change is audited."""

    __table_args__ = (UniqueConstraint("unit_id", "year", "criterion"),
                      Index("ix_score_bloc_year", "bloc_id", "year"))
    id: int | None = Field(default=None, primary_key=True)
    bloc_id: int = _bloc_fk()
    unit_id: int = _unit_fk()
    year: int
    criterion: int  # 0-based position in the points table
    self_points: float | None = None
    self_by: int | None = _tg_id(nullable=True)
    self_at: datetime | None = _ts(nullable=True)
    adjusted_points: float | None = None
    adjusted_reason: str = ""
    adjusted_by: int | None = _tg_id(nullable=True)
    adjusted_at: datetime | None = _ts(nullable=True)


class Vote(SQLModel, table=True):
    """The bloc's secret ballot (bỏ phiếu suy tôn) for a year: prepared (``draft``), ``open``,
    ``closed``. What is on the ballot, who was issued one and the rules are fixed when it opens."""

    __table_args__ = (UniqueConstraint("bloc_id", "year"),)
    id: int | None = Field(default=None, primary_key=True)
    bloc_id: int = _bloc_fk()
    year: int
    status: str = "draft"
    # Its lines, in catalogue order, then next year's leaders ("LEAD", "DEPUTY") when the ballot
    # elects them; stored as [{"code", "quota", "candidates": [unit ids], "added": [unit ids]}].
    ballot: tuple[BallotLine, ...] = Field(default=(), sa_type=BallotLines)
    voters: tuple[int, ...] = Field(default=(), sa_type=UnitIds)  # unit ids issued a ballot
    # Fixed when it opens (None before): stored as {threshold, strictly_more, base, self_vote}.
    rules: Rules | None = Field(default=None, sa_type=RulesJSON)
    # The meeting's decisions on ties the tally left open: {"<code>": [unit ids]}.
    decisions: dict[str, tuple[int, ...]] = Field(default_factory=dict, sa_type=UnitIdsByCode)
    deadline_milestone_id: int | None = Field(default=None, foreign_key="milestone.id")
    progress_message_id: int | None = None
    created_by: int = _tg_id()
    created_at: datetime = _ts()
    opened_by: int | None = _tg_id(nullable=True)
    opened_at: datetime | None = _ts(nullable=True)
    closed_by: int | None = _tg_id(nullable=True)  # None with closed_at set: closed at the deadline
    closed_at: datetime | None = _ts(nullable=True)
    # The review meeting as the secretary recorded it for the minutes: how many member units
    # attended (None: the units that voted) and who chaired (None: not recorded yet).
    attended: int | None = None
    chair: str | None = None
    # Sealed ballots the close could not open (the deployment's secret changed meanwhile):
    # not counted, and said so with the result.
    unopened: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class BallotCast(SQLModel, table=True):
    """That a unit voted, and when: never what it chose (that is sealed in ``sealed_ballot``
    until the close, then only totals in ``vote_count``)."""

    __tablename__ = "ballot_cast"
    __table_args__ = (UniqueConstraint("vote_id", "unit_id"),)
    id: int | None = Field(default=None, primary_key=True)
    vote_id: int = Field(sa_column=Column(ForeignKey("vote.id", ondelete="CASCADE"), nullable=False))
    unit_id: int = _unit_fk()
    cast_by: int = _tg_id()
    cast_at: datetime = _ts()


class SealedBallot(SQLModel, table=True):
    """A cast ballot in the box, sealed (storage/sealing.py): ciphertext of one fixed size
    under a key that is not in the database, no unit, no time, a random id (no order). Opened
    and counted into ``vote_count`` when the vote closes, then deleted."""

    __tablename__ = "sealed_ballot"
    id: str = Field(primary_key=True, max_length=32)
    vote_id: int = Field(sa_column=Column(ForeignKey("vote.id", ondelete="CASCADE"), nullable=False, index=True))
    sealed: str = Field(sa_column=Column(Text, nullable=False))


class VoteCount(SQLModel, table=True):
    """The ballot box's totals per title and candidate, written once when the vote closes
    (all zero while it is open, so nobody sees counts move). Holds no trace of who cast them."""

    __tablename__ = "vote_count"
    __table_args__ = (UniqueConstraint("vote_id", "code", "unit_id"),)
    id: int | None = Field(default=None, primary_key=True)
    vote_id: int = Field(sa_column=Column(ForeignKey("vote.id", ondelete="CASCADE"), nullable=False))
    code: str
    unit_id: int = _unit_fk()
    votes: int = 0
    # Ballots returned for this title (same for every candidate of it; kept on each row so
    # the box needs no second table).
    returned: int = 0


class BallotDraft(SQLModel, table=True):
    """A ballot being filled in by a representative, until confirmed (then deleted in the
    same transaction that puts it in the box)."""

    __tablename__ = "ballot_draft"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=Column(BigInteger, nullable=False, unique=True))
    vote_id: int = Field(sa_column=Column(ForeignKey("vote.id", ondelete="CASCADE"), nullable=False))
    unit_id: int = _unit_fk()
    step: int = 0  # index into the vote's ballot; len(ballot) is the review
    # {"<code>": [unit ids]}, sealed (storage/sealing.py): the row names the unit, so what it
    # chose is never written in the clear (storage/votes.Draft carries it opened).
    sealed: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    message_id: int | None = None
    started_at: datetime = _ts()
    touched_at: datetime = _ts()


class YearResult(SQLModel, table=True):
    """What a unit was proposed for in a year, with what vote: the data of later years'
    consecutive-year checks. Written when the tally is final; also recorded by hand."""

    __tablename__ = "year_result"
    __table_args__ = (UniqueConstraint("unit_id", "year", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    bloc_id: int = _bloc_fk(index=True)
    unit_id: int = _unit_fk()
    year: int
    code: str
    proposed: bool = True
    votes: int | None = None
    percent: float | None = None
    note: str = ""
    source: str = "vote"  # "vote" or "secretary"
    recorded_at: datetime = _ts()


class ReviewDocument(SQLModel, table=True):
    """A generated document (minutes, list, proposal, list workbook), every version kept."""

    __tablename__ = "review_document"
    __table_args__ = (UniqueConstraint("bloc_id", "year", "kind", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    bloc_id: int = _bloc_fk()
    year: int
    kind: str  # minutes, list, proposal, list_xlsx
    version: int
    filename: str
    content: bytes = Field(sa_type=LargeBinary)
    # What the document was made from (a hash of the review record): the same data is not
    # made into a new version.
    fingerprint: str = ""
    file_id: str | None = None  # Telegram's id once sent, to send again without uploading
    created_by: int = _tg_id()
    created_at: datetime = _ts()


# ---- the province's level: its officers, its group, the blocs' dossiers ----------------------

class ProvinceOfficer(SQLModel, table=True):
    """An officer of a province's Ban Thi đua – Khen thưởng added by another officer (those
    the deployer names are in the configuration)."""

    __tablename__ = "province_officer"
    __table_args__ = (Index("ix_province_officer_code_user", "province", "user_id"),)
    id: int | None = Field(default=None, primary_key=True)
    province: str  # the configured province's code
    user_id: int = _tg_id()
    added_by: int = _tg_id()
    added_at: datetime = _ts()
    removed_at: datetime | None = _ts(nullable=True)


class ProvinceGroup(SQLModel, table=True):
    """The officers' group of a province (one per province: a new one replaces the old), and
    its pinned province board."""

    __tablename__ = "province_group"
    id: int | None = Field(default=None, primary_key=True)
    province: str = Field(unique=True)
    chat_id: int = _tg_id(unique=True)
    board_message_id: int | None = None
    set_by: int = _tg_id()
    set_at: datetime = _ts()


class Dossier(SQLModel, table=True):
    """A bloc's dossier sent to its province: which version of the year's documents, by whom, when."""

    __table_args__ = (Index("ix_dossier_bloc_year", "bloc_id", "year"),)
    id: int | None = Field(default=None, primary_key=True)
    bloc_id: int = _bloc_fk()
    year: int
    version: int
    sent_by: int = _tg_id()
    sent_at: datetime = _ts()


# ---- updates: each handled once ---------------------------------------------------------------

class ProcessedUpdate(SQLModel, table=True):
    """An update this bot has finished handling. Telegram delivers an update again until the
    bot confirms a later offset (getUpdates) or answers the webhook; a bot killed in between
    gets it twice. The row, written once the handlers are done, makes the second delivery a
    no-op. Rows are pruned after Telegram's 24 hours of keeping updates have long passed."""

    __tablename__ = "processed_update"
    bot_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    handled_at: datetime = _ts(index=True)
