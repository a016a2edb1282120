"""PDFs (posters, slips, reports) turned into what a person or a phone reads of them:
page images, the QR addresses on them, their text. Debian's poppler-utils and zbar-tools."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is required (Debian packages zbar-tools and poppler-utils)")
    return path


def pdf_pages_to_png(pdf: bytes, parent: Path, dpi: int = 150) -> list[Path]:
    """Each page as a PNG (``pdftoppm -r dpi``), in a fresh folder under ``parent``."""
    folder = Path(tempfile.mkdtemp(dir=parent))
    source = folder / "poster.pdf"
    source.write_bytes(pdf)
    subprocess.run([tool("pdftoppm"), "-r", str(dpi), "-png", str(source), str(folder / "page")], check=True)
    return sorted(folder.glob("page-*.png"))


def decode(png: Path) -> list[str]:
    """Every QR code zbarimg finds in the image (exit 4: none found)."""
    done = subprocess.run([tool("zbarimg"), "--raw", "-q", str(png)], capture_output=True, text=True)
    assert done.returncode in (0, 4), done.stderr
    return [line for line in done.stdout.splitlines() if line.strip()]


def pdf_text(pdf: bytes, folder: Path) -> str:
    source = folder / "text.pdf"
    source.write_bytes(pdf)
    return subprocess.run(
        [tool("pdftotext"), "-layout", str(source), "-"], check=True, capture_output=True, text=True
    ).stdout
