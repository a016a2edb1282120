"""The building manager's blocks on shared pages: alerts on the Now page and the Settings
sections for alerts and the webhook, office hours, work-from-office limits and backups.

Kept here, apart from the pages' own code, so each page only calls one function.
"""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pandas as pd
import streamlit as st

from lib.analytics import alerts
from lib.outputs import webhook
from lib.store import backup, office, places
from lib.store.db import DEFAULT_TIMEZONE
from lib.ui.auth import current_user
from lib.ui.data import cursor, database_path
from lib.ui.i18n import fmt_datetime, fmt_number, number_format, relabelled, tr
from lib.ui.plain import escape_markdown, refusal_text, tr_escaped
from lib.ui.widgets import building_names

ALERT_CACHE_SECONDS = 10
SEVERE = ("building_over", "room_over", "after_hours", "overstay")
# Where each kind of alert leads: the building's roll-call (who is inside, by room) or its
# settings (gates, thresholds). Overstays have left the roll-call (their visits were closed).
ROLLCALL_KINDS = ("building_over", "building_near", "room_over", "room_near", "after_hours")
SETTINGS_KINDS = ("silent_door",)
# The select boxes of the pages an alert leads to (pages/rollcall.py, pages/settings.py):
# given the building before the switch, the page opens on it.
ROLLCALL_PAGE, ROLLCALL_BUILDING_KEY = "pages/rollcall.py", "rollcall_building"
SETTINGS_PAGE, SETTINGS_BUILDING_KEY, SETTINGS_NEW_KEY = "pages/settings.py", "settings_building", "settings_new_select"


