"""The demo month (``python -m lib.cli demo``: ``lib.ingest.demo.load_demo``, seed 2022) as a
database file, made once per test process and copied for every test that wants its own.

Loading it takes 3-5 s (12 844 visits imported, re-paired and figured); some twenty
fixtures of the AppTest, browser and hardening tests each made their own.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from lib.ingest import demo
from lib.store import db

_template: Path | None = None


def copy_demo_store(destination: Path) -> Path:
    """The demo month at ``destination`` (a new database file; its folder is made)."""
    global _template
    if _template is None:
        folder = Path(tempfile.mkdtemp(prefix="pantau-demo-"))
        atexit.register(shutil.rmtree, folder, True)
        con = db.connect(folder / "pantau.duckdb")
        demo.load_demo(con)
        con.close()  # checkpointed: the file alone holds everything
        _template = folder / "pantau.duckdb"
    destination.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    shutil.copyfile(_template, destination)
    destination.chmod(0o600)
    return destination
