"""Pelacakan / Tracing (tracer): the close contacts of a positive case (SPEC "Contact tracing").

A search runs only when the button is pressed; its result is kept in the session, so a
rerun (a widget change, a download) never writes a second audit record. Exports are
audited when they are downloaded ('export_trace').
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from lib import charts, db, live, report, tracing
from lib.export import csv_bytes, xlsx_bytes
from lib.timeutil import parse_local_bound
from lib.ui.auth import current_user, require_roles
from lib.ui.data import cursor
from lib.ui.i18n import fmt_datetime, fmt_number, lang, number_format, tr

require_roles("tracer")

RESULT_KEY = "tracing_result"
MATCHES_KEY = "tracing_matches"
TIMELINE_ROWS = 40

con = cursor()
st.title(tr("tracing.title"))
st.caption(tr("tracing.caption"))

zones = set(db.building_timezones(con).values())
tz_name = zones.pop() if len(zones) == 1 else db.DEFAULT_TIMEZONE


def _set_window_from_onset() -> None:
    """Onset or swab date -> SPEC's default window (two days before, fourteen after)."""
    onset: date = st.session_state["tracing_onset"]
    st.session_state["tracing_from"] = onset - timedelta(days=tracing.DAYS_BEFORE_ONSET)
    st.session_state["tracing_to"] = onset + timedelta(days=tracing.DAYS_AFTER_ONSET)


if "tracing_onset" not in st.session_state:
    st.session_state["tracing_onset"] = pd.Timestamp.now(tz=tz_name).date()
    _set_window_from_onset()

query = st.text_input(tr("tracing.find"), key="tracing_query", help=tr("tracing.find_help"))
# The search for a person scans every person (over a second at a million persons): keep
# its result while neither the typed text nor the data changes (lib.live.data_version).
matches_key = (query, live.data_version(con))
kept_matches = st.session_state.get(MATCHES_KEY)
if kept_matches is not None and kept_matches[0] == matches_key:
    matches = kept_matches[1]
else:
    matches = tracing.find_persons(con, query)
    st.session_state[MATCHES_KEY] = (matches_key, matches)
person_id: str | None = None
if query.strip():
    if matches.empty:
        st.warning(tr("tracing.no_match"))
    else:
        # Labels made now, in this session's language (a format_func must not read the session).
        choices = {
            str(r.person_id): " · ".join(
                str(v)
                for v in (
                    r.name or "", r.person_id, r.phone or "",
                    tr("tracing.last_seen", when=fmt_datetime(r.last_seen, tz_name))
                    if not pd.isna(r.last_seen) else tr("tracing.never_seen"),
                )
                if v
            )
            for r in matches.itertuples()
        }
        person_id = st.selectbox(tr("tracing.pick"), list(choices), format_func=choices.__getitem__, key="tracing_person")

cols = st.columns(3)
cols[0].date_input(
    tr("tracing.onset"), format="DD/MM/YYYY", key="tracing_onset", on_change=_set_window_from_onset,
    help=tr("tracing.onset_help"),
)
first_day: date = cols[1].date_input(tr("tracing.from"), format="DD/MM/YYYY", key="tracing_from")
last_day: date = cols[2].date_input(tr("tracing.to"), format="DD/MM/YYYY", key="tracing_to")
cols = st.columns(3)
min_overlap = cols[0].number_input(
    tr("tracing.min_overlap"), min_value=0.0, max_value=24 * 60.0, value=tracing.DEFAULT_MIN_OVERLAP_MINUTES,
    step=5.0, key="tracing_min_overlap", format=number_format(None),
)
tail = cols[1].number_input(
    tr("tracing.tail"), min_value=0.0, max_value=24 * 60.0, value=tracing.DEFAULT_TAIL_MINUTES, step=5.0,
    key="tracing_tail", help=tr("tracing.tail_help"), format=number_format(None),
)
second_degree = cols[2].checkbox(tr("tracing.second_degree"), key="tracing_second")

params = {
    "person_id": person_id, "from": first_day.isoformat(), "to": last_day.isoformat(),
    "min_overlap": float(min_overlap), "tail": float(tail), "second_degree": bool(second_degree),
}