@st.cache_data(ttl=ALERT_CACHE_SECONDS, show_spinner=False)
def _alerts_now(_con: duckdb.DuckDBPyConnection, db_key: str, minute: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The alerts due now and the people behind them, shared by every admin's session for a few seconds."""
    now = datetime.now(UTC)
    return alerts.alerts_due(_con, now), alerts.alert_people(_con, now)


def open_page_on(page: str, key: str, building: str) -> None:
    """Switch to ``page`` with its select box ``key`` already on ``building``."""
    st.session_state[key] = building
    st.switch_page(page)


def link_button(label: str, key: str, page: str, select_key: str, building: str, help_text: str | None = None) -> None:
    """A button drawn as a link that opens ``page`` on ``building`` (a Markdown label: our own text only)."""
    if st.button(label, key=key, type="tertiary", help=help_text):
        open_page_on(page, select_key, building)


def alert_lines(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> list[tuple[bool, str]]:
    """(severe, the alert in words) for each alert, in the interface's language."""
    names = building_names(con)
    out = []
    for row in frame.itertuples():
        limit = "" if pd.isna(row.limit) else fmt_number(int(row.limit))
        # Building and room names are stored text: shown as text, never Markdown (lib.ui.plain).
        text = tr_escaped(f"alerts.kind.{row.kind}", building=names.get(row.building, row.building),
                  place=row.place or "-", value=fmt_number(int(row.value)), limit=limit)
        out.append((row.kind in SEVERE, text))
    return out


def _people_table(people: pd.DataFrame, zones: dict[str, str]) -> pd.DataFrame:
    """The people of one alert as an st.table, whose cells are Markdown: names and phones are
    stored text, escaped so they show as typed (lib.ui.plain)."""
    table = {
        tr("alerts.col.name"): [escape_markdown(n or p) for n, p in zip(people["name"], people["person_id"], strict=True)],
        tr("alerts.col.phone"): [escape_markdown(v) for v in people["phone"].fillna("")],
        tr("alerts.col.checkin"): [fmt_datetime(t, zones.get(b, DEFAULT_TIMEZONE))
                                   for t, b in zip(people["checkin_at"], people["building"], strict=True)],
    }
    if people["until"].notna().any():
        table[tr("alerts.col.until")] = [
            "" if pd.isna(t) else fmt_datetime(t, zones.get(b, DEFAULT_TIMEZONE))
            for t, b in zip(people["until"], people["building"], strict=True)
        ]
    return pd.DataFrame(table)


def render_alerts() -> None:
    """The alerts block of the Now page (RULES "Alerts"), refreshed with the live figures.

    Each alert says who (the people behind an after-hours or overstay alert, in an
    expander: this is the administrator's page) and leads on: to the building's roll-call,
    or to its settings; new buildings from an import lead to their review in Settings."""

    @st.fragment(run_every="30s")
    def block() -> None:
        con = cursor()  # a fresh cursor each rerun: the nightly rewrite closes old ones
        frame, people = _alerts_now(con, str(database_path()), datetime.now(UTC).strftime("%Y%m%d%H%M"))
        fresh = places.new_buildings(con)
        zones = dict(con.execute("SELECT building_id, timezone FROM buildings").fetchall())
        with st.container(key="now_alerts"):
            st.subheader(tr("alerts.title"))
            if frame.empty and fresh.empty:
                st.caption(tr("alerts.none"))
            # Warnings, not errors: an error box on a page means the page failed. The icon
            # tells the severe kinds (above a limit, people left inside) from the early ones.
            for row, (severe, text) in zip(frame.itertuples(), alert_lines(con, frame), strict=True):
                st.warning(text, icon=":material/emergency_home:" if severe else ":material/warning:")
                who = people[(people["kind"] == row.kind) & (people["building"] == row.building)]
                if len(who):
                    with st.expander(tr(f"alerts.people.{row.kind}", count=fmt_number(len(who))), key=f"now_alert_who_{row.key}"):
                        # A static table shows every row (a frame inside a closed expander measured
                        # itself too short and hid its last one); its cells are Markdown: escaped.
                        st.table(_people_table(who, zones), hide_index=True)
                if row.kind in ROLLCALL_KINDS:
                    link_button(tr("alerts.to_rollcall"), f"now_alert_rollcall_{row.key}", ROLLCALL_PAGE,
                                ROLLCALL_BUILDING_KEY, str(row.building))
                elif row.kind in SETTINGS_KINDS:
                    link_button(tr("alerts.to_settings"), f"now_alert_settings_{row.key}", SETTINGS_PAGE,
                                SETTINGS_BUILDING_KEY, str(row.building))
            # Buildings first named by an import (RULES "Import"): a typo until someone confirms them.
            for building, name, events in zip(fresh["building_id"], fresh["name"], fresh["events"], strict=True):
                st.warning(tr_escaped("alerts.kind.new_building", building=f"{name} ({building})",
                                      events=fmt_number(int(events))), icon=":material/domain_add:")
                link_button(tr("alerts.to_new_building"), f"now_alert_new_{building}", SETTINGS_PAGE,
                            SETTINGS_NEW_KEY, str(building))

    block()


def _error(error: places.SettingsError) -> None:
    st.error(refusal_text(error))


def _saved(changed: bool) -> None:
    (st.success if changed else st.info)(tr("manager.settings.saved" if changed else "manager.settings.unchanged"))


def render_settings(con: duckdb.DuckDBPyConnection) -> None:
    """The Settings sections of the building manager, each a form of its own."""
    actor = current_user()

    st.header(tr("manager.settings.alerts"))
    st.caption(tr("manager.settings.alerts_help"))
    start, end = office.office_hours(con)
    with st.form(key="manager_alerts_form"):
        url = st.text_input(tr("manager.settings.webhook_url"), value=office.webhook_url(con) or "",
                            key="manager_webhook_url", placeholder="https://hooks.example.go.id/pantau")
        hours = st.text_input(tr("manager.settings.office_hours"), value=f"{start:%H:%M}-{end:%H:%M}",
                              key="manager_office_hours")
        submitted = st.form_submit_button(tr("manager.settings.save_alerts"))
    if submitted:
        try:
            office.normalize_webhook_url(url) if url.strip() else None  # check both before saving either
            office.parse_office_hours(hours)
            changed = office.set_webhook_url(con, url, actor)
            changed = office.set_office_hours(con, hours, actor) or changed
            _saved(changed)
        except places.SettingsError as error:
            _error(error)
    log = webhook.deliveries(con, limit=20)
    st.subheader(tr("manager.settings.deliveries"))
    if log.empty:
        st.caption(tr("manager.settings.no_deliveries"))
    else:
        st.dataframe(
            pd.DataFrame({
                tr("manager.settings.col.time"): [fmt_datetime(t, DEFAULT_TIMEZONE) for t in log["tried_at"]],
                tr("manager.settings.col.alert"): log["alert_key"],
                tr("manager.settings.col.attempt"): log["attempt"],
                tr("manager.settings.col.status"): [
                    str(int(s)) if not pd.isna(s) else str(e or "") for s, e in zip(log["status"], log["error"], strict=True)
                ],
                tr("manager.settings.col.delivered"): log["delivered"],
            }),
            hide_index=True, width="stretch", key="manager_deliveries",
        )

    _wfo_section(con, actor)
    _backup_section(con, actor)


def _wfo_section(con: duckdb.DuckDBPyConnection, actor: str) -> None:
    st.header(tr("manager.settings.wfo"))
    st.caption(tr("manager.settings.wfo_help"))
    units = [str(u) for (u,) in con.execute(
        "SELECT DISTINCT unit FROM roster WHERE nullif(trim(unit), '') IS NOT NULL ORDER BY 1").fetchall()]
    names = building_names(con)
    presets: list[str] = [*(f"ppkm{level}" for level in places.PPKM_SHARES), "custom", "none"]

    def preset_label(preset: str) -> str:
        if preset.startswith("ppkm"):
            level = int(preset[4:])
            return tr("manager.settings.wfo_preset.ppkm", level=level, share=fmt_number(places.PPKM_SHARES[level] * 100))
        return tr(f"manager.settings.wfo_preset.{preset}")

    scope = st.radio(tr("manager.settings.wfo_scope"), office.WFO_SCOPES, horizontal=True, key=relabelled("manager_wfo_scope"),
                     format_func=lambda s: tr(f"manager.settings.wfo_scope.{s}"))
    choices = list(names) if scope == "building" else units
    with st.form(key="manager_wfo_form"):
        name = st.selectbox(tr("manager.settings.wfo_name"), choices, key="manager_wfo_name",
                            format_func=lambda n: names.get(n, n) if scope == "building" else n)
        preset = st.selectbox(tr("manager.settings.wfo_preset"), presets, key=relabelled("manager_wfo_preset"),
                              format_func=preset_label)
        percent = st.number_input(tr("manager.settings.wfo_percent"), min_value=0.0, max_value=100.0, value=50.0,
                                  step=5.0, key="manager_wfo_percent", format=number_format())
        submitted = st.form_submit_button(tr("manager.settings.wfo_save"))
    if submitted:
        try:
            if not name:
                raise places.SettingsError("bad_wfo_limit")
            share: float | None
            if preset == "none":
                share = None
            elif preset == "custom":
                share = office.wfo_share(float(percent) / 100)
            else:
                share = office.wfo_share(ppkm_level=int(preset[4:]))
            _saved(office.set_wfo_limit(con, scope, str(name), share, actor))
        except places.SettingsError as error:
            _error(error)
    limits = office.wfo_limits(con)
    rows = [(tr(f"manager.settings.wfo_scope.{s}"), names.get(n, n) if s == "building" else n, f"{fmt_number(v * 100)} %")
            for s in office.WFO_SCOPES for n, v in sorted(limits[s].items())]
    st.subheader(tr("manager.settings.wfo_current"))
    if not rows:
        st.caption(tr("manager.settings.wfo_none"))
    else:
        st.dataframe(
            pd.DataFrame(rows, columns=[tr("manager.settings.wfo_scope"), tr("manager.settings.wfo_name"),
                                        tr("manager.settings.wfo_preset")]),
            hide_index=True, width="stretch", key="manager_wfo_table",
        )


def _backup_section(con: duckdb.DuckDBPyConnection, actor: str) -> None:
    st.header(tr("manager.settings.backups"))
    help_line = st.empty()  # filled below, so a number just saved shows at once
    folder = backup.backup_folder(database_path())
    with st.form(key="manager_backup_form"):
        keep = st.number_input(tr("manager.settings.backup_keep"), min_value=1, max_value=365, step=1,
                               value=office.backup_keep(con), key="manager_backup_keep")
        submitted = st.form_submit_button(tr("manager.settings.backup_save"), key="manager_backup_save")
    if submitted:
        try:
            _saved(office.set_backup_keep(con, int(keep), actor))
        except places.SettingsError as error:
            _error(error)
    help_line.caption(tr("manager.settings.backups_help", keep=fmt_number(office.backup_keep(con))))
    if st.button(tr("manager.settings.backup_now"), key="manager_backup_now"):
        made = backup.backup_now(con, folder, actor=actor)
        st.success(tr_escaped("manager.settings.backup_done", name=made.name))
    listed = backup.list_backups(folder)
    if listed.empty:
        st.caption(tr("manager.settings.no_backups"))
        return
    st.dataframe(
        pd.DataFrame({
            tr("manager.settings.col.file"): listed["name"],
            tr("manager.settings.col.time"): [fmt_datetime(t, DEFAULT_TIMEZONE) for t in listed["made_at"]],
            tr("manager.settings.col.age"): [tr("manager.settings.age", hours=fmt_number(h, 1)) for h in listed["age_hours"]],
            tr("manager.settings.col.size"): [
                tr("manager.settings.size", mb=fmt_number(b / 1_000_000, 1)) for b in listed["size_bytes"]
            ],
        }),
        hide_index=True, width="stretch", key="manager_backups",
    )
