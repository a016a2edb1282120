"""Kehadiran per unit / Attendance by unit (leadership, admin): staff on site against the WFO limit.

RULES "Attendance by unit". Figures only: no names reach this page.
"""

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import streamlit as st

from lib.analytics.attendance import attendance, last_complete_week, week_view, with_limits
from lib.core.timeutil import format_local_time
from lib.outputs.charts import weekday_label
from lib.outputs.export import csv_bytes
from lib.store.db import DEFAULT_TIMEZONE
from lib.ui.auth import require_roles
from lib.ui.data import cursor
from lib.ui.i18n import fmt_number, fmt_percent, relabelled, tr
from lib.ui.widgets import ALL, fmt_day, local_today

require_roles("leadership", "admin")

st.title(tr("attendance.title"))
st.caption(tr("attendance.caption"))

con = cursor()
units = [str(u) for (u,) in con.execute(
    "SELECT DISTINCT unit FROM roster WHERE nullif(trim(unit), '') IS NOT NULL ORDER BY 1").fetchall()]
if not units:
    st.info(tr("attendance.no_roster"))
    st.stop()

today = local_today()
cells = st.columns(2)
# Opens on the last complete week, not on the week starting today (RULES "Attendance by unit").
picked = cells[0].date_input(tr("attendance.week"), value=last_complete_week(today), key="attendance_week",
                             format="DD/MM/YYYY", help=tr("attendance.week_help"))
unit = cells[1].selectbox(tr("attendance.unit"), [ALL, *units], key=relabelled("attendance_unit"),
                          format_func=lambda u: tr("attendance.all_units") if u == ALL else u) or None
day = picked if isinstance(picked, date) else last_complete_week(today)
monday = day - timedelta(days=day.weekday())
sunday = monday + timedelta(days=6)
# Days after today are blank and not judged; today's figures are so far (RULES "Attendance by unit").
frame = with_limits(con, attendance(con, monday, monday + timedelta(days=6), unit=unit), today=today)
so_far = tr("attendance.so_far")


def share_text(share: float, state: str) -> str:
    if pd.isna(share):
        return ""
    return f"{fmt_percent(share)} ({so_far})" if state == "today" else fmt_percent(share)


def over_text(over: object, state: str) -> str:
    if pd.isna(over):
        return ""
    text = tr("attendance.yes") if over else tr("attendance.no")
    # Today can still go above the limit, never back below it.
    return f"{text} ({so_far})" if state == "today" and not over else text


st.subheader(tr("attendance.week_view", first=fmt_day(monday), last=fmt_day(sunday)))
view = week_view(frame)
view = view.map(lambda s: "" if pd.isna(s) else fmt_percent(s))
view.index.name = tr("attendance.col.unit")
# 'Sen 30/11': the weekday in words and a short date, so seven days and the unit fit the page's width.
view.columns = [f"{weekday_label(d.weekday())} {d:%d/%m}" + (f" ({so_far})" if d == today else "") for d in view.columns]
# Every unit at once: the default frame shows ten rows and hides the rest behind a scroll bar.
st.dataframe(view, width="stretch", height="content", key="attendance_week_view")
if monday <= today <= monday + timedelta(days=6):
    st.caption(tr("attendance.today_note", day=fmt_day(today), time=format_local_time(datetime.now(UTC), DEFAULT_TIMEZONE)))
elif monday > today:
    st.caption(tr("attendance.future_note"))
if frame["limit"].isna().any():
    st.caption(tr("attendance.no_limit_note"))
over = int(frame["over"].sum())
if over:
    st.warning(tr("attendance.over_count", count=over, first=fmt_day(monday), last=fmt_day(sunday)))

table = pd.DataFrame({
    tr("attendance.col.unit"): frame["unit"],
    tr("attendance.col.day"): [fmt_day(d) for d in frame["day"]],
    tr("attendance.col.headcount"): frame["headcount"],
    # A day to come has nobody on site yet: blank, not "None" and not 0.
    tr("attendance.col.on_site"): ["" if pd.isna(v) else fmt_number(v) for v in frame["on_site"]],
    tr("attendance.col.share"): [share_text(s, st_) for s, st_ in zip(frame["share"], frame["day_state"], strict=True)],
    tr("attendance.col.limit"): ["" if pd.isna(v) else fmt_percent(v) for v in frame["limit"]],
    tr("attendance.col.over"): [over_text(o, st_) for o, st_ in zip(frame["over"], frame["day_state"], strict=True)],
})
st.dataframe(table, hide_index=True, width="stretch", key="attendance_table",
             column_config={tr("attendance.col.on_site"): st.column_config.TextColumn(alignment="right")})
download = frame.assign(day=[d.isoformat() for d in frame["day"]])
st.download_button(tr("attendance.download"), csv_bytes(download), file_name=f"kehadiran-{monday.isoformat()}.csv",
                   mime="text/csv", key="attendance_csv", on_click="ignore")
