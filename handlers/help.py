"""/huongdan, /help and the welcome of /start: what this person can do here."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType

from handlers.common import GROUP_TYPES, Context, say, transaction
from handlers.gates import acting
from services.blocs import Refused, bloc_in, is_secretary
from storage import roster


def _my_units(context: Context, user_id: int):
    with context.services.db.session() as session:
        return roster.units_of_user(session=session, user_id=user_id)


async def welcome(update: Update, context: Context) -> None:
    if update.effective_chat.type != ChatType.PRIVATE:
        await huongdan(update, context)
        return
    await say(update, context, "help.welcome", user_name=update.effective_user.full_name,
              units=_my_units(context, update.effective_user.id))


async def huongdan(update: Update, context: Context) -> None:
    chat, user = update.effective_chat, update.effective_user
    if chat.type in GROUP_TYPES:
        actor = await acting(update, context)
        with transaction(context) as session:
            bloc = bloc_in(session, chat_id=chat.id)
            bloc = None if isinstance(bloc, Refused) else bloc
            secretary = bloc is not None and is_secretary(session, bloc=bloc, actor=actor)
        await say(update, context, "help.group", bloc=bloc, secretary=secretary)
        return
    await say(update, context, "help.private", units=_my_units(context, user.id))


async def unknown_command(update: Update, context: Context) -> None:
    """A command the bot does not have, in the private chat: say so and list what it has.
    (In a group an unknown command may be meant for another bot: no answer there.)"""
    command, _, bot = (update.effective_message.text or "/").split()[0][1:].partition("@")
    if bot and bot.lower() != (context.bot.username or "").lower():
        return  # meant for another bot
    await say(update, context, "help.unknown_command", command=command[:32],
              units=_my_units(context, update.effective_user.id))
