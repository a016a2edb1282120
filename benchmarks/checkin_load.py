"""Load on the public check-in page: many simulated phones tapping at once.

Starts a real ``streamlit run serve.py`` on its own database, then drives Debian's Chromium with
Playwright on the light check-in page: each worker plays one phone after another (a new browser context with the
visitor's cookie, as a phone that has checked in before), opens the poster's address and
taps MASUK. When the time is up the server is stopped and the store is read: every
accepted check-in must be there exactly once.

    python -m benchmarks.checkin_load --seconds 60 --workers 8
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lib.ingest.demo import configure_buildings  # noqa: E402
from lib.outputs import checkin  # noqa: E402
from lib.store import db  # noqa: E402
from lib.web import phone as phone_side  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, StreamlitServer  # noqa: E402

BUILDING, GATE = "kantor-walikota", "utama"


@dataclass
class LoadResult:
    seconds: float
    workers: int
    accepted: list[str] = field(default_factory=list)
    failed: int = 0
    latencies: list[float] = field(default_factory=list)
    stored_once: int = 0
    missing: list[str] = field(default_factory=list)
    doubled: list[str] = field(default_factory=list)
    unexpected: int = 0

    @property
    def rate(self) -> float:
        return len(self.accepted) / self.seconds

    def table(self) -> str:
        lat = sorted(self.latencies) or [0.0]
        p95 = lat[min(len(lat) - 1, int(0.95 * len(lat)))]
        return "\n".join(
            [
                "| workers | seconds | accepted | failed | rate (check-ins/s) | median tap ms | p95 tap ms | stored once | missing | twice |",
                "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
                f"| {self.workers} | {self.seconds:.0f} | {len(self.accepted)} | {self.failed} | {self.rate:.2f} | "
                f"{statistics.median(lat) * 1000:.0f} | {p95 * 1000:.0f} | {self.stored_once} | {len(self.missing)} | {len(self.doubled)} |",
            ]
        )


@contextmanager
def server_secrets(data_dir: Path) -> Iterator[None]:
    """This process signs poster addresses and person cookies with the server's keys."""
    previous = os.environ.get("PANTAU_SECRETS_FILE")
    os.environ["PANTAU_SECRETS_FILE"] = str(data_dir / "secrets.json")
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("PANTAU_SECRETS_FILE", None)
        else:
            os.environ["PANTAU_SECRETS_FILE"] = previous


def prepare(data_dir: Path) -> str:
    """A database with the demo buildings; returns the check-in poster's query string."""
    con = db.connect(data_dir / "pantau.duckdb")
    configure_buildings(con)
    url = checkin.checkin_url(con, BUILDING, GATE, "checkin")
    con.close()
    return url[url.index("/checkin") :]


async def phone(browser: object, base_url: str, path: str, person_id: str, result: LoadResult) -> None:
    cookie = phone_side.encode_person_cookie(
        {"person_id": person_id, "name": f"Tamu {person_id}", "category": "visitor", "phone": ""}
    )
    context = await browser.new_context(viewport={"width": 390, "height": 844})  # type: ignore[attr-defined]
    await context.add_cookies([{"name": phone_side.COOKIE_NAME, "value": cookie, "url": base_url}])
    page = await context.new_page()
    page.set_default_timeout(60_000)
    try:
        await page.goto(base_url + path)
        await page.locator("button[type=submit]").click()  # the light page's one tap
        started = time.monotonic()
        await page.get_by_text("Tercatat MASUK").wait_for()
        result.latencies.append(time.monotonic() - started)
        result.accepted.append(person_id)
    except Exception:  # a phone that got no confirmation: counted, not retried
        result.failed += 1
    finally:
        await context.close()


async def drive(base_url: str, path: str, seconds: float, workers: int, result: LoadResult) -> None:
    from playwright.async_api import async_playwright

    deadline = time.monotonic() + seconds
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

        async def worker(index: int) -> None:
            sequence = 0
            while time.monotonic() < deadline:
                sequence += 1
                await phone(browser, base_url, path, f"LOAD{index:02d}{sequence:05d}", result)

        await asyncio.gather(*(worker(i) for i in range(workers)))
        await browser.close()


def verify(data_dir: Path, result: LoadResult) -> None:
    con = db.connect(data_dir / "pantau.duckdb")
    stored = dict(
        con.execute(
            "SELECT person_id, count(*) FROM events WHERE action = 'checkin' AND starts_with(person_id, 'LOAD') GROUP BY ALL"
        ).fetchall()
    )
    visits = dict(
        con.execute("SELECT person_id, count(*) FROM visits WHERE starts_with(person_id, 'LOAD') GROUP BY ALL").fetchall()
    )
    con.close()
    for person_id in result.accepted:
        if stored.get(person_id, 0) == 0:
            result.missing.append(person_id)
        elif stored[person_id] > 1 or visits.get(person_id, 0) != 1:
            result.doubled.append(person_id)
        else:
            result.stored_once += 1
    result.unexpected = len(set(stored) - set(result.accepted))


def run(seconds: float, workers: int, data_dir: Path) -> LoadResult:
    with server_secrets(data_dir):  # the phones' cookies are signed with the server's key
        path = prepare(data_dir)
        server = StreamlitServer(data_dir, env={"PANTAU_DEMO": "0"})
        result = LoadResult(seconds=seconds, workers=workers)
        try:
            # Its own thread: the caller may already run an event loop (sync Playwright in pytest).
            thread = threading.Thread(target=lambda: asyncio.run(drive(server.url, path, seconds, workers, result)))
            thread.start()
            thread.join()
        finally:
            server.stop()
    verify(data_dir, result)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pantau-load-") as folder:
        result = run(args.seconds, args.workers, Path(folder))
    print(result.table())
    if result.unexpected:
        print(f"{result.unexpected} stored check-ins that no phone saw confirmed (taps that timed out client-side)")
    return 0 if not result.missing and not result.doubled else 1


if __name__ == "__main__":
    sys.exit(main())
