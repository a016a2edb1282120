"""Publishing a site's figures and pseudonymous visits to the province's lake (RULES "Province").

``publish(con, lake_location, site, key)`` writes, per local day, the site's hourly and
weekly figures and its visits and area stays, plus its buildings and rooms, as Parquet in
the Hive layout of ``lib.analytics.province``. Persons are the province pseudonym
HMAC-SHA256(key, person_id); category and roster unit are kept; names, NIKs and phones
never leave (RULES "Personal data").

- Each partition is written into a ``.tmp-`` folder beside it and renamed into place, so a
  reader sees the old partition or the new one, never half (on S3 one object per
  partition: a PUT is whole or absent).
- A partition whose bytes would not change is not touched: publishing twice changes no
  data file (the manifest's ``published_at`` moves on, it says the site is alive).
- Days are published from the data as it is now: what retention pseudonymised or removed
  at the site is so in the lake after the next publish; a day the site no longer has is
  removed from the lake (within the window asked, everywhere without one).
- Refused without a key, and with a key whose fingerprint differs from the lake's (another
  province's key would make pseudonyms nobody can match).
"""

from __future__ import annotations

import io
import json
import logging
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from lib.analytics import province
from lib.analytics.occupancy import hourly_occupancy
from lib.analytics.stays import effective_stays_sql
from lib.analytics.sweep import resolve_now
from lib.analytics.visits import effective_visits_sql, now_sql
from lib.analytics.week_counts import week_label
from lib.analytics.weekly import weekly_stats
from lib.core.errors import PantauError
from lib.core.timeutil import fixed_offset_seconds
from lib.store import db

AUDIT_ACTION = "province_publish"
log = logging.getLogger(__name__)


class PublishError(PantauError):
    """A publish refused (``code``: no_key, other_key, bad_site, bad_window, unreachable)."""

    TEXT_PREFIX = "province.error."


@dataclass
class PublishResult:
    site: str
    written: int = 0  # partitions (re)written
    unchanged: int = 0  # partitions whose bytes were already there
    removed: int = 0  # partitions of days the site no longer has
    days: int = 0
    rows: dict[str, int] = field(default_factory=dict)


key_fingerprint = province.key_fingerprint
pseudonym = province.pseudonym


def _parquet_bytes(table: pa.Table) -> bytes:
    """The same rows always give the same bytes (no timestamps, no pandas metadata)."""
    sink = io.BytesIO()
    pq.write_table(table.replace_schema_metadata(None), sink, compression="zstd")
    return sink.getvalue()


def _read_bytes(lake: province.Lake, path: str) -> bytes | None:
    try:
        with lake.fs.open_input_stream(path) as stream:
            return stream.read()
    except (FileNotFoundError, OSError):
        return None


def _write_file(lake: province.Lake, path: str, data: bytes) -> None:
    with lake.fs.open_output_stream(path) as stream:
        stream.write(data)


def replace_partition(lake: province.Lake, folder: str, data: bytes) -> bool:
    """``folder/part-0.parquet`` holds ``data`` afterwards; False when it already did.

    Locally the new partition is written into a ``.tmp-`` folder beside ``folder`` and
    renamed into place (the old one renamed away first and then deleted): a reader lists
    the old or the new, never a half-written file.
    """
    target = f"{folder}/{province.PART_FILE}"
    if _read_bytes(lake, target) == data:
        return False
    if not lake.local:
        lake.fs.create_dir(folder, recursive=True)
        _write_file(lake, target, data)  # one PUT: whole or absent
        return True
    parent, name = folder.rsplit("/", 1)
    lake.fs.create_dir(parent, recursive=True)
    temp = f"{parent}/{province.TEMP_PREFIX}{name}-{uuid.uuid4().hex[:12]}"
    lake.fs.create_dir(temp)
    try:
        _write_file(lake, f"{temp}/{province.PART_FILE}", data)
        if lake.fs.get_file_info(folder).type != pafs.FileType.NotFound:
            old = f"{parent}/{province.TEMP_PREFIX}old-{name}-{uuid.uuid4().hex[:12]}"
            lake.fs.move(folder, old)
            lake.fs.move(temp, folder)
            lake.fs.delete_dir(old)
        else:
            lake.fs.move(temp, folder)
    finally:
        if lake.fs.get_file_info(temp).type != pafs.FileType.NotFound:
            lake.fs.delete_dir(temp)
    return True


