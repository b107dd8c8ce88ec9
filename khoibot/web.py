"""The Mini Apps in the running bot: the web server built from the bot's services, started
with the bot and stopped with it; what a page's decision makes the bot say in Telegram; and
the buttons and links that open the pages."""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram.error import TelegramError
from telegram.ext import Application

from handlers import registration as registration_chat
from handlers import review as review_chat
from khoibot import health
from khoibot.services import KhoibotContext, Services, services_of
from services import ballot, registration
from webapp.api import Web
from webapp.initdata import WebUser
from webapp.server import WebServer, make_app

log = logging.getLogger(__name__)

MEMBER_STATUSES = {"creator", "administrator", "member"}


def _name(person: WebUser) -> str:
    return " ".join(filter(None, (person.first_name, person.last_name)))


class ChatEffects:
    """After a page's decision is committed, the bot's messages, as the chat's handlers send
    them; run as the application's tasks, so that the page's answer does not wait for
    Telegram and a bot shutting down still finishes them."""

    def __init__(self, app: Application) -> None:
        self.app = app

    def _context(self) -> KhoibotContext:
        return KhoibotContext(application=self.app)

    def registered(self, person: WebUser, done: registration.Confirmed) -> None:
        self.app.create_task(registration_chat.form_confirmed(self._context(), person.id, _name(person), done),
                             name="form registration")

    def withdrawn(self, person: WebUser, done: registration.Withdrawn) -> None:
        self.app.create_task(registration_chat.form_withdrawn(self._context(), person.id, _name(person), done),
                             name="form withdrawal")

    def voted(self, person: WebUser, done: ballot.Cast) -> None:
        self.app.create_task(review_chat.form_cast(self._context(), person.id, done), name="form ballot")

    async def in_group(self, chat_id: int, user_id: int) -> bool:
        try:
            member = await self.app.bot.get_chat_member(chat_id, user_id)
        except TelegramError:
            return False
        return member.status in MEMBER_STATUSES or getattr(member, "is_member", False)


def build_web(app: Application) -> WebServer:
    s: Services = services_of(app)
    web = s.settings.web
    api = Web(db=s.db, clock=s.clock, render=s.render, catalogue=s.catalogue_for, token=s.settings.telegram.token,
              seal=lambda: s.seal, max_age=timedelta(hours=web.init_data_max_age_hours), effects=ChatEffects(app))
    server = make_app(api, base=web.path)
    server.add_routes(health.routes(app))
    return WebServer(server, host=web.listen, port=web.port)


_KEY = "web_server"


async def start_web(app: Application) -> None:
    if not services_of(app).settings.web.enabled:
        return
    server = build_web(app)
    await server.start()
    app.bot_data[_KEY] = server


async def stop_web(app: Application) -> None:
    server = app.bot_data.pop(_KEY, None)
    if server is not None:
        await server.stop()


def web_server(app: Application) -> WebServer | None:
    return app.bot_data.get(_KEY)
