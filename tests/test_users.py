"""Accounts file: generated passwords, bcrypt only, roles, login throttling, sessions, first start."""

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


def test_wrong_passwords_slow_one_address_with_growing_waits_never_the_account(path: Path) -> None:
    users.add_user(path, "kabag", "Kabag", ["admin"])
    t0 = 1_000_000.0
    attacker, owner = "203.0.113.9", "10.0.0.5"
    for attempt in range(1, users.MAX_FAILED_LOGINS):
        assert users.record_failed_login(path, "kabag", t0 + attempt, address=attacker) == (attempt, None)
        assert users.throttled_until(users.load_users(path)["kabag"], attacker, t0 + attempt) is None
    failures, until = users.record_failed_login(path, "kabag", t0 + 10, address=attacker)
    assert failures == users.MAX_FAILED_LOGINS
    assert until == t0 + 10 + 30  # the first wait: 30 seconds, not 15 minutes
    record = users.load_users(path)["kabag"]
    assert users.throttled_until(record, attacker, t0 + 11) == until
    assert users.throttled_until(record, attacker, until + 1) is None
    assert users.throttled_until(record, owner, t0 + 11) is None  # the owner's address may try at once
    # Each further failure after a wait doubles it, up to fifteen minutes.
    waits = []
    now = until
    for _ in range(8):
        now += 1
        _, next_until = users.record_failed_login(path, "kabag", now, address=attacker)
        assert next_until is not None
        waits.append(next_until - now)
        now = next_until
    assert waits == [60, 120, 240, 480, 900, 900, 900, 900]
    # The owner's right password from another address changes nothing for the attacker ...
    users.record_successful_login(path, "kabag", owner, now=now - 5)
    assert users.throttled_until(users.load_users(path)["kabag"], attacker, now - 5) == now
    # ... and the attacker's address starts afresh after a quiet day, or when an admin clears it.
    assert users.throttled_until(users.load_users(path)["kabag"], attacker, now + users.THROTTLE_FORGET_SECONDS) is None
    users.unlock(path, "kabag")
    assert users.failed_logins(users.load_users(path)["kabag"], now) == 0


def test_a_right_password_clears_only_its_own_address(path: Path) -> None:
    users.add_user(path, "kabag", "Kabag", ["admin"])
    for address in ("a", "b"):
        for _ in range(3):
            users.record_failed_login(path, "kabag", 100.0, address=address)
    users.record_successful_login(path, "kabag", "a", now=101.0)
    record = users.load_users(path)["kabag"]
    assert users.failed_logins(record, 101.0) == 3
    assert users.record_failed_login(path, "kabag", 102.0, address="a") == (1, None)


def test_many_addresses_never_grow_the_file_without_end(path: Path) -> None:
    users.add_user(path, "kabag", "Kabag", ["admin"])
    for index in range(users.THROTTLE_ADDRESSES_KEPT + 20):
        users.record_failed_login(path, "kabag", 1000.0 + index, address=f"198.51.100.{index}")
    kept = users.load_users(path)["kabag"]["throttle"]
    assert len(kept) == users.THROTTLE_ADDRESSES_KEPT
    assert "198.51.100.0" not in kept and f"198.51.100.{users.THROTTLE_ADDRESSES_KEPT + 19}" in kept


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
@given(st.lists(st.tuples(st.sampled_from(["a", "b"]), st.booleans(), st.integers(min_value=1, max_value=600)),
                max_size=25))
def test_throttling_matches_a_plain_reference(tmp_path_factory: pytest.TempPathFactory,
                                              attempts: list[tuple[str, bool, int]]) -> None:
    """Random wrong/right attempts from two addresses with gaps (s): the file's throttle
    equals a ten-line model (a waiting address is refused before any check; the other may try)."""
    path = tmp_path_factory.mktemp("lock") / "users.yaml"
    path.write_text(_one_admin_file(tmp_path_factory))  # bcrypt once, not per example
    now = 0.0
    failures = {"a": 0, "b": 0}
    until = {"a": 0.0, "b": 0.0}
    for address, ok, gap in attempts:
        now += gap
        if until[address] > now:
            expected_allowed = False
        elif ok:
            failures[address], until[address], expected_allowed = 0, 0.0, True
        else:
            failures[address] += 1
            expected_allowed = False
            extra = failures[address] - users.MAX_FAILED_LOGINS
            until[address] = now + min(30 * 2**extra, 900) if extra >= 0 else 0.0
        # What the login wrapper does: a waiting address is refused before any check.
        if users.throttled_until(users.load_users(path)["kabag"], address, now) is not None:
            allowed = False
        elif ok:
            users.record_successful_login(path, "kabag", address, now=now)
            allowed = True
        else:
            users.record_failed_login(path, "kabag", now, address=address)
            allowed = False
        assert allowed == expected_allowed
        for other in ("a", "b"):
            assert (users.throttled_until(users.load_users(path)["kabag"], other, now) is not None) == (until[other] > now)


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
    assert list(table.columns) == ["username", "name", "roles", "failed_logins", "throttled_until", "demo"]
    assert "$2" not in table.to_string()
    creds = users.credentials(users.load_users(path))
    assert creds["usernames"]["kabag"]["password"] != password
    assert creds["usernames"]["kabag"]["roles"] == ["admin"]
