"""A real `streamlit run` server and a real Chromium (Debian's) driven by Playwright.

CONTRIBUTING "Stack notes": never `playwright install`; the browser is /usr/bin/chromium.

Waiting for the app (what made these tests flaky on a loaded 2-core machine):

- Streamlit draws its running indicator (`stStatusWidget`) only after a run has lasted
  500 ms, and a click reaches the server (and the page learns that a run started) only
  some time later. "Wait 300 ms, then wait for the indicator to go" therefore often
  returned while the run a click had caused had not even started, and the next step
  filled or clicked a page that was about to be redrawn. Streamlit also folds a request
  that arrives during a run into one new run: five quick wrong passwords were checked
  fewer than five times, and the account was not locked.
- Every page gets a small script (``RUN_TRACKER``) that watches the app's websocket: the
  run requests the browser sends (``BackMsg.rerun_script``), the runs the server starts
  (``ForwardMsg.new_session``) and finishes (``ForwardMsg.script_finished``).
  ``wait_for_app`` waits until the last request has been answered by a run that began
  after it and finished, the app says it is connected and not running
  (``data-test-script-state``, what Streamlit's own browser tests use), no loading
  skeleton is left, and all of that held for a short quiet period (components such as
  the cookie manager ask for a run of their own right after a run).
- ``click_and_wait`` clicks, checks that the click really asked the server for a run (a
  click that lands while Streamlit replaces the element is lost) and clicks again only
  then, so a toggle or an "add" is never done twice; then it waits for the run.
- ``expect(...)`` waits as long as any other step (its own default is 5 s).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from tests.support.demo_store import copy_demo_store

ROOT = Path(__file__).resolve().parents[2]
# The browser tests take a screenshot of every page they check. They land in the README's
# folder only when asked (`PANTAU_SCREENSHOTS=1 ./pantau.sh test`), so a test run leaves
# the working tree as it was; otherwise in a temporary folder of the run.
SHOTS = (
    ROOT / "docs" / "screenshots"
    if os.environ.get("PANTAU_SCREENSHOTS") == "1"
    else Path(tempfile.mkdtemp(prefix="pantau-screenshots-"))
)
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
STEP_TIMEOUT_MS = 60_000  # one step on a loaded 2-core CI machine (the most a step may wait)
QUIET_MS = 500  # the app must stay idle this long to count as done
expect.set_options(timeout=STEP_TIMEOUT_MS)  # expect(...) waits 5 s unless told otherwise
AUTH_COOKIE = "pantau_auth"  # lib.ui.auth.COOKIE_NAME (the test does not import Streamlit code)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class StreamlitServer:
    """One server process on its own port, data folder and database file, started as
    ``./pantau.sh run`` starts it (``streamlit run serve.py``: the dashboard and the light
    check-in page in one process)."""

    def __init__(self, data_dir: Path, env: dict[str, str] | None = None, script: str = "serve.py") -> None:
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
        self.log = open(data_dir / "server.log", "a")  # noqa: SIM115 - a restart on the same folder keeps the earlier log
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "streamlit", "run", script,
                "--server.headless", "true", "--server.port", str(self.port),
                "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
            ],
            cwd=ROOT,
            env=environment,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        try:
            self._wait_healthy()
        except BaseException:  # never leave a server behind that no test will stop
            self.kill()
            raise

    def _wait_healthy(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("streamlit exited: " + (self.data_dir / "server.log").read_text())
            try:
                with urllib.request.urlopen(self.url + "/_stcore/health", timeout=2) as response:
                    if response.read().strip() == b"ok":
                        return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError("streamlit did not become healthy")

    def kill(self) -> None:
        """``kill -9``: no shutdown of any kind (what a crash or a power cut leaves)."""
        self.process.kill()
        self.process.wait(timeout=15)
        self.log.close()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


# --- knowing when the app is done ------------------------------------------------------

# Runs in every page before the app's own scripts. Top-level protobuf field numbers:
# BackMsg.rerun_script = 11; ForwardMsg.new_session = 4, ForwardMsg.script_finished = 6
# (streamlit/proto/BackMsg.proto, ForwardMsg.proto).
RUN_TRACKER = r"""
(() => {
  if (window.__pantauRuns) return;
  const runs = window.__pantauRuns = {
    seq: 0, socket: 0, open: false, requested: 0, started: 0, finished: 0, sent: 0,
  };
  const asBytes = (data) => data instanceof ArrayBuffer ? new Uint8Array(data)
    : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : null;
  const topFields = (buf) => {
    const found = new Set();
    let i = 0;
    const varint = () => {
      let value = 0, scale = 1, byte;
      do { byte = buf[i++]; value += (byte & 0x7f) * scale; scale *= 128; } while (byte & 0x80 && i < buf.length);
      return value;
    };
    while (i < buf.length) {
      const tag = varint(), type = tag % 8;
      found.add(Math.floor(tag / 8));
      if (type === 0) varint();
      else if (type === 1) i += 8;
      else if (type === 2) { const length = varint(); i += length; }
      else if (type === 5) i += 4;
      else break;
    }
    return found;
  };
  const Native = window.WebSocket;
  class TrackedWebSocket extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      if (!String(url).includes("/_stcore/stream")) return;
      const id = ++runs.socket;
      Object.assign(runs, {open: false, requested: 0, started: 0, finished: 0});
      const current = () => runs.socket === id;
      this.addEventListener("open", () => { if (current()) runs.open = true; });
      this.addEventListener("close", () => { if (current()) runs.open = false; });
      this.addEventListener("message", (event) => {
        const buf = asBytes(event.data);
        if (!buf || !current()) return;
        const fields = topFields(buf);
        if (fields.has(4)) runs.started = ++runs.seq;
        if (fields.has(6)) runs.finished = ++runs.seq;
      });
      const send = this.send.bind(this);
      this.send = (data) => {
        const buf = asBytes(data);
        if (buf && current() && topFields(buf).has(11)) { runs.requested = ++runs.seq; runs.sent += 1; }
        return send(data);
      };
    }
  }
  window.WebSocket = TrackedWebSocket;
})();
"""

APP_IDLE = """
(quietMs) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const runs = window.__pantauRuns;
  const state = window.__pantauIdle = window.__pantauIdle || {key: "", since: 0};
  let idle = !!app
    && app.getAttribute("data-test-connection-state") === "CONNECTED"
    && app.getAttribute("data-test-script-state") === "notRunning"
    && !document.querySelector('[data-testid="stSkeleton"], [data-testid="stAppSkeleton"]');
  if (runs) {
    // No request waits for its run (a run that began after it) and no run is open.
    idle = idle && runs.open && runs.started >= runs.requested && runs.finished >= runs.started;
  }
  if (!idle) { state.since = 0; return false; }
  const key = runs ? runs.socket + ":" + runs.seq : "dom";
  const now = performance.now();
  if (state.key !== key || !state.since) { state.key = key; state.since = now; }
  return now - state.since >= quietMs;
}
"""


def new_context(browser: Any, **options: Any) -> Any:
    """A browser context whose pages report their Streamlit runs (``RUN_TRACKER``)."""
    context = browser.new_context(**options)
    context.add_init_script(RUN_TRACKER)
    context.set_default_timeout(STEP_TIMEOUT_MS)
    return context


def wait_for_app(page: Any, timeout: int = STEP_TIMEOUT_MS) -> None:
    """The app is connected, every run the page asked for has finished, and it stays so."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    page.wait_for_function(APP_IDLE, arg=QUIET_MS, polling=100, timeout=timeout)


