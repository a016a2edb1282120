"""How numbers, months and days are written for people, in one place: metrics, tables,
number boxes, chart axes, exports.

The words and marks come from the Unicode CLDR data through Babel: Indonesian writes
``1.234`` and ``924,5`` (dot for thousands, comma for decimals) and ``Agu``/``Senin``;
English ``1,234``, ``924.5``, ``Aug``/``Monday``. Every page shows a figure through these
functions, so a number reads the same in a metric, a table cell and a number box.

- ``format_number``: the text of one value (metrics, captions, tables of text).
- ``style_numbers``: a pandas ``Styler`` that writes chosen numeric columns of a table
  this way while the cells stay numbers (they still sort as numbers and align right).
  Streamlit's own ``NumberColumn(format="localized")`` follows the *browser's* locale,
  not the app's language, and its printf formats always write a decimal point, so the
  table formatting is done here.
- ``input_format``: the printf format for ``st.number_input`` (its box is an HTML number
  field: it shows no thousands separator, and its decimal mark is the browser's), so
  the box shows as many decimals as the same figure elsewhere (``15``, not ``15.00``).
- ``month_name``, ``weekday_name``: 1 = January, 0 = Monday (ISO), wide or short.

No Streamlit here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache

import pandas as pd
from babel import Locale
from babel.dates import get_day_names, get_month_names
from babel.numbers import format_decimal
from pandas.io.formats.style import Styler

from lib.core.i18n import DEFAULT_LANGUAGE, LANGUAGES

MISSING = "–"


@lru_cache(maxsize=4)
def _locale(lang: str | None) -> Locale:
    """The CLDR locale of a Pantau language (Indonesian for anything unknown)."""
    return Locale.parse(lang if lang in LANGUAGES else DEFAULT_LANGUAGE)


def separators(lang: str | None) -> tuple[str, str]:
    """(thousands separator, decimal mark) of ``lang`` (Indonesian for anything unknown)."""
    symbols = _locale(lang).number_symbols["latn"]
    return symbols["group"], symbols["decimal"]


def month_name(month: int, lang: str | None = None, short: bool = True) -> str:
    """1 = January: 'Agu' / 'Agustus' in Indonesian, 'Aug' / 'August' in English."""
    return str(get_month_names("abbreviated" if short else "wide", locale=_locale(lang))[month])


def weekday_name(weekday: int, lang: str | None = None, short: bool = False) -> str:
    """0 = Monday (ISO): 'Senin' / 'Sen', 'Monday' / 'Mon'."""
    return str(get_day_names("abbreviated" if short else "wide", locale=_locale(lang))[weekday])


def _missing(value: object) -> bool:
    """None, NaN, pd.NA or NaT (a scalar pandas reads as missing)."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def format_number(value: object, decimals: int = 0, lang: str | None = None) -> str:
    """``1234.5`` -> '1.234,5' (id) / '1,234.5' (en) with ``decimals`` places; '–' if missing.

    Rounded to ``decimals`` places as Python's ``format`` rounds (an exact half to even);
    a value that rounds to zero is written without a minus sign.
    """
    if _missing(value):
        return MISSING
    number = float(value)  # type: ignore[arg-type]
    if math.isinf(number):
        return "∞" if number > 0 else "-∞"
    places = max(0, decimals)
    pattern = "#,##0" + ("." + "0" * places if places else "")
    # Decimal(number) is the float's exact value: rounded half to even as Python's format
    # rounds it (2.675 is 2.67499... and gives 2.67), not as its shortest text would.
    text = format_decimal(Decimal(number), format=pattern, locale=_locale(lang), decimal_quantization=True)
    thousands, decimal = separators(lang)
    if text.lstrip("-").replace(thousands, "").replace(decimal, "").strip("0") == "":
        text = text.lstrip("-")
    return text


def format_percent(share: object, decimals: int = 0, lang: str | None = None) -> str:
    """A share 0..1 as '82 %' ('82,5 %' in Indonesian with one decimal); '–' if missing."""
    if _missing(share):
        return MISSING
    return f"{format_number(float(share) * 100, decimals, lang)} %"  # type: ignore[arg-type]


def input_format(decimals: int | None = None) -> str:
    """printf format for a ``st.number_input`` holding a float.

    None: '%g', as many decimals as the value has ('15', '7.5'; Streamlit's default shows
    '15.00'); a number: that many places ('%.1f'). A box holding an int shows '15' already.
    """
    return "%g" if decimals is None else f"%.{max(0, decimals)}f"


def style_numbers(frame: pd.DataFrame, decimals: Mapping[str, int], lang: str | None = None) -> Styler:
    """``frame`` as a Styler whose columns in ``decimals`` (name -> places) are written as
    ``format_number`` writes them; a missing value shows '–'. Other columns are untouched.
    """
    styler = frame.style
    for column, places in decimals.items():
        if column in frame.columns:
            styler = styler.format(
                lambda v, places=places: format_number(v, places, lang), subset=[column], na_rep=MISSING
            )
    return styler
