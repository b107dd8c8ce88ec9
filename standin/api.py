"""Bot API methods (all but getUpdates, which lives in the server because it waits).

Each method takes Params and returns the `result` or raises ApiError. They never await, so
a call takes effect atomically in the event loop; an answered error changes nothing.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from .api_chats import ChatMethods
from .errors import ApiError, bad_request, forbidden, too_many_requests
from .faults import Faults, SendRecord, Stats
from .html import HtmlError, parse_html
from .markup import Markup, parse_markup
from .params import Params, Upload
from .serialize import file_json, user_json
from .state import SimChat, SimFile, SimMessage
from .text import FORMATTING_TYPES, clean_explicit_entities, detect_entities, sort_entities, trim, utf16_len
from .world import World

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
ENTITY_LIMIT = 100
CALLBACK_ANSWER_LIMIT = 200
UPLOAD_LIMIT = 50 * 1024 * 1024
DOWNLOAD_LIMIT = 20 * 1024 * 1024
DELETE_WINDOW = 48 * 3600
NOT_MODIFIED = ("message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message")
CHAT_ACTIONS = {"typing", "upload_photo", "record_video", "upload_video", "record_voice",
                "upload_voice", "upload_document", "choose_sticker", "find_location",
                "record_video_note", "upload_video_note"}


class BotApi(ChatMethods):
    def __init__(self, world: World, faults: Faults, stats: Stats, clock: Callable[[], float],
                 strict_html: bool):
        self.world = world
        self.faults = faults
        self.stats = stats
        self.clock = clock
        self.strict_html = strict_html

    # ================================================================== chat resolution
    def _chat(self, p: Params, *, write: bool = True, name: str = "chat_id") -> SimChat:
        return self.resolve_chat(p.chat_id(name), write=write)

    def resolve_chat(self, cid: int | str, *, write: bool = True) -> SimChat:
        w = self.world
        if isinstance(cid, str):  # "@username": public supergroups only
            found = [c for c in w.chats.values() if c.username and c.is_group
                     and "@" + c.username.lower() == cid.lower() and not c.migrated_to_id]
            if not found:
                raise bad_request("chat not found")
            chat = found[0]
        else:
            chat = w.chats.get(cid)
        if chat is None:
            if write and cid in w.users:
                raise forbidden("bot can't initiate conversation with a user")
            raise bad_request("chat not found")
        if chat.migrated_to_id is not None:
            raise bad_request("group chat was upgraded to a supergroup chat",
                              {"migrate_to_chat_id": chat.migrated_to_id})
        if chat.type == "private":
            user = chat.user
            if write and user.blocked:
                raise forbidden("bot was blocked by the user")
            if not user.started:
                if write:
                    raise forbidden("bot can't initiate conversation with a user")
                raise bad_request("chat not found")
            return chat
        kind = "supergroup" if chat.type == "supergroup" else "group"
        if chat.bot_status == "none":
            raise bad_request("chat not found")
        if chat.bot_status == "kicked":
            raise forbidden(f"bot was kicked from the {kind} chat")
        if chat.bot_status == "left":
            raise forbidden(f"bot is not a member of the {kind} chat")
        return chat

    # ================================================================== text & helpers
    def _formatted(self, p: Params, field: str, entities_field: str, *, limit: int,
                   allow_empty: bool, too_long: str) -> tuple[str | None, list[dict], str | None, str | None]:
        """(text, entities, raw, parse_mode) after Telegram's parsing, trimming and checks."""
        raw = p.str(field)
        parse_mode = p.str("parse_mode") or None
        explicit = p.json(entities_field, "entities")
        if not raw:
            if allow_empty:
                return None, [], None, None
            raise bad_request("message text is empty")
        if explicit is not None:
            text, entities = raw, clean_explicit_entities(raw, explicit, self.world.warn)
            parse_mode = None
        elif parse_mode:
            if parse_mode.lower() != "html":
                if parse_mode.lower() in ("markdown", "markdownv2"):
                    raise bad_request(f"can't parse entities: the stand-in implements only parse_mode "
                                      f"HTML, not {parse_mode}")
                raise bad_request("unsupported parse_mode")
            try:
                text, entities = parse_html(raw, strict=self.strict_html, lookup_user=self._mention_user)
            except HtmlError as e:
                raise bad_request("can't parse entities: " + e.reason)
        else:
            text, entities = raw, []
        text, entities = trim(text, entities)
        if not text:
            if allow_empty:
                return None, [], None, None
            raise bad_request("message text is empty")
        if utf16_len(text) > limit:
            raise bad_request(too_long)
        formatting = [e for e in entities if e["type"] in FORMATTING_TYPES]
        if len(formatting) > ENTITY_LIMIT:
            dropped = formatting[ENTITY_LIMIT:]
            self.world.warn(f"{field}: {len(formatting)} formatting entities, Telegram keeps the first "
                            f"{ENTITY_LIMIT} and silently drops {len(dropped)} (from offset "
                            f"{dropped[0]['offset']})")
            drop_ids = {id(e) for e in dropped}
            entities = [e for e in entities if id(e) not in drop_ids]
        entities = sort_entities(entities + detect_entities(text, entities))
        return text, entities, raw, parse_mode

    def _mention_user(self, uid: int) -> dict[str, Any] | None:
        u = self.world.users.get(uid)
        return user_json(u) if u else None

    def _markup(self, p: Params, chat: SimChat, *, inline_only: bool = False) -> Markup | None:
        markup = parse_markup(p.json("reply_markup", "reply keyboard markup"), inline_only=inline_only)
        if markup is not None and markup.kind == "inline" and not markup.inline_rows:
            return None  # an empty inline keyboard is no keyboard
        if markup is not None and chat.type != "private" and any(
                "web_app" in button for row in (markup.inline_rows or []) for button in row):
            raise bad_request("BUTTON_TYPE_INVALID")  # Mini App buttons: private chats only
        return markup

    def _reply_target(self, chat: SimChat, p: Params) -> SimMessage | None:
        rp = p.json("reply_parameters", "reply parameters")
        if rp is not None and not isinstance(rp, dict):
            raise bad_request("can't parse reply parameters JSON object")
        mid = rp.get("message_id") if rp else p.int("reply_to_message_id")
        if not mid:
            return None
        allow_missing = bool(rp.get("allow_sending_without_reply")) if rp else False
        allow_missing = allow_missing or p.bool("allow_sending_without_reply")
        target_chat = chat
        if rp and rp.get("chat_id") not in (None, chat.id):
            target_chat = self.resolve_chat(rp["chat_id"], write=False)
        m = target_chat.get(int(mid))
        if m is None or m.deleted:
            if allow_missing:
                return None
            raise bad_request("message to be replied not found")
        return m

    def _check_thread(self, p: Params) -> None:
        if p.has("message_thread_id"):  # forum topics are not simulated
            raise bad_request("message thread not found")

    def _rate(self, chat: SimChat) -> None:
        wait = self.faults.rates.retry_after(chat.id, chat.type == "private")
        if wait is not None:
            self.stats.rate_limited += 1
            raise too_many_requests(wait)
        self.faults.rates.record(chat.id)

    def _record(self, method: str, m: SimMessage) -> None:
        self.stats.sends.append(SendRecord(method, m.chat.id, m.message_id,
                                           m.text if m.text is not None else m.caption, self.clock()))
        if m.markup is not None:  # a message keeps only its current keyboard: log each one shown
            self.world.keyboards.append(m.markup)

    def _bot_message(self, chat: SimChat, **fields: Any) -> SimMessage:
        m = SimMessage(message_id=chat.take_message_id(), chat=chat, sender=None,
                       date=self.world.now(), **fields)
        chat.add_message(m)
        self.world.bot_sent.append(m)
        return m

    def _editable(self, p: Params) -> SimMessage:
        if p.has("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")  # inline mode is not simulated
        chat = self._chat(p)
        mid = p.int("message_id")
        if not mid:
            raise bad_request("message identifier is not specified")
        m = chat.get(mid)
        if m is None or m.deleted:
            raise bad_request("message to edit not found")
        if not m.from_bot or m.service:
            raise bad_request("message can't be edited")
        return m

    # ================================================================== sending
    def sendMessage(self, p: Params) -> Any:
        chat = self._chat(p)
        self._check_thread(p)
        text, entities, raw, parse_mode = self._formatted(
            p, "text", "entities", limit=TEXT_LIMIT, allow_empty=False, too_long="message is too long")
        markup = self._markup(p, chat)
        reply_to = self._reply_target(chat, p)
        preview = p.json("link_preview_options", "link preview options")
        self._rate(chat)
        m = self._bot_message(chat, text=text, entities=entities, raw=raw, parse_mode=parse_mode,
                              markup=markup, reply_to=reply_to, link_preview_options=preview,
                              protect_content=p.bool("protect_content"),
                              disable_notification=p.bool("disable_notification"))
        self._record("sendMessage", m)
        return self.world.message_json(m)

    def sendDocument(self, p: Params) -> Any:
        chat = self._chat(p)
        self._check_thread(p)
        f = self._document(p)
        caption, caption_entities, raw, parse_mode = self._formatted(
            p, "caption", "caption_entities", limit=CAPTION_LIMIT, allow_empty=True,
            too_long="message caption is too long")
        markup = self._markup(p, chat)
        reply_to = self._reply_target(chat, p)
        self._rate(chat)
        m = self._bot_message(chat, file=f, caption=caption, caption_entities=caption_entities,
                              raw=raw, parse_mode=parse_mode, markup=markup, reply_to=reply_to,
                              protect_content=p.bool("protect_content"),
                              disable_notification=p.bool("disable_notification"))
        self._record("sendDocument", m)
        return self.world.message_json(m)

    def _document(self, p: Params) -> SimFile:
        doc = p.raw("document")
        if isinstance(doc, str) and doc.startswith("attach://"):
            doc = p.raw(doc[len("attach://"):])
        if isinstance(doc, Upload):
            if not doc.content:
                raise bad_request("file must be non-empty")
            if len(doc.content) > UPLOAD_LIMIT:
                raise ApiError(413, "Request Entity Too Large")
            return self.world.new_file(doc.filename or "document", doc.content, doc.content_type)
        if isinstance(doc, str) and doc:
            if doc in self.world.files:
                return self.world.files[doc]
            if re.match(r"^https?://", doc, re.IGNORECASE):
                raise bad_request("failed to get HTTP URL content")  # no internet here
            raise bad_request("wrong file identifier/HTTP URL specified")
        raise bad_request("there is no document in the request")

    def getFile(self, p: Params) -> Any:
        f = self.world.files.get(p.str("file_id") or "")
        if f is None:
            raise bad_request("wrong file_id or the file is temporarily unavailable")
        if f.size > DOWNLOAD_LIMIT:
            raise bad_request("file is too big")
        return file_json(f)

    def sendChatAction(self, p: Params) -> Any:
        self._chat(p)
        if p.str("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    # ================================================================== editing & deleting
    def editMessageText(self, p: Params) -> Any:
        m = self._editable(p)
        if m.text is None:
            raise bad_request("there is no text in the message to edit")
        text, entities, raw, parse_mode = self._formatted(
            p, "text", "entities", limit=TEXT_LIMIT, allow_empty=False, too_long="message is too long")
        markup = self._markup(p, m.chat, inline_only=True)  # no reply_markup = keyboard removed
        if text == m.text and entities == m.entities and _same_markup(markup, m.markup):
            raise bad_request(NOT_MODIFIED)
        self._rate(m.chat)
        m.edits.append(m.text)
        m.text, m.entities, m.raw, m.parse_mode, m.markup = text, entities, raw, parse_mode, markup
        m.link_preview_options = p.json("link_preview_options", "link preview options")
        m.edit_date = self.world.now()
        self._record("editMessageText", m)
        return self.world.message_json(m)

    def editMessageCaption(self, p: Params) -> Any:
        m = self._editable(p)
        if m.file is None:
            raise bad_request("there is no caption in the message to edit")
        caption, entities, raw, parse_mode = self._formatted(
            p, "caption", "caption_entities", limit=CAPTION_LIMIT, allow_empty=True,
            too_long="message caption is too long")
        markup = self._markup(p, m.chat, inline_only=True)
        if caption == m.caption and entities == m.caption_entities and _same_markup(markup, m.markup):
            raise bad_request(NOT_MODIFIED)
        self._rate(m.chat)
        m.edits.append(m.caption or "")
        m.caption, m.caption_entities, m.raw, m.parse_mode, m.markup = caption, entities, raw, parse_mode, markup
        m.edit_date = self.world.now()
        self._record("editMessageCaption", m)
        return self.world.message_json(m)

    def editMessageReplyMarkup(self, p: Params) -> Any:
        m = self._editable(p)
        markup = self._markup(p, m.chat, inline_only=True)
        if _same_markup(markup, m.markup):
            raise bad_request(NOT_MODIFIED)
        self._rate(m.chat)
        m.markup = markup
        m.edit_date = self.world.now()
        self._record("editMessageReplyMarkup", m)
        return self.world.message_json(m)

    def deleteMessage(self, p: Params) -> Any:
        chat = self._chat(p)
        mid = p.int("message_id")
        if not mid:
            raise bad_request("message identifier is not specified")
        m = chat.get(mid)
        if m is None or m.deleted:
            raise bad_request("message to delete not found")
        too_old = self.world.now() - m.date > DELETE_WINDOW
        others_in_group = chat.is_group and not m.from_bot and chat.bot_status != "administrator"
        if too_old or others_in_group:
            raise bad_request("message can't be deleted")
        m.deleted = True
        return True

    # ================================================================== callback queries
    def answerCallbackQuery(self, p: Params) -> Any:
        rec = self.world.callbacks.get(p.str("callback_query_id") or "")
        if rec is None or rec.answered:
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        text = p.str("text")
        if text and utf16_len(text) > CALLBACK_ANSWER_LIMIT:
            raise bad_request("MESSAGE_TOO_LONG")
        rec.answered = True
        rec.answer = {"text": text or None, "show_alert": p.bool("show_alert"), "url": p.str("url"),
                      "cache_time": p.int("cache_time", 0)}
        return True

    # ================================================================== pins
    def _pin_rights(self, chat: SimChat) -> None:
        if chat.is_group and not (chat.bot_status == "administrator" and chat.bot_can_pin):
            raise bad_request("not enough rights to manage pinned messages in the chat")

    def pinChatMessage(self, p: Params) -> Any:
        chat = self._chat(p)
        mid = p.int("message_id")
        if not mid:
            raise bad_request("message identifier is not specified")
        self._pin_rights(chat)
        m = chat.get(mid)
        if m is None or m.deleted:
            raise bad_request("message to pin not found")
        if mid in chat._pins:
            chat._pins.remove(mid)
        chat._pins.append(mid)
        return True

    def unpinChatMessage(self, p: Params) -> Any:
        chat = self._chat(p)
        self._pin_rights(chat)
        mid = p.int("message_id")
        if mid:
            if chat.get(mid) is None:
                raise bad_request("message to unpin not found")
            if mid in chat._pins:
                chat._pins.remove(mid)
        elif chat.pinned is not None:
            chat._pins.remove(chat.pinned.message_id)
        return True

    def unpinAllChatMessages(self, p: Params) -> Any:
        chat = self._chat(p)
        self._pin_rights(chat)
        chat._pins.clear()
        return True


def _same_markup(new: Markup | None, old: Markup | None) -> bool:
    def inline(m: Markup | None) -> Any:
        return m.value if m is not None and m.kind == "inline" and m.inline_rows else None
    return inline(new) == inline(old)


METHODS: dict[str, str] = {
    name.lower(): name for name in (
        "getMe", "logOut", "close", "setWebhook", "deleteWebhook", "getWebhookInfo", "sendMessage",
        "sendDocument", "getFile", "sendChatAction", "editMessageText", "editMessageCaption",
        "editMessageReplyMarkup", "deleteMessage", "answerCallbackQuery", "pinChatMessage",
        "unpinChatMessage", "unpinAllChatMessages", "setMyCommands", "getMyCommands",
        "deleteMyCommands", "setChatMenuButton", "getChat", "getChatMember",
        "getChatAdministrators", "getChatMemberCount", "leaveChat",
    )
}
