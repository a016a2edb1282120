"""What this run's request tells: the address the browser is using (the public-address
default), the network address of the browser (login throttling) and whether it came over
https (the login cookie's ``Secure`` flag)."""

from __future__ import annotations

import ipaddress

import streamlit as st

from lib.core import config
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


def client_address() -> str:
    """The network address of the browser behind this run (login throttling, the audit).

    ``st.context.ip_address`` is the socket's peer; Streamlit hides a loopback peer as None
    (a reverse proxy on the same machine, or a local browser), so that is read as
    127.0.0.1. Behind a trusted proxy (``PANTAU_TRUSTED_PROXIES``) the address is taken from
    ``X-Forwarded-For`` by ``lib.core.config.client_address``; never from the header alone.
    """
    peer = st.context.ip_address or "127.0.0.1"
    return config.client_address(peer, st.context.headers.get("X-Forwarded-For"))


def is_https_request(page_url: str | None, peer: str | None, forwarded_proto: str | None) -> bool:
    """Whether the browser reached the app over https: its own address bar says so
    (``st.context.url``), or a trusted reverse proxy (``PANTAU_TRUSTED_PROXIES``) that ends
    TLS says so in ``X-Forwarded-Proto``. The header of anyone else is not believed."""
    if (page_url or "").strip().lower().startswith("https://"):
        return True
    if not forwarded_proto:
        return False
    try:
        address = ipaddress.ip_address((peer or "127.0.0.1").strip())
    except ValueError:
        return False
    if not any(address in network for network in config.trusted_proxies()):
        return False
    return forwarded_proto.split(",")[0].strip().lower() == "https"


def request_is_https() -> bool:
    """``is_https_request`` for this run's request (the login cookie is then ``Secure``)."""
    return is_https_request(st.context.url, st.context.ip_address, st.context.headers.get("X-Forwarded-Proto"))
