"""Kasus / Cases (tracer): a positive case, its contacts and their follow-up (RULES "Tracing cases").

Opening, viewing (once per case and session), refreshing, every follow-up change and every
download are audited by ``lib.analytics.cases``. A contact marked positive offers a case of
its own, linked to this one; the cases are listed as a tree.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from lib.analytics import cases
from lib.outputs import case_export
from lib.store import db
from lib.ui.auth import current_user, require_roles
from lib.ui.data import cursor
from lib.ui.i18n import fmt_datetime, fmt_number, fmt_percent, lang, relabelled, tr
from lib.ui.plain import escape_markdown, tr_escaped

require_roles("tracer")

TZ = db.DEFAULT_TIMEZONE
SELECTED_KEY = "cases_selected"
VIEWED_KEY = "cases_viewed"  # case ids whose contacts this session has already seen (audited once)
FLASH_KEY = "cases_flash"

con = cursor()
actor = current_user() or "unknown"
today = cases.local_today()
st.title(tr("cases.title"))
st.caption(tr("cases.caption"))


def _error(error: cases.CaseError) -> None:
    st.error(tr_escaped(f"cases.error.{error.code}", **error.values))


# A person handed over by the Tracing page or by "open a case for this person".
prefill: dict[str, Any] | None = st.session_state.pop("cases_prefill", None)
if prefill:
    st.session_state["cases_person"] = str(prefill.get("person", ""))
    st.session_state["cases_parent"] = prefill.get("parent")
    if prefill.get("kind") in ("onset", "swab"):
        st.session_state["cases_date_kind"] = prefill["kind"]
    if isinstance(prefill.get("date"), date):
        st.session_state["cases_date"] = min(prefill["date"], today)
    st.session_state["cases_open_expanded"] = True

flash = st.session_state.pop(FLASH_KEY, None)
if flash:
    st.success(flash)

# --- open a case -----------------------------------------------------------------------------------
parent: int | None = st.session_state.get("cases_parent")
with st.expander(tr("cases.open_header"), expanded=bool(st.session_state.get("cases_open_expanded"))):
    if parent is not None:
        st.caption(tr("cases.parent", case=parent))
    with st.form(key="cases_open_form"):
        person = st.text_input(tr("cases.person"), key="cases_person")
        cols = st.columns(2)
        kind = cols[0].radio(
            tr("cases.date_kind"), ("onset", "swab"), key=relabelled("cases_date_kind"), horizontal=True,
            format_func=lambda k: tr(f"cases.kind.{k}"),
        )
        day = cols[1].date_input(tr("cases.date"), value=today, max_value=today, format="DD/MM/YYYY",
                                 key="cases_date")
        cols = st.columns(2)
        use_isolation = cols[0].checkbox(tr("cases.use_isolation"), key="cases_use_isolation")
        isolation = cols[1].date_input(tr("cases.isolation"), value=today, max_value=today, format="DD/MM/YYYY",
                                       key="cases_isolation")
        tracer = st.text_input(tr("cases.tracer"), value=actor, key="cases_tracer")
        notes = st.text_area(tr("cases.notes"), key="cases_notes")
        submitted = st.form_submit_button(tr("cases.open"), type="primary", key="cases_open")
    if submitted:
        try:
            new_id = cases.open_case(
                con, person, onset=day if kind == "onset" else None, swab=day if kind == "swab" else None,
                isolation=isolation if use_isolation else None, tracer=tracer.strip() or None,
                notes=notes.strip() or None, actor=actor, parent_case_id=parent,
            )
        except cases.CaseError as error:
            _error(error)
        else:
            progress = cases.case_progress(con, new_id)
            st.session_state[FLASH_KEY] = tr("cases.opened", case=new_id, k1=fmt_number(progress.k1),
                                             k2=fmt_number(progress.k2))
            st.session_state[SELECTED_KEY] = new_id
            for key in ("cases_parent", "cases_open_expanded"):
                st.session_state.pop(key, None)
            st.rerun()

# --- the cases ------------------------------------------------------------------------------------
listed = cases.list_cases(con)
st.subheader(tr("cases.list_header"))
if listed.empty:
    st.info(tr("cases.no_cases"))
    st.stop()

by_tracer = cases.progress_by_tracer(con)
if not by_tracer.empty:
    st.caption(tr("cases.by_tracer"))
    st.dataframe(
        pd.DataFrame({
            tr("cases.col.tracer"): by_tracer["tracer"],
            tr("cases.col.cases"): [fmt_number(v) for v in by_tracer["cases"]],
            tr("cases.col.contacts"): [fmt_number(v) for v in by_tracer["contacts"]],
            tr("cases.col.reached"): [fmt_number(v) for v in by_tracer["reached"]],
            tr("cases.col.unreachable"): [fmt_number(v) for v in by_tracer["unreachable"]],
            tr("cases.col.done_share"): [fmt_percent(v) if v is not None else "–" for v in by_tracer["done_share"]],
        }),
        hide_index=True, width="stretch", key="cases_by_tracer",
    )

labels = {
    int(r["case_id"]): "\u2003" * int(r["depth"]) + ("↳ " if r["depth"] else "") + tr(
        "cases.case_label", case=int(r["case_id"]), name=r["name"] or "", person=r["person_id"] or "",
        tracer=r["tracer"] or "", status=tr(f"cases.case_status.{r['status']}"),
    ) + f" · K1 {int(r['k1_reached'])}/{int(r['k1'])}"
    for r in listed.to_dict("records")
}
if st.session_state.get(SELECTED_KEY) not in labels:
    st.session_state[SELECTED_KEY] = next(iter(labels))
case_id = int(st.selectbox(tr("cases.pick"), list(labels), format_func=labels.__getitem__, key=SELECTED_KEY))

# The tree is Markdown: its names, ids and tracers are stored text, shown as text (lib.ui.plain).
tree = [
    "&emsp;" * int(r["depth"]) + ("↳ " if r["depth"] else "") + tr_escaped(
        "cases.case_label", case=int(r["case_id"]), name=r["name"] or "", person=r["person_id"] or "",
        tracer=r["tracer"] or "", status=tr(f"cases.case_status.{r['status']}"),
    ) + f" · K1 {int(r['k1_reached'])}/{int(r['k1'])}"
    for r in listed.to_dict("records")
]
with st.expander(tr("cases.tree_header")):
    st.markdown("\n".join(f"- {line}" for line in tree))

case = cases.get_case(con, case_id)
# Viewing a case's contacts is audited once per case and session, not on every rerun.
viewed: set[int] = st.session_state.setdefault(VIEWED_KEY, set())
if case_id not in viewed:
    contacts = cases.view_case(con, case_id, actor)
    viewed.add(case_id)
else:
    contacts = cases.case_contacts(con, case_id)

st.subheader(f"#{case_id} {escape_markdown(case['person_name'] or '')} ({escape_markdown(case['person_id'] or '')})")
st.caption(tr(
    "cases.window", start=fmt_datetime(case["window_from"], TZ), end=fmt_datetime(case["window_to"], TZ),
    opened=fmt_datetime(case["opened_at"], TZ), by=escape_markdown(case["opened_by"]), snapshot=fmt_datetime(case["snapshot_at"], TZ),
))
if case["parent_case_id"] is not None and not pd.isna(case["parent_case_id"]):
    st.caption(tr("cases.parent", case=int(case["parent_case_id"])))
progress = cases.case_progress(con, case_id)
st.markdown("**" + tr(
    "cases.progress", k1_reached=fmt_number(progress.k1_reached), k1=fmt_number(progress.k1),
    k1_unreachable=fmt_number(progress.k1_unreachable), k2_reached=fmt_number(progress.k2_reached),
    k2=fmt_number(progress.k2), k2_unreachable=fmt_number(progress.k2_unreachable),
) + "**")
if progress.hours_to_first_contact:
    hours = pd.Series(progress.hours_to_first_contact)
    st.caption(tr("cases.first_contact_time", median=fmt_number(hours.median(), 1), max=fmt_number(hours.max(), 1)))
is_open = case["status"] == "open"
if not is_open:
    st.info(tr("cases.closed_note"))


def _record_export() -> None:
    cases.record_export(cursor(), case_id, current_user() or "unknown", "xlsx", len(contacts))


cols = st.columns(3)
if cols[0].button(tr("cases.refresh"), key="cases_refresh", disabled=not is_open):
    try:
        result = cases.refresh_case(con, case_id, actor)
    except cases.CaseError as error:
        _error(error)
    else:
        st.session_state[FLASH_KEY] = tr("cases.refreshed", added=fmt_number(len(result.added)),
                                         removed=fmt_number(len(result.removed)),
                                         regraded=fmt_number(len(result.regraded)))
        st.rerun()
# The file is built once per case, language and state of its list (a rerun reuses it).
xlsx_key = (case_id, lang(), str(case["snapshot_at"]), str(contacts["status_at"].max()), len(contacts))
kept_xlsx = st.session_state.get("cases_xlsx_file")
if kept_xlsx is None or kept_xlsx[0] != xlsx_key:
    kept_xlsx = (xlsx_key, case_export.case_xlsx_bytes(con, case_id, lang(), TZ)[0])
    st.session_state["cases_xlsx_file"] = kept_xlsx
xlsx = kept_xlsx[1]
cols[1].download_button(
    tr("cases.download_xlsx"), xlsx, file_name=f"kasus-{case_id}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="cases_xlsx", on_click=_record_export,
)
if cols[2].button(tr("cases.close"), key="cases_close", disabled=not is_open):
    cases.close_case(con, case_id, actor)
    st.rerun()

# --- contacts and follow-up -------------------------------------------------------------------------
st.subheader(tr("cases.contacts_header"))
if contacts.empty:
    st.info(tr("cases.no_contacts"))
    st.stop()

bad_phone = tr("cases.bad_phone")
reached_hours = cases.hours_to_first_contact(con, case_id)
table = pd.DataFrame({
    tr("tracing.col.grade"): contacts["grade"],
    tr("tracing.col.name"): contacts["name"],
    tr("tracing.col.person_id"): contacts["person_id"],
    tr("tracing.col.phone"): [
        f"{p or ''} {bad_phone}".strip() if not link else p for p, link in zip(contacts["phone"], contacts["whatsapp"],
                                                                             strict=True)
    ],
    tr("cases.col.whatsapp"): [link or None for link in contacts["whatsapp"]],
    tr("cases.col.status"): [tr(f"cases.status.{s}") for s in contacts["status"]],
    tr("cases.col.test_result"): [tr(f"cases.test.{r}") if r else "" for r in contacts["test_result"]],
    tr("cases.col.note"): contacts["note"].fillna(""),
    tr("cases.col.status_at"): [fmt_datetime(v, TZ) if not pd.isna(v) else "" for v in contacts["status_at"]],
    tr("cases.col.hours_to_first"): [
        fmt_number(reached_hours[str(p)], 1) if str(p) in reached_hours else "" for p in contacts["person_id"]
    ],
    tr("cases.col.status_by"): contacts["status_by"].fillna(""),
    tr("tracing.col.last_contact"): [fmt_datetime(v, TZ) for v in contacts["last_contact"]],
    tr("tracing.col.area_minutes"): [fmt_number(v, 1) for v in contacts["area_minutes"]],
    tr("tracing.col.overlap_minutes"): [fmt_number(v, 1) for v in contacts["overlap_minutes"]],
    tr("tracing.col.areas"): contacts["areas"].fillna(""),
})
st.dataframe(
    table, hide_index=True, width="stretch", key="cases_contacts",
    column_config={tr("cases.col.whatsapp"): st.column_config.LinkColumn(display_text=tr("cases.wa_open"))},
)

if is_open:
    st.subheader(tr("cases.update_header"))
    names = {
        str(p): f"{g} · {n or p} ({p})"
        for p, g, n in zip(contacts["person_id"], contacts["grade"], contacts["name"], strict=True)
    }
    picked = str(st.selectbox(tr("cases.contact"), list(names), format_func=names.__getitem__, key="cases_contact"))
    row = contacts[contacts["person_id"].astype(str) == picked].iloc[0]
    if row["whatsapp"]:
        st.link_button(tr("cases.wa_open"), row["whatsapp"], key="cases_wa")
    else:
        st.caption(bad_phone)
    tests = ("", *cases.TEST_RESULTS)
    # One form per contact, so its fields start from that contact's stored follow-up.
    with st.form(key=f"cases_form_{case_id}_{picked}"):
        cols = st.columns(2)
        status = cols[0].selectbox(
            tr("cases.col.status"), cases.STATUSES, index=cases.STATUSES.index(row["status"]),
            format_func=lambda s: tr(f"cases.status.{s}"), key=relabelled(f"cases_status_{case_id}_{picked}"),
        )
        test = cols[1].selectbox(
            tr("cases.col.test_result"), tests, index=tests.index(row["test_result"] or ""),
            format_func=lambda r: tr(f"cases.test.{r or 'none'}"), key=f"cases_test_{case_id}_{picked}",
        )
        note = st.text_input(tr("cases.col.note"), value=row["note"] or "", key=f"cases_note_{case_id}_{picked}")
        save = st.form_submit_button(tr("cases.save"), type="primary", key=f"cases_save_{case_id}_{picked}")
    if save:
        try:
            cases.set_contact(con, case_id, picked, status=status, test_result=test, note=note, actor=actor)
        except cases.CaseError as error:
            _error(error)
        else:
            st.session_state[FLASH_KEY] = tr_escaped("cases.saved", name=names[picked])
            st.rerun()
    if row["test_result"] == "positif":
        st.info(tr_escaped("cases.child_hint", name=row["name"] or picked))
        onset_guess = row["status_at"].tz_convert(TZ).date() if not pd.isna(row["status_at"]) else today
        st.button(
            tr("cases.open_child"), key="cases_open_child", on_click=st.session_state.__setitem__,
            args=("cases_prefill", {"person": picked, "parent": case_id, "kind": "swab",
                                    "date": min(onset_guess, today)}),
        )
