"""The Telegram side of "who may do this in this group", for handlers whose one transaction
finds the bloc and checks the secretary itself (services.blocs.bloc_in): the chat's kind is
checked here, what Telegram says of the person (a group administrator?) is asked here,
before the transaction, and a refusal of the gate is told here."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from sqlmodel import Session
from telegram import Update

from handlers.common import GROUP_TYPES, Context, alert, is_group_admin, say
from services.blocs import Actor, Refusal, Refused, bloc_in
from storage.models import Bloc


async def acting(update: Update, context: Context, *, ask_admin: bool | None = None) -> Actor:
    """The person acting in the update's group. Whether they administer it is asked when it
    may count (administrators count as secretaries: the deployment's setting), or always
    with ``ask_admin`` (setting a bloc up)."""
    admins_count = context.services.settings.bot.admins_are_secretaries
    user_id = update.effective_user.id
    asked = admins_count if ask_admin is None else ask_admin
    admin = await is_group_admin(context, update.effective_chat.id, user_id) if asked else None
    return Actor(user_id, admin, admins_count)


def command_name(update: Update) -> str:
    return (update.effective_message.text or "/").split()[0].split("@")[0].lstrip("/")


def in_group(fn):
    """A command of a group (elsewhere the person is told it is one)."""

    @wraps(fn)
    async def wrapper(update: Update, context: Context) -> None:
        if update.effective_chat.type not in GROUP_TYPES:
            await say(update, context, "common.group_only", command=command_name(update))
            return
        await fn(update, context)

    return wrapper


def pressed_in_group(fn):
    """A button of a group's message. A message Telegram no longer sends with its content
    cannot be checked against its keyboard (handlers/errors.py): it may be the pinned list or
    any other post of the bot, so a press on it never edits it."""

    @wraps(fn)
    async def wrapper(update: Update, context: Context) -> None:
        message = update.callback_query.message
        if message is None or message.chat.type not in GROUP_TYPES or not message.is_accessible:
            await alert(update, context, "common.stale_button")
            return
        await fn(update, context)

    return wrapper


def pressed_message(update: Update) -> tuple[int, int]:
    message = update.callback_query.message
    return message.chat.id, message.message_id


class GateRefused(Exception):
    """The gate said no inside the transaction of an action whose decision is one of several
    functions (the review panel's presses): raised there, the transaction is rolled back
    (nothing was written before the gate) and the caller tells the refusal."""

    def __init__(self, refused: Refused) -> None:
        super().__init__(refused.code)
        self.refused = refused


def gate_of_press(update: Update) -> Callable[[Session], Bloc]:
    """The gate of a press on a group's message, as the first call of its transaction: the
    bloc of the chat, never its pinned board pressed; else GateRefused. Who may press is
    the feature's own check."""
    def gate(session: Session) -> Bloc:
        bloc = bloc_in(session, chat_id=update.callback_query.message.chat.id, message=pressed_message(update))
        if isinstance(bloc, Refused):
            raise GateRefused(bloc)
        return bloc
    return gate


async def refuse_command(update: Update, context: Context, refused: Refused, command: str) -> None:
    """The gate said no to a command (or an answer to a question)."""
    if refused.code == Refusal.NOT_SECRETARY:
        await say(update, context, "common.secretaries_only", command=command)
    else:
        await say(update, context, "common.no_bloc")


async def refuse_button(update: Update, context: Context, refused: Refused) -> None:
    """The gate said no to a press."""
    await alert(update, context, "common.secretaries_only_button" if refused.code == Refusal.NOT_SECRETARY
                else "common.stale_button")


