"""Kualitas data / Data quality (admin): anomalies per building and day, compliance, quarantine."""

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from lib.analytics import quality
from lib.core.numformat import weekday_name
from lib.store.db import DEFAULT_TIMEZONE
from lib.ui.auth import require_roles
from lib.ui.data import cursor
from lib.ui.i18n import fmt_datetime, fmt_number, fmt_percent, lang, number_table, tr
from lib.ui.plain import tr_escaped
from lib.ui.widgets import building_choice, building_names, date_range, fmt_day

require_roles("admin")

st.title(tr("quality.title"))
st.caption(tr("quality.caption"))

con = cursor()
names = building_names(con)
building = building_choice(con, key="quality_building")
window = date_range("quality", default_days=14)
if window is not None and names:
    first, last = window
    anomalies = quality.daily_anomalies(con, first, last, datetime.now(UTC), building)
    quarantine_total = int(con.execute("SELECT count(*) FROM quarantine").fetchall()[0][0])
    cells = st.columns(4)
    cells[0].metric(tr("quality.duplicates"), fmt_number(int(anomalies["duplicates"].sum())))
    cells[1].metric(tr("quality.orphans"), fmt_number(int(anomalies["orphans"].sum())))
    cells[2].metric(tr("quality.auto_closes"), fmt_number(int(anomalies["auto_closes"].sum())))
    cells[3].metric(tr("quality.quarantined"), fmt_number(quarantine_total))

    st.subheader(tr("quality.per_day"))
    st.caption(tr("quality.per_day_help"))
    st.dataframe(
        number_table(
            pd.DataFrame(
                {
                    tr("quality.col.building"): [names.get(b, b) for b in anomalies["building"]],
                    tr("quality.col.day"): [fmt_day(d) for d in anomalies["day"]],
                    tr("quality.col.weekday"): [
                        weekday_name(pd.Timestamp(d).weekday(), lang()) for d in anomalies["day"]
                    ],
                    tr("quality.duplicates"): anomalies["duplicates"],
                    tr("quality.orphans"): anomalies["orphans"],
                    tr("quality.auto_closes"): anomalies["auto_closes"],
                }
            ),
            {tr("quality.duplicates"): 0, tr("quality.orphans"): 0, tr("quality.auto_closes"): 0},
        ),
        hide_index=True, width="stretch", key="quality_per_day",
    )

    st.subheader(tr("quality.compliance"))
    st.caption(tr("quality.compliance_help"))
    staff = quality.compliance(con, first, last, building)
    missing = sorted({names.get(b, b) for b, e in zip(staff["building"], staff["expected"], strict=True) if pd.isna(e)})
    if missing:
        st.info(tr_escaped("quality.no_expected", buildings=", ".join(missing)))
    workdays = staff[staff["weekday"] <= 5]["share"].dropna()
    if not workdays.empty:
        st.metric(tr("quality.workday_mean"), fmt_percent(float(workdays.mean())))
    st.dataframe(
        pd.DataFrame(
            {
                tr("quality.col.building"): [names.get(b, b) for b in staff["building"]],
                tr("quality.col.day"): [fmt_day(d) for d in staff["day"]],
                tr("quality.col.weekday"): [weekday_name(int(w) - 1, lang()) for w in staff["weekday"]],
                tr("quality.col.checked_in"): staff["staff_checked_in"],
                tr("quality.col.expected"): [fmt_number(e) if not pd.isna(e) else "–" for e in staff["expected"]],
                tr("quality.col.share"): [fmt_percent(s) for s in staff["share"]],
            }
        ),
        hide_index=True, width="stretch", key="quality_compliance",
    )
elif not names:
    st.info(tr("ui.no_buildings"))

st.subheader(tr("quality.quarantine"))
st.caption(tr("quality.quarantine_help"))
rows = quality.quarantine_rows(con, lang=lang(), limit=500)
if rows.empty:
    st.caption(tr("quality.no_quarantine"))
else:
    st.dataframe(
        pd.DataFrame(
            {
                tr("quality.col.imported_at"): [fmt_datetime(t, DEFAULT_TIMEZONE) for t in rows["imported_at"]],
                tr("quality.col.file"): rows["file_name"],
                tr("quality.col.row"): rows["row_no"],
                tr("quality.col.reason"): rows["reason_text"],
                tr("quality.col.raw"): rows["raw"],
            }
        ),
        hide_index=True, width="stretch", key="quality_quarantine",
    )
