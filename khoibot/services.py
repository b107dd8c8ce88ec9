"""What every handler and job needs, built once: the services, and the typed context that
carries them (``context.services``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from telegram.ext import Application, CallbackContext, ExtBot

from domain.catalogue import Catalogue, typed_naming
from domain.provinces import Naming, Provinces
from khoibot.clock import Clock
from khoibot.config import Settings
from khoibot.metrics import Metrics, NoMetrics
from khoibot.render import Renderer
from storage.db import Database
from storage.models import Bloc
from storage.sealing import Seal


@dataclass
class Services:
    settings: Settings
    db: Database
    clock: Clock
    render: Renderer
    catalogue: Catalogue
    # The text each status board (and ballot progress message) was last edited to, by (chat id, message id): an edit that
    # would change nothing is skipped, since it would still count against a group's 20/min.
    board_texts: dict[tuple[int, int], str] = field(default_factory=dict)
    metrics: Metrics | NoMetrics = field(default_factory=Metrics)
    # user id -> (first name, last name, username, reachable by DM) as last written to tg_user,
    # so that remembering the sender of every update costs no query when nothing changed.
    seen_users: dict[int, tuple[str, str | None, str | None, bool]] = field(default_factory=dict)

    @property
    def seal(self) -> Seal:
        """What seals ballots until the close: the configured secret, else the bot token."""
        if self._seal is None:
            self._seal = Seal(self.settings.vote.seal_key or self.settings.telegram.token or "khoibot")
        return self._seal

    _seal: Seal | None = field(default=None, repr=False)

    @property
    def provinces(self) -> Provinces:
        """The configured provinces (``[[provinces]]``): their names through the years, officers, rules."""
        if self._provinces is None:
            self._provinces = self.settings.province_list
        return self._provinces

    _provinces: Provinces | None = field(default=None, repr=False)

    def catalogue_for(self, bloc: Bloc, year: int | None = None) -> Catalogue:
        """The catalogue as the bloc's province names its titles in ``year`` (the bloc's year
        by default): «… Ủy ban nhân dân thành phố» in a year it was a city. A province not
        configured keeps the configured names (its typed name fills a ``{province}``)."""
        year = year or bloc.year
        province = self.provinces.find(bloc.province)
        if province is None and not self.catalogue.names_a_province:
            return self.catalogue
        key = (province.code, year) if province else ("", bloc.province)
        named = self._named.get(key)
        if named is None:
            naming = province.in_year(year) if province else typed_naming(bloc.province)
            named = self._named[key] = self.catalogue.named_for(naming)
        return named

    _named: dict[tuple[str, int | str], Catalogue] = field(default_factory=dict, repr=False)

    def naming_for(self, bloc: Bloc, year: int | None = None) -> Naming | None:
        """What ``year``'s documents call the bloc's province, when it is configured
        («thành phố Huế» in 2025, «tỉnh Thừa Thiên Huế» in 2024); None: as the bloc typed it."""
        province = self.provinces.find(bloc.province)
        return province.in_year(year or bloc.year) if province else None

    @property
    def tz(self):
        return self.settings.bot.tz

    def local_now(self):
        return self.clock.now().astimezone(self.tz)


# The one place the services live in the Application (``bot_data``): everything else asks
# ``context.services`` (a handler's or a job's) or ``services_of(app)``.
_KEY = "services"


def install(app: Application, services: Services) -> None:
    app.bot_data[_KEY] = services


def services_of(app: Application) -> Services:
    return app.bot_data[_KEY]


class KhoibotContext(CallbackContext[ExtBot, dict, dict, dict]):
    """The context every handler and job receives (``ContextTypes`` in khoibot/app.py), with
    the services typed."""

    @property
    def services(self) -> Services:
        return services_of(self.application)
