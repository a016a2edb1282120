"""One logging set-up for Pantau's own modules (every module logs to ``getLogger(__name__)``).

The server and the command line call ``configure`` once at their start: lines go to
standard error with the time, level and module, so ``journalctl -u pantau`` shows what a
background thread (the check-in desk, the nightly jobs, the hand-off port) ran into.
Streamlit keeps its own loggers as it sets them up.
"""

from __future__ import annotations

import logging
import sys

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_configured: set[str] = set()


def configure(level: int = logging.INFO) -> None:
    """Send the ``lib`` loggers' records of ``level`` and above to standard error (once)."""
    if "lib" in _configured:
        return
    logger = logging.getLogger("lib")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False  # not twice when a host (pytest, Streamlit) configured the root logger
    _configured.add("lib")
