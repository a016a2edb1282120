"""Audit (admin): read and filter the audit log."""

import streamlit as st

from lib.core.timeutil import parse_local_bound, zone_label
from lib.store import audit
from lib.store.db import DEFAULT_TIMEZONE
from lib.ui.auth import require_roles
from lib.ui.data import cursor
from lib.ui.i18n import fmt_number, lang, tr
from lib.ui.widget_texts import choose_placeholder
from lib.ui.widgets import date_range

require_roles("admin")

st.title(tr("audit.title"))
st.caption(tr("audit.caption", zone=zone_label(DEFAULT_TIMEZONE)))

con = cursor()
cells = st.columns(3)
actor_options = audit.distinct_values(con, "actor")
actors = cells[0].multiselect(
    tr("audit.actors"), actor_options, key="audit_actors", placeholder=choose_placeholder(not len(actor_options)),
)
action_options = audit.distinct_values(con, "action")
actions = cells[1].multiselect(
    tr("audit.actions"), action_options, key="audit_actions",
    format_func=lambda code: audit.action_label(code, lang()), placeholder=choose_placeholder(not len(action_options)),
)
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
        shown = audit.readable_audit(con, records, lang(), DEFAULT_TIMEZONE)
        st.dataframe(
            shown.rename(columns={c: tr(f"audit.col.{c}") for c in shown.columns}),
            hide_index=True, width="stretch", key="audit_table",
            column_config={tr("audit.col.params"): st.column_config.TextColumn(width="large")},
        )
