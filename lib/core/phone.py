"""A phone number in its one international form, and a NIK as the store keeps it.

RULES "Import" (identity without ``person_id``): ``0812-3456-7890``, ``+62 812 3456 7890``,
``(0812) 3456.7890``, ``+62 (0)812 3456 7890``, ``6281234567890`` and ``812 3456 7890`` (a spreadsheet drops the
leading zero of a number) are one person, ``6281234567890``: the digits of the E.164 form
without its '+'. The guest-book import, the front desk and a case broadcast use this one
function, so one visitor never becomes two persons by the way a phone was written.

``INTERNATIONAL_PHONE_SQL`` is the same rule in DuckDB SQL for the import (one statement
over millions of rows, no Python per row); ``tests/test_guest_book_import.py`` checks the
two agree on generated input.
"""

from __future__ import annotations

import re

INDONESIA = "62"
# E.164: at most 15 digits with the country code. An Indonesian number has 8 to 12 digits
# after 62 (fixed lines with their area code, mobiles 08xx without the 0).
MAX_DIGITS = 15
MIN_DIGITS = 8
INDONESIAN_NATIONAL_DIGITS = (8, 12)
# What people write between the digits: spaces, dashes, dots, brackets, slashes.
_SEPARATORS = re.compile(r"[ \t\n\r\f\v\-.()/]+")  # ASCII only, as the SQL below
NIK_DIGITS = 16


def international_phone(text: object) -> str | None:
    """The phone's digits in international form (``6281234567890``), or None when the text
    is no phone number.

    A leading ``+`` or ``00`` is followed by the country code; a leading ``0`` is an
    Indonesian national number (``0`` becomes ``62``); a number starting ``8`` is an
    Indonesian mobile whose zero a spreadsheet dropped; ``62...`` is already international.
    """
    if text is None:
        return None
    raw = _SEPARATORS.sub("", str(text))
    if raw.startswith("+"):
        digits = raw[1:]
        if not digits.isascii() or not digits.isdigit() or digits.startswith("0"):
            return None
    else:
        if not raw.isascii() or not raw.isdigit():
            return None
        if raw.startswith("00"):
            digits = raw[2:]
        elif raw.startswith("0"):
            digits = INDONESIA + raw[1:]
        elif raw.startswith("8"):
            digits = INDONESIA + raw
        else:
            digits = raw
    if digits.startswith(INDONESIA + "0"):  # "+62 (0)812 ...": the national zero written too
        digits = INDONESIA + digits[len(INDONESIA) + 1 :]
    if digits.startswith("0"):
        return None
    if digits.startswith(INDONESIA):
        national = len(digits) - len(INDONESIA)
        low, high = INDONESIAN_NATIONAL_DIGITS
        return digits if low <= national <= high else None
    return digits if MIN_DIGITS <= len(digits) <= MAX_DIGITS else None


def nik(text: object) -> str | None:
    """A NIK (Indonesia's 16-digit population number) as its digits; None when the text is not
    one. Spaces, dots and dashes people group it with are dropped."""
    if text is None:
        return None
    raw = _SEPARATORS.sub("", str(text))
    return raw if len(raw) == NIK_DIGITS and raw.isascii() and raw.isdigit() else None


def _sql_digits(text: str) -> str:
    return f"regexp_replace({text}, '[ \\t\\n\\r\\f\\v\\-.()/]+', '', 'g')"


def international_phone_sql(text: str) -> str:
    """``international_phone`` of the SQL text expression ``text``, in DuckDB SQL (NULL when none)."""
    raw = _sql_digits(text)
    # The digits after the prefix, as international_phone takes them; NULL for anything else.
    d = (
        f"(CASE WHEN regexp_full_match({raw}, '\\+[1-9][0-9]*') THEN substr({raw}, 2) "
        f"WHEN NOT regexp_full_match({raw}, '[0-9]+') THEN NULL "
        f"WHEN starts_with({raw}, '00') THEN substr({raw}, 3) "
        f"WHEN starts_with({raw}, '0') THEN '{INDONESIA}' || substr({raw}, 2) "
        f"WHEN starts_with({raw}, '8') THEN '{INDONESIA}' || {raw} "
        f"ELSE {raw} END)"
    )
    d = f"(CASE WHEN starts_with({d}, '{INDONESIA}0') THEN '{INDONESIA}' || substr({d}, {len(INDONESIA) + 2}) ELSE {d} END)"
    low, high = INDONESIAN_NATIONAL_DIGITS
    return (
        f"CASE WHEN {d} IS NULL OR starts_with({d}, '0') THEN NULL "
        f"WHEN starts_with({d}, '{INDONESIA}') THEN CASE WHEN length({d}) - {len(INDONESIA)} BETWEEN {low} AND {high} THEN {d} END "
        f"WHEN length({d}) BETWEEN {MIN_DIGITS} AND {MAX_DIGITS} THEN {d} END"
    )


def nik_sql(text: str) -> str:
    """``nik`` of the SQL text expression ``text``, in DuckDB SQL (NULL when none)."""
    raw = _sql_digits(text)
    return f"CASE WHEN regexp_full_match({raw}, '[0-9]{{{NIK_DIGITS}}}') THEN {raw} END"
