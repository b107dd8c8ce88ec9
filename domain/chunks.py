"""Splitting long messages for Telegram: whole lines, each chunk under the limit.

Templates keep every HTML tag within one line, so a chunk made of whole lines is
valid HTML on its own.
"""

from __future__ import annotations

TEXT_LIMIT = 4096
# Past this many chunks a file is the better answer (the caller decides).
MAX_CHUNKS = 4


def utf16_len(text: str) -> int:
    """Telegram counts message length in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def split_lines(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for line in text.split("\n"):
        # A single overlong line (not produced by our templates) is cut hard.
        while utf16_len(line) > limit:
            head, line = line[: limit // 2], line[limit // 2:]
            if current:
                chunks.append("\n".join(current))
                current, size = [], 0
            chunks.append(head)
        extra = utf16_len(line) + (1 if current else 0)
        if current and size + extra > limit:
            chunks.append("\n".join(current))
            current, size = [], 0
            extra = utf16_len(line)
        current.append(line)
        size += extra
    if current:
        chunks.append("\n".join(current))
    # Blank lines at a cut would make a chunk start or end empty.
    return [c.strip("\n") for c in chunks if c.strip()]
