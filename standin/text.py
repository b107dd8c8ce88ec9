"""Text helpers: UTF-16 offsets, Telegram's automatic entities, trimming, entities -> HTML.

Telegram measures lengths and entity offsets in UTF-16 code units, so every offset
here is UTF-16, while Python indexes code points.
"""

from __future__ import annotations

import html as _html
import re
from typing import Any

Entity = dict[str, Any]

FORMATTING_TYPES = {
    "bold", "italic", "underline", "strikethrough", "spoiler", "code", "pre",
    "text_link", "text_mention", "custom_emoji", "blockquote", "expandable_blockquote",
}
AUTO_TYPES = {"mention", "hashtag", "cashtag", "bot_command", "url", "email", "phone_number"}
ALL_TYPES = FORMATTING_TYPES | AUTO_TYPES

# Tie-break for entities starting at the same offset with the same length (outer first).
_PRIORITY = {t: i for i, t in enumerate([
    "blockquote", "expandable_blockquote", "pre", "code", "text_link", "text_mention", "url",
    "email", "mention", "hashtag", "cashtag", "bot_command", "phone_number", "bold", "italic",
    "underline", "strikethrough", "spoiler", "custom_emoji",
])}


def utf16_len(s: str) -> int:
    return len(s.encode("utf-16-le", "surrogatepass")) // 2


def utf16_prefix(s: str) -> list[int]:
    """prefix[i] = UTF-16 offset of code point i (len(s)+1 entries)."""
    out = [0] * (len(s) + 1)
    acc = 0
    for i, ch in enumerate(s):
        out[i] = acc
        acc += 2 if ord(ch) > 0xFFFF else 1
    out[len(s)] = acc
    return out


def index_of_utf16(prefix: list[int], off: int) -> int:
    """Code point index at a UTF-16 offset (the first index whose offset is >= off)."""
    lo, hi = 0, len(prefix) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if prefix[mid] < off:
            lo = mid + 1
        else:
            hi = mid
    return lo


def sort_entities(entities: list[Entity]) -> list[Entity]:
    return sorted(entities, key=lambda e: (e["offset"], -e["length"], _PRIORITY.get(e["type"], 99)))


def entity_text(text: str, e: Entity, prefix: list[int] | None = None) -> str:
    prefix = prefix or utf16_prefix(text)
    a = index_of_utf16(prefix, e["offset"])
    b = index_of_utf16(prefix, e["offset"] + e["length"])
    return text[a:b]


# --- automatic entities (what Telegram's servers find in any message text) -------------
_WORD = r"A-Za-z0-9_"
_BOT_COMMAND = re.compile(rf"(?<![{_WORD}/<>])/[{_WORD}]{{1,64}}(?:@[{_WORD}]{{3,32}})?(?![{_WORD}/<>@])")
_MENTION = re.compile(rf"(?<![{_WORD}@])@[{_WORD}]{{5,32}}(?![{_WORD}@])")
_HASHTAG = re.compile(r"(?<![\w#])#\w*[^\W\d_]\w*")
_URL = re.compile(r"(?<![\w@/.])(?:https?://|t\.me/)[^\s<>\"]+", re.IGNORECASE)
_URL_TAIL = ".,;:!?)]}'\""


def detect_entities(text: str, taken: list[Entity] | None = None) -> list[Entity]:
    """bot_command, mention, hashtag and url entities, skipping ranges inside code/pre/links."""
    prefix = utf16_prefix(text)
    blocked = [
        (e["offset"], e["offset"] + e["length"]) for e in (taken or [])
        if e["type"] in ("code", "pre", "text_link", "text_mention")
    ]
    found: list[Entity] = []

    def add(kind: str, a: int, b: int) -> None:
        off, end = prefix[a], prefix[b]
        if any(off < be and end > bo for bo, be in blocked):
            return
        found.append({"type": kind, "offset": off, "length": end - off})

    for m in _BOT_COMMAND.finditer(text):
        add("bot_command", m.start(), m.end())
    for m in _MENTION.finditer(text):
        add("mention", m.start(), m.end())
    for m in _HASHTAG.finditer(text):
        add("hashtag", m.start(), m.end())
    for m in _URL.finditer(text):
        end = m.end()
        while end > m.start() and text[end - 1] in _URL_TAIL:
            end -= 1
        add("url", m.start(), end)
    return found


