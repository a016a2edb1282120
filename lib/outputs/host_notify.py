"""The host told of a visitor's arrival (issue 22, the front desk), and an expected visitor's link.

Two ways, both optional:
- a one-tap WhatsApp link to the host's phone from the roster (``wa.me``, the same link the
  cases' contacts get: ``lib.analytics.cases.whatsapp_link``): "Tamu Anda, …, sudah tiba di
  lobi"; the receptionist's own WhatsApp sends it, Pantau sends nothing itself;
- where Settings names a webhook for arrivals (``lib.ingest.front_desk.host_webhook_url``),
  an event posted as JSON with the visitor's name, institution, purpose, host, building and
  time, and never their NIK or phone (RULES "Personal data"). It is posted with the alerts'
  own HTTP call and tries (``lib.outputs.webhook``) in a thread of its own, so a slow or
  dead webhook never holds the desk; every try is logged in ``webhook_deliveries``.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd

from lib.analytics.cases import whatsapp_link
from lib.core.i18n import t
from lib.core.timeutil import format_local_iso, zone_label
from lib.ingest import front_desk
from lib.outputs import checkin, webhook
from lib.store import db

ARRIVAL_KIND = "visitor_arrival"


def _when(at: datetime, timezone: str) -> str:
    return f"{at.astimezone(ZoneInfo(timezone)):%H:%M} {zone_label(timezone)}"


def host_message(
    name: str, institution: str, building_name: str, at: datetime, timezone: str, purpose: str, lang: str = "id"
) -> str:
    """'Tamu Anda, Ibu Wati (Kelurahan Bugis), sudah tiba di lobi Balai Kota pukul 09:05 WITA. …'"""
    return t(
        "front_desk.host_message", lang, name=name, institution=f" ({institution})" if institution else "",
        building=building_name, time=_when(at, timezone), purpose=purpose or "–",
    )


def host_whatsapp(
    con: duckdb.DuckDBPyConnection, host: str, name: str, institution: str, building: str, at: datetime,
    purpose: str, lang: str = "id",
) -> str:
    """The wa.me link to the host's phone with the arrival message; '' when the host is a
    unit or a person without a phone on the roster."""
    phone = front_desk.host_phone(con, host)
    if not phone:
        return ""
    row = checkin.building_row(con, building) or {}
    zone = str(row.get("timezone") or db.DEFAULT_TIMEZONE)
    return whatsapp_link(phone, host_message(name, institution, str(row.get("name") or building), at, zone,
                                             purpose, lang))


def arrival_event(
    con: duckdb.DuckDBPyConnection, building: str, name: str, institution: str, purpose: str, host: str, at: datetime
) -> dict[str, object]:
    """The webhook's JSON body of one arrival: no NIK, no phone, no person id."""
    row = checkin.building_row(con, building) or {}
    zone = str(row.get("timezone") or db.DEFAULT_TIMEZONE)
    return {
        "source": "pantau",
        "kind": ARRIVAL_KIND,
        "building": building,
        "building_name": str(row.get("name") or building),
        "visitor_name": name,
        "institution": institution,
        "purpose": purpose,
        "host": host,
        "at": format_local_iso(pd.Series([at.astimezone(UTC)]), zone).iloc[0],
        "message": host_message(name, institution, str(row.get("name") or building), at, zone, purpose),
    }


def post_arrival(
    database: db.SharedDatabase,
    url: str,
    event: dict[str, object],
    post: webhook.Poster = webhook.http_post,
    attempts: int = webhook.ATTEMPTS,
    backoff: float = webhook.BACKOFF_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """Post one arrival (tried ``attempts`` times); each try logged. True when delivered."""
    body = json.dumps(event, ensure_ascii=False).encode("utf-8")
    for attempt in range(1, attempts + 1):
        status: int | None = None
        error: str | None = None
        try:
            status = post(url, body, webhook.TIMEOUT_SECONDS)
        except (OSError, ValueError) as problem:
            error = f"{type(problem).__name__}: {problem}"[:300]
        delivered = status is not None and 200 <= status < 300
        con = database.cursor()
        try:
            with db.transaction(con):
                con.execute(
                    "INSERT INTO webhook_deliveries VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [datetime.now(UTC), ARRIVAL_KIND, ARRIVAL_KIND, attempt, status, error, delivered],
                )
        finally:
            con.close()
        if delivered:
            return True
        if attempt < attempts:
            sleep(backoff * attempt)
    return False


def notify_arrival(
    database: db.SharedDatabase, building: str, name: str, institution: str, purpose: str, host: str, at: datetime,
    post: webhook.Poster = webhook.http_post,
) -> threading.Thread | None:
    """Post the arrival to the hosts' webhook in a thread of its own; None when none is set."""
    con = database.cursor()
    try:
        url = front_desk.host_webhook_url(con)
        if url is None:
            return None
        event = arrival_event(con, building, name, institution, purpose, host, at)
    finally:
        con.close()
    thread = threading.Thread(
        target=post_arrival, args=(database, url, event, post), name="pantau-host-webhook", daemon=True
    )
    thread.start()
    return thread


def expected_whatsapp(
    con: duckdb.DuckDBPyConnection, expected_id: str, base_url: str | None = None, lang: str = "id"
) -> tuple[str, str]:
    """(the expected visitor's personal signed check-in address, the wa.me link that sends
    it to their phone)."""
    found = front_desk.expected_visitor(con, expected_id)
    if found is None:
        raise front_desk.DeskError("unknown_expected")
    url = checkin.expected_url(con, found.building, expected_id, base_url)
    row = checkin.building_row(con, found.building) or {}
    message = t("front_desk.expected_message", lang, name=found.name, building=str(row.get("name") or found.building),
                day=found.expected_on.strftime("%d/%m/%Y"), url=url)
    return url, whatsapp_link(found.phone, message)
