"""Reading the audit log (issue 6, "Roles and audit"): who, when, what, for whom, rows.

Records are written by ``lib.store.db.write_audit`` wherever something happens (logins, imports,
tracing searches, exports, settings and user changes); this module only reads them.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd

AUDIT_COLUMNS = ["logged_at", "actor", "action", "subject", "params", "rows"]


def read_audit(
    con: duckdb.DuckDBPyConnection,
    actors: list[str] | None = None,
    actions: list[str] | None = None,
    text: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int = 2000,
) -> pd.DataFrame:
    """Audit records, newest first, at most ``limit``.

    ``start``/``end`` are UTC instants, ``[start, end)``; ``text`` matches the subject or
    the parameters, case-insensitively. ``logged_at`` is a UTC instant.
    """
    conditions: list[str] = []
    params: list[object] = []
    if actors:
        conditions.append(f"actor IN ({', '.join('?' for _ in actors)})")
        params.extend(actors)
    if actions:
        conditions.append(f"action IN ({', '.join('?' for _ in actions)})")
        params.extend(actions)
    if text and text.strip():
        conditions.append(
            "(coalesce(subject, '') ILIKE ? ESCAPE '\\' OR coalesce(params, '') ILIKE ? ESCAPE '\\')"
        )
        pattern = "%" + text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        params.extend([pattern, pattern])
    if start is not None:
        conditions.append("logged_at >= ?")
        params.append(start)
    if end is not None:
        conditions.append("logged_at < ?")
        params.append(end)
    where = ("WHERE " + " AND ".join(conditions)) if conditions else ""
    query = f"""
        SELECT logged_at, actor, action, subject, params, rows FROM audit_log {where}
        ORDER BY logged_at DESC, rowid DESC LIMIT {int(limit)}
    """
    return con.execute(query, params).df()


def distinct_values(con: duckdb.DuckDBPyConnection, column: str) -> list[str]:
    """The actors or actions present in the log (for filter choices)."""
    if column not in ("actor", "action"):
        raise ValueError(column)
    return [r[0] for r in con.execute(f"SELECT DISTINCT {column} FROM audit_log ORDER BY 1").fetchall()]
