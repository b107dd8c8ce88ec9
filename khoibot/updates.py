"""Updates of different chats and people at once; one chat's or one person's in order.

PTB processes updates one at a time by default, so one representative waiting on Telegram
holds up everyone else. ``OrderedUpdates`` lets updates run concurrently, except that an
update waits for every earlier update that shares its chat or its sender: a person's rapid
presses, or a group's commands, are handled in the order they came, as before.

Why the database stays consistent: sessions are synchronous and never span an ``await``
(storage/db.py), so a session's reads and writes run without any other update in between.
What spans an ``await`` (a conversation's draft: read, talk to Telegram, save) belongs to
one person, whose updates are ordered here. What several people share across an ``await``
(the bloc's status board) has its own lock (handlers/status.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# PTB's own semaphore is only an upper bound on waiting updates: it must never make an update
# wait, or updates could reach the ordering below out of their arrival order.
_WAITING_LIMIT = 1_000_000


def ordering_keys(update: object) -> tuple[tuple[str, int], ...]:
    """What an update must wait its turn for: its chat and its sender."""
    if not isinstance(update, Update):
        return ()
    keys = []
    if update.effective_chat is not None:
        keys.append(("chat", update.effective_chat.id))
    if update.effective_user is not None:
        keys.append(("user", update.effective_user.id))
    return tuple(keys)


class OrderedUpdates(BaseUpdateProcessor):
    """At most ``running`` updates handled at once; those sharing a chat or a sender in
    arrival order."""

    def __init__(self, running: int = 8) -> None:
        super().__init__(_WAITING_LIMIT)
        self.running = running
        self._slots: asyncio.Semaphore | None = None
        # key -> the future of the last update that holds or awaits that key
        self._tails: dict[tuple[str, int], asyncio.Future[None]] = {}
        self.pending = 0  # updates handed over and not yet done, waiting their turn or running

    async def initialize(self) -> None:
        self._slots = asyncio.Semaphore(self.running)

    async def shutdown(self) -> None:
        pass

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        # Runs in arrival order up to here (no await before): take our place in each queue.
        keys = ordering_keys(update)
        self.pending += 1
        mine: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        before = {self._tails[key] for key in keys if key in self._tails}
        for key in keys:
            self._tails[key] = mine
        started = False
        try:
            if before:
                await asyncio.wait(before)  # never cancels the others' futures
            if self._slots is None:
                self._slots = asyncio.Semaphore(self.running)
            async with self._slots:
                started = True
                await coroutine
        finally:
            if not started and asyncio.iscoroutine(coroutine):
                coroutine.close()  # cancelled before its turn: it never ran
            self.pending -= 1
            mine.set_result(None)
            for key in keys:
                if self._tails.get(key) is mine:
                    del self._tails[key]