# --- trimming and validation ---------------------------------------------------------------
_TRIM = " \t\n\r\v\f"


def trim(text: str, entities: list[Entity]) -> tuple[str, list[Entity]]:
    """Telegram strips leading/trailing whitespace and shifts/clips entities with it."""
    left = len(text) - len(text.lstrip(_TRIM))
    stripped = text.strip(_TRIM)
    if left == 0 and len(stripped) == len(text):
        return text, entities
    shift = utf16_len(text[:left])
    total = utf16_len(stripped)
    out: list[Entity] = []
    for e in entities:
        start = max(e["offset"] - shift, 0)
        end = min(e["offset"] + e["length"] - shift, total)
        if end > start:
            out.append({**e, "offset": start, "length": end - start})
    return stripped, out


def clean_explicit_entities(text: str, raw: Any, warn) -> list[Entity]:
    """Validate an `entities` parameter; out-of-range entities are cut or dropped like Telegram."""
    from .errors import bad_request

    if raw is None:
        return []
    if not isinstance(raw, list):
        raise bad_request("can't parse entities JSON object")
    total = utf16_len(text)
    out: list[Entity] = []
    for e in raw:
        if not isinstance(e, dict) or "type" not in e:
            raise bad_request("can't parse MessageEntity: Can't find field \"type\"")
        kind = e.get("type")
        if kind not in ALL_TYPES:
            raise bad_request("can't parse MessageEntity: Unsupported type specified")
        try:
            off, length = int(e.get("offset")), int(e.get("length"))
        except (TypeError, ValueError):
            raise bad_request("can't parse MessageEntity: Field \"offset\" must be of type Number")
        if kind == "text_link" and not e.get("url"):
            raise bad_request("entity URL '' is invalid: URL host is empty")
        end = min(off + length, total)
        if off < 0 or end <= off:
            warn(f"dropped entity out of text range: {e}")
            continue
        clean = {k: v for k, v in e.items() if k in ("type", "url", "user", "language", "custom_emoji_id")}
        clean.update(offset=off, length=end - off)
        out.append(clean)
    return out


# --- entities -> HTML (for reading messages in tests) -------------------------------------
def render_html(text: str, entities: list[Entity]) -> str:
    """Render text+entities as Telegram-style HTML (automatic entities stay plain text)."""
    prefix = utf16_prefix(text)
    opens: dict[int, list[str]] = {}
    closes: dict[int, list[str]] = {}
    for e in sort_entities([e for e in entities if e["type"] in FORMATTING_TYPES]):
        a = index_of_utf16(prefix, e["offset"])
        b = index_of_utf16(prefix, e["offset"] + e["length"])
        start, end = _tags_for(e)
        opens.setdefault(a, []).append(start)
        closes.setdefault(b, []).insert(0, end)
    parts: list[str] = []
    for i in range(len(text) + 1):
        parts.extend(closes.get(i, ()))
        parts.extend(opens.get(i, ()))
        if i < len(text):
            parts.append(_html.escape(text[i], quote=False))
    return "".join(parts)


def _tags_for(e: Entity) -> tuple[str, str]:
    kind = e["type"]
    simple = {"bold": "b", "italic": "i", "underline": "u", "strikethrough": "s",
              "spoiler": "tg-spoiler", "code": "code", "blockquote": "blockquote"}
    if kind in simple:
        return f"<{simple[kind]}>", f"</{simple[kind]}>"
    if kind == "expandable_blockquote":
        return "<blockquote expandable>", "</blockquote>"
    if kind == "pre":
        if e.get("language"):
            lang = _html.escape(e["language"])
            return f'<pre><code class="language-{lang}">', "</code></pre>"
        return "<pre>", "</pre>"
    if kind == "text_link":
        return f'<a href="{_html.escape(e["url"])}">', "</a>"
    if kind == "text_mention":
        return f'<a href="tg://user?id={e["user"]["id"]}">', "</a>"
    if kind == "custom_emoji":
        return f'<tg-emoji emoji-id="{e["custom_emoji_id"]}">', "</tg-emoji>"
    return "", ""
