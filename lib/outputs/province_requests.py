"""Signed tracing requests between the province and its sites (RULES "Province").

The provincial tracer's trace across sites (``lib.analytics.province_tracing``) gives one
request per site where the index person was: the index pseudonym, the onset (or swab)
date, the contacts' pseudonyms found in the lake. It is signed with HMAC-SHA256 under the
province key, which every site holds, so a site opens only a request made with its own
province's key and not altered since. The site's tracer opens it as a case of its own
(``open_request``): the site resolves the pseudonyms to its persons locally, grades the
contacts with its own rules and rooms, and names stay at the site. Both sides audit it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pandas as pd

from lib.analytics import cases, province
from lib.store import db

KIND = "pantau-province-trace-request"
VERSION = 1
AUDIT_TRACE = "province_trace"
AUDIT_OPEN = "province_request_open"


class RequestError(Exception):
    """A request refused (``code``: bad_file, bad_signature, other_site, index_not_here)."""

    def __init__(self, code: str, **values: object) -> None:
        super().__init__(f"{code}: {values}")
        self.code, self.values = code, values


def _canonical(body: dict) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sign(body: dict, key: str) -> dict:
    """The request with its ``signature`` (hex HMAC-SHA256 of the canonical JSON of the rest)."""
    content = {k: v for k, v in body.items() if k != "signature"}
    return {**content, "signature": hmac.new(key.encode("utf-8"), _canonical(content), hashlib.sha256).hexdigest()}


def verify(request: dict, key: str) -> bool:
    given = str(request.get("signature", ""))
    return hmac.compare_digest(sign(request, key)["signature"], given)


def build_requests(
    index: str, index_visits: pd.DataFrame, contacts: pd.DataFrame, onset: date | None, swab: date | None,
    min_overlap: float, actor: str, now: datetime | None = None,
) -> dict[str, dict]:
    """One unsigned request per site the index person visited in the window."""
    moment = (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
    requests: dict[str, dict] = {}
    for site in sorted(set(index_visits["site"])):
        rows = contacts[contacts["site"] == site]
        requests[site] = {
            "kind": KIND, "version": VERSION, "site": site, "index": index,
            "onset": onset.isoformat() if onset else None, "swab": swab.isoformat() if swab else None,
            "min_overlap": float(min_overlap), "created_at": moment, "created_by": actor,
            "contacts": [
                {"person": str(r.person), "building": str(r.building), "overlap_minutes": round(float(r.overlap_minutes), 1)}
                for r in rows.itertuples(index=False)
            ],
        }
    return requests


def write_requests(folder: str | Path, requests: dict[str, dict], key: str) -> list[Path]:
    """Each site's signed request as ``<folder>/<site>.request.json``."""
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    paths = []
    for site, body in requests.items():
        path = target / f"{site}.request.json"
        path.write_text(json.dumps(sign(body, key), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def audit_trace(
    con: duckdb.DuckDBPyConnection, index: str, actor: str, sites: list[str], contacts: int, window: tuple[date, date]
) -> None:
    """'province_trace' in the province's own log; the subject is the pseudonym (the NIK is never stored)."""
    with db.transaction(con):
        db.write_audit(
            con, actor, AUDIT_TRACE, subject=index,
            params=json.dumps({"sites": sites, "from": window[0].isoformat(), "to": window[1].isoformat()}),
            rows=contacts,
        )


@dataclass
class OpenedRequest:
    case_id: int
    person_id: str
    contacts_in_request: int
    contacts_known_here: int


def read_request(path: str | Path, key: str, site: str | None = None) -> dict:
    """The request of ``path`` if its signature holds under ``key`` (and it is for ``site``)."""
    try:
        request = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise RequestError("bad_file", path=str(path)) from None
    if not isinstance(request, dict) or request.get("kind") != KIND or request.get("version") != VERSION:
        raise RequestError("bad_file", path=str(path))
    if not verify(request, key):
        raise RequestError("bad_signature", path=str(path))
    if site is not None and request.get("site") != site:
        raise RequestError("other_site", site=request.get("site"), here=site)
    return request


def open_request(
    con: duckdb.DuckDBPyConnection, path: str | Path, key: str, actor: str, site: str | None = None,
    tracer: str | None = None, now: datetime | None = None,
) -> OpenedRequest:
    """Open the province's request as a case of this site (RULES "Tracing cases"): the
    index pseudonym resolved to the local person, the window from the request's onset or
    swab date, the contacts graded by this site's own rules. Audited 'province_request_open'
    (and 'case_open' by the case)."""
    request = read_request(path, key, site)
    persons = [r[0] for r in con.execute("SELECT person_id FROM persons").fetchall()]
    local = {province.pseudonym(key, p): p for p in persons}
    index_person = local.get(str(request["index"]))
    if index_person is None:
        raise RequestError("index_not_here")
    onset = date.fromisoformat(request["onset"]) if request.get("onset") else None
    swab = date.fromisoformat(request["swab"]) if request.get("swab") else None
    case_id = cases.open_case(
        con, index_person, onset=onset, swab=swab, min_overlap=float(request.get("min_overlap", 15.0)),
        tracer=tracer, actor=actor, notes=f"province request {request.get('created_at')}", now=now,
    )
    wanted = sorted({str(c["person"]) for c in request.get("contacts", [])})  # a person in two buildings once
    known = sum(1 for p in wanted if p in local)
    with db.transaction(con):
        db.write_audit(
            con, actor, AUDIT_OPEN, subject=index_person,
            params=json.dumps({"case_id": case_id, "created_by": request.get("created_by"),
                               "created_at": request.get("created_at")}),
            rows=known,
        )
    return OpenedRequest(case_id, index_person, len(wanted), known)
