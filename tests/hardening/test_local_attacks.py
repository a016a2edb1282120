"""A local user of the server machine against a real server (``streamlit run serve.py``):
reading the files Pantau writes, racing its first start on one secrets file, and holding
the command-line hand-off port with an idle connection (RULES "Personal data").

Every process here starts with Debian's default umask (022), as from a login shell.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.conftest import write_csv
from tests.e2e.conftest import ROOT, StreamlitServer
from tests.hardening.conftest import start_server

FIGURES: dict[str, object] = {}  # printed at the end of the module (-s shows them)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(scope="module", autouse=True)
def login_shell_umask() -> Iterator[None]:
    """Every process this module starts inherits 022, whatever an earlier test left."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def cli(db_path: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lib.cli", "--db", str(db_path), *args], cwd=ROOT, capture_output=True, text=True,
        timeout=timeout, env={**os.environ, **(env or {})},
    )


def wait_for(path: Path, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.2)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, login_shell_umask: None) -> Iterator[StreamlitServer]:
    """A real server on a data folder made by ``mkdir data`` (0755)."""
    data_dir = tmp_path_factory.mktemp("local") / "data"
    data_dir.mkdir()
    data_dir.chmod(0o755)
    server = start_server(data_dir)
    wait_for(Path(str(server.db_path) + ".owner"))
    yield server
    server.stop()
    print("\nlocal attacks, figures:", json.dumps(FIGURES, indent=1))


def test_files_of_a_serving_server_are_owner_only(served: StreamlitServer) -> None:
    data, database = served.data_dir, served.db_path
    files = [database, Path(str(database) + ".wal"), Path(str(database) + ".checkins.jsonl"),
             Path(str(database) + ".owner")]
    found = {f.name: oct(mode(f)) for f in files if f.exists()}
    FIGURES["modes_while_serving"] = {**found, "data/": oct(mode(data))}
    assert found == {f.name: "0o600" for f in files}
    assert mode(data) == 0o700


def test_a_command_line_backup_and_purge_write_owner_only_files(served: StreamlitServer) -> None:
    data, database = served.data_dir, served.db_path
    copy = data / "backups" / "by-hand.duckdb"
    result = cli(database, "backup", str(copy))
    assert result.returncode == 0, result.stderr
    result = cli(database, "purge", "--days", "30")  # the pseudonym key, then a rewritten database file
    assert result.returncode == 0, result.stderr
    readable = {str(p.relative_to(data)): oct(mode(p)) for p in data.rglob("*")
                if p.name != "server.log" and mode(p) & 0o077}
    FIGURES["readable_by_others_after_backup_and_purge"] = readable
    assert readable == {}
    assert mode(copy) == 0o600 and mode(database) == 0o600 and mode(data / "secrets.json") == 0o600


def test_an_idle_connection_on_the_hand_off_port_blocks_no_command(served: StreamlitServer) -> None:
    port = json.loads(Path(str(served.db_path) + ".owner").read_text())["port"]
    idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(3)]
    try:
        started = time.monotonic()
        result = cli(served.db_path, "visits", timeout=60)  # it hung for ever before
        taken = time.monotonic() - started
        FIGURES["visits_with_3_idle_connections_seconds"] = round(taken, 2)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("person_id,")
        assert taken < 20.0  # a Python start and a forwarded query
    finally:
        for sock in idle:
            sock.close()
    from multiprocessing import AuthenticationError
    from multiprocessing.connection import Client

    with pytest.raises(AuthenticationError):
        Client(("127.0.0.1", port), authkey=b"guessed" * 5)
    assert cli(served.db_path, "visits").returncode == 0  # and the port still serves


# --- first starts racing on one secrets file --------------------------------------------

OLD_LOG_HEADER = ["timestamp", "person_id", "building", "action"]


def _checkin_status(server: StreamlitServer, signature: str) -> int:
    query = urlencode({"b": "kw", "a": "checkin", "s": signature})
    try:
        with urllib.request.urlopen(f"{server.url}/checkin?{query}", timeout=60) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_servers_and_command_lines_starting_together_keep_one_set_of_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two servers and two command-line purges share a fresh secrets file and start at
    once; whatever key any of them used is the one the file keeps."""
    secrets_file = tmp_path / "shared" / "secrets.json"
    env = {"PANTAU_SECRETS_FILE": str(secrets_file)}
    purged = []
    for number in range(2):  # a database with one visit older than the period, for each purge
        path = tmp_path / f"cli{number}" / "pantau.duckdb"
        path.parent.mkdir()
        log = write_csv(tmp_path / f"old{number}.csv", OLD_LOG_HEADER,
                        [["2022-01-03 08:00", "7172012301900001", "kw", "in"],
                         ["2022-01-03 09:00", "7172012301900001", "kw", "out"]])
        assert cli(path, "ingest", str(log)).returncode == 0
        purged.append(path)

    servers: list[StreamlitServer] = []
    starting = [threading.Thread(target=lambda n=n: servers.append(_start_sharing(tmp_path / f"server{n}", env)))
                for n in range(2)]
    for thread in starting:
        thread.start()
    for thread in starting:
        thread.join()
    try:
        assert len(servers) == 2
        # At once: each server's first check-in request (the signing key) and the purges (the pseudonym key).
        statuses: list[int] = []
        results: list[subprocess.CompletedProcess[str]] = []
        racers = [threading.Thread(target=lambda s=s: statuses.append(_checkin_status(s, "x" * 22)))
                  for s in servers for _ in range(2)]
        racers += [threading.Thread(target=lambda p=p: results.append(cli(p, "purge", env=env))) for p in purged]
        started = time.monotonic()
        for thread in racers:
            thread.start()
        for thread in racers:
            thread.join()
        FIGURES["secrets_race_seconds"] = round(time.monotonic() - started, 2)
        assert sorted(statuses) == [403] * 4  # a forged signature, checked against some key
        assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
        stored = json.loads(secrets_file.read_text())  # parses: never left half-written
        assert {"qr_signing_key", "pseudonym_key"} <= set(stored)
        assert mode(secrets_file) == 0o600

        # A poster signed with the file's key is accepted by both servers: neither holds a lost key.
        monkeypatch.setenv("PANTAU_SECRETS_FILE", str(secrets_file))
        from lib.outputs import checkin

        signature = checkin.sign("kw", "", "checkin")
        accepted = [_checkin_status(s, signature) for s in servers]
        FIGURES["checkin_status_with_the_files_key"] = accepted
        assert accepted == [404, 404]  # signature good; the building is not configured there
        # Both purges used the file's pseudonym key.
        from lib.store import db, retention

        for path in purged:
            con = db.connect(path)
            try:
                expected = con.execute(
                    f"SELECT {retention._pseudonym_sql('?', 'CAST(? AS TIMESTAMPTZ)', stored['pseudonym_key'])}",
                    ["7172012301900001", "2022-01-03 00:00:00+00"],
                ).fetchall()[0][0]
                assert con.execute("SELECT DISTINCT person_id FROM visits").fetchall() == [(expected,)]
            finally:
                con.close()
    finally:
        for server in servers:
            server.stop()


def _start_sharing(data_dir: Path, env: dict[str, str]) -> StreamlitServer:
    data_dir.mkdir()
    return start_server(data_dir, **env)
