"""Fault injection, Telegram's sending limits, and the counters a benchmark reads."""

from __future__ import annotations

import math
import random
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

KINDS = ("429", "500", "502", "503", "504", "stall", "lost")
# "stall": the request is held and never takes effect (as if Telegram never got it);
# "lost":  the request takes effect but the answer is held (as if the answer got lost),
#          which is how a retrying client ends up sending something twice.


@dataclass
class Fault:
    kind: str
    retry_after: int = 1
    seconds: float = 60.0


@dataclass
class _Rule:
    method: str | None  # lower-case method name, None = any but getUpdates
    remaining: int
    fault: Fault
    chat_id: int | None = None  # only calls naming this chat


@dataclass
class SendRecord:
    method: str
    chat_id: int
    message_id: int
    text: str | None
    at: float


@dataclass
class Stats:
    calls: Counter = field(default_factory=Counter)  # method -> requests received
    errors: Counter = field(default_factory=Counter)  # (method, error_code) -> error answers
    # Every call Telegram would have refused: (method, error_code, description). The faults a
    # test injected (fail_next, random_failures) are kept apart in `injected`; 429s of
    # enforce_rates are refusals (the bot sent faster than Telegram allows).
    refusals: list[tuple[str, int, str]] = field(default_factory=list)
    injected: list[tuple[str, int, str]] = field(default_factory=list)
    rate_limited: int = 0  # 429s answered because of enforce_rates
    faults: Counter = field(default_factory=Counter)  # kind -> faults injected
    sends: list[SendRecord] = field(default_factory=list)  # every send/edit that took effect
    # Every getUpdates as it came: (the stand-in's clock, the caller's TCP port), to tell who polls.
    polls: list[tuple[float, int]] = field(default_factory=list)

    @property
    def faults_injected(self) -> int:
        return sum(self.faults.values())

    @property
    def too_many_requests(self) -> int:
        """Every 429 answered, injected or enforced."""
        return self.rate_limited + self.faults["429"]

    def sent(self, method: str | None = None, chat_id: int | None = None) -> list[SendRecord]:
        return [s for s in self.sends
                if (method is None or s.method == method) and (chat_id is None or s.chat_id == chat_id)]

    def reset(self) -> None:
        self.calls.clear()
        self.errors.clear()
        self.faults.clear()
        self.rate_limited = 0
        self.sends.clear()
        self.polls.clear()


class RateLimiter:
    """Telegram's limits on sends: 30/s overall, 1/s per private chat, 20/min per group."""

    def __init__(self, clock: Callable[[], float]):
        self.clock = clock
        self.enabled = False
        self.per_second = 30
        self.private_interval = 1.0
        self.group_per_minute = 20
        self._all: deque[float] = deque()
        self._chats: dict[int, deque[float]] = {}

    def retry_after(self, chat_id: int, private: bool) -> int | None:
        """Seconds to wait, or None if a send to chat_id may go now."""
        if not self.enabled:
            return None
        now = self.clock()
        waits = []
        _expire(self._all, now - 1.0)
        if len(self._all) >= self.per_second:
            waits.append(self._all[0] + 1.0 - now)
        times = self._chats.get(chat_id)
        if times:
            window, limit = (self.private_interval, 1) if private else (60.0, self.group_per_minute)
            _expire(times, now - window)
            if len(times) >= limit:
                waits.append(times[-limit] + window - now)
        if not waits:
            return None
        return max(1, math.ceil(max(waits) - 1e-9))

    def record(self, chat_id: int) -> None:
        if not self.enabled:
            return
        now = self.clock()
        self._all.append(now)
        self._chats.setdefault(chat_id, deque()).append(now)

    def reset(self) -> None:
        self._all.clear()
        self._chats.clear()


def _expire(times: deque[float], before: float) -> None:
    while times and times[0] <= before:
        times.popleft()


class Faults:
    """Configured by tests at run time: `standin.faults.fail_next(...)` etc."""

    def __init__(self, clock: Callable[[], float], stats: Stats):
        self.stats = stats
        self.rates = RateLimiter(clock)
        self._rules: list[_Rule] = []
        self._random: tuple[float, tuple[str, ...], random.Random, set[str] | None, Fault] | None = None

    def fail_next(self, method: str | None = "sendMessage", times: int = 1, kind: str = "429",
                  retry_after: int = 1, seconds: float = 60.0, chat_id: int | None = None) -> None:
        """The next `times` calls of `method` (None: any method but getUpdates) fail with `kind`;
        with `chat_id`, only calls to that chat."""
        _check_kind(kind)
        self._rules.append(_Rule(method.lower() if method else None, times,
                                 Fault(kind, retry_after, seconds), chat_id))

    def random_failures(self, rate: float = 0.05, kinds: Iterable[str] = ("429", "502", "stall"),
                        seed: int = 1, methods: Iterable[str] | None = None,
                        retry_after: int = 1, seconds: float = 60.0) -> None:
        """A seeded share `rate` of calls (of `methods`, default all but getUpdates) fail."""
        kinds = tuple(kinds)
        for k in kinds:
            _check_kind(k)
        wanted = {m.lower() for m in methods} if methods is not None else None
        self._random = (rate, kinds, random.Random(seed), wanted, Fault("", retry_after, seconds))

    def enforce_rates(self, enabled: bool = True, *, per_second: int = 30,
                      private_interval: float = 1.0, group_per_minute: int = 20) -> None:
        self.rates.enabled = enabled
        self.rates.per_second = per_second
        self.rates.private_interval = private_interval
        self.rates.group_per_minute = group_per_minute
        self.rates.reset()

    def clear(self) -> None:
        """No more injected faults (rate enforcement is left as it is)."""
        self._rules.clear()
        self._random = None

    @property
    def pending(self) -> list[Any]:
        return [(r.method, r.remaining, r.fault.kind) for r in self._rules]

    def pick(self, method: str, chat_id: Any = None) -> Fault | None:
        """The fault for this call, if any (consumes a fail_next rule)."""
        low = method.lower()
        for rule in self._rules:
            if rule.chat_id is not None and str(rule.chat_id) != str(chat_id):
                continue
            if rule.method == low or (rule.method is None and low != "getupdates"):
                rule.remaining -= 1
                if rule.remaining <= 0:
                    self._rules.remove(rule)
                return rule.fault
        if self._random is not None:
            rate, kinds, rng, wanted, proto = self._random
            eligible = low in wanted if wanted is not None else low != "getupdates"
            if eligible and rng.random() < rate:
                return Fault(rng.choice(kinds), proto.retry_after, proto.seconds)
        return None


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown fault kind {kind!r}; use one of {KINDS}")
