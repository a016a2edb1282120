"""The province's lake: what every site publishes, read across sites (RULES "Province").

A lake is a folder, a mounted share or an S3-compatible bucket (pyarrow's filesystems)
holding Parquet in Hive layout, one folder per dataset::

    _lake.json                                   the province key's fingerprint (first publisher)
    _sites/<site>.json                           one manifest per site: schema version,
                                                 key fingerprint, published_at
    <dataset>/site=<site>/day=YYYY-MM-DD/part-0.parquet   hourly, weekly, visits, stays
    <dataset>/site=<site>/part-0.parquet                  buildings, areas

``day`` is the local day (the building's zone) of the check-in, the stay's start or the
hour; for ``weekly`` the Monday of the ISO week. ``lib.outputs.publish`` writes it; this
module reads it with DuckDB (``read_parquet(..., hive_partitioning=true)``) and never
mixes in a partition it cannot vouch for: one of a site without manifest, one still being
written (a ``.tmp-`` folder beside it) or one of a schema newer than this reader. Each is
skipped with a :class:`LakeWarning` the province page shows. Aggregates only: nothing
here returns a pseudonym.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.fs as pafs

from lib.analytics.week_counts import parse_iso_week, week_label
from lib.core.errors import PantauError
from lib.store.db import CATEGORIES

# Raise when a published column changes meaning; a reader skips sites of a newer version.
SCHEMA_VERSION = 1
LAKE_FILE = "_lake.json"
SITES_FOLDER = "_sites"
PART_FILE = "part-0.parquet"
TEMP_PREFIX = ".tmp-"
# A site whose last publish is older than this has stopped publishing (the province page).
STALE_AFTER = timedelta(days=2)
SITE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
DAY_FOLDER = re.compile(r"^day=(\d{4}-\d{2}-\d{2})$")

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
UTC_US = pa.timestamp("us", tz="UTC")

# Every published dataset and its columns; ``site`` and ``day`` come from the folders.
SCHEMAS: dict[str, pa.Schema] = {
    "buildings": pa.schema([
        ("building", pa.string()), ("name", pa.string()), ("timezone", pa.string()), ("confirmed", pa.bool_()),
        ("capacity", pa.int64()), ("threshold_people", pa.int64()),
    ]),
    "areas": pa.schema([
        ("building", pa.string()), ("area", pa.string()), ("name", pa.string()), ("capacity", pa.int64()),
    ]),
    "hourly": pa.schema([
        ("building", pa.string()), ("hour", UTC_US), ("peak", pa.int64()), ("present", pa.int64()),
        ("person_hours", pa.float64()),
    ]),
    # Exactly the columns of ``lib.analytics.weekly.weekly_stats`` (the ``weekly`` command).
    "weekly": pa.schema([
        ("week", pa.string()), ("building", pa.string()), ("visits", pa.int64()), ("persons", pa.int64()),
        *((f"persons_{c}", pa.int64()) for c in CATEGORIES),
        ("visits_per_day", pa.float64()), *((f"visits_{d}", pa.int64()) for d in WEEKDAYS),
        ("busiest_day", pa.date32()), ("busiest_day_visits", pa.int64()), ("peak_hour", UTC_US),
        ("peak", pa.int64()), ("median_stay_minutes", pa.float64()), ("auto_close_share", pa.float64()),
        ("crowding_episodes", pa.int64()), ("crowding_minutes", pa.float64()), ("visits_prev", pa.int64()),
        ("visits_change_pct", pa.float64()), ("persons_prev", pa.int64()), ("persons_change_pct", pa.float64()),
    ]),
    # RULES "Province": ``person`` is HMAC-SHA256(PANTAU_PROVINCE_KEY, person_id), never a name, NIK or phone.
    "visits": pa.schema([
        ("person", pa.string()), ("building", pa.string()), ("checkin_at", UTC_US), ("checkout_at", UTC_US),
        ("checkout_kind", pa.string()), ("category", pa.string()), ("unit", pa.string()),
    ]),
    "stays": pa.schema([
        ("person", pa.string()), ("building", pa.string()), ("area", pa.string()), ("start_at", UTC_US),
        ("end_at", UTC_US), ("end_kind", pa.string()),
    ]),
}
DAY_DATASETS = ("hourly", "weekly", "visits", "stays")
SITE_DATASETS = ("buildings", "areas")
PERSONAL_DATASETS = ("visits", "stays")
WEEKLY_COLUMNS = list(SCHEMAS["weekly"].names)


FINGERPRINT_TEXT = b"pantau province key fingerprint v1"


def key_fingerprint(key: str) -> str:
    """HMAC of a fixed text under the key: equal keys give equal fingerprints, and the
    fingerprint does not give the key away."""
    return hmac.new(key.encode("utf-8"), FINGERPRINT_TEXT, hashlib.sha256).hexdigest()[:32]


def pseudonym(key: str, person_id: str) -> str:
    """The province pseudonym of a person id (hex HMAC-SHA256); the same at every site
    that has the same key, so a provincial tracer can compute it from a NIK."""
    return hmac.new(key.encode("utf-8"), str(person_id).encode("utf-8"), hashlib.sha256).hexdigest()


class LakeError(PantauError):
    """The lake cannot be used at all (``code``: unreachable, not_a_lake ...)."""

    TEXT_PREFIX = "province.error."


@dataclass(frozen=True)
class LakeWarning:
    """A partition (or a whole site) left out of the figures, and why: ``unknown_site``,
    ``half_written``, ``newer_schema``, ``other_key`` or ``bad_manifest``."""

    code: str
    site: str
    dataset: str = ""
    partition: str = ""


@dataclass
class Lake:
    fs: pafs.FileSystem
    root: str
    location: str

    @property
    def local(self) -> bool:
        return self.fs.type_name == "local"

    def path(self, *parts: str) -> str:
        base = self.root.rstrip("/")
        return "/".join([base, *parts] if base else list(parts))


@dataclass
class LakeScan:
    """What a reader may use: the files per dataset, the sites vouched for, what was skipped."""

    files: dict[str, list[str]] = field(default_factory=dict)
    sites: dict[str, dict] = field(default_factory=dict)
    warnings: list[LakeWarning] = field(default_factory=list)


def open_lake(location: str, create: bool = False) -> Lake:
    """The lake at ``location`` (a folder, or a URI such as ``s3://bucket/prefix``).

    Raises LakeError('unreachable') when it cannot be listed (a missing folder, a bucket
    without access), unless ``create`` (the publisher) makes the folder.
    """
    text = (location or "").strip()
    if not text:
        raise LakeError("unreachable", lake=location, detail="empty")
    try:
        if "://" in text:
            fs, root = pafs.FileSystem.from_uri(text)
        else:
            fs, root = pafs.LocalFileSystem(), os.path.abspath(text)
        info = fs.get_file_info(root)
        if create and info.type == pafs.FileType.NotFound:
            fs.create_dir(root, recursive=True)
            info = fs.get_file_info(root)
    except (OSError, pa.ArrowException, ValueError) as error:
        raise LakeError("unreachable", lake=text, detail=str(error).splitlines()[0]) from None
    if info.type != pafs.FileType.Directory and not (info.type == pafs.FileType.NotFound and "://" in text and create):
        raise LakeError("unreachable", lake=text, detail="not a folder" if info.type == pafs.FileType.File else "not found")
    return Lake(fs=fs, root=root, location=text)


def read_json(lake: Lake, path: str) -> dict | None:
    """A small JSON file of the lake, None when it is missing."""
    try:
        with lake.fs.open_input_stream(path) as stream:
            return json.loads(stream.read().decode("utf-8"))
    except FileNotFoundError:
        return None


def lake_fingerprint(lake: Lake) -> str | None:
    """The key fingerprint the lake was started with (``_lake.json``), None for a new lake."""
    found = read_json(lake, lake.path(LAKE_FILE))
    return str(found["key_fingerprint"]) if found and found.get("key_fingerprint") else None


def _listing(lake: Lake, path: str) -> list[pafs.FileInfo]:
    try:
        return lake.fs.get_file_info(pafs.FileSelector(path, allow_not_found=True, recursive=False))
    except (OSError, pa.ArrowException):
        return []


def read_manifests(lake: Lake) -> tuple[dict[str, dict], list[LakeWarning]]:
    """Every site's manifest that this reader may trust, and the sites it may not."""
    fingerprint = lake_fingerprint(lake)
    sites: dict[str, dict] = {}
    warnings: list[LakeWarning] = []
    for info in _listing(lake, lake.path(SITES_FOLDER)):
        if not info.base_name.endswith(".json") or info.base_name.startswith("."):
            continue
        name = info.base_name[: -len(".json")]
        try:
            manifest = read_json(lake, info.path) or {}
            version = int(manifest.get("schema_version", 0))
        except (ValueError, TypeError, OSError):
            warnings.append(LakeWarning("bad_manifest", name))
            continue
        if version > SCHEMA_VERSION:
            warnings.append(LakeWarning("newer_schema", name))
        elif version < 1 or manifest.get("site") != name:
            warnings.append(LakeWarning("bad_manifest", name))
        elif fingerprint is None or manifest.get("key_fingerprint") != fingerprint:
            warnings.append(LakeWarning("other_key", name))
        else:
            sites[name] = manifest
    return sites, warnings


def scan_lake(
    lake: Lake, datasets: tuple[str, ...], first_day: date | None = None, last_day: date | None = None
) -> LakeScan:
    """The Parquet files of ``datasets`` (days in ``[first_day, last_day]`` when given) of
    every site with a trusted manifest; everything else is a warning, never a file."""
    sites, warnings = read_manifests(lake)
    refused = {w.site for w in warnings}
    scan = LakeScan(sites=sites, warnings=list(warnings))
    for dataset in datasets:
        files: list[str] = []
        for site_info in _listing(lake, lake.path(dataset)):
            if site_info.type != pafs.FileType.Directory or not site_info.base_name.startswith("site="):
                continue
            site = site_info.base_name[len("site="):]
            if site not in sites:
                if site not in refused:  # said once per site, in the manifest's warning
                    scan.warnings.append(LakeWarning("unknown_site", site, dataset))
                continue
            for entry in _listing(lake, site_info.path):
                if entry.base_name.startswith("."):
                    scan.warnings.append(LakeWarning("half_written", site, dataset, entry.base_name))
                    continue
                if dataset in SITE_DATASETS:
                    if entry.base_name == PART_FILE:
                        files.append(entry.path)
                    continue
                match = DAY_FOLDER.match(entry.base_name)
                if entry.type != pafs.FileType.Directory or not match:
                    continue
                day = date.fromisoformat(match.group(1))
                if (first_day and day < first_day) or (last_day and day > last_day):
                    continue
                if lake.fs.get_file_info(f"{entry.path}/{PART_FILE}").type != pafs.FileType.File:
                    scan.warnings.append(LakeWarning("half_written", site, dataset, entry.base_name))
                    continue
                files.append(f"{entry.path}/{PART_FILE}")
        scan.files[dataset] = sorted(files)
    return scan


def read_dataset(con: duckdb.DuckDBPyConnection, lake: Lake, files: list[str], dataset: str) -> pd.DataFrame:
    """The rows of ``files`` with ``site`` (and ``day``) from the Hive folders; an empty
    frame of the dataset's columns when there are none."""
    schema = SCHEMAS[dataset]
    keys = ["site"] + (["day"] if dataset in DAY_DATASETS else [])
    if not files:
        empty = schema.empty_table().to_pandas()
        for key in keys:
            empty.insert(0 if key == "site" else 1, key, pd.Series([], dtype=object))
        return empty
    if lake.local:
        # DuckDB reads the Parquet itself; site and day from the folders, as text and date
        # (a site called "2022" stays text).
        types = "{'site': VARCHAR, 'day': DATE}" if "day" in keys else "{'site': VARCHAR}"
        return con.execute(
            f"SELECT * FROM read_parquet(?, hive_partitioning = true, union_by_name = true, hive_types = {types})",
            [files],
        ).df()
    # Another filesystem (S3): pyarrow reads, DuckDB queries the same rows.
    import pyarrow.parquet as pq

    tables = []
    for path in files:
        table = pq.read_table(path, filesystem=lake.fs, schema=schema)
        parts = dict(p.split("=", 1) for p in path.split("/") if "=" in p)
        table = table.add_column(0, "site", pa.array([parts["site"]] * len(table), pa.string()))
        if "day" in parts:
            table = table.add_column(1, "day", pa.array([date.fromisoformat(parts["day"])] * len(table), pa.date32()))
        tables.append(table)
    return pa.concat_tables(tables).to_pandas()


def monday_of(week: str) -> date:
    year, number = parse_iso_week(week)
    return date.fromisocalendar(year, number, 1)


def published_buildings(con: duckdb.DuckDBPyConnection, lake: Lake) -> pd.DataFrame:
    """``site, building, name, timezone, confirmed, capacity, threshold_people`` of every trusted site."""
    return read_dataset(con, lake, scan_lake(lake, ("buildings",)).files["buildings"], "buildings")


def _match_building(frame: pd.DataFrame, buildings: pd.DataFrame, building: str | None) -> pd.DataFrame:
    """Rows of ``building`` (its id or display name, case and spaces ignored, as the site's
    ``--building``), every row when None."""
    if not building:
        return frame
    wanted = "".join(building.split()).casefold()
    ids = {
        (str(row.site), str(row.building))
        for row in buildings.itertuples(index=False)
        if wanted in ("".join(str(row.building).split()).casefold(), "".join(str(row.name or "").split()).casefold())
    }
    keep = [(str(s), str(b)) in ids for s, b in zip(frame["site"], frame["building"], strict=True)]
    return frame[keep]


def rollup_weekly(
    con: duckdb.DuckDBPyConnection, lake: Lake, week: str, building: str | None = None
) -> tuple[pd.DataFrame, list[LakeWarning]]:
    """RULES "Weekly statistics" of every trusted site for the ISO ``week``: ``site``, then
    exactly the columns of ``weekly_stats`` (the ``weekly`` command), as each site computed
    and published them, by site and building. A site that has not published the week has
    no row."""
    monday = monday_of(week)
    scan = scan_lake(lake, ("weekly", "buildings"), monday, monday)
    frame = read_dataset(con, lake, scan.files["weekly"], "weekly")
    frame = _match_building(frame, read_dataset(con, lake, scan.files["buildings"], "buildings"), building)
    frame = frame.sort_values(["site", "building"], kind="stable").reset_index(drop=True)
    return frame[["site", *WEEKLY_COLUMNS]], scan.warnings


def rollup_hourly(
    con: duckdb.DuckDBPyConnection, lake: Lake, first_day: date, last_day: date
) -> tuple[pd.DataFrame, list[LakeWarning]]:
    """RULES "Occupancy" hours of every trusted site's buildings, local days ``first_day``
    to ``last_day``: ``site, building, hour`` (UTC), ``peak, present, person_hours``."""
    scan = scan_lake(lake, ("hourly",), first_day, last_day)
    frame = read_dataset(con, lake, scan.files["hourly"], "hourly")
    frame = frame.sort_values(["site", "building", "hour"], kind="stable").reset_index(drop=True)
    return frame[["site", "building", "hour", "peak", "present", "person_hours"]], scan.warnings


def published_weeks(lake: Lake) -> list[str]:
    """The ISO weeks with weekly figures of any trusted site, newest first."""
    scan = scan_lake(lake, ("weekly",))
    mondays = {date.fromisoformat(p.split("day=")[1].split("/")[0]) for p in scan.files["weekly"]}
    return [week_label(*m.isocalendar()[:2]) for m in sorted(mondays, reverse=True)]


def site_status(lake: Lake, now: datetime | None = None) -> pd.DataFrame:
    """One row per site with a manifest: ``site, published_at`` (UTC), ``first_day,
    last_day`` (local days published) and ``stale`` (last publish older than two days:
    the site stopped publishing)."""
    moment = now or datetime.now(UTC)
    sites, _ = read_manifests(lake)
    rows = []
    for name, manifest in sorted(sites.items()):
        published = pd.Timestamp(manifest.get("published_at")).tz_convert("UTC")
        rows.append({
            "site": name,
            "published_at": published,
            "first_day": manifest.get("first_day") or "",
            "last_day": manifest.get("last_day") or "",
            "stale": bool(moment - published.to_pydatetime() > STALE_AFTER),
        })
    return pd.DataFrame(rows, columns=["site", "published_at", "first_day", "last_day", "stale"])


def with_week_over_week(frame: pd.DataFrame) -> pd.DataFrame:
    """The rollup's rows with ``visits_change`` and ``persons_change`` (absolute, against the
    site's own previous week, as published)."""
    out = frame.copy()
    out["visits_change"] = out["visits"] - out["visits_prev"]
    out["persons_change"] = out["persons"] - out["persons_prev"]
    return out


# --- the roll-up from published visits (both engines: DuckDB here, Spark in province_spark) ---

VISIT_WEEKLY_COLUMNS = [
    "site", "building", "visits", "persons", *(f"persons_{c}" for c in CATEGORIES),
    *(f"visits_{d}" for d in WEEKDAYS), "busiest_day", "busiest_day_visits", "median_stay_minutes", "auto_close_share",
]


def busiest_days(frame: pd.DataFrame, monday: date) -> pd.DataFrame:
    """``busiest_day`` (the earliest local day with the most check-ins; empty without
    visits) and ``busiest_day_visits`` from ``visits_mon..visits_sun``, as ``weekly_stats``."""
    out = frame.copy()
    per_day = out[[f"visits_{d}" for d in WEEKDAYS]].to_numpy(dtype="int64")
    best = per_day.argmax(axis=1) if len(out) else []
    out["busiest_day"] = [
        monday + timedelta(days=int(d)) if v > 0 else None for d, v in zip(best, out["visits"], strict=True)
    ]
    out["busiest_day_visits"] = per_day.max(axis=1) if len(out) else []
    for column in ("visits", "persons", *(f"persons_{c}" for c in CATEGORIES), *(f"visits_{d}" for d in WEEKDAYS)):
        out[column] = out[column].astype("int64")
    for column in ("median_stay_minutes", "auto_close_share"):
        out[column] = out[column].astype(float)
    return out[VISIT_WEEKLY_COLUMNS].reset_index(drop=True)


def weekly_from_visits(
    con: duckdb.DuckDBPyConnection, lake: Lake, week: str
) -> tuple[pd.DataFrame, list[LakeWarning]]:
    """RULES "Weekly statistics" per site and building computed from the published visits
    (``VISIT_WEEKLY_COLUMNS``): a visit belongs to the local day of its check-in (the
    ``day`` folder); persons are distinct pseudonyms; the median stay counts scanned
    check-outs only. What Spark computes in ``province_spark.weekly_from_visits``."""
    monday = monday_of(week)
    scan = scan_lake(lake, ("visits",), monday, monday + timedelta(days=6))
    if not scan.files["visits"]:
        return pd.DataFrame(columns=VISIT_WEEKLY_COLUMNS), scan.warnings
    days = ", ".join(
        f"count(*) FILTER (WHERE day = DATE '{(monday + timedelta(days=d)).isoformat()}') AS visits_{name}"
        for d, name in enumerate(WEEKDAYS)
    )
    source = (
        "read_parquet(?, hive_partitioning = true, hive_types = {'site': VARCHAR, 'day': DATE})"
        if lake.local else "visits_frame"
    )
    if not lake.local:
        visits_frame = read_dataset(con, lake, scan.files["visits"], "visits")  # noqa: F841 (read by DuckDB by name)
    frame = con.execute(
        f"""
        SELECT site, building, count(*) AS visits, count(DISTINCT person) AS persons,
               count(DISTINCT person) FILTER (WHERE category = 'ASN') AS "persons_ASN",
               count(DISTINCT person) FILTER (WHERE category = 'THL') AS "persons_THL",
               count(DISTINCT person) FILTER (WHERE category NOT IN ('ASN', 'THL')) AS persons_visitor,
               {days},
               quantile_cont(CAST(epoch_us(checkout_at) - epoch_us(checkin_at) AS DOUBLE), 0.5)
                   FILTER (WHERE checkout_kind = 'scan') / 60e6 AS median_stay_minutes,
               count(*) FILTER (WHERE checkout_kind = 'auto') / count(*) AS auto_close_share
        FROM {source}
        GROUP BY site, building ORDER BY site, building
        """,
        [scan.files["visits"]] if lake.local else [],
    ).df()
    return busiest_days(frame, monday), scan.warnings


def hourly_local(hourly: pd.DataFrame, buildings: pd.DataFrame) -> pd.DataFrame:
    """``rollup_hourly`` rows with ``local_hour``: the hour's start as local wall time
    (naive) in the building's own zone, for a chart whose axis reads as each office's clock."""
    zones = {(str(r.site), str(r.building)): str(r.timezone) for r in buildings.itertuples(index=False)}
    out = hourly.copy()
    out["local_hour"] = [
        pd.Timestamp(h).tz_convert(zones.get((str(s), str(b)), "Asia/Makassar")).tz_localize(None)
        for s, b, h in zip(out["site"], out["building"], out["hour"], strict=True)
    ]
    return out


WEEKS_COLUMNS = ["site", "building", "week", "visits", "persons"]


def weeks_from_visits(con: duckdb.DuckDBPyConnection, lake: Lake) -> tuple[pd.DataFrame, list[LakeWarning]]:
    """Every published week per site and building from the visits: ``site, building,
    week`` (ISO, of the local check-in day), ``visits``, ``persons`` (distinct
    pseudonyms): the national roll-up ``province_spark.weeks_from_visits`` runs on Spark."""
    scan = scan_lake(lake, ("visits",))
    if not scan.files["visits"] or not lake.local:
        frame = read_dataset(con, lake, scan.files["visits"], "visits")  # noqa: F841 (read by DuckDB by name)
        source = "frame"
    else:
        source = "read_parquet(?, hive_partitioning = true, hive_types = {'site': VARCHAR, 'day': DATE})"
    result = con.execute(
        f"""
        SELECT site, building, strftime(day, '%G-W%V') AS week, count(*) AS visits, count(DISTINCT person) AS persons
        FROM {source} GROUP BY ALL ORDER BY site, building, week
        """,
        [scan.files["visits"]] if source != "frame" else [],
    ).df()
    return result.astype({"visits": "int64", "persons": "int64"}), scan.warnings
