"""The sets of rows one step of the write path hands the next, as typed values.

An import, the re-pairing of visits, the area stays and the stored figures run as SQL in one
transaction and hand each other sets of rows: the persons to re-pair and from when, the
persons whose stays to derive again, the rooms a file names. Handed over as bare SQL text
or a temp table's name, nothing said which columns the receiver reads, and a wrong hand-over
failed deep inside the receiver's SQL. Each type here names its columns, and is checked
where it is made (``checked``), so a missing column fails there, by name (splink hands its
intermediate tables around as typed objects in the same way).

- ``PersonsToRepair``: a temp table ``(person_id, from_ts, category)``: re-pair these persons'
  visits from ``from_ts`` (NULL: their whole history) with ``category``'s MAX_STAY
  (``lib.ingest.pairing.repair_and_refresh``).
- ``StayRestarts``: a query ``(person_id[, from_ts])``: derive these persons' area stays
  again from ``from_ts`` (``lib.ingest.areas.rederive``).
- ``AreasNamed``: a query ``(building, area)``: rooms scans or a roster name
  (``lib.store.db.ensure_areas``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Self

import duckdb


class RelationError(ValueError):
    """A relation handed over without a column its receiver reads (a bug in the caller)."""


def _columns_of(con: duckdb.DuckDBPyConnection, sql: str) -> list[str]:
    return [column[0] for column in con.execute(f"SELECT * FROM ({sql}) LIMIT 0").description]


@dataclass(frozen=True)
class _Query:
    """A query whose rows the receiver reads (in the caller's transaction)."""

    sql: str
    REQUIRED: ClassVar[tuple[str, ...]] = ()

    def columns(self, con: duckdb.DuckDBPyConnection) -> list[str]:
        return _columns_of(con, self.sql)

    def checked(self, con: duckdb.DuckDBPyConnection) -> Self:
        missing = [c for c in self.REQUIRED if c not in self.columns(con)]
        if missing:
            raise RelationError(f"{type(self).__name__} lacks the column(s) {', '.join(missing)}: {self.sql}")
        return self


class StayRestarts(_Query):
    """``(person_id[, from_ts])``: whose area stays to derive again, from when (several rows
    of a person: the earliest; NULL or no ``from_ts`` column: the whole history)."""

    REQUIRED = ("person_id",)


class AreasNamed(_Query):
    """``(building, area)``: rooms named by scans or a roster (created when not known yet)."""

    REQUIRED = ("building", "area")


@dataclass(frozen=True)
class PersonsToRepair:
    """A temp table ``(person_id, from_ts, category)`` of the persons whose visits are re-paired.

    Made only by ``create`` (which checks the columns); the re-pairing joins and deletes with
    it, so it is a table, not a query. ``drop`` when done."""

    table: str
    REQUIRED: ClassVar[tuple[str, ...]] = ("person_id", "from_ts", "category")

    @classmethod
    def create(
        cls, con: duckdb.DuckDBPyConnection, select_sql: str, params: list[object] | None = None,
        name: str = "affected",
    ) -> PersonsToRepair:
        con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {select_sql}", params or [])
        missing = [c for c in cls.REQUIRED if c not in _columns_of(con, f"SELECT * FROM {name}")]
        if missing:
            con.execute(f"DROP TABLE {name}")
            raise RelationError(f"PersonsToRepair lacks the column(s) {', '.join(missing)}: {select_sql}")
        return cls(name)

    def drop(self, con: duckdb.DuckDBPyConnection) -> None:
        con.execute(f"DROP TABLE IF EXISTS {self.table}")

    def restarts(self, moved_back_minutes: int, dedup_seconds: int) -> StayRestarts:
        """These persons' stays to derive again, from ``from_ts`` moved back by the longest
        MAX_STAY and DEDUP (a visit holding a stay begins at most that before the stay)."""
        return StayRestarts(
            f"SELECT person_id, from_ts - INTERVAL {int(moved_back_minutes)} MINUTE "
            f"- INTERVAL {int(dedup_seconds)} SECOND AS from_ts FROM {self.table}"
        )
