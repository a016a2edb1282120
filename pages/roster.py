"""Daftar pegawai / Roster (admin): who works where, the quarantined roster rows, and the
last roster import with its age against the retention period (RULES "Places inside a
building", "Personal data")."""

import pandas as pd
import streamlit as st

from lib.ui.auth import require_roles

require_roles("admin")

from lib.analytics import roster  # noqa: E402 - only after the role check
from lib.store.db import DEFAULT_TIMEZONE  # noqa: E402
from lib.ui.data import cursor  # noqa: E402
from lib.ui.i18n import fmt_datetime, fmt_number, lang, number_table, tr  # noqa: E402
from lib.ui.plain import tr_escaped  # noqa: E402

st.title(tr("roster.title"))
st.caption(tr("roster.caption"))
con = cursor()
language = lang()

# The last roster import and its age: its rows are purged at the retention period.
st.subheader(tr("roster.last"))
age = roster.roster_age(con)
if age is None:
    st.info(tr("roster.empty"))
else:
    st.markdown(
        tr_escaped("roster.last_detail", file=age.file_name, when=fmt_datetime(age.imported_at, DEFAULT_TIMEZONE),
           who=age.imported_by, persons=fmt_number(age.persons_set), quarantined=fmt_number(age.quarantined),
           age=fmt_number(age.age_days), retention=fmt_number(age.retention_days))
    )
    if age.purge_in_days <= 0:
        st.error(tr("roster.warn_purged", retention=fmt_number(age.retention_days)), icon=":material/warning:")
    elif age.warn:
        st.warning(tr("roster.warn_old", days=fmt_number(age.purge_in_days), retention=fmt_number(age.retention_days)),
                   icon=":material/schedule:")

people = roster.roster_people(con)
if not people.empty:
    cells = st.columns(4)
    cells[0].metric(tr("roster.metric.persons"), fmt_number(len(people)))
    cells[1].metric(tr("roster.metric.units"), fmt_number(people["unit"].nunique()))
    cells[2].metric(tr("roster.metric.rooms"), fmt_number(len(people.dropna(subset=["room"])[["building", "room"]].drop_duplicates())))
    cells[3].metric(tr("roster.metric.no_room"), fmt_number(int(people["room"].isna().sum())))

    st.subheader(tr("roster.counts"))
    counts = roster.people_per_unit_and_room(con)
    empty = tr("roster.none")
    count_table = pd.DataFrame(
        {
            tr("roster.col.unit"): counts["unit"].fillna(empty),
            tr("roster.col.building"): counts["building_name"].fillna(empty),
            tr("roster.col.room"): counts["room"].fillna(empty),
            tr("roster.col.persons"): counts["persons"].astype(int),
        }
    )
    st.dataframe(number_table(count_table, {tr("roster.col.persons"): 0}), hide_index=True, width="stretch",
                 key="roster_counts")

    st.subheader(tr("roster.people"))
    units = sorted(people["unit"].dropna().unique().tolist())
    buildings = dict(zip(people["building"].dropna(), people["building_name"].dropna(), strict=False))
    cells = st.columns([2, 1, 1])
    text = cells[0].text_input(tr("roster.filter"), key="roster_filter")
    unit = cells[1].selectbox(tr("roster.filter_unit"), [None, *units], key="roster_unit",
                              format_func=lambda u: "—" if u is None else str(u))
    building = cells[2].selectbox(tr("roster.filter_building"), [None, *sorted(buildings)], key="roster_building",
                                  format_func=lambda b: "—" if b is None else str(buildings.get(b, b)))
    shown = roster.filter_people(people, text, unit, building).fillna({"name": "", "unit": "", "room": "",
                                                                        "building_name": ""})
    st.caption(tr("roster.shown", shown=fmt_number(len(shown)), total=fmt_number(len(people))))
    st.dataframe(
        pd.DataFrame(
            {
                tr("roster.col.name"): shown["name"],
                tr("roster.col.person_id"): shown["person_id"],
                tr("roster.col.unit"): shown["unit"],
                tr("roster.col.building"): shown["building_name"],
                tr("roster.col.room"): shown["room"],
                # A word per category, not per person (36 000 staff: ~0.2 s a run).
                tr("roster.col.category"): shown["category"].map(
                    {c: tr(f"ui.category.{c}") for c in shown["category"].dropna().unique()}
                ).fillna(""),
            }
        ),
        hide_index=True, width="stretch", key="roster_people",
    )

st.subheader(tr("roster.quarantine"))
quarantined = roster.roster_quarantine(con, language)
if quarantined.empty:
    st.caption(tr("roster.no_quarantine"))
else:
    st.dataframe(
        pd.DataFrame(
            {
                tr("roster.col.file"): quarantined["file_name"],
                tr("roster.col.imported_at"): [fmt_datetime(t, DEFAULT_TIMEZONE) for t in quarantined["imported_at"]],
                tr("roster.col.row"): quarantined["row_no"],
                tr("roster.col.reason"): quarantined["reason_text"],
                tr("roster.col.raw"): quarantined["raw"],
            }
        ),
        hide_index=True, width="stretch", key="roster_quarantine",
    )
