"""Notices to a bloc's secretaries: in the group (paced: handlers/pacing.py), or by DM."""

from __future__ import annotations

from handlers.common import Context, render, tell
from handlers.pacing import pacer
from khoibot import outbox
from storage.models import Bloc


async def notify_secretaries(context: Context, bloc: Bloc, secretaries: list[int], template: str, **ctx) -> None:
    """Tell the bloc's secretaries: in the group, or by DM when configured (the group when no
    secretary can be reached by DM).

    In the group, the notices of a burst (every unit registering during a meeting) come
    together: the first at once, those within ``group_notice_seconds`` after it in one
    message at its end, each as its own paragraph, in the order of the changes."""
    if context.services.settings.bot.notify == "dm":
        reached = [await tell(context, user_id, template, bloc=bloc, **ctx) for user_id in secretaries]
        if any(reached):
            return
    text = render(context, template, bloc=bloc, **ctx)

    async def flush(items: list[tuple[Bloc, str]]) -> None:
        latest = items[-1][0]  # a group that moved to a supergroup: outbox follows it
        await outbox.send(context.bot, context.services, latest.chat_id, "\n\n".join(notice for _, notice in items))

    await pacer(context.application, "notify secretaries").request(
        context.application, bloc.id, (bloc, text), flush, context.services.settings.bot.group_notice_seconds)
