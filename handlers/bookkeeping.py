"""Cross-cutting work that runs before the feature handlers (handler groups -2 and -1):
remembering who wrote to the bot, following a group that became a supergroup,
greeting a group the bot was added to."""

from __future__ import annotations

import logging

from telegram import ChatMemberUpdated, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.ext import ChatMemberHandler, MessageHandler, TypeHandler, filters

from handlers.common import GROUP_TYPES, Context, tell, transaction
from services import blocs, people
from storage.users import reachable, touch_user

log = logging.getLogger(__name__)


async def remember_user(update: Update, context: Context) -> None:
    user = update.effective_user
    if user is None or user.is_bot:
        return
    s = context.services
    # A change of the bot's membership in a private chat (blocked, unblocked) is not the person
    # writing to the bot: on_my_membership records it.
    private = (update.effective_chat is not None and update.effective_chat.type == ChatType.PRIVATE
               and update.my_chat_member is None)
    known = s.seen_users.get(user.id)
    if known is not None and known[:3] == (user.first_name, user.last_name, user.username) and (
            known[3] or not private):
        return  # the row already says this (outbox forgets people it could not reach)
    with s.db.connection() as connection:
        row = touch_user(session=connection, user_id=user.id, first_name=user.first_name, last_name=user.last_name,
                         username=user.username, now=s.clock.now(), private=private)
        now_reachable = reachable(row)
    if len(s.seen_users) > 100_000:
        s.seen_users.clear()
    s.seen_users[user.id] = (user.first_name, user.last_name, user.username, now_reachable)


async def follow_migration(update: Update, context: Context) -> None:
    message = update.message
    old, new = ((message.chat.id, message.migrate_to_chat_id) if message.migrate_to_chat_id
                else (message.migrate_from_chat_id, message.chat.id))
    s = context.services
    with transaction(context) as session:
        moved = blocs.follow_group(session, old_chat_id=old, new_chat_id=new, now=s.clock.now())
    if moved is not None:
        log.info("bloc followed its group to a new id", extra={"bloc_id": moved.id, "old": old, "new": new})


async def on_my_membership(update: Update, context: Context) -> None:
    change: ChatMemberUpdated = update.my_chat_member
    if change.chat.type == ChatType.PRIVATE:
        follow_private_block(update, context)
        return
    if change.chat.type not in GROUP_TYPES:
        return
    was = change.old_chat_member.status
    now_status = change.new_chat_member.status
    joined = was in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED) and now_status in (
        ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR)
    left = now_status in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED)
    s = context.services
    with transaction(context) as session:
        bloc = blocs.bot_membership(session, chat_id=change.chat.id, by=change.from_user.id, joined=joined, left=left,
                                    now=s.clock.now())
    if joined:
        await tell(context, change.chat.id, "setup.hello", bloc=bloc)


def follow_private_block(update: Update, context: Context) -> None:
    """A person blocked the bot ("kicked" in their private chat): marked unreachable, as when a
    DM is refused, so reminders skip them and the group's lists name them. Unblocking
    ("member") makes them reachable again."""
    change: ChatMemberUpdated = update.my_chat_member
    user = change.from_user
    status = change.new_chat_member.status
    s = context.services
    if status in (ChatMemberStatus.BANNED, ChatMemberStatus.MEMBER):
        with transaction(context) as session:
            people.private_chat_changed(session, user_id=user.id, first_name=user.first_name,
                                        last_name=user.last_name, username=user.username,
                                        blocked=status == ChatMemberStatus.BANNED, now=s.clock.now())
    s.seen_users.pop(user.id, None)  # remember_user writes the row afresh next time


def remember_handler() -> TypeHandler:
    return TypeHandler(Update, remember_user)


def handlers() -> list:
    return [
        MessageHandler(filters.StatusUpdate.MIGRATE, follow_migration),
        ChatMemberHandler(on_my_membership, ChatMemberHandler.MY_CHAT_MEMBER),
    ]
