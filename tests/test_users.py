"""Accounts file: generated passwords, bcrypt only, roles, lockout, sessions, first start."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit_authenticator as stauth
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.store import users


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "users.yaml"


def test_added_user_logs_in_with_the_generated_password_and_the_file_has_only_a_hash(path: Path) -> None:
    password = users.add_user(path, "  Siti.R ", "Siti Rahma", ["tracer", "admin"])
    text = path.read_text()
    assert password not in text
    record = users.load_users(path)["siti.r"]
    assert record["roles"] == ["admin", "tracer"]
    assert record["password"].startswith("$2")
    # The library's own check accepts our hash (same bcrypt format as Hasher.hash).
    assert stauth.Hasher.check_pw(password, record["password"])
    assert not stauth.Hasher.check_pw(password + "x", record["password"])
    assert len(password) >= 16
    assert oct(path.stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize(
    ("username", "roles", "code"),
    [("a", ["admin"], "bad_username"), ("with space", ["admin"], "bad_username"), ("ok", ["root"], "bad_role"),
     ("ok", [], "no_roles")],
)
def test_bad_accounts_are_refused(path: Path, username: str, roles: list[str], code: str) -> None:
    with pytest.raises(users.UserError) as error:
        users.add_user(path, username, "x", roles)
    assert error.value.code == code
    assert users.load_users(path) == {}


def test_duplicate_user_and_last_admin_are_refused(path: Path) -> None:
    users.add_user(path, "kabag", "Kabag", ["admin"])
    with pytest.raises(users.UserError) as error:
        users.add_user(path, "KABAG", "Again", ["tracer"])
    assert error.value.code == "exists"
    with pytest.raises(users.UserError) as error:
        users.set_roles(path, "kabag", ["leadership"])
    assert error.value.code == "last_admin"
    users.add_user(path, "wakil", "Wakil", ["admin"])
    users.set_active(path, "wakil", False)  # a deactivated administrator manages nothing
    with pytest.raises(users.UserError) as error:
        users.set_roles(path, "kabag", ["leadership"])
    assert error.value.code == "last_admin"
    users.set_active(path, "wakil", True)
    assert users.set_roles(path, "kabag", ["leadership"]) == ["leadership"]
    assert users.load_users(path)["kabag"]["roles"] == ["leadership"]


def test_five_wrong_passwords_lock_for_fifteen_minutes_then_counting_restarts(path: Path) -> None:
    users.add_user(path, "kabag", "Kabag", ["admin"])
    t0 = 1_000_000.0
    for attempt in range(1, users.MAX_FAILED_LOGINS):
        assert users.record_failed_login(path, "kabag", t0 + attempt) == (attempt, None)
        assert users.locked_until(users.load_users(path)["kabag"], t0 + attempt) is None
    failures, until = users.record_failed_login(path, "kabag", t0 + 10)
    assert failures == users.MAX_FAILED_LOGINS
    assert until == t0 + 10 + users.LOCK_MINUTES * 60
    record = users.load_users(path)["kabag"]
    assert users.locked_until(record, t0 + 11) == until
    assert users.locked_until(record, until + 1) is None
    # After the lock ran out, one more failure does not lock again at once.
    assert users.record_failed_login(path, "kabag", until + 2) == (1, None)
    users.unlock(path, "kabag")
    assert users.load_users(path)["kabag"]["failed_logins"] == 0


def test_unknown_usernames_are_not_stored(path: Path) -> None:
    users.add_user(path, "kabag", "Kabag", ["admin"])
    assert users.record_failed_login(path, "nobody", 5.0) == (0, None)
    assert set(users.load_users(path)) == {"kabag"}


_ADMIN_FILE: list[str] = []


def _one_admin_file(factory: pytest.TempPathFactory) -> str:
    if not _ADMIN_FILE:
        path = factory.mktemp("admin") / "users.yaml"
        users.add_user(path, "kabag", "Kabag", ["admin"])
        _ADMIN_FILE.append(path.read_text())
    return _ADMIN_FILE[0]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(min_value=1, max_value=600)), max_size=25))
def test_lockout_matches_a_plain_reference(tmp_path_factory: pytest.TempPathFactory,
                                           attempts: list[tuple[bool, int]]) -> None:
    """Random wrong/right attempts with gaps (s): the file's lock equals a 10-line model."""
    path = tmp_path_factory.mktemp("lock") / "users.yaml"
    path.write_text(_one_admin_file(tmp_path_factory))  # bcrypt once, not per example
    now, failures, locked = 0.0, 0, None
    for ok, gap in attempts:
        now += gap
        is_locked = locked is not None and locked > now
        if is_locked:
            expected_allowed = False
        elif ok:
            failures, locked, expected_allowed = 0, None, True
        else:
            failures += 1
            expected_allowed = False
            if failures >= users.MAX_FAILED_LOGINS:
                failures, locked = 0, now + users.LOCK_MINUTES * 60
        # What the login wrapper does: a locked account is refused before any check.
        if users.locked_until(users.load_users(path)["kabag"], now) is not None:
            allowed = False
        elif ok:
            users.record_successful_login(path, "kabag")
            allowed = True
        else:
            users.record_failed_login(path, "kabag", now)
            allowed = False
        assert allowed == expected_allowed
        assert (users.locked_until(users.load_users(path)["kabag"], now) is not None) == (
            locked is not None and locked > now
        )


