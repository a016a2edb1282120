"""Tracing across sites without names (RULES "Province"): the province finds the index
person's contacts at every site by pseudonym, each site opens the signed request as a case
of its own, a request altered or made with another key is refused, both sides audit it.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from lib.analytics import cases, province, tracing
from lib.ingest import demo
from lib.store import db
from tests.support.cli import run_english as cli

KEY = "province-key-for-tests-0123456789abcdef"
SITES = {"kota-bitung": 31, "kota-manado": 32}


@pytest.fixture(scope="module")
def province_setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, Path], Path]]:
    folder = tmp_path_factory.mktemp("tracing")
    patch = pytest.MonkeyPatch()
    patch.setenv("PANTAU_SECRETS_FILE", str(folder / "secrets.json"))
    patch.setenv("PANTAU_DEMO", "0")
    patch.setenv("PANTAU_PROVINCE_KEY", KEY)
    stores = {}
    for name, seed in SITES.items():
        path = folder / f"{name}.duckdb"
        con = db.connect(path)
        demo.load_demo(con, seed=seed)
        con.close()
        assert cli("--db", str(path), "publish", "--to", str(folder / "lake"), "--site", name)[0] == 0
        stores[name] = path
    yield folder / "lake", stores, folder
    patch.undo()


def onset() -> str:
    return (cases.local_today() - timedelta(days=8)).isoformat()


def test_the_province_finds_each_sites_contacts_by_pseudonym(province_setup: tuple[Path, dict[str, Path], Path]) -> None:
    lake, stores, folder = province_setup
    province_db = folder / "province.duckdb"
    code, out, err = cli(
        "--db", str(province_db), "province-trace", "--lake", str(lake), "--person", demo.POSITIVE_CASE_ID,
        "--onset", onset(), "--requests", str(folder / "requests"),
    )
    assert code == 0, err
    found = pd.read_csv(io.StringIO(out))
    assert list(found.columns) == [
        "site", "building", "person", "overlap_minutes", "first_contact", "last_contact", "grade", "areas",
        "area_minutes",
    ]
    assert set(found["site"]) == set(SITES)
    assert (found["grade"] == "K1").any()  # the demo's meetings: shared rooms at the province too
    # Per site, the pseudonyms are exactly the persons the site's own building-level trace finds.
    start, end = cases.case_window(pd.Timestamp(onset()).date(), None)
    for name, path in stores.items():
        con = db.connect(path)
        own = tracing.trace_contacts(con, demo.POSITIVE_CASE_ID, start, end, 15.0, audit=False)
        con.close()
        expected = {province.pseudonym(KEY, p) for p in own["person_id"]}
        assert set(found[found["site"] == name]["person"]) <= expected
        # Room level from the published (scanned) room stays: a K1 there shares a room at
        # the site too; the site's own K1 may add the home rooms its roster assumes.
        at_site = found[found["site"] == name]
        own_k1 = {province.pseudonym(KEY, p) for p in own[own["grade"] == "K1"]["person_id"]}
        assert set(at_site[at_site["grade"] == "K1"]["person"]) <= own_k1
        assert (at_site[at_site["grade"] == "K1"]["area_minutes"] >= 15.0).all()
        assert len(set(found[found["site"] == name]["person"])) >= 0.9 * len(expected) > 5
    # No NIK and no name in what the province keeps or sends.
    text = out + "".join(p.read_text() for p in (folder / "requests").iterdir())
    assert demo.POSITIVE_CASE_ID not in text
    con = duckdb.connect(str(province_db))
    audit = con.execute("SELECT action, subject, params FROM audit_log WHERE action = 'province_trace'").fetchall()
    con.close()
    assert len(audit) == 1 and audit[0][1] == province.pseudonym(KEY, demo.POSITIVE_CASE_ID)
    assert demo.POSITIVE_CASE_ID not in audit[0][2]


def test_a_site_opens_its_signed_request_as_a_case_and_refuses_an_altered_one(
    province_setup: tuple[Path, dict[str, Path], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    lake, stores, folder = province_setup
    requests = folder / "requests"
    if not requests.exists():
        cli("--db", str(folder / "province.duckdb"), "province-trace", "--lake", str(lake), "--person",
            demo.POSITIVE_CASE_ID, "--onset", onset(), "--requests", str(requests))
    request = requests / "kota-bitung.request.json"
    site_db = str(stores["kota-bitung"])

    altered = folder / "altered.request.json"
    body = json.loads(request.read_text())
    body["contacts"] = body["contacts"][:-1]
    altered.write_text(json.dumps(body))
    code, _, err = cli("--db", site_db, "province-request", str(altered), "--site", "kota-bitung")
    assert code == 2 and "does not match this province's key" in err
    code, _, err = cli("--db", site_db, "province-request", str(request), "--site", "kota-manado")
    assert code == 2 and "is for site 'kota-bitung'" in err
    monkeypatch.setenv("PANTAU_PROVINCE_KEY", "another-province-key-0123456789abcdefgh")
    code, _, err = cli("--db", site_db, "province-request", str(request))
    assert code == 2 and "does not match" in err
    monkeypatch.setenv("PANTAU_PROVINCE_KEY", KEY)

    code, out, err = cli("--db", site_db, "province-request", str(request), "--site", "kota-bitung")
    assert code == 0, err
    opened = pd.read_csv(io.StringIO(out), dtype={"person_id": str})
    assert opened["person_id"][0] == demo.POSITIVE_CASE_ID
    assert opened["contacts_known_here"][0] == opened["contacts_in_request"][0] > 5
    assert opened["k1"][0] + opened["k2"][0] >= opened["contacts_in_request"][0]
    con = db.connect(site_db)
    actions = [r[0] for r in con.execute("SELECT action FROM audit_log ORDER BY logged_at").fetchall()]
    con.close()
    assert "province_request_open" in actions and "case_open" in actions
