"""QR posters: printed to PNG, decoded with a real QR reader, the address verified."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import date
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import duckdb
import pytest
from PIL import Image

from lib.outputs import checkin, posters
from lib.store import places
from tests.support.pdf import decode, pdf_pages_to_png, pdf_text

ROOT = Path(__file__).resolve().parents[1]
NAME = "Kantor Wali Kota Bitung – Gedung Café Señor (Lantai 2)"


@pytest.fixture(autouse=True)
def signing_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PANTAU_QR_SIGNING_KEY", "test-key-for-posters")


@pytest.fixture
def store(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    con.execute(
        "INSERT INTO buildings (building_id, name, capacity, threshold_people) VALUES "
        "('kantor', ?, 1200, 150), ('dinkes', 'Dinas Kesehatan', 80, NULL)",
        [NAME],
    )
    con.execute(
        "INSERT INTO gates VALUES ('kantor', 'utama', 'Pintu Utama – Lobi'), ('kantor', 'samping', NULL)"
    )
    places.set_public_base_url(con, "https://pantau.bitungkota.go.id", "kabag")
    return con


def test_pdf_poster_scans_to_the_signed_address(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    pdf = posters.poster_pdf(store, "kantor", "utama", "checkin", printed_on=date(2022, 1, 3))
    assert pdf.startswith(b"%PDF")
    pages = pdf_pages_to_png(pdf, tmp_path)
    assert len(pages) == 1
    with Image.open(pages[0]) as image:  # A4 at 150 dpi, portrait
        assert abs(image.width - 1240) <= 2 and abs(image.height - 1754) <= 2
    decoded = decode(pages[0])
    expected = checkin.checkin_url(store, "kantor", "utama", "checkin")
    assert decoded == [expected]
    assert decoded[0].startswith("https://pantau.bitungkota.go.id/checkin?")
    params = dict(parse_qsl(urlsplit(decoded[0]).query))
    verified = checkin.verify_checkin_params(store, params)
    assert isinstance(verified, checkin.CheckinTarget)
    assert (verified.building, verified.gate, verified.action) == ("kantor", "utama", "checkin")

    text = pdf_text(pdf, tmp_path)
    for words in ("MASUK", "CHECK-IN", "Pintu Utama – Lobi", "Café Señor", "1.200", "150", "03/01/2022"):
        assert words in text, words
    assert "KELUAR" not in text


def test_tampered_decoded_addresses_are_refused(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    pages = pdf_pages_to_png(posters.poster_pdf(store, "kantor", "samping", "checkout"), tmp_path)
    [address] = decode(pages[0])
    params = dict(parse_qsl(urlsplit(address).query))
    assert params["a"] == "checkout" and params["g"] == "samping"
    assert isinstance(checkin.verify_checkin_params(store, params), checkin.CheckinTarget)
    assert checkin.verify_checkin_params(store, {**params, "a": "checkin"}) == checkin.REFUSED_SIGNATURE
    assert checkin.verify_checkin_params(store, {**params, "b": "gudang"}) == checkin.REFUSED_SIGNATURE
    assert checkin.verify_checkin_params(store, {**params, "b": "dinkes"}) == checkin.REFUSED_SIGNATURE
    assert (
        checkin.verify_checkin_params(store, {**params, "s": "x" + params["s"][1:]})
        == checkin.REFUSED_SIGNATURE
    )
    forged = {"b": "gudang", "a": "checkout", "s": checkin.sign("gudang", "", "checkout")}
    assert checkin.verify_checkin_params(store, forged) == checkin.REFUSED_BUILDING


def test_png_poster_is_a4_at_300_dpi_and_scans(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    png = posters.poster_png(store, "kantor", "utama", "checkout")
    with Image.open(io.BytesIO(png)) as image:
        assert image.size == (2480, 3508)
        assert round(image.info["dpi"][0]) == 300
        top = image.convert("RGB").getpixel((50, 50))
    assert top == posters.ACTION_COLORS["checkout"]  # red-orange band
    path = tmp_path / "poster.png"
    path.write_bytes(png)
    assert decode(path) == [checkin.checkin_url(store, "kantor", "utama", "checkout")]
    # The printed code is at least 14 cm wide: readable from two metres.
    assert posters.QR_WIDTH_MM >= 140


def test_checkin_and_checkout_posters_look_different(store: duckdb.DuckDBPyConnection) -> None:
    colours = {}
    for action in ("checkin", "checkout"):
        with Image.open(io.BytesIO(posters.poster_png(store, "dinkes", None, action, dpi=60))) as image:
            colours[action] = image.convert("RGB").getpixel((image.width // 2, 5))
    assert colours["checkin"] == posters.ACTION_COLORS["checkin"]
    assert colours["checkout"] == posters.ACTION_COLORS["checkout"]
    green, orange = colours["checkin"], colours["checkout"]
    assert green[1] > green[0] and orange[0] > orange[1]


def test_building_posters_in_one_pdf(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    pdf = posters.building_posters_pdf(store, "kantor")
    pages = pdf_pages_to_png(pdf, tmp_path, dpi=100)
    assert len(pages) == 4  # two gates x check-in, check-out
    found = sorted(address for page in pages for address in decode(page))
    expected = sorted(
        checkin.checkin_url(store, "kantor", gate, action)
        for gate in ("samping", "utama")
        for action in ("checkin", "checkout")
    )
    assert found == expected
    # A building without gates: one poster per action, no gate in the address.
    pages = pdf_pages_to_png(posters.building_posters_pdf(store, "dinkes"), tmp_path, dpi=100)
    assert len(pages) == 2
    addresses = [address for page in pages for address in decode(page)]
    assert addresses == [checkin.checkin_url(store, "dinkes", None, a) for a in ("checkin", "checkout")]
    assert all("&g=" not in a for a in addresses)


def test_what_is_not_set_is_left_off_the_poster(store: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """Issue 26: a room without a capacity printed "Kapasitas ruang: -"; a poster says what
    is set, in words, and leaves out the rest (a visitor can do nothing with a dash)."""
    store.execute(
        "INSERT INTO areas (building, area_key, area_id, name, capacity) VALUES "
        "('kantor', 'aula', 'Aula', 'Aula', NULL), ('kantor', 'ruang rapat', 'Ruang Rapat', 'Ruang Rapat', 12)"
    )
    unset = " ".join(pdf_text(posters.poster_pdf(store, "kantor", None, "checkin", area="Aula"), tmp_path).split())
    assert "Kapasitas" not in unset and "capacity" not in unset.lower()
    assert ": -" not in unset and "Aula" in unset and "MASUK" in unset
    set_room = " ".join(pdf_text(posters.poster_pdf(store, "kantor", None, "checkin", area="Ruang Rapat"),
                                 tmp_path).split())
    assert "Kapasitas ruang 12 orang" in set_room and "Room capacity 12 people" in set_room
    # A door poster of a building with a capacity but no crowd threshold.
    door = " ".join(pdf_text(posters.poster_pdf(store, "dinkes", None, "checkin"), tmp_path).split())
    assert "Kapasitas 80 orang" in door and "Capacity 80 people" in door
    assert "Ambang" not in door and ": -" not in door
    both = " ".join(pdf_text(posters.poster_pdf(store, "kantor", "utama", "checkin"), tmp_path).split())
    assert "Kapasitas 1.200 orang · Ambang kerumunan 150 orang" in both


def test_text_outside_latin1_renders_and_long_names_fit(
    store: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    long_name = "Badan Pengelolaan Keuangan, Pendapatan dan Aset Daerah – Kota Bitung — Ruang Rapat “Ñusantara” Lt. 3 ✓"
    store.execute("UPDATE buildings SET name = ? WHERE building_id = 'dinkes'", [long_name])
    store.execute(
        "INSERT INTO gates VALUES ('dinkes', 'timur', 'Gerbang Timur – Jalan Sam Ratulangi No. 12, Kelurahan Tondo')"
    )
    pdf = posters.poster_pdf(store, "dinkes", "timur", "checkin")
    text = pdf_text(pdf, tmp_path)
    assert "Badan Pengelolaan" in text and "“Ñusantara”" in text
    content = posters.poster_content(store, "dinkes", "timur", "checkin")

    class Measure:
        """A canvas that only measures, to check the layout stays above the footer."""

        def __init__(self) -> None:
            self.pdf = posters._new_pdf("measure")
            self.pdf.add_page()
            self.inner = posters._PdfCanvas(self.pdf)
            self.texts: list[tuple[float, float, float]] = []

        def fill(self, *args: object) -> None: ...

        def frame(self, *args: object) -> None: ...

        def text(
            self, x: float, baseline: float, text: str, size_pt: float, bold: bool, color: object
        ) -> None:
            self.texts.append((x, x + self.width(text, size_pt, bold), baseline))

        def width(self, text: str, size_pt: float, bold: bool) -> float:
            return self.inner.width(text, size_pt, bold)

    canvas = Measure()
    lowest = posters._draw(canvas, content)  # type: ignore[arg-type]
    assert lowest < posters.PAGE_H_MM - 12
    assert all(0 <= left and right <= posters.PAGE_W_MM for left, right, _ in canvas.texts)
    path = tmp_path / "long.png"
    path.write_bytes(posters.poster_png(store, "dinkes", "timur", "checkin"))
    assert decode(path) == [content.url]


def test_unknown_building_gate_or_action_is_refused(store: duckdb.DuckDBPyConnection) -> None:
    with pytest.raises(ValueError):
        posters.poster_pdf(store, "gudang", None, "checkin")
    with pytest.raises(ValueError):
        posters.poster_pdf(store, "kantor", "belakang", "checkin")
    with pytest.raises(ValueError):
        posters.poster_png(store, "kantor", "utama", "masuk")
    assert posters.poster_filename("kantor", "utama", "checkout", "pdf") == "poster-kantor-utama-keluar.pdf"


def run_cli(db_path: Path, *args: str, env_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PANTAU_QR_SIGNING_KEY": "test-key-for-posters",
        "PANTAU_SECRETS_FILE": str(env_dir / "s.json"),
    }
    return subprocess.run(
        [sys.executable, "-m", "lib.cli", "--db", str(db_path), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )


def test_cli_poster_writes_pdf_and_png(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from lib.cli import main
    from lib.store import db

    db_path = tmp_path / "cli.duckdb"
    con = db.connect(db_path)
    con.execute(
        "INSERT INTO buildings (building_id, name, capacity, threshold_people) VALUES ('kantor', ?, 300, 200)",
        [NAME],
    )
    con.execute("INSERT INTO gates VALUES ('kantor', 'utama', 'Utama')")
    con.close()

    # The real command line once, in its own process.
    done = run_cli(
        db_path,
        "poster",
        "--building",
        "kantor",
        "--gate",
        "utama",
        "--action",
        "checkin",
        "--out",
        str(tmp_path / "a.pdf"),
        env_dir=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    pages = pdf_pages_to_png((tmp_path / "a.pdf").read_bytes(), tmp_path)
    [address] = decode(pages[0])
    assert "b=kantor&g=utama&a=checkin&s=" in address

    def cli(*args: str) -> tuple[int, str]:
        code = main(["--db", str(db_path), "poster", *args])
        return code, capsys.readouterr().err

    code, err = cli("--building", "kantor", "--action", "checkout", "--out", str(tmp_path / "b.png"))
    assert code == 0, err
    [address] = decode(tmp_path / "b.png")
    assert address.startswith("http://localhost:8501/checkin?b=kantor&a=checkout&s=")

    code, err = cli("--building", "kantor", "--all", "--out", str(tmp_path / "all.pdf"))
    assert code == 0, err
    assert len(pdf_pages_to_png((tmp_path / "all.pdf").read_bytes(), tmp_path, dpi=60)) == 2

    for bad in (
        ["--building", "gudang", "--action", "checkin", "--out", str(tmp_path / "x.pdf")],
        ["--building", "kantor", "--gate", "x", "--action", "checkin", "--out", str(tmp_path / "x.pdf")],
        ["--building", "kantor", "--action", "checkin", "--out", str(tmp_path / "x.txt")],
        ["--building", "kantor", "--out", str(tmp_path / "x.pdf")],
        ["--building", "kantor", "--all", "--out", str(tmp_path / "x.png")],
        ["--building", "kantor", "--action", "checkin"],
    ):
        code, err = cli(*bad)
        assert code == 2 and err.startswith("error: ") and "Traceback" not in err, (bad, err)
        assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "x.pdf").exists() and not (tmp_path / "x.png").exists()


def test_admin_page_previews_and_offers_downloads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.testing.v1 import AppTest

    from lib.store import db

    db_path = tmp_path / "page.duckdb"
    monkeypatch.setenv("PANTAU_DB", str(db_path))
    con = db.connect(db_path)
    con.execute("INSERT INTO buildings (building_id, name, capacity) VALUES ('kantor', ?, 300)", [NAME])
    con.execute("INSERT INTO gates VALUES ('kantor', 'utama', 'Utama'), ('kantor', 'samping', 'Samping')")
    con.close()

    def page(roles: list[str]) -> AppTest:
        at = AppTest.from_file(str(ROOT / "pages" / "posters.py"), default_timeout=60)
        at.session_state["authentication_status"] = True
        at.session_state["username"] = "tester"
        at.session_state["roles"] = roles
        return at

    refused = page(["leadership"]).run()
    assert refused.error and not refused.get("download_button")

    at = page(["admin"]).run()
    assert not at.exception
    assert at.selectbox(key="posters_building").value == "kantor"
    assert at.selectbox(key="posters_gate").value == "samping"
    at.radio(key="posters_action").set_value("checkout").run()
    assert not at.exception
    assert "b=kantor&g=samping&a=checkout&s=" in at.code[0].value
    assert len(at.get("download_button")) == 3
    assert len(at.get("image")) == 1


def test_admin_page_warns_until_the_public_address_is_usable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.testing.v1 import AppTest

    from lib.store import db

    db_path = tmp_path / "page.duckdb"
    monkeypatch.setenv("PANTAU_DB", str(db_path))
    con = db.connect(db_path)
    con.execute("INSERT INTO buildings (building_id, name, capacity) VALUES ('kantor', ?, 300)", [NAME])
    con.close()

    def page() -> AppTest:
        at = AppTest.from_file(str(ROOT / "pages" / "posters.py"), default_timeout=60)
        at.session_state["authentication_status"] = True
        at.session_state["username"] = "tester"
        at.session_state["roles"] = ["admin"]
        at.session_state["pantau_lang"] = "en"
        return at.run()

    # Nothing set and no browser address (a test run): the QR would hold localhost.
    at = page()
    assert not at.exception
    [warning] = at.error
    assert "phones will probably not open this QR code" in warning.value
    assert "http://localhost:8501" in warning.value
    assert at.code[0].value.startswith("http://localhost:8501/checkin?b=kantor&a=checkin&s=")
    buttons = at.get("download_button")
    assert len(buttons) == 3 and all(b.proto.disabled for b in buttons)
    at.checkbox(key="posters_confirm_address").check().run()
    assert not any(b.proto.disabled for b in at.get("download_button"))

    # A usable public address: no warning, no confirmation asked, the QR holds it.
    con = db.connect(db_path)
    places.set_public_base_url(con, "https://pantau.bitungkota.go.id", "kabag")
    con.close()
    at = page()
    assert not at.exception and not at.error
    assert not at.get("checkbox")
    assert at.code[0].value.startswith("https://pantau.bitungkota.go.id/checkin?")
    assert not any(b.proto.disabled for b in at.get("download_button"))
    assert any("https://pantau.bitungkota.go.id" in c.value for c in at.caption)


def test_admin_page_draws_the_preview_before_building_the_downloads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 26: the preview stayed blank for a second or more while the full-size PNG and
    the PDFs were built first. The preview (90 dpi) is built before any download now, and
    the longest download label is short enough for its button."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from lib.store import db

    db_path = tmp_path / "page.duckdb"
    monkeypatch.setenv("PANTAU_DB", str(db_path))
    con = db.connect(db_path)
    con.execute("INSERT INTO buildings (building_id, name, capacity) VALUES ('kantor', ?, 300)", [NAME])
    con.execute("INSERT INTO gates VALUES ('kantor', 'utama', 'Utama')")
    con.close()
    built: list[str] = []
    real_png, real_pdf, real_all = posters.poster_png, posters.poster_pdf, posters.building_posters_pdf

    def png(*args: object, dpi: int = 300, **kwargs: object) -> bytes:
        built.append("preview" if dpi < 300 else "png")
        return real_png(*args, dpi=dpi, **kwargs)  # type: ignore[arg-type]

    def pdf(*args: object, **kwargs: object) -> bytes:
        built.append("pdf")
        return real_pdf(*args, **kwargs)  # type: ignore[arg-type]

    def every(*args: object, **kwargs: object) -> bytes:
        built.append("all")
        return real_all(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(posters, "poster_png", png)
    monkeypatch.setattr(posters, "poster_pdf", pdf)
    monkeypatch.setattr(posters, "building_posters_pdf", every)
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "pages" / "posters.py"), default_timeout=60)
    at.session_state["authentication_status"] = True
    at.session_state["username"] = "tester"
    at.session_state["roles"] = ["admin"]
    at.run()
    assert not at.exception
    assert built[0] == "preview" and {"png", "pdf", "all"} <= set(built), built
    built.clear()
    at.radio(key="posters_action").set_value("checkout").run()
    assert built[0] == "preview", built
    labels = [button.proto.label for button in at.get("download_button")]
    assert "Unduh semua poster pintu (PDF, 2 hlm.)" in labels
    assert max(len(label) for label in labels) <= 44, labels
