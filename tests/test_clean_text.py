"""clean_text: the one cleaning of free text where it enters (RULES "Personal data")."""

from __future__ import annotations

import pytest

from lib.core.text import clean_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Siti\x1b[31m Rahma", "Siti[31m Rahma"),  # ESC (terminal colour) removed
        ("Budi\x07\x00\x7f", "Budi"),  # BEL, NUL, DEL
        ("A\x85B\x9bC", "A BC"),  # C1: NEL is a line break (a space), CSI removed
        ("\u202eilduB\u202c", "ilduB"),  # right-to-left override and pop
        ("\u2066Ani\u2069 \u200fW", "Ani W"),  # isolates, right-to-left mark
        ("Zero\u200bWidth\ufeff", "ZeroWidth"),
        ("  Siti \t\n  Rahma\r\n ", "Siti Rahma"),  # whitespace folded, not glued
        ("Ni\u00a0Luh", "Ni Luh"),  # no-break space is a space
        ("Jose\u0301", "Jos\u00e9"),  # NFC: one spelling of an accent
        ("Siti Rahmawati, S.Kom", "Siti Rahmawati, S.Kom"),  # punctuation kept
    ],
)
def test_clean_text_removes_controls_and_folds_whitespace(raw: str, expected: str) -> None:
    assert clean_text(raw, 120) == expected


def test_clean_text_caps_length_without_trailing_space() -> None:
    assert clean_text("x" * 500, 120) == "x" * 120
    assert clean_text("abcd efgh", 5) == "abcd"


def test_clean_text_of_none_and_non_strings() -> None:
    assert clean_text(None, 10) == ""
    assert clean_text(19800101, 20) == "19800101"
    assert clean_text("\x00\x1b\u202e", 10) == ""


def test_every_invisible_format_character_goes() -> None:
    """Soft hyphen, zero-width joiner and Unicode tag characters were kept: "Siti" and
    "Si\u00adti" were two people on the roll-call."""
    for hidden in ("\u00ad", "\u200d", "\u200c", "\U000e0041", "\u2062"):
        assert clean_text(f"Si{hidden}ti", 50) == "Siti"
