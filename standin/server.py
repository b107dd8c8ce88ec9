"""BotApiStandIn: an in-process aiohttp server speaking the Telegram Bot API.

Point the real PTB Application at it with
    ApplicationBuilder().token(TOKEN).base_url(standin.base_url).base_file_url(standin.base_file_url)
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Callable

from aiohttp import web

from .api import METHODS, UPLOAD_LIMIT, BotApi
from .errors import NOT_FOUND, SERVER_ERRORS, UNAUTHORIZED, ApiError, bad_request, too_many_requests
from .faults import Fault, Faults, Stats
from .params import Params
from .state import SimChat, SimMessage, SimUser
from .webhook import WebhookDelivery
from .world import World

CONFLICT_OTHER_POLL = ("Conflict: terminated by other getUpdates request; "
                       "make sure that only one bot instance is running")
CONFLICT_WEBHOOK = ("Conflict: can't use getUpdates method while webhook is active; "
                    "use deleteWebhook to delete the webhook first")
CONFLICT_SET_WEBHOOK = "Conflict: terminated by setWebhook request"


@dataclass(frozen=True)
class BotCall:
    """A Bot API call that succeeded and touched a chat, as told to listeners."""

    method: str
    chat_id: int
    message_id: int | None  # the message sent or edited; for answerCallbackQuery, the pressed one
    query_id: str | None  # answerCallbackQuery only
    at: float  # the stand-in's clock when the call took effect


class BotApiStandIn:
    def __init__(self, token: str = "123456:TEST-token", bot_username: str = "khoibot_test_bot",
                 bot_first_name: str = "Khối bot", *, clock: Callable[[], float] = time.monotonic,
                 wall_clock: Callable[[], float] = time.time, privacy_mode: bool = True,
                 strict_html: bool = True, settle_timeout: float = 10.0, settle_quiet: float = 0.0,
                 settle_recheck: float = 0.005,
                 host: str = "127.0.0.1", port: int = 0, webhook_retry: tuple[float, float] = (0.05, 1.0),
                 webhook_timeout: float = 10.0):
        if not re.fullmatch(r"\d+:[\w-]+", token):
            raise ValueError(f"token {token!r} is not shaped like a bot token")
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.clock = clock
        self.stats = Stats()
        self.faults = Faults(clock, self.stats)
        self.world = World(self, self.bot_id, bot_username, bot_first_name, wall_clock, privacy_mode)
        self.world.on_update = self._on_update
        self.world.on_webhook = self._on_webhook
        self.api = BotApi(self.world, self.faults, self.stats, clock, strict_html)
        self.idle_probe: Callable[[], bool] = lambda: True
        self.settle_timeout = settle_timeout
        # A bot the stand-in can see into (idle_probe) is settled the moment it is idle. One in
        # another process can only be watched from outside: settle_quiet > 0 then asks for that
        # long without a request as well.
        self.settle_quiet = settle_quiet
        # How often settle() looks again while the bot is busy and nothing pokes it: a probe
        # that announces its changes (poke()) is looked at again as soon as one happens.
        self.settle_recheck = settle_recheck
        self._changed: asyncio.Event | None = None  # set by poke(), waited on by settle()
        self._changed_loop: asyncio.AbstractEventLoop | None = None
        self.default_menu_button: dict[str, Any] | None = None
        self._host, self._port = host, port
        self._runner: web.AppRunner | None = None
        self._stopped = asyncio.Event()
        self._poll_fut: asyncio.Future[str] | None = None
        self._in_flight: Counter[str] = Counter()  # method -> requests being handled (not getUpdates)
        self._last_activity = 0.0
        self._listeners: list[Callable[[BotCall], None]] = []
        # Webhook mode: retries wait webhook_retry[0] seconds, doubling up to webhook_retry[1].
        self.webhook_delivery = WebhookDelivery(self.world, self._touch, first_delay=webhook_retry[0],
                                                max_delay=webhook_retry[1], timeout=webhook_timeout)

    # ================================================================== lifecycle
    async def start(self) -> BotApiStandIn:
        app = web.Application(client_max_size=UPLOAD_LIMIT + 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        # handler_cancellation: a request whose client hung up (e.g. timed out) stops at once,
        # so a stalled call never takes effect later and is no longer "in flight".
        self._runner = web.AppRunner(app, handler_cancellation=True, access_log=None,
                                     shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self._stopped.clear()
        self.webhook_delivery.start()
        return self

    async def stop(self) -> None:
        self._stopped.set()  # releases long polls and held (stalled) requests
        self._wake_poller("stop")
        await self.webhook_delivery.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BotApiStandIn:
        return await self.start()

    async def __aexit__(self, *exc: Any) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self._host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://{self._host}:{self.port}/file/bot"

    # ================================================================== people & reading
    def add_user(self, name: str, username: str | None = None, **kw: Any) -> SimUser:
        return self.world.add_user(name, username, **kw)

    def add_group(self, title: str, members: list[SimUser] = (), admins: list[SimUser] = (),
                  **kw: Any) -> SimChat:
        return self.world.add_group(title, members, admins, **kw)

    def chat(self, chat_id: int) -> SimChat:
        return self.world.chats[chat_id]

    def messages_to(self, user: SimUser) -> list[SimMessage]:
        return user.private_chat.bot_messages()

    def mark(self) -> int:
        return len(self.world.bot_sent)

    def sent_since(self, mark: int) -> list[SimMessage]:
        return self.world.bot_sent[mark:]

    def pending_updates(self) -> list[dict[str, Any]]:
        return list(self.world.updates.pending)

    @property
    def webhook(self) -> dict[str, Any] | None:
        """The webhook as set by setWebhook (url, secret_token, allowed_updates, max_connections,
        last_error_date/last_error_message once a delivery failed); None in polling mode."""
        return self.world.webhook

    @property
    def warnings(self) -> list[str]:
        return self.world.warnings

    def callback_answer(self, query_id: str) -> dict[str, Any] | None:
        rec = self.world.callbacks.get(query_id)
        return rec.answer if rec else None

    @property
    def users(self) -> dict[int, SimUser]:
        return self.world.users

    @property
    def chats(self) -> dict[int, SimChat]:
        return self.world.chats

    @property
    def commands(self) -> dict[tuple[Any, str], list[dict[str, str]]]:
        """Every stored command list, keyed (scope, language_code): scope is the scope type
        ("default", "all_private_chats", ...) or, for chat-bound scopes, a tuple such as
        ("chat", chat_id) / ("chat_member", chat_id, user_id)."""
        return {(scope[0] if len(scope) == 1 else scope, lang): list(cmds)
                for (scope, lang), cmds in self.world.commands.items()}

    def commands_for(self, scope: str = "default", language_code: str = "", *,
                     chat: SimChat | None = None, user: SimUser | None = None) -> list[dict[str, str]]:
        """Commands stored by setMyCommands for exactly this scope and language."""
        key: tuple[Any, ...] = (scope,)
        if chat is not None:
            key += (chat.id,)
        if user is not None:
            key += (user.id,)
        return self.world.commands_for(key, language_code)

    def commands_seen_by(self, user: SimUser, chat: SimChat | None = None) -> list[dict[str, str]]:
        return self.world.commands_seen_by(user, chat)

    # ================================================================== listening
    def listen(self, callback: Callable[[BotCall], None]) -> Callable[[], None]:
        """Call `callback(BotCall)` right after each successful bot call that touches a chat
        (sendMessage, editMessageText, answerCallbackQuery, ...), in the event loop, before the
        answer goes back to the bot. Returns a function that stops listening."""
        self._listeners.append(callback)
        return lambda: self._listeners.remove(callback) if callback in self._listeners else None

    def _tell_listeners(self, name: str, params: Params, result: Any) -> None:
        query_id = None
        if name == "answerCallbackQuery":
            query_id = params.str("callback_query_id") or ""
            record = self.world.callbacks.get(query_id)
            if record is None:
                return
            chat_id, message_id = record.message.chat.id, record.message.message_id
        elif isinstance(result, dict) and isinstance(result.get("chat"), dict):
            chat_id, message_id = result["chat"]["id"], result.get("message_id")
        else:
            raw = params.values.get("chat_id")
            try:
                chat_id = int(raw)
            except (TypeError, ValueError):
                return  # no chat (getMe, setMyCommands, ...) or an @username
            message_id = params.int("message_id", 0) or None
        call = BotCall(name, chat_id, message_id, query_id, self.clock())
        for listener in list(self._listeners):
            listener(call)

    # ================================================================== settle
    def poke(self) -> None:
        """Something the stand-in or the bot was doing may have ended: settle() looks again."""
        if self._changed is not None:
            self._changed.set()

    @property
    def polling(self) -> bool:
        """Whether a getUpdates long poll is parked here, waiting for an update."""
        return self._poll_fut is not None and not self._poll_fut.done()

    def _busy(self) -> str | None:
        pending = self.world.updates.pending
        if pending:
            first = pending[0]
            kind = next(k for k in first if k != "update_id")
            hook = self.world.webhook
            hint = "is the bot polling?" if hook is None else (
                f"webhook {hook['url']}, last error: {hook.get('last_error_message', 'none')}")
            return (f"{len(pending)} update(s) not yet confirmed by the bot (first: {kind} "
                    f"#{first['update_id']}); {hint}")
        if +self._in_flight:
            return f"bot API requests still being handled: {dict(+self._in_flight)}"
        if not self.idle_probe():
            return "idle_probe() says the bot is still processing"
        return None

    async def settle(self, timeout: float | None = None) -> None:
        """Wait until the bot has taken every update, no request is being handled and
        idle_probe() holds (and, with settle_quiet, nothing happened for that long).

        No fixed wait: the state is looked at again whenever the stand-in or the bot pokes
        (a request begins or ends, updates are confirmed, a poll parks, the bot's task or
        job ends), and every settle_recheck seconds for what nobody announces."""
        loop = asyncio.get_running_loop()
        limit = self.settle_timeout if timeout is None else timeout
        deadline = loop.time() + limit
        if self._changed is None or self._changed_loop is not loop:  # an Event belongs to one loop
            self._changed, self._changed_loop = asyncio.Event(), loop
        changed = self._changed
        while True:
            changed.clear()  # before looking: a poke from now on wakes the wait below
            now = loop.time()
            busy = self._busy()
            wait = self.settle_recheck
            if busy is None:
                quiet_for = now - self._last_activity
                if quiet_for >= self.settle_quiet:
                    return
                wait = self.settle_quiet - quiet_for
            if now >= deadline:
                raise AssertionError(f"the bot did not settle within {limit:g} s: "
                                     f"{busy or 'requests kept coming'}")
            try:
                async with asyncio.timeout(min(wait, deadline - now)):
                    await changed.wait()
            except TimeoutError:
                pass

    # ================================================================== HTTP
    def _touch(self) -> None:
        self._last_activity = asyncio.get_running_loop().time()
        self.poke()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if path.startswith("/file/bot"):
            return self._serve_file(path[len("/file/bot"):])
        if not path.startswith("/bot"):
            return _json(NOT_FOUND.body(), 404)
        token, _, method = path[len("/bot"):].partition("/")
        if token != self.token:
            err = UNAUTHORIZED if re.fullmatch(r"\d+:.+", token) else NOT_FOUND
            return _json(err.body(), err.code)
        name = "getUpdates" if method.lower() == "getupdates" else METHODS.get(method.lower())
        if name is None:
            return _json(NOT_FOUND.body(), 404)
        self.stats.calls[name] += 1
        polling = name == "getUpdates"
        if polling:
            peer = request.transport.get_extra_info("peername") if request.transport else None
            self.stats.polls.append((self.clock(), peer[1] if peer else 0))
        if not polling:
            self._in_flight[name] += 1
        self._touch()
        try:
            params = await Params.from_request(request)
            fault = self.faults.pick(name, params.values.get("chat_id"))
            if fault is not None:
                self.stats.faults[fault.kind] += 1
                return await self._faulty(name, params, fault)
            result = await self._get_updates(params) if polling else getattr(self.api, name)(params)
            if self._listeners and not polling:
                self._tell_listeners(name, params, result)
            return _json({"ok": True, "result": result}, 200)
        except ApiError as e:
            self.stats.errors[(name, e.code)] += 1
            (self.stats.injected if e.injected else self.stats.refusals).append((name, e.code, e.description))
            return _json(e.body(), e.code)
        finally:
            if not polling:
                self._in_flight[name] -= 1
            self._touch()

    async def _faulty(self, name: str, params: Params, fault: Fault) -> web.Response:
        if fault.kind == "429":
            raise _injected(too_many_requests(fault.retry_after))
        if fault.kind.isdigit():
            code = int(fault.kind)
            raise _injected(ApiError(code, SERVER_ERRORS.get(code, "Internal Server Error")))
        if fault.kind == "stall":  # held, never takes effect; if the client still waits: 502
            await self._hold(fault.seconds)
            raise _injected(ApiError(502, SERVER_ERRORS[502]))
        # "lost": takes effect, the answer is held back
        result = await self._get_updates(params) if name == "getUpdates" else getattr(self.api, name)(params)
        await self._hold(fault.seconds)
        return _json({"ok": True, "result": result}, 200)

    async def _hold(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stopped.wait(), seconds)
        except asyncio.TimeoutError:
            pass

    def _serve_file(self, rest: str) -> web.Response:
        token, _, file_path = rest.partition("/")
        if token != self.token:
            return _json(UNAUTHORIZED.body(), 401)
        self.stats.calls["downloadFile"] += 1
        f = self.world.files_by_path.get(file_path)
        if f is None:
            return _json(NOT_FOUND.body(), 404)
        return web.Response(body=f.content, content_type=f.mime_type)

    # ================================================================== getUpdates
    def _on_update(self) -> None:
        self._wake_poller()
        self.webhook_delivery.poke()

    def _on_webhook(self) -> None:
        self._wake_poller("webhook")  # a held getUpdates ends: 409 if a webhook is now set
        self.webhook_delivery.poke()

    def _wake_poller(self, reason: str = "update") -> None:
        fut = self._poll_fut
        if fut is not None and not fut.done():
            fut.set_result(reason)

    async def _get_updates(self, p: Params) -> list[dict[str, Any]]:
        queue = self.world.updates
        if self.world.webhook is not None:
            raise ApiError(409, CONFLICT_WEBHOOK)
        offset = p.int("offset", 0)
        limit = min(max(p.int("limit", 100), 1), 100)
        timeout = max(p.float("timeout", 0.0), 0.0)
        allowed = p.json("allowed_updates", "allowed updates")
        if allowed is not None:
            if not isinstance(allowed, list):
                raise bad_request("can't parse allowed updates JSON object")
            queue.set_allowed([str(a) for a in allowed])
        if offset:
            queue.confirm(offset)
            self.poke()
        self._wake_poller("conflict")  # Telegram ends an older long poll with 409
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            got = queue.take(limit)
            remaining = deadline - loop.time()
            if got or remaining <= 0 or self._stopped.is_set():
                return got
            fut: asyncio.Future[str] = loop.create_future()
            self._poll_fut = fut
            self.poke()  # parked: the bot is back to waiting for updates
            try:
                reason = await asyncio.wait_for(fut, remaining)
            except asyncio.TimeoutError:
                return []
            finally:
                if self._poll_fut is fut:
                    self._poll_fut = None
            if reason == "conflict":
                raise ApiError(409, CONFLICT_OTHER_POLL)
            if self.world.webhook is not None:
                raise ApiError(409, CONFLICT_SET_WEBHOOK)


def _injected(error: ApiError) -> ApiError:
    error.injected = True
    return error


def _json(body: dict[str, Any], status: int) -> web.Response:
    return web.Response(text=json.dumps(body, ensure_ascii=False), status=status,
                        content_type="application/json")


def ptb_idle_probe(application: Any) -> Callable[[], bool]:
    """An idle_probe for a python-telegram-bot Application: True when every update it fetched
    has been processed, no task it created (concurrent updates, block=False handlers, ...) is
    still running, and no job of its JobQueue is running or due."""

    def probe() -> bool:
        queue = application.update_queue
        # asyncio.Queue counts unfinished items; PTB calls task_done() after processing one.
        if getattr(queue, "_unfinished_tasks", 0) or not queue.empty():
            return False
        tasks = getattr(application, "_Application__create_task_tasks", set())
        return all(t.done() for t in tasks) and ptb_jobs_idle(application)

    return probe


def ptb_jobs_idle(application: Any) -> bool:
    """No job of the Application's JobQueue is running, and none is due (its APScheduler
    timer may not have fired yet)."""
    job_queue = getattr(application, "_job_queue", None)  # the property warns when there is none
    scheduler = getattr(job_queue, "scheduler", None)
    if scheduler is None or not scheduler.running:
        return True
    for executor in getattr(scheduler, "_executors", {}).values():
        if any(not f.done() for f in getattr(executor, "_pending_futures", ())):
            return False
    now = datetime.now(UTC)
    return all(job.next_run_time is None or job.next_run_time > now for job in scheduler.get_jobs())
