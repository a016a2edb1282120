"""Sorted Arrow streams cut where a person's rows end, for the ordered passes of
``lib.ingest.pairing`` and ``lib.ingest.areas`` (a person's state never spans two tables)."""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
import pyarrow.compute as pc


def whole_persons(reader: pa.RecordBatchReader) -> Iterator[pa.Table]:
    """The reader's rows (sorted by person) in tables that never split one person's events."""
    carry: pa.Table | None = None
    for batch in reader:
        table = pa.Table.from_batches([batch])
        if carry is not None:
            table = pa.concat_tables([carry, table])
        if table.num_rows == 0:
            continue
        # The last person may continue in the next batch: hold their rows back.
        cut = pc.index(table.column("person_id"), table.column("person_id")[-1]).as_py()
        if cut > 0:
            yield table.slice(0, cut)
        carry = table.slice(cut)
    if carry is not None and carry.num_rows:
        yield carry
