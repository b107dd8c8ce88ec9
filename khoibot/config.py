"""Configuration: a TOML file, then environment variables, validated at start.

Precedence (lowest first): built-in defaults, the TOML file (``--config PATH``,
``KHOIBOT_CONFIG`` or ``./config.toml``), environment variables named
``KHOIBOT_<SECTION>_<KEY>``. A bad key or value stops the bot with a message naming it.
"""

from __future__ import annotations

import os
import tomllib
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from domain.catalogue import DEFAULT_TITLES, Catalogue, Title, TitleKind
from domain.scores import DEFAULT_CRITERIA
from domain.provinces import Era, Province, ProvinceKind, Provinces, Rule, RuleKind
from domain.reminders import ReminderRules

TELEGRAM_API = "https://api.telegram.org/bot"
TELEGRAM_FILE_API = "https://api.telegram.org/file/bot"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class TelegramSettings(_Section):
    token: str = ""
    base_url: str = TELEGRAM_API
    base_file_url: str = TELEGRAM_FILE_API
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str = ""
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = Field(8443, ge=1, le=65535)
    webhook_secret: str = ""
    # The HTTPS proxy's public certificate (a PEM file) when it is self-signed: uploaded to
    # Telegram with setWebhook, which then trusts it. Empty: the proxy's certificate is a CA's.
    webhook_certificate: str = ""
    poll_timeout: int = Field(30, ge=0, le=120)
    # khoibot.ratelimit.TelegramLimits: 30 messages/s, 1/s per private chat, 20/min per group, with retries.
    rate_limit: bool = True

    @field_validator("base_url", "base_file_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value


class DatabaseSettings(_Section):
    url: str = "sqlite:///khoibot.sqlite3"
    upgrade_on_start: bool = True


class BotSettings(_Section):
    timezone: str = "Asia/Ho_Chi_Minh"
    # The province new blocs belong to unless their secretary says otherwise.
    province: str = ""
    # The place name of documents' date line ("Huế, ngày 05 tháng 01 năm 2026"); empty: the bloc's province.
    document_place: str = ""
    # Group administrators act as secretaries of the group's bloc.
    admins_are_secretaries: bool = True
    invitation_ttl_days: int = Field(30, ge=1, le=365)
    # Where a secretary is told about enrolments and registrations: the group, or DMs.
    notify: Literal["group", "dm"] = "group"
    # Pickers show one button per unit and Telegram allows 100 buttons a message.
    max_units_per_bloc: int = Field(60, ge=1, le=90)
    # Days a unit may change its registration after a secretary reopens it past the deadline.
    reopen_days: int = Field(3, ge=1, le=60)
    # Minutes a registration left untouched stays open before it times out.
    draft_timeout_minutes: int = Field(60, ge=5, le=1440)
    # Seconds between two edits of a bloc's pinned status board: the changes that come within
    # them are shown together at the end (0: every change at once).
    board_refresh_seconds: float = Field(3.0, ge=0, le=60)
    # Seconds between two notices to a bloc's group: the notices that come within them are
    # sent together, as one message, at the end (0: each at once).
    group_notice_seconds: float = Field(3.0, ge=0, le=60)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class TitleSettings(_Section):
    """One title or commendation of the catalogue (``[[titles]]`` in the config file)."""

    code: str = Field(pattern=r"^[A-Z][A-Z0-9_]{0,19}$")
    name: str = Field(min_length=3, max_length=150)
    kind: Literal["collective", "individual"]
    voted: bool = False
    commendation: bool = False
    # A number of units per bloc ("1"), or a share of its member units ("30%").
    quota: int | str | None = None
    rounding: Literal["round", "floor", "ceil"] = "round"
    aliases: list[str] = []
    years: list[int] = []
    # Eligibility checks, shown as warnings on the tally (never enforced by the bot):
    # a nominee for this title should also be the bloc's nominee for that title…
    also_nominee_for: str | None = None
    # …and should have one of these results in each of the years just before.
    needs_years: int = Field(0, ge=0, le=10)
    needs_results: list[str] = []

    @field_validator("quota")
    @classmethod
    def _quota(cls, value: int | str | None) -> int | str | None:
        if isinstance(value, int) and value < 0:
            raise ValueError("must be 0 or more")
        if isinstance(value, str):
            number = value.strip().removesuffix("%").strip()
            if not value.strip().endswith("%") or not number.replace(".", "", 1).isdigit() or not (
                    0 < float(number) <= 100):
                raise ValueError('must be a number of units (1) or a share such as "30%"')
        return value

    def to_title(self) -> Title:
        share = float(self.quota.strip().removesuffix("%")) / 100 if isinstance(self.quota, str) else None
        return Title(code=self.code, name=self.name, kind=TitleKind(self.kind), voted=self.voted,
                     quota=self.quota if isinstance(self.quota, int) else None, quota_share=share,
                     rounding=self.rounding, aliases=tuple(self.aliases), years=tuple(self.years),
                     commendation=self.commendation, also_nominee_for=self.also_nominee_for,
                     needs_years=self.needs_years, needs_results=tuple(self.needs_results))


def _default_titles() -> list[TitleSettings]:
    return [TitleSettings(code=t.code, name=t.name, kind=t.kind.value, voted=t.voted, commendation=t.commendation,
                          quota=t.quota if t.quota is not None else (
                              f"{round(t.quota_share * 100)}%" if t.quota_share else None),
                          aliases=list(t.aliases), also_nominee_for=t.also_nominee_for, needs_years=t.needs_years,
                          needs_results=list(t.needs_results)) for t in DEFAULT_TITLES]


def _clock_time(value: str) -> time:
    try:
        hours, minutes = value.split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        raise ValueError('must be a time of day such as "07:30"') from None


class ReminderSettings(_Section):
    """When reminders go out before milestones (per bloc, the hour can be changed in /lich)."""

    days_before: list[int] = Field(default_factory=lambda: [7, 3, 1])
    hours_before_meeting: list[int] = Field(default_factory=lambda: [2])
    hour: str = "08:00"
    day_start: str = "07:00"
    day_end: str = "20:00"
    morning: str = "07:30"
    # A reminder that fell due while the bot was down still goes out within this many hours.
    grace_hours: int = Field(12, ge=0, le=168)
    # How often the bot checks for due reminders besides the timers it sets (0: never).
    check_every_seconds: int = Field(60, ge=0, le=3600)

    @field_validator("hour", "day_start", "day_end", "morning")
    @classmethod
    def _is_time(cls, value: str) -> str:
        _clock_time(value)
        return value

    @field_validator("days_before", "hours_before_meeting")
    @classmethod
    def _positive(cls, value: list[int]) -> list[int]:
        if any(v <= 0 or v > 60 for v in value):
            raise ValueError("each offset must be between 1 and 60")
        return value

    def rules(self, hour: int | None = None) -> ReminderRules:
        return ReminderRules(
            days_before=tuple(self.days_before), hours_before_meeting=tuple(self.hours_before_meeting),
            hour=time(hour, 0) if hour is not None else _clock_time(self.hour),
            day_start=_clock_time(self.day_start), day_end=_clock_time(self.day_end),
            morning=_clock_time(self.morning), grace=timedelta(hours=self.grace_hours))


class CriterionSettings(_Section):
    """One criterion of a points table (bảng chấm điểm)."""

    name: str = Field(min_length=2, max_length=200)
    max: float = Field(gt=0, le=1000)


def _default_criteria() -> list[CriterionSettings]:
    return [CriterionSettings(name=name, max=points) for name, points in DEFAULT_CRITERIA]


class ScoreSettings(_Section):
    """The points table a bloc uses until its secretary sets its own for the year."""

    criteria: list[CriterionSettings] = Field(default_factory=_default_criteria, min_length=1, max_length=30)


class VoteSettings(_Section):
    """The rules of the secret ballot (bỏ phiếu suy tôn); fixed on each vote when it opens."""

    # A nominee needs more than (or at least) this share of the base.
    threshold_percent: float = Field(50.0, ge=0, le=100)
    strictly_more: bool = True
    # The base of the percentages: all member units issued a ballot, or those that voted.
    base: Literal["members", "voters"] = "members"
    # Whether a unit may vote for itself.
    self_vote: bool = True
    # The ballot also elects next year's Trưởng khối and Phó khối.
    elect_leaders: bool = True
    # The secret that seals ballots until the vote closes (storage/sealing.py); empty: the bot
    # token. Keep it out of the database's backups; changing it while a vote is open makes
    # that vote's ballots unreadable. KHOIBOT_VOTE_SEAL_KEY in the environment.
    seal_key: str = ""


class WebSettings(_Section):
    """The bot's web server, in its process: the Mini Apps (webapp/) and the health checks
    (/healthz, /readyz); off unless enabled."""

    enabled: bool = False
    listen: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)
    # The URL path the pages are served under, on this server and behind the proxy.
    path: str = "/app"
    # Where Telegram opens the pages: the HTTPS address (a proxy's) that reaches `path` here,
    # e.g. "https://khoibot.example.gov.vn/app". Empty: no Mini App buttons are shown.
    public_url: str = ""
    # The Direct Link Mini App's short name registered with @BotFather (t.me/<bot>/<name>),
    # for links in groups, where web_app buttons are not allowed; empty: the bot's main Mini App.
    app_short_name: str = Field("", pattern=r"^([A-Za-z0-9_]{3,30})?$")
    # How long a page opened from Telegram stays signed in (its initData's auth_date).
    init_data_max_age_hours: int = Field(24, ge=1, le=168)
    # /readyz: Telegram heard from (a getUpdates returned, a webhook delivery came) within…
    updates_within_seconds: int = Field(120, ge=5, le=86400)
    # …and no reminder overdue by more than this many minutes.
    reminder_late_minutes: int = Field(10, ge=1, le=1440)
    # Count what the bot does for GET /metrics (off: nothing is counted; the benchmark's baseline).
    metrics: bool = True

    @field_validator("public_url")
    @classmethod
    def _https(cls, value: str) -> str:
        if value and not value.startswith("https://"):
            raise ValueError("must start with https:// (Telegram opens Mini Apps over HTTPS only)")
        return value.rstrip("/")

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        if not value.startswith("/") or any(ch in value for ch in "?#\\ "):
            raise ValueError('must be a URL path such as "/app"')
        return "/" + value.strip("/") if value.strip("/") else ""


