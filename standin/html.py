"""Telegram's HTML parse mode: plain text + entities, or the reason Telegram gives.

Follows the behaviour of Telegram's own parser (tdlib `parse_html`): the same tags, the
same tag/attribute scanning and the same error texts with UTF-8 byte offsets.
With ``strict=True`` (the default) two things Telegram tolerates are rejected as well,
because they are always bugs in a bot: a bare "&" / unknown named entity such as
"&nbsp;" in text (Telegram shows it literally), and attributes a tag does not take
(Telegram silently ignores them).
"""

from __future__ import annotations

import re
from typing import Any, Callable

from .text import Entity, sort_entities

TAGS = {"a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins", "tg-spoiler",
        "tg-emoji", "span", "pre", "code", "blockquote"}
# Attributes each tag may carry; everything else is an error in strict mode.
ATTRIBUTES = {"a": {"href"}, "code": {"class"}, "span": {"class"}, "tg-emoji": {"emoji-id"},
              "blockquote": {"expandable"}}
SIMPLE = {"b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
          "ins": "underline", "s": "strikethrough", "strike": "strikethrough",
          "del": "strikethrough", "tg-spoiler": "spoiler"}
SPACE = " \t\r\n\0\v"
NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class HtmlError(Exception):
    """`reason` is what follows "can't parse entities: " in Telegram's description."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _byte_offset(s: str, i: int) -> int:
    return len(s[:i].encode("utf-8", "surrogatepass"))


def _decode_entity(s: str, i: int) -> tuple[int, int]:
    """(code point, index after the entity) or (0, i) if s[i:] is no entity Telegram knows."""
    n = len(s)
    j = i + 1
    code = 0
    if j < n and s[j] == "#":
        j += 1
        if j < n and s[j] == "x":  # Telegram only knows lowercase "&#x"
            j += 1
            start = j
            while j < n and s[j] in "0123456789abcdefABCDEF":
                j += 1
            code = int(s[start:j], 16) if j > start else 0
        else:
            start = j
            while j < n and s[j].isascii() and s[j].isdigit():
                j += 1
            code = int(s[start:j]) if j > start else 0
        if code == 0 or code >= 0x10FFFF or j - i >= 10:
            return 0, i
    else:
        start = j
        while j < n and s[j].isascii() and s[j].isalpha():
            j += 1
        ch = NAMED.get(s[start:j])
        if ch is None:
            return 0, i
        code = ord(ch)
    if j < n and s[j] == ";":
        j += 1
    return code, j


def _checked_link(url: str) -> str | None:
    """Telegram's link normalisation: None means the link is dropped silently."""
    url = url.strip()
    if not url:
        return None
    m = re.match(r"^([A-Za-z][A-Za-z0-9+.\-]*)://", url)
    scheme = m.group(1).lower() if m else None
    if scheme is None and re.match(r"^(tg|ton):", url, re.IGNORECASE):
        return url
    if scheme is None:
        if not re.match(r"^[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}(:\d+)?([/?#].*)?$", url):
            return None
        url, scheme = "http://" + url, "http"
    if scheme in ("tg", "ton"):
        return url
    if scheme not in ("http", "https"):
        return None
    rest = url[len(scheme) + 3:]
    host = re.split(r"[/?#]", rest, maxsplit=1)[0]
    if not host:
        return None
    if len(rest) == len(host):
        url += "/"
    return url


class _Open:
    __slots__ = ("tag", "arg", "u16", "text_start")

    def __init__(self, tag: str, arg: str, u16: int, text_start: int):
        self.tag, self.arg, self.u16, self.text_start = tag, arg, u16, text_start


