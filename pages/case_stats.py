"""Ringkasan kasus / Case summary (leadership, admin): tracing cases in aggregates only.

RULES "Tracing cases", "Personal data": cases per week, contacts per case and the share of
K1 contacts reached within 24 and 72 hours, and next to it K2's (reached by a broadcast
message or a call); no names, ids or phones reach this page.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lib.analytics import cases
from lib.ui.auth import require_roles
from lib.ui.data import cursor
from lib.ui.i18n import fmt_number, fmt_percent, tr

require_roles("leadership", "admin")

st.title(tr("cases.stats.title"))
st.caption(tr("cases.stats.caption"))
summary = cases.leadership_summary(cursor())
if summary.empty:
    st.info(tr("cases.stats.none"))
    st.stop()


def _share(value: object) -> str:
    return "–" if value is None or pd.isna(value) else fmt_percent(float(value))


st.dataframe(
    pd.DataFrame({
        tr("cases.stats.week"): summary["week"],
        tr("cases.stats.cases"): [fmt_number(v) for v in summary["cases"]],
        tr("cases.stats.contacts"): [fmt_number(v) for v in summary["contacts"]],
        tr("cases.stats.contacts_per_case"): [fmt_number(v, 1) for v in summary["contacts_per_case"]],
        tr("cases.stats.k1"): [fmt_number(v) for v in summary["k1"]],
        tr("cases.stats.k1_reached_24h"): [_share(v) for v in summary["k1_reached_24h"]],
        tr("cases.stats.k1_reached_72h"): [_share(v) for v in summary["k1_reached_72h"]],
        tr("cases.stats.k2"): [fmt_number(v) for v in summary["k2"]],
        tr("cases.stats.k2_reached_24h"): [_share(v) for v in summary["k2_reached_24h"]],
        tr("cases.stats.k2_reached_72h"): [_share(v) for v in summary["k2_reached_72h"]],
    }),
    hide_index=True, width="stretch", key="case_stats_table",
)
