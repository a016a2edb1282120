"""Pantau's server: the dashboard (``dashboard.py``) and, beside it in the same process, the
light check-in page a poster's QR code opens (``/checkin``, plain HTML).

``./pantau.sh run`` starts it with ``streamlit run serve.py``: Streamlit finds ``app`` below
and serves it, so the dashboard stays the one owner of the database file and the light
page writes through the same connection (``lib.web.server``).
"""

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import streamlit as st
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware

from lib.cli.commands import note_app_address
from lib.core.config import SettingError, check_settings
from lib.ui.http_guard import MediaGuard
from lib.web.guards import MetricsGuard
from lib.web.phone_page import routes
from lib.web.server import load_demo_on_first_start, no_delay_on_listening_sockets, open_owned, stop_all

try:
    check_settings()  # a bad PANTAU_* value stops the start, named, before a port is opened
except SettingError as error:
    sys.exit(f"Pantau does not start: {error}")


def _opened() -> tuple[Any, Any]:
    owned = open_owned()
    return owned.database, owned.desk


@asynccontextmanager
async def _lifespan(_app: Any) -> AsyncIterator[None]:
    # Open the database at start: demo data on the first start, the journal of check-ins
    # replayed after a crash, and the command line's owner service, before any request.
    no_delay_on_listening_sockets()  # ~40 ms less per request (see its docstring)
    # Posters the command line makes through us, while no public address is set, open this
    # app on the port it runs on (lib/cli/commands.py note_app_address).
    note_app_address(st.get_option("server.address"), st.get_option("server.port"), st.get_option("server.baseUrlPath"))
    owned = await run_in_threadpool(open_owned)
    await run_in_threadpool(load_demo_on_first_start, owned.database)
    yield
    await run_in_threadpool(stop_all)


# Guards before Streamlit's own routes (lib/web/guards.py): /_stcore/metrics only for
# the server's own loopback, also when nginx (deploy/nginx/pantau.conf) is not in front.
# /media/ (st.download_button's files) only for the logged-in user who made them (lib/ui/http_guard.py).
GUARDS = [Middleware(MetricsGuard), Middleware(MediaGuard)]

app = st.App("dashboard.py", routes=routes(_opened), lifespan=_lifespan, middleware=GUARDS)
