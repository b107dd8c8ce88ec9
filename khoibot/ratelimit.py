"""TelegramLimits: every Bot API call of the bot goes through here (PTB's rate-limiter hook).

Sending calls (messages, edits, pins, chat actions...) are kept under Telegram's limits:
30 per second overall, 1 per second per private chat, 20 per minute per group. A 429 is
waited out and the same call is made again; time-outs and network/5xx errors are retried
with exponential back-off; Telegram's answers about the call itself (BadRequest, Forbidden,
ChatMigrated, InvalidToken, Conflict...) are raised at once.

How it keeps the limits:

* Each chat is a queue of its own: its calls go one at a time, in arrival order, retries
  included (so a 429 or a 502 never reorders the messages of one chat). A call waits for
  its chat's window, then joins the single overall queue (first come, first served), so a
  saturated group never holds up messages to other chats.
* A window counts each call from the moment its answer came back, and a call still in flight
  as not finished yet. Telegram stamps a call somewhere between our sending it and getting
  the answer, so counting from the answer never under-counts, whatever the latency.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from dataclasses import dataclass, fields
from typing import Any

from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

#: Calls that post to a chat and so count against Telegram's sending limits.
SENDING_ENDPOINTS: frozenset[str] = frozenset({
    "sendMessage", "sendPhoto", "sendAudio", "sendDocument", "sendVideo", "sendAnimation",
    "sendVoice", "sendVideoNote", "sendPaidMedia", "sendMediaGroup", "sendLocation", "sendVenue",
    "sendContact", "sendPoll", "sendChecklist", "sendDice", "sendSticker", "sendInvoice", "sendGame",
    "sendChatAction", "forwardMessage", "forwardMessages", "copyMessage", "copyMessages",
    "editMessageText", "editMessageCaption", "editMessageMedia", "editMessageReplyMarkup",
    "editMessageLiveLocation", "stopMessageLiveLocation", "stopPoll",
    "pinChatMessage", "unpinChatMessage", "unpinAllChatMessages",
})

_Callback = Callable[..., Coroutine[Any, Any, Any]]


@dataclass
class LimiterStats:
    """Counters a benchmark reads (``limiter.stats``)."""

    calls: int = 0  # process_request calls (getUpdates excluded)
    throttled: int = 0  # calls that had to wait for a sending slot
    waited_seconds: float = 0.0  # total time calls waited for sending slots (queueing included)
    retries_after_429: int = 0
    retries_after_errors: int = 0  # retries after TimedOut / NetworkError (5xx, connection)
    retry_wait_seconds: float = 0.0  # total time slept before retries (429 waits and back-off)
    gave_up: int = 0  # calls whose last retryable error was raised to the caller

    def reset(self) -> None:
        for f in fields(self):
            setattr(self, f.name, f.default)


class _Window:
    """At most ``limit`` calls in any ``period`` seconds, each counted from its completion;
    calls in flight count too."""

    __slots__ = ("done", "inflight", "limit", "period")

    def __init__(self, limit: int, period: float) -> None:
        self.limit = limit
        self.period = period
        self.done: deque[float] = deque()  # completion times, ascending
        self.inflight = 0

    def delay(self, now: float) -> float | None:
        """Seconds until one more call may start; None while that depends on calls in flight."""
        done = self.done
        while done and done[0] + self.period <= now:
            done.popleft()
        excess = self.inflight + len(done) - self.limit + 1
        if excess <= 0:
            return 0.0
        if excess <= len(done):
            return max(0.0, done[excess - 1] + self.period - now)
        return None

    def finish(self, now: float) -> None:
        self.inflight -= 1
        self.done.append(now)


class _Chat:
    __slots__ = ("lock", "users", "window")

    def __init__(self, window: _Window) -> None:
        self.lock = asyncio.Lock()
        self.window = window
        self.users = 0  # calls holding or waiting for the lock


class TelegramLimits(BaseRateLimiter[int]):
    """Rate limiter and retrier for PTB's ``ExtBot`` (``ApplicationBuilder().rate_limiter(...)``).

    ``rate_limit_args`` (an int, e.g. ``bot.send_message(..., rate_limit_args=1)``) overrides
    ``max_tries`` for one call. ``clock`` and ``sleep`` are injectable for tests.
    """

    def __init__(
        self,
        *,
        overall_per_second: int = 30,
        private_interval: float = 1.0,
        group_per_minute: int = 20,
        max_tries: int = 6,
        backoff_base: float = 0.5,
        backoff_max: float = 4.0,
        max_429_retries: int = 5,
        retry_margin: float = 0.1,
        limited_endpoints: Iterable[str] = SENDING_ENDPOINTS,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        forget_after: int = 1024,
    ) -> None:
        self.overall_per_second = overall_per_second
        self.private_interval = private_interval
        self.group_per_minute = group_per_minute
        self.max_tries = max(1, max_tries)
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.max_429_retries = max_429_retries
        self.retry_margin = retry_margin
        self.limited_endpoints = frozenset(limited_endpoints)
        self.forget_after = forget_after
        self._clock = clock
        self._sleep = sleep
        self.stats = LimiterStats()
        self._reset_state()

    def _reset_state(self) -> None:
        self._overall = _Window(self.overall_per_second, 1.0)
        self._overall_lock = asyncio.Lock()
        self._chats: dict[int | str, _Chat] = {}
        self._release: asyncio.Future | None = None

    async def initialize(self) -> None:
        """Fresh queues (bound to the running event loop); stats are kept."""
        self._reset_state()

    async def shutdown(self) -> None:
        """Nothing to close."""

    # ------------------------------------------------------------------ the hook
    async def process_request(
        self,
        callback: _Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        if endpoint == "getUpdates":  # the updater retries on its own
            return await callback(*args, **kwargs)
        self.stats.calls += 1
        arrived = self._clock()
        max_tries = rate_limit_args if isinstance(rate_limit_args, int) and rate_limit_args > 0 \
            else self.max_tries
        chat_id = _chat_key(data)
        if endpoint not in self.limited_endpoints:
            return await self._run(callback, args, kwargs, endpoint, chat_id, None, max_tries, arrived)
        if chat_id is None:  # e.g. an inline message edit: only the overall limit applies
            return await self._run(callback, args, kwargs, endpoint, chat_id, False, max_tries, arrived)
        chat = self._chat(chat_id)
        chat.users += 1
        try:
            async with chat.lock:
                return await self._run(callback, args, kwargs, endpoint, chat_id, chat, max_tries, arrived)
        finally:
            chat.users -= 1
            if len(self._chats) > self.forget_after:
                self._forget_idle_chats()

    # ------------------------------------------------------------------ one call, with retries
    async def _run(self, callback: _Callback, args: Any, kwargs: dict[str, Any], endpoint: str,
                   chat_id: int | str | None, chat: _Chat | bool | None, max_tries: int,
                   started: float) -> Any:
        """``chat``: None = not limited, False = overall limit only, a _Chat = both."""
        tries = 0
        after_429 = 0
        first = True
        while True:
            windows: list[_Window] = []
            if chat is not None:
                windows = await self._take(chat or None)
                waited = self._clock() - started
                self.stats.waited_seconds += waited
                if first and waited > 0.001:
                    self.stats.throttled += 1
            first = False
            tries += 1
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if after_429 >= self.max_429_retries:
                    self._give_up(endpoint, chat_id, exc)
                    raise
                after_429 += 1
                tries -= 1  # a 429 is Telegram asking us to wait, not a failed try
                delay = _retry_after_seconds(exc) + self.retry_margin
                self.stats.retries_after_429 += 1
                log.info("429 on %s to chat %s: retrying in %.2f s", endpoint, chat_id, delay,
                         extra={"method": endpoint, "chat_id": chat_id, "retry_in": delay})
            except BadRequest:  # a NetworkError subclass, but Telegram's verdict on the call
                raise
            except NetworkError as exc:  # TimedOut, 5xx, connection errors
                if tries >= max_tries:
                    self._give_up(endpoint, chat_id, exc)
                    raise
                delay = min(self.backoff_base * 2 ** (tries - 1), self.backoff_max)
                self.stats.retries_after_errors += 1
                log.info("%s on %s to chat %s (try %d of %d): retrying in %.2f s",
                         type(exc).__name__, endpoint, chat_id, tries, max_tries, delay,
                         extra={"method": endpoint, "chat_id": chat_id, "error": type(exc).__name__,
                                "retry_in": delay})
            finally:
                self._finish(windows)
            await self._sleep(delay)
            self.stats.retry_wait_seconds += delay
            started = self._clock()

    def _give_up(self, endpoint: str, chat_id: int | str | None, exc: Exception) -> None:
        self.stats.gave_up += 1
        log.warning("%s on %s to chat %s: giving up", type(exc).__name__, endpoint, chat_id,
                    extra={"method": endpoint, "chat_id": chat_id, "error": type(exc).__name__})

    # ------------------------------------------------------------------ slots
    async def _take(self, chat: _Chat | None) -> list[_Window]:
        """Wait for the chat's window (the caller holds the chat's lock), then for the overall
        window in arrival order; returns the windows now counting this call as in flight."""
        taken: list[_Window] = []
        try:
            if chat is not None:
                await self._wait_for(chat.window)
                chat.window.inflight += 1
                taken.append(chat.window)
            async with self._overall_lock:
                await self._wait_for(self._overall)
                self._overall.inflight += 1
                taken.append(self._overall)
        except BaseException:
            for w in taken:  # cancelled while waiting: the call never started
                w.inflight -= 1
            self._notify()
            raise
        return taken

    async def _wait_for(self, window: _Window) -> None:
        while True:
            delay = window.delay(self._clock())
            if delay == 0:
                return
            if delay is not None:
                await self._sleep(delay)
                continue
            # Full of calls in flight: wait until one of them ends.
            await asyncio.shield(self._released())

    def _finish(self, windows: list[_Window]) -> None:
        if not windows:
            return
        now = self._clock()
        for w in windows:
            w.finish(now)
        self._notify()

    def _released(self) -> asyncio.Future:
        if self._release is None or self._release.done():
            self._release = asyncio.get_running_loop().create_future()
        return self._release

    def _notify(self) -> None:
        if self._release is not None and not self._release.done():
            self._release.set_result(None)

    # ------------------------------------------------------------------ per-chat state
    def _chat(self, chat_id: int | str) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            private = isinstance(chat_id, int) and chat_id > 0
            window = _Window(1, self.private_interval) if private else _Window(self.group_per_minute, 60.0)
            chat = self._chats[chat_id] = _Chat(window)
        return chat

    def _forget_idle_chats(self) -> None:
        now = self._clock()
        for key, chat in list(self._chats.items()):
            if chat.users == 0 and chat.window.delay(now) == 0 and not chat.window.done:
                del self._chats[key]


def _chat_key(data: dict[str, Any]) -> int | str | None:
    chat_id = data.get("chat_id")
    if chat_id is None:
        return None
    with contextlib.suppress(TypeError, ValueError):
        return int(chat_id)
    return str(chat_id)  # "@channelusername": treated as a group


def _retry_after_seconds(exc: RetryAfter) -> float:
    delta = getattr(exc, "_retry_after", None)  # a timedelta; the public attribute warns in PTB 22
    if delta is not None:
        return delta.total_seconds()
    return float(exc.retry_after)  # pragma: no cover
