"""The printable roll-call (apel darurat): A4, grouped by building and room, a tick box per person.

Made from ``lib.analytics.rollcall.rollcall``; it must work when the network is gone, so
the page offers it (and the CSV) as downloads. DejaVu is embedded so every name renders.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import pandas as pd
from fpdf import FPDF

from lib.core.i18n import t
from lib.core.timeutil import format_local_short, format_local_time
from lib.outputs.export import visible_text

FONT_DIR = Path(__file__).resolve().parent / "assets" / "fonts"
GREY = (110, 110, 110)
# Column widths in mm on A4 portrait with 12 mm margins (186 mm usable).
WIDTHS = (8, 52, 22, 36, 34, 34)


class _RollcallPDF(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.footer_text = footer_text
        self.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_margins(12, 12, 12)
        self.set_auto_page_break(True, margin=16)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", "", 7)
        self.set_text_color(*GREY)
        self.cell(0, 5, f"{self.footer_text} · {self.page_no()}", align="C")
        self.set_text_color(0, 0, 0)


def _clip(pdf: FPDF, text: str, width: float) -> str:
    """``text`` cut with an ellipsis so it fits ``width`` mm in the current font."""
    if pdf.get_string_width(text) <= width - 1:
        return text
    while text and pdf.get_string_width(text + "…") > width - 1:
        text = text[:-1]
    return text + "…"


def rollcall_pdf(
    frame: pd.DataFrame,
    at: datetime,
    names: Mapping[str, str] | None = None,
    timezones: Mapping[str, str] | None = None,
    lang: str | None = None,
    generated_at: datetime | None = None,
) -> bytes:
    """The roll-call list as PDF bytes: per building a heading with its headcount, per room
    a sub-heading, then one row per person (tick box, name, category, unit, phone,
    check-in time in the building's zone). An assumed room (the roster's) is marked."""
    names = names or {}
    timezones = timezones or {}
    stamp = generated_at.strftime("%d/%m/%Y %H:%M") if generated_at else ""
    pdf = _RollcallPDF(t("rollcall.pdf_footer", lang, generated=stamp))
    pdf.add_page()
    first_zone = next(iter(timezones.values()), "Asia/Makassar")
    pdf.set_font("DejaVu", "B", 15)
    pdf.cell(0, 8, t("rollcall.pdf_title", lang), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    pdf.cell(
        0, 6,
        t("rollcall.pdf_at", lang, time=format_local_short(at, first_zone), people=len(frame)),
        new_x="LMARGIN", new_y="NEXT",
    )
    if frame.empty:
        pdf.ln(4)
        pdf.cell(0, 6, t("rollcall.nobody", lang), new_x="LMARGIN", new_y="NEXT")
        return bytes(pdf.output())
    headers = ("", t("rollcall.col.name", lang), t("rollcall.col.category", lang), t("rollcall.col.unit", lang),
               t("rollcall.col.phone", lang), t("rollcall.col.checkin", lang))
    for building, people in frame.groupby("building", sort=True):
        zone = timezones.get(str(building), first_zone)
        pdf.ln(3)
        pdf.set_font("DejaVu", "B", 12)
        building_name = visible_text(names.get(str(building), str(building)))
        pdf.cell(0, 7, t("rollcall.pdf_building", lang, building=building_name, people=len(people)),
                 new_x="LMARGIN", new_y="NEXT")
        for area, group in people.groupby("area", sort=True):
            assumed = bool(group["area_assumed"].all()) and bool(area)
            label = visible_text(str(area)) if area else t("rollcall.in_building", lang)
            if assumed:
                label = f"{label} ({t('rollcall.assumed', lang)})"
            pdf.set_font("DejaVu", "B", 9.5)
            pdf.cell(0, 6, f"{label} · {len(group)}", new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("DejaVu", "B", 7.5)
            pdf.set_text_color(*GREY)
            for header, width in zip(headers, WIDTHS, strict=True):
                pdf.cell(width, 5, header)
            pdf.ln(5)
            pdf.set_text_color(0, 0, 0)
            pdf.set_font("DejaVu", "", 8.5)
            for row in group.itertuples():
                if pdf.will_page_break(6):
                    pdf.add_page()
                    pdf.set_font("DejaVu", "", 8.5)
                x, y = pdf.get_x(), pdf.get_y()
                pdf.rect(x + 1.5, y + 1, 4, 4)  # the tick box
                pdf.set_x(x + WIDTHS[0])
                category = t(f"ui.category.{row.category}", lang) if row.category else ""
                checkin = format_local_time(row.checkin_at, zone)
                cells = (str(row.name or row.person_id), category, str(row.unit or ""), str(row.phone or ""), checkin)
                for text, width in zip(cells, WIDTHS[1:], strict=True):
                    # Stored text as it is, control characters shown as a placeholder (no glyph).
                    pdf.cell(width, 6, _clip(pdf, visible_text(text), width))
                pdf.ln(6)
    return bytes(pdf.output())
