"""clean_text: the one cleaning of free text where it enters (RULES "Personal data")."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lib.core.text import clean_text, url_quote


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


def test_names_typed_by_an_administrator_lose_control_characters_too(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Settings and the command line (building, gate and room names, account names, a
    contact's note) go through the same lib functions: a terminal escape typed or pasted
    there is not stored either (it broke every XLSX export of the building's name)."""
    from lib.ingest import areas, buildings
    from lib.store import db, places, users

    con = db.connect(tmp_path / "p.duckdb")
    dirty = "Kantor \x1b[31mWalikota\x07 \u202eBitung"
    buildings.save_building(con, buildings.BuildingForm(building_id="kw", name=dirty, timezone=db.DEFAULT_TIMEZONE,
                                                        capacity=50, threshold_mode="none"), "kabag")
    places.save_gate(con, "kw", "g1", "Pintu\x1b Utama", "kabag")
    areas.create_area(con, "kw", "Ruang\x00 Rapat", actor="kabag")
    assert con.execute("SELECT name FROM buildings").fetchall() == [("Kantor [31mWalikota Bitung",)]
    assert con.execute("SELECT name FROM gates").fetchall() == [("Pintu Utama",)]
    assert con.execute("SELECT area_id FROM areas").fetchall() == [("Ruang Rapat",)]
    buildings.set_building_name(con, "kw", "Baru\x1b", "kabag")
    assert con.execute("SELECT name FROM buildings").fetchall() == [("Baru",)]
    users.add_user(tmp_path / "users.yaml", "rina", "Rina\x1b[31m", ["admin"])
    assert users.load_users(tmp_path / "users.yaml")["rina"]["name"] == "Rina[31m"
    con.close()


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(st.text(), st.text(alphabet=st.characters(max_codepoint=127))))
def test_url_quote_is_urllibs_percent_encoding(text: str) -> None:
    """The wa.me links' fast percent-encoding (issue 27) gives exactly ``quote(text, safe="")``,
    ASCII (the fast path: a message with a plain name) or not (an accented name, emoji)."""
    assert url_quote(text) == quote(text, safe="")
