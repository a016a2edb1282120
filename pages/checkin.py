"""Public self check-in (no login), opened from a poster's QR code on a phone.

The address carries building, gate, action and a signature (``lib.outputs.checkin``). The first
time, the visitor fills in name, category and ID or phone; the details are kept on the
phone in a cookie (written by a tiny script, read back through ``st.context.cookies``
with the next page load), never in the address. Every later scan is one tap.
"""

from __future__ import annotations

import html
import json
import logging

import streamlit as st

from lib.core.i18n import LANGUAGES, t
from lib.outputs import checkin
from lib.ui.data import cursor
from lib.ui.i18n import LANG_KEY
from lib.ui.i18n import lang as session_language

CATEGORY_KEYS = checkin.FORM_CATEGORIES
ACTION_COLOURS = {"checkin": "#15803d", "checkout": "#d9480f"}  # as on the posters


def _language() -> str:
    """``?lang=en`` / ``?lang=id`` wins (and is kept for the session), else the session's language."""
    asked = st.query_params.get("lang")
    if asked in LANGUAGES:
        st.session_state[LANG_KEY] = asked
    return session_language()


def _switch_language(lang: str) -> None:
    other = "en" if lang == "id" else "id"
    st.session_state[LANG_KEY] = other
    st.query_params["lang"] = other


def _write_cookie(value: str | None) -> None:
    """Set (or, with None, delete) the person cookie on this phone."""
    max_age = checkin.COOKIE_MAX_AGE_S if value else 0
    script = (
        "<script>(function(){var s=location.protocol==='https:'?'; Secure':'';"
        f"document.cookie={json.dumps(checkin.COOKIE_NAME + '=' + (value or ''))}"
        f"+'; Max-Age={max_age}; Path=/; SameSite=Lax'+s;}})();</script>"
    )
    st.html(script, unsafe_allow_javascript=True)


def _known_person() -> dict[str, str] | None:
    if "checkin_person" in st.session_state:
        return st.session_state["checkin_person"]
    if st.session_state.get("checkin_forget"):
        return None
    return checkin.decode_person_cookie(st.context.cookies.get(checkin.COOKIE_NAME))


def _forget() -> None:
    st.session_state.pop("checkin_person", None)
    st.session_state["checkin_forget"] = True
    st.session_state["checkin_cookie"] = None


def _big_buttons(colour: str) -> None:
    """The tap and submit buttons: large, in the poster's colour (green in, red-orange out)."""
    st.html(
        "<style>.st-key-checkin_tap button, .st-key-checkin_submit button"
        f"{{min-height:4.5rem;background:{colour};border-color:{colour};color:white}}"
        ".st-key-checkin_tap button p, .st-key-checkin_submit button p{font-size:1.5rem;font-weight:700}</style>"
    )


def _banner(target: checkin.CheckinTarget, lang: str) -> None:
    color = ACTION_COLOURS[target.action]
    gate = f"<div style='font-size:1.1rem'>🚪 {html.escape(target.gate_name)}</div>" if target.gate else ""
    st.html(
        f"<div style='background:{color};color:white;border-radius:12px;padding:14px 16px;text-align:center'>"
        f"<div style='font-size:2.6rem;font-weight:800;letter-spacing:2px'>{t(f'checkin.word.{target.action}', lang)}</div>"
        f"<div style='font-size:1.3rem;font-weight:600'>{html.escape(target.building_name)}</div>{gate}</div>"
    )


def _crowd(crowd: checkin.Crowd, lang: str, prefix: bool = False) -> None:
    text = checkin.crowd_text(crowd, lang)
    if prefix:
        text = t("checkin.crowd_now", lang, crowd=text)
    color = "red" if crowd.over_threshold else "green"
    st.markdown(f"### :{color}[{text}]")
    if crowd.over_threshold:
        st.error(t("checkin.crowd_over", lang))


