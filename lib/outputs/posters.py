"""Printable A4 QR posters for the building doors and rooms: PDF (fpdf2) and PNG (Pillow, 300 dpi).

One poster per building, gate and action, and per room and action (RULES "Places inside a
building": a room poster names the building and the room in large type, and its QR holds
the room's signed address). Check-in posters are green with a huge
MASUK, check-out posters red-orange with a huge KELUAR. The QR code holds the signed
address of the public check-in page (``lib.outputs.checkin.checkin_url``), error correction M,
drawn as vector squares 146 mm wide (about 3.6 mm per module at version 6) with a quiet
zone of four modules: sharp in print and readable from about two metres.

Both formats share one layout (``_draw``) in millimetres on a 210 x 297 mm page; the PDF
embeds DejaVu Sans (``lib/outputs/assets/fonts``, free licence) so any name renders, accents and
the en dash included.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

import duckdb
import qrcode
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_M

from lib.core.i18n import t
from lib.outputs import checkin
from lib.store import db, places

FONT_DIR = Path(__file__).resolve().parent / "assets" / "fonts"
FONT_REGULAR = FONT_DIR / "DejaVuSans.ttf"
FONT_BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"

PAGE_W_MM = 210.0
PAGE_H_MM = 297.0
MARGIN_MM = 12.0
PNG_DPI = 300
QR_WIDTH_MM = 146.0
# A room poster gives the room's name in large type too: a smaller code (still about
# 2.7 mm per module, readable from a metre and a half) keeps the text above the footer.
ROOM_QR_WIDTH_MM = 118.0
QR_QUIET_MODULES = 4

Color = tuple[int, int, int]
ACTION_COLORS: dict[str, Color] = {"checkin": (21, 128, 61), "checkout": (217, 72, 15)}
WHITE: Color = (255, 255, 255)
INK: Color = (17, 24, 39)
GREY: Color = (75, 85, 99)
QR_INK: Color = (0, 0, 0)


@dataclass(frozen=True)
class PosterContent:
    """Everything printed on one poster."""

    url: str
    action: str
    building: str
    building_name: str
    gate: str
    gate_name: str
    capacity: int | None
    threshold: int | None
    printed_on: date
    area: str = ""  # a room poster's area id ('' for a door poster)
    area_name: str = ""
    area_capacity: int | None = None


def poster_content(
    con: duckdb.DuckDBPyConnection,
    building: str,
    gate: str | None,
    action: str,
    printed_on: date | None = None,
    base_url: str | None = None,
    area: str | None = None,
) -> PosterContent:
    """What the poster says; ``printed_on`` defaults to today in the building's zone;
    ``base_url`` replaces the stored public address (``lib.outputs.checkin.poster_base_url``);
    ``area`` makes a room's poster.

    Raises ValueError for an unknown building, gate or room, a gate and a room together,
    a bad action or a bad ``base_url``.
    """
    url = checkin.checkin_url(con, building, gate, action, base_url, area=area)
    row = checkin.building_row(con, building) or {}
    zone = str(row.get("timezone") or db.DEFAULT_TIMEZONE)
    capacity = row.get("capacity")
    room = checkin.area_row(con, building, area) if area else None
    room_capacity = None
    if room is not None:
        found = con.execute(
            "SELECT capacity FROM areas WHERE building = ? AND area_id = ?", [building, room[0]]
        ).fetchall()
        room_capacity = None if not found or found[0][0] is None else int(found[0][0])
    return PosterContent(
        url=url,
        action=action,
        building=building,
        building_name=str(row.get("name") or building),
        gate=gate or "",
        gate_name=(checkin.gate_name(con, building, gate) or gate) if gate else "",
        capacity=None if capacity is None else int(capacity),  # type: ignore[call-overload]
        threshold=places.threshold(con, building),
        printed_on=printed_on or datetime.now(UTC).astimezone(ZoneInfo(zone)).date(),
        area=room[0] if room else "",
        area_name=room[1] if room else "",
        area_capacity=room_capacity,
    )


def qr_matrix(url: str) -> list[list[bool]]:
    """The QR modules of ``url`` (error correction M), without the quiet zone."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    code.add_data(url)
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]


