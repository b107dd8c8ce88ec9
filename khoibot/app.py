"""Building the PTB Application: one builder chain, start-up work in post_init."""

from __future__ import annotations

import logging
import time

from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from telegram import (BotCommand, BotCommandScopeAllChatAdministrators, BotCommandScopeAllGroupChats,
                      BotCommandScopeAllPrivateChats, LinkPreviewOptions)
from telegram.constants import ParseMode
from telegram import Update
from telegram.error import BadRequest
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults, ExtBot

from handlers import routes
from khoibot.clock import Clock, SystemClock
from khoibot.health import heard_from_telegram
from khoibot.metrics import Metrics, NoMetrics, call_outcome, update_kind
from khoibot.config import Settings
from khoibot.ratelimit import TelegramLimits
from khoibot.render import Renderer, command_menus
from khoibot.services import KhoibotContext, Services, install
from khoibot.web import start_web, stop_web
from khoibot.http import SpreadRequest, one_pool
from khoibot.updates import OrderedUpdates
from storage.db import Database
from storage import updates as processed
from storage.migrate import upgrade

log = logging.getLogger(__name__)

# Updates handled at once (khoibot/updates.py); bench/bench_conversation.py measured the choice.
RUNNING_UPDATES = 8
# Requests at once: one per running update, the board refreshes planned for later
# (handlers/status.py) and the jobs (reminders), with room to spare.
HTTP_POOLS = RUNNING_UPDATES + 4

# How long handled update ids are kept: Telegram keeps an unconfirmed update for 24 hours.
KEEP_PROCESSED = timedelta(days=2)

MENU_SCOPES = {
    "private": BotCommandScopeAllPrivateChats,
    "group": BotCommandScopeAllGroupChats,
    "admin": BotCommandScopeAllChatAdministrators,
}


