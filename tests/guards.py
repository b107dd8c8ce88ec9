"""The two guards every test that runs the bot ends with (issue 14, "guard the classes"):

A. No person reads an internal code: every text the bot showed (messages and their earlier
   versions, captions, every keyboard it sent, callback answers, command menus, the names and
   the text of the .docx/.xlsx files it sent) is scanned for catalogue and ballot-line codes,
   snake_case identifiers, None/True/False/null, JSON or Python fragments, English words our
   code uses, and template debris. What a person typed (or is named) and the bot repeats is
   theirs, not a leak.
B. Telegram refuses no call the bot makes: the stand-in's refusals (not the faults a test
   injected) are reported.

conftest.py runs both after each test that uses the ``world`` fixture; the markers
``refusals_expected`` / ``codes_expected`` turn one off for a test about exactly that.
"""

from __future__ import annotations

import io
import re
from typing import Iterable, Iterator

from domain.ballot import LEADERS

# Words of our code's English (statuses, field names, log wording) and of Python/JSON, matched
# as whole words in any case. None of them is a Vietnamese syllable or a loanword our texts use
# («bot», «file», «PDF», «Excel», «Telegram», «Mini App», «OK» are not here).
ENGLISH = frozenset("""
    none true false null undefined traceback exception error errors warning debug
    members member voters voter closed opened pending draft drafts expired revoked valid invalid
    added removed cancelled canceled confirmed missed skipped failed running late overdue
    registration registrations ballot ballots vote votes voted quota quotas unit units bloc blocs
    title titles collective individual secretary secretaries representative representatives
    lead leader leaders deputy meeting meetings deadline covenant midyear yearend report reports
    score scores reminder reminders milestone milestones status details detail
    user users the and was were while not too with from for of is are has have been when which
    this that please unknown missing
""".split())
CASED = frozenset({"NaN", "Infinity", *LEADERS})  # whole words, in this case only

DEBRIS = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}|<built-in|\bobject at 0x|<function |<class '|"
                    r"\\n|&(?:amp|lt|gt|quot|#\d+);")
# A JSON object or list, or a Python dict/list repr: {"code": …, {'code': …, ["…, [{, {}, []
JSON = re.compile(r"""[{,]\s*"[^"\n]{1,40}"\s*:|\{\s*'[^'\n]{1,40}'\s*:|\[\s*["'{\[]|\{\s*\}|\[\s*\]""")
# A tag left as text after HTML parsing (escaped twice, or sent without parse_mode)
TAG = re.compile(r"</?(?:b|i|u|s|a|code|pre|tg-spoiler|blockquote)(?:\s[^>]*)?>")
WORD = re.compile(r"\w+")
SNAKE = re.compile(r"\b[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9_]+\b")
# Spans a person reads as they are: links, @usernames, /commands, file names.
ALLOWED_SPANS = re.compile(r"(?:https?://|tg://|t\.me/)\S+|@\w+|(?<![\w/])/\w+|"
                           r"[\w.\-]+\.(?:xlsx|xls|docx|doc|pdf|odt|ods|rtf|zip|rar|7z|csv|txt)\b",
                           re.IGNORECASE)


class Typed:
    """What people typed (messages, captions, file names, their names, group titles): the bot
    may repeat it back, and what it repeats is theirs."""

    def __init__(self, texts: Iterable[str | None] = ()):
        self.raw = "\n".join(t for t in texts if t)
        self.words = frozenset(w.lower() for w in WORD.findall(self.raw))

    def has(self, piece: str) -> bool:
        return piece.lower() in self.words if WORD.fullmatch(piece) else piece in self.raw


def leaks(text: str, codes: Iterable[str] = (), typed: Typed | None = None) -> list[str]:
    """What in ``text`` a person must never read: the offending pieces (empty: clean).

    ``codes`` are the catalogue's codes (whole words, case as written)."""
    typed = typed or Typed()
    found: list[str] = []
    for pattern in (DEBRIS, JSON, TAG):
        found += [m.group() for m in pattern.finditer(text)]
    plain = ALLOWED_SPANS.sub(" ", text)
    found += SNAKE.findall(plain)
    cased = CASED | {c for c in codes if len(c) >= 3}
    found += [w for w in WORD.findall(plain) if w in cased or w.lower() in ENGLISH]
    return [piece for piece in found if not typed.has(piece)]