# --- one layout, two canvases -------------------------------------------------------


class _Canvas(Protocol):
    def fill(self, x: float, y: float, w: float, h: float, color: Color) -> None: ...

    def frame(self, x: float, y: float, w: float, h: float, color: Color, line: float) -> None: ...

    def text(
        self, x: float, baseline: float, text: str, size_pt: float, bold: bool, color: Color
    ) -> None: ...

    def width(self, text: str, size_pt: float, bold: bool) -> float: ...


def _number(value: int, lang: str) -> str:
    """1200 -> '1.200' in Indonesian, '1,200' in English."""
    text = f"{value:,}"
    return text.replace(",", ".") if lang == "id" else text


def _capacity_line(content: PosterContent, lang: str) -> str:
    """'Kapasitas 1.200 orang · Ambang kerumunan 150 orang'; a room poster gives the room's
    capacity only. What is not set is left out ('' when nothing is): a visitor reading the
    printed poster can do nothing with 'Kapasitas ruang: -'."""
    if content.area:
        if content.area_capacity is None:
            return ""
        return t("posters.area_capacity", lang, n=_number(content.area_capacity, lang))
    parts = []
    for key, value in (("posters.capacity", content.capacity), ("posters.limit", content.threshold)):
        if value is not None:
            parts.append(t(key, lang, n=_number(value, lang)))
    return " · ".join(parts)


