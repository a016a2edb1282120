"""Creating and changing buildings, which may change their visits.

SPEC "From events to visits": MAX_STAY per building and category. Changing it re-pairs
every person with events in the building (``lib.ingest.pairing.repair_all``) in the same
transaction as the change, so visits are never half old and half new. Reading buildings,
gates, thresholds and the installation settings is ``lib.store.places``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import duckdb

from lib.core.timeutil import is_valid_timezone
from lib.ingest import pairing
from lib.store import db
from lib.store.places import ID_PATTERN, MAX_STAY_LIMIT_MIN, PPKM_SHARES, THRESHOLD_MODES, SettingsError


@dataclass
class BuildingForm:
    """What the settings form submits for one building. Minutes for MAX_STAY."""

    building_id: str
    name: str
    timezone: str
    capacity: int | None
    threshold_mode: str  # 'people' | 'share' | 'ppkm' | 'none'
    threshold_people: int | None = None
    threshold_share: float | None = None  # 0 < share <= 1
    ppkm_level: int | None = None
    max_stay_asn_min: int = db.DEFAULT_MAX_STAY_MINUTES["ASN"]
    max_stay_thl_min: int = db.DEFAULT_MAX_STAY_MINUTES["THL"]
    max_stay_visitor_min: int = db.DEFAULT_MAX_STAY_MINUTES["visitor"]


def _validate(form: BuildingForm) -> BuildingForm:
    if not ID_PATTERN.match(form.building_id or ""):
        raise SettingsError("bad_id")
    if not is_valid_timezone((form.timezone or "").strip()):
        raise SettingsError("bad_timezone", timezone=form.timezone)
    if form.capacity is not None and form.capacity < 0:
        raise SettingsError("bad_capacity")
    if form.threshold_mode not in THRESHOLD_MODES:
        raise SettingsError("bad_threshold")
    if form.threshold_mode == "people" and (form.threshold_people is None or form.threshold_people < 0):
        raise SettingsError("bad_threshold")
    if form.threshold_mode == "share" and not (form.threshold_share and 0 < form.threshold_share <= 1):
        raise SettingsError("bad_share")
    if form.threshold_mode == "ppkm" and form.ppkm_level not in PPKM_SHARES:
        raise SettingsError("bad_ppkm")
    if form.threshold_mode in ("share", "ppkm") and not form.capacity:
        raise SettingsError("needs_capacity")
    for minutes in (form.max_stay_asn_min, form.max_stay_thl_min, form.max_stay_visitor_min):
        if not 1 <= int(minutes) <= MAX_STAY_LIMIT_MIN:
            raise SettingsError("bad_max_stay", hours=MAX_STAY_LIMIT_MIN // 60)
    return form


def save_building(con: duckdb.DuckDBPyConnection, form: BuildingForm, actor: str) -> dict[str, object]:
    """Create or update a building; returns the changed fields (old, new) and whether visits
    were re-paired. Raises SettingsError on a bad value; nothing is written then."""
    _validate(form)
    values = {
        "name": (form.name or "").strip() or form.building_id,
        "timezone": form.timezone.strip(),
        "capacity": form.capacity,
        "threshold_people": form.threshold_people if form.threshold_mode == "people" else None,
        "threshold_share": form.threshold_share if form.threshold_mode == "share" else None,
        "ppkm_level": form.ppkm_level if form.threshold_mode == "ppkm" else None,
        "max_stay_asn_min": int(form.max_stay_asn_min),
        "max_stay_thl_min": int(form.max_stay_thl_min),
        "max_stay_visitor_min": int(form.max_stay_visitor_min),
    }
    columns = list(values)
    with db.transaction(con):
        old_rows = con.execute(
            f"SELECT {', '.join(columns)} FROM buildings WHERE building_id = ?", [form.building_id]
        ).fetchall()
        old = dict(zip(columns, old_rows[0], strict=True)) if old_rows else None
        if old is None:
            con.execute(
                f"INSERT INTO buildings (building_id, {', '.join(columns)}) VALUES (?{', ?' * len(columns)})",
                [form.building_id, *values.values()],
            )
            changes = {c: (None, v) for c, v in values.items()}
        else:
            changes = {c: (old[c], v) for c, v in values.items() if old[c] != v}
            if changes:
                assignments = ", ".join(f"{c} = ?" for c in columns)
                con.execute(
                    f"UPDATE buildings SET {assignments} WHERE building_id = ?",
                    [*values.values(), form.building_id],
                )
        repaired = old is not None and any(c.startswith("max_stay_") for c in changes)
        if repaired:
            # SPEC "From events to visits": visits follow the new MAX_STAY.
            pairing.repair_all(con, form.building_id)
        if changes:
            db.write_audit(
                con, actor, "building_create" if old is None else "building_update", form.building_id,
                json.dumps({c: {"old": o, "new": n} for c, (o, n) in changes.items()}, default=str),
                len(changes),
            )
    return {"created": old is None, "changes": changes, "repaired": repaired}


