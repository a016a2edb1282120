"""Local time of a building (RULES "Time"): zones, window parsing and formatting."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import pandas as pd


def local_midnight(day: date, tz_name: str) -> datetime:
    """00:00 of the local ``day`` in ``tz_name``, as a UTC instant (RULES "Time": days are
    local to the building)."""
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(tz_name)).astimezone(UTC)


def local_days(first: date, days: int, tz_name: str) -> tuple[datetime, datetime]:
    """``[first 00:00, first + days 00:00)`` local, as UTC instants: a day (1), an ISO week
    from its Monday (7), a tracing window."""
    return local_midnight(first, tz_name), local_midnight(first + timedelta(days=days), tz_name)


ZONE_ABBREVIATIONS = {
    "Asia/Makassar": "WITA",
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Jayapura": "WIT",
}


@lru_cache(maxsize=64)
def fixed_offset_seconds(tz_name: str) -> int | None:
    """The zone's UTC offset in seconds if it never changed since 2000, else None.

    Indonesian zones have no daylight saving, so local <-> UTC is one subtraction: that
    keeps DuckDB off its slow per-row time-zone functions (CONTRIBUTING "Stack notes").
    """
    zone = ZoneInfo(tz_name)
    offsets = {
        datetime(year, month, 15, tzinfo=UTC).astimezone(zone).utcoffset()
        for year in range(2000, 2041)
        for month in (1, 4, 7, 10)
    }
    if len(offsets) != 1:
        return None
    only = offsets.pop()
    return int(only.total_seconds()) if only is not None else None


def zone_label(tz_name: str) -> str:
    """Short name users know: 'WITA' for Asia/Makassar, else the offset ('UTC+7')."""
    if tz_name in ZONE_ABBREVIATIONS:
        return ZONE_ABBREVIATIONS[tz_name]
    offset = fixed_offset_seconds(tz_name)
    if offset is None:
        return tz_name
    hours, rest = divmod(abs(offset), 3600)
    sign = "+" if offset >= 0 else "-"
    return f"UTC{sign}{hours}" + (f":{rest // 60:02d}" if rest else "")


def is_valid_timezone(tz_name: str) -> bool:
    try:
        ZoneInfo(tz_name)
    except (KeyError, ValueError, OSError):
        return False
    return True


_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DAY_FIRST_DATE = re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$")


def parse_local_bound(text: str, tz_name: str, is_end: bool) -> datetime:
    """A --from/--to value as a UTC instant (RULES "Command line").

    A date means whole days, both included: ``--to 2022-01-09`` ends at the start of
    2022-01-10 local time. A date-time is the bound itself, ``[from, to)``.
    Raises ValueError with a user-facing message for anything else.
    """
    value = text.strip()
    zone = ZoneInfo(tz_name)
    if _DATE_ONLY.match(value) or _DAY_FIRST_DATE.match(value):
        day = (
            date.fromisoformat(value)
            if "-" in value
            else datetime.strptime(value, "%d/%m/%Y").date()
        )
        if is_end:
            day = day + timedelta(days=1)
        local = datetime(day.year, day.month, day.day, tzinfo=zone)
        return local.astimezone(UTC)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        try:
            parsed = datetime.strptime(value, "%d/%m/%Y %H:%M")
        except ValueError:
            raise ValueError(f"not a date or date-time: {text!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)


def format_local_iso(series: pd.Series, tz_names: pd.Series | str) -> pd.Series:
    """UTC instants as ISO 8601 local time with offset: '2022-01-03T08:00:00+08:00'.

    Empty for missing instants. ``tz_names`` is one zone or a zone per row.
    """
    instants = pd.to_datetime(series, utc=True)
    out = pd.Series([""] * len(series), index=series.index, dtype="object")
    zones = (
        pd.Series([tz_names] * len(series), index=series.index)
        if isinstance(tz_names, str)
        else tz_names
    )
    for zone_name in pd.unique(zones):
        mask = (zones == zone_name) & instants.notna()
        if not mask.any():
            continue
        local = instants[mask].dt.tz_convert(str(zone_name))
        text = local.dt.strftime("%Y-%m-%dT%H:%M:%S%z")
        # strftime gives +0800; ISO 8601 with a colon reads better and parses everywhere.
        out[mask] = text.str.replace(r"([+-]\d{2})(\d{2})$", r"\1:\2", regex=True)
    return out


def _local_stamp(instant: datetime | pd.Timestamp | None, tz_name: str) -> pd.Timestamp | None:
    """An instant (naive = UTC) on the clock of ``tz_name``; None for a missing one."""
    if instant is None or pd.isna(instant):
        return None
    stamp = pd.Timestamp(instant)
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    return stamp.tz_convert(tz_name)


def format_local_short(instant: datetime | pd.Timestamp | None, tz_name: str) -> str:
    """'03/01/2022 08:00 WITA' for pages and people-facing exports."""
    local = _local_stamp(instant, tz_name)
    return "" if local is None else f"{local:%d/%m/%Y %H:%M} {zone_label(tz_name)}"


def format_local_time(instant: datetime | pd.Timestamp | None, tz_name: str) -> str:
    """'08:00 WITA': the local clock time with the zone named."""
    local = _local_stamp(instant, tz_name)
    return "" if local is None else f"{local:%H:%M} {zone_label(tz_name)}"