def test_logout_and_password_reset_end_earlier_sessions(path: Path) -> None:
    first = users.add_user(path, "kabag", "Kabag", ["admin"])
    record = users.load_users(path)["kabag"]
    assert users.session_allowed(record, 100.0)
    users.end_sessions(path, "kabag", now=200.0)
    record = users.load_users(path)["kabag"]
    assert not users.session_allowed(record, 150.0)
    assert users.session_allowed(record, 250.0)
    second = users.reset_password(path, "kabag", now=300.0)
    record = users.load_users(path)["kabag"]
    assert second != first
    assert not users.check_password(first, record["password"])
    assert users.check_password(second, record["password"])
    assert not users.session_allowed(record, 250.0)
    users.add_user(path, "helper", "Helper", ["tracer"])
    users.set_roles(path, "helper", [])
    assert not users.session_allowed(users.load_users(path)["helper"], 10_000.0)


def test_first_start_creates_one_admin_with_a_generated_password(path: Path) -> None:
    created = users.ensure_initial_accounts(path, demo=False)
    assert created is not None
    username, password = created
    assert username == "admin"
    record = users.load_users(path)["admin"]
    assert users.check_password(password, record["password"])
    assert password not in path.read_text()
    assert users.ensure_initial_accounts(path, demo=False) is None
    # A second installation gets another password: nothing is a default.
    other = users.ensure_initial_accounts(path.with_name("other.yaml"), demo=False)
    assert other is not None and other[1] != password


def test_demo_mode_has_the_demo_accounts_and_keeps_changed_ones(path: Path) -> None:
    assert users.ensure_initial_accounts(path, demo=True) is None
    accounts = users.load_users(path)
    for username, (password, roles, _) in users.DEMO_ACCOUNTS.items():
        assert accounts[username]["roles"] == roles
        assert users.check_password(password, accounts[username]["password"])
        assert accounts[username]["demo"] is True
    new = users.reset_password(path, "admin")
    users.ensure_initial_accounts(path, demo=True)
    assert users.check_password(new, users.load_users(path)["admin"]["password"])


def test_list_users_never_shows_hashes_and_credentials_hold_hashes_only(path: Path) -> None:
    password = users.add_user(path, "kabag", "Kabag", ["admin"])
    table = users.list_users(path)
    assert list(table.columns) == ["username", "name", "roles", "failed_logins", "locked_until", "demo"]
    assert "$2" not in table.to_string()
    creds = users.credentials(users.load_users(path))
    assert creds["usernames"]["kabag"]["password"] != password
    assert creds["usernames"]["kabag"]["roles"] == ["admin"]
