"""Arrow tables spooled to a temporary Parquet file, for DuckDB to read back in one statement.

Used where a stream of rows is too large to hold in memory: the raw rows of an imported
file (``lib.ingest.importer``) and the visits of a large re-pairing (``lib.ingest.pairing``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa


class ParquetSpool:
    """One Parquet file written table by table; its schema is the first table's."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._writer: Any = None

    def add(self, table: pa.Table) -> None:
        import pyarrow.parquet as pq

        if self._writer is None:
            self._writer = pq.ParquetWriter(self.path, table.schema, compression="lz4")
        self._writer.write_table(table)

    def close(self) -> bool:
        """Finish the file (a second call does nothing); False when nothing was spooled."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        return self.path.exists()

    def sql(self) -> str:
        """The finished file as an SQL table expression."""
        return "read_parquet('" + str(self.path).replace("'", "''") + "')"