class KhoibotBot(ExtBot):
    """PTB's bot, with what KhoibotApplication needs to handle a redelivered update once.

    It notes the offset of the last getUpdates that returned (``confirmed_below``). And a
    press answered twice is no failure: a bot killed after answering a press but before the
    update was recorded gets the press again after its restart; Telegram then refuses the
    second answer ("query is too old"). The handler must go on (its edit, its receipt, the
    step's buttons for the draft it just wrote), so the refusal is taken as an answer given."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        with self._unfrozen():  # PTB freezes its objects' attributes after __init__
            self._confirmed = [0]
            self._heard: list = [None]  # called when a getUpdates returns (khoibot/health.py)

    def on_contact(self, callback) -> None:
        self._heard[0] = callback

    @property
    def confirmed_below(self) -> int:
        """getUpdates with offset X confirms every update below X to Telegram; once such a
        call has returned, those updates are never delivered again (see KhoibotApplication)."""
        return self._confirmed[0]

    async def get_updates(self, offset: int | None = None, *args, **kwargs):
        updates = await super().get_updates(offset, *args, **kwargs)
        if offset and offset > self._confirmed[0]:
            self._confirmed[0] = offset
        if self._heard[0] is not None:
            self._heard[0]()
        return updates

    async def answer_callback_query(self, *args, **kwargs) -> bool:
        try:
            return await super().answer_callback_query(*args, **kwargs)
        except BadRequest as exc:
            if "query is too old" not in str(exc).lower():
                raise
            log.info("press answered before a restart; answer skipped")
            return False


class KhoibotApplication(Application):
    """PTB's Application, handling each update once even when Telegram delivers it twice.

    Telegram redelivers every update until the bot confirms a later offset (long polling)
    or answers the webhook request. A bot killed after handling an update but before that
    confirmation gets it again on restart. Here an update's id is looked up before its
    handlers run and recorded (committed) after they have all finished:
    - killed after the record: the second delivery is skipped (handled exactly once);
    - killed before it, while the handlers ran: the update is handled again, from what the
      database holds. Each handler's own writes are one transaction and re-check the state
      they start from (a draft confirmed is gone, a ballot cast is marked, a reminder's
      recipients are marked), so a second run finds the work done instead of doing it
      twice; what it may repeat is a message that was sent but not yet followed by its
      database write. Recording the id before handling would drop such an update instead.
    Only an update Telegram may still deliver again needs its record: one whose confirming
    getUpdates (PTB asks for the next updates right after handing a batch over) has not
    returned yet when its handlers end. Under load that is rare, so most updates cost no
    write; a webhook bot (no getUpdates) records every update.
    """

    # Updates of one run come in increasing order and PTB never hands one over twice, so
    # only an id up to the highest recorded before this run (a previous run's) can be a
    # second delivery: the others skip the lookup (a statement less on every update).
    _redelivery_upto: int | None = None

    def _processed_key(self, update: object) -> tuple[int, int] | None:
        if not isinstance(update, Update) or not update.update_id:
            return None
        return self.bot.id, update.update_id

    async def process_update(self, update: object) -> None:
        key = self._processed_key(update)
        services = self.bot_data.get("services")
        if services is not None and isinstance(update, Update):
            heard_from_telegram(self)  # a webhook delivery (or a polled update) is Telegram heard from
        if key is None or services is None:
            await super().process_update(update)
            return
        bot_id, update_id = key
        if self._redelivery_upto is None:
            with services.db.connection() as connection:
                self._redelivery_upto = processed.highest(session=connection, bot_id=bot_id)
        seen = False
        if update_id <= self._redelivery_upto:
            with services.db.connection() as connection:
                seen = processed.handled(session=connection, bot_id=bot_id, update_id=update_id)
        if seen:
            log.info("update delivered again; already handled", extra={"update_id": update_id})
            return
        started = time.perf_counter()
        await super().process_update(update)
        services.metrics.updates.labels(update_kind(update)).inc()
        services.metrics.update_seconds.observe(time.perf_counter() - started)
        if update_id < getattr(self.bot, "confirmed_below", 0):
            return  # confirmed to Telegram already: it never comes again
        try:
            with services.db.connection() as connection:
                processed.record(session=connection, bot_id=bot_id, update_id=update_id, now=services.clock.now())
        except IntegrityError:  # the same update handled twice at once: recorded by the other
            log.warning("update recorded twice", extra={"update_id": update_id})


async def prune_processed(context: KhoibotContext) -> None:
    services = context.services
    with services.db.session() as session:
        processed.prune(session=session, now=services.clock.now(), keep=KEEP_PROCESSED)


def open_database(settings: Settings) -> Database:
    db = Database(settings.database.url)
    if settings.database.upgrade_on_start:
        upgrade(db.engine)
    return db


async def set_command_menus(app: Application) -> None:
    """The command menu per scope, in Vietnamese; also as the default for clients in
    other languages, since every answer is Vietnamese anyway."""
    for scope_name, commands in command_menus().items():
        menu = [BotCommand(name, description) for name, description in commands.items()]
        scope = MENU_SCOPES[scope_name]()
        await app.bot.set_my_commands(menu, scope=scope, language_code="vi")
        await app.bot.set_my_commands(menu, scope=scope)


async def post_init(app: Application) -> None:
    await set_command_menus(app)
    heard_from_telegram(app)  # it answered; from now on each getUpdates (or webhook delivery) counts
    app.job_queue.run_repeating(prune_processed, interval=3600, first=60, name="prune-processed-updates")
    # The features' jobs (handlers/routes.py); reminders: catch up on what fell due while the
    # bot was down, then set the alarm.
    await routes.start_jobs(app)
    await start_web(app)  # the Mini Apps' server, when enabled (khoibot/web.py)
    log.info("bot ready", extra={"username": app.bot.username})


def build_application(settings: Settings, *, db: Database | None = None, clock: Clock | None = None,
                      application_class: type[Application] = KhoibotApplication,
                      rate_limiter: TelegramLimits | None = None) -> Application:
    services = Services(settings=settings, db=db or open_database(settings), clock=clock or SystemClock(),
                        render=Renderer(settings.bot.tz), catalogue=settings.catalogue,
                        metrics=Metrics() if settings.web.metrics else NoMetrics())
    limiter = (rate_limiter or TelegramLimits()) if settings.telegram.rate_limit else None
    bot = KhoibotBot(
        token=settings.telegram.token,
        base_url=settings.telegram.base_url,
        base_file_url=settings.telegram.base_file_url,
        defaults=Defaults(parse_mode=ParseMode.HTML, tzinfo=settings.bot.tz,
                          link_preview_options=LinkPreviewOptions(is_disabled=True)),
        # The HTTP connections are sized to the updates handled at once, each in a pool of
        # its own (khoibot/http.py); getUpdates has its own connection, as PTB's default.
        request=SpreadRequest(HTTP_POOLS, observe=lambda method, status: services.metrics.api_calls.labels(
            method, call_outcome(status)).inc()),
        get_updates_request=one_pool(1),
        rate_limiter=limiter,
    )
    app = (
        ApplicationBuilder()
        .application_class(application_class)
        .bot(bot)
        .post_init(post_init)
        .post_stop(stop_web)
        # Different chats and people at once; one chat's or one person's updates in order.
        # A few at once are enough to use the time spent waiting on Telegram.
        .concurrent_updates(OrderedUpdates(RUNNING_UPDATES))
        .context_types(ContextTypes(context=KhoibotContext))  # context.services in every handler and job
        .build()
    )
    install(app, services)
    bot.on_contact(lambda: heard_from_telegram(app))
    routes.register(app)
    return app
