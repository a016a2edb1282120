"""QR posters (admin): choose building, gate and action; preview; download PDF/PNG."""

from __future__ import annotations

from datetime import date

import streamlit as st

from lib.ui.auth import require_roles

require_roles("admin")

from lib.core.i18n import t  # noqa: E402
from lib.outputs import checkin, posters  # noqa: E402 - only after the role check
from lib.ui.data import cursor  # noqa: E402
from lib.ui.i18n import lang  # noqa: E402


@st.cache_data(ttl=60, show_spinner=False)
def _poster(_con, building: str, gate: str, action: str, kind: str, stamp: str) -> bytes:  # type: ignore[no-untyped-def]
    """Poster bytes, built once per choice; ``stamp`` (public address, day) rebuilds on a change."""
    if kind == "png":
        return posters.poster_png(_con, building, gate, action)
    if kind == "preview":
        return posters.poster_png(_con, building, gate, action, dpi=90)
    if kind == "all":
        return posters.building_posters_pdf(_con, building)
    return posters.poster_pdf(_con, building, gate, action)


def main() -> None:
    con = cursor()
    language = lang()
    st.title(t("posters.title", language))
    st.caption(t("posters.intro", language))
    buildings = con.execute(
        "SELECT building_id, coalesce(name, building_id) FROM buildings ORDER BY 2"
    ).fetchall()
    if not buildings:
        st.info(t("posters.no_buildings", language))
        return
    names = dict(buildings)
    left, right = st.columns([1, 2])
    with left:
        building = st.selectbox(
            t("posters.building", language), list(names), key="posters_building", format_func=names.get
        )
        gates = dict(checkin.gates_or_door(con, building))
        gate = st.selectbox(
            t("posters.gate_select", language),
            list(gates),
            key="posters_gate",
            format_func=lambda g: gates[g] if g else t("posters.no_gate", language),
        )
        action = st.radio(
            t("posters.action", language),
            checkin.ACTIONS,
            key="posters_action",
            format_func=lambda a: t(f"posters.action.{a}", language),
        )
        base = checkin.public_base_url(con)
        stamp = f"{base}|{date.today().isoformat()}"
        url = checkin.checkin_url(con, building, gate, action)
        st.caption(t("posters.base_url_note", language, url=base))
        st.caption(t("posters.address", language))
        st.code(url, language=None, wrap_lines=True)
        st.download_button(
            t("posters.download_pdf", language),
            _poster(con, building, gate, action, "pdf", stamp),
            file_name=posters.poster_filename(building, gate, action, "pdf"),
            mime="application/pdf",
            key="posters_download_pdf",
            on_click="ignore",
            width="stretch",
            type="primary",
        )
        st.download_button(
            t("posters.download_png", language),
            _poster(con, building, gate, action, "png", stamp),
            file_name=posters.poster_filename(building, gate, action, "png"),
            mime="image/png",
            key="posters_download_png",
            on_click="ignore",
            width="stretch",
        )
        pages = len(posters.building_posters(con, building))
        st.download_button(
            t("posters.download_all", language, pages=pages),
            _poster(con, building, "", "", "all", stamp),
            file_name=posters.poster_filename(building, None, None, "pdf"),
            mime="application/pdf",
            key="posters_download_all",
            on_click="ignore",
            width="stretch",
        )
    with right:
        st.subheader(t("posters.preview", language))
        word = t(f"posters.word.{action}", "id")
        st.image(
            _poster(con, building, gate, action, "preview", stamp),
            caption=t("posters.preview_alt", language, word=word, building=names[building]),
            width="stretch",
        )


main()
