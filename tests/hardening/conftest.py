"""The hardening suite: the attacks of a public phone, a local user and a bad file,
replayed against a real server (``streamlit run serve.py``, as ``./pantau.sh run``) so
that each one stays fixed. Each file holds one family of attacks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import StreamlitServer, start_demo_server


@pytest.fixture(scope="module")
def demo_live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StreamlitServer]:
    """A real server on its own demo database (module-wide: attacks of one file share it)."""
    server = start_demo_server(tmp_path_factory.mktemp("hardening"))
    yield server
    server.stop()


def start_server(data_dir: Path, **env: str) -> StreamlitServer:
    """A real server on ``data_dir`` with extra ``PANTAU_*`` settings (empty database unless ``PANTAU_DEMO``)."""
    return StreamlitServer(data_dir, env={"PANTAU_DEMO": "0", **env})