# What a take-over leaves for the new active node to start (build, getMe, catch-up, first poll).
STANDBY_START_SECONDS = 3.0


class StandbySettings(_Section):
    """Two nodes on one PostgreSQL database: exactly one is active, elected with an advisory lock
    (khoibot/standby.py); the other waits, ready, and takes over when the active one dies or
    loses the database. Ignored on SQLite, where a second process on the same file refuses to start."""

    enabled: bool = True
    # How often a standby tries the lock again (it also waits on it: a lock freed is taken at once).
    poll_seconds: float = Field(1.0, ge=0.1, le=60)
    # How often the active node checks its lock connection; it stops at once when it is gone.
    check_seconds: float = Field(2.0, ge=0.2, le=60)
    # The longest a take-over may take after the active node dies or loses the network:
    # PostgreSQL's keepalives on the lock session are set from it (khoibot/standby.py).
    takeover_seconds: float = Field(10.0, ge=5, le=600)

    @model_validator(mode="after")
    def _adds_up(self) -> StandbySettings:
        # A node cut off from the database must stop before PostgreSQL frees its lock.
        if 2 * self.check_seconds >= self.takeover_seconds - STANDBY_START_SECONDS:
            raise ValueError(f"2 × check_seconds must stay under takeover_seconds − {STANDBY_START_SECONDS:g}")
        return self


