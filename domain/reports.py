"""The files units send before review meetings: which kinds of report there are, which
files are taken (their kind by extension, not empty, within what a bot may download) and
the name a file is kept and shown under."""

from __future__ import annotations

from pathlib import PurePath

from domain.text import clean

PERIODS = ("midyear", "yearend")  # the report before the mid-year meeting, before the year-end one
MAX_BYTES = 20 * 1024 * 1024  # what a bot may download from Telegram
LIMIT_MB = MAX_BYTES // 2**20
ALLOWED = frozenset({".pdf", ".doc", ".docx", ".xls", ".xlsx", ".odt", ".ods", ".rtf", ".zip", ".rar", ".7z"})
MAX_NAME = 200  # characters of a file name kept (stored, shown)
MAX_SUFFIX = 16  # a longer "extension" is only a dot far into the name

# Why a file is not taken (templates reports.<problem>).
WRONG_KIND, EMPTY, TOO_LARGE = "wrong_kind", "empty_file", "too_large"


def stored_name(raw: str | None) -> str:
    """The file name as stored and shown: no control characters, one line (domain.text.clean),
    at most MAX_NAME characters, shortened in its stem so that the extension stays."""
    name = clean(raw or "") or "baocao"
    if len(name) <= MAX_NAME:
        return name
    suffix = PurePath(name).suffix
    if len(suffix) > MAX_SUFFIX:
        suffix = ""
    return name[:MAX_NAME - len(suffix)].rstrip() + suffix


def file_problem(filename: str, size: int | None) -> str | None:
    """Why a file (its stored name, the size Telegram told) is not taken; None if it is.
    A size Telegram did not tell (None) is no reason to refuse."""
    if PurePath(filename.lower()).suffix not in ALLOWED:
        return WRONG_KIND
    if size == 0:
        return EMPTY
    if (size or 0) > MAX_BYTES:
        return TOO_LARGE
    return None
