"""The simulated Telegram side: registries, id allocation, and turning people's actions into
updates for the bot (with privacy mode applied)."""

from __future__ import annotations

import itertools
import mimetypes
from typing import Any, Callable

from .markup import Markup
from .serialize import bot_json, chat_json, member_json, message_json, user_json
from .state import CallbackRecord, SimChat, SimFile, SimMessage, SimUser, UpdateQueue
from .text import detect_entities, entity_text, trim, utf16_prefix


class World:
    def __init__(self, standin: Any, bot_id: int, bot_username: str, bot_first_name: str,
                 wall_clock: Callable[[], float], privacy_mode: bool):
        self.standin = standin
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.wall_clock = wall_clock
        self.privacy_mode = privacy_mode
        self.bot = bot_json(bot_id, bot_first_name, bot_username)
        self.users: dict[int, SimUser] = {}
        self.chats: dict[int, SimChat] = {}
        self.files: dict[str, SimFile] = {}
        self.files_by_path: dict[str, SimFile] = {}
        self.callbacks: dict[str, CallbackRecord] = {}
        self.commands: dict[tuple[Any, ...], list[dict[str, str]]] = {}
        self.updates = UpdateQueue()
        self.bot_sent: list[SimMessage] = []  # every message the bot sent, in order
        self.keyboards: list[Markup] = []  # every reply_markup the bot sent or edited in, in order
        self.warnings: list[str] = []
        self.webhook: dict[str, Any] | None = None
        self.on_update: Callable[[], None] = lambda: None
        self.on_webhook: Callable[[], None] = lambda: None  # after setWebhook / deleteWebhook
        self._user_ids = itertools.count(700_000_001)
        self._group_ids = itertools.count(4_000_000_001)
        self._supergroup_ids = itertools.count(1_000_000_001)
        self._file_ids = itertools.count(1)
        self._query_ids = itertools.count(4_242_000_000_000_000_001)

    def now(self) -> int:
        return int(self.wall_clock())

    def warn(self, text: str) -> None:
        self.warnings.append(text)

    # ---- registries -------------------------------------------------------------------
    def add_user(self, name: str, username: str | None = None, *, last_name: str | None = None,
                 language_code: str | None = "vi", user_id: int | None = None) -> SimUser:
        uid = user_id if user_id is not None else next(self._user_ids)
        if uid in self.users or uid == self.bot_id or uid <= 0:
            raise ValueError(f"user id {uid} is taken or invalid")
        u = SimUser(id=uid, first_name=name, last_name=last_name, username=username,
                    language_code=language_code, _standin=self.standin)
        self.users[uid] = u
        return u

    def add_group(self, title: str, members: list[SimUser] = (), admins: list[SimUser] = (),
                  *, creator: SimUser | None = None, with_bot: bool = False,
                  supergroup: bool = False, username: str | None = None) -> SimChat:
        if supergroup:
            cid = -(1_000_000_000_000 + next(self._supergroup_ids))
        else:
            cid = -next(self._group_ids)
        chat = SimChat(id=cid, type="supergroup" if supergroup else "group", title=title,
                       username=username, _standin=self.standin)
        everyone = list(dict.fromkeys([*(admins or ()), *(members or ())]))
        creator = creator or (admins[0] if admins else (everyone[0] if everyone else None))
        if creator is not None and creator not in everyone:
            everyone.insert(0, creator)
        for u in everyone:
            chat.users[u.id] = u
            chat.members[u.id] = "member"
        for u in admins or ():
            chat.members[u.id] = "administrator"
            chat.admin_can_pin[u.id] = True
        if creator is not None:
            chat.members[creator.id] = "creator"
        self.chats[cid] = chat
        if with_bot:
            chat.bot_status = "member"
            self.service_message(chat, creator, group_chat_created=True)
            self.my_chat_member(chat, creator, "left", "member")
        return chat

    def new_file(self, filename: str, content: bytes, mime_type: str | None = None) -> SimFile:
        n = next(self._file_ids)
        ext = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
        if not mime_type or mime_type == "application/octet-stream":
            mime_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        f = SimFile(file_id=f"BQACAgIAAxkBAAI{n:08d}StandIn", file_unique_id=f"AgAD{n:06d}",
                    filename=filename, content=content, mime_type=mime_type,
                    file_path=f"documents/file_{n}.{ext}")
        self.files[f.file_id] = f
        self.files_by_path[f.file_path] = f
        return f

    def new_query_id(self) -> str:
        return str(next(self._query_ids))

    # ---- updates ----------------------------------------------------------------------
    def enqueue(self, kind: str, payload: dict[str, Any]) -> None:
        if self.updates.push(kind, payload) is not None:
            self.on_update()

    def message_json(self, m: SimMessage) -> dict[str, Any]:
        return message_json(m, self.bot)

    def post(self, m: SimMessage) -> SimMessage:
        """Put a message from a person into its chat and deliver it if the bot may see it."""
        m.chat.add_message(m)
        if self.bot_sees(m):
            self.enqueue("message", self.message_json(m))
        return m

    def user_message(self, user: SimUser, chat: SimChat, *, text: str | None = None,
                     reply_to: SimMessage | None = None, file: SimFile | None = None,
                     caption: str | None = None, posted_as: str | None = None,
                     media: dict[str, Any] | None = None) -> SimMessage:
        # Telegram trims leading/trailing whitespace of every message, users' ones included.
        if text is not None:
            text = trim(text, [])[0]
            if not text:
                raise AssertionError("a Telegram app does not send an empty message")
        caption = trim(caption, [])[0] if caption else None
        m = SimMessage(message_id=chat.take_message_id(), chat=chat, sender=user, date=self.now(),
                       reply_to=reply_to, file=file, posted_as=posted_as, media=media)
        if text is not None:
            m.text, m.entities = text, detect_entities(text)
        if caption:
            m.caption, m.caption_entities = caption, detect_entities(caption)
        if chat.type == "private":
            user.started = True
        return self.post(m)

    def service_message(self, chat: SimChat, actor: SimUser | None, **service: Any) -> SimMessage:
        m = SimMessage(message_id=chat.take_message_id(), chat=chat, sender=actor, date=self.now(),
                       service=service)
        return self.post(m)

    def my_chat_member(self, chat: SimChat, actor: SimUser | None, old: str, new: str,
                       old_can_pin: bool = False, new_can_pin: bool = False) -> None:
        self.enqueue("my_chat_member", {
            "chat": chat_json(chat),
            "from": self.bot if actor is None else user_json(actor),
            "date": self.now(),
            "old_chat_member": member_json(old, self.bot, old_can_pin),
            "new_chat_member": member_json(new, self.bot, new_can_pin),
        })

    def bot_sees(self, m: SimMessage) -> bool:
        """Privacy mode: what a bot gets from a group (private chats: everything)."""
        chat = m.chat
        if chat.type == "private":
            return not (chat.user and chat.user.blocked)
        if chat.bot_status not in ("member", "administrator"):
            return False
        # Service messages always; admin bots and bots without privacy mode get everything.
        if m.service or not self.privacy_mode or chat.bot_status == "administrator":
            return True
        text = m.text if m.text is not None else m.caption
        entities = m.entities if m.text is not None else m.caption_entities
        if not text:
            return False
        if m.reply_to is not None and m.reply_to.from_bot:
            return True
        prefix = utf16_prefix(text)
        me = self.bot_username.lower()
        for e in entities:
            if e["type"] == "bot_command" and e["offset"] == 0:
                cmd = entity_text(text, e, prefix)
                if "@" not in cmd or cmd.split("@", 1)[1].lower() == me:
                    return True
            if e["type"] == "mention" and entity_text(text, e, prefix)[1:].lower() == me:
                return True
        return False

    # ---- reading helpers for tests ------------------------------------------------------
    def commands_for(self, scope: tuple[Any, ...], language_code: str = "") -> list[dict[str, str]]:
        return list(self.commands.get((scope, language_code), []))

    def commands_seen_by(self, user: SimUser, chat: SimChat | None = None) -> list[dict[str, str]]:
        """The command menu Telegram shows `user` in `chat` (default: their private chat)."""
        chat = chat or user.private_chat
        if chat.type == "private":
            scopes = [("chat", chat.id), ("all_private_chats",), ("default",)]
        else:
            admin = chat.is_admin(user)
            scopes = [("chat_member", chat.id, user.id)]
            scopes += [("chat_administrators", chat.id)] if admin else []
            scopes += [("chat", chat.id)]
            scopes += [("all_chat_administrators",)] if admin else []
            scopes += [("all_group_chats",), ("default",)]
        langs = [user.language_code or "", ""] if user.language_code else [""]
        for scope in scopes:
            for lang in langs:
                if (scope, lang) in self.commands:
                    return list(self.commands[(scope, lang)])
        return []
