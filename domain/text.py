"""Vietnamese text: normalising, matching, sorting and list parsing."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import TypeVar

T = TypeVar("T")


# Characters that show as blank space but are letters or symbols to Unicode (so neither
# isspace() nor the format category catches them): Hangul fillers, Braille blank, and the
# like. A name written with them looks like another name, or like nothing at all.
_BLANKS = frozenset("\u115f\u1160\u2800\u3164\uffa0\u180e\u2028\u2029")
# Invisible marks that are not format characters (Cf): the combining grapheme joiner,
# Khmer inherent vowels, Mongolian and standard variation selectors.
_INVISIBLE = frozenset("\u034f\u17b4\u17b5\u180b\u180c\u180d\u180f") | frozenset(
    chr(c) for c in (*range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)))


def clean(s: str) -> str:
    """NFC, no control/format/invisible characters, blank-looking ones as spaces, single
    spaces, trimmed."""
    out = []
    for ch in unicodedata.normalize("NFC", s):
        if ch.isspace() or ch in _BLANKS:  # tabs, newlines, NBSP, Hangul filler... (checked before Cc: tab is Cc)
            out.append(" ")
        elif ch not in _INVISIBLE and unicodedata.category(ch) not in ("Cc", "Cf"):
            out.append(ch)
    # NFC again: dropping a zero-width char can bring a base and its accent together
    return " ".join(unicodedata.normalize("NFC", "".join(out)).split())


def shorten(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters: cut after a whole word, marked with «…»
    (a single word longer than the room is cut inside it, still marked)."""
    text = text.strip()
    if len(text) <= limit:
        return text
    room = max(limit - 1, 0)
    head = text[:room]
    if text[room] != " " and " " in head:
        head = head[: head.rindex(" ")]  # the word that does not fit goes whole
    # no dangling separator before the mark: "Hội A –…" reads as "Hội A…"
    head = head.rstrip(" ,;:–—-/(")
    return (head or text[:room]) + "…"


_DASHES = re.compile(r"[\u2010-\u2015\u2212\ufe58\ufe63\uff0d]")
_SPACED_DASH = re.compile(r" ?- ?")


# Cyrillic and Greek letters drawn like Latin ones (after casefold()): «Hội Chữ thập đỏ»
# typed with a Cyrillic «о» is the same name to a person, so to fold() too.
_LOOKALIKES = str.maketrans({
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "һ": "h",
    "ԁ": "d", "ԛ": "q", "ԝ": "w", "ӏ": "l", "ү": "y", "ɡ": "g",
    "α": "a", "β": "b", "ε": "e", "ζ": "z", "η": "h", "ι": "i", "κ": "k", "μ": "m", "ν": "v",
    "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ϲ": "c", "ϳ": "j",
})


def fold(s: str) -> str:
    """Matching key ignoring case, accents, spacing, the kind of dash, compatibility forms
    (full-width letters, ligatures: NFKC) and Cyrillic/Greek look-alike letters."""
    s = unicodedata.normalize("NFKC", clean(s)).casefold().translate(_LOOKALIKES)
    s = unicodedata.normalize("NFD", s)
    s = "".join(c for c in s if unicodedata.category(c) != "Mn").replace("đ", "d")
    s = " ".join(_DASHES.sub("-", s).split())  # removing marks may leave double spaces
    return _SPACED_DASH.sub("-", s)


# --- Vietnamese collation -------------------------------------------------

_ALPHABET = "a ă â b c d đ e ê f g h i j k l m n o ô ơ p q r s t u ư v w x y z".split()
# (base letter, vowel modifier mark or "") -> rank
_LETTER_RANK = {
    (d[0], d[1:]): i
    for i, d in enumerate(unicodedata.normalize("NFD", x) for x in _ALPHABET)
}
# tone order: none, huyền, hỏi, ngã, sắc, nặng
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_MODIFIERS = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn
_PUNCT, _DIGIT, _LETTER, _OTHER = range(4)


def _clusters(s: str):
    """Split an NFD string into (base, marks) clusters; leading marks get base ""."""
    base, marks = "", ""
    for ch in s:
        if unicodedata.combining(ch):
            marks += ch
        else:
            if base or marks:
                yield base, marks
            base, marks = ch, ""
    if base or marks:
        yield base, marks


@lru_cache(maxsize=8192)
def sort_key(s: str) -> tuple:
    """Vietnamese collation key: letters, then tones, then case (lower first).

    Digit runs compare by numeric value ("số 2" < "số 10"); the NFC string is the
    last tie-break so that distinct strings never compare equal. The same names (units,
    blocs, people) are sorted over and over, so keys are kept (they are immutable tuples).
    """
    primary: list[tuple[int, int, str]] = []
    tones: list[int] = []
    cases: list[int] = []
    extra: list[int] = []  # non-Vietnamese marks (ü, ç...): a late tie-break
    digits = ""

    def flush_digits():
        nonlocal digits
        if digits:
            sig = digits.lstrip("0") or "0"
            primary.append((_DIGIT, len(sig), sig))  # numeric order without int()
            digits = ""

    for base, marks in _clusters(unicodedata.normalize("NFD", clean(s))):
        if base and base in "0123456789" and not marks:
            digits += base
            continue
        flush_digits()
        low = base.lower()
        mod = next((m for m in marks if m in _MODIFIERS and (low, m) in _LETTER_RANK), "")
        rank = _LETTER_RANK.get((low, mod))
        if rank is not None:
            primary.append((_LETTER, rank, ""))
            tones.append(next((_TONES[m] for m in marks if m in _TONES), 0))
            cases.append(int(base != low))
            rest = marks.replace(mod, "", 1)
            tone = next((m for m in rest if m in _TONES), "")
            extra.extend(ord(m) for m in rest.replace(tone, "", 1))
        else:
            group = _OTHER if base.isalpha() else _PUNCT
            primary.append((group, ord(base) if base else 0, ""))
            extra.extend(ord(m) for m in marks)
    flush_digits()
    return (tuple(primary), tuple(tones), tuple(cases), tuple(extra),
            unicodedata.normalize("NFC", s))


def vi_sorted(items: Iterable[T], key: Callable[[T], str] | None = None) -> list[T]:
    """sorted() in Vietnamese order; `key` extracts the text of an item."""
    if key is None:
        return sorted(items, key=sort_key)  # type: ignore[arg-type]
    return sorted(items, key=lambda x: sort_key(key(x)))


# --- pasted lists ----------------------------------------------------------

# Only list-marker shapes: a number must be followed by "." ")" or a spaced dash,
# so "Khối thi đua số 3" or "19-5 ..." keep their numbers.
_MARKER = re.compile(
    r"""^(?:
        [-–—•*+·▪●○◦‣⁃]                  # bullets
      | \(?\d{1,3}\)                     # 1)  (1)
      | \d{1,3}\.(?!\d)                  # 1.  (not 1.5)
      | \d{1,3}\ ?[-–—](?=\ )            # 01 -
      | \(?[a-zđ]\)                      # a)  đ)
    )\ *""",
    re.VERBOSE | re.IGNORECASE,
)
_TAB_NUMBER = re.compile(r"^\s*\d{1,3}\.?\t")  # "1<TAB>Name": STT column pasted from a table


def parse_lines(text: str) -> list[str]:
    """Unit names from a pasted list, one per line, markers removed, order kept."""
    names = []
    for raw in text.splitlines():
        line = clean(_TAB_NUMBER.sub("", raw))
        line = clean(_MARKER.sub("", line, count=1))
        if line:
            names.append(line)
    return names
