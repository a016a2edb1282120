"""A database file as an older Pantau left it: the schema migrations up to a version, for
the tests of what the next migrations do to an office's existing file."""

from __future__ import annotations

from pathlib import Path

import duckdb

from lib.store import db


def store_at_version(path: Path, version: int) -> duckdb.DuckDBPyConnection:
    """A raw connection to a new file at schema ``version`` (UTC session), to fill and close
    before ``db.connect`` migrates it."""
    con = duckdb.connect(str(path))
    con.execute("SET TimeZone = 'UTC'")
    con.execute("CREATE TABLE schema_meta (version INTEGER, applied_at TIMESTAMPTZ)")
    for number, script in enumerate(db.MIGRATIONS[:version], start=1):
        con.execute(script)
        con.execute("INSERT INTO schema_meta VALUES (?, current_timestamp)", [number])
    return con