def _wrap(canvas: _Canvas, text: str, size: float, bold: bool, max_width: float) -> list[str]:
    """Greedy word wrap to ``max_width`` millimetres (a too-long word gets a line of its own)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and canvas.width(candidate, size, bold) > max_width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    return lines or [""]


def _fit(
    canvas: _Canvas, text: str, bold: bool, max_width: float, max_lines: int, start: float, smallest: float
) -> tuple[float, list[str]]:
    """The largest size (pt, from ``start`` down to ``smallest``) at which ``text`` fits."""
    size = start
    while True:
        lines = _wrap(canvas, text, size, bold, max_width)
        widest = max(canvas.width(line, size, bold) for line in lines)
        if (len(lines) <= max_lines and widest <= max_width) or size <= smallest:
            return size, lines
        size -= 1


def _centered(canvas: _Canvas, baseline: float, text: str, size: float, bold: bool, color: Color) -> None:
    canvas.text((PAGE_W_MM - canvas.width(text, size, bold)) / 2, baseline, text, size, bold, color)


PT_MM = 25.4 / 72


def _draw(canvas: _Canvas, content: PosterContent) -> float:
    """The poster, top to bottom, in millimetres (baselines for text).

    Returns the lowest baseline of the body text, which stays above the footer.
    """
    color = ACTION_COLORS[content.action]
    usable = PAGE_W_MM - 2 * MARGIN_MM

    # Band: the huge word in Indonesian, English below it.
    band_h = 42.0
    canvas.fill(0, 0, PAGE_W_MM, band_h, color)
    word = t(f"posters.word.{content.action}", "id")
    size, _ = _fit(canvas, word, True, usable, 1, 96, 40)
    _centered(canvas, 30.0, word, size, True, WHITE)
    _centered(canvas, 38.5, t(f"posters.word.{content.action}", "en"), 17, True, WHITE)

    # Building (up to two lines) and gate.
    size, lines = _fit(canvas, content.building_name, True, usable, 2, 24, 10)
    y = band_h + 3 + size * PT_MM
    for line in lines[:2]:
        _centered(canvas, y, line, size, True, INK)
        y += size * PT_MM * 1.2
    if content.gate_name:
        gate_size, gate_lines = _fit(
            canvas, t("posters.gate", "id", gate=content.gate_name), False, usable, 2, 15, 8
        )
        for line in gate_lines[:2]:
            _centered(canvas, y, line, gate_size, False, GREY)
            y += gate_size * PT_MM * 1.25
        y -= gate_size * PT_MM * 0.25
    if content.area_name:
        # The room in large type, under the building: the word "Ruang / Room" small above it.
        _centered(canvas, y + 1.0, t("posters.room_label", "id") + " / " + t("posters.room_label", "en"), 10, False, GREY)
        y += 10 * PT_MM * 1.3
        room_size, room_lines = _fit(canvas, content.area_name, True, usable, 2, 30, 12)
        y += room_size * PT_MM * 0.9
        for line in room_lines[:2]:
            _centered(canvas, y, line, room_size, True, color)
            y += room_size * PT_MM * 1.15
        y -= room_size * PT_MM * 0.35

    # QR code with its quiet zone, framed in the poster's colour.
    matrix = qr_matrix(content.url)
    modules = len(matrix)
    qr_width = ROOM_QR_WIDTH_MM if content.area else QR_WIDTH_MM
    module = qr_width / modules
    quiet = QR_QUIET_MODULES * module
    zone = qr_width + 2 * quiet
    zone_x = (PAGE_W_MM - zone) / 2
    zone_y = y + 2.5
    canvas.frame(zone_x, zone_y, zone, zone, color, 1.4)
    qr_x, qr_y = zone_x + quiet, zone_y + quiet
    for r, row in enumerate(matrix):
        c = 0
        while c < modules:
            if row[c]:
                start = c
                while c < modules and row[c]:
                    c += 1
                canvas.fill(qr_x + start * module, qr_y + r * module, (c - start) * module, module, QR_INK)
            else:
                c += 1
    y = zone_y + zone + 6

    # Instructions: Indonesian bold, then English in grey; capacity and crowd limit likewise.
    body = 11.0
    instructions = f"posters.instructions.area_{content.action}" if content.area else f"posters.instructions.{content.action}"
    for say in (
        lambda lang: t(instructions, lang),
        lambda lang: _capacity_line(content, lang),
    ):
        if not say("id"):
            continue  # nothing set to print (a room without capacity)
        for lang, bold, tone in (("id", True, INK), ("en", False, GREY)):
            line_size, fitted = _fit(canvas, say(lang), bold, usable, 2, body, 7)
            for line in fitted:
                _centered(canvas, y, line, line_size, bold, tone)
                y += body * PT_MM * 1.3
        y += 1.5
    lowest = y - body * PT_MM * 1.3 - 1.5

    # Footer: printed date and the address in small type above a band of the poster's colour.
    footer_y = PAGE_H_MM - 8
    canvas.fill(0, PAGE_H_MM - 5, PAGE_W_MM, 5, color)
    day = f"{content.printed_on:%d/%m/%Y}"
    printed = t("posters.printed", "id", date=day) + " / " + t("posters.printed", "en", date=day)
    canvas.text(MARGIN_MM, footer_y, printed, 7.5, False, GREY)
    room = usable - canvas.width(printed, 7.5, False) - 6
    url_size, url_lines = _fit(canvas, content.url, False, room, 1, 6.5, 3.5)
    url_x = PAGE_W_MM - MARGIN_MM - canvas.width(url_lines[0], url_size, False)
    canvas.text(url_x, footer_y, url_lines[0], url_size, False, GREY)
    return lowest


class _PdfCanvas:
    def __init__(self, pdf: FPDF) -> None:
        self.pdf = pdf

    def fill(self, x: float, y: float, w: float, h: float, color: Color) -> None:
        self.pdf.set_fill_color(*color)
        self.pdf.rect(x, y, w, h, style="F")

    def frame(self, x: float, y: float, w: float, h: float, color: Color, line: float) -> None:
        self.pdf.set_draw_color(*color)
        self.pdf.set_line_width(line)
        self.pdf.rect(x, y, w, h, style="D")

    def _font(self, size_pt: float, bold: bool) -> None:
        self.pdf.set_font("DejaVu", "B" if bold else "", size_pt)

    def text(self, x: float, baseline: float, text: str, size_pt: float, bold: bool, color: Color) -> None:
        self._font(size_pt, bold)
        self.pdf.set_text_color(*color)
        self.pdf.text(x, baseline, text)

    def width(self, text: str, size_pt: float, bold: bool) -> float:
        self._font(size_pt, bold)
        return float(self.pdf.get_string_width(text))


def _new_pdf(title: str) -> FPDF:
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.add_font("DejaVu", "", str(FONT_REGULAR))
    pdf.add_font("DejaVu", "B", str(FONT_BOLD))
    pdf.set_title(title)
    pdf.set_creator("Pantau")
    pdf.set_lang("id")
    return pdf


def _pdf_bytes(pdf: FPDF) -> bytes:
    return bytes(pdf.output())


def poster_pdf(
    con: duckdb.DuckDBPyConnection,
    building: str,
    gate: str | None,
    action: str,
    printed_on: date | None = None,
    base_url: str | None = None,
    area: str | None = None,
) -> bytes:
    """One A4 poster as a PDF (vector QR, embedded DejaVu Sans); ``area``: a room's poster."""
    content = poster_content(con, building, gate, action, printed_on, base_url, area=area)
    pdf = _new_pdf(f"Pantau {content.building_name} {action}")
    pdf.add_page()
    _draw(_PdfCanvas(pdf), content)
    return _pdf_bytes(pdf)


