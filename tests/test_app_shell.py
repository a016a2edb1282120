"""The app shell in AppTest: login with roles, login throttling, logout, language, first start.

What a user would notice: the login form in Indonesian, the start page of their role,
five wrong passwords from one address making that address wait (never locking the owner
out), logout bringing the form back, English at one click, and no default password anywhere.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from lib.store import db, users
from tests.support.app import (
    PASSWORDS,
    ROOT,
    AppEnv,
    app_as,
    assert_no_seeded_personal_data,
    audit_rows,
    errors,
    new_app,
    submit_login,
    tree_text,
)

# The AppTest helpers moved to tests/support/app.py. tests/test_front_desk.py,
# tests/test_import_mapping_page.py and tests/test_purpose_figures.py still import these three
# from here (the "as" keeps them exported) until they import tests.support themselves.
from tests.support.app import keep_router as keep_router
from tests.support.app import make_app_env as make_app_env
from tests.support.app import open_page as open_page


def test_anonymous_sees_only_the_indonesian_login_form(app_env: AppEnv) -> None:
    at = new_app().run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Masuk ke Pantau"]
    assert [t.label for t in at.text_input] == ["Nama pengguna", "Kata sandi"]
    assert not at.session_state["authentication_status"]
    assert_no_seeded_personal_data(at)
    assert not at.dataframe and not at.metric


def test_login_opens_the_start_page_of_the_role_and_is_audited(app_env: AppEnv) -> None:
    at = submit_login(new_app().run(), "kabag", PASSWORDS["kabag"])
    assert not at.exception
    assert [t.value for t in at.title] == ["Sekarang"]
    assert at.session_state["roles"] == ["admin"]
    assert audit_rows(app_env, "login") == [("kabag", "kabag")]
    assert "Siti Rahmawati" in tree_text(at)  # the admin's Now page lists the last scans

    leader = submit_login(new_app().run(), "Pimpinan", PASSWORDS["pimpinan"])  # case does not matter
    assert not leader.exception
    assert leader.session_state["roles"] == ["leadership"]
    assert [t.value for t in leader.title] != ["Sekarang"]
    assert_no_seeded_personal_data(leader)


def test_wrong_passwords_slow_one_address_but_never_lock_the_owner_out(
    app_env: AppEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lib.ui import auth

    address = {"now": "203.0.113.9"}  # the network address the next login comes from
    monkeypatch.setattr(auth, "client_address", lambda: address["now"])
    at = new_app().run()
    for attempt in range(1, users.MAX_FAILED_LOGINS + 1):
        at = submit_login(at, "kabag", f"wrong-{attempt}")
        assert not at.session_state["authentication_status"]
        if attempt < users.MAX_FAILED_LOGINS:
            assert errors(at) == ["Nama pengguna atau kata sandi salah."]
    # The fifth: this address waits 30 seconds, told with the local clock time it may try again.
    expected = datetime.now(UTC) + timedelta(seconds=30)
    assert len(errors(at)) == 1, errors(at)
    message = errors(at)[0]
    assert "1970" not in message and "dikunci" not in message
    shown = re.search(r"Coba lagi dalam (\d+) detik, pukul (\d\d):(\d\d) WITA\.", message)
    assert shown, message
    assert 25 <= int(shown.group(1)) <= 30
    wita = expected + timedelta(hours=8)
    assert abs((wita.hour * 60 + wita.minute) - (int(shown.group(2)) * 60 + int(shown.group(3)))) <= 1
    # The right password from the same address waits too (not even checked) ...
    at = submit_login(at, "kabag", PASSWORDS["kabag"])
    assert not at.session_state["authentication_status"]
    assert "Coba lagi dalam" in errors(at)[0]
    # ... while the owner, from another address, logs in at once.
    address["now"] = "10.0.0.5"
    owner = submit_login(new_app().run(), "kabag", PASSWORDS["kabag"])
    assert owner.session_state["authentication_status"] is True
    failed = app_env.con().execute(
        "SELECT params FROM audit_log WHERE action = 'login_failed' ORDER BY logged_at").fetchall()
    assert len(failed) == 5 and all("203.0.113.9" in p for (p,) in failed)
    assert audit_rows(app_env, "login_throttled") == [("kabag", "kabag")]
    assert audit_rows(app_env, "account_locked") == []


def test_the_throttle_message_names_the_local_wita_time() -> None:
    from lib.ui.auth import throttle_message

    until = datetime(2026, 1, 5, 2, 15, tzinfo=UTC).timestamp()  # 10:15 WITA
    text = throttle_message(until, now=until - 30)
    assert "30 detik" in text and "pukul 10:15 WITA" in text


def test_language_switch_is_one_click_each_way(app_env: AppEnv) -> None:
    at = new_app().run()
    at.button(key="lang_switch").click().run()
    assert [t.value for t in at.title] == ["Log in to Pantau"]
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    at = submit_login(at, "kabag", PASSWORDS["kabag"])
    assert [t.value for t in at.title] == ["Now"]
    assert "Inside now" in [m.label for m in at.metric]
    at.button(key="lang_switch").click().run()
    assert [t.value for t in at.title] == ["Sekarang"]


def test_logout_ends_the_session_and_old_cookies(app_env: AppEnv) -> None:
    at = submit_login(new_app().run(), "kabag", PASSWORDS["kabag"])
    assert at.session_state["authentication_status"] is True
    at.button(key="pantau_logout").click().run()
    assert not at.exception
    assert not at.session_state["authentication_status"]
    assert [t.value for t in at.title] == ["Masuk ke Pantau"]
    assert_no_seeded_personal_data(at)
    assert audit_rows(app_env, "logout") == [("kabag", "kabag")]
    # A cookie issued before the logout no longer logs anyone in.
    record = users.load_users(app_env.users_path)["kabag"]
    assert not users.session_allowed(record, datetime.now(UTC).timestamp() - 60)


def test_a_session_ends_when_the_password_is_reset_elsewhere(app_env: AppEnv) -> None:
    at = submit_login(new_app().run(), "kabag", PASSWORDS["kabag"])
    assert [t.value for t in at.title] == ["Sekarang"]
    users.reset_password(app_env.users_path, "kabag")
    at.run()
    assert not at.session_state["authentication_status"]
    assert [t.value for t in at.title] == ["Masuk ke Pantau"]


def test_roles_removed_by_an_admin_apply_at_the_next_run(app_env: AppEnv) -> None:
    at = submit_login(new_app().run(), "pelacak", PASSWORDS["pelacak"])
    assert at.session_state["roles"] == ["tracer"]
    users.set_roles(app_env.users_path, "pelacak", ["leadership"])
    at.run()
    assert at.session_state["roles"] == ["leadership"]
    with pytest.raises(ValueError):
        at.switch_page("pages/tracing.py")


@pytest.mark.parametrize(
    ("roles", "allowed", "refused"),
    [
        (["leadership"], ["pages/occupancy.py", "pages/weekly.py"],
         ["pages/now.py", "pages/import_logs.py", "pages/quality.py", "pages/settings.py", "pages/users.py",
          "pages/audit.py", "pages/tracing.py", "pages/posters.py"]),
        (["tracer"], ["pages/tracing.py"], ["pages/now.py", "pages/users.py", "pages/audit.py", "pages/weekly.py"]),
        (["admin"], ["pages/now.py", "pages/import_logs.py", "pages/quality.py", "pages/settings.py",
                     "pages/users.py", "pages/audit.py"], ["pages/tracing.py"]),
    ],
)
def test_the_menu_registers_only_the_pages_of_the_role(app_env: AppEnv, roles: list[str], allowed: list[str],
                                                       refused: list[str]) -> None:
    at = app_as("someone", roles).run()
    assert not at.exception
    for page in allowed:
        if (ROOT / page).exists():
            at.switch_page(page)  # registered: no error
    for page in refused:
        with pytest.raises(ValueError):
            at.switch_page(page)


def test_first_start_outside_demo_mode_creates_an_admin_shown_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in {"PANTAU_DB": tmp_path / "pantau.duckdb", "PANTAU_DATA_DIR": tmp_path,
                        "PANTAU_SECRETS_FILE": tmp_path / "secrets.json", "PANTAU_LOGIN_SLEEP": 0,
                        "PANTAU_DEMO": 0}.items():
        monkeypatch.setenv(name, str(value))
    at = new_app().run()
    assert not at.exception
    printed = capsys.readouterr().out
    password = re.search(r"password: (\S+)", printed).group(1)  # type: ignore[union-attr]
    record = users.load_users(tmp_path / "users.yaml")["admin"]
    assert users.check_password(password, record["password"])
    assert password not in (tmp_path / "users.yaml").read_text()
    assert password not in tree_text(at)
    assert any("konsol server" in i.value for i in at.info)
    # No demo data and no demo accounts outside demo mode.
    assert set(users.load_users(tmp_path / "users.yaml")) == {"admin"}
    assert db.shared(tmp_path / "pantau.duckdb").cursor().execute("SELECT count(*) FROM events").fetchall()[0][0] == 0
    # The cookie key is a generated secret, not the library's public default.
    import json

    key = json.loads((tmp_path / "secrets.json").read_text())["cookie_key"]
    assert len(key) >= 32 and key != "some_key"
    at = submit_login(at, "admin", password)
    assert at.session_state["authentication_status"] is True


def test_the_login_cookie_is_secure_when_the_request_came_over_https(monkeypatch: pytest.MonkeyPatch) -> None:
    from lib.ui.auth import secure_cookie
    from lib.ui.request import is_https_request

    # The browser's own address bar says https, or a trusted proxy that ends TLS says so.
    assert is_https_request("https://pantau.example.go.id/now", None, None)
    assert not is_https_request("http://10.0.0.5:8501/now", None, None)
    monkeypatch.setenv("PANTAU_TRUSTED_PROXIES", "")
    assert not is_https_request("", "203.0.113.9", "https")  # anyone's header is not believed
    monkeypatch.setenv("PANTAU_TRUSTED_PROXIES", "127.0.0.1")
    assert is_https_request("", None, "https")  # Streamlit reports the loopback peer as None
    assert is_https_request("", "127.0.0.1", "https, http")
    assert not is_https_request("", "127.0.0.1", "http")
    assert not is_https_request("", "203.0.113.9", "https")

    class Manager:
        def __init__(self) -> None:
            self.calls: list[dict[str, object]] = []

        def set(self, cookie: str, val: object, **options: object) -> None:
            self.calls.append({"cookie": cookie, **options})

    over_https, over_http = Manager(), Manager()
    secure_cookie(over_https, True)
    secure_cookie(over_http, False)
    # What streamlit-authenticator's CookieModel.set_cookie calls (no secure, no same_site).
    over_https.set("pantau_auth", "token", expires_at=datetime.now())
    over_http.set("pantau_auth", "token", expires_at=datetime.now())
    assert over_https.calls[0]["secure"] is True and over_https.calls[0]["same_site"] == "strict"
    assert over_http.calls[0]["secure"] is None and over_http.calls[0]["same_site"] == "strict"


def test_the_authenticator_of_a_run_sets_its_cookie_through_the_secure_wrapper(
    app_env: AppEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lib.ui import auth

    seen: list[bool] = []
    original = auth.secure_cookie
    monkeypatch.setattr(auth, "request_is_https", lambda: True)
    monkeypatch.setattr(auth, "secure_cookie", lambda manager, secure: (seen.append(secure), original(manager, secure)))
    at = submit_login(new_app().run(), "kabag", PASSWORDS["kabag"])
    assert at.session_state["authentication_status"] is True
    assert seen and all(seen)
