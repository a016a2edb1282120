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

Any local user can connect to the port, so a connection proves it knows the key (the
``multiprocessing`` challenge, both ways) in a thread of its own, within
``HANDSHAKE_SECONDS``: an idle, slow or wrong-key client is dropped without ever holding
up another command (``multiprocessing.connection.Listener.accept`` would run the challenge
in the one accepting thread, where one idle connection blocked every command).
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import struct
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from multiprocessing import AuthenticationError
from multiprocessing.connection import Connection, answer_challenge, deliver_challenge
from pathlib import Path

from lib.store import db

log = logging.getLogger(__name__)

OwnerRunner = Callable[[list[str], str, dict[str, str]], tuple[int, str, str]]
MAINTENANCE_CHECK_SECONDS = 600
ALERT_CHECK_SECONDS = 60  # alerts due are posted to the webhook within a minute
HANDSHAKE_SECONDS = 5.0  # in all, to prove the key and send the request; a command itself may take long
# Connections proving their key at once (well below the process's 1024 descriptors). A new
# one past it evicts the oldest: a real command proves its key within milliseconds of being
# accepted, so a flood of idle or trickling connections evicts itself, not the command.
MAX_HANDSHAKES = 128
CONNECT_ATTEMPTS = 5  # the command line's tries when its connection was evicted in a flood


def owner_file(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".owner")


def _set_timeouts(fileno: int, seconds: float) -> None:
    """Every read and write on the socket ``fileno`` fails after ``seconds`` without
    progress (0: never). Socket options, not ``settimeout``: ``Connection`` reads the
    descriptor itself and needs it blocking."""
    sock = socket.socket(fileno=os.dup(fileno))
    try:
        value = struct.pack("ll", int(seconds), int((seconds % 1) * 1_000_000))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, value)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, value)
    finally:
        sock.close()  # the duplicate only; the options belong to the socket


def _shut(watch: socket.socket) -> None:
    """End a pending connection: its handler's next read fails at once."""
    try:
        watch.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    watch.close()


def _connection(sock: socket.socket) -> Connection:
    """A ``multiprocessing`` connection over an accepted or connected socket."""
    sock.setblocking(True)
    connection = Connection(os.dup(sock.fileno()))
    sock.close()
    return connection


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
        self.server_socket = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.server_socket.getsockname()[1])
        # Connections still proving their key: id -> (accepted at, a duplicate of the socket to shut).
        self._pending: OrderedDict[int, tuple[float, socket.socket]] = OrderedDict()
        self._pending_lock = threading.Lock()
        self._next_id = 0
        path = owner_file(database.path)
        # Created 0600 (mkstemp) before the key is written into it, then renamed into place.
        descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(json.dumps({"pid": os.getpid(), "port": self.port, "key": self.key.hex()}))
        os.replace(temporary, path)
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
                sock, _address = self.server_socket.accept()
            except OSError:  # out of descriptors for a moment, or the socket closed at exit
                log.exception("accepting a command-line connection failed")
                time.sleep(0.5)
                continue
            pending_id = self._admit(sock)
            threading.Thread(target=self._handle, args=(sock, pending_id), name="pantau-owner-command",
                             daemon=True).start()

    def _admit(self, sock: socket.socket) -> int:
        """Register a new connection; shut those past HANDSHAKE_SECONDS in all (a client that
        sends a byte now and then would reset a per-read timeout for ever) and, past
        MAX_HANDSHAKES, the oldest."""
        now = time.monotonic()
        with self._pending_lock:
            for pending_id, (accepted, watch) in list(self._pending.items()):
                if now - accepted > HANDSHAKE_SECONDS or len(self._pending) >= MAX_HANDSHAKES:
                    del self._pending[pending_id]
                    _shut(watch)
            self._next_id += 1
            self._pending[self._next_id] = (now, socket.socket(fileno=os.dup(sock.fileno())))
            return self._next_id

    def _proved(self, pending_id: int) -> None:
        with self._pending_lock:
            found = self._pending.pop(pending_id, None)
        if found is not None:
            found[1].close()

    def _handle(self, sock: socket.socket, pending_id: int) -> None:
        """Prove the key both ways and read the request within HANDSHAKE_SECONDS, then run it."""
        try:
            connection = _connection(sock)
        except OSError:
            self._proved(pending_id)
            return
        with connection:
            try:
                _set_timeouts(connection.fileno(), HANDSHAKE_SECONDS)
                deliver_challenge(connection, self.key)
                answer_challenge(connection, self.key)
                request = connection.recv()
                _set_timeouts(connection.fileno(), 0)  # the answer may be long in coming and large
            except (OSError, EOFError, AuthenticationError, AssertionError) as error:
                # Idle, too slow, a wrong key or not our protocol: dropped, nobody waited for it.
                log.info("command-line connection refused: %s", type(error).__name__)
                return
            finally:
                self._proved(pending_id)
            try:
                result = self.runner(list(request["argv"]), str(request["cwd"]), dict(request.get("env", {})))
            except Exception as error:  # reported to the caller, never kills the service
                log.exception("a forwarded command failed")
                result = (1, "", f"error: {type(error).__name__}: {error}\n")
            try:
                connection.send({"code": result[0], "stdout": result[1], "stderr": result[2]})
            except OSError:  # the caller gave up waiting
                log.info("the command line left before its answer")

    def _maintain(self) -> None:
        while True:
            try:
                if self.maintenance is not None:
                    self.maintenance()
            except Exception:  # logged; tomorrow is another try
                log.exception("pantau maintenance failed")
            time.sleep(MAINTENANCE_CHECK_SECONDS)

    def _alert_loop(self) -> None:
        while True:
            time.sleep(ALERT_CHECK_SECONDS)
            try:
                if self.alerts is not None:
                    self.alerts()
            except Exception:  # logged; the next minute is another try
                log.exception("pantau alerts failed")


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
    connection = None
    for attempt in range(CONNECT_ATTEMPTS):
        try:
            connection = _connect(int(info["port"]), bytes.fromhex(info["key"]))
            break
        except (ConnectionError, EOFError):  # evicted by a flood of other connections: again
            time.sleep(0.05 * (attempt + 1))
        except (OSError, ValueError, AuthenticationError, AssertionError):
            return None  # nothing listens there, or not the owner (the port was taken by another)
    if connection is None:
        return None
    with connection:
        connection.send({"argv": argv, "cwd": os.getcwd(), "env": env})
        if not connection.poll(timeout):
            return (1, "", "error: the dashboard did not answer in time\n")
        answer = connection.recv()
    return int(answer["code"]), str(answer["stdout"]), str(answer["stderr"])


def _connect(port: int, key: bytes) -> Connection:
    """A connection to the owner's port that proved the key both ways, within HANDSHAKE_SECONDS."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=HANDSHAKE_SECONDS)
    connection = _connection(sock)
    try:
        _set_timeouts(connection.fileno(), HANDSHAKE_SECONDS)
        answer_challenge(connection, key)
        deliver_challenge(connection, key)
        _set_timeouts(connection.fileno(), 0)  # the answer is waited for with poll(timeout)
    except BaseException:
        connection.close()
        raise
    return connection
