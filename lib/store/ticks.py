"""Roll-calls and the marshals' ticks (who was seen safe at the assembly point), audited.

A roll-call is started for an instant and a building (or all); each tick or untick is
stored (the latest state per person) and written to the audit log. Ticks name persons:
personal data, removed by the retention purge with the rest.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import duckdb
import pandas as pd

from lib.store import db


def start_rollcall(con: duckdb.DuckDBPyConnection, at: datetime, building: str | None, actor: str) -> int:
    """Open a roll-call for the instant ``at`` (UTC-aware) and return its id (audited)."""
    with db.transaction(con):
        # The next id after the stored ones (not the sequence: a restored backup may hold
        # higher ids than this file's sequence has handed out). The write lock serialises it.
        rollcall_id = int(con.execute("SELECT coalesce(max(rollcall_id), 0) + 1 FROM rollcalls").fetchall()[0][0])
        con.execute(
            "INSERT INTO rollcalls VALUES (?, ?, ?, ?, ?)",
            [rollcall_id, building, at.astimezone(UTC), datetime.now(UTC), actor],
        )
        db.write_audit(con, actor, "rollcall_start", building, json.dumps({"rollcall": rollcall_id, "at": at.isoformat()}))
    return rollcall_id


def latest_rollcall(con: duckdb.DuckDBPyConnection, building: str | None) -> dict[str, object] | None:
    """The newest roll-call for ``building`` (None: all buildings), or None."""
    rows = con.execute(
        "SELECT rollcall_id, rollcall_at, started_at, started_by FROM rollcalls WHERE building IS NOT DISTINCT FROM ? "
        "ORDER BY rollcall_id DESC LIMIT 1",
        [building],
    ).fetchall()
    if not rows:
        return None
    rollcall_id, at, started_at, started_by = rows[0]
    return {"rollcall_id": int(rollcall_id), "rollcall_at": at, "started_at": started_at, "started_by": started_by}


def set_tick(
    con: duckdb.DuckDBPyConnection, rollcall_id: int, building: str, person_id: str, ticked: bool, actor: str
) -> bool:
    """Tick (or untick) a person in a roll-call; False when it was already so. Audited."""
    with db.transaction(con):
        rows = con.execute(
            "SELECT ticked FROM rollcall_ticks WHERE rollcall_id = ? AND building = ? AND person_id = ?",
            [rollcall_id, building, person_id],
        ).fetchall()
        if rows and bool(rows[0][0]) == ticked or (not rows and not ticked):
            return False
        con.execute(
            "INSERT INTO rollcall_ticks VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (rollcall_id, building, person_id) "
            "DO UPDATE SET ticked = excluded.ticked, ticked_at = excluded.ticked_at, ticked_by = excluded.ticked_by",
            [rollcall_id, building, person_id, ticked, datetime.now(UTC), actor],
        )
        db.write_audit(
            con, actor, "rollcall_tick" if ticked else "rollcall_untick", person_id,
            json.dumps({"rollcall": rollcall_id, "building": building}), 1,
        )
    return True


def ticks(con: duckdb.DuckDBPyConnection, rollcall_id: int) -> pd.DataFrame:
    """The ticks of a roll-call: building, person_id, ticked, ticked_at (UTC), ticked_by."""
    return con.execute(
        "SELECT building, person_id, ticked, ticked_at, ticked_by FROM rollcall_ticks WHERE rollcall_id = ? "
        "ORDER BY building, person_id",
        [rollcall_id],
    ).df()


def ticked_set(con: duckdb.DuckDBPyConnection, rollcall_id: int) -> set[tuple[str, str]]:
    """(building, person_id) of everyone ticked in the roll-call."""
    rows = con.execute(
        "SELECT building, person_id FROM rollcall_ticks WHERE rollcall_id = ? AND ticked", [rollcall_id]
    ).fetchall()
    return {(str(b), str(p)) for b, p in rows}