class EraSettings(_Section):
    """An earlier name and kind of a province, up to and including a year."""

    until: int = Field(ge=1945, le=2100)
    name: str = Field(min_length=2, max_length=80)
    kind: Literal["province", "city"]


class RuleSettings(_Section):
    """One check of a province's rule profile (``[[provinces.rules]]``), shown with its source."""

    code: str = Field(pattern=r"^[A-Z][A-Z0-9_]{0,29}$")
    kind: Literal["cap", "share", "also_nominee", "one_bloc", "consecutive"]
    source: str = Field(min_length=3, max_length=300)
    title: str | None = None
    limit: int | None = Field(None, ge=0, le=10000)
    percent: float | None = Field(None, gt=0, le=100)
    of_title: str | None = None
    years: int = Field(0, ge=0, le=10)
    results: list[str] = []
    from_year: int | None = None
    to_year: int | None = None

    @model_validator(mode="after")
    def _whole(self) -> RuleSettings:
        needs = {"cap": ("title", "limit"), "share": ("title", "percent", "of_title"),
                 "also_nominee": ("title", "of_title"), "one_bloc": (), "consecutive": ("title", "years", "results")}
        missing = [key for key in needs[self.kind] if not getattr(self, key)]
        if missing:
            raise ValueError(f"a {self.kind} rule needs {', '.join(missing)}")
        return self

    def to_rule(self) -> Rule:
        return Rule(code=self.code, kind=RuleKind(self.kind), source=self.source, title=self.title, limit=self.limit,
                    percent=self.percent, of_title=self.of_title, years=self.years, results=tuple(self.results),
                    from_year=self.from_year, to_year=self.to_year)


