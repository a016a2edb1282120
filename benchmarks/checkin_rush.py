"""The morning rush on the light check-in page, over real HTTP (asyncio + httpx).

Starts the server as ``./pantau.sh run`` does (``streamlit run serve.py``, the rate limit
off: ``PANTAU_CHECKIN_RATE_LIMIT=0``) on a copy of a store, then plays phones that post the
poster's form (``application/x-www-form-urlencoded``) to the signed address of a check-in
poster and, later, of a check-out poster. A tap counts as confirmed when the answer page
says checked in / checked out. Afterwards ``python -m lib.cli visits`` (handed to the
running server, as an administrator would run it) must list every confirmed tap exactly
once.

    python -m benchmarks.checkin_rush sustained --seconds 20 --concurrency 48
    python -m benchmarks.checkin_rush paced --rate 50 --seconds 20
    python -m benchmarks.checkin_rush crash --taps 600
    python -m benchmarks.checkin_rush weight           # the light page's weight, Fast and Slow 3G
    python -m benchmarks.checkin_rush load             # the first three
    python -m benchmarks.checkin_rush all              # all four; results/checkin-rush.{md,json}

``--store PATH`` runs on a copy of another store (e.g. ``benchmarks/work/1m/store.duckdb``);
the default is the demo month. Results state which.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


from lib.store import db  # noqa: E402
from lib.web import phone  # noqa: E402
from tests.e2e.conftest import StreamlitServer  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
BUILDING, GATE = "kantor-walikota", "utama"
OUTCOME = re.compile(r'data-outcome="([a-z_]+)"')


# --- the store and the posters ------------------------------------------------------------


def prepare(data_dir: Path, store: Path | None) -> tuple[dict[str, str], str, str]:
    """The server's database (a copy of ``store``, or the demo month) and the signed paths
    of the check-in and check-out posters of one gate. Returns (paths, building, what the
    store is)."""
    target = data_dir / "pantau.duckdb"
    if store is not None:
        shutil.copy(store, target)
        wal = Path(str(store) + ".wal")
        if wal.exists():
            shutil.copy(wal, Path(str(target) + ".wal"))
        label = f"copy of {store.name}"
    else:
        subprocess.run(
            [sys.executable, "-m", "lib.cli", "--db", str(target), "demo"],
            cwd=ROOT, check=True, capture_output=True, env={**os.environ, "PANTAU_SECRETS_FILE": str(data_dir / "secrets.json")},
        )
        label = "demo month"
    env = {**os.environ, "PANTAU_SECRETS_FILE": str(data_dir / "secrets.json")}
    os.environ["PANTAU_SECRETS_FILE"] = env["PANTAU_SECRETS_FILE"]  # the phones' cookies: see remembered_phone
    con = db.connect(target)
    building, gate = BUILDING, GATE
    if not con.execute("SELECT 1 FROM gates WHERE building_id = ? AND gate_id = ?", [BUILDING, GATE]).fetchall():
        # Another store (the generated ones): its busiest building, through its first gate if any.
        building = con.execute("SELECT building FROM visits GROUP BY building ORDER BY count(*) DESC LIMIT 1").fetchall()[0][0]
        gates = con.execute("SELECT gate_id FROM gates WHERE building_id = ? ORDER BY gate_id", [building]).fetchall()
        gate = gates[0][0] if gates else ""
    con.close()
    paths = {}
    for action in ("checkin", "checkout"):
        out = subprocess.run(
            [sys.executable, "-c", _URL_SCRIPT, str(target), building, gate, action],
            cwd=ROOT, check=True, capture_output=True, text=True, env=env,
        ).stdout.strip()
        paths[action] = out[out.index("/checkin") :]
    con = db.connect(target, read_only=True)
    visits = con.execute("SELECT count(*) FROM visits").fetchall()[0][0]
    con.close()
    return paths, building, f"{label} ({visits:,} visits)"


_URL_SCRIPT = """
import sys
from lib.outputs import checkin
from lib.store import db
con = db.connect(sys.argv[1])
print(checkin.checkin_url(con, sys.argv[2], sys.argv[3] or None, sys.argv[4]))
con.close()
"""


def start(data_dir: Path) -> StreamlitServer:
    return StreamlitServer(data_dir, env={"PANTAU_CHECKIN_RATE_LIMIT": "0", "PANTAU_DEMO": "0"})


# --- phones ---------------------------------------------------------------------------------


@dataclass
class Tap:
    person_id: str
    action: str
    outcome: str  # checked_in, checked_out, duplicate, orphan, refused, error
    seconds: float


@dataclass
class Run:
    name: str
    taps: list[Tap] = field(default_factory=list)
    seconds: float = 0.0

    def confirmed(self, action: str | None = None) -> list[Tap]:
        wanted = {"checked_in", "checked_out"}
        return [t for t in self.taps if t.outcome in wanted and (action is None or t.action == action)]

    def figures(self) -> dict[str, Any]:
        lat = sorted(t.seconds for t in self.taps) or [0.0]

        def pct(q: float) -> float:
            return round(lat[min(len(lat) - 1, int(q * len(lat)))] * 1000, 1)

        return {
            "taps": len(self.taps),
            "confirmed": len(self.confirmed()),
            "other": dict(Counter(t.outcome for t in self.taps if t.outcome not in ("checked_in", "checked_out"))),
            "seconds": round(self.seconds, 2),
            "confirmed_per_s": round(len(self.confirmed()) / self.seconds, 1) if self.seconds else 0.0,
            "median_ms": round(statistics.median(lat) * 1000, 1),
            "p95_ms": pct(0.95),
            "p99_ms": pct(0.99),
            "within_300ms": round(sum(1 for t in self.taps if t.seconds <= 0.3) / max(1, len(self.taps)), 4),
        }


class Connections:
    """A lean HTTP/1.1 client on asyncio streams (keep-alive, one request at a time per
    connection). httpx spent ~5 ms of CPU per request here, more than the server's own
    work, and on a 2-core machine the load generator would mostly measure itself; this
    one spends well under 0.1 ms. ``--client httpx`` uses httpx instead."""

    def __init__(self, base: str, size: int) -> None:
        host_port = base.split("//", 1)[1]
        self.host, port = host_port.split(":")
        self.port = int(port)
        self.idle: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
        self.size = size
        self.opened = 0

    async def post(self, path: str, form: dict[str, str], cookie: str = "") -> tuple[int, str]:
        if self.idle.empty() and self.opened < self.size:
            self.opened += 1
            try:
                connection = await asyncio.open_connection(self.host, self.port)
            except BaseException:
                self.opened -= 1
                raise
        else:
            connection = await self.idle.get()
        reader, writer = connection
        body = urlencode(form).encode()
        try:
            head_lines = (
                f"POST {path} HTTP/1.1\r\nHost: {self.host}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + (f"Cookie: {cookie}\r\n" if cookie else "")
                + f"Content-Length: {len(body)}\r\n\r\n"
            )
            writer.write(head_lines.encode() + body)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            text = (await reader.readexactly(length)).decode("utf-8", "replace")
        except BaseException:
            writer.close()
            self.opened -= 1
            raise
        self.idle.put_nowait(connection)
        return status, text

    async def aclose(self) -> None:
        while not self.idle.empty():
            self.idle.get_nowait()[1].close()


class HttpxClient:
    def __init__(self, base: str, size: int) -> None:
        import httpx

        self.client = httpx.AsyncClient(
            base_url=base, timeout=30, limits=httpx.Limits(max_connections=size, max_keepalive_connections=size)
        )

    async def post(self, path: str, form: dict[str, str], cookie: str = "") -> tuple[int, str]:
        response = await self.client.post(path, data=form, headers={"Cookie": cookie} if cookie else None)
        return response.status_code, response.text

    async def aclose(self) -> None:
        await self.client.aclose()


CLIENT = "raw"


def client_for(base: str, size: int) -> Any:
    return HttpxClient(base, size) if CLIENT == "httpx" else Connections(base, size)


# ``--people known``: the phones are people of the store (with their history there), one tap
# each with just the id, as a phone the cookie knows sends it; otherwise new visitors.
KNOWN_PEOPLE: list[str] = []
RUN_STARTED = datetime.now(UTC)
_KNOWN_NAMES: dict[str, str] = {}
_KNOWN_USED: set[str] = set()


def person_for(label: str) -> str:
    """The person of one phone: ``label`` itself, or the next unused person of the store."""
    if not KNOWN_PEOPLE:
        return label
    if label not in _KNOWN_NAMES:
        _KNOWN_NAMES[label] = KNOWN_PEOPLE.pop()
        _KNOWN_USED.add(_KNOWN_NAMES[label])
    return _KNOWN_NAMES[label]


def known_people(database: Path, building: str, count: int) -> list[str]:
    """The ``count`` people with the most visits to ``building`` (its staff, mostly)."""
    con = db.connect(database, read_only=True)
    try:
        rows = con.execute(
            "SELECT person_id FROM visits WHERE building = ? GROUP BY person_id ORDER BY count(*) DESC, person_id LIMIT ?",
            [building, count],
        ).fetchall()
    finally:
        con.close()
    return [row[0] for row in rows]


def remembered_phone(person_id: str) -> str:
    """The Cookie header of a phone that remembers ``person_id`` (signed with the server's
    key: ``prepare`` points this process at the server's secrets file). An id alone from a
    phone that does not remember the person is asked for the name (RULES "Self check-in")."""
    person = {"person_id": person_id, "name": f"Tamu {person_id}", "category": "visitor", "phone": ""}
    return f"{phone.COOKIE_NAME}={phone.encode_person_cookie(person)}"


async def tap(client: Any, path: str, person_id: str, action: str, first: bool) -> Tap:
    form = {"person_id": person_id}
    cookie = ""
    if first and person_id not in _KNOWN_USED:
        form.update({"name": f"Tamu {person_id}", "category": "visitor", "phone": person_id})
    else:
        cookie = remembered_phone(person_id)
    started = time.perf_counter()
    try:
        status, text = await asyncio.wait_for(client.post(path, form, cookie), timeout=30)
        found = OUTCOME.search(text)
        outcome = found.group(1) if status == 200 and found else f"http_{status}"
    except Exception as error:  # the server went away (the crash run) or timed out
        outcome = f"error:{type(error).__name__}"
    return Tap(person_id, action, outcome, time.perf_counter() - started)


async def sustained(base: str, paths: dict[str, str], seconds: float, concurrency: int, prefix: str) -> Run:
    """Closed loop: ``concurrency`` phones, each checks in and out again as fast as answered."""
    run = Run("sustained")
    deadline = time.perf_counter() + seconds
    client = client_for(base, concurrency)
    try:

        async def phone(index: int) -> None:
            sequence = 0
            while time.perf_counter() < deadline:
                sequence += 1
                person = person_for(f"{prefix}{index:03d}{sequence:05d}")
                run.taps.append(await tap(client, paths["checkin"], person, "checkin", True))
                run.taps.append(await tap(client, paths["checkout"], person, "checkout", False))

        started = time.perf_counter()
        await asyncio.gather(*(phone(i) for i in range(concurrency)))
        run.seconds = time.perf_counter() - started
    finally:
        await client.aclose()
    return run


async def paced(base: str, paths: dict[str, str], seconds: float, rate: float, prefix: str) -> Run:
    """Open loop: taps arrive at ``rate`` per second whatever the answers do (half check-ins,
    half check-outs of the phones that checked in a few seconds before)."""
    run = Run(f"paced {rate:g}/s")
    client = client_for(base, 400)
    try:
        tasks = []
        started = time.perf_counter()
        total = int(seconds * rate)
        inside: list[str] = []
        for i in range(total):
            await asyncio.sleep(max(0.0, started + i / rate - time.perf_counter()))
            if i % 2 == 1 and len(inside) > int(rate * 2):
                person, action, first = inside.pop(0), "checkout", False
            else:
                person, action, first = person_for(f"{prefix}{i:06d}"), "checkin", True
                inside.append(person)
            tasks.append(asyncio.create_task(tap(client, paths[action], person, action, first)))
        run.taps = list(await asyncio.gather(*tasks))
        run.seconds = time.perf_counter() - started
    finally:
        await client.aclose()
    return run


# --- what is stored -------------------------------------------------------------------------


def stored_visits(data_dir: Path, building: str) -> list[dict[str, str]]:
    """``python -m lib.cli visits`` while the server runs (handed to it, as in daily use), for
    the poster's building since the run began: its taps, not a 10 M-visit store."""
    since = RUN_STARTED.isoformat(timespec="seconds")
    out = subprocess.run(
        [sys.executable, "-m", "lib.cli", "--db", str(data_dir / "pantau.duckdb"), "visits",
         "--building", building, "--from", since],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout
    return list(csv.DictReader(io.StringIO(out)))


def check_once(runs: list[Run], visits: list[dict[str, str]]) -> dict[str, int]:
    """Every confirmed check-in is one visit, every confirmed check-out closes one by a scan."""
    began = Counter(v["person_id"] for v in visits)
    closed = Counter(v["person_id"] for v in visits if v["checkout_kind"] == "scan")
    confirmed_in = [t.person_id for r in runs for t in r.confirmed("checkin")]
    confirmed_out = [t.person_id for r in runs for t in r.confirmed("checkout")]
    return {
        "confirmed_checkins": len(confirmed_in),
        "confirmed_checkouts": len(confirmed_out),
        "checkins_missing": sum(1 for p in confirmed_in if began[p] == 0),
        "checkins_twice": sum(1 for p in confirmed_in if began[p] > 1),
        "checkouts_missing": sum(1 for p in confirmed_out if closed[p] == 0),
        "checkouts_twice": sum(1 for p in confirmed_out if closed[p] > 1),
    }


# --- kill -9 ----------------------------------------------------------------------------------


async def burst(base: str, paths: dict[str, str], taps: int, prefix: str, concurrency: int = 48) -> Run:
    """``taps`` phones check in at once (``concurrency`` at a time)."""
    run = Run("burst")
    gate = asyncio.Semaphore(concurrency)
    client = client_for(base, concurrency)
    try:

        async def one(i: int) -> None:
            async with gate:
                run.taps.append(await tap(client, paths["checkin"], person_for(f"{prefix}{i:06d}"), "checkin", True))

        started = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(taps)))
        run.seconds = time.perf_counter() - started
    finally:
        await client.aclose()
    return run


