"""Pantau: the router. Page config, language, login, a role-filtered menu, the page.

Started by ``serve.py`` (``streamlit run serve.py``). Every rule lives in ``lib/``; every page checks
its roles itself (``lib.ui.auth.require_roles``).
"""

import streamlit as st

from lib.core import config
from lib.ui.auth import PageSpec, login_gate, navigation, prepare_accounts
from lib.ui.data import prepare_database
from lib.ui.i18n import apply_user_language, tr

ADMIN, LEADERSHIP, TRACER, DESK = "admin", "leadership", "tracer", "desk"
MONITOR, TRACING, DATA, ADMINISTRATION = (
    "nav.section.monitor", "nav.section.tracing", "nav.section.data", "nav.section.admin",
)
# Order = menu order; the first page a user's roles allow is their start page.
PAGES = [
    PageSpec("pages/now.py", "now", "nav.now", ":material/traffic:", (ADMIN,), MONITOR),
    PageSpec("pages/front_desk.py", "front-desk", "nav.front_desk", ":material/desk:", (DESK, ADMIN), MONITOR),
    PageSpec("pages/occupancy.py", "occupancy", "nav.occupancy", ":material/show_chart:", (ADMIN, LEADERSHIP), MONITOR),
    PageSpec("pages/weekly.py", "weekly", "nav.weekly", ":material/calendar_month:", (LEADERSHIP, ADMIN), MONITOR),
    PageSpec("pages/attendance.py", "attendance", "nav.attendance", ":material/badge:", (LEADERSHIP, ADMIN), MONITOR),
    PageSpec("pages/rollcall.py", "rollcall", "nav.rollcall", ":material/emergency:", (ADMIN,), MONITOR),
    PageSpec("pages/case_stats.py", "case-stats", "nav.case_stats", ":material/monitoring:", (LEADERSHIP, ADMIN), MONITOR),
    *([PageSpec("pages/province.py", "province", "nav.province", ":material/public:", (LEADERSHIP, ADMIN), MONITOR)] if config.lake() else []),
    PageSpec("pages/tracing.py", "tracing", "nav.tracing", ":material/person_search:", (TRACER,), TRACING),
    PageSpec("pages/cases.py", "cases", "nav.cases", ":material/assignment_ind:", (TRACER,), TRACING),
    PageSpec("pages/import_logs.py", "import", "nav.import", ":material/upload_file:", (ADMIN,), DATA),
    PageSpec("pages/quality.py", "quality", "nav.quality", ":material/rule:", (ADMIN,), DATA),
    PageSpec("pages/roster.py", "roster", "nav.roster", ":material/badge:", (ADMIN,), DATA),
    PageSpec("pages/settings.py", "settings", "nav.settings", ":material/settings:", (ADMIN,), ADMINISTRATION),
    PageSpec("pages/users.py", "users", "nav.users", ":material/group:", (ADMIN,), ADMINISTRATION),
    PageSpec("pages/posters.py", "posters", "nav.posters", ":material/qr_code_2:", (ADMIN,), ADMINISTRATION),
    PageSpec("pages/audit.py", "audit", "nav.audit", ":material/history:", (ADMIN,), ADMINISTRATION),
]

st.set_page_config(page_title="Pantau", page_icon="🏢", layout="wide")
apply_user_language()  # the language switch itself is in the sidebar of login_gate
prepare_database(tr("ui.loading_demo"))
prepare_accounts()
login_gate(PAGES)
navigation(PAGES).run()
