"""Alerts sent to the webhook an administrator set in Settings (RULES "Alerts").

Runs in the owner's alert thread, never in a page or an import: a webhook that is slow,
down or answering 500 only costs that thread its time. Each alert due
(``lib.analytics.alerts.alerts_due``) is posted as JSON, at most once per
``REPEAT_MINUTES`` while it stays due, at most ``MAX_PER_RUN`` posts per run (the worst
kinds first; the rest wait for the next run), each tried ``ATTEMPTS`` times with a
growing pause. Every attempt is written to ``webhook_deliveries``; the HTTP request is
made outside the write lock. The payload holds figures only, no names.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import duckdb
import pandas as pd

from lib.analytics.alerts import alerts_due
from lib.core.i18n import t
from lib.core.timeutil import format_local_iso
from lib.store import db, office, places

REPEAT_MINUTES = 60
MAX_PER_RUN = 10
ATTEMPTS = 3
BACKOFF_SECONDS = 1.0
TIMEOUT_SECONDS = 5.0
LOG_DAYS = 30

# (url, body, timeout) -> HTTP status; raises OSError (urllib's errors) when there is none.
Poster = Callable[[str, bytes, float], int]


def http_post(url: str, body: bytes, timeout: float) -> int:
    """POST ``body`` as JSON and return the HTTP status (an error status is returned, not raised)."""
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json", "User-Agent": "Pantau"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 (an admin's http(s) URL)
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def alert_message(row: pd.Series, names: dict[str, str], lang: str = "id") -> str:
    """One line saying the alert in words (Indonesian by default, for the office's chat)."""
    building = names.get(str(row["building"]), str(row["building"]))
    limit = "" if pd.isna(row["limit"]) else int(row["limit"])
    return t(f"alerts.kind.{row['kind']}", lang, building=building, place=row["place"] or "-",
             value=int(row["value"]), limit=limit)


def payload(row: pd.Series, names: dict[str, str], zones: dict[str, str], now: datetime) -> dict[str, object]:
    """The JSON body of one alert."""
    zone = zones.get(str(row["building"]), db.DEFAULT_TIMEZONE)
    at = format_local_iso(pd.Series([now]), zone).iloc[0]
    return {
        "source": "pantau",
        "key": row["key"],
        "kind": row["kind"],
        "building": row["building"],
        "building_name": names.get(str(row["building"]), str(row["building"])),
        "place": row["place"],
        "value": int(row["value"]),
        "limit": None if pd.isna(row["limit"]) else int(row["limit"]),
        "at": at,
        "message": alert_message(row, names),
    }


def _log(con: duckdb.DuckDBPyConnection, key: str, kind: str, attempt: int, status: int | None,
         error: str | None, delivered: bool, when: datetime, due_at: datetime) -> None:
    """One try in the log (at the clock's ``when``); a delivery also marks the alert sent
    at ``due_at``, the instant it was due for (the run's ``now``)."""
    with db.transaction(con):
        con.execute(
            "INSERT INTO webhook_deliveries VALUES (?, ?, ?, ?, ?, ?, ?)",
            [when, key, kind, attempt, status, error, delivered],
        )
        if delivered:
            con.execute(
                "INSERT INTO alert_sent VALUES (?, ?) ON CONFLICT (alert_key) DO UPDATE SET sent_at = excluded.sent_at",
                [key, due_at],
            )


def deliver_due(
    con: duckdb.DuckDBPyConnection,
    now: datetime | None = None,
    post: Poster = http_post,
    attempts: int = ATTEMPTS,
    backoff: float = BACKOFF_SECONDS,
    timeout: float = TIMEOUT_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, int]:
    """Post the alerts due at ``now`` that were not sent in the last ``REPEAT_MINUTES``.

    Returns counts: due, sent, failed (every attempt failed: tried again next run),
    waiting (held back by the rate limit or sent recently). Nothing happens without a URL.
    """
    url = office.webhook_url(con)
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    counts = {"due": 0, "sent": 0, "failed": 0, "waiting": 0}
    if url is None:
        return counts
    with db.transaction(con):
        # The log and the de-duplication table stay small: a month of tries, a day of sends.
        con.execute("DELETE FROM webhook_deliveries WHERE tried_at < ?", [moment - timedelta(days=LOG_DAYS)])
        con.execute("DELETE FROM alert_sent WHERE sent_at < ?", [moment - timedelta(days=1)])
    due = alerts_due(con, moment)
    counts["due"] = len(due)
    recent = {
        str(k) for (k,) in con.execute(
            "SELECT alert_key FROM alert_sent WHERE sent_at > ?", [moment - timedelta(minutes=REPEAT_MINUTES)]
        ).fetchall()
    }
    fresh = due[~due["key"].isin(recent)]
    counts["waiting"] = len(due) - min(len(fresh), MAX_PER_RUN)
    names = places.building_display_names(con)
    zones = db.building_timezones(con)
    for _, row in fresh.head(MAX_PER_RUN).iterrows():
        body = json.dumps(payload(row, names, zones, moment)).encode("utf-8")
        delivered = False
        for attempt in range(1, attempts + 1):
            status: int | None = None
            error: str | None = None
            try:
                status = post(url, body, timeout)
                delivered = 200 <= status < 300
            except (OSError, ValueError) as problem:  # timeouts, refused connections, bad hosts
                error = f"{type(problem).__name__}: {problem}"[:300]
            _log(con, str(row["key"]), str(row["kind"]), attempt, status, error, delivered, datetime.now(UTC), moment)
            if delivered:
                break
            if attempt < attempts:
                sleep(backoff * attempt)
        counts["sent" if delivered else "failed"] += 1
    return counts


def deliveries(con: duckdb.DuckDBPyConnection, limit: int = 50) -> pd.DataFrame:
    """The newest webhook attempts: tried_at (UTC), alert_key, kind, attempt, status, error, delivered."""
    return con.execute(
        "SELECT tried_at, alert_key, kind, attempt, status, error, delivered FROM webhook_deliveries "
        "ORDER BY tried_at DESC LIMIT ?",
        [limit],
    ).df()
