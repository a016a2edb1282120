"""The dashboard process's own services, started once per process and database file.

The running dashboard is the one owner of the database file (``lib.cli.owner``). Opening
it as the owner means: wait for a command-line import that holds the file, start the
check-in desk (which first stores what its journal kept from before a crash:
``lib.ingest.desk``), serve other processes' commands (each one after the desk has stored
its pending taps, so a ``python -m lib.cli visits`` sees every confirmed tap), and run the
nightly purge. ``serve.py`` also loads the demo month on a first start
(``load_demo_on_first_start``) before it takes any request.

Both the Streamlit pages (``lib.ui.data``) and the light check-in page
(``lib.web.phone_page``, mounted beside Streamlit by ``serve.py``) reach the
database through ``open_owned``, so they share one connection and one desk.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from lib.core import config, logs
from lib.ingest import upgrade
from lib.ingest.desk import CheckinDesk
from lib.store import backup, db, spool
from lib.store.journal import Journal, journal_path

log = logging.getLogger(__name__)

OPEN_WAIT_SECONDS = 300.0


@dataclass(frozen=True)
class Owned:
    """The process's database and its check-in desk."""

    database: db.SharedDatabase
    desk: CheckinDesk


_OWNED: dict[Path, Owned] = {}
_LOCK = threading.Lock()
_STOP_AT_EXIT = False


def database_path() -> Path:
    """``$PANTAU_DB`` or ``data/pantau.duckdb``, absolute."""
    return db.default_db_path().resolve()


def open_owned(path: Path | None = None) -> Owned:
    """The process's owner of ``path`` (default ``database_path()``), opened once.

    A command-line import started before the dashboard holds the file until it is done:
    wait for it (up to five minutes) rather than fail.
    """
    global _STOP_AT_EXIT
    key = (path or database_path()).resolve()
    with _LOCK:
        found = _OWNED.get(key)
        if found is not None:
            return found  # every page run asks: the start below happens once
        # RULES "Personal data": from the server's start on, every file it creates (database,
        # write-ahead log, journal, backups, hand-off file) is readable by its owner only.
        db.private_files_from_now_on()
        logs.configure()  # the desk's, the nightly jobs' and the hand-off's lines to the service's log
        try:
            config.check_settings()  # a bad PANTAU_* value stops the start, named (lib/core/config.py)
        except config.SettingError as error:
            log.critical("Pantau does not start: %s", error)
            raise
        deadline = time.monotonic() + OPEN_WAIT_SECONDS
        while True:
            try:
                database = db.shared(key)
                break
            except duckdb.IOException:
                if time.monotonic() > deadline:
                    raise
                time.sleep(1.0)
        # The file's lock is ours: spools a killed import left hold names and phones (lib/store/spool.py).
        spool.remove_leftovers(key)
        backup.remove_partials(key)  # a nightly backup a crash cut short: a full copy of the data
        con = database.cursor()
        try:
            upgrade.finish(con)  # a data step a schema migration left (lib/ingest/upgrade.py)
        finally:
            con.close()
        desk = CheckinDesk(database, Journal(journal_path(key)))
        desk.start()
        _serve_commands(database, desk)
        owned = _OWNED[key] = Owned(database, desk)
        if not _STOP_AT_EXIT:
            _STOP_AT_EXIT = True
            # Stop the desk's thread before the interpreter tears down DuckDB under it
            # (a query interrupted at exit aborts the process), storing what is pending.
            atexit.register(stop_all)
        return owned


def load_demo_on_first_start(database: db.SharedDatabase) -> bool:
    """An empty database that was never a demo gets the demo month (``PANTAU_DEMO=0``: not)."""
    from lib.ingest.demo import first_start_wants_demo, load_demo

    con = database.cursor()
    try:
        if not first_start_wants_demo(con):
            return False
        load_demo(con)
        return True
    finally:
        con.close()


def _serve_commands(database: db.SharedDatabase, desk: CheckinDesk) -> None:
    """Other processes' commands, the nightly backup and purge, and the alerts to the webhook."""
    from lib.cli import commands, owner

    def run_after_flush(argv: list[str], cwd: str, env: dict[str, str]) -> tuple[int, str, str]:
        desk.flush()  # every confirmed tap is stored before another process reads or writes
        return commands.run_forwarded(argv, cwd, env)

    owner.serve(database, run_after_flush, maintenance=lambda: _nightly(database), alerts=lambda: _post_alerts(database))


def _nightly(database: db.SharedDatabase) -> None:
    """The nightly jobs: the backup (01:00) first, then the retention purge (02:00), then the
    province publish (03:00, when Settings names a destination); one failing does not stop
    the others."""
    from lib.outputs import publish
    from lib.store import backup, retention

    try:
        backup.nightly_backup(database)
    finally:
        try:
            retention.nightly_purge(database)
        finally:
            publish.nightly_publish(database, config.province_key())


def _post_alerts(database: db.SharedDatabase) -> None:
    """Alerts due now to the webhook, if one is set (``lib.outputs.webhook``)."""
    from lib.outputs import webhook

    cur = database.cursor()
    try:
        webhook.deliver_due(cur)
    finally:
        cur.close()



def stop_all() -> None:
    """Store every pending tap (the server is shutting down)."""
    with _LOCK:
        for owned in _OWNED.values():
            try:
                owned.desk.stop()
            except Exception:  # the journal keeps what could not be stored; the next start stores it
                log.exception("storing pending taps at shutdown failed")
        _OWNED.clear()


def no_delay_on_listening_sockets() -> int:
    """Set TCP_NODELAY on this process's listening TCP sockets; returns how many.

    Streamlit 1.67 binds its server socket itself, created without a protocol number, so
    asyncio's own TCP_NODELAY for accepted connections (which checks for IPPROTO_TCP) is
    skipped. Every HTTP answer, written as headers then body, then waits for the client's
    delayed ACK: ~40 ms per request, measured, whatever the page. Linux gives accepted
    connections the listening socket's TCP_NODELAY, so setting it there once fixes all.
    Does nothing where ``/proc/self/fd`` does not exist.
    """
    import os
    import socket

    folder = Path("/proc/self/fd")
    if not folder.is_dir():
        return 0
    done = 0
    for name in os.listdir(folder):
        try:
            sock = socket.socket(fileno=os.dup(int(name)))
        except (OSError, ValueError):
            continue
        try:
            if (
                sock.type == socket.SOCK_STREAM
                and sock.family in (socket.AF_INET, socket.AF_INET6)
                and sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)
            ):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                done += 1
        except OSError:
            pass
        finally:
            sock.close()
    return done
