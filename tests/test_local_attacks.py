"""What another local user of the machine must not be able to do (RULES "Personal data"):
read the database, its log, the check-in journal, a backup, the hand-off key or the
secrets; make concurrent first starts lose a signing key; or block every command-line
hand-off with one idle connection. The same attacks against a real server are in
``tests/hardening/test_local_attacks.py``."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from multiprocessing.connection import Client
from pathlib import Path

import pytest

from lib.cli import owner
from lib.store import db
from lib.store.journal import journal_path
from tests.conftest import write_csv

ROOT = Path(__file__).resolve().parents[1]
HEADER = ["timestamp", "person_id", "building", "action", "gate", "name", "phone"]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def small_log(folder: Path) -> Path:
    return write_csv(folder / "log.csv", HEADER, [
        ["2022-01-03 08:00", "7172012301900001", "kw", "in", "g1", "Yohanis", "081299990001"],
        ["2022-01-03 09:00", "7172012301900001", "kw", "out", "g1", "", ""],
    ])


def run_as_a_user_would(*args: str, env: dict[str, str] | None = None, stdin: int | None = None) -> subprocess.Popen[str]:
    """A process started from a shell with Debian's default umask (022: files 0644)."""
    return subprocess.Popen(
        [sys.executable, *args], cwd=ROOT, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        stdin=stdin, env={**os.environ, **(env or {})}, preexec_fn=lambda: os.umask(0o022),
    )


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    process = run_as_a_user_would("-m", "lib.cli", *args, env=env)
    out, err = process.communicate(timeout=120)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A data folder as ``mkdir data`` leaves it (0755)."""
    folder = tmp_path / "data"
    folder.mkdir()
    folder.chmod(0o755)
    return folder


def old_install(folder: Path) -> Path:
    """The files of an install from before the fix, all 0644 in a 0755 folder."""
    path = folder / "pantau.duckdb"
    previous = os.umask(0o022)
    try:
        con = db.connect(path)
        con.close()
        (folder / "backups").mkdir(mode=0o755)
        (folder / "backups" / "kept-by-hand.duckdb").write_bytes(b"old backup")
        journal_path(path).write_text('{"done": 0}\n')
        (folder / "secrets.json").write_text('{"cookie_key": "old"}')
    finally:
        os.umask(previous)
    for file in (path, journal_path(path), folder / "secrets.json", folder / "backups" / "kept-by-hand.duckdb"):
        file.chmod(0o644)
    folder.chmod(0o755)
    return path


# --- 1. file modes -------------------------------------------------------------------


def test_command_line_writes_database_and_backup_owner_only(data: Path, tmp_path: Path) -> None:
    database = data / "pantau.duckdb"
    env = {"PANTAU_SECRETS_FILE": str(data / "secrets.json")}
    result = cli("--db", str(database), "ingest", str(small_log(tmp_path)), env=env)
    assert result.returncode == 0, result.stderr
    copy = data / "backups" / "by-hand.duckdb"
    result = cli("--db", str(database), "backup", str(copy), env=env)
    assert result.returncode == 0, result.stderr
    result = cli("--db", str(database), "purge", "--days", "1", env=env)  # makes the pseudonym key
    assert result.returncode == 0, result.stderr
    assert mode(data) == 0o700
    assert mode(database) == 0o600
    assert mode(copy) == 0o600 and mode(copy.parent) == 0o700
    assert mode(data / "secrets.json") == 0o600
    assert not [p.name for p in data.rglob("*") if p.is_file() and mode(p) & 0o077]


SERVER_START = textwrap.dedent("""
    import sys
    from pathlib import Path
    from lib.web.server import open_owned
    from lib.store import db
    owned = open_owned(Path(sys.argv[1]))
    cursor = owned.database.cursor()
    with db.transaction(cursor):
        cursor.execute("INSERT INTO buildings (building_id, name) VALUES ('kw', 'Kantor')")
    print("ready", flush=True)
    sys.stdin.readline()
""")


@pytest.fixture
def serving(data: Path) -> Iterator[tuple[Path, subprocess.Popen[str]]]:
    """The server's start (``lib.web.server.open_owned``, as ``serve.py`` calls it) on an
    older install's files, in a process of its own holding the database."""
    database = old_install(data)
    env = {"PANTAU_SECRETS_FILE": str(data / "secrets.json")}
    process = run_as_a_user_would("-c", SERVER_START, str(database), env=env, stdin=subprocess.PIPE)
    assert process.stdout is not None and process.stdout.readline().strip() == "ready", process.stderr
    yield database, process
    assert process.stdin is not None
    process.stdin.write("\n")
    process.stdin.flush()
    process.wait(timeout=60)