def _remove_partition(lake: province.Lake, folder: str) -> None:
    """Renamed away first, so a reader never lists a folder half deleted."""
    if not lake.local:
        lake.fs.delete_dir(folder)
        return
    parent, name = folder.rsplit("/", 1)
    old = f"{parent}/{province.TEMP_PREFIX}gone-{name}-{uuid.uuid4().hex[:12]}"
    lake.fs.move(folder, old)
    lake.fs.delete_dir(old)


def _table(frame: pd.DataFrame, dataset: str) -> pa.Table:
    schema = province.SCHEMAS[dataset]
    frame = frame[schema.names].copy()
    for column in schema.names:
        kind = schema.field(column).type
        if pa.types.is_timestamp(kind):
            frame[column] = pd.to_datetime(frame[column], utc=True).astype("datetime64[us, UTC]")
        elif pa.types.is_string(kind):
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
            frame[column] = frame[column].map(lambda v: None if v is None else str(v))
        elif pa.types.is_integer(kind):
            frame[column] = frame[column].astype("Int64")
    return pa.Table.from_pandas(frame, schema=schema, preserve_index=False)


def _local_day_sql(column: str) -> str:
    """The local date of ``column`` in the building's zone (``z`` joined on the building):
    a fixed offset where the zone has one (no per-row time-zone function)."""
    return (
        f"CASE WHEN z.off_us IS NOT NULL THEN CAST(make_timestamp(epoch_us({column}) + z.off_us) AS DATE) "
        f"ELSE CAST(timezone(z.tz, {column}) AS DATE) END"
    )


