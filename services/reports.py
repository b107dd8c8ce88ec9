"""/baocao's decisions: which unit a person may send a report for, the wait for the file,
and taking the file (its kind, not empty, its size, the name it is kept under), kept by
Telegram file id with the list of secretaries it goes to. Each function is one decision in
the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session

from domain import reports as rules
from storage import pending as pending_store
from storage import reports, roles, roster
from storage.models import Bloc, PendingReply, Report, Unit
from storage.users import reachable

WAITING = "report.upload"  # the action of the pending row that waits for the file


class Refusal(StrEnum):
    STALE = "stale"                  # a press that names no unit or no kind of report
    NOT_YOUR_UNIT = "not_your_unit"  # the person does not (or no longer) represent the unit
    NOT_AWAITED = "not_awaited"      # a file while no report is awaited from the person
    FILE = "file"                    # a file not taken (``problem``: domain.reports' codes)


@dataclass(frozen=True)
class Refused:
    code: Refusal
    problem: str | None = None
    filename: str | None = None


@dataclass(frozen=True)
class Upload:
    """A file as Telegram described it (sizes it did not tell are None)."""

    file_id: str
    file_unique_id: str
    file_name: str | None
    size: int | None
    mime_type: str | None


@dataclass(frozen=True)
class Awaiting:
    """The next file in the person's private chat is this unit's report for ``period``."""

    unit: Unit
    bloc: Bloc
    period: str


@dataclass(frozen=True)
class Received:
    report: Report
    unit: Unit
    bloc: Bloc
    secretaries: list[int]  # the secretaries a private message can reach, to forward it to


def acting_for(session: Session, *, user_id: int, unit_id: int | None) -> tuple[Unit, Bloc] | Refused:
    """The unit (and bloc) a press names, if the person represents it now."""
    if unit_id is None:
        return Refused(Refusal.STALE)
    found = next(((u, b) for u, b in roster.units_of_user(session=session, user_id=user_id) if u.id == unit_id), None)
    return found if found is not None else Refused(Refusal.NOT_YOUR_UNIT)


def await_file(session: Session, *, user_id: int, unit_id: int | None, period: str | None, message_id: int,
               now: datetime) -> Awaiting | Refused:
    """The person chose the unit and the kind of report: their private chat now waits for
    that file (any other question waiting there goes)."""
    if period not in rules.PERIODS:
        return Refused(Refusal.STALE)
    found = acting_for(session, user_id=user_id, unit_id=unit_id)
    if isinstance(found, Refused):
        return found
    unit, bloc = found
    pending_store.drop_for(session=session, chat_id=user_id, user_id=user_id)
    session.flush()  # the deletes first: a second press on the same message asks anew on its id
    pending_store.ask(session=session, chat_id=user_id, message_id=message_id, user_id=user_id, action=WAITING,
                      bloc_id=bloc.id, now=now, unit_id=unit.id, period=period)
    return Awaiting(unit, bloc, period)


def _awaited(session: Session, user_id: int, now: datetime) -> PendingReply | None:
    return next((p for p in pending_store.for_chat(session=session, chat_id=user_id)
                 if p.action == WAITING and p.user_id == user_id and p.expires_at > now), None)


def awaited_unit(session: Session, pending: PendingReply) -> Unit | None:
    """The unit a waiting upload is for (to say what is awaited)."""
    return session.get(Unit, pending.payload.unit_id or 0)


def receive(session: Session, *, user_id: int, upload: Upload, now: datetime) -> Received | Refused:
    """A file in the person's private chat: the report awaited from them, if it is taken
    and they still represent its unit; the wait ends with it."""
    waiting = _awaited(session, user_id, now)
    if waiting is None:  # nothing is filed, counted or forwarded
        return Refused(Refusal.NOT_AWAITED)
    filename = rules.stored_name(upload.file_name)
    problem = rules.file_problem(filename, upload.size)
    if problem is not None:
        return Refused(Refusal.FILE, problem=problem, filename=filename)
    found = acting_for(session, user_id=user_id, unit_id=waiting.payload.unit_id)
    if isinstance(found, Refused):
        return Refused(Refusal.NOT_YOUR_UNIT)
    unit, bloc = found
    report = reports.add(session=session, bloc=bloc, unit_id=unit.id, period=waiting.payload.period,
                         file_id=upload.file_id, file_unique_id=upload.file_unique_id, filename=filename,
                         size=upload.size or 0, mime_type=upload.mime_type or "", by=user_id, now=now)
    pending_store.done(session=session, pending=waiting)
    secretaries = [role.user_id for role, user in roles.secretaries(session=session, bloc=bloc) if reachable(user)]
    return Received(report, unit, bloc, secretaries)
