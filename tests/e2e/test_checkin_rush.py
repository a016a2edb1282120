"""The morning rush against a real server (``streamlit run serve.py``, as ``./pantau.sh run``).

The address comes from a printed poster (PDF -> PNG -> zbarimg), the phones post the form
over HTTP a few hundred at once, and ``python -m lib.cli visits`` (handed to the running
server, as an administrator would run it) must list every confirmed tap exactly once,
also after a ``kill -9`` in the middle of a burst. A real Chromium with JavaScript off
shows that the light page works without it.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from lib.ingest.demo import configure_buildings
from lib.outputs import checkin, posters
from lib.store import db, places
from lib.web import phone as phone_side
from tests.e2e import conftest as e2e
from tests.e2e.support import decode_poster

pytestmark = pytest.mark.browser

KEY = "rush-test-signing-key"
ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")
OUTCOME = re.compile(r'data-outcome="([a-z_]+)"')


def make_store(data_dir: Path, port: int, tmp_path: Path) -> dict[str, str]:
    """The demo buildings, the public address of this server, and the decoded posters'
    addresses (path and query) of the mayor's office main gate."""
    con = db.connect(data_dir / "pantau.duckdb")
    configure_buildings(con)
    db.set_setting(con, "demo_mode", "1")
    places.set_public_base_url(con, f"http://127.0.0.1:{port}", "test")
    addresses = {}
    for action in ("checkin", "checkout"):
        address = decode_poster(posters.poster_pdf(con, "kantor-walikota", "utama", action), tmp_path / action)
        assert address == checkin.checkin_url(con, "kantor-walikota", "utama", action)
        addresses[action] = address[address.index("/checkin") :]
    con.close()
    return addresses


def start_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str] | None = None) -> tuple[e2e.StreamlitServer, dict[str, str]]:
    monkeypatch.setenv("PANTAU_QR_SIGNING_KEY", KEY)
    data_dir = tmp_path / "server"
    data_dir.mkdir(exist_ok=True)
    port = e2e.free_port()
    addresses = make_store(data_dir, port, tmp_path)
    monkeypatch.setattr(e2e, "free_port", lambda: port)  # the address printed on the poster
    server = e2e.StreamlitServer(data_dir, env={"PANTAU_QR_SIGNING_KEY": KEY, "PANTAU_DEMO": "0", **(env or {})})
    return server, addresses