def parse_html(
    src: str,
    *,
    strict: bool = True,
    lookup_user: Callable[[int], dict[str, Any] | None] | None = None,
) -> tuple[str, list[Entity]]:
    """Parse Telegram HTML. Returns (plain text, entities sorted like Telegram's)."""
    n = len(src)
    out: list[str] = []
    u16 = 0
    stack: list[_Open] = []
    entities: list[Entity] = []
    bad_surrogate = False

    def boff(i: int) -> int:
        return _byte_offset(src, i)

    def at(i: int) -> str:
        return src[i] if i < n else "\0"  # tdlib works on a NUL-terminated string

    def emit(ch: str) -> None:
        nonlocal u16
        out.append(ch)
        u16 += 2 if ord(ch) > 0xFFFF else 1

    i = 0
    while i < n:
        c = src[i]
        if c == "&":
            code, j = _decode_entity(src, i)
            if code:
                if 0xD800 <= code <= 0xDFFF:
                    bad_surrogate = True
                emit(chr(code))
                i = j
                continue
            if strict:
                m = re.match(r"&#?[A-Za-z0-9]+;", src[i:])
                if m:
                    raise HtmlError(f'Unsupported HTML entity "{m.group(0)}" at byte offset {boff(i)}')
                raise HtmlError(f'Character "&" must be escaped as "&amp;" at byte offset {boff(i)}')
        if c != "<":
            emit(c)
            i += 1
            continue

        begin = i
        i += 1
        if at(i) != "/":
            # ---- start tag
            while at(i) not in SPACE and at(i) != ">":
                i += 1
            if i >= n:
                raise HtmlError(f"Unclosed start tag at byte offset {boff(begin)}")
            tag = src[begin + 1:i].lower()
            if tag not in TAGS:
                raise HtmlError(f'Unsupported start tag "{tag}" at byte offset {boff(begin)}')
            arg = ""
            while at(i) != ">":
                while i < n and at(i) in SPACE:
                    i += 1
                if at(i) == ">":
                    break
                a = i
                while i < n and at(i) not in SPACE and at(i) not in "=>":
                    i += 1
                attr = src[a:i]
                if not attr:
                    raise HtmlError(f'Empty attribute name in the tag "{tag}" at byte offset {boff(begin)}')
                while i < n and at(i) in SPACE:
                    i += 1
                if at(i) != "=":
                    if tag == "blockquote" and attr.lower() == "expandable":  # valueless attribute
                        arg = "expandable"
                        continue
                    raise HtmlError("Expected equal sign in declaration of an attribute of the tag "
                                    f'"{tag}" at byte offset {boff(begin)}')
                i += 1
                while i < n and at(i) in SPACE:
                    i += 1
                if i >= n:
                    raise HtmlError(f'Unclosed start tag "{tag}" at byte offset {boff(begin)}')
                if at(i) not in "'\"":
                    t = i
                    while i < n and ((at(i).isascii() and at(i).isalnum()) or at(i) in ".-"):
                        i += 1
                    value = src[t:i].lower()
                    if i < n and at(i) not in SPACE and at(i) != ">":
                        raise HtmlError(f"Unexpected end of name token at byte offset {boff(t)}")
                else:
                    quote = src[i]
                    i += 1
                    chars: list[str] = []
                    while i < n and src[i] != quote:
                        if src[i] == "&":
                            code, j = _decode_entity(src, i)
                            if code:
                                chars.append(chr(code))
                                i = j
                                continue
                        chars.append(src[i])
                        i += 1
                    if i < n:
                        i += 1
                    value = "".join(chars)
                if i >= n:
                    raise HtmlError(f"Unclosed start tag at byte offset {boff(begin)}")
                name = attr.lower()
                if strict and name not in ATTRIBUTES.get(tag, ()):
                    raise HtmlError(
                        f'Unsupported attribute "{attr}" in the tag "{tag}" at byte offset {boff(begin)}')
                if tag == "a" and name == "href":
                    arg = value
                elif tag == "code" and name == "class" and value.startswith("language-"):
                    arg = value[len("language-"):]
                elif tag == "span" and name == "class" and value.startswith("tg-"):
                    arg = value[3:]
                elif tag == "tg-emoji" and name == "emoji-id":
                    arg = value
            i += 1  # past ">"
            if tag == "span" and arg != "spoiler":
                raise HtmlError(f'Tag "span" must have class "tg-spoiler" at byte offset {boff(begin)}')
            stack.append(_Open(tag, arg, u16, len(out)))
            continue

        # ---- end tag
        if not stack:
            raise HtmlError(f"Unexpected end tag at byte offset {boff(begin)}")
        i += 1
        name_start = i
        while at(i) not in SPACE and at(i) != ">":
            i += 1
        end_name = src[name_start:i].lower()
        while i < n and at(i) in SPACE:
            i += 1
        if at(i) != ">":
            raise HtmlError(f"Unclosed end tag at byte offset {boff(begin)}")
        i += 1
        top = stack[-1]
        if end_name and end_name != top.tag:
            raise HtmlError(f'Unmatched end tag at byte offset {boff(begin)}, '
                            f'expected "</{top.tag}>", found "</{end_name}>"')
        stack.pop()
        if u16 > top.u16:
            _close(top, u16, out, entities, lookup_user)

    if stack:
        raise HtmlError(f"Can't find end tag corresponding to start tag {stack[-1].tag}")
    if bad_surrogate:
        raise HtmlError("Text contains invalid Unicode characters after decoding HTML entities, "
                        "check for unmatched surrogate code units")
    for e in entities:
        if e["type"] == "code":
            e.pop("language", None)
    entities = _drop_nested_in_code(entities)
    return "".join(out), sort_entities(entities)


