"""Words a first user reads (issue 26, items 4 and 9), in AppTest.

- A page the role may not see, opened by its address, says so on a page of its own with a
  link to the start page (the README: it "refuses itself"), never silently the start page.
- Indonesian words where the Indonesian UI said "scan"; English counts in the right number.
- No emoji (an empty box on a Debian machine with only fonts-dejavu-core): the language
  button uses Streamlit's own icon font.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

from lib.core.i18n import all_texts, t
from tests.support.app import AppEnv, app_as, tree_text

ROOT = Path(__file__).resolve().parents[1]


def visit(at: AppTest, url_path: str) -> AppTest:
    """Open the page registered at ``/url_path`` as a typed address would (st.Page hashes
    its url_path: ``streamlit.navigation.page.StreamlitPage._script_hash``)."""
    at._page_hash = calc_hash(url_path)  # noqa: SLF001 - AppTest has no "open this address"
    return at.run()


@pytest.mark.parametrize(
    ("username", "roles", "address", "page_title", "start_title"),
    [
        ("pimpinan", ["leadership"], "tracing", "Pelacakan", "Okupansi"),
        ("pimpinan", ["leadership"], "users", "Pengguna", "Okupansi"),
        ("pelacak", ["tracer"], "now", "Sekarang", "Pelacakan"),
    ],
)
def test_a_page_the_role_may_not_see_says_so(app_env: AppEnv, username: str, roles: list[str], address: str,
                                             page_title: str, start_title: str) -> None:
    at = app_as(username, roles).run()
    assert not at.exception
    start_heading = [x.value for x in at.title]
    at = visit(at, address)
    assert not at.exception
    assert [x.value for x in at.title] == ["Halaman ini bukan untuk peran Anda"], "the start page came instead"
    assert [x.value for x in at.title] != start_heading
    assert page_title in at.warning[0].value
    links = list(at.get("page_link"))
    assert any(start_title in link.proto.label for link in links), [link.proto.label for link in links]
    # Nothing of the refused page itself: no table, no download, no input.
    assert not at.dataframe and not at.get("download_button") and not at.text_input
    # In English too.
    at.session_state["pantau_lang"] = "en"
    at = visit(at, address)
    assert [x.value for x in at.title] == ["This page is not for your role"]


def test_allowed_pages_still_open_and_the_start_page_is_unchanged(app_env: AppEnv) -> None:
    at = app_as("pimpinan", ["leadership"]).run()
    assert not at.exception and at.title
    at = visit(at, "weekly")
    assert not at.exception
    assert "Halaman ini bukan untuk peran Anda" not in tree_text(at)


def test_new_building_summary_speaks_indonesian_and_counts_in_english() -> None:
    texts = all_texts()
    for key, entry in texts.items():
        if key.startswith("settings."):
            assert " scan " not in f" {entry['id']} ".replace(",", " "), (key, entry["id"])
    one = t("settings.new.summary", "id", events="1", persons="1", first="01/12", last="07/12")
    assert one.startswith("1 pindaian dari 1 orang"), one
    assert t("settings.new.summary", "en", events="1", persons="1", first="a", last="b").startswith(
        "1 scan by 1 person,"
    )
    assert t("settings.new.summary", "en", events="1.234", persons="2", first="a", last="b").startswith(
        "1.234 scans by 2 people,"
    )
    assert t("settings.new.summary", "en", events=1, persons=12, first="a", last="b").startswith(
        "1 scan by 12 people,"
    )


def test_every_text_has_glyphs_in_the_debian_font() -> None:
    """A Debian desktop with only fonts-dejavu-core drew the import status (✅, ⛔) and the
    new-building option (➕) as empty boxes: every text must draw with DejaVu Sans."""
    from fontTools.ttLib import TTFont

    fonts = ROOT / "lib" / "outputs" / "assets" / "fonts"
    covered: set[int] = set()
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        covered |= set(TTFont(fonts / name).getBestCmap())
    missing = {
        (key, language, char)
        for key, entry in all_texts().items()
        for language, text in entry.items()
        for char in text
        if ord(char) not in covered and char not in "\n\t"
    }
    assert missing == set(), sorted(missing)


def test_language_button_uses_streamlit_icon_not_an_emoji(app_env: AppEnv) -> None:
    at = app_as("pimpinan", ["leadership"]).run()
    button = at.sidebar.button(key="lang_switch")
    assert button.label == "English"
    assert button.proto.icon == ":material/language:"
    assert all(ord(char) < 0x2000 for char in button.label)


def test_streamlit_fonts_pass_the_download_guard() -> None:
    """Streamlit's fonts (``/static/media/…woff2``) answered 403 to a browser without the
    login cookie: the login page had no text font and drew icons as their names."""
    import streamlit

    from lib.ui.http_guard import media_file_id

    shipped = sorted((Path(streamlit.__file__).parent / "static" / "static" / "media").glob("MaterialSymbols*"))
    assert shipped, "Streamlit ships its icon font"
    assert media_file_id(f"/static/media/{shipped[0].name}") is None
    assert media_file_id(f"/pantau/static/media/{shipped[0].name}") is None
    # Download files stay guarded, also behind a base path named "static".
    assert media_file_id("/media/3f2a9c.csv") == "3f2a9c"
    assert media_file_id("/static/media/3f2a9c.csv") == "3f2a9c"
    assert media_file_id("/static/media/..") is not None


def test_first_run_says_what_it_installs(tmp_path: Path) -> None:
    """``./pantau.sh run`` on a fresh machine: about two minutes of pip, which printed
    nothing. It now names each package, says when the long install step starts and how long
    it all took, and then starts the app; a second run skips the install. (pip is stood in
    for by a fake interpreter in a copy of the script: no network, no real .venv.)"""
    import shutil
    import subprocess

    shutil.copy(ROOT / "pantau.sh", tmp_path / "pantau.sh")
    (tmp_path / "requirements.txt").write_text("streamlit==1.67.0\n")
    fake = tmp_path / ".venv" / "bin" / "python"
    fake.parent.mkdir(parents=True)
    fake.write_text(
        "#!/bin/sh\n"
        'if [ "$2" = pip ]; then\n'
        "  echo 'Collecting streamlit==1.67.0 (from -r requirements.txt (line 1))'\n"
        "  echo '  Downloading streamlit-1.67.0-py3-none-any.whl (9.1 MB)'\n"
        "  echo 'Collecting altair<6,>=4.0 (from streamlit==1.67.0->-r requirements.txt (line 1))'\n"
        "  echo 'Installing collected packages: altair, streamlit'\n"
        "  echo 'Successfully installed altair-5.5.0 streamlit-1.67.0'\n"
        "else echo \"app started: $*\"; fi\n"
    )
    fake.chmod(0o755)
    first = subprocess.run(["bash", str(tmp_path / "pantau.sh"), "run"], capture_output=True, text=True, timeout=60)
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert lines[0].startswith("Pantau: installing Python packages from requirements.txt")
    assert "about 2 minutes" in lines[0]
    assert lines[1:3] == ["  - streamlit==1.67.0", "  - altair<6,>=4.0"]
    assert "installing them now" in lines[3]
    assert lines[4].startswith("Pantau: packages ready in ") and lines[4].endswith(" s.")
    assert lines[5].startswith("app started: -m streamlit run serve.py")
    again = subprocess.run(["bash", str(tmp_path / "pantau.sh"), "run"], capture_output=True, text=True, timeout=60)
    assert again.stdout.splitlines() == [lines[5]]