def _zones(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    zones = db.building_timezones(con)
    return pd.DataFrame({
        "building": list(zones),
        "tz": list(zones.values()),
        "off_us": pd.array(
            [None if (o := fixed_offset_seconds(tz)) is None else o * 1_000_000 for tz in zones.values()],
            dtype="Int64",
        ),
    })


def _personal_frames(
    con: duckdb.DuckDBPyConnection, key: str, now: datetime, first: date | None, last: date | None
) -> dict[str, pd.DataFrame]:
    """Visits and stays with their local ``day``, the person as the province pseudonym."""
    cursor = con.cursor()
    try:
        cursor.register("publish_zones", _zones(con))
        window = ""
        params: list[object] = []
        if first is not None:
            window += " AND day >= ?"
            params.append(first)
        if last is not None:
            window += " AND day <= ?"
            params.append(last)
        visits = cursor.execute(
            f"""
            SELECT * FROM (
                SELECT v.person_id, v.building, v.checkin_at, v.checkout_at, v.checkout_kind, v.category,
                       r.unit, {_local_day_sql('v.checkin_at')} AS day
                FROM ({effective_visits_sql(now_sql(now))}) AS v
                JOIN publish_zones AS z ON z.building = v.building
                LEFT JOIN roster AS r ON r.person_id = v.person_id
            ) WHERE true {window}
            ORDER BY day, building, checkin_at, person_id
            """,
            params,
        ).df()
        stays = cursor.execute(
            f"""
            SELECT * FROM (
                SELECT s.person_id, s.building, s.area, s.start_at, s.end_at, s.end_kind,
                       {_local_day_sql('s.start_at')} AS day
                FROM ({effective_stays_sql(now_sql(now))}) AS s
                JOIN publish_zones AS z ON z.building = s.building
            ) WHERE true {window}
            ORDER BY day, building, area, start_at, person_id
            """,
            params,
        ).df()
    finally:
        cursor.close()
    ids = pd.unique(pd.concat([visits["person_id"], stays["person_id"]], ignore_index=True))
    names = {person: pseudonym(key, person) for person in ids}
    for frame in (visits, stays):
        frame.insert(0, "person", frame.pop("person_id").map(names))
        frame["day"] = pd.to_datetime(frame["day"]).dt.date
    return {"visits": visits, "stays": stays}


def _data_span(con: duckdb.DuckDBPyConnection, now: datetime) -> tuple[date, date] | None:
    """The first and last local day with a check-in, the last not after today."""
    cursor = con.cursor()
    try:
        cursor.register("publish_zones", _zones(con))
        row = cursor.execute(
            f"SELECT min({_local_day_sql('v.checkin_at')}), max({_local_day_sql('v.checkin_at')}) "
            "FROM visits AS v JOIN publish_zones AS z ON z.building = v.building"
        ).fetchall()[0]
    finally:
        cursor.close()
    if row[0] is None:
        return None
    today = now.astimezone(UTC).date() + timedelta(days=1)  # any zone's today
    return row[0], min(row[1], today)


def _figure_frames(
    con: duckdb.DuckDBPyConnection, first: date, last: date, now: datetime
) -> dict[str, pd.DataFrame]:
    """Hourly figures of every hour of the days and weekly figures of every ISO week they touch."""
    zones = db.building_timezones(con)
    start = datetime(first.year, first.month, first.day, tzinfo=UTC) - timedelta(days=1)
    end = datetime(last.year, last.month, last.day, tzinfo=UTC) + timedelta(days=2)
    hourly = hourly_occupancy(con, start, end, now=now)
    local = [h.tz_convert(zones.get(b, db.DEFAULT_TIMEZONE)).date() for b, h in zip(hourly["building"], hourly["hour"], strict=True)]
    hourly["day"] = local
    hourly = hourly[(hourly["day"] >= first) & (hourly["day"] <= last)]
    weeks: list[pd.DataFrame] = []
    monday = first - timedelta(days=first.weekday())
    while monday <= last:
        iso = monday.isocalendar()
        frame = weekly_stats(con, week_label(iso.year, iso.week), now=now)
        frame["day"] = monday
        weeks.append(frame)
        monday += timedelta(weeks=1)
    weekly = pd.concat(weeks, ignore_index=True) if weeks else pd.DataFrame(columns=[*province.WEEKLY_COLUMNS, "day"])
    return {"hourly": hourly, "weekly": weekly}


def _site_frames(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    unconfirmed = db.unconfirmed_buildings(con)
    buildings = con.execute(
        "SELECT building_id AS building, name, timezone, capacity, threshold_people FROM buildings ORDER BY building_id"
    ).df()
    buildings["confirmed"] = ~buildings["building"].isin(unconfirmed)
    areas = con.execute(
        "SELECT building, area_id AS area, name, capacity FROM areas ORDER BY building, area_id"
    ).df()
    return {"buildings": buildings, "areas": areas}


def check_key(lake: province.Lake, key: str | None) -> str:
    """The key's fingerprint, refused when there is no key or the lake was started with another."""
    if not key:
        raise PublishError("no_key")
    fingerprint = key_fingerprint(key)
    known = province.lake_fingerprint(lake)
    if known is not None and known != fingerprint:
        raise PublishError("other_key", lake=lake.location)
    return fingerprint


def _write_json(lake: province.Lake, path: str, content: dict) -> None:
    """A manifest replaced whole: written beside it, then renamed over it."""
    data = (json.dumps(content, indent=2, sort_keys=True) + "\n").encode("utf-8")
    parent = path.rsplit("/", 1)[0]
    lake.fs.create_dir(parent, recursive=True)
    if not lake.local:
        _write_file(lake, path, data)
        return
    temp = f"{parent}/{province.TEMP_PREFIX}{uuid.uuid4().hex[:12]}.json"
    _write_file(lake, temp, data)
    lake.fs.move(temp, path)


def _existing_days(lake: province.Lake, dataset: str, site: str) -> dict[date, str]:
    folder = lake.path(dataset, f"site={site}")
    found: dict[date, str] = {}
    for info in lake.fs.get_file_info(pafs.FileSelector(folder, allow_not_found=True)):
        match = province.DAY_FOLDER.match(info.base_name)
        if match and info.type == pafs.FileType.Directory:
            found[date.fromisoformat(match.group(1))] = info.path
    return found


def _remove_leftovers(lake: province.Lake, site: str) -> None:
    """``.tmp-`` folders a killed publish of this site left (only this site's own)."""
    if not lake.local:
        return
    for dataset in province.SCHEMAS:
        folder = lake.path(dataset, f"site={site}")
        for info in lake.fs.get_file_info(pafs.FileSelector(folder, allow_not_found=True)):
            if info.base_name.startswith(province.TEMP_PREFIX):
                if info.type == pafs.FileType.Directory:
                    lake.fs.delete_dir(info.path)
                else:
                    lake.fs.delete_file(info.path)


def start_lake(lake: province.Lake, fingerprint: str) -> None:
    """A new lake remembers the key it was started with (``_lake.json``)."""
    if province.lake_fingerprint(lake) is None:
        _write_json(lake, lake.path(province.LAKE_FILE), {
            "format": "pantau-lake", "key_fingerprint": fingerprint, "schema_version": province.SCHEMA_VERSION,
        })


def write_manifest(lake: province.Lake, site: str, fingerprint: str, moment: datetime) -> None:
    """The site's manifest, written last: the days it has in the lake, when, with which key."""
    all_days: set[date] = set()
    for dataset in province.DAY_DATASETS:
        all_days |= set(_existing_days(lake, dataset, site))
    _write_json(lake, lake.path(province.SITES_FOLDER, f"{site}.json"), {
        "site": site,
        "schema_version": province.SCHEMA_VERSION,
        "key_fingerprint": fingerprint,
        "published_at": moment.astimezone(UTC).isoformat(),
        "first_day": min(all_days).isoformat() if all_days else None,
        "last_day": max(all_days).isoformat() if all_days else None,
    })


def publish(
    con: duckdb.DuckDBPyConnection,
    lake_location: str,
    site: str,
    key: str | None,
    first_day: date | None = None,
    last_day: date | None = None,
    actor: str = "system",
    now: datetime | None = None,
) -> PublishResult:
    """Publish the site's data (local days ``first_day`` to ``last_day``, both included;
    every day with data when not given) into the lake; audited ``province_publish``."""
    if not province.SITE_NAME.match(site or ""):
        raise PublishError("bad_site", site=site)
    if first_day and last_day and last_day < first_day:
        raise PublishError("bad_window")
    if not key:
        raise PublishError("no_key")
    try:
        lake = province.open_lake(lake_location, create=True)
    except province.LakeError as error:
        raise PublishError("unreachable", **error.values) from None
    fingerprint = check_key(lake, key)
    moment = resolve_now(now)
    result = PublishResult(site=site)
    _remove_leftovers(lake, site)
    start_lake(lake, fingerprint)

    span = _data_span(con, moment)
    frames: dict[str, pd.DataFrame] = {}
    first = last = None
    if span is not None:
        first = max(span[0], first_day) if first_day else span[0]
        last = min(span[1], last_day) if last_day else span[1]
        if first <= last:
            frames.update(_personal_frames(con, key, moment, first, last))
            frames.update(_figure_frames(con, first, last, moment))
    for dataset, frame in _site_frames(con).items():
        data = _parquet_bytes(_table(frame, dataset))
        folder = lake.path(dataset, f"site={site}")
        lake.fs.create_dir(folder, recursive=True)
        target = f"{folder}/{province.PART_FILE}"
        if _read_bytes(lake, target) == data:
            result.unchanged += 1
        else:
            # One file: written beside it and renamed over it (whole or not at all).
            temp = f"{folder}/{province.TEMP_PREFIX}{uuid.uuid4().hex[:12]}.parquet"
            _write_file(lake, temp, data)
            lake.fs.move(temp, target)
            result.written += 1
        result.rows[dataset] = len(frame)

    published_days: set[date] = set()
    for dataset in province.DAY_DATASETS:
        frame = frames.get(dataset)
        existing = _existing_days(lake, dataset, site)
        keep: set[date] = set()
        if frame is not None and len(frame):
            for day, rows in frame.groupby("day", sort=True):
                day = day if isinstance(day, date) else pd.Timestamp(day).date()
                keep.add(day)
                folder = lake.path(dataset, f"site={site}", f"day={day.isoformat()}")
                if replace_partition(lake, folder, _parquet_bytes(_table(rows, dataset))):
                    result.written += 1
                else:
                    result.unchanged += 1
            result.rows[dataset] = len(frame)
        if dataset != "weekly":  # its day is the week's Monday, maybe before the window
            published_days |= keep
        for day, folder in existing.items():
            in_window = (first_day is None or day >= first_day) and (last_day is None or day <= last_day)
            if day not in keep and in_window:
                _remove_partition(lake, folder)
                result.removed += 1
    result.days = len(published_days)

    write_manifest(lake, site, fingerprint, moment)
    with db.transaction(con):
        db.write_audit(
            con, actor, AUDIT_ACTION, subject=site,
            params=json.dumps({
                "lake": lake.location, "from": first_day.isoformat() if first_day else None,
                "to": last_day.isoformat() if last_day else None, "written": result.written,
                "removed": result.removed,
            }),
            rows=int(result.rows.get("visits", 0)),
        )
    return result


# --- the running app's nightly publish ----------------------------------------------------

DESTINATION_SETTING = "province_publish_to"
SITE_SETTING = "province_site"
LAST_PUBLISH_SETTING = "last_publish_day"
NIGHTLY_HOUR = 3  # local time: after the 01:00 backup and the 02:00 purge, so a purged day leaves the lake too


def publish_settings(con: duckdb.DuckDBPyConnection) -> tuple[str, str] | None:
    """(destination, site name) when Settings names both, else None (no nightly publish)."""
    destination = (db.get_setting(con, DESTINATION_SETTING) or "").strip()
    site = (db.get_setting(con, SITE_SETTING) or "").strip()
    return (destination, site) if destination and site else None


def set_publish_settings(con: duckdb.DuckDBPyConnection, destination: str, site: str, actor: str) -> bool:
    """Store where the site publishes each night, audited; '' for both stops it. A site name
    the lake would refuse is refused here (``PublishError('bad_site')``)."""
    destination, site = destination.strip(), site.strip()
    if site and not province.SITE_NAME.match(site):
        raise PublishError("bad_site", site=site)
    changed = db.set_setting_audited(con, DESTINATION_SETTING, destination or None, actor)
    return db.set_setting_audited(con, SITE_SETTING, site or None, actor) or changed


def nightly_publish(database: db.SharedDatabase, key: str | None, now: datetime | None = None) -> bool:
    """The running app's daily schedule: once a day from 03:00 local, when Settings names a
    destination and a site, publish every day the site holds (days retention removed leave
    the lake with it). A failure (no key, the share not mounted) is logged, and tried again
    the next night; it never stops the app. Returns whether a publish ran."""
    moment = resolve_now(now)
    today = moment.astimezone(ZoneInfo(db.DEFAULT_TIMEZONE))
    cursor = database.cursor()
    try:
        where = publish_settings(cursor)
        if where is None or today.hour < NIGHTLY_HOUR or (db.get_setting(cursor, LAST_PUBLISH_SETTING) or "") >= today.date().isoformat():
            return False
        try:
            publish(cursor, where[0], where[1], key, actor="schedule", now=moment)
        except PublishError as error:
            log.warning("nightly publish to %s refused: %s", where[0], error.code)
            return False
        with db.transaction(cursor):
            db.set_setting(cursor, LAST_PUBLISH_SETTING, today.date().isoformat())
        return True
    finally:
        cursor.close()
