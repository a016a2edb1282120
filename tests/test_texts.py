"""Every text a person reads exists in both languages with the same blanks to fill.

A key with only one language falls back to Indonesian on an English screen; a blank named in
one language and not the other leaves a ``{name}`` on the screen or drops a figure. Both are
found here instead of by a user.
"""

from __future__ import annotations

import string

import pytest

from lib.core import i18n
from lib.core.numformat import format_number, month_name, weekday_name

TEXTS = i18n.all_texts()


def _blanks(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_text_has_both_languages() -> None:
    missing = [key for key, entry in TEXTS.items() if set(entry) != set(i18n.LANGUAGES) or not all(entry.values())]
    assert missing == []


def test_both_languages_of_a_text_fill_the_same_blanks() -> None:
    differ = {
        key: (sorted(_blanks(entry["id"])), sorted(_blanks(entry["en"])))
        for key, entry in TEXTS.items()
        if _blanks(entry.get("id", "")) != _blanks(entry.get("en", ""))
    }
    assert differ == {}


@pytest.mark.parametrize(("count", "expected"), [(1, "1 scan"), (2, "2 scans"), (0, "0 scans")])
def test_english_counts_agree_with_their_number(count: int, expected: str) -> None:
    text = i18n._FORMATTER.format("{n} {n:one|scan|scans}", n=count)
    assert text == expected


def test_no_english_text_says_one_of_a_plural() -> None:
    """'1 persons', '1 visits': every English count of a noun says it through the plural form."""
    numbers: dict[str, object] = {name: 1 for key in TEXTS for name in _blanks(TEXTS[key]["en"])}
    numbers["grade"] = "K2"  # a grade is a word ("K2 contacts"), not a count
    wrong = []
    for key in TEXTS:
        try:
            said = i18n.t(key, "en", **numbers)
        except (ValueError, KeyError, IndexError):
            continue  # a blank that takes no number (a grade, a name)
        for noun in ("persons", "people", "visits", "scans", "contacts", "visitors", "buildings", "files", "days",
                     "minutes", "hours", "rows", "records", "units"):
            if f" 1 {noun}" in f" {said}":
                wrong.append((key, said))
    assert wrong == []


def test_month_and_day_names_come_from_the_locale_data() -> None:
    assert [month_name(m, "id", short=True) for m in (5, 8, 12)] == ["Mei", "Agu", "Des"]
    assert month_name(8, "en", short=False) == "August"
    assert [weekday_name(d, "id") for d in (0, 4, 6)] == ["Senin", "Jumat", "Minggu"]
    assert weekday_name(0, "en", short=True) == "Mon"


@pytest.mark.parametrize(
    ("value", "decimals", "lang", "expected"),
    [(1234.5, 1, "id", "1.234,5"), (1234.5, 1, "en", "1,234.5"), (2.675, 2, "en", "2.67"), (-0.04, 1, "id", "0,0"),
     (1_000_000, 0, "id", "1.000.000")],
)
def test_numbers_are_written_as_each_language_writes_them(value: float, decimals: int, lang: str, expected: str) -> None:
    assert format_number(value, decimals, lang) == expected


@pytest.mark.parametrize(("lang", "said"), [("id", "file cadangan tidak ditemukan"), ("en", "backup file not found")])
def test_a_refusal_from_the_store_is_said_in_the_run_s_language(tmp_path, lang: str, said: str) -> None:  # type: ignore[no-untyped-def]
    """Backups refused in English only before; every lib refusal is a PantauError with a text
    key, said by the command line in the run's language, on one line, exit 2."""
    import io

    from lib.cli.commands import run

    out, err = io.StringIO(), io.StringIO()
    code = run(["--db", str(tmp_path / "p.duckdb"), "--lang", lang, "restore", str(tmp_path / "nope.duckdb")], out, err)
    assert code == 2
    assert err.getvalue().startswith(f"error: {said}") and err.getvalue().count("\n") == 1


def test_every_refusal_family_has_its_texts() -> None:
    """Each PantauError subclass's texts exist: its prefix names at least one key."""
    import importlib
    import pkgutil

    import lib
    from lib.core.errors import PantauError

    for module in pkgutil.walk_packages(lib.__path__, "lib."):
        if module.name.startswith(("lib.ui", "lib.web")) or module.name.endswith("__main__"):
            continue  # Streamlit and the server: their refusals are lib's
        importlib.import_module(module.name)

    def subclasses(cls: type) -> list[type]:
        return [c for sub in cls.__subclasses__() for c in (sub, *subclasses(sub))]

    for cls in subclasses(PantauError):
        prefix = cls.TEXT_PREFIX
        if prefix:
            assert any(key.startswith(prefix) for key in TEXTS), cls
