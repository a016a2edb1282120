"""Public self check-in (no login), opened from a poster's QR code on a phone.

The address carries building, gate, action and a signature (``lib.outputs.checkin``). The first
time, the visitor fills in name, category and ID or phone; the details are kept on the
phone in a signed cookie (written by a tiny script, read back through
``st.context.cookies`` with the next page load), never in the address. Every later scan
is one tap; a visitor still inside that building is told since when before tapping.
After a tap the outcome takes the top of the screen and the button is gone. The page has
no sidebar, and the ID and phone boxes open the phone's number pad.
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
from lib.ui.widget_texts import widget_texts

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


def _page_style(colour: str) -> None:
    """Big tap and submit buttons in the poster's colour (green in, red-orange out), and no
    sidebar: a visitor's phone shows the check-in and nothing else (no menu, no toggle)."""
    widget_texts(
        ".st-key-checkin_tap button, .st-key-checkin_submit button"
        f"{{min-height:4.5rem;background:{colour};border-color:{colour};color:white}}"
        ".st-key-checkin_tap button p, .st-key-checkin_submit button p{font-size:1.5rem;font-weight:700}"
        '[data-testid="stSidebar"],[data-testid="stSidebarCollapsedControl"],[data-testid="stExpandSidebarButton"],'
        '[data-testid="stSidebarCollapseButton"]{display:none !important}'
    )


# Phones open the number pad for the ID and phone fields. st.text_input has no parameter
# for it: a small script sets ``inputmode`` on the two boxes, again whenever Streamlit
# redraws them (a MutationObserver, installed once per page).
_KEYBOARD_SCRIPT = """<script>(function(){
function apply(){
  var id=document.querySelector('.st-key-checkin_id_number input');
  if(id&&id.getAttribute('inputmode')!=='numeric'){id.setAttribute('inputmode','numeric');}
  var tel=document.querySelector('.st-key-checkin_phone input');
  if(tel&&tel.getAttribute('inputmode')!=='tel'){tel.setAttribute('inputmode','tel');tel.setAttribute('autocomplete','tel');}
}
apply();
if(!window.__pantauKeyboard){window.__pantauKeyboard=new MutationObserver(apply);
  window.__pantauKeyboard.observe(document.body,{childList:true,subtree:true});}
})();</script>"""


def _numeric_keyboards() -> None:
    st.html(_KEYBOARD_SCRIPT, unsafe_allow_javascript=True)


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


def _record(target: checkin.CheckinTarget, person: dict[str, str]) -> None:
    """Store the tap; on failure the error goes to the server log and the page says so."""
    st.session_state.pop("checkin_failed", None)
    try:
        st.session_state["checkin_result"] = checkin.record_self_scan(cursor(), target, person)
    except Exception:
        logging.getLogger("pantau.checkin").exception("self check-in failed")
        st.session_state["checkin_failed"] = True


def _tap(target: checkin.CheckinTarget) -> None:
    """The big button of a known visitor (runs before the page is drawn again)."""
    person = _known_person()
    if person is not None:
        _record(target, person)


def _submit(target: checkin.CheckinTarget) -> None:
    """The first-time form: check the details, remember them if asked, store the tap."""
    state = st.session_state
    made = checkin.make_person(
        str(state.get("checkin_name") or ""), str(state.get("checkin_category") or ""),
        str(state.get("checkin_id_number") or ""), str(state.get("checkin_phone") or ""),
    )
    if isinstance(made, str):
        state["checkin_problem"] = made
        return
    state.pop("checkin_problem", None)
    state["checkin_person"] = made
    state["checkin_forget"] = False
    state["checkin_cookie"] = checkin.encode_person_cookie(made) if state.get("checkin_remember", True) else None
    _record(target, made)


OUTCOME_STYLES = {  # level of checkin.outcome_message -> (background, mark)
    "success": ("#15803d", "✓"),
    "info": ("#1d4ed8", "ℹ"),
    "warning": ("#b45309", "!"),
}


def _show_result(result: checkin.ScanResult, lang: str) -> None:
    """What the tap did, as the largest thing on the screen, then where, when and the crowd."""
    level, sentence = checkin.outcome_message(result, lang)
    background, mark = OUTCOME_STYLES.get(level, OUTCOME_STYLES["info"])
    st.html(
        f"<div role='status' style='background:{background};color:white;border-radius:14px;padding:18px 16px;"
        "text-align:center'>"
        f"<div style='font-size:3rem;line-height:1;font-weight:800'>{mark}</div>"
        f"<div style='font-size:1.9rem;line-height:1.25;font-weight:800;margin-top:6px'>{html.escape(sentence)}</div>"
        "</div>"
    )
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
    target = checkin.verify_checkin_params(con, {k: st.query_params.get(k, "") for k in ("b", "g", "r", "a", "s")})
    if isinstance(target, str):
        st.error(f"**{t('checkin.refused.title', lang)}**\n\n{t(f'checkin.refused.{target}', lang)}")
        return
    _page_style(ACTION_COLOURS[target.action])

    pending_cookie = st.session_state.pop("checkin_cookie", "unchanged")
    if pending_cookie != "unchanged":
        _write_cookie(pending_cookie)

    # After a tap: the outcome on top, nothing to tap again (a new scan reloads the page).
    result = st.session_state.get("checkin_result")
    if result is not None and result.building == target.building and result.action == target.action:
        _show_result(result, lang)
        return

    _banner(target, lang)
    if st.session_state.get("checkin_failed"):
        st.error(t("checkin.error", lang))
    person = _known_person()
    if person is not None:
        st.markdown(f"#### {html.escape(t('checkin.hello', lang, name=person['name']))}")
        since = checkin.inside_since(con, target.building, person["person_id"])
        if since is not None:
            st.info(t("checkin.inside_since", lang, time=checkin.local_clock(since, target.timezone)))
        st.button(
            t(f"checkin.tap.{target.action}", lang), key="checkin_tap", type="primary", width="stretch",
            on_click=_tap, args=(target,),
        )
        st.button(t("checkin.not_you", lang), key="checkin_not_you", type="tertiary", on_click=_forget)
    else:
        st.caption(t("checkin.form.intro", lang))
        problem = st.session_state.pop("checkin_problem", None)
        if problem:
            st.error(t(f"checkin.form.problem.{problem}", lang))
        with st.form("checkin_form", border=False):
            st.text_input(t("checkin.form.name", lang), key="checkin_name", max_chars=120, autocomplete="name")
            st.radio(
                t("checkin.form.category", lang),
                CATEGORY_KEYS,
                key="checkin_category",
                horizontal=True,
                index=len(CATEGORY_KEYS) - 1,
                format_func=lambda c: t(f"checkin.category.{c}", lang),
            )
            st.text_input(
                t("checkin.form.id_number", lang),
                key="checkin_id_number",
                max_chars=40,
                help=t("checkin.form.id_help", lang),
            )
            st.text_input(t("checkin.form.phone", lang), key="checkin_phone", max_chars=40)
            st.checkbox(t("checkin.form.remember", lang), value=True, key="checkin_remember")
            st.caption(t("checkin.form.privacy", lang))
            st.form_submit_button(
                t(f"checkin.tap.{target.action}", lang), key="checkin_submit", type="primary", width="stretch",
                on_click=_submit, args=(target,),
            )
        _numeric_keyboards()
    _crowd(checkin.crowd_now(con, target.building), lang, prefix=True)


main()
