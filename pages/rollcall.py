"""Apel darurat / Roll-call (admin): everyone inside, by room; marshals tick people off on a phone.

RULES "Roll-call". The PDF and the CSV are there to be downloaded while the network works.
"""

from datetime import UTC, datetime, timedelta
from functools import partial

import pandas as pd
import streamlit as st

from lib.analytics.rollcall import rollcall, rollcall_totals
from lib.core.timeutil import format_local_iso
from lib.outputs.export import csv_bytes
from lib.outputs.rollcall_pdf import rollcall_pdf
from lib.store import ticks
from lib.store.db import DEFAULT_TIMEZONE, building_timezones
from lib.ui.auth import current_user, require_roles
from lib.ui.data import cursor
from lib.ui.i18n import fmt_datetime, fmt_number, fmt_time, lang, tr
from lib.ui.plain import escape_markdown
from lib.ui.widgets import building_choice, building_names

require_roles("admin")

st.title(tr("rollcall.title"))
st.caption(tr("rollcall.caption"))

con = cursor()
ACTIVE_HOURS = 12  # a roll-call started longer ago than this is over: the page shows the live list again

building = building_choice(con, key="rollcall_building")
names = building_names(con)
zones = building_timezones(con)
zone = zones.get(building, DEFAULT_TIMEZONE) if building else DEFAULT_TIMEZONE
now = datetime.now(UTC)

if st.button(tr("rollcall.start"), key="rollcall_start", type="primary"):
    ticks.start_rollcall(con, now, building, current_user())

active = ticks.latest_rollcall(con, building)
if active is not None and pd.Timestamp(active["started_at"]) < pd.Timestamp(now - timedelta(hours=ACTIVE_HOURS)):
    active = None
moment = pd.Timestamp(active["rollcall_at"]).to_pydatetime() if active else now
frame = rollcall(con, moment, building=building)
if active:
    st.info(tr("rollcall.started", time=fmt_datetime(moment, zone), user=escape_markdown(active["started_by"])))
else:
    st.caption(tr("rollcall.live", time=fmt_time(now, zone)))

# Offline copies first: on a phone they are what is left when the network drops.
cells = st.columns(2)
cells[0].download_button(
    tr("rollcall.download_pdf"),
    # Made when clicked (in its own thread), not on every run: at 7 000 staff ~0.5 s a run.
    partial(rollcall_pdf, frame, moment, names=names, timezones=zones, lang=lang(), generated_at=now.astimezone(UTC)),
    file_name="apel-darurat.pdf", mime="application/pdf", key="rollcall_pdf", on_click="ignore",
)
download = frame.copy()
download["checkin_at"] = format_local_iso(download["checkin_at"], download["building"].map(lambda b: zones.get(b, DEFAULT_TIMEZONE)))
cells[1].download_button(
    tr("rollcall.download_csv"), csv_bytes(download), file_name="apel-darurat.csv", mime="text/csv",
    key="rollcall_csv", on_click="ignore",
)

if frame.empty:
    st.info(tr("rollcall.nobody"))
    st.stop()

if building is None:
    # The grand total across buildings, by category, before the building-by-building list.
    st.markdown(tr("rollcall.total", **{k: fmt_number(v) for k, v in rollcall_totals(frame).items()}))

ticked = ticks.ticked_set(con, int(active["rollcall_id"])) if active else set()
if active:
    done = sum((b, p) in ticked for b, p in zip(frame["building"], frame["person_id"], strict=True))
    st.markdown(tr("rollcall.counts", ticked=done, people=len(frame), missing=len(frame) - done))


def on_tick(rollcall_id: int, building_id: str, person_id: str, key: str) -> None:
    ticks.set_tick(cursor(), rollcall_id, building_id, person_id, bool(st.session_state[key]), current_user())


# Buildings in the order of their names, case ignored (as on the Now page).
for building_id in sorted(frame["building"].unique(), key=lambda b: (names.get(b, b).casefold(), b)):
    people = frame[frame["building"] == building_id]
    # Stored names, rooms and units are shown as text, never as Markdown (lib.ui.plain).
    st.subheader(f"{escape_markdown(names.get(building_id, building_id))} · {len(people)}")
    for area, group in people.groupby("area", sort=True):
        label = escape_markdown(area) if area else tr("rollcall.in_building")
        if area and group["area_assumed"].all():
            label = f"{label} ({tr('rollcall.assumed')})"
        st.markdown(f"**{label}** · {len(group)}")
        lines = []
        for row in group.itertuples():
            category = tr(f"ui.category.{row.category}")
            text = " · ".join(escape_markdown(part) for part in (
                row.name or row.person_id, category, row.unit, row.phone,
                fmt_time(row.checkin_at, zones.get(building_id, DEFAULT_TIMEZONE))) if part)
            if active:
                key = f"rollcall_tick_{active['rollcall_id']}_{building_id}_{row.person_id}"
                st.checkbox(text, value=(building_id, row.person_id) in ticked, key=key, help=tr("rollcall.tick_help"),
                            on_change=on_tick, args=(int(active["rollcall_id"]), building_id, row.person_id, key))
            else:
                lines.append(f"- {text}")
        if lines:
            # The live list as one element per room: an element per person cost ~0.2 s a run
            # with 2 000 people inside (issue 27). Stored text has no line breaks (cleaned).
            st.markdown("\n".join(lines))
