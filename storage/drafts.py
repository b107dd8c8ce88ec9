"""What every conversation's draft shares, whatever it drafts: a registration being filled
in (``registration_draft``) or a ballot (``ballot_draft``, its choices sealed: nothing here
reads or writes them). One row per person; the step it is at, the message whose buttons
drive it, and when it was last touched.

Three rules live here, once for both kinds: a press counts only on the draft's current
message (an earlier step's buttons are stale), a draft untouched for the timeout has expired,
and the sweep drops the expired ones (the job then tells their owners). Core statements,
built once: a press runs them, on a Session or a Connection."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Table, bindparam, delete, update

from storage import core
from storage.models import BallotDraft, RegistrationDraft


def expired(touched_at: datetime, *, now: datetime, timeout: timedelta | None) -> bool:
    """Untouched for the whole timeout (None: no timeout)."""
    return timeout is not None and touched_at + timeout <= now


def answers(message_id: int | None, *, draft_id: int | None, pressed_draft: int | None,
            pressed_message: int | None) -> bool:
    """A press answers the draft only when its button names this draft and it was pressed on
    the draft's current message: the buttons of an earlier step, of an ended draft or of
    another person's draft are stale."""
    return (draft_id is not None and pressed_draft == draft_id and message_id is not None
            and pressed_message == message_id)


@dataclass(frozen=True)
class Swept:
    """An idle draft the sweep dropped: whom to tell, about which unit, which buttons to take off."""

    id: int
    user_id: int
    unit_id: int
    message_id: int | None


class Drafts:
    """The rows of one kind of draft (its table)."""

    def __init__(self, table: Table) -> None:
        self.table = t = table
        self._drop = delete(t).where(t.c.id == bindparam("draft_id"))
        self._drop_of = delete(t).where(t.c.user_id == bindparam("user_id"))
        self._touch = update(t).where(t.c.id == bindparam("draft_id"))  # SET: touched_at and the columns given
        self._sweep = (delete(t).where(t.c.touched_at <= bindparam("cutoff"))
                       .returning(t.c.id, t.c.user_id, t.c.unit_id, t.c.message_id))

    def drop(self, *, session, draft_id: int) -> None:
        session.execute(self._drop, {"draft_id": draft_id})

    def drop_of(self, *, session, user_id: int) -> None:
        """Drop the person's draft, if any (/huy, a new draft replacing it)."""
        session.execute(self._drop_of, {"user_id": user_id})

    def touch(self, *, session, draft_id: int, now: datetime, **values) -> None:
        """Write ``values`` to the draft's row, touched now. A draft dropped meanwhile (timed
        out, /huy) stays dropped."""
        session.execute(self._touch, {"draft_id": draft_id, "touched_at": now, **values})

    def sweep(self, *, session, now: datetime, timeout: timedelta) -> list[Swept]:
        """Drop every draft untouched for the timeout (one statement: a draft touched
        meanwhile is not in it), and say which went."""
        rows = session.execute(self._sweep, {"cutoff": now - timeout})
        return [Swept(r.id, r.user_id, r.unit_id, r.message_id) for r in rows]


REGISTRATION = Drafts(core.table(RegistrationDraft))
BALLOT = Drafts(core.table(BallotDraft))
