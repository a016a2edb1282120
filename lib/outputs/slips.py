"""Visitor slips (issue 22, the front desk): an 80 mm receipt-printer PDF and an A6 PDF.

A slip names the visitor, the time in (the building's wall clock, zone named: "09:05
WITA"), the purpose and the host, and holds a QR code of the visitor's pass address: the
phone page (``/checkin``) opened from it checks that visitor out at the door
(``lib.ingest.front_desk.check_out_by_pass``). The address is signed where every Pantau
address is signed (``lib.outputs.checkin.pass_url``); the pass itself is a random id, so a
slip names no NIK or phone, not even inside its QR code.

fpdf2 with the posters' DejaVu Sans (any name renders); the QR code is drawn as vector
squares (``lib.outputs.posters.qr_matrix``), at least 0.9 mm per module on the 80 mm slip
(a receipt printer's 203 dpi draws a module with seven dots), so a phone reads it at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import duckdb
from fpdf import FPDF

from lib.core.i18n import t
from lib.core.timeutil import zone_label
from lib.outputs import checkin
from lib.outputs.posters import FONT_BOLD, FONT_REGULAR, qr_matrix
from lib.store import db

# (page width, page height or None to fit the content, margin, QR width), millimetres.
FORMATS: dict[str, tuple[float, float | None, float, float]] = {
    "receipt": (80.0, None, 4.0, 46.0),  # 80 mm paper, about 72 mm printable
    "a6": (105.0, 148.0, 8.0, 52.0),
}
QR_QUIET_MODULES = 4
INK = (0, 0, 0)
GREY = (75, 85, 99)


@dataclass(frozen=True)
class SlipContent:
    """Everything printed on a slip."""

    url: str  # the pass's signed address (the QR code)
    building_name: str
    name: str
    institution: str
    checkin_at: datetime  # UTC
    timezone: str
    purpose: str
    host: str


def slip_content(
    con: duckdb.DuckDBPyConnection,
    building: str,
    pass_id: str,
    name: str,
    institution: str,
    checkin_at: datetime,
    purpose: str,
    host: str,
    base_url: str | None = None,
) -> SlipContent:
    """The slip of a pass issued at the desk (``lib.ingest.front_desk.issue_pass``)."""
    row = checkin.building_row(con, building) or {}
    return SlipContent(
        url=checkin.pass_url(con, building, pass_id, base_url),
        building_name=str(row.get("name") or building),
        name=name,
        institution=institution,
        checkin_at=checkin_at,
        timezone=str(row.get("timezone") or db.DEFAULT_TIMEZONE),
        purpose=purpose,
        host=host,
    )


def _wrap(pdf: FPDF, text: str, width: float) -> list[str]:
    """Words wrapped to ``width`` mm in the current font (a word too long is cut)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if pdf.get_string_width(trial) <= width:
            current = trial
            continue
        if current:
            lines.append(current)
        while pdf.get_string_width(word) > width and len(word) > 1:
            cut = len(word)
            while cut > 1 and pdf.get_string_width(word[:cut]) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    return lines or [""]


def _layout(pdf: FPDF, content: SlipContent, fmt: str, lang: str, draw: bool) -> float:
    """Draw (or with ``draw`` False only measure) the slip; returns the height used, mm."""
    page_w, _, margin, qr_w = FORMATS[fmt]
    scale = 1.0 if fmt == "receipt" else 1.15
    inner = page_w - 2 * margin
    y = margin

    def line(text: str, size: float, bold: bool = False, color: tuple[int, int, int] = INK, gap: float = 1.2) -> None:
        nonlocal y
        pdf.set_font("DejaVu", "B" if bold else "", size * scale)
        for part in _wrap(pdf, text, inner):
            height = size * scale * 0.3528 * 1.25
            y += height
            if draw:
                pdf.set_text_color(*color)
                x = margin + (inner - pdf.get_string_width(part)) / 2
                pdf.text(x, y - height * 0.22, part)
        y += gap

    local = content.checkin_at.astimezone(ZoneInfo(content.timezone))
    line(content.building_name, 10, bold=True)
    line(t("slip.title", lang), 9, color=GREY, gap=2.5)
    line(content.name, 16, bold=True)
    if content.institution:
        line(content.institution, 10)
    y += 1.5
    line(t("slip.time_in", lang, time=f"{local:%d/%m/%Y %H:%M} {zone_label(content.timezone)}"), 10)
    line(t("slip.purpose", lang, purpose=content.purpose or "–"), 10)
    line(t("slip.host", lang, host=content.host or "–"), 10, gap=3)
    matrix = qr_matrix(content.url)
    modules = len(matrix) + 2 * QR_QUIET_MODULES
    module = qr_w / modules
    x0 = margin + (inner - qr_w) / 2
    if draw:
        pdf.set_fill_color(*INK)
        for r, row in enumerate(matrix):
            for c, dark in enumerate(row):
                if dark:
                    pdf.rect(x0 + (c + QR_QUIET_MODULES) * module, y + (r + QR_QUIET_MODULES) * module,
                             module, module, style="F")
    y += qr_w + 1
    line(t("slip.scan_to_leave", lang), 9, bold=True)
    line(t("slip.keep", lang), 7.5, color=GREY)
    return y + margin


def slip_pdf(content: SlipContent, fmt: str = "receipt", lang: str = "id") -> bytes:
    """The slip as a PDF: ``receipt`` (80 mm wide, as long as its content) or ``a6``."""
    if fmt not in FORMATS:
        raise ValueError(f"slip format must be one of {sorted(FORMATS)}, not {fmt!r}")
    page_w, page_h, _, _ = FORMATS[fmt]
    measure = FPDF(unit="mm", format=(page_w, 300))
    _fonts(measure)
    measure.add_page()
    height = page_h or round(_layout(measure, content, fmt, lang, draw=False), 1)
    pdf = FPDF(orientation="P", unit="mm", format=(page_w, height))
    _fonts(pdf)
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.set_title(t("slip.title", lang))
    pdf.set_creator("Pantau")
    pdf.set_lang(lang)
    pdf.add_page()
    _layout(pdf, content, fmt, lang, draw=True)
    return bytes(pdf.output())


def _fonts(pdf: FPDF) -> None:
    pdf.add_font("DejaVu", "", str(FONT_REGULAR))
    pdf.add_font("DejaVu", "B", str(FONT_BOLD))


def slip_filename(name: str, fmt: str) -> str:
    """'slip-ibu-wati-80mm.pdf' (letters and digits of the name only)."""
    stem = "-".join("".join(ch for ch in word if ch.isalnum()) for word in name.lower().split())[:40].strip("-")
    return f"slip-{stem or 'tamu'}-{'80mm' if fmt == 'receipt' else 'a6'}.pdf"
