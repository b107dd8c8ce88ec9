"""reply_markup validation: inline keyboards, ForceReply, ReplyKeyboardRemove, reply keyboards."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .errors import bad_request

# Fields that give an inline button its action; Telegram requires exactly one.
ACTION_FIELDS = ("url", "callback_data", "web_app", "login_url", "switch_inline_query",
                 "switch_inline_query_current_chat", "switch_inline_query_chosen_chat",
                 "copy_text", "callback_game", "pay")
EXTRA_FIELDS = ("style", "icon_custom_emoji_id")
MAX_BUTTONS = 100
MAX_CALLBACK_BYTES = 64


@dataclass
class Markup:
    kind: str  # "inline" | "force_reply" | "remove_keyboard" | "keyboard"
    value: dict[str, Any]

    @property
    def inline_rows(self) -> list[list[dict[str, Any]]] | None:
        return self.value["inline_keyboard"] if self.kind == "inline" else None


def parse_markup(raw: Any, *, inline_only: bool = False) -> Markup | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in raw:
        return Markup("inline", {"inline_keyboard": _inline_rows(raw["inline_keyboard"])})
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "force_reply" in raw:
        if raw["force_reply"] is not True:
            raise bad_request("can't parse reply keyboard markup JSON object")
        value = {"force_reply": True}
        placeholder = raw.get("input_field_placeholder")
        if placeholder is not None:
            if not isinstance(placeholder, str) or not 1 <= len(placeholder) <= 64:
                raise bad_request("can't parse reply keyboard markup JSON object")
            value["input_field_placeholder"] = placeholder
        if raw.get("selective"):
            value["selective"] = True
        return Markup("force_reply", value)
    if "remove_keyboard" in raw:
        if raw["remove_keyboard"] is not True:
            raise bad_request("can't parse reply keyboard markup JSON object")
        return Markup("remove_keyboard", {"remove_keyboard": True})
    if "keyboard" in raw:
        rows = raw["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad_request("field \"keyboard\" of the ReplyKeyboardMarkup must be an Array of Arrays")
        clean_rows = []
        for row in rows:
            clean = []
            for b in row:
                text = b if isinstance(b, str) else (b.get("text") if isinstance(b, dict) else None)
                if not isinstance(text, str) or not text:
                    raise bad_request("can't parse keyboard button: Field \"text\" must be of type String")
                clean.append(b if isinstance(b, dict) else {"text": b})
            clean_rows.append(clean)
        return Markup("keyboard", {**raw, "keyboard": clean_rows})
    raise bad_request("can't parse reply keyboard markup JSON object")


def _inline_rows(rows: Any) -> list[list[dict[str, Any]]]:
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise bad_request("field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array of Arrays")
    total = sum(len(r) for r in rows)
    if total > MAX_BUTTONS:
        raise bad_request("REPLY_MARKUP_TOO_LONG")
    return [[_inline_button(b) for b in row] for row in rows]


def _inline_button(b: Any) -> dict[str, Any]:
    if not isinstance(b, dict):
        raise bad_request("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
    if "text" not in b:
        raise bad_request("can't parse inline keyboard button: Can't find field \"text\"")
    text = b["text"]
    if not isinstance(text, str):
        raise bad_request("can't parse inline keyboard button: Field \"text\" must be of type String")
    if not text.strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    # An empty callback_data / url counts as absent, as on Telegram (-> "Text buttons are unallowed").
    present = [f for f in ACTION_FIELDS if b.get(f) not in (None, "")]
    if not present:
        raise bad_request("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
    if len(present) > 1:
        # Telegram documents "exactly one"; this wording is the stand-in's own.
        raise bad_request("can't parse inline keyboard button: exactly one of the optional fields "
                          f"must be used, got {', '.join(present)}")
    field = present[0]
    value = b[field]
    if field == "callback_data":
        if not isinstance(value, str) or len(value.encode("utf-8")) > MAX_CALLBACK_BYTES:
            raise bad_request("BUTTON_DATA_INVALID")
    elif field == "url":
        value = check_button_url(value)
    elif field == "web_app":
        url = value.get("url") if isinstance(value, dict) else None
        if not isinstance(url, str) or not url.startswith("https://"):
            raise bad_request(f"inline keyboard button Web App URL '{url}' is invalid: Only HTTPS links are allowed")
        value = {"url": check_button_url(url)}
    elif field in ("callback_game", "pay"):
        raise bad_request(f"{field} buttons can only be used in game and invoice messages")
    out = {"text": text, field: value}
    for extra in EXTRA_FIELDS:
        if b.get(extra) is not None:
            out[extra] = b[extra]
    return out


def check_button_url(url: Any) -> str:
    """Only http(s)://host… and tg: links (the brief's rule; bare domains are refused too)."""
    if not isinstance(url, str):
        raise bad_request("BUTTON_URL_INVALID")
    m = re.match(r"^([A-Za-z][A-Za-z0-9+.\-]*)://", url) or re.match(r"^(tg):", url, re.IGNORECASE)
    scheme = m.group(1).lower() if m else ""
    if scheme == "tg":
        return url
    if scheme in ("http", "https"):
        if not re.match(r"^[A-Za-z]+://[^/?#\s]+", url):
            raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
        return url
    if scheme:
        raise bad_request(f"inline keyboard button URL '{url}' is invalid: Unsupported URL protocol")
    raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