def runs_requested(page: Any) -> int | None:
    """How many runs this page has asked the server for (None without the tracker)."""
    return page.evaluate("() => window.__pantauRuns ? window.__pantauRuns.sent : null")  # type: ignore[no-any-return]


def rerun_by(page: Any, action: Callable[[], None], what: str = "the action", attempts: int = 3) -> None:
    """Do ``action`` (a click, an Enter, a blur) that must make the app run, then wait for
    that run. When no run request left the page (the action landed while Streamlit
    replaced the element), wait for the app and do it again, at most ``attempts`` times."""
    for _ in range(attempts):
        wait_for_app(page)
        before = runs_requested(page)
        action()
        if before is None:  # a page without the tracker: the DOM state is all there is
            page.wait_for_timeout(QUIET_MS)
            wait_for_app(page)
            return
        try:
            page.wait_for_function(
                "n => window.__pantauRuns && window.__pantauRuns.sent > n", arg=before, polling=50, timeout=5_000
            )
        except PlaywrightTimeoutError:  # the action was lost
            continue
        wait_for_app(page)
        return
    raise AssertionError(f"{what} never made the app run ({attempts} tries)")


def click_and_wait(target: Any, attempts: int = 3) -> None:
    """Click a button or link that makes the app run, and wait until that run is done."""
    rerun_by(target.page, target.click, what=f"clicking {target}", attempts=attempts)


