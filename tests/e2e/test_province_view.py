"""The Province page in a real Chromium (RULES "Province"): Pantau started with
``PANTAU_LAKE`` shows leadership every publishing site's weekly figures, the hourly
occupancy, the site that stopped publishing and the partition it skipped.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from playwright.sync_api import expect

from lib.analytics import province
from lib.ingest import demo
from lib.outputs import publish
from lib.store import db
from tests.e2e.conftest import SHOTS, StreamlitServer, make_login, open_menu, wait_for_app
from tests.support.demo_store import copy_demo_store

pytestmark = pytest.mark.browser

KEY = "province-key-for-tests-0123456789abcdef"


@pytest.fixture(scope="module")
def province_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[StreamlitServer, Path]]:
    """The server's own demo store published as one site, a second store as another, a
    third site whose last publish is five days old, and a folder of a site without manifest."""
    data_dir = tmp_path_factory.mktemp("province_server")
    lake = data_dir / "lake"
    copy_demo_store(data_dir / "pantau.duckdb")
    patch = pytest.MonkeyPatch()
    patch.setenv("PANTAU_SECRETS_FILE", str(data_dir / "secrets.json"))
    con = db.connect(data_dir / "pantau.duckdb")
    publish.publish(con, str(lake), "kota-bitung", KEY)
    con.close()
    other = db.connect(data_dir / "other.duckdb")
    demo.load_demo(other, seed=5)
    publish.publish(other, str(lake), "kota-manado", KEY)
    publish.publish(other, str(lake), "kab-lama", KEY, now=datetime.now(UTC) - timedelta(days=5))
    other.close()
    patch.undo()
    week_folder = sorted((lake / "weekly" / "site=kota-manado").iterdir())[-2]
    shutil.copytree(week_folder, lake / "weekly" / "site=tanpa-manifest" / week_folder.name)
    server = StreamlitServer(data_dir, env={"PANTAU_DEMO": "1", "PANTAU_LAKE": str(lake)})
    yield server, lake
    server.stop()


def test_leadership_sees_every_site_and_what_was_skipped(
    province_server: tuple[StreamlitServer, Path], page: object
) -> None:
    server, lake = province_server
    weeks = province.published_weeks(province.open_lake(str(lake)))
    rows, _ = province.rollup_weekly(duckdb.connect(), province.open_lake(str(lake)), weeks[1])
    visits = f"{int(rows['visits'].sum()):,}".replace(",", ".")

    make_login(page, server)("pimpinan", "demo-pimpinan")
    open_menu(page, "Provinsi")
    page.get_by_text("Statistik mingguan per kantor dan gedung").wait_for()  # type: ignore[attr-defined]
    # Three sites, each with the demo's four buildings, the week before the current one.
    expect(page.get_by_text(f"3 kantor, 12 gedung, {visits} kunjungan")).to_be_visible()  # type: ignore[attr-defined]
    expect(page.get_by_text("Berhenti menerbitkan (terakhir lebih dari 2 hari lalu): kab-lama")).to_be_visible()  # type: ignore[attr-defined]
    expect(page.get_by_text("dari kantor 'tanpa-manifest' dilewati")).to_be_visible()  # type: ignore[attr-defined]
    page.locator('[data-testid="stVegaLiteChart"]').first.wait_for()  # type: ignore[attr-defined]
    assert page.locator('[data-testid="stDataFrame"]').count() == 2  # type: ignore[attr-defined]
    body = page.locator("body").inner_text()  # type: ignore[attr-defined]
    assert not any(len(word) == 64 and all(c in "0123456789abcdef" for c in word) for word in body.split())
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1400, "height": 2200})  # type: ignore[attr-defined]
    wait_for_app(page)
    page.screenshot(path=str(SHOTS / "province.png"))  # type: ignore[attr-defined]
    manifest = json.loads((lake / "_sites" / "kab-lama.json").read_text())
    assert manifest["site"] == "kab-lama"


def test_the_tracer_has_no_province_page(province_server: tuple[StreamlitServer, Path], page: object) -> None:
    server, _ = province_server
    make_login(page, server)("pelacak", "demo-pelacak")
    nav = page.locator('[data-testid="stSidebarNav"]')  # type: ignore[attr-defined]
    expect(nav).to_be_visible()
    expect(nav.get_by_text("Provinsi", exact=True)).to_have_count(0)