def crash(data_dir: Path, paths: dict[str, str], building: str, taps: int) -> dict[str, Any]:
    """Burst, ``kill -9`` the server in the middle, restart, check every confirmed tap once."""
    server = start(data_dir)

    journal = data_dir / "pantau.duckdb.checkins.jsonl"

    def journalled() -> int:
        return journal.read_bytes().count(b'"seq"') if journal.exists() else 0

    before = journalled()

    async def burst_and_kill() -> Run:
        task = asyncio.create_task(burst(server.url, paths, taps, "KILL"))
        while journalled() - before < taps // 3:  # kill once about a third of the taps are in
            await asyncio.sleep(0.01)
        server.kill()
        return await task

    run = asyncio.run(burst_and_kill())
    lines = [json.loads(line) for line in journal.read_text().splitlines() if line.strip().endswith("}")]
    done = max([line["done"] for line in lines if "done" in line] or [0])
    only_in_journal = sum(1 for line in lines if line.get("seq", 0) > done)
    restarted = start(data_dir)
    try:
        visits = stored_visits(data_dir, building)
    finally:
        restarted.stop()
    result = {
        "taps_sent": taps,
        "answered_before_kill": len(run.confirmed()),
        "in_the_journal_only_at_kill": only_in_journal,
        **check_once([run], visits),
    }
    result["unanswered"] = taps - len(run.confirmed())
    return result