def in_a_thread(work: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` in a thread of its own: the session's sync Playwright keeps an event
    loop running in this one, where ``asyncio.run`` is refused."""
    box: list[T] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            box.append(asyncio.run(work))
        except BaseException as error:  # handed back to the test
            errors.append(error)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return box[0]


def visits_now(server: e2e.StreamlitServer) -> list[dict[str, str]]:
    """``python -m lib.cli visits`` while the server runs (it owns the file and answers)."""
    done = subprocess.run(
        [sys.executable, "-m", "lib.cli", "--db", str(server.db_path), "visits", "--building", "kantor-walikota"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return list(csv.DictReader(io.StringIO(done.stdout)))


async def post_all(base: str, jobs: list[tuple[str, dict[str, str]]], connections: int = 40) -> list[str]:
    """Post every (path, form) at once over ``connections`` connections; the outcome of each."""
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:

        async def one(path: str, form: dict[str, str]) -> str:
            try:
                response = await client.post(path, data=form)
            except httpx.HTTPError as error:
                return f"error:{type(error).__name__}"
            found = OUTCOME.search(response.text)
            return found.group(1) if response.status_code == 200 and found else f"http_{response.status_code}"

        return list(await asyncio.gather(*(one(path, form) for path, form in jobs)))


@pytest.fixture
def rush_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[e2e.StreamlitServer, dict[str, str]]]:
    server, addresses = start_server(tmp_path, monkeypatch, {"PANTAU_CHECKIN_RATE_LIMIT": "0"})
    yield server, addresses
    server.stop()


def test_a_few_hundred_phones_at_once_are_each_stored_exactly_once(rush_server) -> None:  # type: ignore[no-untyped-def]
    server, addresses = rush_server
    people = [f"0812{i:06d}" for i in range(300)]
    # Everyone checks in at once; a tenth tap twice in the same instant (a double tap).
    def first_form(p: str) -> dict[str, str]:
        return {"person_id": p, "name": f"Tamu {p}", "category": "visitor", "phone": p}

    jobs = [(addresses["checkin"], first_form(p)) for p in people]
    jobs += [(addresses["checkin"], first_form(p)) for p in people[::10]]
    answers = in_a_thread(post_all(server.url, jobs))
    first = answers[: len(people)]
    assert Counter(first)["checked_in"] + Counter(answers[len(people) :])["checked_in"] == len(people), Counter(answers)
    assert set(answers) <= {"checked_in", "duplicate"}, Counter(answers)

    # Two thirds check out at once, with their id and name (an id alone is asked for the
    # name: RULES "Self check-in").
    leaving = people[: 200]
    out = in_a_thread(post_all(server.url, [(addresses["checkout"], {"person_id": p, "name": f"Tamu {p}"}) for p in leaving]))
    assert Counter(out) == {"checked_out": len(leaving)}, Counter(out)

    visits = visits_now(server)
    ours = [v for v in visits if v["person_id"] in set(people)]
    assert Counter(v["person_id"] for v in ours) == Counter(people)  # one visit each, none twice
    closed = {v["person_id"] for v in ours if v["checkout_kind"] == "scan"}
    assert closed == set(leaving)
    assert all(v["checkout_at"] == "" for v in ours if v["person_id"] not in closed)  # still inside

    # The page counts them: 100 still inside (the demo buildings start empty here).
    page = httpx.get(server.url + addresses["checkin"], timeout=30)
    assert "100 orang di dalam" in page.text


def test_kill_9_in_the_middle_of_a_burst_loses_and_doubles_nothing(rush_server) -> None:  # type: ignore[no-untyped-def]
    server, addresses = rush_server
    people = [f"0813{i:06d}" for i in range(400)]
    journal = server.db_path.with_name(server.db_path.name + ".checkins.jsonl")
    answers: list[str] = []

    async def burst_then_kill() -> None:
        jobs = [(addresses["checkin"], {"person_id": p, "name": "Tamu", "category": "visitor"}) for p in people]
        task = asyncio.create_task(post_all(server.url, jobs, connections=32))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # about a third answered: kill
            await asyncio.sleep(0.01)
            if journal.exists() and journal.read_bytes().count(b'"seq"') >= len(people) // 3:
                break
        server.kill()
        answers.extend(await task)

    in_a_thread(burst_then_kill())
    confirmed = [p for p, a in zip(people, answers, strict=True) if a == "checked_in"]
    assert 0 < len(confirmed) < len(people), Counter(answers)
    lines = [json.loads(line) for line in journal.read_text().splitlines() if line.endswith("}")]
    done = max([line["done"] for line in lines if "done" in line] or [0])

    restarted = e2e.StreamlitServer(server.data_dir, env={"PANTAU_QR_SIGNING_KEY": KEY, "PANTAU_DEMO": "0"})
    try:
        stored = Counter(v["person_id"] for v in visits_now(restarted))
    finally:
        restarted.stop()
    assert all(stored[p] == 1 for p in confirmed), [p for p in confirmed if stored[p] != 1][:5]
    assert all(stored[p] <= 1 for p in people)
    print(f"confirmed {len(confirmed)}, journal lines not yet stored at the kill: "
          f"{sum(1 for line in lines if line.get('seq', 0) > done)}")


def test_rate_limit_per_address_over_http(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server, addresses = start_server(tmp_path, monkeypatch, {"PANTAU_CHECKIN_RATE_LIMIT": "5"})
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            statuses = [
                client.post(addresses["checkin"], data={"person_id": f"0814{i}", "name": "Tamu"}).status_code
                for i in range(6)
            ]
            assert statuses == [200] * 5 + [429]
            refused = client.post(addresses["checkin"], data={"person_id": "08149", "name": "Tamu"})
            assert "Terlalu banyak pindaian" in refused.text
            forged = client.post(addresses["checkin"].replace("a=checkin", "a=checkout"), data={"person_id": "1", "name": "x"})
            assert forged.status_code == 403
        stored = Counter(v["person_id"] for v in visits_now(server))
        assert sum(stored[f"0814{i}"] for i in range(6)) == 5 and stored["08149"] == 0
    finally:
        server.stop()


def test_the_light_page_works_without_javascript(rush_server, browser: object) -> None:  # type: ignore[no-untyped-def]
    server, addresses = rush_server
    context = browser.new_context(  # type: ignore[attr-defined]
        java_script_enabled=False, viewport={"width": 412, "height": 915}, is_mobile=True, has_touch=True
    )
    try:
        phone = context.new_page()
        response = phone.goto(server.url + addresses["checkin"])
        assert response.status == 200
        sizes = len(response.body())
        assert sizes < 50_000
        assert phone.locator('[data-testid="stSidebar"], [data-testid="stApp"]').count() == 0  # no Streamlit, no sidebar
        nik = phone.get_by_role("textbox", name="NIP / NIK")
        assert nik.get_attribute("inputmode") == "numeric"
        assert phone.get_by_role("textbox", name="Nomor HP").get_attribute("inputmode") == "numeric"
        # An empty form: the page (not the browser, in the phone's language) says what is missing.
        phone.get_by_role("button", name="MASUK sekarang").click()
        phone.get_by_role("alert").filter(has_text="Isi nama Anda, dan NIP/NIK atau nomor HP.").wait_for()
        phone.get_by_role("textbox", name="Nama lengkap").fill("Siti Rahmawati")
        nik.fill("7172014506900001")
        phone.get_by_role("button", name="MASUK sekarang").click()
        heading = phone.get_by_role("heading", name=re.compile("Tercatat MASUK pukul"))
        heading.wait_for()
        # The confirmation is the biggest text on the screen.
        sizes_px = phone.evaluate(
            "() => [...document.querySelectorAll('main *')].map(e => parseFloat(getComputedStyle(e).fontSize))"
        )
        assert float(heading.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) == max(sizes_px)
        assert any(c["name"] == phone_side.COOKIE_NAME for c in context.cookies())
        # Back at the door: the phone is known and inside, one tap checks out.
        phone.goto(server.url + addresses["checkout"])
        phone.get_by_text("Halo, Siti Rahmawati").wait_for()
        phone.get_by_text(re.compile(r"Anda sudah di dalam sejak \d\d:\d\d WITA")).wait_for()
        phone.get_by_role("button", name="KELUAR sekarang").click()
        phone.get_by_role("heading", name=re.compile("Tercatat KELUAR pukul .* Lama kunjungan: 0 menit")).wait_for()
        # English is one link away, and the phone keeps it for the next poster (a cookie, no script).
        phone.get_by_role("link", name="English").click()
        phone.get_by_role("button", name="CHECK OUT now").wait_for()
        phone.goto(server.url + addresses["checkin"])
        phone.get_by_role("button", name="CHECK IN now").wait_for()
    finally:
        context.close()
    stored = [v for v in visits_now(server) if v["person_id"] == "7172014506900001"]
    assert len(stored) == 1 and stored[0]["checkout_kind"] == "scan"
