"""The deployer's side: configuration from a file and the environment, clear errors,
and the khoibot command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from khoibot.config import ConfigError, load_settings
from khoibot.logs import RedactFilter

ROOT = Path(__file__).resolve().parent.parent


def test_defaults_without_a_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = load_settings(environ={})
    assert settings.telegram.base_url == "https://api.telegram.org/bot"
    assert settings.database.url == "sqlite:///khoibot.sqlite3"
    assert settings.bot.timezone == "Asia/Ho_Chi_Minh"
    assert settings.telegram.mode == "polling"


def test_example_config_is_valid_and_environment_wins(tmp_path):
    env = {
        "KHOIBOT_TELEGRAM_TOKEN": "42:from-env",
        "KHOIBOT_TELEGRAM_BASE_URL": "http://127.0.0.1:8081/bot",
        "KHOIBOT_TELEGRAM_BASE_FILE_URL": "http://127.0.0.1:8081/file/bot",
        "KHOIBOT_DATABASE_URL": "postgresql://khoibot@db/khoibot",
        "KHOIBOT_BOT_TIMEZONE": "Asia/Bangkok",
        "KHOIBOT_BOT_ADMINS_ARE_SECRETARIES": "false",
    }
    settings = load_settings(ROOT / "config.example.toml", environ=env)
    assert settings.telegram.token == "42:from-env"
    assert settings.telegram.base_url == "http://127.0.0.1:8081/bot"
    assert settings.telegram.base_file_url == "http://127.0.0.1:8081/file/bot"
    assert settings.database.url == "postgresql://khoibot@db/khoibot"
    assert settings.bot.timezone == "Asia/Bangkok"
    assert settings.bot.admins_are_secretaries is False
    assert settings.bot.province == "Thừa Thiên Huế"


def test_config_file_named_by_environment(tmp_path):
    file = tmp_path / "khoi.toml"
    file.write_text('[bot]\nprovince = "Lào Cai"\n', encoding="utf-8")
    assert load_settings(environ={"KHOIBOT_CONFIG": str(file)}).bot.province == "Lào Cai"


@pytest.mark.parametrize(("content", "env", "key"), [
    ('[telegram]\nmode = "carrier-pigeon"\n', {}, "telegram.mode"),
    ('[bot]\ntimezone = "Mars/Olympus"\n', {}, "bot.timezone"),
    ('[bot]\nprovinc = "Huế"\n', {}, "bot.provinc"),
    ('[telegram]\nbase_url = "api.telegram.org"\n', {}, "telegram.base_url"),
    ("", {"KHOIBOT_BOT_INVITATION_TTL_DAYS": "forever"}, "bot.invitation_ttl_days"),
])
def test_a_bad_key_is_named(tmp_path, content, env, key):
    file = tmp_path / "config.toml"
    file.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(file, environ=env)
    assert f"'{key}'" in str(caught.value)


def test_broken_toml_is_reported(tmp_path):
    file = tmp_path / "config.toml"
    file.write_text("[telegram\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(file, environ={})


def _khoibot(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean_env = {k: v for k, v in os.environ.items() if not k.startswith("KHOIBOT_")}
    clean_env["PYTHONPATH"] = str(ROOT)
    return subprocess.run([sys.executable, str(ROOT / "bot.py"), *args], cwd=cwd, env={**clean_env, **env},
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


def test_missing_token_is_one_clear_line(tmp_path):
    result = _khoibot(cwd=tmp_path, env={})
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "KHOIBOT_TELEGRAM_TOKEN" in result.stderr
    assert "khoibot demo" in result.stderr  # how to try it without a token
    assert "Traceback" not in result.stderr


def test_bad_config_stops_with_the_key(tmp_path):
    (tmp_path / "config.toml").write_text('[database]\nurll = "x"\n', encoding="utf-8")
    result = _khoibot("run", cwd=tmp_path, env={"KHOIBOT_TELEGRAM_TOKEN": "1:x"})
    assert result.returncode == 2
    assert "database.urll" in result.stderr and "Traceback" not in result.stderr


def test_db_upgrade_creates_the_schema(tmp_path):
    result = _khoibot("db", "upgrade", cwd=tmp_path, env={})
    assert result.returncode == 0, result.stderr
    from storage.migrate import head_revision

    assert f"phiên bản {head_revision()}; mới nhất: {head_revision()}" in result.stdout
    assert (tmp_path / "khoibot.sqlite3").exists()


def test_token_never_reaches_the_log():
    import logging

    record = logging.LogRecord("httpx", logging.INFO, "", 0, "POST https://api.telegram.org/bot%s/getMe",
                               ("123456:SECRET-abc",), None)
    RedactFilter(["123456:SECRET-abc"]).filter(record)
    assert "SECRET" not in record.getMessage()
    assert "<token>" in record.getMessage()


def test_the_example_catalogue_is_the_domain_catalogue():
    from domain.catalogue import DEFAULT_TITLES

    example = load_settings(ROOT / "config.example.toml", environ={}).catalogue
    assert example.titles == DEFAULT_TITLES
    bk = example.get("BK_UBND")
    assert (bk.quota_for(10), bk.quota_for(12), bk.quota_for(24)) == (3, 4, 7)
    assert example.match("Bằng khen toàn diện", 2025) is bk
    assert example.match("cờ thi đua của ubnd tỉnh", 2025).code == "CO_TINH"


@pytest.mark.parametrize(("titles", "key"), [
    ('[[titles]]\ncode = "A"\nname = "Cờ A"\nkind = "collective"\n'
     '[[titles]]\ncode = "A"\nname = "Cờ B"\nkind = "collective"\n', "code A is used twice"),
    ('[[titles]]\ncode = "A"\nname = "Cờ A"\nkind = "collective"\nquota = "thirty"\n', "'titles.0.quota'"),
    ('[[titles]]\ncode = "A"\nname = "Cờ A"\nkind = "collective"\nquota = "130%"\n', "'titles.0.quota'"),
    ('[[titles]]\ncode = "a b"\nname = "Cờ A"\nkind = "collective"\n', "'titles.0.code'"),
    ('[[titles]]\ncode = "A"\nname = "Cờ A"\nkind = "team"\n', "'titles.0.kind'"),
    ('[[titles]]\ncode = "A"\nname = "Cờ A"\nkind = "individual"\n', "at least one collective title"),
])
def test_a_bad_catalogue_stops_with_a_clear_message(tmp_path, titles, key):
    file = tmp_path / "config.toml"
    file.write_text(titles, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(file, environ={})
    assert key in str(caught.value)


def test_a_bad_catalogue_stops_the_bot_at_start(tmp_path):
    (tmp_path / "config.toml").write_text('[[titles]]\ncode = "X"\nname = "Cờ X"\nkind = "collective"\n'
                                          'quota = -1\n', encoding="utf-8")
    result = _khoibot(cwd=tmp_path, env={"KHOIBOT_TELEGRAM_TOKEN": "1:x"})
    assert result.returncode == 2
    assert "titles.0.quota" in result.stderr and "Traceback" not in result.stderr
