"""A real `streamlit run` server and a real Chromium (Debian's) driven by Playwright.

STACK_NOTES "Browser tests": never `playwright install`; the browser is /usr/bin/chromium.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class StreamlitServer:
    """One server process on its own port, data folder and database file."""

    def __init__(self, data_dir: Path, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.data_dir = data_dir
        self.db_path = data_dir / "pantau.duckdb"
        environment = dict(os.environ)
        environment.update(
            {
                "PANTAU_DB": str(self.db_path),
                "PANTAU_DATA_DIR": str(data_dir),
                "PANTAU_SECRETS_FILE": str(data_dir / "secrets.json"),
                "PANTAU_LOGIN_SLEEP": "0",
            }
        )
        environment.update(env or {})
        self.log = open(data_dir / "server.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "streamlit", "run", "dashboard.py",
                "--server.headless", "true", "--server.port", str(self.port),
                "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
            ],
            cwd=ROOT,
            env=environment,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self._wait_healthy()

    def _wait_healthy(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("streamlit exited: " + (self.data_dir / "server.log").read_text())
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2) as response:
                    if response.read().strip() == b"ok":
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("streamlit did not become healthy")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is required for browser tests (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)  # type: ignore[attr-defined]
    tab = context.new_page()
    tab.set_default_timeout(60_000)  # a loaded 2-core CI machine renders slowly
    yield tab
    context.close()


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StreamlitServer]:
    """A server on a database filled with `python -m lib.cli demo` (demo mode, demo accounts)."""
    data_dir = tmp_path_factory.mktemp("demo_server")
    subprocess.run(
        [sys.executable, "-m", "lib.cli", "--db", str(data_dir / "pantau.duckdb"), "demo"],
        cwd=ROOT, check=True, capture_output=True,
    )
    server = StreamlitServer(data_dir, env={"PANTAU_DEMO": "1"})
    yield server
    server.stop()


def wait_for_app(page: object) -> None:
    """The app rendered and finished running (STACK_NOTES recipe)."""
    page.wait_for_selector('[data-testid="stApp"]')  # type: ignore[attr-defined]
    page.wait_for_timeout(300)  # type: ignore[attr-defined]
    page.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=60_000)  # type: ignore[attr-defined]


def make_login(page: object, server: StreamlitServer) -> Callable[[str, str], None]:
    """Log in through the real login form (Indonesian labels: the default language)."""

    def login(username: str, password: str) -> None:
        page.goto(server.url)  # type: ignore[attr-defined]
        wait_for_app(page)
        page.get_by_role("textbox", name="Nama pengguna").fill(username)  # type: ignore[attr-defined]
        page.get_by_role("textbox", name="Kata sandi").fill(password)  # type: ignore[attr-defined]
        page.get_by_role("button", name="Masuk", exact=True).click()  # type: ignore[attr-defined]
        page.wait_for_selector('input[aria-label="Kata sandi"]', state="detached")  # type: ignore[attr-defined]
        wait_for_app(page)

    return login
