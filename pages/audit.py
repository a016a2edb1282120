"""Audit (admin): read and filter the audit log."""

import pandas as pd
import streamlit as st

from lib import audit
from lib.db import DEFAULT_TIMEZONE
from lib.timeutil import parse_local_bound, zone_label
from lib.ui.auth import require_roles
from lib.ui.data import cursor
from lib.ui.i18n import fmt_datetime, fmt_number, tr
from lib.ui.widget_texts import choose_placeholder
from lib.ui.widgets import date_range

require_roles("admin")

st.title(tr("audit.title"))
st.caption(tr("audit.caption", zone=zone_label(DEFAULT_TIMEZONE)))

con = cursor()
cells = st.columns(3)
actor_options = audit.distinct_values(con, "actor")
actors = cells[0].multiselect(tr("audit.actors"), actor_options, key="audit_actors",
                              placeholder=choose_placeholder(not len(actor_options)))
action_options = audit.distinct_values(con, "action")
actions = cells[1].multiselect(tr("audit.actions"), action_options, key="audit_actions",
                               placeholder=choose_placeholder(not len(action_options)))
text = cells[2].text_input(tr("audit.text"), key="audit_text")
window = date_range("audit", default_days=30)
if window is not None:
    start = parse_local_bound(window[0].isoformat(), DEFAULT_TIMEZONE, is_end=False)
    end = parse_local_bound(window[1].isoformat(), DEFAULT_TIMEZONE, is_end=True)
    records = audit.read_audit(con, actors, actions, text, start, end)
    st.caption(tr("audit.count", count=fmt_number(len(records))))
    if records.empty:
        st.info(tr("audit.empty"))
    else:
        st.dataframe(
            pd.DataFrame(
                {
                    tr("audit.col.when"): [fmt_datetime(t, DEFAULT_TIMEZONE) for t in records["logged_at"]],
                    tr("audit.col.actor"): records["actor"],
                    tr("audit.col.action"): records["action"],
                    tr("audit.col.subject"): records["subject"].fillna(""),
                    tr("audit.col.params"): records["params"].fillna(""),
                    tr("audit.col.rows"): records["rows"].astype("Int64"),
                }
            ),
            hide_index=True, width="stretch", key="audit_table",
        )
