"""Configuration: a TOML file, then environment variables, validated at start.

Precedence (lowest first): built-in defaults, the TOML file (``--config PATH``,
``KHOIBOT_CONFIG`` or ``./config.toml``), environment variables named
``KHOIBOT_<SECTION>_<KEY>``. A bad key or value stops the bot with a message naming it.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

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
    poll_timeout: int = Field(30, ge=0, le=120)
    # PTB's AIORateLimiter keeps the bot under 30 messages/s and 20/min per group.
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
    # Group administrators act as secretaries of the group's bloc.
    admins_are_secretaries: bool = True
    invitation_ttl_days: int = Field(30, ge=1, le=365)
    # Where a secretary is told about enrolments and registrations: the group, or DMs.
    notify: Literal["group", "dm"] = "group"
    max_units_per_bloc: int = Field(60, ge=1, le=200)

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


class LoggingSettings(_Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: Literal["json", "text"] = "json"


class Settings(_Section):
    telegram: TelegramSettings = TelegramSettings()
    database: DatabaseSettings = DatabaseSettings()
    bot: BotSettings = BotSettings()
    logging: LoggingSettings = LoggingSettings()


class ConfigError(Exception):
    """A configuration problem, worded for the person who deploys the bot."""


def _env_overrides(environ: dict[str, str]) -> dict[str, dict[str, str]]:
    """Collect KHOIBOT_<SECTION>_<KEY> variables into nested sections."""
    overrides: dict[str, dict[str, str]] = {}
    for section, model in Settings.model_fields.items():
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
        key = ".".join(str(part) for part in first["loc"])
        source = f" in {file}" if file else ""
        raise ConfigError(f"bad configuration key '{key}'{source}: {first['msg']}") from None
