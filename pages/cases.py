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
from lib.core import numformat
from lib.outputs import broadcast, case_export
from lib.store import db
from lib.ui.auth import current_user, require_roles
from lib.ui.data import cursor
from lib.ui.i18n import fmt_datetime, fmt_number, fmt_percent, lang, relabelled, tr
from lib.ui.plain import escape_markdown, refusal_text, tr_escaped

require_roles("tracer")

TZ = db.DEFAULT_TIMEZONE
SELECTED_KEY = "cases_selected"
VIEWED_KEY = "cases_viewed"  # case ids whose contacts this session has already seen (audited once)
FLASH_KEY = "cases_flash"
GROUP_KEY = "cases_group_pending"  # a group action waiting for the tracer's confirmation
BROADCAST_KEY = "cases_broadcast_file"
PAGE_SIZE = 50  # rows per table page: 500 contacts stay fast to draw

con = cursor()
actor = current_user() or "unknown"
today = cases.local_today()
st.title(tr("cases.title"))
st.caption(tr("cases.caption"))


def _error(error: cases.CaseError) -> None:
    st.error(refusal_text(error))


def _page(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """The rows of the page the tracer picked (a page number appears only beyond one page)."""
    pages = max(1, -(-len(frame) // PAGE_SIZE))
    if pages == 1:
        return frame
    if int(st.session_state.get(key, 1)) > pages:  # a shorter list than the page kept
        st.session_state[key] = pages
    number = st.number_input(tr("cases.page", pages=fmt_number(pages)), min_value=1, max_value=pages, value=1,
                             step=1, key=key)
    return cases.page_of(frame, int(number), PAGE_SIZE)[0]


def _all_or(value: object, text: str) -> str:
    return tr("cases.filter.all") if value is None else text


# Words and numbers of the per-row columns, looked up once a run (hundreds of rows).
LANGUAGE = lang()
STATUS_WORDS = {s: tr(f"cases.status.{s}") for s in cases.STATUSES}
TEST_WORDS = {r: tr(f"cases.test.{r}") for r in cases.TEST_RESULTS}
REASON_WORDS = {r: tr(f"cases.queue.reason.{r or 'none'}") for r in ("test_exit", "test_entry", "not_reached", "")}


def _n(value: object, decimals: int = 0) -> str:
    return numformat.format_number(value, decimals, LANGUAGE)


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

by_tracer = cases.progress_by_tracer(con, listed)
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

# --- the work queue: what to do now across the tracer's own open cases (RULES "Tracing cases") --------
queue = cases.work_queue(con, actor, tz=TZ)
st.subheader(tr("cases.queue.header"))
st.caption(tr("cases.queue.caption"))
if queue.empty:
    st.success(tr("cases.queue.empty"))
else:
    st.markdown("**" + tr("cases.queue.summary", urgent=fmt_number(int(queue["urgent"].sum())),
                          total=fmt_number(len(queue))) + "**")
    shown_queue = _page(queue, "cases_queue_page")
    st.dataframe(
        pd.DataFrame({
            tr("cases.col.reason"): [REASON_WORDS[r] for r in shown_queue["reason"]],
            tr("cases.col.case_id"): [f"#{c}" for c in shown_queue["case_id"]],
            tr("tracing.col.grade"): shown_queue["grade"],
            tr("tracing.col.name"): shown_queue["name"],
            tr("tracing.col.person_id"): shown_queue["person_id"],
            tr("cases.col.whatsapp"): [link or None for link in cases.whatsapp_links(con, shown_queue, TZ)],
            tr("cases.col.status"): [STATUS_WORDS[s] for s in shown_queue["status"]],
            tr("cases.col.test_result"): [TEST_WORDS.get(r, "") if r else "" for r in shown_queue["test_result"]],
            tr("cases.col.exit_test_day"): [f"{d:%d/%m/%Y}" if d else "" for d in shown_queue["exit_test_day"]],
            tr("cases.col.hours_open"): [_n(v) for v in shown_queue["hours_open"]],
            tr("cases.col.unit"): shown_queue["unit"].fillna(""),
        }),
        hide_index=True, width="stretch", key="cases_queue",
        column_config={tr("cases.col.whatsapp"): st.column_config.LinkColumn(display_text=tr("cases.wa_open"))},
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

# The order a tracer works in (K1 first, not yet reached first, longest together first).
ordered = cases.in_priority_order(contacts)
st.markdown(f"**{tr('cases.filter.header')}**")
cols = st.columns(5)
grade_pick = cols[0].selectbox(tr("cases.filter.grade"), [None, *cases.GRADES], key=f"cases_f_grade_{case_id}",
                               format_func=lambda g: _all_or(g, str(g)))
units = sorted(set(ordered["unit"].fillna("").astype(str)))
unit_pick = cols[1].selectbox(tr("cases.filter.unit"), [None, *units], key=f"cases_f_unit_{case_id}",
                              format_func=lambda u: _all_or(u, str(u) or tr("cases.filter.no_unit")))
areas = sorted({a for joined in ordered["areas"].dropna() for a in str(joined).split(";") if a})
area_pick = cols[2].selectbox(tr("cases.filter.area"), [None, *areas], key=f"cases_f_area_{case_id}",
                              format_func=lambda a: _all_or(a, str(a)))
days = sorted(d for d in set(cases.contact_days(ordered, TZ)) if d is not None)
day_pick = cols[3].selectbox(tr("cases.filter.day"), [None, *days], key=f"cases_f_day_{case_id}",
                             format_func=lambda d: _all_or(d, f"{d:%d/%m/%Y}" if d else ""))
status_pick = cols[4].selectbox(tr("cases.filter.status"), [None, *cases.STATUSES], key=f"cases_f_status_{case_id}",
                                format_func=lambda s: _all_or(s, tr(f"cases.status.{s}")))
selection = cases.Selection(grade=grade_pick, unit=unit_pick, area=area_pick, day=day_pick, status=status_pick)
chosen = cases.select_contacts(ordered, selection, TZ)
st.caption(tr("cases.filter.count", chosen=fmt_number(len(chosen)), total=fmt_number(len(ordered))))

# Hundreds of K2 read as a few groups: counts per unit and per day, folded.
grouped_base = ordered if grade_pick is None else ordered[ordered["grade"] == grade_pick]
what = grade_pick or tr("cases.groups.all")
for by, label_key, column_key in (("unit", "cases.groups.by_unit", "cases.groups.unit"),
                                  ("day", "cases.groups.by_day", "cases.groups.day")):
    groups = cases.contact_groups(grouped_base, by, TZ)
    with st.expander(tr(label_key, what=what, groups=fmt_number(len(groups)))):
        st.dataframe(
            pd.DataFrame({
                tr(column_key): [
                    (g or tr("cases.filter.no_unit")) if by == "unit" else (f"{g:%d/%m/%Y}" if g else "–")
                    for g in groups["group"]
                ],
                tr("cases.col.contacts"): [_n(v) for v in groups["contacts"]],
                tr("cases.col.reached"): [_n(v) for v in groups["reached"]],
                tr("cases.col.unreachable"): [_n(v) for v in groups["unreachable"]],
                tr("cases.groups.waiting"): [_n(v) for v in groups["waiting"]],
            }),
            hide_index=True, width="stretch", key=f"cases_groups_{by}",
        )

bad_phone = tr("cases.bad_phone")
shown = _page(chosen, f"cases_contacts_page_{case_id}")
reached_hours = cases.hours_to_first_contact(con, case_id)
table = pd.DataFrame({
    tr("tracing.col.grade"): shown["grade"],
    tr("tracing.col.name"): shown["name"],
    tr("tracing.col.person_id"): shown["person_id"],
    tr("tracing.col.phone"): [
        f"{p or ''} {bad_phone}".strip() if not link else p for p, link in zip(shown["phone"], shown["whatsapp"],
                                                                             strict=True)
    ],
    tr("cases.col.whatsapp"): [link or None for link in shown["whatsapp"]],
    tr("cases.col.status"): [STATUS_WORDS[s] for s in shown["status"]],
    tr("cases.col.test_result"): [TEST_WORDS.get(r, "") if r else "" for r in shown["test_result"]],
    tr("cases.col.note"): shown["note"].fillna(""),
    tr("cases.col.status_at"): [fmt_datetime(v, TZ) if not pd.isna(v) else "" for v in shown["status_at"]],
    tr("cases.col.hours_to_first"): [
        _n(reached_hours[str(p)], 1) if str(p) in reached_hours else "" for p in shown["person_id"]
    ],
    tr("cases.col.status_by"): shown["status_by"].fillna(""),
    tr("cases.col.unit"): shown["unit"].fillna(""),
    tr("tracing.col.last_contact"): [fmt_datetime(v, TZ) for v in shown["last_contact"]],
    tr("tracing.col.area_minutes"): [_n(v, 1) for v in shown["area_minutes"]],
    tr("tracing.col.overlap_minutes"): [_n(v, 1) for v in shown["overlap_minutes"]],
    tr("tracing.col.areas"): shown["areas"].fillna(""),
})
st.dataframe(
    table, hide_index=True, width="stretch", key="cases_contacts",
    column_config={tr("cases.col.whatsapp"): st.column_config.LinkColumn(display_text=tr("cases.wa_open"))},
)

if not is_open:
    st.stop()

# --- every chosen contact in one step, after a confirmation that says how many -------------------
st.subheader(tr("cases.group.header"))
tests = ("", *cases.TEST_RESULTS)
with st.form(key=f"cases_group_form_{case_id}"):
    cols = st.columns(3)
    group_status = cols[0].selectbox(
        tr("cases.group.status"), ("", *cases.STATUSES), key=f"cases_group_status_{case_id}",
        format_func=lambda s: tr(f"cases.status.{s}") if s else tr("cases.group.keep"),
    )
    group_test = cols[1].selectbox(
        tr("cases.group.test"), tests, key=f"cases_group_test_{case_id}",
        format_func=lambda r: tr(f"cases.test.{r}") if r else tr("cases.group.keep"),
    )
    group_note = cols[2].text_input(tr("cases.group.note"), key=f"cases_group_note_{case_id}")
    apply = st.form_submit_button(tr("cases.group.apply", count=fmt_number(len(chosen))), key=f"cases_group_apply_{case_id}")
if apply:
    st.session_state[GROUP_KEY] = {
        "case": case_id, "ids": [str(p) for p in chosen["person_id"]], "selection": selection,
        "status": group_status or None, "test": group_test or None, "note": group_note.strip() or None,
    }
pending = st.session_state.get(GROUP_KEY)
if pending and pending["case"] == case_id:
    changes = [tr(f"cases.group.what_{field}", value=label) for field, label in (
        ("status", tr(f"cases.status.{pending['status']}") if pending["status"] else None),
        ("test", tr(f"cases.test.{pending['test']}") if pending["test"] else None),
        ("note", pending["note"]),
    ) if label]
    if not changes:
        _error(cases.CaseError("nothing_to_change"))
        st.session_state.pop(GROUP_KEY, None)
    elif not pending["ids"]:
        _error(cases.CaseError("empty_selection", case=case_id))
        st.session_state.pop(GROUP_KEY, None)
    else:
        count = fmt_number(len(pending["ids"]))
        st.warning(tr_escaped("cases.group.confirm_text", count=count, what=", ".join(changes)))
        cols = st.columns(2)
        if cols[0].button(tr("cases.group.confirm", count=count), type="primary", key="cases_group_confirm"):
            st.session_state.pop(GROUP_KEY, None)
            try:
                done = cases.set_contacts(con, case_id, pending["selection"], person_ids=pending["ids"],
                                          status=pending["status"], test_result=pending["test"], note=pending["note"],
                                          actor=actor)
            except cases.CaseError as error:
                _error(error)
            else:
                st.session_state[FLASH_KEY] = tr("cases.group.done", count=fmt_number(done.count))
                st.rerun()
        if cols[1].button(tr("cases.group.cancel"), key="cases_group_cancel"):
            st.session_state.pop(GROUP_KEY, None)
            st.rerun()

# --- one message for a whole grade: the broadcast file ----------------------------------------------
st.subheader(tr("cases.broadcast.header"))
st.caption(tr("cases.broadcast.caption"))
broadcast_grade = st.radio(tr("cases.broadcast.grade"), cases.GRADES, index=len(cases.GRADES) - 1, horizontal=True,
                           key=f"cases_broadcast_grade_{case_id}")
# Built once per case, grade and state of the list (a rerun reuses it).
broadcast_state = (case_id, broadcast_grade, str(case["snapshot_at"]), str(contacts["status_at"].max()), len(contacts))
kept_broadcast = st.session_state.get(BROADCAST_KEY)
if kept_broadcast is None or kept_broadcast[0] != broadcast_state:
    kept_broadcast = (broadcast_state, broadcast.build_broadcast(con, case_id, broadcast_grade, TZ, allow_empty=True))
    st.session_state[BROADCAST_KEY] = kept_broadcast
made = kept_broadcast[1]


def _record_broadcast() -> None:
    broadcast.record_broadcast(cursor(), made, current_user() or "unknown")


if made.sendable.empty:
    st.warning(tr_escaped("cases.error.no_phones", case=case_id, grade=broadcast_grade, without=len(made.no_phone)))
else:
    st.caption(tr("cases.broadcast.summary", sendable=fmt_number(len(made.sendable)), grade=broadcast_grade,
                  without=fmt_number(len(made.no_phone))))
    cols = st.columns(2)
    cols[0].download_button(
        tr("cases.broadcast.download", grade=broadcast_grade, count=fmt_number(len(made.sendable))), made.data,
        file_name=f"kasus-{case_id}-{broadcast_grade}-siaran.csv", mime="text/csv", key="cases_broadcast_csv",
        on_click=_record_broadcast,
    )
    if cols[1].button(tr("cases.broadcast.sent", count=fmt_number(len(made.sendable))), key="cases_broadcast_sent"):
        try:
            marked = cases.mark_broadcast_sent(con, case_id, made.person_ids, actor)
        except cases.CaseError as error:
            _error(error)
        else:
            st.session_state[FLASH_KEY] = tr("cases.broadcast.marked", count=fmt_number(marked.count),
                                             grade=broadcast_grade)
            st.rerun()
if not made.no_phone.empty:
    with st.expander(tr("cases.broadcast.no_phone_header", count=fmt_number(len(made.no_phone)))):
        st.dataframe(
            pd.DataFrame({
                tr("tracing.col.person_id"): made.no_phone["person_id"],
                tr("tracing.col.name"): made.no_phone["name"],
                tr("tracing.col.phone"): made.no_phone["phone"],
            }),
            hide_index=True, width="stretch", key="cases_broadcast_no_phone",
        )
        st.download_button(
            tr("cases.broadcast.no_phone_download"), broadcast.no_phone_csv(made),
            file_name=f"kasus-{case_id}-{broadcast_grade}-tanpa-nomor.csv", mime="text/csv",
            key="cases_broadcast_no_phone_csv", on_click="ignore",
        )

# --- one contact -----------------------------------------------------------------------------------
st.subheader(tr("cases.update_header"))
names = {
    str(p): f"{g} · {n or p} ({p})"
    for p, g, n in zip(ordered["person_id"], ordered["grade"], ordered["name"], strict=True)
}
picked = str(st.selectbox(tr("cases.contact"), list(names), format_func=names.__getitem__, key="cases_contact"))
row = ordered[ordered["person_id"].astype(str) == picked].iloc[0]
if row["whatsapp"]:
    st.link_button(tr("cases.wa_open"), row["whatsapp"], key="cases_wa")
else:
    st.caption(bad_phone)
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
