"""The Province page in AppTest, for each role (RULES "Province", CONTRIBUTING "A page").

With ``PANTAU_LAKE`` the page shows leadership and admin the published sites' aggregates
and never a pseudonym, a name or a phone; a tracer cannot open it; without the setting it
is not in the menu; an unreachable lake says so on the page.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.util import calc_hash

from lib.outputs import publish
from tests.support.app import NAMES, PHONES, AppEnv, app_as, open_page, rendered_bytes

KEY = "province-key-for-tests-0123456789abcdef"
PAGE = "pages/province.py"


@pytest.fixture
def lake(app_env: AppEnv, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = app_env.folder / "lake"
    publish.publish(app_env.con(), str(folder), "kota-uji", KEY)
    monkeypatch.setenv("PANTAU_LAKE", str(folder))
    return folder


@pytest.mark.parametrize(("username", "roles"), [("pimpinan", ["leadership"]), ("kabag", ["admin"])])
def test_leadership_and_admin_see_the_sites_and_no_person(lake: Path, username: str, roles: list[str]) -> None:
    at = open_page(PAGE, roles, username=username)
    assert at.title[0].value == "Provinsi"
    assert not at.error
    shown = rendered_bytes(at)
    assert b"kota-uji" in shown
    for person in [*NAMES, *PHONES, publish.pseudonym(KEY, "198001012000")]:
        assert person.encode() not in shown


def test_the_tracer_cannot_open_it(lake: Path) -> None:
    at = app_as("pelacak", ["tracer"]).run()
    at._page_hash = calc_hash("province")  # noqa: SLF001 - the address typed (tests/test_app_words.py)
    at.run()
    assert [t.value for t in at.title] == ["Halaman ini bukan untuk peran Anda"]
    assert b"kota-uji" not in rendered_bytes(at)


def test_without_a_lake_the_page_is_not_there(app_env: AppEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    def titles_at_its_address() -> list[str]:
        at = app_as("pimpinan", ["leadership"]).run()
        at._page_hash = calc_hash("province")  # noqa: SLF001 - the address typed
        return [t.value for t in at.run().title]

    monkeypatch.setenv("PANTAU_LAKE", str(app_env.folder / "lake"))
    assert titles_at_its_address() == ["Provinsi"]  # with the setting it is there (the lake is empty)
    monkeypatch.delenv("PANTAU_LAKE")
    assert "Provinsi" not in titles_at_its_address()  # without it, the address gives the start page


def test_an_unreachable_lake_says_so(app_env: AppEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PANTAU_LAKE", str(app_env.folder / "not-mounted"))
    at = open_page(PAGE, ["leadership"], username="pimpinan", language="en")
    assert any("the province's lake cannot be reached" in e.value for e in at.error)
