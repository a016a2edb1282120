"""The public address a poster's QR code holds: one accessor, one "can a phone open it"
test, and the command line's warning and ``--base-url``."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from lib.outputs import checkin
from lib.store import db, places
from tests.support.pdf import decode, pdf_pages_to_png


@pytest.fixture(autouse=True)
def signing_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PANTAU_QR_SIGNING_KEY", "test-key-for-posters")
    monkeypatch.setenv("PANTAU_LANG", "en")


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        (None, "unset"),
        ("  ", "unset"),
        ("http://localhost:8501", "loopback"),
        ("http://LOCALHOST", "loopback"),
        ("http://app.localhost:8501", "loopback"),
        ("http://127.0.0.1:8502", "loopback"),
        ("http://127.8.9.10", "loopback"),
        ("http://[::1]:8501", "loopback"),
        ("http://0.0.0.0:8501", "loopback"),
        ("http://10.0.0.5:8501", "private"),
        ("http://172.16.0.1", "private"),
        ("http://172.31.255.254:8080/pantau", "private"),
        ("http://192.168.1.20:8501", "private"),
        ("http://169.254.1.1", "private"),
        ("http://[fd00::1]:8501", "private"),
        ("http://pantau.local:8501", "local_name"),
        ("http://server-umum:8501", "local_name"),
        ("http://pantau.lan", "local_name"),
        ("ftp://pantau.bitungkota.go.id", "invalid"),
        ("pantau.bitungkota.go.id", "invalid"),
        ("https://pantau.bitungkota.go.id", None),
        ("https://pantau.bitungkota.go.id/", None),
        ("http://pantau.bitungkota.go.id:8080/absen", None),
        ("http://172.32.0.1", None),  # just outside 172.16.0.0/12
        ("http://172.15.0.1", None),
        ("http://103.10.20.30:8501", None),
    ],
)
def test_public_address_problem(url: str | None, problem: str | None) -> None:
    assert places.public_address_problem(url) == problem


def test_one_accessor_none_when_unset_and_posters_fall_back(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("INSERT INTO buildings (building_id, name) VALUES ('kantor', 'Kantor Wali Kota')")
    assert places.public_base_url(con) is None
    # The address builder decides the fallback; an explicit base wins over everything.
    assert checkin.poster_base_url(con) == checkin.DEFAULT_PUBLIC_BASE_URL
    assert checkin.checkin_url(con, "kantor", None, "checkin").startswith("http://localhost:8501/checkin?")
    here = checkin.checkin_url(con, "kantor", None, "checkin", "http://10.0.0.5:8502/")
    assert here.startswith("http://10.0.0.5:8502/checkin?b=kantor&a=checkin&s=")
    with pytest.raises(ValueError):
        checkin.checkin_url(con, "kantor", None, "checkin", "javascript:alert(1)")

    assert places.set_public_base_url(con, "https://pantau.bitungkota.go.id/", "kabag") is True
    assert places.public_base_url(con) == "https://pantau.bitungkota.go.id"
    assert checkin.checkin_url(con, "kantor", None, "checkin").startswith("https://pantau.bitungkota.go.id/checkin?")
    # The same signature whichever address is printed: only the base differs.
    assert here.split("?")[1] == checkin.checkin_url(con, "kantor", None, "checkin").split("?")[1]
    [(action, subject)] = con.execute("SELECT action, subject FROM audit_log").fetchall()
    assert (action, subject) == ("setting_change", "public_base_url")


@pytest.mark.parametrize(
    ("page_url", "base"),
    [
        ("http://127.0.0.1:8502/posters", "http://127.0.0.1:8502"),
        ("http://127.0.0.1:8502/", "http://127.0.0.1:8502"),
        ("https://pantau.bitungkota.go.id/absen/posters", "https://pantau.bitungkota.go.id/absen"),
        ("http://10.0.0.5:8501/posters/", "http://10.0.0.5:8501"),
        ("http://10.0.0.5:8501", "http://10.0.0.5:8501"),
        (None, None),
        ("", None),
        ("about:blank", None),
    ],
)
def test_base_url_from_the_page_address(page_url: str | None, base: str | None) -> None:
    assert places.base_url_from_page_url(page_url, "posters") == base


def make_db(tmp_path: Path) -> Path:
    path = tmp_path / "cli.duckdb"
    con = db.connect(path)
    con.execute("INSERT INTO buildings (building_id, name) VALUES ('kantor', 'Kantor Wali Kota')")
    con.close()
    return path


def test_cli_poster_warns_while_the_address_is_unset_or_local(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from lib.cli import main

    path = make_db(tmp_path)

    def poster(*extra: str) -> tuple[int, str, str]:
        out = tmp_path / "p.png"
        code = main(["--db", str(path), "poster", "--building", "kantor", "--action", "checkin",
                     "--out", str(out), *extra])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    code, out, err = poster()
    assert code == 0 and out == ""
    assert "warning: The public address is not set" in err and "http://localhost:8501" in err
    assert "--base-url" in err

    code, _, err = poster("--base-url", "http://192.168.1.20:8501")
    assert code == 0 and "warning: http://192.168.1.20:8501 is a local network address" in err

    code, _, err = poster("--base-url", "https://pantau.bitungkota.go.id/")
    assert code == 0 and "warning" not in err
    # The stored setting was not changed by --base-url: the next poster warns again.
    con = db.connect(path)
    assert places.public_base_url(con) is None
    places.set_public_base_url(con, "http://localhost:8600", "kabag")
    con.close()
    code, _, err = poster()
    assert code == 0 and "warning: http://localhost:8600 is the server computer's own address" in err

    con = db.connect(path)
    places.set_public_base_url(con, "https://pantau.bitungkota.go.id", "kabag")
    con.close()
    code, _, err = poster()
    assert code == 0 and "warning" not in err

    for bad in ("javascript:alert(1)", "pantau.go.id", "http://a b"):
        code, _, err = poster("--base-url", bad)
        assert code == 2 and err.startswith("error: --base-url must be an http:// or https:// address"), err
        assert len(err.strip().splitlines()) == 1


def test_cli_base_url_ends_up_in_the_qr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from lib.cli import main

    path = make_db(tmp_path)
    png, pdf = tmp_path / "q.png", tmp_path / "all.pdf"
    base = "https://pantau.bitungkota.go.id/absen"
    assert main(["--db", str(path), "poster", "--building", "kantor", "--action", "checkout",
                 "--base-url", base + "/", "--out", str(png)]) == 0
    [address] = decode(png)
    assert address.startswith(base + "/checkin?b=kantor&a=checkout&s=")
    assert main(["--db", str(path), "poster", "--building", "kantor", "--all",
                 "--base-url", base, "--out", str(pdf)]) == 0
    found = [a for page in pdf_pages_to_png(pdf.read_bytes(), tmp_path, dpi=100) for a in decode(page)]
    assert len(found) == 2 and all(a.startswith(base + "/checkin?") for a in found)
    assert "warning" not in capsys.readouterr().err


def test_settings_page_explains_the_public_address(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.testing.v1 import AppTest

    db_path = make_db(tmp_path)
    monkeypatch.setenv("PANTAU_DB", str(db_path))

    def page(language: str) -> AppTest:
        at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "pages" / "settings.py"), default_timeout=60)
        at.session_state["authentication_status"] = True
        at.session_state["username"] = "kabag"
        at.session_state["roles"] = ["admin"]
        at.session_state["pantau_lang"] = language
        return at.run()

    at = page("id")
    assert not at.exception
    explained = " ".join(m.value for m in at.markdown)
    assert "Alamat publik" in explained and "poster yang sudah tertempel tetap berisi alamat lama" in explained
    assert [w.value for w in at.warning] == [
        "Alamat publik belum diatur: poster berisi alamat yang tidak dapat dibuka ponsel."
    ]
    at = page("en")
    assert "posters already on the doors keep the old address" in " ".join(m.value for m in at.markdown)
    # (Forms are filled in Indonesian: AppTest formats the radio options outside the session.)
    at = page("id")
    at.text_input(key="settings_base_url").input("http://192.168.1.20:8501")
    at.button(key="settings_app_save").click().run()  # the general settings form's save button
    assert not at.exception and at.success
    at = page("en")
    assert [w.value for w in at.warning] == [
        "The public address http://192.168.1.20:8501 is a local network address: "
        "only phones on the office network can open it."
    ]
    at = page("id")
    at.text_input(key="settings_base_url").input("https://pantau.bitungkota.go.id")
    at.button(key="settings_app_save").click().run()
    assert not at.exception
    assert not page("en").warning
    con = db.connect(db_path)
    assert places.public_base_url(con) == "https://pantau.bitungkota.go.id"
    con.close()
