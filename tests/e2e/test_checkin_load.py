"""The check-in page under load from several phones at once: nothing lost, nothing twice."""

from __future__ import annotations

from pathlib import Path

from benchmarks.checkin_load import run


def test_parallel_phones_every_accepted_checkin_stored_once(tmp_path: Path) -> None:
    result = run(seconds=15, workers=3, data_dir=tmp_path)
    assert len(result.accepted) >= 3, result.table()
    assert result.missing == [] and result.doubled == [], result.table()
    assert result.stored_once == len(result.accepted)
