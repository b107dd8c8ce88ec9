"""The bot's web server: the Mini Apps' pages, their static files and their JSON API
(webapp/api.py), on aiohttp, in the bot's own process and event loop.

Each API request is: who is asking (initData), the body read, ONE transaction in which a
service decides, then (after the commit) the effects in Telegram, then the answer. The
database work is synchronous and never spans an ``await``, like a handler's: two requests
of one process never interleave inside a transaction, so a second press of «Xác nhận»
finds the first one's registration or ballot and is answered from it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from aiohttp import web
from webapp import api
from webapp.api import Refusal, Web

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
PAGES = ("dangky", "bophieu", "tinhhinh")
# Pages change only with a release: the version makes browsers fetch the new static files.
ASSET_VERSION = "17"

_WEB_KEY = web.AppKey("web", Web)


def make_app(web_: Web, *, base: str = "/app") -> web.Application:
    base = "/" + base.strip("/") if base.strip("/") else ""
    app = web.Application(client_max_size=api.MAX_BODY + 1024)
    app[_WEB_KEY] = web_
    context = dict(base=base, static=f"{base}/static", api=f"{base}/api", v=ASSET_VERSION)

    def page(name: str):
        async def show(_request: web.Request) -> web.Response:
            text = web_.render.page(name, **context)
            # The page holds no data (it asks the API with the initData): it may be cached, not framed by others.
            return web.Response(text=text, content_type="text/html", charset="utf-8",
                                headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff",
                                         "Referrer-Policy": "no-referrer"})
        return show

    routes = [web.get(f"{base}/", page("start"))]
    routes += [web.get(f"{base}/{name}", page(name)) for name in PAGES]
    routes += [web.post(f"{base}/api/{name}", _endpoint(handler)) for name, handler in ENDPOINTS.items()]
    app.add_routes(routes)
    app.router.add_static(f"{base}/static", STATIC, append_version=False)
    return app


def _endpoint(handler: Callable):
    async def endpoint(request: web.Request) -> web.Response:
        web_ = request.app[_WEB_KEY]
        try:
            asked = api.who(web_, request)
            data = await api.body(request)
            return await handler(web_, asked, data)
        except Refusal as refusal:
            return api.refused(web_, refusal)
    return endpoint


# ---- the endpoints: each one transaction, then its effects ----------------------------------------

async def registration_state(web_: Web, asked, data: dict) -> web.Response:
    with web_.db.session() as session:
        state = api.registration_state(web_, session, asked.user.id, api.whole(data.get("unit_id")))
    return web.json_response(state)


async def registration_submit(web_: Web, asked, data: dict) -> web.Response:
    return await _change(web_, asked, data, api.registration_submit, web_.effects.registered)


async def registration_withdraw(web_: Web, asked, data: dict) -> web.Response:
    return await _change(web_, asked, data, api.registration_withdraw, web_.effects.withdrawn)


async def _change(web_: Web, asked, data: dict, decide, effect) -> web.Response:
    """A registration changed from the page: decided and committed, the chat told, then the
    form's new state read (a transaction of its own) for the page to show."""
    unit_id = api.whole(data.get("unit_id"))
    try:
        with web_.db.session() as session:
            payload, done = decide(web_, session, asked.user, data)
    except Refusal as refusal:
        if refusal.word != "outdated":
            raise
        # The page shows the registration that counts now, with why it was not saved.
        with web_.db.session() as session:
            state = api.registration_state(web_, session, asked.user.id, unit_id)
        return api.refused(web_, refusal, state=state)
    if not getattr(done, "again", False):
        effect(asked.user, done)
    with web_.db.session() as session:
        state = api.registration_state(web_, session, asked.user.id, unit_id)
    return api.answer({**payload, "state": state})


async def ballot_state(web_: Web, asked, data: dict) -> web.Response:
    with web_.db.session() as session:
        state = api.ballot_state(web_, session, asked.user.id, api.whole(data.get("unit_id")))
    return web.json_response(state)


async def ballot_submit(web_: Web, asked, data: dict) -> web.Response:
    with web_.db.session() as session:
        payload, done = api.ballot_submit(web_, session, asked.user, data)
    web_.effects.voted(asked.user, done)
    return api.answer(payload)


async def status_state(web_: Web, asked, data: dict) -> web.Response:
    bloc_id = api.whole(data.get("bloc_id"))
    if bloc_id is None:
        bloc_id = api.start_param_bloc(asked.start_param)
    with web_.db.session() as session:
        bloc, acts_in_it = api.status_bloc(session, asked.user.id, bloc_id)
    if bloc is None:
        raise Refusal(404, "webapp.status_no_bloc", "no_bloc")
    # Anyone in the bloc's group may read its board: asked of Telegram (not in a transaction).
    if not acts_in_it and not await web_.effects.in_group(bloc.chat_id, asked.user.id):
        raise Refusal(403, "webapp.status_not_member", "not_member")
    with web_.db.session() as session:
        return web.json_response(api.status_page(web_, session, bloc))


ENDPOINTS = {
    "registration/state": registration_state,
    "registration/submit": registration_submit,
    "registration/withdraw": registration_withdraw,
    "ballot/state": ballot_state,
    "ballot/submit": ballot_submit,
    "status/state": status_state,
}


class WebServer:
    """The server's life beside the bot's: started after the bot is ready, stopped before it."""

    def __init__(self, app: web.Application, *, host: str, port: int) -> None:
        self._runner = web.AppRunner(app, access_log=None)
        self.host, self.port = host, port

    async def start(self) -> None:
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        if self.port == 0:  # a test's free port: which one the system gave
            self.port = self._runner.addresses[0][1]
        log.info("web server listening", extra={"host": self.host, "port": self.port})

    async def stop(self) -> None:
        await self._runner.cleanup()
