"""QR posters (admin): choose building, a door (gate) or a room, and action; see the
address a phone will open; preview; download PDF/PNG, every door poster or every room's
poster of the building in one PDF.

While the address is one a phone cannot open (unset, localhost, a private network
address or a local name: ``lib.store.places.public_address_problem``) the page says so and
the downloads wait for an explicit confirmation.
"""

from __future__ import annotations

from datetime import date

import streamlit as st

from lib.ui.auth import require_roles

require_roles("admin")

from lib.core.i18n import t  # noqa: E402
from lib.outputs import checkin, posters  # noqa: E402 - only after the role check
from lib.store import places  # noqa: E402
from lib.ui.auth import current_user  # noqa: E402
from lib.ui.data import cursor  # noqa: E402
from lib.ui.i18n import lang, relabelled  # noqa: E402
from lib.ui.request import request_base_url  # noqa: E402

PAGE_PATH = "posters"  # this page's url_path in dashboard.py


@st.cache_data(ttl=60, show_spinner=False)
def _poster(  # type: ignore[no-untyped-def]
    _con, building: str, gate: str, action: str, kind: str, base: str, day: str, area: str = "", rooms: str = ""
) -> bytes:
    """Poster bytes, built once per choice; ``base`` (the address), ``day`` and ``rooms``
    (the building's rooms and their settings) rebuild on a change."""
    if kind == "png":
        return posters.poster_png(_con, building, gate, action, base_url=base, area=area or None)
    if kind == "preview":
        return posters.poster_png(_con, building, gate, action, dpi=90, base_url=base, area=area or None)
    if kind == "all":
        return posters.building_posters_pdf(_con, building, base_url=base)
    if kind == "all_areas":
        return posters.area_posters_pdf(_con, building, tuple(action.split("+")), base_url=base)
    return posters.poster_pdf(_con, building, gate, action, base_url=base, area=area or None)


def _save_public_address(url: str) -> None:
    """The one-click save of the address in use now (a callback: the run after sees it)."""
    try:
        places.set_public_base_url(cursor(), url, current_user())
        st.session_state["posters_saved_base"] = url
    except places.SettingsError:
        st.session_state["posters_saved_base"] = ""


def _address_panel(con, language: str) -> tuple[str, bool]:  # type: ignore[no-untyped-def]
    """Show where the posters point and warn while a phone cannot open it.

    Returns (the base address the posters use, whether downloads are allowed)."""
    stored = places.public_base_url(con)
    here = request_base_url(PAGE_PATH)
    base = checkin.poster_base_url(con, stored or here)
    if stored:
        st.caption(t("posters.base.saved", language, url=stored))
    elif here:
        st.caption(t("posters.base.request", language, url=here))
    else:
        st.caption(t("posters.base.default", language, url=base))
    saved = st.session_state.pop("posters_saved_base", None)
    if saved:
        st.success(t("posters.saved_request", language, url=saved))
    elif saved == "":
        st.error(t("posters.save_failed", language, url=here or ""))
    problem = places.public_address_problem(stored or here)
    if problem is not None:
        st.error(
            t("posters.warning", language, problem=t(f"posters.problem.{problem}", language, url=base)),
            icon=":material/warning:",
        )
    # Offer the address in use now when nothing usable is stored and it differs; never a
    # loopback one (saving it would only hide that nothing was set).
    if (
        here
        and here != stored
        and (stored is None or problem is not None)
        and places.public_address_problem(here) != "loopback"
    ):
        st.button(
            t("posters.save_request", language, url=here),
            key="posters_save_base",
            on_click=_save_public_address,
            args=(here,),
            type="primary",
        )
    if problem is None:
        return base, True
    confirmed = st.checkbox(t("posters.confirm", language), key="posters_confirm_address")
    return base, bool(confirmed)


