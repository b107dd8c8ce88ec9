"""The ``khoibot`` command: run the bot (default), or manage its database."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit
from urllib.request import urlopen
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.error import InvalidToken, NetworkError

from khoibot import __version__
from khoibot.config import ConfigError, Settings, load_settings
from khoibot.logs import redact, setup_logging
from khoibot.render import Renderer


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="khoibot", description="Telegram bot for Vietnamese emulation blocs")
    parser.add_argument("--config", help="TOML config file (default: ./config.toml or $KHOIBOT_CONFIG)")
    parser.add_argument("--version", action="version", version=f"khoibot {__version__}")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run the bot (the default)")
    commands.add_parser("status", help="is the running bot ready? (asks its web server's /readyz)")
    demo = commands.add_parser("demo", help="play a bloc's year against the real bot, without a token")
    demo.add_argument("--script", help="the year's script (TOML; default: the Thừa Thiên Huế bloc's 2025)")
    demo.add_argument("--province", action="store_true",
                      help="play the province's year instead: Huế's officers and three of its blocs")
    demo.add_argument("--output", help="folder for the transcript and the documents (default: a new temporary one)")
    demo.add_argument("--faults", type=float, default=0.0, metavar="SHARE",
                      help="make this share (0..0.5) of the bot's calls fail: 429, 5xx, time-outs")
    demo.add_argument("--seed", type=int, default=1, help="seed of the injected faults")
    db = commands.add_parser("db", help="database commands")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="create or upgrade the schema")
    db_commands.add_parser("current", help="show the schema revision")
    backup = db_commands.add_parser("backup", help="write a consistent copy of the database (safe while the bot runs)")
    backup.add_argument("target", help="the copy's file name (must not exist yet)")
    restore = db_commands.add_parser("restore", help="put a copy back as the database (stop the bot first)")
    restore.add_argument("copy", help="a file written by `khoibot db backup`")
    restore.add_argument("--yes", action="store_true", help="confirm: the current database is replaced")
    return parser


def _say(settings: Settings | None, template: str, **ctx) -> str:
    tz = settings.bot.tz if settings else None
    return Renderer(tz or ZoneInfo("Asia/Ho_Chi_Minh")).plain(template, **ctx)


def run(settings: Settings) -> int:
    if not settings.telegram.token:
        print(_say(settings, "cli.no_token"), file=sys.stderr)
        return 2
    from khoibot.app import build_application

    if settings.telegram.mode == "webhook" and not settings.telegram.webhook_url:
        print(_say(settings, "cli.no_webhook_url"), file=sys.stderr)
        return 2
    from khoibot import standby

    try:
        # On PostgreSQL a standby waits here, the application's modules already imported above.
        lease = standby.become_active(settings)
    except standby.AlreadyRunning as exc:
        print(_say(settings, "cli.already_running", lock_file=str(exc.lock_file)), file=sys.stderr)
        return 2
    except standby.Stopped:
        return 0
    app = build_application(settings)
    if lease is not None:
        lease.watch()
    try:
        _serve(app, settings)
    except InvalidToken:
        # PTB's message quotes the token itself: say what happened without it.
        print(_say(settings, "cli.token_rejected", base_url=settings.telegram.base_url), file=sys.stderr)
        return 1
    except NetworkError as exc:
        print(_say(settings, "cli.server_unreachable", base_url=settings.telegram.base_url,
                   problem=redact(str(exc), [settings.telegram.token])), file=sys.stderr)
        return 1
    except Exception:
        # Through the log, whose filter takes the token out of the message and the traceback.
        logging.getLogger("khoibot").critical("the bot stopped", exc_info=True)
        return 1
    return 0


def _serve(app, settings: Settings) -> None:
    stop_signals = (signal.SIGINT, signal.SIGTERM)
    if settings.telegram.mode == "webhook":
        # The bot's web server must listen on the path Telegram is told to post to.
        app.run_webhook(listen=settings.telegram.webhook_listen, port=settings.telegram.webhook_port,
                        url_path=urlsplit(settings.telegram.webhook_url).path,
                        webhook_url=settings.telegram.webhook_url,
                        secret_token=settings.telegram.webhook_secret or None,
                        cert=settings.telegram.webhook_certificate or None,
                        allowed_updates=Update.ALL_TYPES, stop_signals=stop_signals)
    else:
        app.run_polling(allowed_updates=Update.ALL_TYPES, timeout=settings.telegram.poll_timeout,
                        stop_signals=stop_signals)


def status(settings: Settings) -> int:
    """The running bot's readiness, for a person: 0 ready, 1 not ready, 2 not reachable."""
    web = settings.web
    if not web.enabled:
        print(_say(settings, "cli.status_no_server"), file=sys.stderr)
        return 2
    host = "127.0.0.1" if web.listen in ("0.0.0.0", "::", "") else web.listen
    url = f"http://{host}:{web.port}/readyz"
    try:
        with urlopen(url, timeout=5) as response:
            body = json.loads(response.read())
    except HTTPError as exc:  # 503: answered, not ready
        body = json.loads(exc.read() or b"{}")
    except (URLError, OSError, ValueError):
        print(_say(settings, "cli.status_unreachable", url=url), file=sys.stderr)
        return 2
    print(_say(settings, "cli.status", ready=body.get("ready", False), parts=body.get("parts", {}),
               standby=body.get("role") == "standby"))
    return 0 if body.get("ready") else 1


def db_command(settings: Settings, command: str) -> int:
    from storage.db import Database
    from storage.migrate import current_revision, head_revision, upgrade

    db = Database(settings.database.url)
    if command == "upgrade":
        upgrade(db.engine)
    print(_say(settings, "cli.db_revision", current=current_revision(db.engine), head=head_revision()))
    return 0


def keep_records(settings: Settings, args: argparse.Namespace) -> int:
    from storage import backup

    try:
        if args.db_command == "backup":
            size = backup.backup(settings.database.url, args.target)
            print(_say(settings, "cli.backup_done", target=args.target, kb=max(1, size // 1024)))
            return 0
        if not args.yes:
            print(_say(settings, "cli.restore_confirm", copy=args.copy), file=sys.stderr)
            return 2
        backup.restore(settings.database.url, args.copy)
        print(_say(settings, "cli.restore_done", copy=args.copy))
        return 0
    except backup.NotSQLite:
        print(_say(settings, "cli.backup_postgres"), file=sys.stderr)
        return 2
    except FileExistsError:
        print(_say(settings, "cli.backup_exists", target=args.target), file=sys.stderr)
        return 2
    except Exception as exc:  # a broken copy, no such file, a locked database
        print(_say(settings, "cli.backup_failed", problem=str(exc)), file=sys.stderr)
        return 1


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "demo":  # needs no config: everything runs in this process
        from khoibot import demo

        from khoibot.demo.script import PROVINCE_SCRIPT

        script = args.script or (PROVINCE_SCRIPT if args.province else None)
        return demo.run(script, args.output, faults=min(max(args.faults, 0.0), 0.5), seed=args.seed)
    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        print(_say(None, "cli.bad_config", problem=str(exc)), file=sys.stderr)
        return 2
    setup_logging(settings.logging.level, settings.logging.format, [settings.telegram.token])
    if args.command == "db" and args.db_command in ("backup", "restore"):
        return keep_records(settings, args)
    if args.command == "db":
        return db_command(settings, args.db_command)
    if args.command == "status":
        return status(settings)
    return run(settings)


if __name__ == "__main__":
    sys.exit(main())
