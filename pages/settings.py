"""Pengaturan / Settings (admin): buildings, gates, thresholds, MAX_STAY, zone, app settings."""

import pandas as pd
import streamlit as st

from lib.ingest import areas, buildings
from lib.store import places
from lib.store.db import CATEGORIES, DEFAULT_MAX_STAY_MINUTES, DEFAULT_TIMEZONE
from lib.ui.auth import current_user, require_roles
from lib.ui.data import cursor
from lib.ui.i18n import fmt_datetime, fmt_number, number_format, relabelled, tr
from lib.ui.manager import render_settings
from lib.ui.plain import refusal_text, tr_escaped
from lib.ui.widgets import marked_name

require_roles("admin")

st.title(tr("settings.title"))
st.caption(tr("settings.caption"))

con = cursor()
NEW = "__new__"


def _value(row: pd.Series | None, column: str, default: object) -> object:
    if row is None or pd.isna(row[column]):
        return default
    return row[column]


def _error(error: places.SettingsError) -> None:
    # Names and addresses in messages are stored or typed text: shown as text (lib.ui.plain).
    st.error(refusal_text(error))


st.header(tr("settings.buildings"))

# Buildings first seen in an import (RULES "Import"): confirm, rename, merge or delete.
NEW_ACTIONS = ("confirm", "rename", "merge", "delete")
flash = st.session_state.pop("settings_new_flash", None)
if flash:
    st.success(flash)
fresh = places.new_buildings(con)
if not fresh.empty:
    st.subheader(tr("settings.new.header"))
    st.caption(tr("settings.new.caption"))
    everyone = places.list_buildings(con)
    labels = {
        b: f"{marked_name(n, bool(c))} ({b})"
        for b, n, c in zip(everyone["building_id"], everyone["name"], everyone["confirmed"], strict=True)
    }
    picked = str(st.selectbox(
        tr("settings.new.select"), list(fresh["building_id"]), key="settings_new_select", format_func=labels.__getitem__
    ))
    info = fresh[fresh["building_id"] == picked].iloc[0]
    st.markdown(
        tr("settings.new.summary", events=fmt_number(info["events"]), persons=fmt_number(info["persons"]),
           first=fmt_datetime(info["first_scan"], info["timezone"]), last=fmt_datetime(info["last_scan"], info["timezone"]))
        if info["events"] else tr("settings.new.no_scans")
    )
    action = st.radio(
        tr("settings.new.action"), NEW_ACTIONS, horizontal=True, key=relabelled("settings_new_action"),
        format_func=lambda a: tr(f"settings.new.action.{a}"),
    )
    targets = [b for b in everyone["building_id"] if b != picked]
    with st.form(key=f"settings_new_form_{action}"):
        new_name, target, acknowledged = "", None, False
        if action == "confirm":
            st.caption(tr("settings.new.confirm_help"))
        elif action == "rename":
            new_name = st.text_input(tr("settings.new.new_name"), value=str(info["name"]), key="settings_new_name",
                                     help=tr("settings.new.rename_help"))
        elif action == "merge":
            st.caption(tr("settings.new.merge_help"))
            target = st.selectbox(tr("settings.new.target"), targets, key="settings_new_target",
                                  format_func=labels.__getitem__)
        else:
            acknowledged = st.checkbox(
                tr_escaped("settings.new.delete_ack", building=picked, events=fmt_number(info["events"])),
                key="settings_new_ack",
            )
        act = st.form_submit_button(tr(f"settings.new.submit.{action}"), type="primary", key=f"settings_new_submit_{action}")
    if act:
        try:
            if action == "confirm":
                buildings.confirm_building(con, picked, current_user())
                message = tr_escaped("settings.new.confirmed", building=picked)
            elif action == "rename":
                buildings.rename_building(con, picked, new_name, current_user())
                message = tr_escaped("settings.new.renamed", building=picked, name=new_name.strip())
            elif action == "merge":
                if target is None:
                    raise places.SettingsError("no_target")
                with st.spinner(tr("settings.repairing")):
                    merged = buildings.merge_building(con, picked, str(target), current_user())
                message = tr_escaped("settings.new.merged", building=picked, target=labels[str(target)],
                             moved=fmt_number(merged["moved"]), dropped=fmt_number(merged["dropped"]),
                             persons=fmt_number(merged["persons"]))
            else:
                if not acknowledged:
                    raise places.SettingsError("not_acknowledged")
                with st.spinner(tr("settings.repairing")):
                    deleted = buildings.delete_building(con, picked, current_user())
                message = tr_escaped("settings.new.deleted", building=picked, events=fmt_number(deleted["events"]))
            st.session_state["settings_new_flash"] = message
            st.rerun()
        except places.SettingsError as error:
            _error(error)
    st.divider()