def main() -> None:
    con = cursor()
    language = lang()
    st.title(t("posters.title", language))
    st.caption(t("posters.intro", language))
    buildings_list = sorted(places.building_display_names(con).items(), key=lambda item: item[1])
    if not buildings_list:
        st.info(t("posters.no_buildings", language))
        return
    names = dict(buildings_list)
    base, allowed = _address_panel(con, language)
    day = date.today().isoformat()
    # The left column is wide enough for the longest download label (issue 26: it was cut).
    left, right = st.columns([2, 3])
    with left:
        building = st.selectbox(
            t("posters.building", language), list(names), key="posters_building", format_func=names.get
        )
        rooms = places.list_areas(con, building)
        # What the building's rooms look like now: a changed room rebuilds the cached posters.
        rooms_key = rooms[["area_id", "capacity"]].to_json()
        place = "door"
        if not rooms.empty:
            place = st.radio(
                t("posters.place", language), ("door", "room"), horizontal=True, key=relabelled("posters_place"),
                format_func=lambda p: t(f"posters.place.{p}", language),
            )
        gate, area = "", ""
        if place == "door":
            gates = dict(checkin.gates_or_door(con, building))
            gate = st.selectbox(
                t("posters.gate_select", language),
                list(gates),
                key=relabelled("posters_gate"),
                format_func=lambda g: gates[g] if g else t("posters.no_gate", language),
            )
        else:
            area = str(st.selectbox(t("posters.area_select", language), list(rooms["area_id"]), key="posters_area"))
        action = st.radio(
            t("posters.action", language),
            checkin.ACTIONS,
            key=relabelled("posters_action"),
            format_func=lambda a: t(f"posters.action.{a}", language),
        )
        url = checkin.checkin_url(con, building, gate, action, base, area=area or None)
        st.caption(t("posters.address", language))
        st.code(url, language=None, wrap_lines=True)
        downloads = st.container()
    # The preview first: it is what the choice above changes, and building the full-size
    # PNG and the PDFs (about a second) before it left the preview blank meanwhile.
    with right:
        st.subheader(t("posters.preview", language))
        word = t(f"posters.word.{action}", "id")
        where = f"{names[building]} · {area}" if area else names[building]
        st.image(
            _poster(con, building, gate, action, "preview", base, day, area, rooms_key),
            caption=t("posters.preview_alt", language, word=word, building=where),
            width="stretch",
        )
    with downloads:
        st.download_button(
            t("posters.download_pdf", language),
            _poster(con, building, gate, action, "pdf", base, day, area, rooms_key),
            file_name=posters.poster_filename(building, gate, action, "pdf", area),
            mime="application/pdf",
            key="posters_download_pdf",
            on_click="ignore",
            width="stretch",
            type="primary",
            disabled=not allowed,
        )
        st.download_button(
            t("posters.download_png", language),
            _poster(con, building, gate, action, "png", base, day, area, rooms_key),
            file_name=posters.poster_filename(building, gate, action, "png", area),
            mime="image/png",
            key="posters_download_png",
            on_click="ignore",
            width="stretch",
            disabled=not allowed,
        )
        pages = len(posters.building_posters(con, building))
        st.download_button(
            t("posters.download_all", language, pages=pages),
            _poster(con, building, "", "", "all", base, day),
            file_name=posters.poster_filename(building, None, None, "pdf"),
            mime="application/pdf",
            key="posters_download_all",
            on_click="ignore",
            width="stretch",
            disabled=not allowed,
        )
        if not rooms.empty:
            with_checkout = st.checkbox(t("posters.rooms_with_checkout", language), key="posters_rooms_checkout")
            actions = checkin.ACTIONS if with_checkout else ("checkin",)
            st.download_button(
                t("posters.download_all_areas", language, rooms=len(rooms),
                  pages=len(posters.area_posters(con, building, actions))),
                _poster(con, building, "", "+".join(actions), "all_areas", base, day, "", rooms_key),
                file_name=posters.poster_filename(building, None, None, "pdf", "ruang"),
                mime="application/pdf",
                key="posters_download_all_areas",
                on_click="ignore",
                width="stretch",
                disabled=not allowed,
            )


main()