class ProvinceSettings(_Section):
    """A province or centrally-run city whose officers use the bot (``[[provinces]]``)."""

    code: str = Field(pattern=r"^[A-Z][A-Z0-9_]{1,15}$")
    name: str = Field(min_length=2, max_length=80)
    kind: Literal["province", "city"] = "province"
    eras: list[EraSettings] = []
    aliases: list[str] = []
    officers: list[int] = []
    days_off: list[date] = []
    rules: list[RuleSettings] = []
    # When every bloc's dossier is due at the province each year, "dd/mm HH:MM" ("" none).
    dossier_due: str = Field("", pattern=r"^(\d{1,2}/\d{1,2} \d{1,2}:\d{2})?$")

    def to_province(self) -> Province:
        return Province(code=self.code, name=self.name, kind=ProvinceKind(self.kind),
                        eras=tuple(Era(e.until, e.name, ProvinceKind(e.kind)) for e in self.eras),
                        aliases=tuple(self.aliases), officers=tuple(self.officers), days_off=tuple(self.days_off),
                        rules=tuple(r.to_rule() for r in self.rules), dossier_due=self.dossier_due)


class LoggingSettings(_Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: Literal["json", "text"] = "json"


class Settings(_Section):
    telegram: TelegramSettings = TelegramSettings()
    database: DatabaseSettings = DatabaseSettings()
    bot: BotSettings = BotSettings()
    logging: LoggingSettings = LoggingSettings()
    reminders: ReminderSettings = ReminderSettings()
    scores: ScoreSettings = ScoreSettings()
    vote: VoteSettings = VoteSettings()
    web: WebSettings = WebSettings()
    standby: StandbySettings = StandbySettings()
    provinces: list[ProvinceSettings] = []
    titles: list[TitleSettings] = Field(default_factory=_default_titles)

    @model_validator(mode="after")
    def _catalogue_is_whole(self) -> Settings:
        codes = [t.code for t in self.titles]
        duplicate = next((c for c in codes if codes.count(c) > 1), None)
        if duplicate:
            raise ValueError(f"titles: code {duplicate} is used twice")
        if not any(t.kind == "collective" for t in self.titles):
            raise ValueError("titles: the catalogue needs at least one collective title")
        for t in self.titles:
            for code in filter(None, (t.also_nominee_for, *t.needs_results)):
                if code not in codes:
                    raise ValueError(f"titles: {t.code} refers to {code}, which is not in the catalogue")
        province_codes = [p.code for p in self.provinces]
        twice = next((c for c in province_codes if province_codes.count(c) > 1), None)
        if twice:
            raise ValueError(f"provinces: code {twice} is used twice")
        for province in self.provinces:
            for rule in province.rules:
                for code in filter(None, (rule.title, rule.of_title, *rule.results)):
                    if code not in codes:
                        raise ValueError(f"provinces: {province.code}'s rule {rule.code} refers to {code}, "
                                         "which is not in the catalogue")
        return self

    @property
    def province_list(self) -> Provinces:
        return Provinces(tuple(p.to_province() for p in self.provinces))

    @property
    def catalogue(self) -> Catalogue:
        return Catalogue(tuple(t.to_title() for t in self.titles))


class ConfigError(Exception):
    """A configuration problem, worded for the person who deploys the bot."""


def _env_overrides(environ: dict[str, str]) -> dict[str, dict[str, str]]:
    """Collect KHOIBOT_<SECTION>_<KEY> variables into nested sections."""
    overrides: dict[str, dict[str, str]] = {}
    for section, model in Settings.model_fields.items():
        if section in ("titles", "provinces"):
            continue  # a list of tables: only in the file
        keys = model.annotation.model_fields  # type: ignore[union-attr]
        for key in keys:
            name = f"KHOIBOT_{section}_{key}".upper()
            if name in environ:
                overrides.setdefault(section, {})[key] = environ[name]
    return overrides


def _merge(base: dict[str, Any], extra: dict[str, dict[str, str]]) -> dict[str, Any]:
    merged = {k: dict(v) if isinstance(v, dict) else v for k, v in base.items()}
    for section, values in extra.items():
        target = merged.setdefault(section, {})
        if not isinstance(target, dict):
            raise ConfigError(f"[{section}] must be a table")
        target.update(values)
    return merged


def find_config_file(explicit: str | None, environ: dict[str, str]) -> Path | None:
    if explicit:
        return Path(explicit)
    if environ.get("KHOIBOT_CONFIG"):
        return Path(environ["KHOIBOT_CONFIG"])
    default = Path("config.toml")
    return default if default.exists() else None


def load_settings(path: str | Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Read, merge and validate the configuration; raise ConfigError naming the bad key."""
    env = dict(os.environ if environ is None else environ)
    file = find_config_file(str(path) if path else None, env)
    data: dict[str, Any] = {}
    if file is not None:
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"config file not found: {file}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{file}: not valid TOML: {exc}") from None
    try:
        return Settings.model_validate(_merge(data, _env_overrides(env)))
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"]) or "titles"
        source = f" in {file}" if file else ""
        raise ConfigError(f"bad configuration key '{key}'{source}: {first['msg']}") from None
