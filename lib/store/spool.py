"""Arrow tables spooled to a temporary Parquet file, for DuckDB to read back in one statement.

Used where a stream of rows is too large to hold in memory: the raw rows of an imported
file (``lib.ingest.importer``) and the visits of a large re-pairing (``lib.ingest.pairing``).

A spool holds personal data (names, phones: RULES "Personal data"), so it never goes to
the system's shared temporary folder: it lives in a folder of the database's own, beside
the file (``<db folder>/.spool/<db file name>/``, mode 0700), each file 0600. A process
killed mid-import leaves its spool there; ``remove_leftovers`` removes it when the server
or the command line next opens the database (only the owner of the file can be importing
into it, so whatever is there then is a leftover).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from lib.store.db import PRIVATE_FILE_MODE, PRIVATE_FOLDER_MODE

SPOOL_FOLDER_NAME = ".spool"


def spool_root(db_path: str | Path) -> Path:
    """The folder where the imports of the database ``db_path`` spool (not created here)."""
    path = Path(db_path).resolve()
    return path.parent / SPOOL_FOLDER_NAME / path.name


def _database_path(con: duckdb.DuckDBPyConnection) -> Path | None:
    """The file of ``con``'s database; None in memory."""
    rows = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchall()
    found = rows[0][0] if rows else None
    return Path(found) if found and not str(found).startswith(":memory:") else None


def _private_folder(folder: Path) -> None:
    """Create ``folder`` (and its parent .spool) as 0700, narrowing an existing one."""
    for part in (folder.parent, folder):
        part.mkdir(mode=PRIVATE_FOLDER_MODE, exist_ok=True)
        os.chmod(part, PRIVATE_FOLDER_MODE)


def database_path(con: duckdb.DuckDBPyConnection) -> Path | None:
    """The file of ``con``'s database (None in memory), for ``private_folder_of`` when ``con``
    will be busy streaming a result by the time a spool is needed."""
    return _database_path(con)


@contextmanager
def private_folder(con: duckdb.DuckDBPyConnection, prefix: str) -> Iterator[Path]:
    """A fresh 0700 folder for one job's spools, removed afterwards (also on an error).

    Inside the database's spool folder; a database in memory (tests), or one whose folder
    cannot take a spool folder, gets a private folder (0700, ``mkdtemp``) of the system's
    temporary folder.
    """
    with private_folder_of(_database_path(con), prefix) as folder:
        yield folder


@contextmanager
def private_folder_of(db_path: Path | None, prefix: str) -> Iterator[Path]:
    """``private_folder`` for the database file ``db_path`` (None: a database in memory)."""
    folder: Path | None = None
    if db_path is not None:
        root = spool_root(db_path)
        try:
            _private_folder(root)
            folder = Path(tempfile.mkdtemp(prefix=prefix, dir=root))  # mkdtemp: mode 0700
        except OSError:  # a database folder we may read but not write: the import still runs
            folder = None
    if folder is None:
        folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def remove_leftovers(db_path: str | Path) -> int:
    """Remove the spools a killed import of ``db_path`` left; returns how many files.

    Call it right after opening the database read-write (the server's ``open_owned``, the
    command line's open): DuckDB then holds the file's lock, so no other process can be
    importing into it and every spool found is a leftover of a crash.
    """
    root = spool_root(db_path)
    removed = 0
    try:
        if not root.is_dir():
            return 0
        _private_folder(root)  # also narrows a folder an older version or a person made
        for entry in root.iterdir():
            if entry.is_dir() and not entry.is_symlink():
                removed += sum(1 for child in entry.rglob("*") if not child.is_dir())
                shutil.rmtree(entry, ignore_errors=True)
            else:
                removed += 1
                entry.unlink(missing_ok=True)
    except OSError:  # not ours to clean (another user's folder): never stops a start
        pass
    return removed + _remove_duckdb_spills(Path(db_path))


def _remove_duckdb_spills(db_path: Path) -> int:
    """DuckDB's own spill files of a killed process (``<database>.tmp/duckdb_temp_*``): rows
    of an import that did not fit in memory, names and phones among them. DuckDB creates
    them only while a query spills, so at open every one found is a dead process's."""
    folder = db_path.with_name(db_path.name + ".tmp")
    removed = 0
    try:
        for entry in folder.glob("duckdb_temp_*"):
            if entry.is_file() and not entry.is_symlink():
                entry.unlink(missing_ok=True)
                removed += 1
    except OSError:
        pass
    return removed


class ParquetSpool:
    """One Parquet file written table by table; its schema is the first table's.

    The file is created owner-only (0600) before anything is written to it.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._writer: Any = None
        self._written = False

    def add(self, table: pa.Table) -> None:
        import pyarrow.parquet as pq

        if self._writer is None:
            # Created 0600 first; the writer then truncates the existing file, keeping its mode.
            descriptor = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE_MODE)
            os.close(descriptor)
            self._writer = pq.ParquetWriter(self.path, table.schema, compression="lz4")
            self._written = True
        self._writer.write_table(table)

    def close(self) -> bool:
        """Finish the file (a second call does nothing); False when nothing was spooled."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        return self._written and self.path.exists()

    def sql(self) -> str:
        """The finished file as an SQL table expression."""
        return "read_parquet('" + str(self.path).replace("'", "''") + "')"
