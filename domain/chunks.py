"""Splitting long messages for Telegram: whole paragraphs where they fit, else whole
lines, each chunk under the limit.

Templates keep every HTML tag within one line, so a chunk made of whole lines is valid
HTML on its own; keeping paragraphs (blocks between blank lines) whole keeps a unit's
name beside its link.
"""

from __future__ import annotations

TEXT_LIMIT = 4096
# Past this many chunks a file is the better answer (the caller decides).
MAX_CHUNKS = 4


def utf16_len(text: str) -> int:
    """Telegram counts message length in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def _cut_long_line(line: str, limit: int) -> list[str]:
    """An overlong line (a long list of names) is cut at spaces, never inside a tag or an
    entity such as &amp;."""
    pieces = []
    while utf16_len(line) > limit:
        cut = line.rfind(" ", 0, limit // 2) if " " in line[: limit // 2] else limit // 2
        head = line[:cut]
        if head.rfind("<") > head.rfind(">"):
            cut = head.rfind("<")
        if head.rfind("&") > head.rfind(";"):
            cut = min(cut, head.rfind("&"))
        cut = max(cut, 1)
        pieces.append(line[:cut])
        line = line[cut:].lstrip(" ")
    pieces.append(line)
    return pieces


def _pack(parts: list[str], joiner: str, limit: int) -> list[str]:
    chunks: list[str] = []
    current = ""
    for part in parts:
        candidate = f"{current}{joiner}{part}" if current else part
        if current and utf16_len(candidate) > limit:
            chunks.append(current)
            current = part
        else:
            current = candidate
    if current:
        chunks.append(current)
    return chunks


def split_lines(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    pieces: list[str] = []
    for paragraph in text.split("\n\n"):
        if utf16_len(paragraph) <= limit:
            pieces.append(paragraph)
            continue
        lines = [cut for line in paragraph.split("\n") for cut in _cut_long_line(line, limit)]
        pieces.extend(_pack(lines, "\n", limit))
    chunks = _pack(pieces, "\n\n", limit)
    return [c.strip("\n") for c in chunks if c.strip()]
