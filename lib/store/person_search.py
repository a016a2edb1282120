"""The person search's index (issue 27): the search text of every person, kept by DuckDB.

The tracer's person search (:func:`lib.analytics.tracing.find_persons`) matches a text
anywhere in a person's name (case- and accent-insensitive), id or phone, and a phone also
on its digits alone with a leading 62 read as 0 (RULES "Contact tracing"). Computing those
keys (``strip_accents``, ``lower``, two ``regexp_replace``) for every person on every search
cost ~0.34 s at 110 000 persons and 1.76 s at 1.1 M. Table ``person_search`` holds them,
one row per person of ``persons``, so a search reads prepared keys only.

RULES "Personal data": the keys are the same personal data as ``persons`` and must follow
it on every write: :func:`refresh_values` after each upsert of persons
(``lib.ingest.rows.update_persons``: imports, check-in and desk taps, roster imports), and
:func:`rebuild` after a retention purge (``lib.store.retention``: persons deleted, names and
phones cleared) and after a restore (``lib.store.backup.restore``: a backup from before
the index holds none).
"""

from __future__ import annotations

import duckdb


# The search keys of the persons of ``persons``; the migration that made the table holds the
# same expressions (lib/store/db.py, "the person search's index"). ``text_key``: the name
# (lowered, accents stripped), the id (the same) and the phone (lowered), ``digit_key``: the
# phone's digits, and when they begin with 62 also the same with 0 for 62. The parts are
# joined by NUL, which no stored cell holds (``lib.core.text.clean_text`` drops controls), so
# a text without NUL is inside the key exactly when it is inside one of the parts. A digit
# string X is in ``digit_key`` exactly when X is in the digits or X is in the 62-as-0 form
# and X starts as the query's forms do (``find_persons``: 62... or anything else): a piece
# of "0"+d[2:] past its first character is a piece of d.
def _keys_sql(source: str = "persons") -> str:
    """The keys of the persons of ``source`` (``person_id, name, phone``)."""
    return f"""
        SELECT person_id,
               strip_accents(lower(coalesce(name, ''))) || chr(0) || strip_accents(lower(person_id)) || chr(0)
                   || lower(coalesce(phone, '')) AS text_key,
               CASE WHEN starts_with(digits, '62') THEN digits || chr(0) || '0' || digits[3:] ELSE digits END
                   AS digit_key
        FROM (SELECT person_id, name, phone, regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g') AS digits
              FROM {source})
    """


_KEYS = _keys_sql()


def refresh_values(con: duckdb.DuckDBPyConnection, values: str) -> None:
    """Store the keys of persons just written, without reading ``persons`` again (a day's
    import at 50 M visits spent ~0.2 s scanning it for its persons; issue 27): ``values`` is
    a relation of ``person_id, name, phone`` holding exactly what ``persons`` now holds for
    them (the persons new to it, and those whose name or phone changed)."""
    con.execute(f"INSERT OR REPLACE INTO person_search {_keys_sql(values)}")


def rebuild(con: duckdb.DuckDBPyConnection) -> None:
    """Recompute every person's keys (and drop those of persons no longer stored)."""
    con.execute("DELETE FROM person_search")
    con.execute(f"INSERT INTO person_search {_KEYS}")