def wait_until(check: Callable[[], bool], message: str, timeout: float = STEP_TIMEOUT_MS / 1000) -> None:
    """Poll a condition outside the page (a cookie, a file) for at most ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(message)
        time.sleep(0.2)


def open_menu(page: Any, title: str) -> None:
    """Open a page from the sidebar menu; its heading shows once its run is done."""
    click_and_wait(page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True))
    page.get_by_role("heading", name=title).first.wait_for()


def open_expander(page: Any, label: str) -> None:
    """Open the st.expander titled ``label`` (a click on its summary; no run). Click again
    only while it is still closed (its content ``inert``), at most three times."""
    expander = page.locator('[data-testid="stExpander"]').filter(has=page.locator("summary", has_text=label))
    content = expander.locator('[data-testid="stExpanderDetails"]').first
    for _ in range(3):
        wait_for_app(page)
        if content.get_attribute("inert") is None:
            break
        expander.locator("summary").first.click()
        try:
            expect(content).not_to_have_attribute("inert", "", timeout=5_000)
        except AssertionError:
            continue
        break
    else:
        raise AssertionError(f"the expander {label!r} never opened")
    expect(content).to_be_visible()


def pick_option(page: Any, box: Any, option: Any, runs: bool = False) -> str:
    """Pick ``option`` (its exact name, or a locator of it) in the select box whose input is
    ``box``, and return the option's text; ``runs``: outside a form, so wait for the run.

    A click may only focus the box: the arrow key opens its list. This box's own option is
    waited for, not any list: on a loaded machine the list of the box picked just before
    can still be open, a click can land while the page re-draws, or the list can close
    between its option showing and being clicked. Then Escape and try again (at most four
    times)."""
    wanted = page.get_by_role("option", name=option, exact=True) if isinstance(option, str) else option
    for _ in range(4):
        wait_for_app(page)
        box.click()
        try:
            wanted.wait_for(timeout=3_000)
        except PlaywrightTimeoutError:
            box.press("ArrowDown")
            try:
                wanted.wait_for(timeout=2_000)
            except PlaywrightTimeoutError:
                page.keyboard.press("Escape")
                continue
        try:
            text = str(wanted.inner_text(timeout=3_000))
            before = runs_requested(page)
            wanted.click(timeout=3_000)
        except PlaywrightTimeoutError:  # the list closed (a re-draw) after its option showed
            page.keyboard.press("Escape")
            continue
        if not runs:
            return text
        try:
            page.wait_for_function("n => window.__pantauRuns.sent > n", arg=before, timeout=10_000)
        except PlaywrightTimeoutError:  # the click landed on a list being re-drawn: nothing was picked
            page.keyboard.press("Escape")
            continue
        wait_for_app(page)
        return text
    raise AssertionError(f"the option {option!r} was never picked")


def choose_option(page: Any, container: str, option: str) -> None:
    """Pick one option of the multiselect inside ``container`` (inside a form: no run) and
    check that it was taken.

    Streamlit's multiselect is a react-aria combo box: a click on its input may only focus
    it, so the list is opened with its own button. When the list or the choice does not
    show, try again (at most four times), never clicking a chosen option a second time."""
    box = page.locator(container)
    chosen = box.locator('[data-testid="stMultiSelectTagsContainer"]')
    listbox = page.get_by_role("listbox")
    for _ in range(4):
        wait_for_app(page)
        if option in chosen.inner_text():
            break
        if listbox.count() == 0:
            # "Buka" in Indonesian (lib/ui/widget_texts.py translates Streamlit's "Open").
            box.get_by_role("button", name=re.compile(r"^(Buka|Open)$")).click()
        try:
            page.get_by_role("option", name=option).click(timeout=10_000)
            expect(chosen).to_contain_text(option, timeout=10_000)
        except (AssertionError, PlaywrightTimeoutError):  # the list did not open, or the click was lost
            continue
        break
    else:
        raise AssertionError(f"the option {option!r} was never chosen")
    if listbox.count():
        page.keyboard.press("Escape")  # close the list; the choice stays
    expect(listbox).to_have_count(0)
    expect(chosen).to_contain_text(option)


# --- fixtures ---------------------------------------------------------------------------


def start_demo_server(data_dir: Path) -> StreamlitServer:
    """A server on a database in ``data_dir`` holding what `python -m lib.cli demo` loads
    (demo mode, demo accounts)."""
    copy_demo_store(data_dir / "pantau.duckdb")
    return StreamlitServer(data_dir, env={"PANTAU_DEMO": "1"})


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StreamlitServer]:
    """The demo server the browser tests share (a test that changes its data starts its own)."""
    server = start_demo_server(tmp_path_factory.mktemp("demo_server"))
    yield server
    server.stop()


def fill_form(fields: list[tuple[Any, str]]) -> None:
    """Fill text boxes, then check each still holds its value (a rerun while typing can wipe one)."""
    for box, value in fields:
        box.fill(value)
    for box, value in fields:
        expect(box).to_have_value(value)


def fill_login_form(page: Any, username: str, password: str) -> None:
    """Type into the real login form (Indonesian labels) and submit it; wait for its run."""
    wait_for_app(page)
    fill_form([(page.get_by_role("textbox", name="Nama pengguna"), username),
               (page.get_by_role("textbox", name="Kata sandi"), password)])
    click_and_wait(page.get_by_role("button", name="Masuk", exact=True))


def finish_login(page: Any) -> None:
    """After a successful login: the login form is gone, and the app has written its login
    cookie (one run after the login; a reload before that would show the form again)."""
    page.wait_for_selector('input[aria-label="Kata sandi"]', state="detached")
    wait_until(
        lambda: any(c["name"] == AUTH_COOKIE for c in page.context.cookies()),
        "the login cookie was never written",
    )
    wait_for_app(page)


def make_login(page: object, server: StreamlitServer) -> Callable[[str, str], None]:
    """Log in through the real login form (Indonesian labels: the default language)."""

    def login(username: str, password: str) -> None:
        page.goto(server.url)  # type: ignore[attr-defined]
        fill_login_form(page, username, password)
        finish_login(page)

    return login
