"""Pelacakan / Tracing (tracer): the close contacts of a positive case (RULES "Contact tracing").

Graded: K1 (same room) first, with the rooms, the unit and a mark where the room was
assumed from the staff roster; K2 (same building) below, folded while K1 has names. The
grade filter only changes what is shown (no new search); downloads carry the whole list.

Each new text typed into the person search is audited once ('find_person'); nobody is
pre-selected, the tracer picks the case. A trace runs only when the button is pressed;
its result is kept in the session, so a rerun (a widget change, a download) never writes
a second audit record. Exports are audited when they are downloaded ('export_trace').
"""

from __future__ import annotations

import html
import json
from datetime import date, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from lib.analytics import live, tracing
from lib.core.timeutil import parse_local_bound
from lib.outputs import charts, report
from lib.outputs.export import csv_bytes, xlsx_bytes
from lib.store import db
from lib.ui import widgets
from lib.ui.auth import current_user, require_roles
from lib.ui.data import cursor
from lib.ui.i18n import fmt_datetime, fmt_number, lang, number_format, relabelled, tr
from lib.ui.plain import escape_markdown, tr_escaped

require_roles("tracer")

RESULT_KEY = "tracing_result"
MATCHES_KEY = "tracing_matches"
AUDITED_KEY = "tracing_audited_query"  # the last search text written to the audit log
TIMELINE_ROWS = 30

con = cursor()
st.title(tr("tracing.title"))
st.caption(tr("tracing.caption"))

zones = set(db.building_timezones(con).values())
building_names = widgets.building_names(con)
tz_name = zones.pop() if len(zones) == 1 else db.DEFAULT_TIMEZONE


def _set_window_from_onset() -> None:
    """Onset or swab date -> the rules' default window (two days before, fourteen after)."""
    onset: date = st.session_state["tracing_onset"]
    st.session_state["tracing_from"] = onset - timedelta(days=tracing.DAYS_BEFORE_ONSET)
    st.session_state["tracing_to"] = onset + timedelta(days=tracing.DAYS_AFTER_ONSET)


if "tracing_onset" not in st.session_state:
    st.session_state["tracing_onset"] = pd.Timestamp.now(tz=tz_name).date()
    _set_window_from_onset()

query = st.text_input(tr("tracing.find"), key="tracing_query", help=tr("tracing.find_help"))
# The search for a person scans every person (over a second at a million persons): keep
# its result while neither the typed text nor the data changes (lib.analytics.live.data_version).
# It lists personal data, so each new text is audited once (RULES "Personal data"); a
# rerun, a download or fresh data under the same text is not a new search.
text = query.strip()
search_key = (text, live.data_version(con))
kept_search = st.session_state.get(MATCHES_KEY)
if kept_search is not None and kept_search[0] == search_key:
    search: tracing.PersonSearch = kept_search[1]
else:
    new_text = text != st.session_state.get(AUDITED_KEY)
    search = tracing.search_persons(con, text, actor=current_user() or "unknown", audit=new_text)
    if new_text:
        st.session_state[AUDITED_KEY] = text
        st.session_state.pop("tracing_person", None)  # a new search starts with nobody picked
    st.session_state[MATCHES_KEY] = (search_key, search)
matches = search.matches
person_id: str | None = None
if text:
    if matches.empty:
        st.warning(tr("tracing.no_match"))
    else:
        # Labels made now, in this session's language (a format_func must not read the session).
        choices = {str(r["person_id"]): tracing.match_label(r, tz_name, lang()) for r in matches.to_dict("records")}
        if st.session_state.get("tracing_person") not in choices:
            st.session_state.pop("tracing_person", None)
        # Nobody is pre-selected: the tracer names the case (index=None), the button waits.
        person_id = st.selectbox(
            tr("tracing.pick"), list(choices), index=None, format_func=choices.__getitem__,
            placeholder=tr("tracing.pick_placeholder"), key="tracing_person",
        )
        if search.more_than_listed:
            st.warning(tr("tracing.too_many", limit=fmt_number(len(matches))))
        else:
            st.caption(tr("tracing.matches_count", count=fmt_number(search.total)))

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
    case = matches[matches["person_id"].astype(str) == params["person_id"]]
    return {
        "params": params, "contacts": contacts, "visits": visits, "overlaps": overlaps, "second": second,
        "case_name": str(case["name"].iloc[0]) if len(case) and case["name"].iloc[0] else params["person_id"],
        "exports": {},  # language -> (rows, CSV bytes, XLSX bytes), made once per language
    }


