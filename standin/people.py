"""The client that plays people: what a user or a group admin does in a Telegram app.

These are mixins of SimUser and SimChat (state.py), so tests read naturally:
    await alice.send(group, "/khoi ...");  answer = await alice.press(msg, "Xác nhận")
Async actions wait for `standin.settle()` by default, so the test can then read what came back.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlparse

from .serialize import chat_json, user_json
from .text import detect_entities

if TYPE_CHECKING:
    from .state import SimChat, SimMessage, SimUser

_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")


class PersonActions:
    """Mixed into SimUser."""

    # ---- messages
    async def send(self: SimUser, chat: SimChat, text: str, *, reply_to: SimMessage | None = None,
                   settle: bool = True) -> SimMessage:
        """Type `text` into `chat` (a group or this user's private chat with the bot)."""
        world = self._standin.world
        _check_can_post(self, chat)
        if not text or not text.strip():
            raise AssertionError("a Telegram app does not send an empty message")
        m = world.user_message(self, chat, text=text, reply_to=reply_to)
        if settle:
            await self._standin.settle()
        return m

    async def send_media(self: SimUser, chat: SimChat, kind: str, *, caption: str | None = None,
                         reply_to: SimMessage | None = None, settle: bool = True) -> SimMessage:
        """Send a message that is neither text nor a document: "photo", "sticker", "voice",
        "location", "video" or "contact" (Telegram's JSON for it, with made-up file ids)."""
        world = self._standin.world
        _check_can_post(self, chat)
        unique = f"{kind}{chat.id}{world.now()}"
        media = {
            "photo": {"photo": [{"file_id": f"AgAC{unique}", "file_unique_id": f"u{unique}", "width": 90,
                                 "height": 90, "file_size": 1200}]},
            "sticker": {"sticker": {"file_id": f"CAAC{unique}", "file_unique_id": f"u{unique}", "type": "regular",
                                    "width": 512, "height": 512, "is_animated": False, "is_video": False,
                                    "emoji": "👍"}},
            "voice": {"voice": {"file_id": f"AwAC{unique}", "file_unique_id": f"u{unique}", "duration": 3,
                                "mime_type": "audio/ogg"}},
            "location": {"location": {"latitude": 16.4637, "longitude": 107.5909}},
            "video": {"video": {"file_id": f"BAAC{unique}", "file_unique_id": f"u{unique}", "width": 640,
                                "height": 360, "duration": 5, "mime_type": "video/mp4", "file_size": 90000}},
            "contact": {"contact": {"phone_number": "+84912345678", "first_name": "Nguyễn Văn An"}},
        }[kind]
        m = world.user_message(self, chat, caption=caption if kind in ("photo", "voice", "video") else None,
                               reply_to=reply_to, media=media)
        if settle:
            await self._standin.settle()
        return m

    async def send_anonymously(self: SimUser, chat: SimChat, text: str, *, as_channel: bool = False,
                               reply_to: SimMessage | None = None, settle: bool = True) -> SimMessage:
        """Post in a group without showing who: as the group itself (an admin with "Remain
        anonymous") or as a channel. The bot cannot tell who typed it."""
        world = self._standin.world
        _check_can_post(self, chat)
        if chat.type == "private":
            raise AssertionError("nobody posts anonymously in a private chat")
        if not as_channel and chat.members.get(self.id) not in ("creator", "administrator"):
            raise AssertionError(f"{self.full_name} is not an admin of {chat.label}: only admins post as the group")
        if not text or not text.strip():
            raise AssertionError("a Telegram app does not send an empty message")
        m = world.user_message(self, chat, text=text, reply_to=reply_to,
                               posted_as="channel" if as_channel else "group")
        if settle:
            await self._standin.settle()
        return m

    async def edit(self: SimUser, message: SimMessage, text: str, *, settle: bool = True) -> SimMessage:
        """Edit one of this user's own messages: Telegram sends the bot an edited_message update
        (in a group only when the bot could see the message)."""
        world = self._standin.world
        if message.sender is not self:
            raise AssertionError(f"{self.full_name} can only edit their own messages")
        text = text.strip()
        if not text:
            raise AssertionError("a Telegram app does not save an empty message")
        message.edits.append(message.text)
        message.text, message.entities = text, detect_entities(text)
        if world.bot_sees(message):
            payload = world.message_json(message)
            payload["edit_date"] = world.now()
            world.enqueue("edited_message", payload)
        if settle:
            await self._standin.settle()
        return message

    async def send_private(self: SimUser, text: str, *, settle: bool = True) -> SimMessage:
        return await self.send(self.private_chat, text, settle=settle)

    async def reply(self: SimUser, message: SimMessage, text: str, *, settle: bool = True) -> SimMessage:
        if message.deleted:
            raise AssertionError(f"cannot reply to deleted message {message!r}")
        return await self.send(message.chat, text, reply_to=message, settle=settle)

    async def send_document(self: SimUser, chat: SimChat, filename: str, content: bytes,
                            caption: str | None = None, *, mime_type: str | None = None,
                            reply_to: SimMessage | None = None, size_told: bool = True,
                            settle: bool = True) -> SimMessage:
        """Send a file as a document; ``size_told=False``: the update does not say its size
        (Telegram's file_size is optional)."""
        world = self._standin.world
        _check_can_post(self, chat)
        f = world.new_file(filename, content, mime_type)
        f.size_told = size_told
        m = world.user_message(self, chat, file=f, caption=caption, reply_to=reply_to)
        if settle:
            await self._standin.settle()
        return m

    async def open_link(self: SimUser, url: str, *, settle: bool = True) -> SimMessage:
        """Open a deep link to the bot: https://t.me/<bot>?start=<payload> -> "/start <payload>"."""
        bot = self._standin.world.bot_username
        parsed = urlparse(url)
        query = parse_qs(parsed.query)
        if parsed.scheme in ("http", "https") and parsed.netloc.lower() in ("t.me", "telegram.me"):
            target = parsed.path.strip("/")
        elif parsed.scheme == "tg" and parsed.netloc == "resolve":
            target = (query.get("domain") or [""])[0]
        else:
            raise AssertionError(f"{url!r} is not a Telegram link to a bot")
        if target.lower() != bot.lower():
            raise AssertionError(f"{url!r} opens @{target}, not @{bot}")
        if "startgroup" in query:
            raise AssertionError("startgroup links are not simulated; use chat.add_bot(by=user)")
        payload = (query.get("start") or [None])[0]
        if payload is None:
            return await self.send_private("/start", settle=settle)
        if not _PAYLOAD.fullmatch(payload):
            raise AssertionError(f"deep-link payload {payload!r} is invalid: Telegram allows 1-64 "
                                 "characters of A-Z a-z 0-9 _ -")
        return await self.send_private(f"/start {payload}", settle=settle)

    # ---- buttons
    async def press(self: SimUser, message: SimMessage, button_text: str, *,
                    settle: bool = True) -> str | None:
        """Press the inline button with this text; returns the bot's answerCallbackQuery text."""
        _check_can_see(self, message)
        button = message.find_button(button_text)
        if "callback_data" in button:
            return await self.press_data(message, button["callback_data"], settle=settle)
        if "url" in button:
            url = button["url"]
            bot = self._standin.world.bot_username.lower()
            if re.match(rf"^(https?://)?(t|telegram)\.me/{re.escape(bot)}\b", url, re.IGNORECASE):
                await self.open_link(url, settle=settle)
                return None
            raise AssertionError(f"button {button_text!r} opens {url}; nothing goes to the bot")
        raise AssertionError(f"button {button_text!r} is a {sorted(set(button) - {'text'})} button, "
                             "which the stand-in does not simulate")

    async def press_data(self: SimUser, message: SimMessage, data: str, *, inaccessible: bool | None = None,
                         as_a_button: bool = False, settle: bool = True) -> str | None:
        """A callback query with arbitrary data on `message` (stale or forged presses).
        `inaccessible`: the message is sent as Telegram sends one too old for it to send the
        content of (chat and id only, date 0), so the bot cannot see the message's buttons.
        By default so when `data` is on none of the message's buttons: the bot refuses such a
        press on a message it can see whole (handlers/errors.refuse_forged_press), and the
        tests that forge data are about each handler's own checks; pass False to send the
        message whole. `as_a_button`: the message is sent whole with one button carrying
        `data`, as Telegram sends a press on such a button (what a person can press wherever
        the bot once put that button; the permission table's cells)."""
        from .state import CallbackRecord

        world = self._standin.world
        _check_can_see(self, message)
        qid = world.new_query_id()
        if inaccessible is None:
            inaccessible = not as_a_button and not any(
                b.get("callback_data") == data for row in message.button_rows for b in row)
        whole = world.message_json(message)
        if as_a_button:
            whole["reply_markup"] = {"inline_keyboard": [[{"text": "·", "callback_data": data}]]}
        record = CallbackRecord(qid, self, message, data)
        world.callbacks[qid] = record
        world.enqueue("callback_query", {
            "id": qid,
            "from": user_json(self),
            "message": ({"chat": chat_json(message.chat), "message_id": message.message_id, "date": 0}
                        if inaccessible else whole),
            "chat_instance": str(abs(message.chat.id) * 7919 % 10**18),
            "data": data,
        })
        self.last_query_id = qid
        if not settle:
            return None
        await self._standin.settle()
        return record.answer["text"] if record.answer else None

    # ---- relationship with the bot
    def block_bot(self: SimUser) -> None:
        if not self.blocked:
            self.blocked = True
            self._standin.world.my_chat_member(self.private_chat, self, "member", "kicked")

    def unblock_bot(self: SimUser) -> None:
        if self.blocked:
            self.blocked = False
            self._standin.world.my_chat_member(self.private_chat, self, "kicked", "member")

    def leave(self: SimUser, group: SimChat) -> None:
        group.remove_member(self, by=self)


class GroupActions:
    """Mixed into SimChat: what group members and admins do with the group."""

    def _group_world(self: SimChat) -> Any:
        if not self.is_group:
            raise AssertionError(f"{self!r} is not a group")
        return self._standin.world

    def _actor(self: SimChat, by: SimUser | None) -> SimUser | None:
        if by is not None and self.members.get(by.id) not in ("creator", "administrator", "member"):
            raise AssertionError(f"{by.full_name} is not a member of {self.label}")
        if by is None:
            creators = [u for uid, u in self.users.items() if self.members.get(uid) == "creator"]
            return creators[0] if creators else None
        return by

    def add_bot(self: SimChat, by: SimUser | None = None, admin: bool = False,
                can_pin: bool = False) -> None:
        """`by` adds the bot: a my_chat_member update and a new_chat_members service message."""
        world = self._group_world()
        actor = self._actor(by)
        if self.bot_status in ("member", "administrator"):
            raise AssertionError(f"the bot is already in {self.label}")
        old = "left" if self.bot_status in ("none", "left") else self.bot_status
        self.bot_status = "administrator" if admin else "member"
        self.bot_can_pin = bool(admin and can_pin)
        world.my_chat_member(self, actor, old, self.bot_status, False, self.bot_can_pin)
        world.service_message(self, actor, new_chat_members=[None])  # None stands for the bot

    def remove_bot(self: SimChat, by: SimUser | None = None) -> None:
        world = self._group_world()
        actor = self._actor(by)
        old, can_pin = self.bot_status, self.bot_can_pin
        world.service_message(self, actor, left_chat_member=None)  # still delivered to the bot
        self.bot_status, self.bot_can_pin = "kicked", False
        world.my_chat_member(self, actor, old, "kicked", can_pin, False)

    def promote_bot(self: SimChat, can_pin: bool = True, by: SimUser | None = None) -> None:
        world = self._group_world()
        if self.bot_status not in ("member", "administrator"):
            raise AssertionError(f"the bot is not in {self.label}")
        old, old_pin = self.bot_status, self.bot_can_pin
        self.bot_status, self.bot_can_pin = "administrator", can_pin
        world.my_chat_member(self, self._actor(by), old, "administrator", old_pin, can_pin)

    def demote_bot(self: SimChat, by: SimUser | None = None) -> None:
        world = self._group_world()
        old, old_pin = self.bot_status, self.bot_can_pin
        self.bot_status, self.bot_can_pin = "member", False
        world.my_chat_member(self, self._actor(by), old, "member", old_pin, False)

    def make_admin(self: SimChat, user: SimUser, can_pin: bool = True) -> None:
        self._group_world()
        if self.members.get(user.id) not in ("member", "administrator"):
            raise AssertionError(f"{user.full_name} is not a plain member of {self.label}")
        self.members[user.id] = "administrator"
        self.admin_can_pin[user.id] = can_pin

    def remove_admin(self: SimChat, user: SimUser) -> None:
        self._group_world()
        if self.members.get(user.id) == "administrator":
            self.members[user.id] = "member"
            self.admin_can_pin.pop(user.id, None)

    def add_member(self: SimChat, user: SimUser, by: SimUser | None = None) -> None:
        world = self._group_world()
        actor = self._actor(by) if by is not None else user
        self.users[user.id] = user
        self.members[user.id] = "member"
        world.service_message(self, actor, new_chat_members=[user])

    def remove_member(self: SimChat, user: SimUser, by: SimUser | None = None) -> None:
        world = self._group_world()
        self.members[user.id] = "left" if by is None or by is user else "kicked"
        self.admin_can_pin.pop(user.id, None)
        world.service_message(self, by or user, left_chat_member=user)

    def migrate_to_supergroup(self: SimChat, by: SimUser | None = None) -> SimChat:
        """The group becomes a supergroup with a new id. This object now *is* the supergroup;
        the old basic group (its history, its refusing old id) is `self.previous`."""
        from .state import SimChat as _Chat

        world = self._group_world()
        if self.type != "group":
            raise AssertionError(f"{self.label} is already a supergroup")
        actor = self._actor(by)
        old = _Chat(id=self.id, type="group", title=self.title, members=dict(self.members),
                    users=dict(self.users), admin_can_pin=dict(self.admin_can_pin),
                    bot_status=self.bot_status, bot_can_pin=self.bot_can_pin, _standin=self._standin,
                    _log=self._log, _by_id=self._by_id, _next_id=self._next_id, _pins=self._pins)
        for m in old._log:
            m.chat = old
        world.chats[old.id] = old
        new_id = -(1_000_000_000_000 + next(world._supergroup_ids))
        self.id, self.type, self.previous = new_id, "supergroup", old
        self._log, self._by_id, self._next_id, self._pins = [], {}, 1, []
        world.chats[new_id] = self
        world.service_message(old, actor, migrate_to_chat_id=new_id)
        world.service_message(self, actor, migrate_from_chat_id=old.id)
        old.migrated_to_id = new_id
        return self


def _check_can_post(user: SimUser, chat: SimChat) -> None:
    if chat.migrated_to_id is not None:
        raise AssertionError(f"{chat.label} was upgraded to supergroup {chat.migrated_to_id}; "
                             "nobody can post in the old group")
    if chat.type == "private":
        if chat.user is not user:
            raise AssertionError(f"{user.full_name} cannot post in {chat.label}'s private chat")
        if user.blocked:  # writing to a blocked bot means pressing "Restart" first
            user.unblock_bot()
        return
    if chat.members.get(user.id) not in ("creator", "administrator", "member"):
        raise AssertionError(f"{user.full_name} is not a member of {chat.label}")


def _check_can_see(user: SimUser, message: SimMessage) -> None:
    if message.deleted:
        raise AssertionError(f"{message!r} was deleted; nobody can press its buttons")
    _check_can_post(user, message.chat)
