"""One way of writing numbers: Indonesian '1.234,5', English '1,234.5', in text and tables."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lib.core import numformat


@pytest.mark.parametrize(
    ("value", "decimals", "lang", "expected"),
    [
        (15, 0, "id", "15"),
        (15.0, 0, "id", "15"),
        (924.5, 1, "id", "924,5"),
        (1234, 0, "id", "1.234"),
        (1234.5, 1, "id", "1.234,5"),
        (1234567.25, 2, "id", "1.234.567,25"),
        (1234.5, 1, "en", "1,234.5"),
        (1234567, 0, "en", "1,234,567"),
        (-1234.5, 1, "id", "-1.234,5"),
        (-0.04, 1, "id", "0,0"),
        (0.5, 0, "en", "0"),  # an exact half rounds to even, as Python writes it
        (None, 0, "id", "–"),
        (float("nan"), 1, "en", "–"),
        (pd.NA, 0, "id", "–"),
    ],
)
def test_format_number(value: object, decimals: int, lang: str, expected: str) -> None:
    assert numformat.format_number(value, decimals, lang) == expected


def test_percent_and_unknown_language() -> None:
    assert numformat.format_percent(0.825, 1, "id") == "82,5 %"
    assert numformat.format_percent(0.825, 1, "en") == "82.5 %"
    assert numformat.format_percent(None) == "–"
    assert numformat.format_number(1234.5, 1, "fr") == "1.234,5"  # Indonesian, the default


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False), st.integers(min_value=0, max_value=3))
def test_both_languages_write_the_same_digits(value: float, decimals: int) -> None:
    indonesian = numformat.format_number(value, decimals, "id")
    english = numformat.format_number(value, decimals, "en")
    swapped = english.replace(",", "\0").replace(".", ",").replace("\0", ".")
    assert indonesian == swapped
    # Read back, the English text is the value rounded to the places shown.
    assert math.isclose(float(english.replace(",", "")), round(value, decimals), abs_tol=10 ** -decimals)
    if decimals:
        assert indonesian.rsplit(",", 1)[1].isdigit() and len(indonesian.rsplit(",", 1)[1]) == decimals


def test_input_format_shows_the_places_of_the_figure() -> None:
    assert numformat.input_format() == "%g"
    assert numformat.input_format(1) == "%.1f" and numformat.input_format(0) == "%.0f"


def test_tables_keep_numbers_and_write_them_like_the_text() -> None:
    frame = pd.DataFrame({"Gedung": ["A", "B"], "Menit": [924.5, 1234.0], "Puncak": [1234, 15]})
    styled = numformat.style_numbers(frame, {"Menit": 1, "Puncak": 0, "missing column": 2}, "id")
    body = styled._translate(True, True)["body"]  # the cells as Streamlit reads them
    shown = [[cell["display_value"] for cell in row[1:]] for row in body]
    assert shown == [["A", "924,5", "1.234"], ["B", "1.234,0", "15"]]
    assert styled.data["Menit"].dtype.kind == "f" and styled.data["Puncak"].dtype.kind == "i"
    english = numformat.style_numbers(frame, {"Menit": 1, "Puncak": 0}, "en")._translate(True, True)["body"]
    assert [row[2]["display_value"] for row in english] == ["924.5", "1,234.0"]
