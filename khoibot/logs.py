"""Structured logging: one JSON object (or one plain line) per record, secrets redacted."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def redact(text: str, secrets: list[str]) -> str:
    """``text`` with every secret (the bot token) replaced by ``<token>``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "<token>")
    return text


class RedactFilter(logging.Filter):
    """Replaces secrets (the bot token) wherever they appear in a record."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        record.msg, record.args = redact(message, self.secrets), None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        # Fields passed with extra={...} become keys of their own.
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info or record.exc_text:
            entry["exception"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure(handler: logging.Handler, fmt: str, secrets: list[str]) -> logging.Handler:
    """A handler as a deployment's: secrets redacted, JSON or plain lines."""
    handler.addFilter(RedactFilter(secrets))
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    return handler


def quiet_libraries() -> None:
    # httpx logs every request URL, and the URL contains the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # At DEBUG, PTB logs every call's parameters and answer: what people typed and the
    # invitation links (their tokens are keys to enrol). Those never go to the log.
    logging.getLogger("telegram").setLevel(logging.INFO)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)


def setup_logging(level: str, fmt: str, secrets: list[str]) -> None:
    root = logging.getLogger()
    root.handlers[:] = [configure(logging.StreamHandler(), fmt, secrets)]
    root.setLevel(level)
    quiet_libraries()
