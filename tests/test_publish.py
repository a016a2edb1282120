"""``publish``: a site's data into the province's lake (RULES "Province").

What a province would notice: the key is required and must be the province's own, no
name, NIK or phone ever lands in the lake, the pseudonym is the one a tracer computes
from a NIK, publishing again changes no data file, a half-written partition is never
read, and what retention took away at the site is gone from the lake after the next
publish.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from lib.analytics import province
from lib.cli.commands import run
from lib.ingest import demo
from lib.outputs import publish
from lib.store import db, retention

KEY = "province-key-for-tests-0123456789abcdef"
OTHER_KEY = "another-province-key-0123456789abcdefgh"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, duckdb.DuckDBPyConnection]]:
    folder = tmp_path_factory.mktemp("site")
    patch = pytest.MonkeyPatch()
    patch.setenv("PANTAU_SECRETS_FILE", str(folder / "secrets.json"))
    patch.setenv("PANTAU_DEMO", "0")
    path = folder / "pantau.duckdb"
    con = db.connect(path)
    demo.load_demo(con, seed=7)
    yield path, con
    con.close()
    patch.undo()


def data_files(lake: Path) -> dict[str, bytes]:
    """Every Parquet file of the lake by its path inside it."""
    return {str(p.relative_to(lake)): p.read_bytes() for p in sorted(lake.rglob("*.parquet"))}


def test_publish_without_a_key_or_with_another_provinces_key_is_refused(
    site: tuple[Path, duckdb.DuckDBPyConnection], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, con = site
    lake = tmp_path / "lake"
    with pytest.raises(publish.PublishError) as refused:
        publish.publish(con, str(lake), "kota-a", None)
    assert refused.value.code == "no_key"
    assert not lake.exists() or not any(lake.rglob("*.parquet"))

    publish.publish(con, str(lake), "kota-a", KEY, first_day=date.today() - timedelta(days=3))
    before = data_files(lake)
    with pytest.raises(publish.PublishError) as other:
        publish.publish(con, str(lake), "kota-b", OTHER_KEY)
    assert other.value.code == "other_key"
    assert data_files(lake) == before  # nothing of the other key's written

    # The command line says it in one line and exits 2, in the user's language.
    monkeypatch.delenv("PANTAU_PROVINCE_KEY", raising=False)
    out, err = io.StringIO(), io.StringIO()
    code = run(["--db", str(path), "--lang", "en", "publish", "--to", str(lake), "--site", "kota-c"], out, err)
    assert code == 2 and "PANTAU_PROVINCE_KEY is not set" in err.getvalue() and len(err.getvalue().splitlines()) == 1
    monkeypatch.setenv("PANTAU_PROVINCE_KEY", OTHER_KEY)
    err = io.StringIO()
    code = run(["--db", str(path), "--lang", "en", "publish", "--to", str(lake), "--site", "kota-c"], out, err)
    assert code == 2 and "another province's key" in err.getvalue()
    monkeypatch.setenv("PANTAU_PROVINCE_KEY", "short")
    err = io.StringIO()
    assert run(["--db", str(path), "--lang", "en", "visits"], out, err) == 2  # refused at start, like any bad setting
    assert "PANTAU_PROVINCE_KEY" in err.getvalue() and "short" not in err.getvalue()  # the key is never echoed


def test_no_name_nik_or_phone_in_the_lake_and_the_pseudonym_is_the_provinces_hmac(
    site: tuple[Path, duckdb.DuckDBPyConnection], tmp_path: Path
) -> None:
    _, con = site
    lake = tmp_path / "lake"
    result = publish.publish(con, str(lake), "kota-a", KEY)
    assert result.rows["visits"] == con.execute("SELECT count(*) FROM visits").fetchall()[0][0]
    personal = set()
    for person_id, name, phone in con.execute("SELECT person_id, name, phone FROM persons").fetchall():
        personal |= {str(v) for v in (person_id, name, phone) if v}
    assert len(personal) > 1000
    published: set[str] = set()
    for file in lake.rglob("*.parquet"):
        table = pq.read_table(file)
        for column in table.column_names:
            if pa.types.is_string(table.schema.field(column).type):
                published |= {str(v) for v in table.column(column).to_pylist() if v is not None}
    assert published, "nothing was published"
    assert not personal & published
    raw = b"".join(data_files(lake).values())
    some_nik = next(p for p in personal if p.isdigit() and len(p) >= 16)
    assert some_nik.encode() not in raw

    # A provincial tracer computes the pseudonym from the NIK with the province's key.
    person, checkin = con.execute("SELECT person_id, checkin_at FROM visits ORDER BY checkin_at LIMIT 1").fetchall()[0]
    expected = hmac.new(KEY.encode(), person.encode(), hashlib.sha256).hexdigest()
    visits = duckdb.sql(
        f"SELECT person, checkin_at FROM read_parquet('{lake}/visits/*/*/*.parquet', hive_partitioning = true)"
    ).fetchall()
    assert (expected, checkin) in visits
    # Category and unit are kept for the province's figures.
    units = duckdb.sql(f"SELECT count(unit), count(DISTINCT category) FROM read_parquet('{lake}/visits/*/*/*.parquet')").fetchall()
    assert units[0][0] > 0 and units[0][1] == 3
    manifest = json.loads((lake / "_sites" / "kota-a.json").read_text())
    assert manifest["schema_version"] == province.SCHEMA_VERSION
    assert manifest["key_fingerprint"] == publish.key_fingerprint(KEY) and KEY not in (lake / "_lake.json").read_text()


def test_publishing_twice_changes_no_data_file(site: tuple[Path, duckdb.DuckDBPyConnection], tmp_path: Path) -> None:
    _, con = site
    lake = tmp_path / "lake"
    now = datetime.now(UTC)
    first = publish.publish(con, str(lake), "kota-a", KEY, now=now)
    before = data_files(lake)
    second = publish.publish(con, str(lake), "kota-a", KEY, now=now)
    assert first.written == len(before) and second.written == 0 and second.unchanged == len(before)
    assert data_files(lake) == before
    assert not [p for p in lake.rglob("*") if p.name.startswith(province.TEMP_PREFIX)]


def test_a_half_written_partition_is_never_read_and_the_next_publish_clears_it(
    site: tuple[Path, duckdb.DuckDBPyConnection], tmp_path: Path
) -> None:
    _, con = site
    lake = tmp_path / "lake"
    publish.publish(con, str(lake), "kota-a", KEY)
    # A publish killed while writing a new day: its temp folder beside the partitions.
    visits = lake / "visits" / "site=kota-a"
    some_day = sorted(visits.iterdir())[0]
    half = visits / f"{province.TEMP_PREFIX}day=2000-01-03-deadbeef"
    half.mkdir()
    (half / province.PART_FILE).write_bytes((some_day / province.PART_FILE).read_bytes()[:100])
    scan = province.scan_lake(province.open_lake(str(lake)), ("visits",))
    assert all("2000-01-03" not in f and province.TEMP_PREFIX not in f for f in scan.files["visits"])
    assert province.LakeWarning("half_written", "kota-a", "visits", half.name) in scan.warnings
    total = duckdb.sql(
        f"SELECT count(*) FROM read_parquet({scan.files['visits']!r})"
    ).fetchall()[0][0]
    assert total == con.execute("SELECT count(*) FROM visits").fetchall()[0][0]
    publish.publish(con, str(lake), "kota-a", KEY)
    assert not half.exists()


def test_what_retention_removed_is_gone_from_the_next_publish(tmp_path: Path) -> None:
    con = db.connect(tmp_path / "pantau.duckdb")
    demo.load_demo(con, seed=3)
    lake = tmp_path / "lake"
    publish.publish(con, str(lake), "kota-a", KEY)
    old_person, old_day = con.execute(
        "SELECT person_id, CAST(timezone('Asia/Makassar', checkin_at) AS DATE) FROM visits ORDER BY checkin_at LIMIT 1"
    ).fetchall()[0]
    linkable = hmac.new(KEY.encode(), old_person.encode(), hashlib.sha256).hexdigest()

    def published_persons(day: date) -> set[str]:
        return {r[0] for r in duckdb.sql(
            f"SELECT person FROM read_parquet('{lake}/visits/site=kota-a/day={day.isoformat()}/*.parquet')"
        ).fetchall()}

    assert linkable in published_persons(old_day)
    # Retention (14 days) pseudonymises the old visits; a day is deleted outright at the site.
    retention.purge(con, days=14)
    last_day = con.execute(
        "SELECT max(CAST(timezone('Asia/Makassar', checkin_at) AS DATE)) FROM visits"
    ).fetchall()[0][0]
    gone_day = last_day - timedelta(days=1)
    con.execute(
        "DELETE FROM visits WHERE CAST(timezone('Asia/Makassar', checkin_at) AS DATE) = ?", [gone_day]
    )
    result = publish.publish(con, str(lake), "kota-a", KEY)
    assert linkable not in published_persons(old_day)  # nobody can find that NIK's old visits any more
    assert len(published_persons(old_day)) > 0  # the day's figures stay
    assert not (lake / "visits" / "site=kota-a" / f"day={gone_day.isoformat()}").exists()
    assert result.removed >= 1
    audit = con.execute("SELECT subject, params FROM audit_log WHERE action = 'province_publish'").fetchall()
    assert len(audit) == 2 and audit[0][0] == "kota-a"
    con.close()


def test_a_window_publishes_only_its_days(site: tuple[Path, duckdb.DuckDBPyConnection], tmp_path: Path) -> None:
    path, _ = site
    lake = tmp_path / "lake"
    out, err = io.StringIO(), io.StringIO()
    patch = pytest.MonkeyPatch()
    patch.setenv("PANTAU_PROVINCE_KEY", KEY)
    try:
        first = date.today() - timedelta(days=10)
        last = first + timedelta(days=2)
        code = run(
            ["--db", str(path), "--lang", "en", "publish", "--to", str(lake), "--site", "kota-a",
             "--from", first.isoformat(), "--to", last.strftime("%d/%m/%Y")],
            out, err,
        )
    finally:
        patch.undo()
    assert code == 0, err.getvalue()
    assert "site kota-a: 3 days" in err.getvalue()
    days = sorted(p.name for p in (lake / "visits" / "site=kota-a").iterdir())
    assert days == [f"day={(first + timedelta(days=d)).isoformat()}" for d in range(3)]