def run_trace(params: dict[str, Any]) -> dict[str, Any]:
    """One audited search (trace_contacts writes the audit record) and what the page shows."""
    start = parse_local_bound(params["from"], tz_name, is_end=False)
    end = parse_local_bound(params["to"], tz_name, is_end=True)
    actor = current_user() or "unknown"
    contacts = tracing.trace_contacts(
        con, params["person_id"], start, end, params["min_overlap"], params["tail"], actor=actor
    )
    visits = tracing.index_visits(con, params["person_id"], start, end, params["tail"])
    overlaps = tracing.contact_overlaps(con, params["person_id"], start, end, params["min_overlap"], params["tail"])
    second = (
        tracing.second_degree_contacts(
            con, params["person_id"], start, end, params["min_overlap"], params["tail"], actor=actor
        )
        if params["second_degree"]
        else None
    )
    export = report.trace_export_frame(contacts, tz_name)
    if second is not None:
        export = pd.concat(
            [export.assign(degree=1, via=""), report.trace_export_frame(second, tz_name).assign(degree=2)],
            ignore_index=True,
        )
    case = matches[matches["person_id"].astype(str) == params["person_id"]]
    return {
        "params": params, "contacts": contacts, "visits": visits, "overlaps": overlaps, "second": second,
        "case_name": str(case["name"].iloc[0]) if len(case) and case["name"].iloc[0] else params["person_id"],
        "rows": len(export), "csv": csv_bytes(export), "xlsx": xlsx_bytes(export, "kontak"),
    }


if st.button(tr("tracing.run"), type="primary", key="tracing_run", disabled=person_id is None):
    if last_day < first_day:
        st.warning(tr("tracing.bad_range"))
    else:
        try:
            st.session_state[RESULT_KEY] = run_trace(params)
        except tracing.UnknownPersonError as error:
            st.session_state.pop(RESULT_KEY, None)
            st.error(tr("tracing.unknown_person", person=error.person_id))

result: dict[str, Any] | None = st.session_state.get(RESULT_KEY)
if result is None:
    st.stop()
if result["params"] != params:
    st.info(tr("tracing.stale"))

shown = result["params"]
contacts: pd.DataFrame = result["contacts"]
st.subheader(tr("tracing.result_header"))
window = f"{date.fromisoformat(shown['from']):%d/%m/%Y} – {date.fromisoformat(shown['to']):%d/%m/%Y}"
st.markdown(
    tr(
        "tracing.result_summary", count=fmt_number(len(contacts)), case=f"{result['case_name']} ({shown['person_id']})",
        window=window, min=fmt_number(shown["min_overlap"]), tail=fmt_number(shown["tail"]),
    )
)
st.caption(tr("tracing.case_visits", count=fmt_number(len(result["visits"]))))


def _table(frame: pd.DataFrame) -> pd.DataFrame:
    """A contact list in words and local times for the screen."""
    columns = [c for c in tracing.SECOND_DEGREE_COLUMNS if c in frame.columns]
    shown_frame = frame[columns].copy()
    for column in ("first_contact", "last_contact"):
        shown_frame[column] = [fmt_datetime(v, tz_name) for v in frame[column]]
    shown_frame["overlap_minutes"] = [fmt_number(v, 1) for v in frame["overlap_minutes"]]
    return shown_frame.rename(columns={c: tr(f"tracing.col.{c}") for c in columns})


def _audit_export(file_format: str) -> None:
    """Who downloaded which contact list (SPEC "Personal data")."""
    kept: dict[str, Any] = st.session_state[RESULT_KEY]
    db.write_audit(
        cursor(), current_user() or "unknown", "export_trace", kept["params"]["person_id"],
        json.dumps({**kept["params"], "format": file_format}, sort_keys=True), kept["rows"],
    )


if contacts.empty:
    st.info(tr("tracing.no_contacts"))
else:
    st.dataframe(_table(contacts), hide_index=True, width="stretch", key="tracing_contacts")
    if contacts["estimated"].any():
        st.caption(tr("tracing.estimated_note"))

file_stem = f"kontak-{shown['person_id']}-{shown['from']}-{shown['to']}"
cols = st.columns(2)
cols[0].download_button(
    tr("tracing.download_csv"), result["csv"], file_name=f"{file_stem}.csv", mime="text/csv",
    key="tracing_csv", on_click=_audit_export, args=("csv",),
)
cols[1].download_button(
    tr("tracing.download_xlsx"), result["xlsx"], file_name=f"{file_stem}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="tracing_xlsx", on_click=_audit_export, args=("xlsx",),
)

st.subheader(tr("tracing.timeline_header"))
top = contacts.head(TIMELINE_ROWS)
labels = {str(p): f"{n or p} ({p})" for p, n in zip(top["person_id"], top["name"], strict=True)}
overlaps = result["overlaps"]
overlaps = overlaps[overlaps["contact_id"].astype(str).isin(labels)]
st.plotly_chart(
    charts.timeline_figure(
        result["visits"], overlaps, labels, tz_name, tr("tracing.case_label", name=result["case_name"]), lang()
    ),
    width="stretch", key="tracing_timeline", alt=tr("tracing.timeline_header"), config={"displaylogo": False},
)

if result["second"] is not None:
    st.subheader(tr("tracing.second_header"))
    if result["second"].empty:
        st.info(tr("tracing.no_contacts"))
    else:
        st.dataframe(_table(result["second"]), hide_index=True, width="stretch", key="tracing_second_table")