def what_people_typed(world) -> Typed:
    """Every word people put in: their messages, captions, file names, names, group titles."""
    texts: list[str | None] = []
    for u in world.users.values():
        texts += [u.first_name, u.last_name, u.username]
    for chat in world.chats.values():
        texts.append(chat.title)
        for m in chat.history:
            if m.from_bot:
                continue
            texts += [m.text, m.caption, *m.edits]
            if m.file is not None:
                texts.append(m.file.filename)
    return Typed(texts)


def shown_texts(world) -> Iterator[tuple[str, str]]:
    """(where, text) for everything the bot showed a person."""
    people_files = {id(m.file) for chat in world.chats.values() for m in chat.history
                    if not m.from_bot and m.file is not None}
    read: set[int] = set()
    for m in world.bot_sent:
        where = f"message {m.chat.id}/{m.message_id}"
        for t in (m.text, m.caption, *m.edits):
            if t:
                yield where, t
        if m.file is not None and id(m.file) not in people_files and id(m.file) not in read:
            read.add(id(m.file))
            yield f"{where} file name", m.file.filename
            for t in file_texts(m.file.filename, m.file.content):
                yield f"{where} file {m.file.filename}", t
    for markup in world.keyboards:
        value = markup.value
        for row in value.get("inline_keyboard") or value.get("keyboard") or ():
            for button in row:
                yield "button", button["text"]
        if value.get("input_field_placeholder"):
            yield "reply placeholder", value["input_field_placeholder"]
    for record in world.callbacks.values():
        if record.answer and record.answer.get("text"):
            yield "callback answer", record.answer["text"]
    for commands in world.commands.values():
        for c in commands:
            yield f"command menu /{c['command']}", c["description"]


def transcript_leaks(transcript: str, codes: Iterable[str]) -> tuple[list[tuple[str, list[str]]], int, Typed]:
    """Guard A over a demo's printed conversation: the lines the bot said («│ …») that show a
    person a code or English, what people typed («👤 …: text») allowed back; how many lines
    were read; and what people typed (for the documents' check)."""
    lines = transcript.splitlines()
    people = Typed(line.split(": ", 1)[1] for line in lines if "👤" in line and ": " in line)
    said = [line for line in lines if line.lstrip().startswith("│")]
    return [(line, found) for line in said if (found := leaks(line, codes, people))], len(said), people


def file_texts(filename: str, content: bytes) -> Iterator[str]:
    """The text of a .docx (paragraphs, tables, headers, footers) or an .xlsx (sheet names, cells)."""
    name = filename.lower()
    if name.endswith(".docx"):
        import docx

        document = docx.Document(io.BytesIO(content))
        parts = [document]
        for section in document.sections:
            parts += [section.header, section.footer]
        for part in parts:
            yield from _docx_blocks(part)
    elif name.endswith(".xlsx"):
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        try:
            for sheet in book.worksheets:
                yield sheet.title
                for row in sheet.iter_rows(values_only=True):
                    for value in row:
                        if isinstance(value, bool):
                            yield str(value)  # Excel shows TRUE / FALSE
                        elif isinstance(value, str):
                            yield value
        finally:
            book.close()


def _docx_blocks(part) -> Iterator[str]:
    for p in part.paragraphs:
        if p.text:
            yield p.text
    for table in part.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from _docx_blocks(cell)


def check_codes(world, codes: Iterable[str]) -> list[str]:
    """Guard A: one line per leak, saying where it is."""
    codes = tuple(codes)
    typed = what_people_typed(world)
    problems = []
    seen: set[tuple[str, str]] = set()
    for where, text in shown_texts(world):
        if (where, text) in seen:
            continue
        seen.add((where, text))
        found = leaks(text, codes, typed)
        if found:
            problems.append(f"{where}: {sorted(set(found))} in {text[:300]!r}")
    return problems


def check_refusals(stats) -> list[str]:
    """Guard B: every call Telegram refused (injected faults are not refusals)."""
    return [f"{method}: {code} {description}" for method, code, description in stats.refusals]