frame = places.list_buildings(con)
staff = places.expected_staff(con)
names = dict(zip(frame["building_id"], frame["name"], strict=True))
marked = {
    b: marked_name(n, bool(c)) for b, n, c in zip(frame["building_id"], frame["name"], frame["confirmed"], strict=True)
}
choice = st.selectbox(
    tr("settings.building"), [*frame["building_id"], NEW], key=relabelled("settings_building"),
    format_func=lambda b: tr("settings.new_building") if b == NEW else f"{marked[b]} ({b})",
)
row = None if choice == NEW else frame[frame["building_id"] == choice].iloc[0]
current_mode = (
    "people" if row is not None and not pd.isna(row["threshold_people"])
    else "share" if row is not None and not pd.isna(row["threshold_share"])
    else "ppkm" if row is not None and not pd.isna(row["ppkm_level"])
    else "none"
)
with st.form(key=f"settings_form_{choice}"):
    building_id = (
        st.text_input(tr("settings.id"), key="settings_new_id") if choice == NEW else str(choice)
    )
    name = st.text_input(tr("settings.name"), value=str(_value(row, "name", "")), key=f"settings_name_{choice}")
    timezone = st.text_input(
        tr("settings.timezone"), value=str(_value(row, "timezone", DEFAULT_TIMEZONE)),
        help=tr("settings.timezone_help"), key=f"settings_tz_{choice}",
    )
    capacity = st.number_input(
        tr("settings.capacity"), min_value=0, step=1, value=int(_value(row, "capacity", 0)),  # type: ignore[arg-type]
        key=f"settings_capacity_{choice}",
    )
    mode = st.radio(
        tr("settings.threshold_mode"), places.THRESHOLD_MODES, horizontal=True,
        index=places.THRESHOLD_MODES.index(current_mode), key=relabelled(f"settings_mode_{choice}"),
        format_func=lambda m: tr(f"settings.mode.{m}"),
    )
    cells = st.columns(3)
    people = cells[0].number_input(
        tr("settings.threshold_people"), min_value=0, step=1,
        value=int(_value(row, "threshold_people", 0)), key=f"settings_people_{choice}",  # type: ignore[arg-type]
    )
    share_percent = cells[1].number_input(
        tr("settings.threshold_share"), min_value=1.0, max_value=100.0, step=5.0,
        value=float(_value(row, "threshold_share", 0.5)) * 100, key=f"settings_share_{choice}",  # type: ignore[arg-type]
        format=number_format(),
    )
    level = cells[2].selectbox(
        tr("settings.ppkm_level"), list(places.PPKM_SHARES), key=relabelled(f"settings_level_{choice}"),
        index=list(places.PPKM_SHARES).index(int(_value(row, "ppkm_level", 3))),  # type: ignore[arg-type]
        format_func=lambda lv: tr("settings.ppkm_option", level=lv, share=fmt_number(places.PPKM_SHARES[lv] * 100)),
    )
    st.markdown(tr("settings.max_stay"))
    cells = st.columns(3)
    hours = {}
    for cell, category in zip(cells, CATEGORIES, strict=True):
        column = f"max_stay_{category.lower()}_min"
        hours[category] = cell.number_input(
            tr(f"ui.category.{category}"), min_value=0.25, max_value=48.0, step=0.5,
            value=float(_value(row, column, DEFAULT_MAX_STAY_MINUTES[category])) / 60,  # type: ignore[arg-type]
            key=f"settings_maxstay_{category}_{choice}", format=number_format(),
        )
    expected = st.number_input(
        tr("settings.expected_staff"), min_value=0, step=1, value=int(staff.get(str(choice), 0)),
        key=f"settings_expected_{choice}",
    )
    submitted = st.form_submit_button(tr("settings.save"), type="primary")

