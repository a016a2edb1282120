"""One process owns the database file; the others hand it their commands.

DuckDB lets a single process open a file read-write, and while it does, no other process
can open it at all (DuckDB's own rule). The running dashboard is that process. It
listens on a loopback port; a command-line run that finds the file locked sends its
arguments there, the dashboard runs the same command on its own connection (writes take
turns through ``db.WRITE_LOCK``), and the output comes back as if it had run locally.
So importing from the command line while the dashboard serves loses nothing.

The address and a random key live in ``<database>.owner`` (mode 0600), readable by whoever
may read the database file itself. The owner also runs the nightly backup and retention
purge, and posts alerts to the webhook every minute.
"""

from __future__ import annotations

import json
import os
import secrets
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Client, Listener
from pathlib import Path
from typing import Any

from lib.store import db

OwnerRunner = Callable[[list[str], str, dict[str, str]], tuple[int, str, str]]
MAINTENANCE_CHECK_SECONDS = 600
ALERT_CHECK_SECONDS = 60  # alerts due are posted to the webhook within a minute


def owner_file(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".owner")


class OwnerService:
    """The listener thread (and the daily maintenance thread) of the owning process."""

    def __init__(
        self, database: db.SharedDatabase, runner: OwnerRunner, maintenance: Callable[[], None] | None = None,
        alerts: Callable[[], None] | None = None,
    ) -> None:
        self.database = database
        self.runner = runner
        self.maintenance = maintenance
        self.alerts = alerts
        self.key = secrets.token_bytes(32)
        self.listener = Listener(("127.0.0.1", 0), authkey=self.key)
        self.port = int(self.listener.address[1])
        path = owner_file(database.path)
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_text(json.dumps({"pid": os.getpid(), "port": self.port, "key": self.key.hex()}))
        os.chmod(temporary, 0o600)
        temporary.replace(path)
        threading.Thread(target=self._serve, name="pantau-owner", daemon=True).start()
        if maintenance is not None:
            threading.Thread(target=self._maintain, name="pantau-maintenance", daemon=True).start()
        if alerts is not None:
            # A thread of its own: a slow webhook never delays the nightly jobs, and no page
            # or import ever waits for it.
            threading.Thread(target=self._alert_loop, name="pantau-alerts", daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection = self.listener.accept()
            except Exception:  # a client that failed the key check, or a closed listener
                continue
            threading.Thread(target=self._handle, args=(connection,), daemon=True).start()

    def _handle(self, connection: Any) -> None:
        with connection:
            try:
                request = connection.recv()
                result = self.runner(list(request["argv"]), str(request["cwd"]), dict(request.get("env", {})))
            except Exception as error:  # reported to the caller, never kills the service
                result = (1, "", f"error: {type(error).__name__}: {error}\n")
            connection.send({"code": result[0], "stdout": result[1], "stderr": result[2]})

    def _maintain(self) -> None:
        while True:
            try:
                if self.maintenance is not None:
                    self.maintenance()
            except Exception as error:  # logged; tomorrow is another try
                print(f"pantau maintenance failed: {error}", flush=True)
            time.sleep(MAINTENANCE_CHECK_SECONDS)

    def _alert_loop(self) -> None:
        while True:
            time.sleep(ALERT_CHECK_SECONDS)
            try:
                if self.alerts is not None:
                    self.alerts()
            except Exception as error:  # logged; the next minute is another try
                print(f"pantau alerts failed: {error}", flush=True)


_SERVICES: dict[Path, OwnerService] = {}
_SERVICES_LOCK = threading.Lock()


def serve(
    database: db.SharedDatabase, runner: OwnerRunner, maintenance: Callable[[], None] | None = None,
    alerts: Callable[[], None] | None = None,
) -> OwnerService:
    """Start (once per process and file) the service that runs other processes' commands."""
    with _SERVICES_LOCK:
        if database.path not in _SERVICES:
            _SERVICES[database.path] = OwnerService(database, runner, maintenance, alerts)
        return _SERVICES[database.path]


def owns(db_path: Path) -> bool:
    """Whether this process serves ``db_path`` to others (it is the dashboard)."""
    return db_path.resolve() in _SERVICES


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def forward(db_path: Path, argv: list[str], env: dict[str, str], timeout: float = 3600.0) -> tuple[int, str, str] | None:
    """Run a command in the process that owns ``db_path``; None when no owner answers."""
    path = owner_file(db_path.resolve())
    try:
        info = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not _pid_alive(int(info.get("pid", 0))):
        return None
    try:
        connection = Client(("127.0.0.1", int(info["port"])), authkey=bytes.fromhex(info["key"]))
    except (OSError, EOFError, ValueError):
        return None
    with connection:
        connection.send({"argv": argv, "cwd": os.getcwd(), "env": env})
        if not connection.poll(timeout):
            return (1, "", "error: the dashboard did not answer in time\n")
        answer = connection.recv()
    return int(answer["code"]), str(answer["stdout"]), str(answer["stderr"])
