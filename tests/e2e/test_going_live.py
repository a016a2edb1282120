"""Going live (README "Going live"): the repo's own nginx site, deploy/nginx/pantau.conf, in
front of a real server, over HTTPS, in Chromium.

The site file is the one an office copies to /etc/nginx/sites-available; the test only
moves it onto free ports on this machine and a self-signed certificate made here with
``openssl req -x509`` (``render_site``), and runs Debian's real ``/usr/sbin/nginx`` as the
current user with its logs, pid and temporary files in a temporary folder. Behind it runs
the server as the systemd unit runs it (``PANTAU_TRUSTED_PROXIES=127.0.0.1``, Streamlit on
127.0.0.1 only).

A phone opens a signed poster address through https and checks in; the admin logs in
through https (the dashboard's websocket works through the proxy), gets a Secure login
cookie and uploads a 3 MB export (over nginx's default limit); http:// is sent to
https://; /_stcore/metrics is not public; the check-in page's rate limit counts the
phone's own address, which nginx passes on, and not an address the phone made up.
"""

from __future__ import annotations

import http.client
import os
import pwd
import re
import shutil
import socket
import ssl
import subprocess
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from lib.outputs import checkin
from lib.store import db, places
from lib.web import phone as phone_side
from tests.e2e import conftest as e2e
from tests.support.demo_store import copy_demo_store

pytestmark = pytest.mark.browser

NGINX = "/usr/sbin/nginx"
SITE = e2e.ROOT / "deploy" / "nginx" / "pantau.conf"
KEY = "going-live-signing-key"
RATE_LIMIT = 5  # taps a minute from one network address (PANTAU_CHECKIN_RATE_LIMIT)
BUILDING = "kantor-walikota"  # a building of the demo month
# A second loopback address: on Linux the whole of 127.0.0.0/8 is this machine, so a
# client bound to it reaches nginx on 127.0.0.1 as a different "phone".
OTHER_PHONE = "127.0.0.2"


def render_site(
    site: str, *, http_port: int, https_port: int, upstream_port: int, certificate: Path, key: Path
) -> str:
    """deploy/nginx/pantau.conf moved onto this machine's free ports and test certificate.

    Every replacement must find its line exactly once: a change of the site file that this
    test would no longer exercise fails here instead of passing unnoticed."""
    replacements = [
        ("    listen 80;\n", f"    listen 127.0.0.1:{http_port};\n"),
        ("    listen [::]:80;\n", ""),
        ("    listen 443 ssl http2;\n", f"    listen 127.0.0.1:{https_port} ssl http2;\n"),
        ("    listen [::]:443 ssl http2;\n", ""),
        ("/etc/letsencrypt/live/pantau.example.go.id/fullchain.pem;", f"{certificate};"),
        ("/etc/letsencrypt/live/pantau.example.go.id/privkey.pem;", f"{key};"),
        ("    server 127.0.0.1:8501;\n", f"    server 127.0.0.1:{upstream_port};\n"),
        # The redirect keeps the host; the test's HTTPS port is not 443.
        ("return 301 https://$host$request_uri;", f"return 301 https://$host:{https_port}$request_uri;"),
    ]
    for old, new in replacements:
        assert site.count(old) == 1, f"deploy/nginx/pantau.conf no longer has {old.strip()!r} once"
        site = site.replace(old, new)
    return site