def building_posters(con: duckdb.DuckDBPyConnection, building: str) -> list[tuple[str, str]]:
    """(gate, action) of every poster of a building: each gate (or none) x check-in, check-out."""
    return [(gate, action) for gate, _ in checkin.gates_or_door(con, building) for action in checkin.ACTIONS]


def building_posters_pdf(
    con: duckdb.DuckDBPyConnection, building: str, printed_on: date | None = None, base_url: str | None = None
) -> bytes:
    """All posters of a building (every gate, both actions) as one PDF, one page each."""
    row = checkin.building_row(con, building)
    if row is None:
        raise ValueError(f"unknown building: {building!r}")
    pdf = _new_pdf(f"Pantau {row.get('name') or building}")
    for gate, action in building_posters(con, building):
        pdf.add_page()
        _draw(_PdfCanvas(pdf), poster_content(con, building, gate, action, printed_on, base_url))
    return _pdf_bytes(pdf)


def area_posters(
    con: duckdb.DuckDBPyConnection, building: str, actions: tuple[str, ...] = ("checkin",)
) -> list[tuple[str, str]]:
    """(area_id, action) of the room posters of a building: each room in name order x ``actions``."""
    rooms = places.list_areas(con, building)
    return [(str(area), action) for area in rooms["area_id"] for action in actions]


def area_posters_pdf(
    con: duckdb.DuckDBPyConnection,
    building: str,
    actions: tuple[str, ...] = ("checkin",),
    printed_on: date | None = None,
    base_url: str | None = None,
) -> bytes:
    """The posters of every room of a building (``actions`` each, check-in by default) as
    one PDF, one page each. Raises ValueError for an unknown building or one without rooms."""
    row = checkin.building_row(con, building)
    if row is None:
        raise ValueError(f"unknown building: {building!r}")
    if any(action not in checkin.ACTIONS for action in actions) or not actions:
        raise ValueError(f"actions must be checkin and/or checkout, not {actions!r}")
    pages = area_posters(con, building, actions)
    if not pages:
        raise ValueError(t("posters.cli_no_areas", building=building))
    pdf = _new_pdf(f"Pantau {row.get('name') or building}")
    for area, action in pages:
        pdf.add_page()
        _draw(_PdfCanvas(pdf), poster_content(con, building, None, action, printed_on, base_url, area=area))
    return _pdf_bytes(pdf)


