"""Helpers shared by the test files: one home for them, instead of test files importing
each other's helpers (issue 25).

- ``app``: the dashboard in AppTest (a seeded database, logged-in sessions, what a page shows).
- ``visits``: visits written straight into the store and the plain-Python readings of RULES
  "Occupancy" and "Crowding" the figures are checked against.
- ``pdf``: PDF posters and reports turned into images, QR addresses and text.
- ``cases``: the tracing-case log and the command line, for the case tests.
- ``attacks``: hostile files (XLSX bombs, control characters) and a measured command run.
- ``old_store``: a database file at an older schema version, for the migrations' tests.
- ``demo_store``: the demo month, loaded once per test process and copied for each fixture.

The fixtures built on them (``app_env``, ``demo_db``, the AppTest router) are in
``tests/conftest.py``; the browser tests' helpers in ``tests/e2e/support.py``.
"""

from __future__ import annotations

from pathlib import Path

# The repository's root (dashboard.py, pages/, lib/).
ROOT = Path(__file__).resolve().parents[2]
