"""Going live without leaks: Streamlit's server figures stay on the server, and the files an
office copies to its server (deploy/) keep the app on loopback behind nginx.

Live: a real server (no nginx) refuses ``/_stcore/metrics`` to a request that came through
a proxy or from another machine (``lib/web/guards.py``), and still answers a monitor on
the server itself. Static: deploy/nginx/pantau.conf and deploy/systemd/pantau.service read
as text, so a careless edit of either fails here in a second (tests/e2e/test_going_live.py
runs the same nginx file for real).
"""

from __future__ import annotations

import re
import tomllib
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lib.core import config
from lib.web.guards import MetricsGuard
from tests.e2e.conftest import ROOT, StreamlitServer
from tests.hardening.conftest import start_server

SITE = ROOT / "deploy" / "nginx" / "pantau.conf"
UNIT = ROOT / "deploy" / "systemd" / "pantau.service"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StreamlitServer]:
    live = start_server(tmp_path_factory.mktemp("proxy"))
    yield live
    live.stop()


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


# --- live -----------------------------------------------------------------------------------


def test_metrics_answer_a_monitor_on_the_server(server: StreamlitServer) -> None:
    status, body = get(server.url + "/_stcore/metrics")
    assert status == 200 and "session" in body  # the figures exist: the refusals below mean something


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/_stcore/metrics", {"X-Forwarded-For": "203.0.113.7"}),  # through nginx, or a proxy like it
        ("/_stcore/metrics", {"X-Real-IP": "203.0.113.7"}),
        ("/_stcore/metrics", {"Forwarded": "for=203.0.113.7"}),
        ("/_stcore/%6Detrics", {"X-Forwarded-For": "203.0.113.7"}),  # an encoded letter
        ("/_stcore/metrics?families=session_events_total", {"X-Forwarded-For": "127.0.0.1"}),
    ],
)
def test_metrics_refused_through_a_proxy(server: StreamlitServer, path: str, headers: dict[str, str]) -> None:
    status, body = get(server.url + path, headers)
    assert status == 404 and "session" not in body


def run_once(coroutine: Any) -> None:
    """Run a coroutine that never waits (the fakes below answer at once) without an event
    loop: Playwright's sync API may already hold this thread's loop in the same session."""
    try:
        coroutine.send(None)
    except StopIteration:
        return
    raise AssertionError("the guard waited for something")


def test_metrics_refused_to_another_machine() -> None:
    """A request whose socket is not loopback (Streamlit reached on its port from the LAN)."""
    sent: list[dict[str, Any]] = []
    reached: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        reached.append(scope["path"])

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    guard = MetricsGuard(app)
    for client in (("192.0.2.10", 50000), ("10.1.2.3", 50000), ("fd00::9", 50000), None):
        scope = {"type": "http", "path": "/_stcore/metrics", "client": client, "headers": []}
        run_once(guard(scope, receive, send))
    assert reached == [] and [m["status"] for m in sent if m["type"] == "http.response.start"] == [404] * 4
    # Everything else passes, and so does a monitor on loopback.
    for path, client in (("/_stcore/health", ("192.0.2.10", 1)), ("/_stcore/metrics", ("::1", 1))):
        run_once(guard({"type": "http", "path": path, "client": client, "headers": []}, receive, send))
    assert reached == ["/_stcore/health", "/_stcore/metrics"]


# --- the files an office copies: deploy/ ------------------------------------------------------


def blocks(text: str, opener: str) -> list[str]:
    """The bodies of every ``opener { ... }`` block (nested braces counted)."""
    found = []
    for match in re.finditer(re.escape(opener) + r"\s*\{", text):
        depth, start = 1, match.end()
        index = start
        while depth:
            depth += {"{": 1, "}": -1}.get(text[index], 0)
            index += 1
        found.append(text[start : index - 1])
    return found


def directives(text: str) -> list[str]:
    return [line.split("#")[0].strip() for line in text.splitlines() if line.split("#")[0].strip()]


