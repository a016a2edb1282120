"""Data quality (RULES "From events to visits", last rule; issue 4 "Kualitas data").

Per building and local day (the building's time zone, RULES "Time"):
- ``duplicates``: scans ignored as double scans (within DEDUP), by the day of the scan;
- ``orphans``: check-outs without a matching open visit, by the day of the scan;
- ``auto_closes``: visits closed automatically at ``checkin_at + MAX_STAY``, stored ones
  and open ones whose MAX_STAY is already past at ``now``, by the day of the check-in
  (the day someone forgot to scan out).
Quarantined rows have no trustworthy building (the row is broken), so they are listed per
import file with the reason in words.

Check-in compliance: per building and local day, the distinct staff (ASN and THL) who
checked in, against the staff expected per working day (app setting
``expected_staff:<building>``); ``share`` = checked in / expected.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd

from lib.analytics.visits import effective_visits_sql
from lib.core.i18n import quarantine_reason
from lib.core.timeutil import fixed_offset_seconds
from lib.store import places


def _building_frame(
    con: duckdb.DuckDBPyConnection, first_day: date, last_day: date, building: str | None
) -> pd.DataFrame:
    """building, tz, offset_s (None for zones with daylight saving), lo, hi (UTC bounds of
    the local days ``[first_day, last_day]``)."""
    rows = con.execute(
        "SELECT building_id, timezone FROM buildings WHERE (? IS NULL OR building_id = ?) ORDER BY 1",
        [building, building],
    ).fetchall()
    records = []
    for building_id, tz in rows:
        zone = ZoneInfo(tz)
        lo = datetime.combine(first_day, datetime.min.time(), zone).astimezone(UTC)
        hi = datetime.combine(last_day + timedelta(days=1), datetime.min.time(), zone).astimezone(UTC)
        records.append({"building": building_id, "tz": tz, "offset_s": fixed_offset_seconds(tz), "lo": lo, "hi": hi})
    frame = pd.DataFrame(records, columns=["building", "tz", "offset_s", "lo", "hi"])
    frame["offset_s"] = frame["offset_s"].astype("Int64")
    return frame


def _local_day(column: str) -> str:
    """SQL: the local date of a UTC instant, for a row joined with the building frame ``b``.

    Fixed-offset zones (all Indonesian ones) add the offset instead of the slow per-row
    time-zone conversion (RULES "Time").
    """
    return (
        f"CASE WHEN b.offset_s IS NOT NULL THEN CAST({column} + to_seconds(b.offset_s) AS DATE) "
        f"ELSE CAST(timezone(b.tz, {column}) AS DATE) END"
    )


def _spine(frame: pd.DataFrame, first_day: date, last_day: date) -> pd.DataFrame:
    days = [first_day + timedelta(days=i) for i in range((last_day - first_day).days + 1)]
    return pd.DataFrame(
        [(b, d) for b in frame["building"] for d in days], columns=["building", "day"]
    )


def daily_anomalies(
    con: duckdb.DuckDBPyConnection,
    first_day: date,
    last_day: date,
    now: datetime,
    building: str | None = None,
) -> pd.DataFrame:
    """building, day (local date), duplicates, orphans, auto_closes: one row per building
    and day of ``[first_day, last_day]`` (both included), zeros where nothing happened."""
    frame = _building_frame(con, first_day, last_day, building)
    columns = ["building", "day", "duplicates", "orphans", "auto_closes"]
    if frame.empty or last_day < first_day:
        return pd.DataFrame(columns=columns)
    con.register("quality_buildings", frame)
    try:
        scans = con.execute(
            f"""
            SELECT a.building, {_local_day('a.ts')} AS day,
                   count(*) FILTER (WHERE a.kind = 'duplicate') AS duplicates,
                   count(*) FILTER (WHERE a.kind = 'orphan') AS orphans
            FROM scan_anomalies a JOIN quality_buildings b ON a.building = b.building
            WHERE a.ts >= b.lo AND a.ts < b.hi
            GROUP BY ALL
            """
        ).df()
        autos = con.execute(
            f"""
            SELECT v.building, {_local_day('v.checkin_at')} AS day, count(*) AS auto_closes
            FROM ({effective_visits_sql('CAST($now AS TIMESTAMPTZ)')}) v
            JOIN quality_buildings b ON v.building = b.building
            WHERE v.checkin_at >= b.lo AND v.checkin_at < b.hi AND v.checkout_kind = 'auto'
            GROUP BY ALL
            """,
            {"now": now},
        ).df()
    finally:
        con.unregister("quality_buildings")
    out = _spine(frame, first_day, last_day)
    for part in (scans, autos):
        if not part.empty:
            part["day"] = pd.to_datetime(part["day"]).dt.date
        out = out.merge(part, on=["building", "day"], how="left") if not part.empty else out
    for column in columns[2:]:
        out[column] = out[column].fillna(0).astype(int) if column in out else 0
    return out[columns]


def compliance(
    con: duckdb.DuckDBPyConnection,
    first_day: date,
    last_day: date,
    building: str | None = None,
) -> pd.DataFrame:
    """building, day, weekday (ISO 1 = Monday), staff_checked_in (distinct ASN/THL persons
    with a visit beginning that local day), expected (or <NA>), share (or NaN)."""
    frame = _building_frame(con, first_day, last_day, building)
    columns = ["building", "day", "weekday", "staff_checked_in", "expected", "share"]
    if frame.empty or last_day < first_day:
        return pd.DataFrame(columns=columns)
    con.register("quality_buildings", frame)
    try:
        staff = con.execute(
            f"""
            SELECT v.building, {_local_day('v.checkin_at')} AS day, count(DISTINCT v.person_id) AS staff_checked_in
            FROM visits v JOIN quality_buildings b ON v.building = b.building
            WHERE v.checkin_at >= b.lo AND v.checkin_at < b.hi AND v.category IN ('ASN', 'THL')
            GROUP BY ALL
            """
        ).df()
    finally:
        con.unregister("quality_buildings")
    out = _spine(frame, first_day, last_day)
    if not staff.empty:
        staff["day"] = pd.to_datetime(staff["day"]).dt.date
        out = out.merge(staff, on=["building", "day"], how="left")
    else:
        out["staff_checked_in"] = 0
    out["staff_checked_in"] = out["staff_checked_in"].fillna(0).astype(int)
    out["weekday"] = [d.isoweekday() for d in out["day"]]
    expected = places.expected_staff(con)
    out["expected"] = pd.array([expected.get(b) for b in out["building"]], dtype="Int64")
    out["share"] = [
        (c / e) if e is not None and not pd.isna(e) and e > 0 else float("nan")
        for c, e in zip(out["staff_checked_in"], out["expected"], strict=True)
    ]
    return out[columns]


def quarantine_rows(
    con: duckdb.DuckDBPyConnection,
    file_names: list[str] | None = None,
    lang: str | None = None,
    limit: int = 1000,
) -> pd.DataFrame:
    """Quarantined rows, newest import first: imported_at (UTC), file_name, row_no,
    reason (code), reason_text (in words, ``lang``), raw (the row as JSON text).

    ``file_names`` limits the list to those files (a bad row is kept once per file name,
    so a file imported again shows the rows of its first import)."""
    where, params = "", []
    if file_names is not None:
        if not file_names:
            return pd.DataFrame(columns=["imported_at", "file_name", "row_no", "reason", "reason_text", "raw"])
        where = f"WHERE q.file_name IN ({', '.join('?' for _ in file_names)})"
        params = list(file_names)
    frame = con.execute(
        f"""
        SELECT i.imported_at, q.file_name, q.row_no, q.reason, q.raw
        FROM quarantine q LEFT JOIN imports i USING (import_id) {where}
        ORDER BY i.imported_at DESC NULLS LAST, q.import_id DESC, q.row_no LIMIT {int(limit)}
        """,
        params,
    ).df()
    frame.insert(4, "reason_text", [quarantine_reason(code, lang) for code in frame["reason"]])
    return frame


def quarantine_by_import(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per import file: imported_at (UTC), file_name, imported_by, rows_read, quarantined."""
    return con.execute(
        """
        SELECT imported_at, file_name, imported_by, rows_read, quarantined
        FROM imports WHERE quarantined > 0 ORDER BY imported_at DESC, import_id DESC
        """
    ).df()