class _PngCanvas:
    def __init__(self, image: Image.Image, dpi: int) -> None:
        self.draw = ImageDraw.Draw(image)
        self.px_per_mm = dpi / 25.4
        self.dpi = dpi

    def _px(self, mm: float) -> int:
        return round(mm * self.px_per_mm)

    def fill(self, x: float, y: float, w: float, h: float, color: Color) -> None:
        # Edges rounded independently, so neighbouring squares meet without gaps.
        x0, y0, x1, y1 = self._px(x), self._px(y), self._px(x + w), self._px(y + h)
        if x1 > x0 and y1 > y0:
            self.draw.rectangle([x0, y0, x1 - 1, y1 - 1], fill=color)

    def frame(self, x: float, y: float, w: float, h: float, color: Color, line: float) -> None:
        half = line / 2
        self.draw.rectangle(
            [self._px(x - half), self._px(y - half), self._px(x + w + half) - 1, self._px(y + h + half) - 1],
            outline=color,
            width=max(1, self._px(line)),
        )

    def _font(self, size_pt: float, bold: bool) -> ImageFont.FreeTypeFont:
        return _png_font(round(size_pt * self.dpi / 72), bold)

    def text(self, x: float, baseline: float, text: str, size_pt: float, bold: bool, color: Color) -> None:
        self.draw.text(
            (self._px(x), self._px(baseline)), text, font=self._font(size_pt, bold), fill=color, anchor="ls"
        )

    def width(self, text: str, size_pt: float, bold: bool) -> float:
        return float(self._font(size_pt, bold).getlength(text)) / self.px_per_mm


@lru_cache(maxsize=64)
def _png_font(size_px: int, bold: bool) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_BOLD if bold else FONT_REGULAR), size_px)


def poster_png(
    con: duckdb.DuckDBPyConnection,
    building: str,
    gate: str | None,
    action: str,
    printed_on: date | None = None,
    dpi: int = PNG_DPI,
    base_url: str | None = None,
    area: str | None = None,
) -> bytes:
    """The same poster as a PNG: A4 at ``dpi`` (300: 2480 x 3508 pixels)."""
    content = poster_content(con, building, gate, action, printed_on, base_url, area=area)
    size = (round(PAGE_W_MM / 25.4 * dpi), round(PAGE_H_MM / 25.4 * dpi))
    image = Image.new("RGB", size, WHITE)
    _draw(_PngCanvas(image, dpi), content)
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(dpi, dpi), optimize=True)
    return out.getvalue()


def poster_filename(
    building: str, gate: str | None, action: str | None, extension: str, area: str | None = None
) -> str:
    """A safe download name: 'poster-kantor-walikota-utama-masuk.pdf', a room's
    'poster-kantor-walikota-ruang-rapat-masuk.png'."""
    word = {"checkin": "masuk", "checkout": "keluar"}.get(action or "", "")
    parts = ["poster", building, gate or "", area or "", word]
    slug = "-".join(re.sub(r"[^a-z0-9]+", "-", p.lower()).strip("-") for p in parts if p)
    return f"{re.sub(r'-+', '-', slug) or 'poster'}.{extension.lstrip('.')}"


def write_poster(
    con: duckdb.DuckDBPyConnection,
    building: str,
    gate: str | None,
    action: str | None,
    out: str | Path,
    all_posters: bool = False,
    base_url: str | None = None,
    area: str | None = None,
    all_areas: bool = False,
) -> Path:
    """Write one poster (``.pdf``/``.png`` by the file's ending; ``area``: a room's) or,
    with ``all_posters``, every door poster of the building into one PDF, or with
    ``all_areas`` every room's poster (``action`` only when given, else check-in and
    check-out); ``base_url`` replaces the stored public address for these posters only.
    Raises ValueError with a user-facing message."""
    path = Path(out)
    extension = path.suffix.lower()
    makers: dict[str, Callable[[], bytes]] = {}
    if all_areas:
        if extension != ".pdf":
            raise ValueError(t("posters.cli_all_pdf"))
        actions = (action,) if action in checkin.ACTIONS else checkin.ACTIONS
        makers[".pdf"] = lambda: area_posters_pdf(con, building, tuple(actions), base_url=base_url)  # type: ignore[arg-type]
    elif all_posters:
        if extension != ".pdf":
            raise ValueError(t("posters.cli_all_pdf"))
        makers[".pdf"] = lambda: building_posters_pdf(con, building, base_url=base_url)
    else:
        if action not in checkin.ACTIONS:
            raise ValueError(t("posters.cli_action_required"))
        makers[".pdf"] = lambda: poster_pdf(con, building, gate, action, base_url=base_url, area=area)
        makers[".png"] = lambda: poster_png(con, building, gate, action, base_url=base_url, area=area)
    if extension not in makers:
        raise ValueError(t("posters.cli_bad_out"))
    data = makers[extension]()
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
