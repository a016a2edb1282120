"""The Parquet spool's writer thread: tables arrive in order, an error reaches the caller,
and no writer is left waiting after an error on either side."""

from __future__ import annotations

import stat
import threading
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.store.spool import ParquetSpool


def _spool_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("spool ")]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.lists(st.text(max_size=30), max_size=40), min_size=1, max_size=12))
def test_every_table_is_read_back_in_order(tmp_path_factory: pytest.TempPathFactory, chunks: list[list[str]]) -> None:
    path = tmp_path_factory.mktemp("spool") / "raw.parquet"
    spool = ParquetSpool(path)
    for chunk in chunks:
        spool.add(pa.table({"text": pa.array(chunk, type=pa.string())}))
    assert spool.close() is True
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    read = duckdb.sql(f"SELECT text FROM {spool.sql()}").fetchall()  # one file: DuckDB keeps its order
    assert [row[0] for row in read] == [text for chunk in chunks for text in chunk]
    assert not _spool_threads()


def test_nothing_added_means_nothing_spooled(tmp_path: Path) -> None:
    spool = ParquetSpool(tmp_path / "empty.parquet")
    assert spool.close() is False and not (tmp_path / "empty.parquet").exists()


def test_a_table_the_writer_refuses_raises_and_ends_the_writer(tmp_path: Path) -> None:
    spool = ParquetSpool(tmp_path / "raw.parquet")
    spool.add(pa.table({"text": ["a"]}))
    with pytest.raises(ValueError):  # another schema than the first table's
        spool.add(pa.table({"number": [1]}))
        for _ in range(50):  # the error reaches add() or, at the latest, close()
            spool.add(pa.table({"text": ["b"]}))
        spool.close()
    spool.close()  # a second close after the error does not wait
    assert not _spool_threads()


def test_an_error_of_the_caller_ends_the_writer_and_is_the_one_raised(tmp_path: Path) -> None:
    with pytest.raises(KeyError, match="reader"), ParquetSpool(tmp_path / "raw.parquet") as spool:
        spool.add(pa.table({"text": ["a"]}))
        raise KeyError("reader")
    assert not _spool_threads()
