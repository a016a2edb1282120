"""Accounts can be deactivated (no login; reactivation possible) and deleted; the last active
administrator can be neither. The login refuses a deactivated account and ends the session
of a user deactivated or deleted meanwhile at its next run; the Users page does all of it
with an audit record."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from lib.store import users
from tests.support.app import (
    PASSWORDS,
    AppEnv,
    app_as,
    audit_rows,
    errors,
    new_app,
    submit_login,
)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "users.yaml"


def test_deactivate_and_reactivate(path: Path) -> None:
    users.add_user(path, "kabag", "Kabag", ["admin"])
    users.add_user(path, "pelacak", "Pelacak", ["tracer"])
    assert users.is_active(users.load_users(path)["pelacak"])
    assert users.set_active(path, "pelacak", False, now=1000.0) is True
    record = users.load_users(path)["pelacak"]
    assert not users.is_active(record)
    assert record["roles"] == ["tracer"]  # kept for reactivation
    # Its old sessions end: a cookie issued before the deactivation stays refused afterwards.
    assert not users.session_allowed(record, 999.0)
    assert users.set_active(path, "pelacak", False) is False  # already so
    assert users.set_active(path, "pelacak", True) is True
    assert users.is_active(users.load_users(path)["pelacak"])


def test_delete_removes_the_account(path: Path) -> None:
    users.add_user(path, "kabag", "Kabag", ["admin"])
    users.add_user(path, "pimpinan", "Pimpinan", ["leadership"])
    users.delete_user(path, "Pimpinan ")
    assert set(users.load_users(path)) == {"kabag"}
    with pytest.raises(users.UserError) as unknown:
        users.delete_user(path, "pimpinan")
    assert unknown.value.code == "unknown_user"


def test_the_last_active_admin_can_be_neither_deactivated_nor_deleted(path: Path) -> None:
    users.add_user(path, "kabag", "Kabag", ["admin"])
    users.add_user(path, "wakil", "Wakil", ["admin", "tracer"])
    users.set_active(path, "wakil", False)
    # wakil is an admin too, but deactivated: kabag is the last active one.
    for change in (lambda: users.set_active(path, "kabag", False), lambda: users.delete_user(path, "kabag")):
        with pytest.raises(users.UserError) as error:
            change()
        assert error.value.code == "last_active_admin"
    assert users.is_active(users.load_users(path)["kabag"])
    # With a second active admin, either may go.
    users.set_active(path, "wakil", True)
    users.delete_user(path, "kabag")
    assert set(users.load_users(path)) == {"wakil"}
    # Deleting a deactivated admin is fine while an active one remains.
    users.add_user(path, "lama", "Lama", ["admin"])
    users.set_active(path, "lama", False)
    users.delete_user(path, "lama")
    assert set(users.load_users(path)) == {"wakil"}


def test_a_deactivated_user_cannot_log_in(app_env: AppEnv) -> None:
    users.set_active(app_env.users_path, "pelacak", False)
    at = submit_login(new_app().run(), "pelacak", PASSWORDS["pelacak"])
    assert not at.session_state["authentication_status"]
    assert errors(at) == ["Akun ini dinonaktifkan. Hubungi admin."]
    assert audit_rows(app_env, "login_refused_inactive") == [("pelacak", "pelacak")]
    users.set_active(app_env.users_path, "pelacak", True)
    at = submit_login(new_app().run(), "pelacak", PASSWORDS["pelacak"])
    assert at.session_state["authentication_status"] is True


@pytest.mark.parametrize("change", ["deactivate", "delete"])
def test_an_open_session_ends_at_the_next_run(app_env: AppEnv, change: str) -> None:
    at = submit_login(new_app().run(), "pelacak", PASSWORDS["pelacak"])
    assert at.session_state["authentication_status"] is True
    if change == "deactivate":
        users.set_active(app_env.users_path, "pelacak", False)
    else:
        users.delete_user(app_env.users_path, "pelacak")
    at.run()
    assert not at.exception
    assert not at.session_state["authentication_status"]
    assert [t.value for t in at.title] == ["Masuk ke Pantau"]


def users_page() -> AppTest:
    at = app_as("kabag", ["admin"]).run()
    at.switch_page("pages/users.py").run()
    assert not at.exception, at.exception
    return at


def test_users_page_deactivates_reactivates_and_deletes_with_audit(app_env: AppEnv) -> None:
    at = users_page()
    at.selectbox(key="users_selected").set_value("pelacak").run()
    at.button(key="users_active_pelacak").click().run()
    assert not at.exception
    assert [s.value for s in at.success] == ["pelacak dinonaktifkan: tidak dapat masuk lagi, sesi yang terbuka berakhir."]
    assert not users.is_active(users.load_users(app_env.users_path)["pelacak"])
    table = at.dataframe[-1].value.set_index("Nama pengguna")
    assert table.loc["pelacak", "Status"] == "nonaktif"
    assert at.button(key="users_active_pelacak").label == "Aktifkan kembali"
    at.button(key="users_active_pelacak").click().run()
    assert users.is_active(users.load_users(app_env.users_path)["pelacak"])
    assert audit_rows(app_env, "user_deactivate") == [("kabag", "pelacak")]
    assert audit_rows(app_env, "user_reactivate") == [("kabag", "pelacak")]

    # Delete needs the tick first.
    at.button(key="users_delete_pelacak").click().run()
    assert errors(at) == ["Centang konfirmasi dulu untuk menghapus pelacak."]
    assert "pelacak" in users.load_users(app_env.users_path)
    at.checkbox(key="users_delete_ack_pelacak").check()
    at.button(key="users_delete_pelacak").click().run()
    assert not at.exception
    assert "pelacak" not in users.load_users(app_env.users_path)
    assert [s.value for s in at.success] == ["Pengguna pelacak dihapus."]
    assert audit_rows(app_env, "user_delete") == [("kabag", "pelacak")]


def test_users_page_refuses_to_deactivate_the_last_active_admin(app_env: AppEnv) -> None:
    at = users_page()
    at.selectbox(key="users_selected").set_value("kabag").run()
    at.button(key="users_active_kabag").click().run()
    assert not at.exception
    assert errors(at) == [
        "kabag adalah admin aktif terakhir: akun ini tidak dapat dinonaktifkan atau dihapus. "
        "Jadikan pengguna lain admin lebih dulu."
    ]
    assert users.is_active(users.load_users(app_env.users_path)["kabag"])
    assert audit_rows(app_env, "user_deactivate") == []
