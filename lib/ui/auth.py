"""Login, roles and logout around streamlit-authenticator 0.4.2 (CONTRIBUTING "Stack notes").

- One ``Authenticate`` per run (never cached: a shared one leaks users between sessions),
  built from ``lib.store.users`` (bcrypt hashes, ``auto_hash=False``) with the cookie key from
  ``lib.store.secrets_store`` (never the library's public default).
- Failed logins are throttled by ``lib.store.users`` per network address (``lib.ui.request.
  client_address``), never by locking the account: after 5 wrong passwords for one account
  from one address, that address waits 30 s, then twice as long after each further failure
  (at most 15 minutes), told with the local time it may try again. The owner, from another
  address, logs in as usual. Wired in through a wrapper around the library's credential check.
- The login cookie is ``Secure`` when the request came over https (``secure_cookie``).
- Logout ends every session of the user: ``lib.store.users.end_sessions`` records the instant;
  a re-authentication cookie issued before it is refused, and so is any open session that
  logged in before it (checked at each run). The cookie is also deleted again on each
  logged-out run of a session that logged out (the library's logout race).
- Anonymous users get a hidden navigation: every page address shows the login form (the
  phone check-in page is no Streamlit page: ``/checkin`` is served beside the app); after
  login the same address opens the real page (page ids are derived from the address).
- A deactivated account cannot log in (form or cookie), and a session of a user who is
  deactivated or deleted meanwhile ends at its next run.
- Every login, failed login, throttled try and logout writes an audit record (with the address).

Pages call ``require_roles`` first: a role that may not see the page gets a refusal and
nothing else, even when the address is typed in. ``navigation`` does not even run such a
page's file for that role: its address shows a plain "not for your role" page with a link
to the role's start page (before, an address outside the role's menu silently showed the
start page).
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import streamlit as st
import streamlit_authenticator as stauth
from streamlit.runtime.pages_manager import PagesManager
from streamlit_authenticator.utilities import LoginError

from lib.core import config
from lib.store import db
from lib.store import users as users_mod
from lib.store.secrets_store import get_secret
from lib.ui.data import cursor, is_demo_mode
from lib.ui.http_guard import COOKIE_EXPIRY_DAYS, COOKIE_NAME
from lib.ui.i18n import fmt_time, language_switch, tr
from lib.ui.plain import escape_markdown
from lib.ui.request import client_address, request_is_https
from lib.ui.widget_texts import widget_texts

# The app registers its pages with st.navigation. Streamlit would otherwise treat the
# pages/ folder as an old-style multipage app until the first st.navigation call, and run
# a page file directly (without the router) for a first request to its address.
PagesManager.uses_pages_directory = False

ROLES = users_mod.ROLES
APP_ROOT = Path(__file__).resolve().parents[2]
_AUTH_AT = "pantau_auth_at"  # epoch seconds this session logged in
_SET_COOKIE = "pantau_set_cookie"
_LOGIN_ERROR = "pantau_login_error"
_FIRST_ADMIN = "pantau_first_admin"
_FROM_LOGIN = "pantau_from_login"  # this session logged in with the form or a cookie


# --- the contract every page uses -------------------------------------------------------


def current_user() -> str:
    """Username of the logged-in user ('' when nobody is logged in)."""
    if not st.session_state.get("authentication_status"):
        return ""
    return str(st.session_state.get("username") or "")


def current_roles() -> set[str]:
    """Roles of the logged-in user (empty when nobody is logged in)."""
    if not st.session_state.get("authentication_status"):
        return set()
    return {r for r in (st.session_state.get("roles") or []) if r in ROLES}


def has_role(role: str) -> bool:
    return role in current_roles()


def require_roles(*roles: str) -> None:
    """Stop the page with a localized refusal unless the user has one of ``roles``."""
    if not st.session_state.get("authentication_status"):
        st.error(tr("auth.login_required"))
        st.stop()
    if not current_roles() & set(roles):
        st.error(tr("auth.refused"))
        st.stop()


# --- accounts and the authenticator ----------------------------------------------------


def audit(action: str, subject: str | None = None, params: dict[str, Any] | None = None,
          rows: int | None = None, actor: str | None = None) -> None:
    """One audit record by the current user (or ``actor``)."""
    db.write_audit(
        cursor(), actor or current_user() or "anonymous", action, subject,
        json.dumps(params, default=str) if params is not None else None, rows,
    )


_accounts_ready: set[str] = set()


def prepare_accounts() -> None:
    """Demo accounts in demo mode; otherwise a first ``admin`` with a generated password,
    printed once to the server console (nowhere else), when no user exists."""
    key = str(users_mod.users_path().resolve())
    if key in _accounts_ready:
        return
    created = users_mod.ensure_initial_accounts(None, demo=is_demo_mode())
    if created:
        username, password = created
        print(
            "\n=== Pantau: first administrator account created ===\n"
            f"username: {username}\npassword: {password}\n"
            "Shown only this once: log in and keep it safe, or reset it on the Users page.\n",
            flush=True,
        )
        audit("user_create", username, {"roles": ["admin"], "first_start": True}, 1, actor="system")
        st.session_state[_FIRST_ADMIN] = username
    _accounts_ready.add(key)


def _login_sleep() -> dict[str, float]:
    seconds = config.login_sleep_seconds()
    return {} if seconds is None else {"login_sleep_time": seconds}


def _on_login_failure(username: str, address: str) -> None:
    failures, wait_until = users_mod.record_failed_login(None, username, address=address)
    params: dict[str, Any] = {"address": address, "failures_in_a_row": failures}
    if wait_until is not None:
        params["wait_seconds"] = round(wait_until - time.time())
    audit("login_failed", username, params, actor=username or "anonymous")
    st.session_state[_LOGIN_ERROR] = ("throttled", wait_until) if wait_until is not None else ("wrong", None)


def build_authenticator() -> stauth.Authenticate:
    """A fresh authenticator for this run, with our lock and session checks wired in."""
    users = users_mod.load_users()
    authenticator = stauth.Authenticate(
        users_mod.credentials(users),
        cookie_name=COOKIE_NAME,
        cookie_key=get_secret("cookie_key"),
        cookie_expiry_days=COOKIE_EXPIRY_DAYS,
        auto_hash=False,
        **_login_sleep(),
    )
    model = authenticator.authentication_controller.authentication_model
    original_check = model.check_credentials

    def check_credentials(username: str, password: str) -> bool:
        address = client_address()
        record = users_mod.load_users().get(username)
        until = users_mod.throttled_until(record, address)
        if until is not None:
            # This address is waiting: the password is not even tried (no guess counts).
            audit("login_throttled", username, {"address": address, "until": datetime.fromtimestamp(until, UTC).isoformat()},
                  actor=username)
            st.session_state[_LOGIN_ERROR] = ("throttled", until)
            return False
        if record is not None and not users_mod.is_active(record):
            audit("login_refused_inactive", username, actor=username)
            st.session_state[_LOGIN_ERROR] = ("inactive", None)
            return False
        if original_check(username, password):
            users_mod.record_successful_login(None, username, address)
            return True
        _on_login_failure(username, address)
        return False

    model.check_credentials = check_credentials  # type: ignore[method-assign]

    cookies = authenticator.cookie_controller
    secure_cookie(cookies.cookie_model.cookie_manager, request_is_https())
    original_get = cookies.get_cookie

    def get_cookie() -> dict[str, Any] | None:
        token = original_get()
        if not token:
            return None
        record = users_mod.load_users().get(str(token.get("username", "")).lower())
        issued_at = float(token.get("exp_date", 0)) - COOKIE_EXPIRY_DAYS * 86400
        allowed = users_mod.session_allowed(record, issued_at) and users_mod.is_active(record)
        return token if allowed else None

    cookies.get_cookie = get_cookie  # type: ignore[method-assign]
    return authenticator


def secure_cookie(manager: Any, secure: bool) -> None:
    """The login cookie gets ``Secure`` (sent over https only) when this request came over
    https, and ``SameSite=Strict``. The library's ``set_cookie`` passes neither to the
    cookie manager (extra_streamlit_components' ``CookieManager.set`` takes both), so its
    ``set`` is wrapped for this run's authenticator."""
    original_set = manager.set

    def set_cookie(cookie: str, val: Any, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("secure", True if secure else None)  # None: the flag is left out
        kwargs.setdefault("same_site", "strict")
        return original_set(cookie, val, *args, **kwargs)

    manager.set = set_cookie


def _on_login(details: dict[str, Any]) -> None:
    st.session_state[_AUTH_AT] = time.time()
    st.session_state[_FROM_LOGIN] = True
    st.session_state[_SET_COOKIE] = True
    st.session_state.pop(_LOGIN_ERROR, None)
    audit("login", details.get("username"), {"roles": details.get("roles")}, actor=str(details.get("username")))


def _on_logout(details: dict[str, Any]) -> None:
    username = str(details.get("username") or "")
    if username:
        users_mod.end_sessions(None, username)
        audit("logout", username, actor=username)
    for key in (_AUTH_AT, _SET_COOKIE, _FROM_LOGIN):
        st.session_state.pop(key, None)


# --- pages and navigation ---------------------------------------------------------------


@dataclass(frozen=True)
class PageSpec:
    """One page of the app: file, address, title text key, icon, roles, menu section key.

    ``roles`` empty means public (no login); no page of Pantau is public today.
    """

    path: str
    url_path: str
    title_key: str
    icon: str
    roles: tuple[str, ...]
    section_key: str = ""

    def exists(self) -> bool:
        return (APP_ROOT / self.path).is_file()


def _login_view(authenticator: stauth.Authenticate) -> None:
    """The login page: title, demo accounts in demo mode, the localized form."""
    st.title(tr("login.title"))
    st.caption(tr("login.caption"))
    message = st.empty()
    fields = {
        "Form name": tr("login.form"),
        "Username": tr("login.username"),
        "Password": tr("login.password"),
        "Login": tr("login.submit"),
    }
    authenticator.attrs["login_sleep_time"] = 0  # the cookie was already tried this run
    st.session_state.pop(_LOGIN_ERROR, None)
    try:
        authenticator.login(location="main", fields=fields, key="pantau_login_form", callback=_on_login)
    except LoginError as error:
        message.error(escape_markdown(str(error)))
    if st.session_state.get("authentication_status"):
        # The cookie is set on the next run: rerunning now would drop the component
        # that sets it (CONTRIBUTING "Stack notes"), so it is rendered again after the rerun.
        st.rerun()
    error = st.session_state.get(_LOGIN_ERROR)
    if error and error[0] == "throttled":
        message.error(throttle_message(float(error[1])))
    elif error and error[0] == "inactive":
        message.error(tr("login.inactive"))
    elif st.session_state.get("authentication_status") is False:
        message.error(tr("login.wrong"))
    if is_demo_mode():
        with st.container(border=True):
            st.markdown("**" + tr("login.demo_title") + "**")
            st.caption(tr("login.demo_caption"))
            st.table(
                {
                    tr("login.username"): list(users_mod.DEMO_ACCOUNTS),
                    tr("login.password"): [p for p, _, _ in users_mod.DEMO_ACCOUNTS.values()],
                    tr("users.roles"): [", ".join(tr(f"role.{r}") for r in roles)
                                        for _, roles, _ in users_mod.DEMO_ACCOUNTS.values()],
                }
            )
    elif st.session_state.get(_FIRST_ADMIN):
        st.info(tr("login.first_admin", username=escape_markdown(st.session_state[_FIRST_ADMIN])))


def throttle_message(until: float, now: float | None = None) -> str:
    """'Too many wrong passwords from this address: try again in 30 seconds, at 10:15 WITA.'
    (``until``: epoch seconds; the clock time in the offices' zone, named)."""
    seconds = max(1, math.ceil(until - (now if now is not None else time.time())))
    at = datetime.fromtimestamp(until, UTC)
    return tr("login.throttled", seconds=seconds, time=fmt_time(at, db.DEFAULT_TIMEZONE),
              attempts=users_mod.MAX_FAILED_LOGINS)


def _no_pages_view() -> None:
    st.title("Pantau")
    st.info(tr("auth.no_pages"))


def _page(spec: PageSpec, default: bool = False, visibility: str = "visible") -> Any:
    return st.Page(
        spec.path, title=tr(spec.title_key), icon=spec.icon, url_path=spec.url_path,
        default=default, visibility=visibility,  # type: ignore[arg-type]
    )


def _anonymous(specs: Sequence[PageSpec], built: stauth.Authenticate | None = None,
               language_shown: bool = False) -> None:
    """Not logged in: the public pages, or the login form at any other address.

    ``built``: the authenticator of this run if one exists already (after a logout);
    ``language_shown``: the language switch is in the sidebar already (same case).
    """
    authenticator: stauth.Authenticate | None = built

    def login_view() -> None:
        assert authenticator is not None
        _login_view(authenticator)

    pages = [st.Page(login_view, title=tr("login.title"), icon=":material/login:", url_path="login", default=True)]
    public: dict[str, Any] = {}
    for spec in specs:
        if not spec.roles:
            if spec.exists():
                public[spec.url_path] = _page(spec, visibility="hidden")
                pages.append(public[spec.url_path])
        else:
            pages.append(st.Page(login_view, title=tr("login.title"), icon=":material/login:", url_path=spec.url_path,
                                 visibility="hidden"))
    chosen = st.navigation(pages, position="hidden")
    widget_texts()
    if chosen in public.values():
        chosen.run()  # no sidebar at all: the public page has its own language link
        st.stop()
    if not language_shown:
        language_switch()
    with st.sidebar:
        authenticator = authenticator or build_authenticator()
        if st.session_state.get("logout") and built is None:
            # This session logged out in an earlier run: delete the cookie again in case
            # the first delete was lost (CONTRIBUTING "Stack notes"); a leftover cookie is
            # refused server-side anyway.
            authenticator.cookie_controller.delete_cookie()
        authenticator.login(location="unrendered")  # re-authentication cookie
    if st.session_state.get("authentication_status"):
        st.session_state[_AUTH_AT] = time.time()
        st.session_state[_FROM_LOGIN] = True
        st.rerun()
    chosen.run()
    st.stop()


def _session_still_valid() -> bool:
    """Logged out elsewhere, password reset, every role removed, the account deactivated or
    deleted: each ends this session too.

    A seeded session (tests) of a user missing from the users file keeps its roles; one
    that logged in with the form or a cookie ends when its account is deleted.
    """
    username = current_user()
    record = users_mod.load_users().get(username.lower())
    st.session_state.setdefault(_AUTH_AT, time.time())
    if record is None:
        return not st.session_state.get(_FROM_LOGIN)
    if not users_mod.session_allowed(record, float(st.session_state[_AUTH_AT])) or not users_mod.is_active(record):
        return False
    st.session_state["roles"] = list(record.get("roles") or [])
    st.session_state["name"] = record.get("name") or username
    return True


def login_gate(specs: Sequence[PageSpec]) -> None:
    """Returns only for a logged-in user (with the sidebar user box and logout button);
    otherwise renders the public page or the login page and stops the run."""
    authenticator: stauth.Authenticate | None = None
    language_shown = False
    if st.session_state.get("authentication_status"):
        with st.sidebar:
            authenticator = build_authenticator()
        if not _session_still_valid():
            with st.sidebar:
                authenticator.logout(location="unrendered")
            for key in (_AUTH_AT, _SET_COOKIE, _FROM_LOGIN):
                st.session_state.pop(key, None)
        else:
            language_switch()
            language_shown = True
            with st.sidebar:
                if st.session_state.pop(_SET_COOKIE, False):
                    authenticator.cookie_controller.set_cookie()
                name = escape_markdown(st.session_state.get("name") or current_user())  # stored text, as text
                st.markdown(f":material/person: **{name}**")
                st.caption(", ".join(tr(f"role.{r}") for r in ROLES if r in current_roles()) or "–")
                authenticator.logout(button_name=tr("auth.logout"), location="sidebar", key="pantau_logout",
                                     callback=_on_logout)
    if not st.session_state.get("authentication_status"):
        _anonymous(specs, authenticator, language_shown)


def _refusal_page(spec: PageSpec, start: Any) -> Any:
    """A hidden page at ``spec``'s address whose whole body is the refusal (README: a page
    a role may not see "refuses itself" when its address is typed). The page's own file is
    never run for this role; the refusal names the page and links to the start page."""

    def refused_view() -> None:
        st.title(tr("auth.not_for_role.title"))
        st.warning(tr("auth.not_for_role.body", page=tr(spec.title_key)), icon=":material/block:")
        st.page_link(start, label=tr("auth.not_for_role.link", page=start.title), icon=":material/home:")

    return st.Page(refused_view, title=tr(spec.title_key), icon=":material/block:", url_path=spec.url_path,
                   visibility="hidden")


def navigation(specs: Sequence[PageSpec]) -> Any:
    """The role-filtered menu (sections in the session's language); returns the page to run.

    A page the user's roles do not allow is registered only as a hidden refusal page at its
    address (``_refusal_page``), so typing that address says so instead of silently showing
    the start page; pages whose file does not exist yet are left out. The first allowed page
    is the default.
    """
    roles = current_roles()
    sections: dict[str, list[Any]] = {}
    hidden: list[Any] = []
    default_done = False
    start: Any = None
    refused: list[PageSpec] = []
    for spec in specs:
        if not spec.exists():
            continue
        if not spec.roles:
            hidden.append(_page(spec, visibility="hidden"))
        elif roles & set(spec.roles):
            page = _page(spec, default=not default_done)
            start = start or page
            default_done = True
            sections.setdefault(tr(spec.section_key) if spec.section_key else "", []).append(page)
        else:
            refused.append(spec)
    if not default_done:
        start = st.Page(_no_pages_view, title="Pantau", icon=":material/home:", url_path="home", default=True)
        sections = {"": [start]}
    hidden.extend(_refusal_page(spec, start) for spec in refused)
    # Hidden pages (public ones, none today, and the refusals) join the last section: they
    # show in no menu.
    list(sections.values())[-1].extend(hidden)
    # Every page of the role listed, never folded behind "View more" (an admin has 15).
    chosen = st.navigation(sections, position="sidebar", expanded=True)
    widget_texts()
    return chosen
