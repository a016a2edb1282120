"""Meja tamu / Front desk (desk, admin): the guest book on a tablet or the guard post's PC.

Check a visitor in (a known one found by NIK, phone or name, shown masked, or a new one),
print their slip, tell the host; everyone inside with one "Keluar" per row; the visitors
expected today with one "Datang" each; register an expected visitor. Every rule is in
``lib.ingest.front_desk`` (every action a tap of the check-in desk) and
``lib.analytics.front_desk``; this page only reads widgets and shows answers.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

import streamlit as st

from lib.ui.auth import require_roles

require_roles("desk", "admin")

from lib.analytics import front_desk as figures  # noqa: E402 - only after the role check
from lib.ingest import front_desk  # noqa: E402
from lib.ingest.desk import CHECKED_OUT, TapAnswer  # noqa: E402
from lib.outputs import checkin, host_notify, report, slips  # noqa: E402
from lib.store import places  # noqa: E402
from lib.ui.auth import current_user  # noqa: E402
from lib.ui.data import cursor, get_connection  # noqa: E402
from lib.ui.i18n import fmt_time, lang, relabelled, tr  # noqa: E402
from lib.ui.plain import refusal_text, tr_escaped  # noqa: E402
from lib.ui.request import request_base_url  # noqa: E402
from lib.ui.widgets import buildings_or_stop, local_today  # noqa: E402
from lib.web.phone import stay_text  # noqa: E402
from lib.web.server import open_owned  # noqa: E402

PAGE_PATH = "front-desk"
NEW = "__new__"
OTHER = front_desk.OTHER_PURPOSE

st.title(tr("front_desk.title"))
st.caption(tr("front_desk.caption"))
con = cursor()
database = get_connection()
desk = open_owned(database.path).desk
actor = current_user()
language = lang()
names, zones = buildings_or_stop(con, "front_desk.no_buildings")
# The building is kept in the address (?building=...): a tablet reloaded stays at its own desk.
# Without one, the building whose desk has visitors inside or expected today.
asked = st.query_params.get("building") or figures.busiest_desk(con)
building = str(st.selectbox(tr("front_desk.building"), list(names), format_func=lambda b: names[b],
                            index=list(names).index(asked) if asked in names else 0,
                            key="desk_building")) if len(names) > 1 else next(iter(names))
st.query_params["building"] = building
zone = zones[building]
base_url = checkin.poster_base_url(con, places.public_base_url(con) or request_base_url(PAGE_PATH))
form_round = st.session_state.setdefault("desk_form_round", 0)


def show_error(error: front_desk.DeskError) -> None:
    st.error(refusal_text(error), icon=":material/error:")


def arrived(answer: TapAnswer, person: dict[str, str], purpose: str, host: str) -> None:
    """After a check-in: the slip (a pass for the door), the host told, the form cleared."""
    pass_id = front_desk.issue_pass(con, person["person_id"], building)
    institution = str(person.get("institution") or "")
    content = slips.slip_content(con, building, pass_id, person.get("name", ""), institution, answer.at, purpose, host,
                                 base_url=base_url)
    host_notify.notify_arrival(database, building, person.get("name", ""), institution, purpose, host, answer.at)
    st.session_state["desk_last"] = {
        "kind": "in",
        "name": person.get("name", ""),
        "time": fmt_time(answer.at, zone),
        "receipt": slips.slip_pdf(content, "receipt", language),
        "a6": slips.slip_pdf(content, "a6", language),
        "file": person.get("name", ""),
        "host": host,
        "whatsapp": host_notify.host_whatsapp(con, host, person.get("name", ""), institution, building, answer.at,
                                              purpose, language),
        "webhook": front_desk.host_webhook_url(con) is not None,
    }
    st.session_state["desk_form_round"] = form_round + 1
    st.session_state.pop("desk_search", None)


def checked_out(answer: TapAnswer, name: str) -> None:
    if answer.outcome == CHECKED_OUT:
        st.session_state["desk_last"] = {"kind": "out", "name": name, "time": fmt_time(answer.at, zone),
                                         "stay": stay_text(answer.stay_minutes or 0, language)}
    else:
        st.session_state["desk_last"] = {"kind": "not_inside", "name": name}


def check_out(person_id: str, name: str) -> None:
    checked_out(front_desk.check_out(desk, cursor(), person_id, building, actor), name)


def check_in_result(result: TapAnswer | front_desk.AlreadyInside, person: dict[str, str], purpose: str,
                    host: str) -> None:
    if isinstance(result, front_desk.AlreadyInside):
        st.session_state["desk_last"] = {"kind": "already", "name": person.get("name", ""),
                                         "person_id": result.person_id, "time": fmt_time(result.checkin_at, zone)}
    else:
        arrived(result, person, purpose, host)


def last_action() -> None:
    """What the last action did, with its slip, host link or "Keluar"."""
    last: dict[str, Any] | None = st.session_state.get("desk_last")
    if not last:
        return
    if last["kind"] == "in":
        st.success(tr_escaped("front_desk.checked_in", name=last["name"], time=last["time"]),
                   icon=":material/login:")
        cells = st.columns(2)
        cells[0].download_button(tr("front_desk.slip_receipt"), last["receipt"], slips.slip_filename(last["file"], "receipt"),
                                 mime="application/pdf", key="desk_slip_receipt", on_click="ignore",
                                 icon=":material/receipt:")
        cells[1].download_button(tr("front_desk.slip_a6"), last["a6"], slips.slip_filename(last["file"], "a6"),
                                 mime="application/pdf", key="desk_slip_a6", on_click="ignore", icon=":material/print:")
        if last["whatsapp"]:
            st.link_button(tr_escaped("front_desk.notify_host", host=last["host"]), last["whatsapp"],
                           icon=":material/chat:")
        elif last["host"]:
            st.caption(tr_escaped("front_desk.host_no_phone", host=last["host"]))
        if last["webhook"]:
            st.caption(tr("front_desk.webhook_sent"))
    elif last["kind"] == "already":
        st.warning(tr_escaped("front_desk.already_inside", name=last["name"], time=last["time"]),
                   icon=":material/info:")
        if st.button(tr("front_desk.checkout"), key="desk_already_out", icon=":material/logout:"):
            check_out(last["person_id"], last["name"])
            st.rerun()
    elif last["kind"] == "out":
        st.success(tr_escaped("front_desk.checked_out", name=last["name"], time=last["time"], stay=last["stay"]),
                   icon=":material/logout:")
    else:
        st.info(tr_escaped("front_desk.not_inside", name=last["name"]))


@st.cache_data(ttl=60, show_spinner=False)
def _host_labels(_con: Any, db_key: str, roster_rows: int, language: str) -> dict[str, str]:
    return host_label(front_desk.host_choices(_con))


def host_labels() -> dict[str, str]:
    """Every host a visitor may name, labelled in the session's language: the roster joined
    with ``persons`` and a label per staff member cost 0.4 s a run at 36 000 staff (issue
    27), so they are kept a minute per database and roster size (a roster imported with as
    many rows, or a name changed, shows within that minute)."""
    roster_rows = int(con.execute("SELECT count(*) FROM roster").fetchall()[0][0])
    return _host_labels(con, report.database_key(con), roster_rows, lang())


def host_label(hosts: Any) -> dict[str, str]:
    labels = {"": tr("front_desk.host_none")}
    for row in hosts.itertuples(index=False):
        key = str(row.host)
        if key in labels:
            continue
        labels[key] = (tr("front_desk.host_unit", host=key) if row.kind == "unit"
                       else tr("front_desk.host_person", host=key, unit=row.unit or "–"))
    return labels


def check_in_panel() -> None:
    st.subheader(tr("front_desk.checkin_title"))
    query = st.text_input(tr("front_desk.search"), key="desk_search", help=tr("front_desk.search_help"))
    found = front_desk.find_people(con, query) if query.strip() else None
    people: dict[str, dict[str, str]] = {}
    if found is not None:
        for row in found.itertuples(index=False):
            label = " · ".join(p for p in (row.name, row.institution, row.shown_id, row.shown_phone) if p)
            people[str(row.person_id)] = {"person_id": str(row.person_id), "name": str(row.name),
                                          "institution": str(row.institution), "label": label}
        if not people:
            st.caption(tr("front_desk.found_none"))
    # The options are their own labels (masked ids): a key per search, so a new search starts afresh.
    labels = {tr("front_desk.pick_new"): NEW, **{p["label"]: person_id for person_id, p in people.items()}}
    picked = st.radio(tr("front_desk.pick"), list(labels), key=f"desk_pick_{form_round}_{query}",
                      index=1 if people else 0)
    pick = labels.get(str(picked), NEW)
    purpose_options = ["", *front_desk.purposes(con), OTHER]
    hosts = host_labels()
    with st.form(key=f"desk_checkin_form_{form_round}", border=True):
        if pick == NEW:
            name = st.text_input(tr("front_desk.name"), key=f"desk_name_{form_round}")
            cells = st.columns(2)
            nik_text = cells[0].text_input(tr("front_desk.nik"), key=f"desk_nik_{form_round}")
            phone_text = cells[1].text_input(tr("front_desk.phone"), key=f"desk_phone_{form_round}")
            st.caption(tr("front_desk.id_hint"))
            institution = st.text_input(tr("front_desk.institution"), key=f"desk_institution_{form_round}")
        purpose_choice = st.selectbox(
            tr("front_desk.purpose"), purpose_options, key=relabelled(f"desk_purpose_{form_round}"),
            format_func=lambda p: tr("front_desk.purpose_none") if p == "" else (
                tr("front_desk.purpose_other") if p == OTHER else p),
        )
        other_text = st.text_input(tr("front_desk.other_purpose"), key=f"desk_other_{form_round}")
        host_choice = st.selectbox(tr("front_desk.host"), list(hosts), format_func=lambda h: hosts[h],
                                   key=relabelled(f"desk_host_{form_round}"))
        submitted = st.form_submit_button(tr("front_desk.check_in"), type="primary", icon=":material/login:")
    if not submitted:
        return
    try:
        if pick == NEW:
            person = front_desk.new_visitor(name, nik_text, phone_text, institution)
        else:
            person = {k: v for k, v in people[str(pick)].items() if k != "label"}
        purpose = front_desk.resolve_purpose(con, purpose_choice, other_text)
        host = front_desk.resolve_host(con, host_choice)
        result = front_desk.check_in(desk, con, building, person, purpose, host, actor)
    except front_desk.DeskError as error:
        show_error(error)
        return
    check_in_result(result, person, purpose, host)
    st.rerun()


def inside_panel() -> None:
    st.subheader(tr("front_desk.inside_title"))
    inside = figures.visitors_inside(con, building, datetime.now(UTC))
    if inside.empty:
        st.caption(tr("front_desk.inside_none"))
    for index, row in enumerate(inside.itertuples(index=False)):
        cells = st.columns([3, 2], vertical_alignment="center")
        cells[0].markdown(tr_escaped(
            "front_desk.inside_row", name=row.name or front_desk.mask_id(row.person_id),
            institution=f" ({row.institution})" if row.institution else "", time=fmt_time(row.checkin_at, zone),
            purpose=row.purpose or "–", host=row.host or "–",
        ))
        if cells[1].button(tr("front_desk.checkout"), key=f"desk_out_{index}_{row.person_id}", width="stretch"):
            check_out(str(row.person_id), str(row.name))
            st.rerun()


def expected_panel() -> None:
    st.subheader(tr("front_desk.expected_title"))
    today = front_desk.building_today(con, building)
    expected = figures.expected_on(con, building, today)
    if expected.empty:
        st.caption(tr("front_desk.expected_none"))
    for row in expected.itertuples(index=False):
        cells = st.columns([3, 2], vertical_alignment="center")
        cells[0].markdown(tr_escaped("front_desk.expected_row", name=row.name, phone=front_desk.mask_id(row.phone),
                                     purpose=row.purpose or "–", host=row.host or "–"))
        if row.arrived_at is not None and str(row.arrived_at) != "NaT":
            cells[1].caption(tr("front_desk.expected_arrived", time=fmt_time(row.arrived_at, zone)))
        elif cells[1].button(tr("front_desk.expected_arrive"), key=f"desk_arrive_{row.expected_id}", width="stretch"):
            try:
                result = front_desk.arrive_expected(desk, cursor(), str(row.expected_id), actor)
            except front_desk.DeskError as error:
                show_error(error)
            else:
                found = front_desk.expected_visitor(con, str(row.expected_id))
                assert found is not None
                check_in_result(result, front_desk.expected_person(found), found.purpose, found.host)
                st.rerun()
    week = figures.no_shows(con, building, today - timedelta(days=7), today)
    if not week.empty and int(week["expected"].sum()):
        st.caption(tr("front_desk.no_shows", no_show=int(week["no_show"].sum()), expected=int(week["expected"].sum())))
    saved = st.session_state.get("desk_expected_saved")
    if saved:  # the last registration's personal link, outside the (closed again) expander
        st.success(tr_escaped("front_desk.expected_saved", name=saved[0], day=saved[1]))
        st.code(saved[2], language=None)
        st.link_button(tr_escaped("front_desk.expected_whatsapp", name=saved[0]), saved[3], icon=":material/chat:")
    with st.expander(tr("front_desk.expected_add"), icon=":material/event:"):
        purpose_options = ["", *front_desk.purposes(con)]
        hosts = host_labels()
        with st.form(key="desk_expected_form", clear_on_submit=False):
            name = st.text_input(tr("front_desk.name"), key="desk_expected_name")
            phone = st.text_input(tr("front_desk.phone"), key="desk_expected_phone")
            day = st.date_input(tr("front_desk.expected_date"), value=local_today(zone), format="DD/MM/YYYY",
                                key="desk_expected_day")
            purpose = st.selectbox(tr("front_desk.purpose"), purpose_options, key=relabelled("desk_expected_purpose"),
                                   format_func=lambda p: tr("front_desk.purpose_none") if p == "" else p)
            host = st.selectbox(tr("front_desk.host"), list(hosts), format_func=lambda h: hosts[h],
                                key=relabelled("desk_expected_host"))
            save = st.form_submit_button(tr("front_desk.expected_save"), icon=":material/event_available:")
        if save:
            try:
                expected_id = front_desk.add_expected(cursor(), building, day, name, phone, purpose, host, actor)
            except front_desk.DeskError as error:
                show_error(error)
            else:
                url, link = host_notify.expected_whatsapp(cursor(), expected_id, base_url, language)
                st.session_state["desk_expected_saved"] = (name, day.strftime("%d/%m/%Y"), url, link)
                st.rerun()  # the list above shows the new registration


last_action()
left, right = st.columns(2, gap="medium")
with left:
    check_in_panel()
with right:
    inside_panel()
    expected_panel()
