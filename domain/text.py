"""Vietnamese text: normalising, matching, sorting and list parsing."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import TypeVar

T = TypeVar("T")


def clean(s: str) -> str:
    """NFC, no control/format characters, single spaces, trimmed."""
    out = []
    for ch in unicodedata.normalize("NFC", s):
        if ch.isspace():  # tabs, newlines, NBSP... (checked before Cc: tab is Cc)
            out.append(" ")
        elif unicodedata.category(ch) not in ("Cc", "Cf"):
            out.append(ch)
    # NFC again: dropping a zero-width char can bring a base and its accent together
    return " ".join(unicodedata.normalize("NFC", "".join(out)).split())


_DASHES = re.compile(r"[\u2010-\u2015\u2212\ufe58\ufe63\uff0d]")
_SPACED_DASH = re.compile(r" ?- ?")


def fold(s: str) -> str:
    """Matching key ignoring case, accents, spacing and the kind of dash."""
    s = unicodedata.normalize("NFD", clean(s).casefold())
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
