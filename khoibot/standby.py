"""Who is active: one bot per database, and a standby that takes over.

On PostgreSQL, the node that holds a session-level advisory lock is active: it polls (or
receives the webhook), sends reminders and runs the pacers. The lock is held on a connection of
its own (not the pool's), keyed by the bot's id, so two bots sharing a database do not exclude
each other, while two nodes of one bot (which would fight over getUpdates anyway) do. Any other
node of that bot is a standby: it waits on the lock (``lock_timeout`` = ``poll_seconds``, so it
looks at its own connection that often and takes a freed lock at once), answers its readiness
as "standby", and when it gets the lock it starts the bot.

How a take-over adds up to ``takeover_seconds`` (default 10):
- the active process dies (SIGKILL, a crash, the machine reboots cleanly): its kernel closes the
  lock's socket, PostgreSQL ends the session and frees the lock at once; the standby, waiting on
  it, has it within milliseconds and starts (``STANDBY_START_SECONDS``, measured 1–2 s);
- the active node is cut off (network, power): PostgreSQL frees the lock when its keepalives on
  the lock session give up: ``takeover_seconds − STANDBY_START_SECONDS`` (7 s: idle 5 s, then 2
  probes 1 s apart, or unacknowledged data for as long); then the standby starts as above;
- the node cut off must stop before that: it checks its lock connection every ``check_seconds``
  and gives each check as long again (and sees at once a session PostgreSQL ended), so it stops
  within 2 × ``check_seconds`` (4 s); the configuration refuses values for which that is not
  less than PostgreSQL's 7 s.
An active node that loses its lock stops at once (one critical line, exit code 3): it must never
go on sending while another may be active. systemd restarts it; it comes back as a standby.

On SQLite only one process may use the file: ``<file>.lock`` is locked (``flock``) for the
process's life, and a second one refuses to start.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import select
import signal
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO

import psycopg
from sqlalchemy.engine import make_url

from khoibot.config import STANDBY_START_SECONDS, Settings

log = logging.getLogger(__name__)

# Exit code of an active node that lost its lock (systemd: Restart=on-failure brings it back).
EXIT_LOST_LOCK = 3
KEEPALIVE_INTERVAL = 1
KEEPALIVE_PROBES = 2
APPLICATION_NAME = "khoibot-lock"


class AlreadyRunning(Exception):
    """Another process has the SQLite database (the lock file is named)."""

    def __init__(self, lock_file: Path) -> None:
        super().__init__(str(lock_file))
        self.lock_file = lock_file


class Stopped(Exception):
    """The standby was asked to stop (SIGTERM, SIGINT) before it became active."""


def lock_key(token: str) -> int:
    """The advisory lock's key (a signed 64-bit integer) for the bot of this token."""
    bot_id = token.split(":", 1)[0]
    digest = hashlib.blake2b(f"khoibot active node {bot_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def lock_ids(key: int) -> tuple[int, int]:
    """How pg_locks shows a bigint advisory key: (classid, objid), the high and low 32 bits."""
    unsigned = key & 0xFFFF_FFFF_FFFF_FFFF
    return unsigned >> 32, unsigned & 0xFFFF_FFFF


def is_postgres(url: str) -> bool:
    return make_url(url).drivername.startswith("postgres")


# ---- SQLite: one process per file --------------------------------------------------------

_held_files: list[IO] = []  # open for the process's life: the kernel frees the lock when it ends


def hold_sqlite_file(url: str) -> Path | None:
    """Lock ``<database file>.lock``; raise AlreadyRunning when another process holds it."""
    database = make_url(url).database
    if not database or database == ":memory:":
        return None
    lock_file = Path(database).resolve().with_name(Path(database).name + ".lock")
    handle = open(lock_file, "a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise AlreadyRunning(lock_file) from None
    _held_files.append(handle)
    return lock_file


# ---- PostgreSQL: the lease ---------------------------------------------------------------

class Lease:
    """The advisory lock on a connection of its own: waited for as a standby, then watched."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.standby = settings.standby
        self.key = lock_key(settings.telegram.token)
        self.connection: psycopg.Connection | None = None
        self.database_ok = False  # the last attempt reached the database (the standby's readiness)
        self.active = False
        self._stop = threading.Event()

    # -- the connection
    def _connect(self) -> psycopg.Connection:
        check = self.standby.check_seconds
        dead_after = self.standby.takeover_seconds - STANDBY_START_SECONDS
        url = make_url(self.settings.database.url).set(drivername="postgresql")
        connection = psycopg.connect(
            url.render_as_string(hide_password=False), autocommit=True, application_name=APPLICATION_NAME,
            connect_timeout=max(2, int(check)),
            # This node's view: a silent or unacknowledged connection is an error within a check.
            keepalives=1, keepalives_idle=max(1, int(check)), keepalives_interval=1, keepalives_count=1,
            tcp_user_timeout=int(check * 1000))
        # PostgreSQL's view: a node that went silent loses the lock after dead_after seconds.
        for name, value in (("tcp_keepalives_idle", max(1, int(dead_after) - KEEPALIVE_INTERVAL * KEEPALIVE_PROBES)),
                            ("tcp_keepalives_interval", KEEPALIVE_INTERVAL),
                            ("tcp_keepalives_count", KEEPALIVE_PROBES),
                            ("tcp_user_timeout", int(dead_after * 1000)),
                            ("lock_timeout", int(self.standby.poll_seconds * 1000))):
            connection.execute("SELECT set_config(%s, %s, false)", (name, str(value)))
        return connection

    def _drop(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            except Exception:
                pass
        self.connection = None

    # -- as a standby
    def wait(self) -> None:
        """Block until this node holds the lock; raise Stopped if asked to stop first."""
        told = False
        while not self._stop.is_set():
            try:
                if self.connection is None:
                    self.connection = self._connect()
                got = self.connection.execute("SELECT pg_try_advisory_lock(%s)", (self.key,)).fetchone()[0]
                if not got:
                    self.database_ok = True
                    if not told:
                        log.info("standby: another node is active; waiting to take over")
                        told = True
                    # Waits for the lock: a lock freed is ours at once (or LockNotAvailable after poll_seconds).
                    self.connection.execute("SELECT pg_advisory_lock(%s)", (self.key,))
            except psycopg.errors.LockNotAvailable:  # another node is still active
                continue
            except psycopg.Error as exc:
                self.database_ok = False
                log.warning("standby: the database does not answer (%s)", type(exc).__name__)
                self._drop()
                self._stop.wait(self.standby.poll_seconds)
                continue
            self.connection.execute("SELECT set_config('lock_timeout', '0', false)")
            self.database_ok = self.active = True
            log.info("active: this node holds the lock and starts the bot")
            return
        raise Stopped()

    def stop_waiting(self) -> None:
        self._stop.set()

    # -- as the active node
    def holds(self) -> bool:
        classid, objid = lock_ids(self.key)
        row = self.connection.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid()"
            " AND classid = %s::oid AND objid = %s::oid AND objsubid = 1", (classid, objid)).fetchone()
        return bool(row and row[0])

    def watch(self) -> threading.Thread:
        """Check the lock every check_seconds (and at once when the server says anything on the
        idle connection, such as ending the session); stop the process when it is gone."""
        thread = threading.Thread(target=self._watch, name="khoibot-lock", daemon=True)
        thread.start()
        return thread

    def _watch(self) -> None:
        check = self.standby.check_seconds
        while True:
            try:
                select.select([self.connection.fileno()], [], [], check)
            except (OSError, ValueError):
                lost("the lock's connection is closed")
            # A check that does not answer within check_seconds counts as the lock lost.
            deadline = threading.Timer(check, lost, args=("the database did not answer the lock check",))
            deadline.daemon = True
            deadline.start()
            try:
                held = self.holds()
                problem = "the lock is no longer held"
            except Exception as exc:
                held, problem = False, f"the lock's connection was lost ({type(exc).__name__})"
            finally:
                deadline.cancel()
            if not held:
                lost(problem)


def lost(problem: str) -> None:
    """Stop at once: another node may be active from now on."""
    log.critical("lost the active node's lock: %s; stopping now so that no two nodes act at once", problem)
    for handler in logging.getLogger().handlers:
        try:
            handler.flush()
        except Exception:
            pass
    os._exit(EXIT_LOST_LOCK)


# ---- the standby's readiness -------------------------------------------------------------

def standby_readiness(lease: Lease) -> dict:
    """/readyz of a standby: ready when it reaches the database, so it can take over."""
    database = {"ready": True} if lease.database_ok else {"ready": False, "problem": "unreachable"}
    return {"ready": lease.database_ok, "role": "standby", "parts": {"database": database}}


class StandbyPage:
    """/healthz and /readyz while the node waits (the bot's own web server replaces it when the
    node becomes active; the Mini Apps are not served by a standby: their decisions send)."""

    def __init__(self, lease: Lease, host: str, port: int) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                if self.path == "/healthz":
                    status, body = 200, {"alive": True}
                elif self.path == "/readyz":
                    body = standby_readiness(lease)
                    status = 200 if body["ready"] else 503
                else:
                    status, body = 404, {}
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_args) -> None:
                pass

        self.server = ThreadingHTTPServer((host, port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="khoibot-standby-page", daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def become_active(settings: Settings) -> Lease | None:
    """Before the bot starts: on SQLite, hold the file (AlreadyRunning if another process does);
    on PostgreSQL, wait as a standby until this node holds the lock (Stopped if asked to stop).
    Returns the lease to watch once the bot runs, or None."""
    url = settings.database.url
    if not is_postgres(url):
        hold_sqlite_file(url)
        return None
    if not settings.standby.enabled:
        return None
    lease = Lease(settings)
    page = StandbyPage(lease, settings.web.listen, settings.web.port) if settings.web.enabled else None
    previous = {sig: signal.signal(sig, lambda *_: lease.stop_waiting()) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        lease.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if page is not None:
            page.close()
    return lease
