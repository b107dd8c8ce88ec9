"""What the stand-in knows: users, chats, messages, files and the update queue.

Plain data plus small helpers; no HTTP here. The people-facing methods of SimUser and
SimChat (send, press, add_bot, ...) come from the mixins in people.py.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .markup import Markup
from .people import GroupActions, PersonActions
from .text import render_html

# Update types Telegram sends when allowed_updates was never given.
DEFAULT_UPDATE_TYPES = frozenset({
    "message", "edited_message", "channel_post", "edited_channel_post", "inline_query",
    "chosen_inline_result", "callback_query", "shipping_query", "pre_checkout_query", "poll",
    "poll_answer", "my_chat_member", "chat_join_request", "chat_boost", "removed_chat_boost",
    "business_connection", "business_message", "edited_business_message",
    "deleted_business_messages", "purchased_paid_media",
})


class Document(NamedTuple):
    filename: str
    content: bytes


@dataclass(eq=False)
class SimFile:
    file_id: str
    file_unique_id: str
    filename: str
    content: bytes
    mime_type: str
    file_path: str
    size_told: bool = True  # False: the update's document carries no file_size (Telegram may omit it)

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass(eq=False)
class SimMessage:
    message_id: int
    chat: SimChat
    sender: SimUser | None  # None: sent by the bot
    date: int
    text: str | None = None
    entities: list[dict[str, Any]] = field(default_factory=list)
    raw: str | None = None  # text/caption exactly as sent, before parsing
    parse_mode: str | None = None
    caption: str | None = None
    caption_entities: list[dict[str, Any]] = field(default_factory=list)
    file: SimFile | None = None
    reply_to: SimMessage | None = None
    markup: Markup | None = None
    service: dict[str, Any] = field(default_factory=dict)
    edits: list[str] = field(default_factory=list)
    edit_date: int | None = None
    deleted: bool = False
    protect_content: bool = False
    disable_notification: bool = False
    link_preview_options: dict[str, Any] | None = None
    # A person's message posted as someone else: "group" (an anonymous admin: Telegram sends it
    # from GroupAnonymousBot with sender_chat the group) or "channel" (no "from" at all,
    # sender_chat a channel); the sender is still the person who typed it.
    posted_as: str | None = None
    media: dict[str, Any] | None = None  # a photo, sticker, voice or location, as Telegram's JSON

    @property
    def from_bot(self) -> bool:
        return self.sender is None

    @property
    def is_service(self) -> bool:
        return bool(self.service)

    @property
    def html(self) -> str | None:
        """The text (or caption) as HTML: as sent when the bot used parse_mode HTML."""
        if self.parse_mode and self.parse_mode.lower() == "html" and self.raw is not None:
            return self.raw
        if self.text is not None:
            return render_html(self.text, self.entities)
        if self.caption is not None:
            return render_html(self.caption, self.caption_entities)
        return None

    @property
    def reply_markup(self) -> dict[str, Any] | None:
        return self.markup.value if self.markup else None

    @property
    def button_rows(self) -> list[list[dict[str, Any]]]:
        rows = self.markup.inline_rows if self.markup else None
        return rows or []

    @property
    def buttons(self) -> list[list[str]]:
        return [[b["text"] for b in row] for row in self.button_rows]

    @property
    def force_reply(self) -> bool:
        return bool(self.markup and self.markup.kind == "force_reply")

    @property
    def document(self) -> Document | None:
        return Document(self.file.filename, self.file.content) if self.file else None

    def find_button(self, text: str) -> dict[str, Any]:
        """The inline button with exactly this text, else the only one containing it."""
        flat = [b for row in self.button_rows for b in row]
        exact = [b for b in flat if b["text"] == text]
        if len(exact) == 1:
            return exact[0]
        partial = [b for b in flat if text in b["text"]]
        if not exact and len(partial) == 1:
            return partial[0]
        listing = "\n".join("  " + " | ".join(repr(t) for t in row) for row in self.buttons) or "  (none)"
        why = "is ambiguous" if (exact or partial) else "matches no button"
        raise AssertionError(f"button text {text!r} {why} on message {self.message_id} "
                             f"({self.text or self.caption!r}); its buttons are:\n{listing}")

    def __repr__(self) -> str:
        who = "bot" if self.from_bot else (self.sender.first_name if self.sender else "?")
        body = self.text if self.text is not None else (self.caption or self.service or "")
        flag = " deleted" if self.deleted else ""
        return f"<SimMessage {self.chat.id}/{self.message_id} from {who}{flag}: {str(body)[:60]!r}>"


@dataclass(eq=False)
class SimUser(PersonActions):
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "vi"
    started: bool = False  # sent anything to the bot in private
    blocked: bool = False
    last_query_id: str | None = field(default=None, repr=False)  # of the last press
    _standin: Any = field(default=None, repr=False)
    _private: SimChat | None = field(default=None, repr=False)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}" if self.last_name else self.first_name

    @property
    def private_chat(self) -> SimChat:
        if self._private is None:
            self._private = SimChat(id=self.id, type="private", user=self, _standin=self._standin)
            self._standin.world.chats[self.id] = self._private
        return self._private

    def __repr__(self) -> str:
        return f"<SimUser {self.id} {self.full_name!r}>"


@dataclass(eq=False)
class SimChat(GroupActions):
    id: int
    type: str  # "private" | "group" | "supergroup"
    title: str | None = None
    username: str | None = None
    user: SimUser | None = None  # the other side of a private chat
    members: dict[int, str] = field(default_factory=dict)  # user id -> status
    users: dict[int, SimUser] = field(default_factory=dict)
    admin_can_pin: dict[int, bool] = field(default_factory=dict)
    bot_status: str = "none"  # none | member | administrator | left | kicked
    bot_can_pin: bool = False
    migrated_to_id: int | None = None
    previous: SimChat | None = None  # the basic group this supergroup came from
    menu_button: dict[str, Any] | None = None
    _standin: Any = field(default=None, repr=False)
    _log: list[SimMessage] = field(default_factory=list, repr=False)
    _by_id: dict[int, SimMessage] = field(default_factory=dict, repr=False)
    _next_id: int = field(default=1, repr=False)
    _pins: list[int] = field(default_factory=list, repr=False)

    # ---- reading
    @property
    def is_group(self) -> bool:
        return self.type in ("group", "supergroup")

    @property
    def messages(self) -> list[SimMessage]:
        """Every message still in the chat, in order (users', bot's and service messages)."""
        return [m for m in self._log if not m.deleted]

    @property
    def history(self) -> list[SimMessage]:
        """Like messages, but deleted ones included."""
        return list(self._log)

    def bot_messages(self) -> list[SimMessage]:
        return [m for m in self._log if m.from_bot and not m.deleted and not m.is_service]

    def last_bot_message(self) -> SimMessage:
        for m in reversed(self._log):
            if m.from_bot and not m.deleted and not m.is_service:
                return m
        raise AssertionError(f"the bot has sent nothing (left) in chat {self.id} ({self.label}); "
                             f"messages: {self._log[-5:]!r}")

    def last_message(self) -> SimMessage:
        for m in reversed(self._log):
            if not m.deleted:
                return m
        raise AssertionError(f"chat {self.id} ({self.label}) has no messages")

    def get(self, message_id: int) -> SimMessage | None:
        return self._by_id.get(message_id)

    @property
    def pinned(self) -> SimMessage | None:
        for mid in reversed(self._pins):
            m = self._by_id.get(mid)
            if m is not None and not m.deleted:
                return m
        return None

    @property
    def label(self) -> str:
        return self.title or (self.user.full_name if self.user else str(self.id))

    def is_admin(self, user: SimUser) -> bool:
        return self.members.get(user.id) in ("creator", "administrator")

    # ---- writing (used by the server and the people client)
    def add_message(self, m: SimMessage) -> SimMessage:
        self._log.append(m)
        self._by_id[m.message_id] = m
        return m

    def take_message_id(self) -> int:
        mid = self._next_id
        self._next_id += 1
        return mid

    def __repr__(self) -> str:
        return f"<SimChat {self.id} {self.type} {self.label!r}>"


@dataclass
class CallbackRecord:
    query_id: str
    user: SimUser
    message: SimMessage
    data: str | None
    answered: bool = False
    answer: dict[str, Any] | None = None


class UpdateQueue:
    """Updates not yet confirmed by the bot (a getUpdates offset beyond them)."""

    def __init__(self, first_id: int = 500_000_001):
        self.next_id = first_id
        self.pending: deque[dict[str, Any]] = deque()
        self.allowed: frozenset[str] = DEFAULT_UPDATE_TYPES
        self.delivered_upto = 0  # highest update_id handed out by getUpdates
        self.total = 0
        self.redelivered = 0  # updates handed out again (the bot had not confirmed them)

    def push(self, kind: str, payload: dict[str, Any]) -> int | None:
        if kind not in self.allowed:
            return None  # Telegram does not even store updates of types the bot did not ask for
        uid = self.next_id
        self.next_id += 1
        self.pending.append({"update_id": uid, kind: payload})
        self.total += 1
        return uid

    def set_allowed(self, types: list[str]) -> None:
        allowed = frozenset(types) if types else DEFAULT_UPDATE_TYPES
        if allowed == self.allowed:
            return  # PTB repeats allowed_updates on every poll
        self.allowed = allowed
        self.pending = deque(u for u in self.pending if _kind(u) in self.allowed)

    def confirm(self, offset: int) -> None:
        if offset < 0:  # negative offset: keep only the last -offset updates
            while len(self.pending) > -offset:
                self.pending.popleft()
            return
        while self.pending and self.pending[0]["update_id"] < offset:
            self.pending.popleft()

    def take(self, limit: int) -> list[dict[str, Any]]:
        out = [self.pending[i] for i in range(min(limit, len(self.pending)))]
        if out:
            self.redelivered += sum(u["update_id"] <= self.delivered_upto for u in out)
            self.delivered_upto = max(self.delivered_upto, out[-1]["update_id"])
        return out

    def drop_all(self) -> None:
        self.pending.clear()


def _kind(update: dict[str, Any]) -> str:
    return next(k for k in update if k != "update_id")