def export_files(result: dict[str, Any]) -> tuple[int, bytes, bytes]:
    """The contact list as files in this session's language (headers, words), built once."""
    language = lang()
    if language not in result["exports"]:
        export = report.trace_export_frame(result["contacts"], tz_name, language, building_names, result["second"])
        result["exports"][language] = (len(export), csv_bytes(export), xlsx_bytes(export, tr("tracing.sheet")))
    return result["exports"][language]


if st.button(tr("tracing.run"), type="primary", key="tracing_run", disabled=person_id is None):
    if last_day < first_day:
        st.warning(tr("tracing.bad_range"))
    else:
        try:
            st.session_state[RESULT_KEY] = run_trace(params)
        except tracing.UnknownPersonError as error:
            st.session_state.pop(RESULT_KEY, None)
            st.error(tr_escaped("tracing.unknown_person", person=error.person_id))

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
        # The case's name is stored text: shown as text, never Markdown (lib.ui.plain).
        "tracing.result_summary", count=fmt_number(len(contacts)),
        case=escape_markdown(f"{result['case_name']} ({shown['person_id']})"),
        window=window, min=fmt_number(shown["min_overlap"]), tail=fmt_number(shown["tail"]),
    )
)
st.caption(tr("tracing.case_visits", count=fmt_number(len(result["visits"]))))


# What a tracer reads first in a graded list: who, their unit, the room and the time in it.
GRADED_SCREEN_COLUMNS = [
    "person_id", "name", "unit", "areas", "area_minutes", "overlap_minutes", "buildings", "category", "phone",
    "first_contact", "last_contact", "estimated",
]


def _table(frame: pd.DataFrame) -> pd.DataFrame:
    """A contact list in words and local times for the screen (``via`` as a few names).

    A graded list (first degree) shows the unit, the rooms shared with the case (marked
    when the room was assumed from the staff roster) and the minutes in the same room.
    """
    graded = "grade" in frame.columns
    columns = GRADED_SCREEN_COLUMNS if graded else [c for c in tracing.SECOND_DEGREE_COLUMNS if c in frame.columns]
    shown_frame = frame[columns].copy()
    if graded:
        shown_frame["unit"] = frame["unit"].fillna("")
        shown_frame["areas"] = [
            tr("tracing.assumed_mark", room=a) if assumed and a else a
            for a, assumed in zip(
                ["; ".join(x for x in str(v).split(";") if x) for v in frame["areas"].fillna("")],
                frame["area_assumed"], strict=True,
            )
        ]
        shown_frame["area_minutes"] = [fmt_number(v, 1) for v in frame["area_minutes"]]
    for column in ("first_contact", "last_contact"):
        shown_frame[column] = [fmt_datetime(v, tz_name) for v in frame[column]]
    shown_frame["overlap_minutes"] = [fmt_number(v, 1) for v in frame["overlap_minutes"]]
    shown_frame["buildings"] = [
        "; ".join(building_names.get(b, b) for b in str(v).split(";") if b) for v in frame["buildings"]
    ]
    if "via" in shown_frame:
        first_names = dict(zip(contacts["person_id"].astype(str), contacts["name"], strict=True))
        shown_frame["via"] = [tracing.via_summary(v, first_names, lang()) for v in frame["via"]]
    return shown_frame.rename(columns={c: tr(f"tracing.col.{c}") for c in columns})