def nginx_main_conf(folder: Path) -> str:
    """The nginx.conf around the site: what Debian's /etc/nginx/nginx.conf gives it, with
    every file nginx writes inside ``folder`` (so it runs without root)."""
    # As root, nginx would hand its workers to "nobody", who cannot enter the test's 0700
    # temporary folder to buffer a large response; any other user runs the workers itself.
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};\n" if os.geteuid() == 0 else ""
    return (
        f"{user}worker_processes 1;\n"
        f"error_log {folder}/error.log warn;\n"
        "events { worker_connections 256; }\n"
        "http {\n"
        "    include /etc/nginx/mime.types;\n"
        "    default_type application/octet-stream;\n"
        f"    access_log {folder}/access.log;\n"
        f"    client_body_temp_path {folder}/body;\n"
        f"    proxy_temp_path {folder}/proxy;\n"
        f"    fastcgi_temp_path {folder}/fastcgi;\n"
        f"    uwsgi_temp_path {folder}/uwsgi;\n"
        f"    scgi_temp_path {folder}/scgi;\n"
        f"    include {folder}/pantau.conf;\n"
        "}\n"
    )


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, as README "Going live" makes one for an intranet."""
    certificate, key = folder / "pantau.crt", folder / "pantau.key"
    subprocess.run(
        [
            shutil.which("openssl") or "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(certificate),
        ],
        check=True,
        capture_output=True,
    )
    return certificate, key


class Nginx:
    """Debian's nginx on the rendered site, in the foreground of its own process."""

    def __init__(self, folder: Path, upstream_port: int, http_port: int, https_port: int) -> None:
        if not Path(NGINX).exists():
            pytest.fail("Debian's nginx is required (./pantau.sh test installs it: apt-get install nginx)")
        self.folder = folder
        self.http_port, self.https_port = http_port, https_port
        certificate, key = self_signed(folder)
        (folder / "pantau.conf").write_text(
            render_site(
                SITE.read_text(),
                http_port=self.http_port,
                https_port=self.https_port,
                upstream_port=upstream_port,
                certificate=certificate,
                key=key,
            )
        )
        self.conf = folder / "nginx.conf"
        self.conf.write_text(nginx_main_conf(folder))
        command = [
            NGINX,
            "-c",
            str(self.conf),
            "-p",
            str(folder),
            "-g",
            f"daemon off; pid {folder}/nginx.pid;",
        ]
        checked = subprocess.run([*command[:-2], "-t", "-q", *command[-2:]], capture_output=True, text=True)
        assert checked.returncode == 0, f"nginx -t refused the site: {checked.stderr}"
        self.log = open(folder / "nginx.out", "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT)
        try:
            self._wait_listening()
        except BaseException:
            self.stop()
            raise

    def _wait_listening(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("nginx exited: " + (self.folder / "nginx.out").read_text())
            try:
                socket.create_connection(("127.0.0.1", self.https_port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("nginx did not listen")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


@dataclass
class Live:
    server: e2e.StreamlitServer
    nginx: Nginx
    https: str  # https://127.0.0.1:<port>, as a phone reaches the office's name
    http: str
    poster: str  # the signed check-in address a poster of the door holds


def free_ports(count: int) -> list[int]:
    ports: set[int] = set()
    while len(ports) < count:
        ports.add(e2e.free_port())
    return sorted(ports)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """The demo month behind nginx: the server as the systemd unit runs it, nginx in front."""
    folder = tmp_path_factory.mktemp("going_live")
    data_dir, nginx_dir = folder / "data", folder / "nginx"
    data_dir.mkdir()
    nginx_dir.mkdir()
    env = {
        "PANTAU_QR_SIGNING_KEY": KEY,
        "PANTAU_SECRETS_FILE": str(data_dir / "secrets.json"),
        "PANTAU_DATA_DIR": str(data_dir),
        "PANTAU_DB": str(data_dir / "pantau.duckdb"),
    }
    copy_demo_store(data_dir / "pantau.duckdb")
    http_port, https_port = free_ports(2)
    https = f"https://127.0.0.1:{https_port}"
    with pytest.MonkeyPatch.context() as patch:  # the key the server will check the poster with
        patch.setenv("PANTAU_QR_SIGNING_KEY", KEY)
        patch.setenv("PANTAU_SECRETS_FILE", env["PANTAU_SECRETS_FILE"])
        poster = poster_address(data_dir / "pantau.duckdb", https)
    server = e2e.StreamlitServer(
        data_dir,
        env={
            **env,
            "PANTAU_DEMO": "1",
            "PANTAU_TRUSTED_PROXIES": "127.0.0.1",
            "PANTAU_CHECKIN_RATE_LIMIT": str(RATE_LIMIT),
        },
    )
    try:
        nginx = Nginx(nginx_dir, server.port, http_port, https_port)
    except BaseException:
        server.stop()
        raise
    try:
        yield Live(server, nginx, https, f"http://127.0.0.1:{http_port}", poster)
    finally:
        nginx.stop()
        server.stop()


def poster_address(database: Path, base_url: str) -> str:
    """The address a door poster of the demo's city hall holds, printed for ``base_url``
    (before the server starts: then it owns the database file)."""
    con = db.connect(database)
    try:
        gate = str(places.list_gates(con, BUILDING)["gate_id"].iloc[0])
        return checkin.checkin_url(con, BUILDING, gate, "checkin", base_url=base_url)
    finally:
        con.close()


def https_request(
    live: Live,
    method: str,
    target: str,
    *,
    body: str = "",
    headers: dict[str, str] | None = None,
    source: str | None = None,
    port: int | None = None,
    plain: bool = False,
) -> tuple[int, dict[str, str], str]:
    """One request, from ``source`` (an address of this machine) when given: through nginx
    over HTTPS (the test certificate is self-signed, so it is not verified), or ``plain``
    HTTP to ``port``."""
    source_address = (source, 0) if source else None
    connection: http.client.HTTPConnection
    if plain:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=source_address)
    else:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        connection = http.client.HTTPSConnection(
            "127.0.0.1",
            port or live.nginx.https_port,
            timeout=30,
            context=context,
            source_address=source_address,
        )
    try:
        all_headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
        all_headers.update(headers or {})
        connection.request(method, target, body=body.encode() if body else None, headers=all_headers)
        response = connection.getresponse()
        return (
            response.status,
            {k.lower(): v for k, v in response.getheaders()},
            response.read().decode("utf-8", "replace"),
        )
    finally:
        connection.close()


def poster_target(live: Live) -> str:
    parts = urllib.parse.urlsplit(live.poster)
    return f"{parts.path}?{parts.query}"


def test_phone_checks_in_through_https(live: Live, browser: object) -> None:
    assert live.poster.startswith(f"{live.https}/checkin?")
    phone = e2e.new_context(
        browser,
        viewport={"width": 412, "height": 915},
        is_mobile=True,
        has_touch=True,
        ignore_https_errors=True,
    )
    try:
        visitor = phone.new_page()
        visitor.goto(live.poster)
        e2e.fill_form(
            [
                (visitor.get_by_role("textbox", name="Nama lengkap"), "Yohana Lumingkewas"),
                (visitor.get_by_role("textbox", name="NIP / NIK"), "7172015004880002"),
            ]
        )
        with visitor.expect_navigation():
            visitor.get_by_role("button", name="MASUK sekarang").click()
        visitor.get_by_text("Tercatat MASUK pukul").wait_for()
        assert visitor.url.startswith(live.https)
        # The phone's "remember me" cookie is Secure: the app learnt from nginx
        # (X-Forwarded-Proto) that the phone is on HTTPS.
        person = [c for c in phone.cookies() if c["name"] == phone_side.COOKIE_NAME]
        assert person and person[0]["secure"], person
    finally:
        phone.close()


def test_admin_logs_in_through_https(live: Live, browser: object, tmp_path: Path) -> None:
    admin = e2e.new_context(browser, viewport={"width": 1400, "height": 1000}, ignore_https_errors=True)
    try:
        page = admin.new_page()
        page.goto(live.https)
        e2e.fill_login_form(page, "admin", "demo-admin")  # the form's run goes over the websocket
        e2e.finish_login(page)
        menu = page.locator('[data-testid="stSidebarNav"]')
        menu.get_by_text("Sekarang", exact=True).wait_for()
        menu.get_by_text("Pengaturan", exact=True).wait_for()
        assert page.url.startswith(live.https)
        [cookie] = [c for c in admin.cookies() if c["name"] == e2e.AUTH_COOKIE]
        assert cookie["secure"], f"the login cookie must be Secure over https: {cookie}"

        # A scanner export bigger than nginx's default limit (1 MB) uploads through the proxy.
        e2e.open_menu(page, "Impor")
        export = tmp_path / "ekspor_besar.csv"
        row = "2022-03-01 08:00;900001;kantor-walikota;masuk;Uji Satu\n"
        export.write_text(
            "waktu;nip;gedung;aksi;nama\n" + row * (3 * 1024 * 1024 // len(row)), encoding="utf-8"
        )
        upload = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
        try:  # an upload that arrives makes the app run
            e2e.rerun_by(
                page, lambda: upload.set_input_files(str(export)), what="uploading the export", attempts=1
            )
        except AssertionError as refused:
            errors = page.locator('[data-testid="stFileChipIconError"]').count()
            raise AssertionError(
                f"a 3 MB upload failed through nginx (client_max_body_size?); errors: {errors}"
            ) from refused
        page.locator('[data-testid="stFileChip"]').filter(has_text="ekspor_besar.csv").wait_for()
        assert page.locator('[data-testid="stFileChipIconError"]').count() == 0
    finally:
        admin.close()


def test_http_goes_to_https(live: Live, browser: object) -> None:
    target = poster_target(live)
    status, headers, _ = https_request(live, "GET", target, plain=True, port=live.nginx.http_port)
    assert status == 301
    assert headers["location"] == f"{live.https}{target}"  # the same poster address, over HTTPS
    phone = e2e.new_context(browser, ignore_https_errors=True)
    try:
        visitor = phone.new_page()
        visitor.goto(f"{live.http}{target}")  # a poster printed with http://
        visitor.get_by_role("button", name="MASUK sekarang").wait_for()
        assert visitor.url == live.poster
    finally:
        phone.close()
    # HTTPS says so for a year (README "Going live": delete the line for a self-signed certificate).
    status, headers, _ = https_request(live, "GET", "/_stcore/health")
    assert status == 200 and headers["strict-transport-security"].startswith("max-age=31536000")


def test_server_figures_are_not_public(live: Live) -> None:
    for target in (
        "/_stcore/metrics",
        "/_stcore/metrics?families=session_events_total",
        "/_stcore/%6Detrics",
        "//_stcore/metrics/",
    ):
        status, _, body = https_request(live, "GET", target)
        assert status == 404, (target, status, body[:200])
        assert "session" not in body
    # A monitor on the server itself still reads them, straight from Streamlit's port.
    status, _, body = https_request(live, "GET", "/_stcore/metrics", plain=True, port=live.server.port)
    assert status == 200 and "session" in body


def test_rate_limit_counts_the_phone_not_nginx(live: Live) -> None:
    # Fixed one-minute windows: start the burst early in a minute so it falls into one.
    if time.time() % 60 > 45:
        time.sleep(61 - time.time() % 60)
    target = poster_target(live)
    statuses = []
    for tap in range(RATE_LIMIT + 1):
        form = urllib.parse.urlencode(
            {"name": f"Tamu {tap}", "person_id": f"81200000{tap:02d}", "category": "tamu"}
        )
        # Each tap claims another address: nginx replaces the claim with the one it saw.
        status, _, _ = https_request(
            live,
            "POST",
            target,
            body=form,
            source=OTHER_PHONE,
            headers={"X-Forwarded-For": f"198.51.100.{tap}"},
        )
        statuses.append(status)
    assert statuses == [200] * RATE_LIMIT + [429], statuses
    # The taps were counted for 127.0.0.2, the phone, not for 127.0.0.1, nginx: a tap from
    # 127.0.0.1 straight to Streamlit still goes in, one from 127.0.0.2 does not.
    form = urllib.parse.urlencode({"name": "Tamu Lain", "person_id": "8120000099", "category": "tamu"})
    status, _, _ = https_request(live, "POST", target, body=form, plain=True, port=live.server.port)
    assert status == 200
    status, _, body = https_request(
        live, "POST", target, body=form, plain=True, port=live.server.port, source=OTHER_PHONE
    )
    assert status == 429, body[:300]
    assert re.search(r"Terlalu banyak|too many", body, re.IGNORECASE), body[:300]
