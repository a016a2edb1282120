"""The address the browser is using right now (for the public-address default)."""

from __future__ import annotations

import streamlit as st

from lib.store import places


def request_base_url(page_path: str) -> str | None:
    """The app's address as this browser reached it, e.g. ``http://10.0.0.5:8502``.

    From ``st.context.url`` (the browser's own address bar, so a reverse proxy's public
    name and path prefix are kept); failing that, from the request's ``Host`` header
    (``X-Forwarded-Proto``/``-Host`` first, as a proxy sets them). None outside a browser.
    """
    found = places.base_url_from_page_url(st.context.url, page_path)
    if found:
        return found
    headers = st.context.headers  # empty without a request (AppTest, a bare script run)
    host = headers.get("X-Forwarded-Host") or headers.get("Host")
    if not host:
        return None
    scheme = (headers.get("X-Forwarded-Proto") or "http").split(",")[0].strip()
    return places.base_url_from_page_url(f"{scheme}://{host.split(',')[0].strip()}", page_path)