def test_nginx_refuses_metrics_and_overwrites_forwarded_for() -> None:
    site = SITE.read_text()
    assert [body.strip() for body in blocks(site, "location = /_stcore/metrics")] == ["return 404;"]
    lines = directives(site)
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in lines
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in lines
    assert not any("$proxy_add_x_forwarded_for" in line for line in lines)  # never append a phone's claim
    # A proxy_set_header inside a location would silently drop every server-level one there
    # (nginx inherits them only into a level that sets none).
    for opener in ("location = /_stcore/stream", "location /"):
        assert blocks(site, opener), opener
        for body in blocks(site, opener):
            assert "proxy_set_header" not in body, opener


def test_nginx_carries_the_websocket() -> None:
    site = SITE.read_text()
    lines = directives(site)
    assert "proxy_set_header Upgrade $http_upgrade;" in lines
    assert "proxy_http_version 1.1;" in lines
    [stream] = blocks(site, "location = /_stcore/stream")
    assert "proxy_read_timeout 1d;" in directives(stream) and "proxy_buffering off;" in directives(stream)


def test_nginx_takes_the_largest_import() -> None:
    """nginx's default (1 MB) would cut an import the Import page accepts."""
    [size] = re.findall(r"^\s*client_max_body_size (\d+)m;", SITE.read_text(), re.MULTILINE)
    defaults = {variable.name: variable.default for variable in config.VARIABLES}
    streamlit = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())["server"]["maxUploadSize"]
    assert int(size) == int(defaults["PANTAU_MAX_UPLOAD_MB"]) == streamlit


def test_http_only_redirects() -> None:
    site = SITE.read_text()
    plain = [body for body in blocks(site, "server") if "listen 80;" in body]
    assert len(plain) == 1
    assert "proxy_pass" not in plain[0]  # nothing of the app over plain HTTP
    assert "return 301 https://$host$request_uri;" in directives(plain[0])


def test_service_listens_on_loopback_behind_nginx(monkeypatch: pytest.MonkeyPatch) -> None:
    unit = UNIT.read_text()
    settings = [line for line in directives(unit) if "=" in line]
    [start] = [line for line in settings if line.startswith("ExecStart=")]
    assert "--server.address 127.0.0.1" in start and "--server.port 8501" in start
    assert "server 127.0.0.1:8501;" in directives(SITE.read_text())  # nginx's upstream is that port
    for expected in (
        "User=pantau",
        "WorkingDirectory=/opt/pantau",
        "StateDirectory=pantau",
        "StateDirectoryMode=0700",
        "UMask=0077",
        "Environment=PANTAU_TRUSTED_PROXIES=127.0.0.1",
        "Environment=PANTAU_DEMO=0",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "ReadWritePaths=/var/lib/pantau",
        "ProtectHome=yes",
        "PrivateTmp=yes",
        "Restart=on-failure",
    ):
        assert expected in settings, expected
    # Every file the server writes is in the state folder, the one place it may write.
    for variable in ("PANTAU_DB", "PANTAU_DATA_DIR", "PANTAU_SECRETS_FILE"):
        [line] = [s for s in settings if s.startswith(f"Environment={variable}=")]
        assert Path(line.split("=", 2)[2]).is_relative_to("/var/lib/pantau"), line
    # The unit's proxy setting is one the app reads as nginx's address, and only that.
    [proxies] = [s for s in settings if s.startswith("Environment=PANTAU_TRUSTED_PROXIES=")]
    monkeypatch.setenv("PANTAU_TRUSTED_PROXIES", proxies.split("=", 2)[2])
    assert [str(network) for network in config.trusted_proxies()] == ["127.0.0.1/32"]


def test_readme_goes_live_with_these_files() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Going live", 1)[1].split("\n## ", 1)[0]
    for named in (
        "deploy/nginx/pantau.conf",
        "deploy/systemd/pantau.service",
        "PANTAU_TRUSTED_PROXIES",
        "certbot",
    ):
        assert named in section, named
    assert readme.index("## Two commands") < readme.index("## Going live")
