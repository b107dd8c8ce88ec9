"""A bloc's group written to at most once per interval: the pinned status board's edits and
the notices to the secretaries.

When every unit of a bloc registers in the same few minutes (at a meeting, on the eve of the
deadline), one group message or board edit per change would be a wall of messages, would
pass Telegram's 20 messages a minute in a group, and would keep the bot busy with the group
while people wait for their own answers. So each kind of write to a bloc's group is paced:
the first request is carried out at once, those that come within the interval after it are
carried out together at its end, outside the updates' slots (khoibot/updates.py).

The requests are in memory. What they show is saved before they are made (the board reads
the database afresh; a notice tells of a change already saved and acknowledged), and a
stopping bot waits for those planned (PTB's ``Application.stop`` waits for its tasks); a
killed one loses at most an interval's notices.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from telegram.error import TelegramError

log = logging.getLogger(__name__)

# Planned writes running at once, over all blocs: a burst in many blocs neither floods
# Telegram nor outgrows the HTTP connections (khoibot/http.py).
_PLANNED_AT_ONCE = 2

Flush = Callable[[list[Any]], Awaitable[None]]


@dataclass
class _Paced:
    """One bloc's writes of one kind: ``pending`` the requests not yet carried out, ``last``
    when the last run began (the event loop's clock), ``later`` a run planned for the end of
    the interval, ``lock`` one run at a time."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    pending: list[Any] = field(default_factory=list)
    last: float = -math.inf
    later: asyncio.Task | None = None


class GroupPacer:
    """Requests of one kind (``what``: "refresh board", "notify secretaries"), per bloc."""

    def __init__(self, what: str) -> None:
        self.what = what
        self._blocs: dict[int, _Paced] = {}

    def busy(self) -> bool:
        """Whether a run is planned or under way (the sandbox waits for them to settle)."""
        return any(state.later is not None or state.lock.locked() for state in self._blocs.values())

    async def request(self, application, bloc_id: int, item: Any, flush: Flush, interval: float) -> None:
        """Ask for ``flush`` to be run with ``item`` among the requests it gets. Runs it now
        (in the caller's update) when the interval has passed; a Telegram error of that run
        reaches the caller, as any of its own calls would."""
        state = self._blocs.setdefault(bloc_id, _Paced())
        state.pending.append(item)
        if state.lock.locked() or state.later is not None:
            return  # the run under way, or the one planned, carries this request too
        await self._run_when_due(application, state, flush, interval)

    async def _run_when_due(self, application, state: _Paced, flush: Flush, interval: float) -> None:
        loop = asyncio.get_running_loop()
        failed: TelegramError | None = None
        async with state.lock:
            while state.pending:
                wait = state.last + interval - loop.time()
                if wait > 0:
                    state.later = application.create_task(self._run_later(application, state, flush, interval, wait),
                                                          name=self.what)
                    break
                items, state.pending = state.pending, []
                state.last = loop.time()
                try:
                    await flush(items)
                except TelegramError as exc:
                    failed = exc
        if failed is not None:
            raise failed

    async def _run_later(self, application, state: _Paced, flush: Flush, interval: float, wait: float) -> None:
        me = asyncio.current_task()
        slots = application.bot_data.setdefault("group_pacing_slots", asyncio.Semaphore(_PLANNED_AT_ONCE))
        try:
            await asyncio.sleep(wait)
            async with slots:
                state.later = None
                await self._run_when_due(application, state, flush, interval)
        except TelegramError as exc:  # best effort, as when it runs in the update that asked for it
            log.warning("side effect failed", extra={"what": self.what, "error": str(exc)})
        finally:
            if state.later is me:
                state.later = None


def pacer(application, what: str) -> GroupPacer:
    """The application's pacer of that kind."""
    pacers = application.bot_data.setdefault("group_pacers", {})
    if what not in pacers:
        pacers[what] = GroupPacer(what)
    return pacers[what]


def pacing_busy(application) -> bool:
    """Whether any paced write is planned or under way."""
    return any(p.busy() for p in application.bot_data.get("group_pacers", {}).values())
