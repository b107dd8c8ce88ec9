"""What the bot is doing, in the Prometheus text format (``GET /metrics`` on its web server),
with the well-kept ``prometheus-client``.

Counted as they happen: updates by kind, the time their handlers took, Bot API calls by
method and outcome (each attempt, retries included: 429s, 5xx, refusals, network errors),
reminders by outcome, database errors. Read when scraped: the rate limiter's waits, the
oldest overdue reminder's age, the ballots open. Each Application has a registry of its own
(a test process starts hundreds of bots).
"""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

# Handler times: most updates take a few milliseconds, a document or a ballot's close seconds.
_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
UPDATE_KINDS = ("message", "edited_message", "callback_query", "my_chat_member", "chat_member",
                "chat_join_request", "message_reaction", "inline_query")


def update_kind(update: object) -> str:
    """Which kind of update (a command is a message that starts with «/»)."""
    message = getattr(update, "message", None)
    if message is not None and (message.text or "").startswith("/"):
        return "command"
    return next((kind for kind in UPDATE_KINDS if getattr(update, kind, None) is not None), "other")


def call_outcome(status: int | None) -> str:
    if status is None:
        return "network"
    if 200 <= status < 300:
        return "ok"
    if status == 429:
        return "retry_after"
    return "server_error" if status >= 500 else "refused"


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        r = self.registry
        self.updates = Counter("khoibot_updates", "Updates handled, by kind", ["kind"], registry=r)
        self.update_seconds = Histogram("khoibot_update_handling_seconds", "Time from an update's start to "
                                        "its handlers' end", registry=r, buckets=_BUCKETS)
        self.api_calls = Counter("khoibot_bot_api_calls", "Bot API requests sent (each attempt), by method "
                                 "and outcome: ok, retry_after (429), server_error (5xx), refused (4xx), network",
                                 ["method", "outcome"], registry=r)
        self.reminders = Counter("khoibot_reminders", "Reminders by outcome: due (taken to send), sent, missed "
                                 "(fell due while the bot was down, too late), unsure (a recipient the bot "
                                 "stopped while sending to)", ["outcome"], registry=r)
        self.database_errors = Counter("khoibot_database_errors", "Errors of the database seen by the bot's "
                                       "error handler", registry=r)

    def watch(self, read: Callable[[], dict[str, float]]) -> None:
        """Values read at each scrape (``read`` returns them by name; see ``_Scraped``)."""
        self.registry.register(_Scraped(read))

    def exposition(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


_SCRAPED = {
    # name: (kind, help)
    "khoibot_rate_limiter_throttled": ("counter", "Bot API calls that waited for a sending slot (Telegram's limits)"),
    "khoibot_rate_limiter_wait_seconds": ("counter", "Seconds calls waited for sending slots"),
    "khoibot_rate_limiter_retries_after_429": ("counter", "Retries after Telegram's 429 (flood wait)"),
    "khoibot_rate_limiter_retries_after_errors": ("counter", "Retries after time-outs and 5xx"),
    "khoibot_rate_limiter_gave_up": ("counter", "Calls that failed after their last retry"),
    "khoibot_oldest_overdue_reminder_seconds": ("gauge", "How long the oldest pending reminder has been due (0: none)"),
    "khoibot_ballots_open": ("gauge", "Votes open now, in every bloc"),
}


class _Scraped:
    def __init__(self, read: Callable[[], dict[str, float]]) -> None:
        self.read = read

    def collect(self):
        values = self.read()
        for name, (kind, help_text) in _SCRAPED.items():
            if name not in values:
                continue
            family = (CounterMetricFamily if kind == "counter" else GaugeMetricFamily)(
                name.removesuffix("_total"), help_text)
            family.add_metric([], values[name])
            yield family


class _Nothing:
    """A metric that counts nothing."""

    def labels(self, *_values: str) -> _Nothing:
        return self

    def inc(self, _amount: float = 1) -> None:
        pass

    def observe(self, _value: float) -> None:
        pass


class NoMetrics:
    """``[web] metrics = false``: the same calls, nothing kept (how the benchmark measures the cost)."""

    def __init__(self) -> None:
        self.updates = self.update_seconds = self.api_calls = self.reminders = self.database_errors = _Nothing()

    def watch(self, _read: Callable[[], dict[str, float]]) -> None:
        pass

    def exposition(self) -> tuple[bytes, str]:
        return b"", CONTENT_TYPE_LATEST