def _close(top: _Open, u16: int, out: list[str], entities: list[Entity], lookup_user) -> None:
    off, length = top.u16, u16 - top.u16
    tag = top.tag
    last = entities[-1] if entities else None
    same_range = last is not None and last["offset"] == off and last["length"] == length
    if tag in SIMPLE:
        entities.append({"type": SIMPLE[tag], "offset": off, "length": length})
    elif tag == "span":
        entities.append({"type": "spoiler", "offset": off, "length": length})
    elif tag == "tg-emoji":
        if not top.arg.isdigit() or int(top.arg) == 0:
            raise HtmlError("Invalid custom emoji identifier specified")
        entities.append({"type": "custom_emoji", "offset": off, "length": length,
                         "custom_emoji_id": top.arg})
    elif tag == "a":
        url = top.arg or "".join(out[top.text_start:])
        m = re.match(r"^tg://user\?id=(\d+)$", url.strip())
        user = lookup_user(int(m.group(1))) if (m and lookup_user) else None
        if user is not None:
            entities.append({"type": "text_mention", "offset": off, "length": length, "user": user})
        else:
            checked = _checked_link(url)
            if checked:
                entities.append({"type": "text_link", "offset": off, "length": length, "url": checked})
    elif tag == "pre":
        # <pre><code class="language-x">…</code></pre> becomes one pre entity with a language.
        if same_range and last["type"] == "code" and last.get("language"):
            last["type"] = "pre"
        else:
            entities.append({"type": "pre", "offset": off, "length": length})
    elif tag == "code":
        if same_range and last["type"] == "pre" and top.arg:
            last["language"] = top.arg
        else:
            e = {"type": "code", "offset": off, "length": length}
            if top.arg:
                e["language"] = top.arg
            entities.append(e)
    elif tag == "blockquote":
        kind = "expandable_blockquote" if top.arg == "expandable" else "blockquote"
        entities.append({"type": kind, "offset": off, "length": length})


def _drop_nested_in_code(entities: list[Entity]) -> list[Entity]:
    """Nothing may be nested inside code/pre (Bot API rule); Telegram drops such entities.
    A code spanning exactly a pre is dropped too, the pre stays."""
    blocks = [e for e in entities if e["type"] in ("code", "pre")]
    if not blocks:
        return entities

    def inside(e: Entity, c: Entity) -> bool:
        return (c is not e and c["offset"] <= e["offset"]
                and e["offset"] + e["length"] <= c["offset"] + c["length"]
                and not (e["type"] == "pre" and c["type"] == "code"))

    return [e for e in entities if not any(inside(e, c) for c in blocks)]
