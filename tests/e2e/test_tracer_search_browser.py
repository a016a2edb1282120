"""A tracer's person search in a real Chromium against `streamlit run` on the demo month.

The tracer types a name: several people match, nobody is pre-selected and "Lacak kontak"
stays disabled until the tracer picks the case; the trace runs; and the search itself
(the text typed, the number of matches) is in the audit log, read from the database file
once the server has stopped (DuckDB lets one process hold the file).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import duckdb
import pytest
from playwright.sync_api import expect

from lib.ingest import demo
from tests.e2e.conftest import (
    StreamlitServer,
    click_and_wait,
    make_login,
    rerun_by,
    start_demo_server,
    wait_for_app,
)

pytestmark = pytest.mark.browser

SEARCH = "Meiske"


@pytest.fixture(scope="module")
def own_demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StreamlitServer]:
    """A demo server of this file alone: the test stops it to read the audit log."""
    server = start_demo_server(tmp_path_factory.mktemp("tracer_search"))
    yield server
    server.stop()


def test_tracer_picks_the_case_explicitly_and_the_search_is_audited(
    own_demo_server: StreamlitServer, page: object
) -> None:
    make_login(page, own_demo_server)("pelacak", "demo-pelacak")
    page.get_by_role("heading", name="Pelacakan kontak").first.wait_for()  # type: ignore[attr-defined]
    search = page.get_by_role("textbox", name="Cari kasus (nama, NIP/ID atau nomor HP)")  # type: ignore[attr-defined]
    search.fill(SEARCH)
    rerun_by(page, lambda: search.press("Enter"), what="searching")

    # The matches are listed, but nobody is chosen and the trace button waits.
    case = page.locator('[data-testid="stSelectbox"] input').first  # type: ignore[attr-defined]
    expect(case).to_have_value("")
    run = page.get_by_role("button", name="Lacak kontak")  # type: ignore[attr-defined]
    expect(run).to_be_disabled()

    case.click()
    option = page.get_by_role("option", name=re.compile(re.escape(demo.POSITIVE_CASE_ID)))  # type: ignore[attr-defined]
    options = page.get_by_role("option")  # type: ignore[attr-defined]
    expect(option).to_have_count(1)
    assert options.count() >= 1
    label = option.inner_text()
    assert "Meiske Rumengan" in label and "ASN" in label and "WITA" in label  # category, last seen local
    rerun_by(page, option.click, what="picking the case")
    expect(case).to_have_value(re.compile(re.escape(demo.POSITIVE_CASE_ID)))
    expect(run).to_be_enabled()

    click_and_wait(run)
    page.wait_for_selector('[data-testid="stDataFrame"]')  # type: ignore[attr-defined]
    page.get_by_text("kontak untuk").first.wait_for()  # type: ignore[attr-defined]
    page.get_by_text(re.compile(r"menampilkan \d+ dari [\d.]+ kontak")).first.wait_for()  # type: ignore[attr-defined]
    wait_for_app(page)

    own_demo_server.stop()  # frees the database file for this process
    con = duckdb.connect(str(own_demo_server.db_path), read_only=True)
    try:
        searches = con.execute(
            "SELECT subject, params, rows FROM audit_log WHERE actor = 'pelacak' AND action = 'find_person'"
        ).fetchall()
        matching = con.execute(
            "SELECT count(*) FROM persons WHERE contains(lower(name), lower(?))", [SEARCH]
        ).fetchall()[0][0]
        traces = con.execute(
            "SELECT subject FROM audit_log WHERE actor = 'pelacak' AND action = 'trace'"
        ).fetchall()
    finally:
        con.close()
    assert [(subject, rows) for subject, _, rows in searches] == [(SEARCH, matching)]  # once, not per rerun
    assert json.loads(searches[0][1])["matches"] == matching
    assert traces == [(demo.POSITIVE_CASE_ID,)]
