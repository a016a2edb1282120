"""Kehadiran per unit / Attendance by unit (leadership, admin): staff on site against the WFO limit.

RULES "Attendance by unit". Figures only: no names reach this page.
"""

from datetime import date, timedelta

import pandas as pd
import streamlit as st

from lib.analytics.attendance import attendance, week_view, with_limits
from lib.outputs.export import csv_bytes
from lib.ui.auth import require_roles
from lib.ui.data import cursor
from lib.ui.i18n import fmt_percent, tr
from lib.ui.widgets import fmt_day, local_today

require_roles("leadership", "admin")

st.title(tr("attendance.title"))
st.caption(tr("attendance.caption"))

con = cursor()
units = [str(u) for (u,) in con.execute(
    "SELECT DISTINCT unit FROM roster WHERE nullif(trim(unit), '') IS NOT NULL ORDER BY 1").fetchall()]
if not units:
    st.info(tr("attendance.no_roster"))
    st.stop()

cells = st.columns(2)
picked = cells[0].date_input(tr("attendance.week"), value=local_today(), key="attendance_week", format="DD/MM/YYYY")
unit = cells[1].selectbox(tr("attendance.unit"), [None, *units], key="attendance_unit",
                          format_func=lambda u: tr("attendance.all_units") if u is None else u)
day = picked if isinstance(picked, date) else local_today()
monday = day - timedelta(days=day.weekday())
frame = with_limits(con, attendance(con, monday, monday + timedelta(days=6), unit=unit))

st.subheader(tr("attendance.week_view"))
view = week_view(frame)
view.columns = [fmt_day(d) for d in view.columns]
st.dataframe(view.map(fmt_percent), width="stretch", key="attendance_week_view")
over = int(frame["over"].sum())
if over:
    st.warning(tr("attendance.over_count", count=over))

table = pd.DataFrame({
    tr("attendance.col.unit"): frame["unit"],
    tr("attendance.col.day"): [fmt_day(d) for d in frame["day"]],
    tr("attendance.col.headcount"): frame["headcount"],
    tr("attendance.col.on_site"): frame["on_site"],
    tr("attendance.col.share"): [fmt_percent(s) for s in frame["share"]],
    tr("attendance.col.limit"): ["" if pd.isna(v) else fmt_percent(v) for v in frame["limit"]],
    tr("attendance.col.over"): [tr("attendance.yes") if o else tr("attendance.no") for o in frame["over"]],
})
st.dataframe(table, hide_index=True, width="stretch", key="attendance_table")
download = frame.assign(day=[d.isoformat() for d in frame["day"]])
st.download_button(tr("attendance.download"), csv_bytes(download), file_name=f"kehadiran-{monday.isoformat()}.csv",
                   mime="text/csv", key="attendance_csv", on_click="ignore")
