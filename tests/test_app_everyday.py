"""Everyday use in AppTest: the language follows the user.

What a user would notice: English chosen once is still English after a reload or the
next login. (The phone check-in page is the light page, ``tests/test_checkin_page.py``.)
"""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from lib.store import users
from tests.support.app import PASSWORDS, AppEnv, new_app, submit_login


def titles(at: AppTest) -> list[str]:
    return [t.value for t in at.title]


# --- the language is kept with the user --------------------------------------------


def test_english_chosen_once_survives_a_new_session_and_a_new_login(app_env: AppEnv) -> None:
    at = submit_login(new_app().run(), "kabag", PASSWORDS["kabag"])
    assert titles(at) == ["Sekarang"]
    at.button(key="lang_switch").click().run()
    assert titles(at) == ["Now"]
    assert users.user_language(app_env.users_path, "kabag") == "en"

    # A reload: a new session that the login cookie logs in (seeded as the cookie would).
    reload = new_app()
    reload.session_state["authentication_status"] = True
    reload.session_state["username"] = "kabag"
    reload.session_state["name"] = "Kabag"
    reload.session_state["roles"] = ["admin"]
    reload.run()
    assert not reload.exception
    assert titles(reload) == ["Now"]
    assert reload.button(key="lang_switch").label == "Bahasa Indonesia"

    # The next login through the form, from a fresh (Indonesian) login page.
    again = new_app().run()
    assert titles(again) == ["Masuk ke Pantau"]
    again = submit_login(again, "kabag", PASSWORDS["kabag"])
    assert titles(again) == ["Now"]

    # Switching back is kept too; other users are not affected.
    again.button(key="lang_switch").click().run()
    assert titles(again) == ["Sekarang"]
    assert users.user_language(app_env.users_path, "kabag") == "id"
    assert users.user_language(app_env.users_path, "pimpinan") is None
    leader = submit_login(new_app().run(), "pimpinan", PASSWORDS["pimpinan"])
    assert "Statistik mingguan" in titles(leader) or "Okupansi" in titles(leader)


def test_user_language_functions_refuse_unknown_languages(app_env: AppEnv) -> None:
    assert users.user_language(app_env.users_path, "nobody") is None
    users.set_user_language(app_env.users_path, "nobody", "en")  # unknown user: ignored
    assert "nobody" not in users.load_users(app_env.users_path)
    with pytest.raises(ValueError):
        users.set_user_language(app_env.users_path, "kabag", "fr")