def _shown(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``_table(frame)``, made once per search and language: a contact list of thousands
    formats every number and time in Python (0.4 s a run at 2 000 contacts, issue 27)."""
    made: dict[tuple[str, str], pd.DataFrame] = result.setdefault("shown", {})
    if (lang(), name) not in made:
        made[(lang(), name)] = _table(frame)
    return made[(lang(), name)]


def _audit_export(file_format: str) -> None:
    """Who downloaded which contact list (RULES "Personal data")."""
    kept: dict[str, Any] = st.session_state[RESULT_KEY]
    db.write_audit(
        cursor(), current_user() or "unknown", "export_trace", kept["params"]["person_id"],
        json.dumps({**kept["params"], "format": file_format}, sort_keys=True), export_files(kept)[0],
    )


k1 = contacts[contacts["grade"] == "K1"]
k2 = contacts[contacts["grade"] == "K2"]
st.markdown(tr("tracing.grade_counts", k1=fmt_number(len(k1)), k2=fmt_number(len(k2))))
grades = ["all", "K1", "K2"]
grade = st.radio(
    tr("tracing.grade_filter"), grades, horizontal=True, key=relabelled("tracing_grade"),
    format_func=lambda g: tr(f"tracing.grade_filter.{g}"),
)


def _notes(frame: pd.DataFrame) -> None:
    """What the marks of a shown list mean."""
    if frame["area_assumed"].any():
        st.caption(tr("tracing.assumed_note"))
    if frame["estimated"].any():
        st.caption(tr("tracing.estimated_note"))


# K1 is what the tracer calls first; the (long) K2 list waits below, folded while K1 has names.
if contacts.empty:
    st.info(tr("tracing.no_contacts"))
if grade in ("all", "K1") and not contacts.empty:
    st.markdown(f"#### {tr('tracing.k1_header', count=fmt_number(len(k1)))}")
    if k1.empty:
        st.info(tr("tracing.no_k1"))
    else:
        st.dataframe(_shown("k1", k1), hide_index=True, width="stretch", key="tracing_contacts")
        _notes(k1)
if grade == "all" and not k2.empty:
    with st.expander(tr("tracing.k2_header", count=fmt_number(len(k2))), expanded=k1.empty):
        st.dataframe(_shown("k2", k2), hide_index=True, width="stretch", key="tracing_contacts_k2")
        _notes(k2)
elif grade == "K2" and not contacts.empty:
    st.markdown(f"#### {tr('tracing.k2_header', count=fmt_number(len(k2)))}")
    if k2.empty:
        st.info(tr("tracing.no_k2"))
    else:
        st.dataframe(_shown("k2", k2), hide_index=True, width="stretch", key="tracing_contacts_k2")
        _notes(k2)

file_stem = f"kontak-{shown['person_id']}-{shown['from']}-{shown['to']}"
_, csv_file, xlsx_file = export_files(result)
cols = st.columns(2)
cols[0].download_button(
    tr("tracing.download_csv"), csv_file, file_name=f"{file_stem}.csv", mime="text/csv",
    key="tracing_csv", on_click=_audit_export, args=("csv",),
)
cols[1].download_button(
    tr("tracing.download_xlsx"), xlsx_file, file_name=f"{file_stem}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="tracing_xlsx", on_click=_audit_export, args=("xlsx",),
)

# Open a case (pages/cases.py) for the person just traced: the list is kept there with its follow-up.
if st.button(tr("tracing.open_case"), key="tracing_open_case", help=tr("tracing.open_case_help")):
    st.session_state["cases_prefill"] = {"person": shown["person_id"], "kind": "onset",
                                         "date": st.session_state.get("tracing_onset")}
    st.switch_page("pages/cases.py")

st.subheader(tr("tracing.timeline_header"))
listed = contacts if grade == "all" else contacts[contacts["grade"] == grade]
top = listed.head(TIMELINE_ROWS)  # K1 first (the list's order), so same-room contacts are on the chart
st.caption(tr("tracing.timeline_shown", shown=fmt_number(len(top)), total=fmt_number(len(listed))))
# Plotly draws a little HTML in its labels (<a href>, <b>): stored names are escaped to show as typed.
labels = {str(p): html.escape(f"{n or p} ({p})", quote=False) for p, n in zip(top["person_id"], top["name"], strict=True)}

def _timeline() -> Any:
    """The timeline of the listed contacts, drawn once per search, language and grade shown."""
    drawn: dict[tuple[str, str], Any] = result.setdefault("timelines", {})
    if (lang(), grade) not in drawn:
        overlaps = result["overlaps"]
        overlaps = overlaps[overlaps["contact_id"].astype(str).isin(labels)]
        drawn[(lang(), grade)] = charts.timeline_figure(
            result["visits"], overlaps, labels, tz_name,
            tr("tracing.case_label", name=html.escape(result["case_name"], quote=False)), lang(), building_names,
        )
    return drawn[(lang(), grade)]


st.plotly_chart(
    _timeline(), width="stretch", key="tracing_timeline", alt=tr("tracing.timeline_header"),
    config=charts.plotly_config(lang()),
)

if result["second"] is not None:
    st.subheader(tr("tracing.second_header"))
    st.markdown(
        tr("tracing.second_summary", count=fmt_number(len(result["second"])), first=fmt_number(len(contacts)))
    )
    if result["second"].empty:
        st.info(tr("tracing.no_contacts"))
    else:
        st.dataframe(_shown("second", result["second"]), hide_index=True, width="stretch", key="tracing_second_table")
