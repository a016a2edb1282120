"""Everyday use in AppTest: the language follows the user, the check-in page after a tap.

What a user would notice: English chosen once is still English after a reload or the
next login; a phone whose owner is inside already is told so before tapping; after a tap
the outcome is on top and the button is gone.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

import pytest
from streamlit.testing.v1 import AppTest

from lib.outputs import checkin
from lib.store import users
from tests.test_app_shell import PASSWORDS, AppEnv, keep_router, make_app_env, new_app, submit_login


@pytest.fixture(autouse=True)
def router_always_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    keep_router(monkeypatch)


@pytest.fixture
def app_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppEnv:
    monkeypatch.setenv("PANTAU_QR_SIGNING_KEY", "app-test-signing-key")
    return make_app_env(tmp_path, monkeypatch)


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
    assert reload.button(key="lang_switch").label == "🌐 Bahasa Indonesia"

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


# --- the public check-in page ---------------------------------------------------------


def checkin_page(app_env: AppEnv, action: str = "checkin") -> AppTest:
    """The check-in page as opened from the poster of building 'kantor' (nobody logged in)."""
    address = checkin.checkin_url(app_env.con(), "kantor", None, action)
    at = new_app()
    for name, values in parse_qs(urlparse(address).query).items():
        at.query_params[name] = values[0]
    return at.switch_page("pages/checkin.py")


def texts(at: AppTest) -> str:
    """What the page says: markdown, alerts and raw HTML blocks."""
    parts = [m.value for m in at.markdown] + [i.value for i in at.info] + [e.value for e in at.error]
    parts += [json.dumps(h.proto.body) if hasattr(h, "proto") else "" for h in at.get("html")]
    return "\n".join(parts)


def test_a_phone_already_inside_is_told_since_when_before_tapping(app_env: AppEnv) -> None:
    # Person 198001012000 checked in 120 minutes before app_env.now and is still inside.
    at = checkin_page(app_env, "checkin")
    at.session_state["checkin_person"] = {
        "person_id": "198001012000", "name": "Siti Rahmawati", "category": "ASN", "phone": "081234567801",
    }
    at.run()
    assert not at.exception
    since = (app_env.now - timedelta(minutes=120)).replace(microsecond=0).astimezone(ZoneInfo("Asia/Makassar"))
    assert [i.value for i in at.info] == [f"Anda sudah di dalam sejak {since:%H:%M} WITA."]
    assert at.button(key="checkin_tap").label == "MASUK sekarang"

    # Somebody not inside gets no such line.
    other = checkin_page(app_env, "checkin")
    other.session_state["checkin_person"] = {
        "person_id": "555", "name": "Tamu", "category": "visitor", "phone": "",
    }
    other.run()
    assert not other.exception
    assert not [i.value for i in other.info if "sejak" in i.value]


def test_after_a_tap_the_outcome_replaces_the_button(app_env: AppEnv) -> None:
    at = checkin_page(app_env, "checkout")
    at.session_state["checkin_person"] = {
        "person_id": "198001012001", "name": "Budi Sondakh", "category": "ASN", "phone": "081234567802",
    }
    at.run()
    assert "Anda sudah di dalam sejak" in at.info[0].value
    at.button(key="checkin_tap").click().run()
    assert not at.exception
    page = texts(at)
    assert re.search(r"Tercatat KELUAR pukul \d\d:\d\d WITA\. Lama kunjungan: 1 jam 5\d menit\.", page)
    assert not [b for b in at.button if b.key == "checkin_tap"], "the button is gone after the tap"
    assert not at.info, "no 'inside since' after checking out"
    assert checkin.inside_since(app_env.con(), "kantor", "198001012001") is None


def test_the_first_visit_form_then_the_outcome(app_env: AppEnv) -> None:
    at = checkin_page(app_env, "checkin").run()
    assert not at.exception
    at.text_input(key="checkin_name").input("Tamu Baru")
    at.text_input(key="checkin_phone").input("0812 7777 1111")
    at.button(key="checkin_submit").click().run()
    assert not at.exception
    assert "Tercatat MASUK pukul" in texts(at)
    assert not at.text_input, "the form is gone after the tap"
    since = checkin.inside_since(app_env.con(), "kantor", "081277771111")
    assert since is not None and abs(since - datetime.now(UTC)) < timedelta(minutes=2)


def test_the_form_says_what_is_missing(app_env: AppEnv) -> None:
    at = checkin_page(app_env, "checkin").run()
    at.text_input(key="checkin_name").input("Tamu Tanpa Nomor")
    at.button(key="checkin_submit").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == ["Isi NIP/NIK atau nomor HP."]
    assert at.text_input(key="checkin_name").value == "Tamu Tanpa Nomor"
