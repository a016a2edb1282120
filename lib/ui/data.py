"""The app's one database connection, a cursor per thread, first-start demo data, uploads.

DuckDB allows one read-write process per file: the app holds one connection for its whole
life (``@st.cache_resource``) and gives each script thread its own ``cursor()``, since a
connection shared across threads without cursors fails (CONTRIBUTING "Stack notes").
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import duckdb
import streamlit as st

from lib.core import config
from lib.ingest import importer
from lib.store import db, spool


@st.cache_resource(show_spinner="Basis data sedang dipakai proses lain (impor?), menunggu… / Database busy, waiting…")
def _open(path: str) -> db.SharedDatabase:
    """Open the file once per process as its owner (``lib.web.server.open_owned``): the
    same connection and check-in desk the light check-in page uses."""
    from lib.web.server import open_owned

    return open_owned(Path(path)).database


def database_path() -> Path:
    """``$PANTAU_DB`` or ``data/pantau.duckdb``, absolute."""
    return db.default_db_path().resolve()


def get_connection() -> db.SharedDatabase:
    """The process-wide owner of the database file (``lib.store.db.shared``, cached per path).

    Its ``cursor()`` gives a connection for one thread; do not keep one across runs (the
    file may be rewritten by the retention purge, which closes old cursors).
    """
    return _open(str(database_path()))


def cursor() -> duckdb.DuckDBPyConnection:
    """A fresh cursor of the shared connection: call it once per run (or per thread).

    Taps of the phone check-in page confirmed but not yet stored are stored first (the
    check-in desk batches them every second; a page wants them now), so every figure
    counts them.
    """
    from lib.web.server import open_owned

    database = get_connection()
    open_owned(database.path).desk.flush()
    return database.cursor()


_prepared: set[str] = set()
_prepare_lock = threading.Lock()


def prepare_database(spinner_text: str) -> None:
    """A first start on an empty database: load the demo month (unless ``PANTAU_DEMO=0``).
    (Opening the file, ``lib.web.server.open_owned``, finished any upgrade step.)

    Runs once per database file and process; other sessions wait for it.
    """
    key = str(database_path())
    if key in _prepared:
        return
    with _prepare_lock:
        if key in _prepared:
            return
        from lib.ingest.demo import first_start_wants_demo, load_demo

        cur = cursor()
        if first_start_wants_demo(cur):
            with st.spinner(spinner_text):
                load_demo(cur)
        _prepared.add(key)


def is_demo_mode() -> bool:
    return db.get_setting(cursor(), db.DEMO_MODE_SETTING) == "1"


def upload_limit_bytes() -> int:
    """Largest upload accepted: ``$PANTAU_MAX_UPLOAD_MB`` megabytes (default 200)."""
    return config.max_upload_bytes()


class Upload(Protocol):
    name: str
    size: int

    def read(self, size: int = -1) -> bytes: ...


def import_upload(
    con: duckdb.DuckDBPyConnection,
    upload: Upload,
    actor: str,
    limit_bytes: int,
    limit_text: str,
    progress: Callable[[float], None] | None = None,
    building: str | None = None,
    renames: dict[str, str] | None = None,
) -> importer.ImportSummary:
    """Import one uploaded file through ``lib.ingest.importer.import_file`` (one transaction).

    A file above ``limit_bytes`` is refused before anything is written (audited as
    ``import_refused``). The upload is copied to a private temporary file in chunks,
    keeping its suffix, and removed afterwards. ``building`` and ``renames``: the Import
    page's building picker and column-mapping step (``import_file``'s own parameters).
    """
    name = Path(upload.name).name or "upload"
    if upload.size > limit_bytes:
        summary = importer.ImportSummary(
            file_name=name, status="refused", message_code="too_large", message=limit_text
        )
        db.write_audit(con, actor, "import_refused", name, json.dumps({"reason": "too_large", "bytes": upload.size}), 0)
        return summary
    # The upload holds names and phones: it goes to the database's private spool folder
    # (0700, cleared at the next start if the server is killed meanwhile), not to /tmp.
    with spool.private_folder(con, "upload-") as folder:
        path = folder / ("upload" + Path(name).suffix.lower()[:10])
        with open(path, "wb") as handle:
            shutil.copyfileobj(upload, handle, length=1024 * 1024)  # type: ignore[misc]
        return importer.import_file(
            con, path, actor=actor, display_name=name, progress=progress, building=building, renames=renames
        )
