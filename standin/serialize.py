"""Telegram JSON objects (User, Chat, Message, ChatMember, Document, ...) from stand-in state."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .state import SimChat, SimFile, SimMessage, SimUser

JSON = dict[str, Any]


def user_json(u: SimUser) -> JSON:
    d: JSON = {"id": u.id, "is_bot": False, "first_name": u.first_name}
    if u.last_name:
        d["last_name"] = u.last_name
    if u.username:
        d["username"] = u.username
    if u.language_code:
        d["language_code"] = u.language_code
    return d


def bot_json(bot_id: int, first_name: str, username: str) -> JSON:
    return {"id": bot_id, "is_bot": True, "first_name": first_name, "username": username}


def chat_json(c: SimChat) -> JSON:
    d: JSON = {"id": c.id, "type": c.type}
    if c.type == "private" and c.user is not None:
        d["first_name"] = c.user.first_name
        if c.user.last_name:
            d["last_name"] = c.user.last_name
        if c.user.username:
            d["username"] = c.user.username
    else:
        d["title"] = c.title or ""
        if c.username:
            d["username"] = c.username
    return d


def document_json(f: SimFile) -> JSON:
    d = {"file_id": f.file_id, "file_unique_id": f.file_unique_id, "file_name": f.filename,
         "mime_type": f.mime_type, "file_size": f.size}
    if not f.size_told:
        del d["file_size"]
    return d


def file_json(f: SimFile) -> JSON:
    return {"file_id": f.file_id, "file_unique_id": f.file_unique_id, "file_size": f.size,
            "file_path": f.file_path}


# Who Telegram names as the sender of an anonymous admin's message, and the channel a
# person may post as.
GROUP_ANONYMOUS_BOT: JSON = {"id": 1087968824, "is_bot": True, "first_name": "Group", "username": "GroupAnonymousBot"}
CHANNEL_OF_POSTS: JSON = {"id": -1009876543210, "type": "channel", "title": "Kênh tin tức"}


def message_json(m: SimMessage, bot: JSON, nested: bool = False) -> JSON:
    d: JSON = {
        "message_id": m.message_id,
        "from": bot if m.sender is None else user_json(m.sender),
        "chat": chat_json(m.chat),
        "date": m.date,
    }
    if m.posted_as == "group":
        d["from"] = dict(GROUP_ANONYMOUS_BOT)
        d["sender_chat"] = chat_json(m.chat)
    elif m.posted_as == "channel":
        del d["from"]
        d["sender_chat"] = dict(CHANNEL_OF_POSTS)
    if m.edit_date:
        d["edit_date"] = m.edit_date
    if m.reply_to is not None and not nested:
        d["reply_to_message"] = message_json(m.reply_to, bot, nested=True)
    if m.text is not None:
        d["text"] = m.text
        if m.entities:
            d["entities"] = m.entities
    if m.file is not None:
        d["document"] = document_json(m.file)
    if m.media:
        d.update(m.media)
    if m.caption:
        d["caption"] = m.caption
        if m.caption_entities:
            d["caption_entities"] = m.caption_entities
    if m.link_preview_options and m.text is not None:
        d["link_preview_options"] = m.link_preview_options
    if m.protect_content:
        d["has_protected_content"] = True
    for key, value in m.service.items():
        if key == "new_chat_members":
            d[key] = [_member_user(u, bot) for u in value]
            if len(value) == 1:  # Telegram still fills the legacy single field
                d["new_chat_member"] = d["new_chat_participant"] = d[key][0]
        elif key == "left_chat_member":
            d[key] = _member_user(value, bot)
            d["left_chat_participant"] = d[key]
        elif key == "pinned_message":
            d[key] = message_json(value, bot, nested=True)
        else:
            d[key] = value
    if m.markup is not None and m.markup.kind == "inline" and m.markup.inline_rows:
        # Only inline keyboards are part of a Message object.
        d["reply_markup"] = m.markup.value
    return d


def _member_user(u: Any, bot: JSON) -> JSON:
    return bot if u is None else user_json(u)


_ADMIN_RIGHTS = dict(
    can_be_edited=False, is_anonymous=False, can_manage_chat=True, can_delete_messages=True,
    can_manage_video_chats=True, can_restrict_members=True, can_promote_members=False,
    can_change_info=True, can_invite_users=True, can_post_stories=False, can_edit_stories=False,
    can_delete_stories=False,
)


def member_json(status: str, user: JSON, can_pin: bool = False) -> JSON:
    """A ChatMember object of the right subtype for `status`."""
    if status == "creator":
        return {"status": "creator", "user": user, "is_anonymous": False}
    if status == "administrator":
        return {"status": "administrator", "user": user, **_ADMIN_RIGHTS, "can_pin_messages": can_pin}
    if status == "kicked":
        return {"status": "kicked", "user": user, "until_date": 0}
    if status == "member":
        return {"status": "member", "user": user}
    return {"status": "left", "user": user}
