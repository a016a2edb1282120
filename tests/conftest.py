"""Fixtures shared by every test layer."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from hypothesis import settings

from lib.store import db


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A fresh database file of its own."""
    connection = db.connect(tmp_path / "pantau.duckdb")
    yield connection
    connection.close()


def write_csv(path: Path, header: list[str], rows: list[list[object]], delimiter: str = ",") -> Path:
    """A small CSV export as an office would write it."""
    lines = [delimiter.join(header)] + [delimiter.join("" if v is None else str(v) for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# The same examples on every run, so a red CI always points at a real, reproducible case.
# PANTAU_HYPOTHESIS=random explores new examples (do that when changing a rule).
settings.register_profile("deterministic", derandomize=True, print_blob=True)
settings.register_profile("random", derandomize=False, print_blob=True, max_examples=300)
settings.load_profile(os.environ.get("PANTAU_HYPOTHESIS", "deterministic"))