def _record(con, target: checkin.CheckinTarget, person: dict[str, str]) -> bool:  # type: ignore[no-untyped-def]
    """Store the tap; False (and the error in the server log) when the store failed."""
    try:
        st.session_state["checkin_result"] = checkin.record_self_scan(con, target, person)
    except Exception:
        logging.getLogger("pantau.checkin").exception("self check-in failed")
        return False
    return True


def _show_result(result: checkin.ScanResult, lang: str) -> None:
    level, sentence = checkin.outcome_message(result, lang)
    getattr(st, level)(sentence)
    where = (
        t("checkin.where_gate", lang, building=result.building_name, gate=result.gate_name)
        if result.gate
        else t("checkin.where", lang, building=result.building_name)
    )
    st.markdown(f"**{where}**  \n{t('checkin.when', lang, datetime=result.local_datetime)}")
    _crowd(result.crowd, lang)


def main() -> None:
    lang = _language()
    st.button(
        t("checkin.other_language", lang),
        key="checkin_lang",
        type="tertiary",
        on_click=_switch_language,
        args=(lang,),
    )
    con = cursor()
    target = checkin.verify_checkin_params(con, {k: st.query_params.get(k, "") for k in ("b", "g", "a", "s")})
    if isinstance(target, str):
        st.error(f"**{t('checkin.refused.title', lang)}**\n\n{t(f'checkin.refused.{target}', lang)}")
        return
    _banner(target, lang)
    _big_buttons(ACTION_COLOURS[target.action])

    pending_cookie = st.session_state.pop("checkin_cookie", "unchanged")
    if pending_cookie != "unchanged":
        _write_cookie(pending_cookie)

    person = _known_person()
    if person is not None:
        st.markdown(f"#### {html.escape(t('checkin.hello', lang, name=person['name']))}")
        if st.button(
            t(f"checkin.tap.{target.action}", lang), key="checkin_tap", type="primary", width="stretch"
        ):
            if not _record(con, target, person):
                st.error(t("checkin.error", lang))
                return
        st.button(t("checkin.not_you", lang), key="checkin_not_you", type="tertiary", on_click=_forget)
    else:
        st.caption(t("checkin.form.intro", lang))
        with st.form("checkin_form", border=False):
            name = st.text_input(t("checkin.form.name", lang), key="checkin_name", max_chars=120)
            category = st.radio(
                t("checkin.form.category", lang),
                CATEGORY_KEYS,
                key="checkin_category",
                horizontal=True,
                index=len(CATEGORY_KEYS) - 1,
                format_func=lambda c: t(f"checkin.category.{c}", lang),
            )
            id_number = st.text_input(
                t("checkin.form.id_number", lang),
                key="checkin_id_number",
                max_chars=40,
                help=t("checkin.form.id_help", lang),
            )
            phone = st.text_input(t("checkin.form.phone", lang), key="checkin_phone", max_chars=40)
            remember = st.checkbox(t("checkin.form.remember", lang), value=True, key="checkin_remember")
            st.caption(t("checkin.form.privacy", lang))
            submitted = st.form_submit_button(
                t(f"checkin.tap.{target.action}", lang), key="checkin_submit", type="primary", width="stretch"
            )
        if submitted:
            made = checkin.make_person(name, str(category), id_number, phone)
            if isinstance(made, str):
                st.error(t(f"checkin.form.problem.{made}", lang))
            else:
                st.session_state["checkin_person"] = made
                st.session_state["checkin_forget"] = False
                st.session_state["checkin_cookie"] = checkin.encode_person_cookie(made) if remember else None
                if not _record(con, target, made):
                    st.error(t("checkin.error", lang))
                    return
                st.rerun()

    result = st.session_state.get("checkin_result")
    if result is not None and result.building == target.building and result.action == target.action:
        _show_result(result, lang)
    else:
        _crowd(checkin.crowd_now(con, target.building), lang, prefix=True)


main()
