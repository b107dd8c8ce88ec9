"""Bot API methods about the bot itself, webhooks, command menus and chat information.

A mixin of BotApi (api.py), which provides the chat resolution helpers used here.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import bad_request
from .params import Params, Upload
from .serialize import chat_json, member_json, user_json
from .state import SimChat, SimMessage
from .webhook import check_webhook_url

SIMPLE_SCOPES = {"default", "all_private_chats", "all_group_chats", "all_chat_administrators"}


class ChatMethods:
    # ================================================================== bot & webhook
    def getMe(self, p: Params) -> Any:
        return {**self.world.bot, "can_join_groups": True,
                "can_read_all_group_messages": not self.world.privacy_mode,
                "supports_inline_queries": False, "can_connect_to_business": False,
                "has_main_web_app": False}

    def logOut(self, p: Params) -> Any:
        return True

    def close(self, p: Params) -> Any:
        return True

    def setWebhook(self, p: Params) -> Any:
        url = p.str("url")
        if url is None:
            raise bad_request("bad webhook: URL must be provided")
        if url:
            check_webhook_url(url)  # before any effect: a refused call changes nothing
        secret = p.str("secret_token") or None
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise bad_request("secret token contains unallowed characters")
        allowed = p.json("allowed_updates", "allowed updates")
        if allowed is not None and not isinstance(allowed, list):
            raise bad_request("can't parse allowed updates JSON object")
        if p.bool("drop_pending_updates"):
            self.world.updates.drop_all()
        if allowed is not None:  # not given: the previous setting stays, as on Telegram
            self.world.updates.set_allowed([str(a) for a in allowed])
        # A new dict each time: delivery notices the change (and getWebhookInfo's last error
        # belongs to the webhook it happened with).
        certificate = p.raw("certificate")  # a self-signed certificate, uploaded (PEM)
        pem = certificate.content.decode("ascii", "replace") if isinstance(certificate, Upload) else None
        self.world.webhook = ({"url": url, "secret_token": secret, "allowed_updates": allowed,
                               "max_connections": p.int("max_connections", 40),
                               **({"certificate": pem} if pem else {})} if url else None)
        self.world.on_webhook()
        return True

    def deleteWebhook(self, p: Params) -> Any:
        if p.bool("drop_pending_updates"):
            self.world.updates.drop_all()
        self.world.webhook = None  # back to getUpdates; pending updates wait for it
        self.world.on_webhook()
        return True

    def getWebhookInfo(self, p: Params) -> Any:
        hook = self.world.webhook or {}
        out = {"url": hook.get("url", ""), "has_custom_certificate": bool(hook.get("certificate")),
               "pending_update_count": len(self.world.updates.pending)}
        if hook:
            out["max_connections"] = hook["max_connections"]
            if hook.get("allowed_updates"):
                out["allowed_updates"] = hook["allowed_updates"]
            if "last_error_date" in hook:
                out["last_error_date"] = hook["last_error_date"]
                out["last_error_message"] = hook["last_error_message"]
        return out

    # ================================================================== commands & menu
    def _scope(self, p: Params) -> tuple[Any, ...]:
        raw = p.json("scope", "BotCommandScope")
        if raw is None:
            return ("default",)
        if not isinstance(raw, dict) or not isinstance(raw.get("type"), str):
            raise bad_request("can't parse BotCommandScope JSON object")
        kind = raw["type"]
        if kind in SIMPLE_SCOPES:
            return (kind,)
        if kind not in ("chat", "chat_administrators", "chat_member"):
            raise bad_request("unsupported bot command scope type")
        chat = self.resolve_chat(Params(raw).chat_id(), write=False)
        if kind == "chat":
            return (kind, chat.id)
        if not chat.is_group:
            raise bad_request("can't use chat_administrators or chat_member scope in private chats")
        if kind == "chat_administrators":
            return (kind, chat.id)
        uid = Params(raw).int("user_id")
        if uid not in self.world.users:
            raise bad_request("user not found")
        return (kind, chat.id, uid)

    def _language(self, p: Params) -> str:
        lang = p.str("language_code") or ""
        if lang and not re.fullmatch(r"[a-z]{2}", lang):
            raise bad_request("invalid language code specified")
        return lang

    def setMyCommands(self, p: Params) -> Any:
        raw = p.json("commands", "commands")
        if not isinstance(raw, list):
            raise bad_request("can't parse commands JSON object")
        if len(raw) > 100:
            raise bad_request("BOT_COMMANDS_TOO_MUCH")
        commands = []
        for c in raw:
            if not isinstance(c, dict):
                raise bad_request("can't parse BotCommand: BotCommand must be an Object")
            name, desc = c.get("command"), c.get("description")
            if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise bad_request("BOT_COMMAND_INVALID")
            if not isinstance(desc, str) or not 1 <= len(desc.strip()) or len(desc) > 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            commands.append({"command": name, "description": desc})
        key = (self._scope(p), self._language(p))
        if commands:
            self.world.commands[key] = commands
        else:
            self.world.commands.pop(key, None)
        return True

    def getMyCommands(self, p: Params) -> Any:
        return self.world.commands_for(self._scope(p), self._language(p))

    def deleteMyCommands(self, p: Params) -> Any:
        self.world.commands.pop((self._scope(p), self._language(p)), None)
        return True

    def setChatMenuButton(self, p: Params) -> Any:
        button = p.json("menu_button", "menu button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in ("commands", "web_app", "default"):
            raise bad_request("can't parse menu button JSON object")
        if p.has("chat_id"):
            self._chat(p, write=False).menu_button = button
        else:
            self.world.standin.default_menu_button = button
        return True

    # ================================================================== chat information
    def getChat(self, p: Params) -> Any:
        chat = self._chat(p, write=False)
        out = {**chat_json(chat), "accent_color_id": 0, "max_reaction_count": 11,
               "accepted_gift_types": {"unlimited_gifts": False, "limited_gifts": False,
                                       "unique_gifts": False, "premium_subscription": False,
                                       "gifts_from_channels": False}}
        if chat.is_group:
            out["permissions"] = {"can_send_messages": True, "can_send_documents": True,
                                  "can_invite_users": True, "can_pin_messages": False,
                                  "can_change_info": False}
            if chat.previous is not None:
                out["migrated_from_chat_id"] = chat.previous.id
        if chat.pinned is not None:
            out["pinned_message"] = self.world.message_json(chat.pinned)
        return out

    def _bot_member(self, chat: SimChat) -> dict[str, Any]:
        status = chat.bot_status if chat.bot_status != "none" else "left"
        return member_json(status, self.world.bot, chat.bot_can_pin)

    def getChatMember(self, p: Params) -> Any:
        chat = self._chat(p, write=False)
        uid = p.int("user_id")
        if uid == self.world.bot_id:
            return self._bot_member(chat) if chat.is_group else member_json("member", self.world.bot)
        user = self.world.users.get(uid)
        if user is None:
            raise bad_request("user not found")
        if chat.type == "private":
            return member_json("member", user_json(user))
        status = chat.members.get(uid, "left")
        return member_json(status, user_json(user), chat.admin_can_pin.get(uid, False))

    def getChatAdministrators(self, p: Params) -> Any:
        chat = self._chat(p, write=False)
        if not chat.is_group:
            raise bad_request("there are no administrators in the private chat")
        out = [member_json(s, user_json(chat.users[uid]), chat.admin_can_pin.get(uid, False))
               for uid, s in chat.members.items() if s in ("creator", "administrator")]
        if chat.bot_status == "administrator":
            out.append(self._bot_member(chat))
        return out

    def getChatMemberCount(self, p: Params) -> Any:
        chat = self._chat(p, write=False)
        if not chat.is_group:
            return 2
        people = sum(1 for s in chat.members.values() if s in ("creator", "administrator", "member"))
        return people + (1 if chat.bot_status in ("member", "administrator") else 0)

    def leaveChat(self, p: Params) -> Any:
        chat = self._chat(p, write=False)
        if not chat.is_group:
            raise bad_request("chat member status can't be changed in private chats")
        old, can_pin = chat.bot_status, chat.bot_can_pin
        chat.bot_status, chat.bot_can_pin = "left", False
        m = SimMessage(message_id=chat.take_message_id(), chat=chat, sender=None,
                       date=self.world.now(), service={"left_chat_member": None})
        chat.add_message(m)  # the bot does not get its own departure as a message
        self.world.my_chat_member(chat, None, old, "left", can_pin, False)
        return True