def test_the_server_start_narrows_an_older_install_and_writes_owner_only(
    serving: tuple[Path, subprocess.Popen[str]], data: Path,
) -> None:
    database, _process = serving
    wal = Path(str(database) + ".wal")
    assert wal.exists()  # written, not yet checkpointed: names and phones live here first
    files = [database, wal, journal_path(database), owner.owner_file(database), data / "secrets.json",
             data / "backups" / "kept-by-hand.duckdb"]
    assert {f.name: oct(mode(f)) for f in files} == {f.name: oct(0o600) for f in files}
    assert (mode(data), mode(data / "backups")) == (0o700, 0o700)
    # A backup asked for from the command line is written by the server (the hand-off).
    copy = data / "backups" / "by-hand.duckdb"
    result = cli("--db", str(database), "backup", str(copy), env={"PANTAU_SECRETS_FILE": str(data / "secrets.json")})
    assert result.returncode == 0, result.stderr
    assert mode(copy) == 0o600


def test_a_shared_folder_keeps_its_mode(tmp_path: Path) -> None:
    """A database in a folder that is not Pantau's own (sticky, like /tmp) narrows only its files."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    con = db.connect(shared / "p.duckdb")
    con.close()
    assert mode(shared) == 0o1777 and mode(shared / "p.duckdb") == 0o600


# --- 2. secrets created once -------------------------------------------------------------

ROUNDS = 40
PROCESSES = 3
NAMES = ("qr_signing_key", "cookie_key", "pseudonym_key")


# One process of a first start, as a fresh interpreter: each round it waits at a barrier of
# files (every process ready, then "go"), asks for the three secrets in its own order (so at
# first each asks for another one) and prints what it got, one JSON line a round.
_FIRST_START = textwrap.dedent("""
    import json, os, sys, time
    from pathlib import Path
    index, folder, rounds, names = int(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
    for key in ("PANTAU_QR_SIGNING_KEY", "PANTAU_COOKIE_KEY", "PANTAU_PSEUDONYM_KEY"):
        os.environ.pop(key, None)
    from lib.store import secrets_store
    for round_no in range(rounds):
        here = folder / f"round{round_no}"
        os.environ["PANTAU_SECRETS_FILE"] = str(here / "secrets.json")
        (folder / f"ready-{round_no}-{index}").touch()
        while not (folder / f"go-{round_no}").exists():
            time.sleep(0.0005)
        order = names[index % len(names):] + names[:index % len(names)]
        try:
            got, error = {name: secrets_store.get_secret(name) for name in order}, None
        except Exception as failure:
            got, error = None, f"{type(failure).__name__}: {failure}"
        print(json.dumps([round_no, index, got, error]), flush=True)
""")


def test_concurrent_first_starts_agree_on_every_secret(tmp_path: Path) -> None:
    processes = [
        run_as_a_user_would("-c", _FIRST_START, str(index), str(tmp_path), str(ROUNDS), *NAMES)
        for index in range(PROCESSES)
    ]
    try:
        for round_no in range(ROUNDS):
            deadline = time.monotonic() + 60
            while not all((tmp_path / f"ready-{round_no}-{i}").exists() for i in range(PROCESSES)):
                died = [p.returncode for p in processes if p.poll() not in (None, 0)]
                assert not died and time.monotonic() < deadline, [p.communicate()[1] for p in processes if p.poll()]
                time.sleep(0.001)
            (tmp_path / f"go-{round_no}").touch()
        outputs = [p.communicate(timeout=120) for p in processes]
    finally:
        for process in processes:
            process.kill()
    assert [p.returncode for p in processes] == [0] * PROCESSES, [err for _, err in outputs]
    answers = [json.loads(line) for out, _ in outputs for line in out.splitlines()]
    assert len(answers) == ROUNDS * PROCESSES
    errors = [error for *_, error in answers if error]
    assert errors == []
    lost = unreadable = 0
    for round_no in range(ROUNDS):
        path = tmp_path / f"round{round_no}" / "secrets.json"
        try:
            stored = json.loads(path.read_text())
        except ValueError:
            unreadable += 1
            continue
        assert mode(path) == 0o600
        for found_round, _index, got, _ in answers:
            if found_round == round_no:
                lost += sum(stored.get(name) != value for name, value in got.items())
    assert (unreadable, lost) == (0, 0)
    assert not list(tmp_path.rglob("*.tmp"))  # no temporary file left behind


# --- 3. the hand-off port ------------------------------------------------------------------


@pytest.fixture
def handoff(tmp_path: Path) -> Iterator[tuple[Path, owner.OwnerService]]:
    """The owner service of a database, running a trivial command for other processes."""
    path = (tmp_path / "h.duckdb").resolve()
    database = db.shared(path)
    service = owner.serve(database, lambda argv, cwd, env: (0, f"ran {' '.join(argv)}\n", ""))
    yield path, service
    owner._SERVICES.pop(path, None)
    database.close()


def _forward_in_time(path: Path, seconds: float) -> tuple[float, object]:
    """Forward a command from another thread; (seconds taken, answer), or (inf, None) if it hung."""
    found: list[object] = []
    started = time.monotonic()
    worker = threading.Thread(target=lambda: found.append(owner.forward(path, ["visits"], {})), daemon=True)
    worker.start()
    worker.join(seconds)
    return (time.monotonic() - started, found[0]) if found else (float("inf"), None)


def test_an_idle_connection_does_not_block_the_hand_off(handoff: tuple[Path, owner.OwnerService]) -> None:
    path, service = handoff
    idle = [socket.create_connection(("127.0.0.1", service.port)) for _ in range(5)]  # connect, send nothing
    slow = socket.create_connection(("127.0.0.1", service.port))
    slow.settimeout(5.0)
    slow.recv(64)  # reads the challenge, then never answers
    try:
        taken, answer = _forward_in_time(path, 10.0)
        assert answer == (0, "ran visits\n", ""), f"blocked: {taken:.1f} s"
        assert taken < 3.0
    finally:
        for sock in [*idle, slow]:
            sock.close()


def test_a_flood_of_idle_and_trickling_connections_blocks_no_command(
    handoff: tuple[Path, owner.OwnerService]
) -> None:
    """More idle connections than the service takes at once, re-opened as soon as they are
    dropped, and connections that send a byte every second (a per-read timeout never fires):
    the command still runs. Before, 64 of them refused every command ("database in use")."""
    path, service = handoff
    stop = threading.Event()
    held: list[socket.socket] = []

    def flood() -> None:  # twice as many idle connections as the service takes at once, held
        while not stop.is_set() and len(held) < 2 * owner.MAX_HANDSHAKES + 40:
            try:
                held.append(socket.create_connection(("127.0.0.1", service.port), timeout=1))
            except OSError:
                time.sleep(0.01)

    def trickle(sock: socket.socket) -> None:
        while not stop.is_set():
            try:
                sock.send(b"\x00")
            except OSError:
                return
            time.sleep(1.0)

    tricklers = [socket.create_connection(("127.0.0.1", service.port)) for _ in range(20)]
    threads = [threading.Thread(target=flood, daemon=True),
               *(threading.Thread(target=trickle, args=(t,), daemon=True) for t in tricklers)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1.0)  # the flood is on
        for _ in range(3):
            taken, answer = _forward_in_time(path, 20.0)
            assert answer == (0, "ran visits\n", ""), f"refused or blocked after {taken:.1f} s"
    finally:
        stop.set()
        for sock in [*held, *tricklers]:
            sock.close()


def test_a_wrong_key_is_refused_and_the_next_command_runs(handoff: tuple[Path, owner.OwnerService]) -> None:
    path, service = handoff
    from multiprocessing import AuthenticationError

    started = time.monotonic()
    with pytest.raises(AuthenticationError):
        Client(("127.0.0.1", service.port), authkey=b"a guess" * 4)
    assert time.monotonic() - started < 3.0
    garbage = socket.create_connection(("127.0.0.1", service.port))
    garbage.sendall(b"\xff" * 1000)  # not the protocol at all
    _taken, answer = _forward_in_time(path, 10.0)
    assert answer == (0, "ran visits\n", "")
    garbage.close()


def test_an_idle_connection_is_dropped_after_the_handshake_time(handoff: tuple[Path, owner.OwnerService]) -> None:
    _path, service = handoff
    idle = socket.create_connection(("127.0.0.1", service.port))
    idle.settimeout(owner.HANDSHAKE_SECONDS + 5)
    started = time.monotonic()
    received = b""
    while chunk := idle.recv(4096):  # the challenge, then the end when the server gives up
        received += chunk
    assert received  # it was offered the challenge
    assert time.monotonic() - started < owner.HANDSHAKE_SECONDS + 2
    idle.close()


def test_forward_does_not_hang_on_a_port_that_never_answers(tmp_path: Path) -> None:
    """The ``.owner`` file names a port that someone else now listens on, silently."""
    listener = socket.create_server(("127.0.0.1", 0))
    path = (tmp_path / "x.duckdb").resolve()
    owner.owner_file(path).write_text(json.dumps({"pid": os.getpid(), "port": listener.getsockname()[1], "key": "00" * 32}))
    try:
        taken, answer = _forward_in_time(path, owner.HANDSHAKE_SECONDS + 5)
        assert answer is None and taken < owner.HANDSHAKE_SECONDS + 2
    finally:
        listener.close()


def test_the_hand_off_key_is_readable_by_its_owner_only(handoff: tuple[Path, owner.OwnerService]) -> None:
    path, _service = handoff
    assert mode(owner.owner_file(path)) == 0o600
    assert not list(path.parent.glob("*.tmp"))


def test_a_nightly_backup_cut_short_by_a_crash_is_removed_at_the_next_start(data: Path) -> None:
    """A half-written backup is a full copy of every name and phone, under a name no restore
    takes: the next start of the command line (or the server) deletes it."""
    db_path = data / "pantau.duckdb"
    assert cli("--db", str(db_path), "ingest", str(small_log(data))).returncode == 0
    backups = data / "backups"
    backups.mkdir(exist_ok=True)
    partial = backups / "pantau-20220103-0100.duckdb.partial"
    partial.write_bytes(b"half a copy")
    (backups / "pantau-20220103-0100.duckdb.partial.wal").write_bytes(b"wal")
    kept = backups / "pantau-20220102-0100.duckdb"
    kept.write_bytes(b"a whole backup")
    assert cli("--db", str(db_path), "visits").returncode == 0
    assert sorted(p.name for p in backups.iterdir()) == [kept.name]
