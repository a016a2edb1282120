"""Downloads of personal data go only to the logged-in user whose session made them.

``st.download_button`` serves its file from Streamlit's media file manager at
``/media/<id>.<ext>``, and Streamlit answers that address to anyone who has it: copied from
a browser's history, a proxy's log or a shoulder. The roll-call CSV, a contact list or a
case file would leave Pantau without a login (RULES "Personal data").

``MediaGuard`` is an ASGI middleware (``serve.py`` passes it to ``st.App``) that answers a
``/media/`` request only when it carries a valid login cookie: the authenticator's JWT
(``lib.ui.auth.COOKIE_NAME``) signed with our cookie key, not expired, of an active user who
has not logged out since it was issued (the same rules as ``lib.ui.auth``). When Streamlit's
runtime tells which sessions show the file, the user must also be the one logged in in one
of them; a file no session shows right now (a download made on the click, or the moment a
page is being redrawn) needs the valid login alone. Every other address passes untouched:
the public check-in page stays public.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from http.cookies import CookieError, SimpleCookie
from pathlib import Path

import jwt

from lib.store import users as users_mod
from lib.store.secrets_store import get_secret
from lib.web.guards import ASGIApp, Receive, Scope, Send, plain_response

# The login cookie (lib.ui.auth sets it through streamlit-authenticator with these).
COOKIE_NAME = "pantau_auth"
COOKIE_EXPIRY_DAYS = 1.0
MEDIA_SEGMENT = "media"



def login_from_token(token: str | None, key: str, now: float | None = None) -> str | None:
    """The username of a valid login cookie, or None.

    Valid: signed with ``key`` (HS256, as streamlit-authenticator signs it), its
    ``exp_date`` in the future, the user active and not logged out (or reset) since the
    cookie was issued (``lib.store.users.session_allowed``)."""
    if not token:
        return None
    try:
        claims = jwt.decode(token, key, algorithms=["HS256"])
    except jwt.PyJWTError:
        return None
    username = str(claims.get("username") or "").strip().lower()
    try:
        expires = float(claims.get("exp_date") or 0.0)
    except (TypeError, ValueError):
        return None
    if not username or expires <= (now if now is not None else time.time()):
        return None
    record = users_mod.load_users().get(username)
    issued_at = expires - COOKIE_EXPIRY_DAYS * 86400
    if not users_mod.session_allowed(record, issued_at) or not users_mod.is_active(record):
        return None
    return username


def _cookie(scope: Scope, name: str) -> str | None:
    for header, value in scope.get("headers") or []:
        if header.lower() != b"cookie":
            continue
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(value.decode("latin-1"))
        except CookieError:
            continue
        if name in jar:
            return jar[name].value
    return None


def media_file_id(path: str) -> str | None:
    """``abc123`` for ``/media/abc123.csv`` (also under a base path), else None.

    Streamlit's own fonts live at ``/static/media/<name>.woff2``: those are not download
    files and pass (refusing them left the login page, and every page of a session that
    logged in with the form, without the text font and drawing each ``:material/…:`` icon
    as its name, e.g. "language" on the language button). Only a file Streamlit ships in
    its static folder counts as such, so no download hides behind a ``static`` base path.
    """
    parts = path.rstrip("/").split("/")
    if len(parts) < 3 or parts[-2] != MEDIA_SEGMENT or not parts[-1]:
        return None
    if parts[-3] == "static" and _is_streamlit_asset(parts[-1]):
        return None
    return parts[-1].split(".", 1)[0]


def _is_streamlit_asset(name: str) -> bool:
    """A file of Streamlit's own ``static/static/media`` folder (fonts, images)."""
    import streamlit

    folder = Path(streamlit.__file__).parent / "static" / "static" / "media"
    return "/" not in name and name not in (".", "..") and (folder / name).is_file()


def media_file_owners(file_id: str) -> set[str] | None:
    """The users logged in in the sessions that show ``file_id`` now; None when no session
    shows it or Streamlit's runtime cannot tell (then the login alone decides).

    Streamlit keeps, per session, the media files of its last run; the session's state holds
    who is logged in. Both are internals of Streamlit 1.67, read defensively: any change of
    them gives None, never an error and never a refusal of the owner."""
    try:
        from streamlit.runtime import Runtime

        if not Runtime.exists():
            return None
        runtime = Runtime.instance()
        manager = runtime.media_file_mgr
        with manager._lock:
            sessions = [
                session_id
                for session_id, by_coordinates in manager._files_by_session_and_coord.items()
                if file_id in by_coordinates.values()
            ]
        owners: set[str] = set()
        for session_id in sessions:
            info = runtime._session_mgr.get_session_info(session_id)
            if info is None:
                continue
            state = info.session.session_state
            if "authentication_status" in state and state["authentication_status"] and "username" in state:
                owners.add(str(state["username"]).strip().lower())
        return owners if sessions else None
    except Exception:  # noqa: BLE001 (an internal of Streamlit changed: the login alone decides)
        return None


class MediaGuard:
    """ASGI middleware: ``/media/`` only for the logged-in user who made the file."""

    def __init__(self, app: ASGIApp, key: Callable[[], str] | None = None,
                 owners: Callable[[str], set[str] | None] = media_file_owners) -> None:
        self.app = app
        self._key = key or (lambda: get_secret("cookie_key"))
        self._owners = owners

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope.get("type") != "http" or scope.get("method") == "OPTIONS":
            await self.app(scope, receive, send)
            return
        file_id = media_file_id(str(scope.get("path") or ""))
        if file_id is None:
            await self.app(scope, receive, send)
            return
        username = login_from_token(_cookie(scope, COOKIE_NAME), self._key())
        owners = self._owners(file_id) if username else None
        if username is None or (owners is not None and username not in owners):
            await _refuse(send)
            return
        await self.app(scope, receive, send)


async def _refuse(send: Send) -> None:
    """403 with no body worth reading: neither the file nor whether it exists."""
    await plain_response(send, 403, b"Forbidden: log in to Pantau to download this file.\n")