if submitted:
    form = buildings.BuildingForm(
        building_id=(building_id or "").strip(), name=name, timezone=timezone,
        capacity=int(capacity) or None, threshold_mode=str(mode),
        threshold_people=int(people), threshold_share=float(share_percent) / 100, ppkm_level=int(level),
        max_stay_asn_min=round(hours["ASN"] * 60), max_stay_thl_min=round(hours["THL"] * 60),
        max_stay_visitor_min=round(hours["visitor"] * 60),
    )
    try:
        with st.spinner(tr("settings.repairing")):
            result = buildings.save_building(con, form, current_user())
        changed = [tr(f"settings.field.{c}") for c in result["changes"]]  # type: ignore[union-attr]
        if places.set_expected_staff(con, form.building_id, int(expected), current_user()):
            changed.append(tr("settings.field.expected_staff"))
        st.success(tr("settings.saved", fields=", ".join(changed)) if changed else tr("settings.unchanged"))
        if result["repaired"]:
            st.info(tr("settings.repaired"))
    except places.SettingsError as error:
        _error(error)

st.subheader(tr("settings.overview"))
overview = places.list_buildings(con)
st.dataframe(
    pd.DataFrame(
        {
            tr("settings.id"): overview["building_id"],
            tr("settings.name"): [
                marked_name(n, bool(c)) for n, c in zip(overview["name"], overview["confirmed"], strict=True)
            ],
            tr("settings.timezone"): overview["timezone"],
            tr("settings.col.capacity"): [fmt_number(c) for c in overview["capacity"]],
            tr("settings.col.threshold"): [fmt_number(t) for t in overview["threshold"]],
            tr("settings.col.max_stay"): [
                " / ".join(fmt_number(m / 60, 1) for m in (a, t, v))
                for a, t, v in zip(overview["max_stay_asn_min"], overview["max_stay_thl_min"],
                                   overview["max_stay_visitor_min"], strict=True)
            ],
            tr("settings.col.gates"): overview["gates"],
        }
    ),
    hide_index=True, width="stretch", key="settings_overview",
)

if choice != NEW:
    st.subheader(tr_escaped("settings.gates", building=names.get(str(choice), str(choice))))
    gates = places.list_gates(con, str(choice))
    with st.form(key=f"settings_gate_form_{choice}", clear_on_submit=True):
        cells = st.columns(2)
        gate_id = cells[0].text_input(tr("settings.gate_id"), key=f"settings_gate_id_{choice}")
        gate_name = cells[1].text_input(tr("settings.gate_name"), key=f"settings_gate_name_{choice}")
        gate_submitted = st.form_submit_button(tr("settings.gate_save"))
    if gate_submitted:
        try:
            places.save_gate(con, str(choice), gate_id.strip(), gate_name, current_user())
            st.success(tr_escaped("settings.gate_saved", gate=gate_id.strip()))
            gates = places.list_gates(con, str(choice))
        except places.SettingsError as error:
            _error(error)
    if gates.empty:
        st.caption(tr("settings.no_gates"))
    else:
        st.dataframe(
            gates.rename(columns={"gate_id": tr("settings.gate_id"), "name": tr("settings.gate_name")}),
            hide_index=True, width="stretch", key="settings_gates",
        )

