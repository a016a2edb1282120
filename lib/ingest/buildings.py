"""Creating and changing buildings, which may change their visits.

RULES "From events to visits": MAX_STAY per building and category. Changing it re-pairs
every person with events in the building (``lib.ingest.pairing.repair_all``) in the same
transaction as the change, so visits are never half old and half new. Reading buildings,
gates, thresholds and the installation settings is ``lib.store.places``.

RULES "Import": a building first named in an imported log is created unconfirmed
(``buildings.confirmed`` false). An administrator confirms it, renames it (its display
name; that confirms it too), merges it into an existing building (a typo: its events move
there) or deletes it with its data. Saving a building in the settings form confirms it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import duckdb

from lib.core.text import clean_text
from lib.core.timeutil import is_valid_timezone
from lib.ingest import pairing
from lib.store import db
from lib.store.places import ID_PATTERN, MAX_STAY_LIMIT_MIN, PPKM_SHARES, THRESHOLD_MODES, SettingsError
from lib.store.relations import PersonsToRepair


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
        "name": clean_text(form.name, -1) or form.building_id,
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
        # An administrator who saves a building configures it: it is confirmed from now on.
        was_new = con.execute(
            "SELECT count(*) FROM buildings WHERE building_id = ? AND NOT coalesce(confirmed, true)", [form.building_id]
        ).fetchall()[0][0]
        if was_new:
            con.execute("UPDATE buildings SET confirmed = true WHERE building_id = ?", [form.building_id])
            changes["confirmed"] = (False, True)
        repaired = old is not None and any(c.startswith("max_stay_") for c in changes)
        if repaired:
            # RULES "From events to visits": visits follow the new MAX_STAY.
            pairing.repair_all(con, form.building_id)
        if changes:
            db.write_audit(
                con, actor, "building_create" if old is None else "building_update", form.building_id,
                json.dumps({c: {"old": o, "new": n} for c, (o, n) in changes.items()}, default=str),
                len(changes),
            )
    return {"created": old is None, "changes": changes, "repaired": repaired}


def _require_new(con: duckdb.DuckDBPyConnection, building: str) -> None:
    """Refuse unless ``building`` exists and is still unconfirmed."""
    rows = con.execute(
        "SELECT coalesce(confirmed, true) FROM buildings WHERE building_id = ?", [building]
    ).fetchall()
    if not rows:
        raise SettingsError("unknown_building", building=building)
    if rows[0][0]:
        raise SettingsError("not_new", building=building)


def confirm_building(con: duckdb.DuckDBPyConnection, building: str, actor: str) -> None:
    """Accept a building first seen in an import as a real one (it joins leadership totals)."""
    with db.transaction(con):
        _require_new(con, building)
        con.execute("UPDATE buildings SET confirmed = true WHERE building_id = ?", [building])
        db.write_audit(con, actor, "building_confirm", building, None, 1)


def rename_building(con: duckdb.DuckDBPyConnection, building: str, name: str, actor: str) -> None:
    """Set the display name of a new building and confirm it (its id, in the logs, stays)."""
    clean = clean_text(name, -1)
    if not clean:
        raise SettingsError("bad_name")
    with db.transaction(con):
        _require_new(con, building)
        old = con.execute("SELECT name FROM buildings WHERE building_id = ?", [building]).fetchall()[0][0]
        con.execute("UPDATE buildings SET name = ?, confirmed = true WHERE building_id = ?", [clean, building])
        db.write_audit(con, actor, "building_rename", building, json.dumps({"old": old, "new": clean}), 1)


def _persons_of(con: duckdb.DuckDBPyConnection, building: str) -> tuple[PersonsToRepair, int]:
    """Everyone with events in ``building``, to be re-paired over their whole history
    (``from_ts`` NULL), and how many they are."""
    persons = PersonsToRepair.create(
        con,
        "SELECT p.person_id, CAST(NULL AS TIMESTAMPTZ) AS from_ts, p.category "
        "FROM persons p SEMI JOIN (SELECT person_id FROM events WHERE building = ?) e USING (person_id)",
        [building],
    )
    return persons, int(con.execute(f"SELECT count(*) FROM {persons.table}").fetchall()[0][0])


def _drop_building_rows(con: duckdb.DuckDBPyConnection, building: str) -> None:
    """Everything stored under ``building`` besides its events: visits, anomalies, stored
    figures, gates, its settings and the building row itself."""
    for table in ("visits", "scan_anomalies", "hourly_figures", "hourly_figures_state", "weekly_figures",
                  "weekly_figures_state"):
        con.execute(f"DELETE FROM {table} WHERE building = ?", [building])
    con.execute("DELETE FROM gates WHERE building_id = ?", [building])
    con.execute("DELETE FROM app_settings WHERE key = ?", [f"expected_staff:{building}"])
    con.execute("DELETE FROM buildings WHERE building_id = ?", [building])


def _repair_persons(con: duckdb.DuckDBPyConnection, persons: PersonsToRepair) -> None:
    """Re-pair ``persons`` with the full rules and refresh the stored figures."""
    pairing.repair_and_refresh(con, persons)
    persons.drop(con)


def merge_building(con: duckdb.DuckDBPyConnection, source: str, target: str, actor: str) -> dict[str, int]:
    """Merge a new building (a typo in a log) into an existing one, in one transaction.

    Its events move to ``target``; an event identical to one already there (RULES "Import"
    identity ``(person_id, building, action, timestamp)``) is dropped. The persons
    concerned are re-paired over their whole history (RULES "From events to visits": their
    visits are then those of a log that named ``target`` from the start), the stored
    figures refreshed, and ``source`` removed (its gates, settings and figures with it).
    Returns ``moved``, ``dropped`` (events) and ``persons`` (re-paired).
    """
    if source == target:
        raise SettingsError("merge_same")
    with db.transaction(con):
        _require_new(con, source)
        if not con.execute("SELECT count(*) FROM buildings WHERE building_id = ?", [target]).fetchall()[0][0]:
            raise SettingsError("unknown_building", building=target)
        affected, persons = _persons_of(con, source)
        total = int(con.execute("SELECT count(*) FROM events WHERE building = ?", [source]).fetchall()[0][0])
        identical = """
            FROM events s
            WHERE s.building = $source AND {negation} EXISTS (
                SELECT 1 FROM events e
                WHERE e.building = $target AND e.person_id = s.person_id AND e.action = s.action AND e.ts = s.ts
            )
        """
        names = {"source": source, "target": target}
        dropped = int(con.execute("SELECT count(*) " + identical.format(negation=""), names).fetchall()[0][0])
        con.execute(
            "INSERT INTO events SELECT s.person_id, $target, s.action, s.ts, s.name, s.category, s.phone, s.gate, "
            "s.area, s.status, s.import_id, s.purpose, s.host, s.institution " + identical.format(negation="NOT"),
            names,
        )
        con.execute("DELETE FROM events WHERE building = ?", [source])
        _drop_building_rows(con, source)
        _repair_persons(con, affected)
        db.write_audit(
            con, actor, "building_merge", source,
            json.dumps({"into": target, "moved": total - dropped, "dropped": dropped, "persons": persons}), total,
        )
    return {"moved": total - dropped, "dropped": dropped, "persons": persons}


def delete_building(con: duckdb.DuckDBPyConnection, building: str, actor: str) -> dict[str, int]:
    """Delete a new building with its events, visits, anomalies and stored figures.

    The persons who scanned there are re-paired without those events (a check-in there
    may have closed a visit elsewhere). One transaction. Returns ``events`` (deleted) and
    ``persons`` (re-paired).
    """
    with db.transaction(con):
        _require_new(con, building)
        affected, persons = _persons_of(con, building)
        total = int(con.execute("SELECT count(*) FROM events WHERE building = ?", [building]).fetchall()[0][0])
        con.execute("DELETE FROM events WHERE building = ?", [building])
        _drop_building_rows(con, building)
        _repair_persons(con, affected)
        db.write_audit(con, actor, "building_delete", building, json.dumps({"events": total, "persons": persons}), total)
    return {"events": total, "persons": persons}


def current_form(con: duckdb.DuckDBPyConnection, building: str) -> BuildingForm:
    """The settings form of a stored building as it is now (the threshold mode is the one
    its stored value says, RULES "Crowding"); SettingsError('unknown_building') if none."""
    rows = con.execute(
        "SELECT coalesce(name, building_id), timezone, capacity, threshold_people, threshold_share, ppkm_level, "
        "max_stay_asn_min, max_stay_thl_min, max_stay_visitor_min FROM buildings WHERE building_id = ?",
        [building],
    ).fetchall()
    if not rows:
        raise SettingsError("unknown_building", building=building)
    name, timezone, capacity, people, share, level, asn, thl, visitor = rows[0]
    mode = "people" if people is not None else "share" if share is not None else "ppkm" if level is not None else "none"
    return BuildingForm(
        building_id=building, name=str(name), timezone=str(timezone or db.DEFAULT_TIMEZONE), capacity=capacity,
        threshold_mode=mode, threshold_people=people, threshold_share=share, ppkm_level=level,
        max_stay_asn_min=int(asn if asn is not None else db.DEFAULT_MAX_STAY_MINUTES["ASN"]),
        max_stay_thl_min=int(thl if thl is not None else db.DEFAULT_MAX_STAY_MINUTES["THL"]),
        max_stay_visitor_min=int(visitor if visitor is not None else db.DEFAULT_MAX_STAY_MINUTES["visitor"]),
    )


def set_building_name(con: duckdb.DuckDBPyConnection, building: str, name: str, actor: str) -> None:
    """Change a building's display name, as Settings does: a new building through
    ``rename_building`` (which confirms it), a confirmed one through ``save_building`` with
    its other settings unchanged (audited 'building_update'; no re-pairing)."""
    clean = clean_text(name, -1)
    if not clean:
        raise SettingsError("bad_name")
    if building in db.unconfirmed_buildings(con):
        rename_building(con, building, clean, actor)
        return
    form = current_form(con, building)
    form.name = clean
    save_building(con, form, actor)
