"""Guards in front of the whole web server (``serve.py`` passes them to ``st.App(middleware=...)``).

Plain ASGI middleware: each sees every HTTP request before Streamlit's own routes do, with
the path already decoded (``/_stcore/%6Detrics`` arrives as ``/_stcore/metrics``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

METRICS_PATH = "/_stcore/metrics"


async def plain_response(send: Send, status: int, body: bytes) -> None:
    """A short plain-text answer of a guard, never cached (the guards' one way to refuse)."""
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(body)).encode()),
                    (b"cache-control", b"no-store")],
    })
    await send({"type": "http.response.body", "body": body})
# Headers a proxy adds: a request carrying any of them came through one (nginx on this
# machine included), so it is somebody else's, whatever socket it arrived on. This holds
# whether or not uvicorn has already replaced the client by X-Forwarded-For (it does for
# a request from 127.0.0.1 unless FORWARDED_ALLOW_IPS says otherwise).
_FORWARDING_HEADERS = {b"x-forwarded-for", b"x-real-ip", b"forwarded"}


def is_metrics_path(path: str) -> bool:
    """Streamlit's server figures, with or without a base path or trailing slash."""
    return path.rstrip("/").endswith(METRICS_PATH)


def from_this_machine(scope: Scope) -> bool:
    """The request came from a loopback address and through no proxy."""
    client = scope.get("client")
    try:
        loopback = client is not None and ipaddress.ip_address(client[0]).is_loopback
    except ValueError:  # a unix socket or a name: not an address we know
        loopback = False
    if not loopback:
        return False
    return not any(name.lower() in _FORWARDING_HEADERS for name, _ in scope.get("headers") or ())


class MetricsGuard:
    """``/_stcore/metrics`` (sessions, memory, cache sizes of the running server) only for
    a monitor on the server itself (``curl http://127.0.0.1:8501/_stcore/metrics``);
    anyone else gets the same plain 404 as any unknown address, so nothing says it exists.
    deploy/nginx/pantau.conf refuses it too; this guard holds without nginx, or when
    Streamlit is reached on its own port."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope.get("type") == "http"
            and is_metrics_path(scope.get("path", ""))
            and not from_this_machine(scope)
        ):
            await plain_response(send, 404, b"Not Found")
            return
        await self.app(scope, receive, send)