if choice != NEW:
    # Rooms of the building (RULES "Places inside a building"): list, edit, add.
    building_label = names.get(str(choice), str(choice))
    st.subheader(tr_escaped("settings.areas", building=building_label))
    st.caption(tr("settings.areas_caption"))
    area_flash = st.session_state.pop("settings_area_flash", None)
    if area_flash:
        st.success(area_flash)
    rooms = places.list_areas(con, str(choice))
    if rooms.empty:
        st.caption(tr("settings.no_areas"))
    else:
        st.dataframe(
            pd.DataFrame(
                {
                    tr("settings.area_col.name"): rooms["area_id"],
                    tr("settings.area_col.area_stay"): [fmt_number(m) for m in rooms["area_stay_min"]],
                    tr("settings.area_col.capacity"): [fmt_number(c) for c in rooms["capacity"]],
                }
            ),
            hide_index=True, width="stretch", key=f"settings_areas_{choice}",
        )
        with st.form(key=f"settings_area_form_{choice}"):
            st.markdown(f"**{tr('settings.area_edit')}**")
            room = str(st.selectbox(tr("settings.area_select"), list(rooms["area_id"]), key=f"settings_area_pick_{choice}"))
            room_row = rooms[rooms["area_id"] == room].iloc[0]
            room_stay = st.number_input(
                tr("settings.area_stay"), min_value=1, max_value=2880, step=15,
                value=int(room_row["area_stay_min"]), key=f"settings_area_stay_{choice}_{room}",
            )
            room_capacity = st.number_input(
                tr("settings.area_capacity"), min_value=0, step=1,
                value=int(_value(room_row, "capacity", 0)),  # type: ignore[arg-type]
                key=f"settings_area_capacity_{choice}_{room}",
            )
            area_submitted = st.form_submit_button(tr("settings.area_save"), key=f"settings_area_save_{choice}")
        if area_submitted:
            try:
                with st.spinner(tr("settings.repairing")):
                    changed_area = areas.update_area(
                        con, str(choice), room, int(room_stay), int(room_capacity), current_user()
                    )
                st.session_state["settings_area_flash"] = (
                    tr_escaped("settings.area_saved", area=room) if changed_area else tr("settings.unchanged")
                )
                st.rerun()
            except places.SettingsError as error:
                _error(error)
    with st.form(key=f"settings_area_add_{choice}", clear_on_submit=True):
        st.markdown(f"**{tr('settings.area_add')}**")
        cells = st.columns(3)
        new_room = cells[0].text_input(tr("settings.area_name"), key=f"settings_area_new_name_{choice}")
        new_stay = cells[1].number_input(
            tr("settings.area_stay"), min_value=1, max_value=2880, step=15,
            value=areas.DEFAULT_AREA_STAY_MIN, key=f"settings_area_new_stay_{choice}",
        )
        new_capacity = cells[2].number_input(
            tr("settings.area_capacity"), min_value=0, step=1, value=0, key=f"settings_area_new_capacity_{choice}",
        )
        area_added = st.form_submit_button(tr("settings.area_add_submit"), key=f"settings_area_add_submit_{choice}")
    if area_added:
        try:
            created = areas.create_area(con, str(choice), new_room, int(new_stay), int(new_capacity), current_user())
            st.session_state["settings_area_flash"] = tr_escaped("settings.area_created", area=created)
            st.rerun()
        except places.SettingsError as error:
            _error(error)

st.header(tr("settings.app"))
# The public address: what it is in plain words, and whether a phone can open it.
stored_base_url = places.public_base_url(con)
st.markdown(tr("settings.public_base_url_explain"))
base_url_problem = places.public_address_problem(stored_base_url)
if base_url_problem is not None:
    # The administrator's own address, checked as http(s) when saved: shown as written (a link).
    st.warning(tr(f"settings.public_base_url_problem.{base_url_problem}", url=stored_base_url or ""))
with st.form(key="settings_app_form"):
    base_url = st.text_input(
        tr("settings.public_base_url"), value=stored_base_url or "", key="settings_base_url",
        placeholder="https://pantau.example.go.id", help=tr("settings.public_base_url_help"),
    )
    retention = st.number_input(
        tr("settings.retention_days"), min_value=1, max_value=3650, step=1,
        value=places.retention_days(con), key="settings_retention",
    )
    app_submitted = st.form_submit_button(tr("settings.save"), key="settings_app_save")
