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
import queue
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

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

    The file is created owner-only (0600) before anything is written to it. The tables
    are encoded and written by a thread of the spool's own while the caller reads and
    cleans the next chunk (Arrow's Parquet writer releases the GIL): at most
    ``QUEUED_TABLES`` wait, so memory stays bounded. The file lives only until DuckDB
    has read it back once, so it is written for speed: LZ4 pages, no statistics (10 M raw
    rows: 5.7 s before, issue 27), and dictionaries only when ``dictionaries`` is set. The
    import's raw rows repeat their buildings, actions and times, and DuckDB parsed 10 M of
    them in 6-8 s from dictionary pages against 13-15 s from plain ones, for ~1.5 s more
    in the writer (issue 27, sixth pass). ``close`` waits for the thread
    and raises what the writing raised; the owner must call it, also after an error
    (or use the spool as a context manager).
    """

    QUEUED_TABLES = 4

    def __init__(self, path: Path, dictionaries: bool = False) -> None:
        self.path = path
        self.dictionaries = dictionaries
        self._queue: queue.Queue[pa.Table | None] | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._reported = False
        self._written = False

    def add(self, table: pa.Table) -> None:
        if not self._written:
            # Created 0600 first; the writer then truncates the existing file, keeping its mode.
            descriptor = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE_MODE)
            os.close(descriptor)
            self._written = True
            self._queue = queue.Queue(maxsize=self.QUEUED_TABLES)
            self._thread = threading.Thread(target=self._write_all, args=(table.schema,),
                                            name=f"spool {self.path.name}", daemon=True)
            self._thread.start()
        self._put(table)

    def _put(self, item: pa.Table | None) -> None:
        assert self._queue is not None
        while True:
            if self._error is not None:  # the writer has ended: never wait for it
                self._reported = True
                raise self._error
            try:
                self._queue.put(item, timeout=0.2)
                return
            except queue.Full:
                continue

    def _write_all(self, schema: pa.Schema) -> None:
        import pyarrow.parquet as pq

        assert self._queue is not None
        try:
            with pq.ParquetWriter(self.path, schema, compression="lz4", use_dictionary=self.dictionaries,
                                  write_statistics=False) as writer:
                while (table := self._queue.get()) is not None:
                    writer.write_table(table)
        except BaseException as error:  # handed to the caller by add() or close()
            self._error = error

    def close(self) -> bool:
        """Finish the file (a second call does nothing) and raise the writer's error unless
        ``add`` raised it already; False when nothing was spooled."""
        thread, self._thread = self._thread, None
        if thread is not None:
            assert self._queue is not None
            while self._error is None:  # the end mark, unless the writer has ended already
                try:
                    self._queue.put(None, timeout=0.2)
                    break
                except queue.Full:
                    continue
            thread.join()
        if self._error is not None and not self._reported:
            self._reported = True
            raise self._error
        return self._written and self.path.exists()

    def __enter__(self) -> ParquetSpool:
        return self

    def __exit__(self, error_type: type[BaseException] | None, *exc: object) -> None:
        try:
            self.close()
        except Exception:
            if error_type is None:  # otherwise the error already on its way is the one to say
                raise

    def sql(self) -> str:
        """The finished file as an SQL table expression."""
        return "read_parquet('" + str(self.path).replace("'", "''") + "')"


class TableSink:
    """The output of a long pass, as a few named streams of Arrow tables (each with its
    schema): held in memory up to ``spool_rows`` rows in all, and beyond that spooled to
    Parquet files in the database's private folder (``private_folder_of``), so that a
    pass over a whole province's history stays within bounded memory.

    ``sources(con)`` names each stream as an SQL table expression for the statement that
    reads it back (Arrow tables registered on ``con``, or the finished files). Use the
    sink as a context manager: its spools and folder go at the end.
    """

    def __init__(self, db_path: Path | None, schemas: dict[str, pa.Schema], prefix: str, spool_rows: int) -> None:
        self.db_path = db_path
        self.schemas = schemas
        self.prefix = prefix
        self.spool_rows = spool_rows
        self.buffered: dict[str, list[pa.Table]] = {name: [] for name in schemas}
        self.buffered_rows = 0
        self.folder: ExitStack | None = None
        self.spools: dict[str, ParquetSpool] | None = None

    def __enter__(self) -> TableSink:
        return self

    def __exit__(self, *exc: object) -> None:
        # Every spool's writer ends (even when one raises), then the folder goes.
        with ExitStack() as ending:
            if self.folder is not None:
                ending.push(self.folder)
            for spool in (self.spools or {}).values():
                ending.push(spool)

    def add(self, **tables: pa.Table) -> None:
        """One table for every stream (an empty one when a stream has nothing), so that
        every spooled file gets its schema."""
        for name, table in tables.items():
            self.buffered[name].append(table)
            self.buffered_rows += table.num_rows
        if self.buffered_rows >= self.spool_rows:
            self._spill()

    def _spill(self) -> None:
        if self.spools is None:
            self.folder = ExitStack()
            folder = self.folder.enter_context(private_folder_of(self.db_path, self.prefix))
            self.spools = {name: ParquetSpool(folder / f"{name}.parquet") for name in self.schemas}
        for name, tables in self.buffered.items():
            for table in tables:
                self.spools[name].add(table)
        self.buffered = {name: [] for name in self.schemas}
        self.buffered_rows = 0

    @contextmanager
    def sources(self, con: duckdb.DuckDBPyConnection) -> Iterator[dict[str, str]]:
        """Each stream as an SQL table expression, valid inside the ``with``."""
        if self.spools is None:
            names = {name: f"sink_{name}_{id(self)}" for name in self.schemas}
            for name, view in names.items():
                tables = self.buffered[name]
                con.register(view, pa.concat_tables(tables) if tables else self.schemas[name].empty_table())
            try:
                yield names
            finally:
                for view in names.values():
                    con.unregister(view)
            return
        self._spill()
        for spool in self.spools.values():
            spool.close()
        yield {name: spool.sql() for name, spool in self.spools.items()}