# --- page weight and Slow 3G ---------------------------------------------------------------------


# DevTools' presets (bytes/s; latency in ms, added to every request before its first byte):
# "Slow 3G" 2 s and 400 kbit/s each way, "Fast 3G" 562.5 ms, 1.44 Mbit/s down, 675 kbit/s up.
PROFILES: dict[str, dict[str, Any] | None] = {
    "no throttling": None,
    "Fast 3G": {"offline": False, "latency": 562.5, "downloadThroughput": 180_000, "uploadThroughput": 84_375},
    "Slow 3G": {"offline": False, "latency": 2000, "downloadThroughput": 50_000, "uploadThroughput": 50_000},
}


def weight(data_dir: Path, paths: dict[str, str]) -> dict[str, Any]:
    """Bytes over the wire (compressed, every request) and time to a usable form of the light
    page, in Chromium without throttling and with DevTools' "Fast 3G"
    and "Slow 3G" profiles (``PROFILES``)."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    figures: dict[str, Any] = {}
    query = paths["checkin"].split("?", 1)[1]
    # The old Streamlit check-in page is gone (one page for every tap); its last figures, 2.8 MB
    # and 58 s to a usable form on Slow 3G, stay in results/checkin-rush-weight.md.
    pages = (("light page", "serve.py", "button[type=submit]"),)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for name, script, ready in pages:
            server = StreamlitServer(data_dir, env={"PANTAU_DEMO": "0"}, script=script)
            try:
                for profile, conditions in PROFILES.items():
                    context = browser.new_context(viewport={"width": 390, "height": 844})
                    page = context.new_page()
                    cdp = context.new_cdp_session(page)
                    cdp.send("Network.enable")
                    if conditions is not None:
                        cdp.send("Network.emulateNetworkConditions", conditions)
                    sizes: list[int] = []
                    cdp.on("Network.loadingFinished", lambda e, s=sizes: s.append(int(e.get("encodedDataLength", 0))))
                    started = time.perf_counter()
                    page.goto(f"{server.url}/checkin?{query}", wait_until="commit", timeout=300_000)
                    page.wait_for_selector(ready, timeout=300_000)
                    usable = time.perf_counter() - started
                    page.wait_for_timeout(3000)  # late requests (fonts, the websocket) still count
                    key = f"{name}, {profile}"
                    figures[key] = {"requests": len(sizes), "bytes": sum(sizes), "usable_form_s": round(usable, 2)}
                    context.close()
            finally:
                server.stop()
        browser.close()
    return figures


# --- the whole run ------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["sustained", "paced", "crash", "weight", "load", "all"])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--concurrency", type=int, default=48)
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--taps", type=int, default=600)
    parser.add_argument("--store", type=Path, default=None)
    parser.add_argument("--out", default="checkin-rush")
    parser.add_argument("--client", choices=["raw", "httpx"], default="raw")
    parser.add_argument("--people", choices=["new", "known"], default="new",
                        help="new visitors (the form with a name), or people of the store (one tap with the id)")
    args = parser.parse_args(argv)
    global CLIENT
    CLIENT = args.client
    folder = Path(tempfile.mkdtemp(prefix="pantau-rush-"))
    paths, building, store_label = prepare(folder, args.store)
    if args.people == "known":
        KNOWN_PEOPLE.extend(known_people(folder / "pantau.duckdb", building, 40_000))
    report: dict[str, Any] = {
        "store": store_label,
        "machine": f"{os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}",
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "client": args.client,
        "people": args.people,
        "command": "python -m benchmarks.checkin_rush " + " ".join(argv if argv is not None else sys.argv[1:]),
    }
    if args.what in ("sustained", "paced", "load", "all"):
        server = start(folder)
        try:
            runs = []
            if args.what in ("sustained", "load", "all"):
                runs.append(asyncio.run(sustained(server.url, paths, args.seconds, args.concurrency, "SUS")))
            if args.what in ("paced", "load", "all"):
                runs.append(asyncio.run(paced(server.url, paths, args.seconds, args.rate, "PAC")))
            visits = stored_visits(folder, building)
        finally:
            server.stop()
        for run in runs:
            report[run.name] = run.figures()
        report["stored exactly once"] = check_once(runs, visits)
    if args.what in ("crash", "load", "all"):
        report["kill -9 mid-burst"] = crash(folder, paths, building, args.taps)
    if args.what in ("weight", "all"):
        report["page weight"] = weight(folder, paths)
    text = json.dumps(report, indent=1)
    print(text)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{args.out}.json").write_text(text + "\n")
    (RESULTS / f"{args.out}.md").write_text(to_markdown(report))
    shutil.rmtree(folder, ignore_errors=True)
    return 0


def to_markdown(report: dict[str, Any]) -> str:
    lines = [
        "# Check-in rush (light page, real HTTP)",
        "",
        f"Store: {report['store']}. Machine: {report['machine']}. Run: {report['when']}.",
    ]
    if "stored exactly once" in report or "kill -9 mid-burst" in report:
        lines.append(
            "Phones: " + ("people of the store, one tap with the id (a remembered phone)." if report.get("people") == "known"
                          else "new visitors, the first tap with the form (name, category, phone).")
        )
    lines += [
        f"Command: `{report.get('command', 'python -m benchmarks.checkin_rush all')}` (see the module docstring).",
        "",
    ]
    for key, value in report.items():
        if not isinstance(value, dict):
            continue
        lines.append(f"## {key}")
        lines.append("")
        if all(isinstance(v, dict) for v in value.values()) and value:
            columns = list(next(iter(value.values())).keys())
            lines.append("| | " + " | ".join(columns) + " |")
            lines.append("|---|" + "---:|" * len(columns))
            for name, row in value.items():
                lines.append(f"| {name} | " + " | ".join(str(row.get(c, "")) for c in columns) + " |")
        else:
            lines.append("| figure | value |")
            lines.append("|---|---:|")
            for name, row in value.items():
                lines.append(f"| {name} | {row} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