if app_submitted:
    try:
        if base_url.strip():
            places.set_public_base_url(con, base_url, current_user())
        places.set_retention_days(con, int(retention), current_user())
        st.success(tr("settings.app_saved"))
    except places.SettingsError as error:
        _error(error)

# The building manager's sections: alerts and webhook, office hours, WFO limits, backups.
render_settings(con)

# WhatsApp messages to a case's contacts (RULES "Tracing cases"), one per grade; audited.
from lib.analytics import cases  # noqa: E402 - this section's own import, kept with it

st.header(tr("cases.settings.header"))
st.caption(tr("cases.settings.caption"))
with st.form(key="settings_case_messages"):
    messages = {
        grade: st.text_area(tr(f"cases.settings.{grade}"), value=cases.message_template(con, grade),
                            key=f"settings_case_message_{grade}")
        for grade in cases.GRADES
    }
    messages_saved = st.form_submit_button(tr("cases.settings.save"), key="settings_case_messages_save")
if messages_saved:
    for grade, text in messages.items():
        cases.set_message_template(con, grade, text, current_user())
    st.success(tr("cases.settings.saved"))

# The front desk (issue 22): the purposes list, whether a purpose is required, the hosts' webhook.
from lib.ingest import front_desk  # noqa: E402 - this section's own import, kept with it

st.header(tr("front_desk.settings.title"))
with st.form(key="settings_front_desk"):
    desk_purposes = st.text_area(tr("front_desk.settings.purposes"), value="\n".join(front_desk.purposes(con)),
                                 help=tr("front_desk.settings.purposes_help"), key="settings_desk_purposes")
    desk_required = st.checkbox(tr("front_desk.settings.purpose_required"), value=front_desk.purpose_required(con),
                                key="settings_desk_purpose_required")
    desk_webhook = st.text_input(tr("front_desk.settings.host_webhook"), value=front_desk.host_webhook_url(con) or "",
                                 help=tr("front_desk.settings.host_webhook_help"), key="settings_desk_webhook",
                                 placeholder="https://hooks.example.go.id/tamu")
    desk_saved = st.form_submit_button(tr("front_desk.settings.save"), key="settings_desk_save")
if desk_saved:
    try:
        front_desk.check_host_webhook_url(desk_webhook)  # checked before anything is saved
        changed = front_desk.set_purposes(con, desk_purposes, current_user())
        changed = front_desk.set_purpose_required(con, desk_required, current_user()) or changed
        changed = front_desk.set_host_webhook_url(con, desk_webhook, current_user()) or changed
        (st.success if changed else st.info)(tr("front_desk.settings.saved" if changed else "front_desk.settings.unchanged"))
    except front_desk.DeskError as error:
        st.error(refusal_text(error))
    except places.SettingsError as error:
        _error(error)

# The nightly publish to the province (README "Province"): where, and under which site name.
from lib.outputs import publish  # noqa: E402 - this section's own import, kept with it

st.header(tr("province.settings.title"))
st.caption(tr("province.settings.caption"))
with st.form(key="settings_province"):
    saved_where = publish.publish_settings(con) or ("", "")
    publish_to = st.text_input(tr("province.settings.destination"), value=saved_where[0], key="settings_publish_to",
                               placeholder="/mnt/provinsi/lake")
    publish_site = st.text_input(tr("province.settings.site"), value=saved_where[1], key="settings_publish_site",
                                 placeholder="kota-bitung")
    province_saved = st.form_submit_button(tr("province.settings.save"), key="settings_province_save")
if province_saved:
    try:
        changed = publish.set_publish_settings(con, publish_to, publish_site, current_user())
        (st.success if changed else st.info)(tr("province.settings.saved" if changed else "province.settings.unchanged"))
    except publish.PublishError as error:
        st.error(refusal_text(error))
