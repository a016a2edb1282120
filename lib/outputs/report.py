"""The weekly report to forward: a one-page A4 PDF and an XLSX (RULES "Weekly statistics").

Both are built from ``lib.analytics.weekly.weekly_stats`` / ``weekly_trend`` rows, which hold
aggregates only: no name, phone or identity number can reach these files (RULES "Personal
data": leadership sees only aggregates). The PDF uses an embedded DejaVu TTF font, so
Indonesian text and any building name print, and draws its bars with fpdf2 primitives:
no browser or image exporter is needed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pandas as pd
from fpdf import FPDF

from lib.core import numformat
from lib.core.i18n import t
from lib.core.timeutil import fixed_offset_seconds, format_local_iso, zone_label
from lib.outputs.charts import WEEKDAY_COLUMNS, weekday_label, zone_with_offset
from lib.outputs.export import formula_safe, visible_text, xlsx_sheets
from lib.store import db

FONT_DIR = Path(__file__).resolve().parent / "assets" / "fonts"
BAR_COLOUR = (76, 120, 168)
GREY = (110, 110, 110)


def format_number(value: object, lang: str | None = None, decimals: int = 0) -> str:
    """1.234,5 in Indonesian, 1,234.5 in English; '–' for a missing value (``lib.core.numformat``)."""
    return numformat.format_number(value, decimals, lang)


def format_change(value: object, lang: str | None = None) -> str:
    """'+12,5 %' / '−3 %'; '–' when there was nothing last week."""
    text = format_number(value, lang, 1)
    if text == "–":
        return text
    number = float(value)  # type: ignore[arg-type]
    return ("+" if number > 0 else "") + text + " %"


def _local_label(
    value: object, tz_name: str, lang: str | None, with_day: bool, with_hour: bool, short: bool = False
) -> str:
    """A busiest day or peak hour as the page shows it, whatever type lib.analytics.weekly returns."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):  # type: ignore[arg-type]
        return "–"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{int(value):02d}:00"
    day_format = "%d/%m" if short else "%d/%m/%Y"
    if isinstance(value, date) and not isinstance(value, datetime):
        return f"{weekday_label(value.weekday(), lang)} {value.strftime(day_format)}"
    try:
        stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert(tz_name)
    parts = []
    if with_day:
        parts.append(f"{weekday_label(stamp.weekday(), lang)} {stamp.strftime(day_format)}")
    if with_hour:
        parts.append(f"{stamp:%H:%M}")
    return " ".join(parts)


def busiest_day_label(value: object, tz_name: str, lang: str | None = None, short: bool = False) -> str:
    """'Rab 12/01/2022' ('Rab 12/01' when ``short``) for ``weekly_stats``'s local date."""
    return _local_label(value, tz_name, lang, with_day=True, with_hour=False, short=short)


def peak_hour_label(value: object, tz_name: str, lang: str | None = None, short: bool = False) -> str:
    """'Sel 11/01/2022 10:00 WITA' for an instant ('Sel 11/01 10:00' when ``short``: the
    caller names the zone), '10:00' for a bare hour number."""
    label = _local_label(value, tz_name, lang, with_day=True, with_hour=True, short=short)
    if isinstance(value, int | float) or label == "–" or short:
        return label
    return f"{label} {zone_with_offset(tz_name).split(',')[0]}"


def building_figures(row: Mapping[str, object], tz_name: str, lang: str | None = None) -> list[tuple[str, str]]:
    """The key figures of one building's week as (label, text) pairs, for the PDF and pages."""
    return [
        (t("weekly.visits", lang), f"{format_number(row['visits'], lang)} ({format_change(row.get('visits_change_pct'), lang)})"),
        (t("weekly.persons", lang), f"{format_number(row['persons'], lang)} ({format_change(row.get('persons_change_pct'), lang)})"),
        (
            t("weekly.persons_by_category", lang),
            " / ".join(format_number(row.get(f"persons_{c}"), lang) for c in db.CATEGORIES),
        ),
        (t("weekly.visits_per_day", lang), format_number(row.get("visits_per_day"), lang, 1)),
        (
            t("weekly.busiest_day", lang),
            f"{busiest_day_label(row.get('busiest_day'), tz_name, lang)} ({format_number(row.get('busiest_day_visits'), lang)})",
        ),
        (
            t("weekly.peak_hour", lang),
            f"{peak_hour_label(row.get('peak_hour'), tz_name, lang)} ({format_number(row.get('peak'), lang)})",
        ),
        (t("weekly.median_stay", lang), format_number(row.get("median_stay_minutes"), lang, 0)),
        (t("weekly.auto_close_share", lang), _percent(row.get("auto_close_share"), lang)),
        (
            t("weekly.crowding", lang),
            t(
                "weekly.crowding_value", lang,
                episodes=format_number(row.get("crowding_episodes"), lang),
                minutes=format_number(row.get("crowding_minutes"), lang),
            ),
        ),
    ]


def comparison_table(
    city: Mapping[str, object],
    stats: pd.DataFrame,
    names: Mapping[str, str],
    zones: Mapping[str, str],
    default_zone: str,
    lang: str | None = None,
) -> pd.DataFrame:
    """The weekly page's buildings side by side: one row per figure, the whole city first.

    Short cells so that every one reads whole in a narrow column (a screen 1440 px wide,
    five columns): the busiest day and the peak hour without the year, the peak, crowding
    episodes and crowding minutes each in a row of their own. The zone is named in the
    peak hour's label when every building shares it, else in each cell. The whole city
    has no peak hour and no peak (RULES "Choices where the rules were silent", whole city:
    people inside separate buildings at once do not add up): its cells say so; its crowding
    is the buildings' episodes added up.
    """
    shown = [str(b) for b in stats["building"]]
    building_zones = [zones.get(b, default_zone) for b in shown]
    one_zone = len(set(building_zones)) <= 1
    zone = building_zones[0] if building_zones else default_zone
    peak_label = t("weekly.table.peak_hour", lang, zone=zone_label(zone) if one_zone else t("weekly.table.local_time", lang))
    not_added = t("weekly.table.not_added", lang)

    def column(row: Mapping[str, object], tz_name: str, is_city: bool) -> list[str]:
        peak_hour = peak_hour_label(row.get("peak_hour"), tz_name, lang, short=True)
        if not one_zone and peak_hour != "–":
            peak_hour = f"{peak_hour} {zone_label(tz_name)}"
        return [
            f"{format_number(row['visits'], lang)} ({format_change(row.get('visits_change_pct'), lang)})",
            f"{format_number(row['persons'], lang)} ({format_change(row.get('persons_change_pct'), lang)})",
            " / ".join(format_number(row.get(f"persons_{c}"), lang) for c in db.CATEGORIES),
            format_number(row.get("visits_per_day"), lang, 1),
            f"{busiest_day_label(row.get('busiest_day'), tz_name, lang, short=True)}"
            f" ({format_number(row.get('busiest_day_visits'), lang)})",
            not_added if is_city else peak_hour,
            not_added if is_city else format_number(row.get("peak"), lang),
            format_number(row.get("median_stay_minutes"), lang, 0),
            _percent(row.get("auto_close_share"), lang),
            format_number(row.get("crowding_episodes"), lang),
            format_number(row.get("crowding_minutes"), lang),
        ]

    records = stats.to_dict("records")
    city_row = {
        **city,
        "crowding_episodes": int(stats["crowding_episodes"].sum()) if len(stats) else 0,
        "crowding_minutes": float(stats["crowding_minutes"].sum()) if len(stats) else 0.0,
    }
    columns = {t("weekly.city_column", lang): column(city_row, default_zone, True)}
    for building, record, tz_name in zip(shown, records, building_zones, strict=True):
        columns[names.get(building, building)] = column(record, tz_name, False)
    index = [
        t("weekly.visits", lang), t("weekly.persons", lang), t("weekly.persons_by_category", lang),
        t("weekly.visits_per_day", lang), t("weekly.busiest_day", lang), peak_label, t("weekly.xlsx.peak", lang),
        t("weekly.median_stay", lang), t("weekly.auto_close_share", lang), t("weekly.crowding_episodes", lang),
        t("weekly.xlsx.crowding_minutes", lang),
    ]
    return pd.DataFrame(columns, index=pd.Index(index, name=t("weekly.table.figure", lang)))


def _percent(share: object, lang: str | None) -> str:
    text = format_number(None if share is None else float(share) * 100, lang, 1)  # type: ignore[arg-type]
    return text if text == "–" else text + " %"


class _ReportPDF(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.footer_text = footer_text
        self.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_auto_page_break(False)
        self.set_margins(15, 15, 15)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("DejaVu", "", 7)
        self.set_text_color(*GREY)
        self.cell(0, 5, self.footer_text, align="C")
        self.set_text_color(0, 0, 0)


def _bars(pdf: FPDF, x: float, y: float, width: float, height: float, values: list[int], labels: list[str]) -> None:
    """A small bar chart drawn with rectangles: one bar per value, value above, label below."""
    top = max(values) if values and max(values) > 0 else 1
    slot = width / max(len(values), 1)
    bar_width = slot * 0.62
    label_h = 4.0
    value_h = 3.5
    plot_h = height - label_h - value_h
    pdf.set_draw_color(*GREY)
    pdf.set_line_width(0.2)
    pdf.line(x, y + value_h + plot_h, x + width, y + value_h + plot_h)
    pdf.set_font("DejaVu", "", 6.5)
    for index, (value, label) in enumerate(zip(values, labels, strict=True)):
        bar_h = plot_h * value / top
        left = x + index * slot + (slot - bar_width) / 2
        base = y + value_h + plot_h
        if bar_h > 0:
            pdf.set_fill_color(*BAR_COLOUR)
            pdf.rect(left, base - bar_h, bar_width, bar_h, style="F")
        pdf.set_xy(x + index * slot, base - bar_h - value_h)
        pdf.cell(slot, value_h, str(value), align="C")
        pdf.set_xy(x + index * slot, base + 0.5)
        pdf.cell(slot, label_h, label, align="C")


def weekly_report_pdf(
    stats: pd.DataFrame,
    week: str,
    first_day: date,
    last_day: date,
    names: Mapping[str, str] | None = None,
    timezones: Mapping[str, str] | None = None,
    lang: str | None = None,
    generated_at: datetime | None = None,
    city: Mapping[str, object] | None = None,
    purposes: Mapping[str, pd.DataFrame] | None = None,
) -> bytes:
    """One A4 page: title, ISO week and its local dates, totals, one block per building.

    Each building's block holds its key figures (``building_figures``) and a bar chart of
    visits per weekday. More buildings shrink the blocks so the report stays one page.
    With ``city`` (``lib.analytics.weekly.city_week_totals``) the totals also name the distinct
    persons of the whole city (each person once, however many buildings they visited).
    ``purposes``: ``{"purpose": frame, "host": frame}`` of ``lib.analytics.purposes.weekly_by``
    (issue 22): a second page lists the week's visits by purpose and by host, counts only.
    """
    names = names or {}
    timezones = timezones or {}
    stamp = generated_at.strftime("%d/%m/%Y %H:%M") if generated_at else ""
    pdf = _ReportPDF(t("weekly.report_footer", lang, generated=stamp))
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 16)
    pdf.cell(0, 9, t("weekly.report_title", lang), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 11)
    period = f"{first_day:%d/%m/%Y} – {last_day:%d/%m/%Y}"
    pdf.cell(0, 6, t("weekly.report_week", lang, week=week, period=period), new_x="LMARGIN", new_y="NEXT")

    # Totals over buildings: visits add up; persons do not (one person, several buildings).
    total_visits = int(stats["visits"].sum()) if len(stats) else 0
    total_prev = int(stats["visits_prev"].fillna(0).sum()) if len(stats) and "visits_prev" in stats else 0
    change = (total_visits - total_prev) * 100.0 / total_prev if total_prev else None
    episodes = int(stats["crowding_episodes"].fillna(0).sum()) if len(stats) else 0
    pdf.ln(2)
    pdf.set_font("DejaVu", "", 10)
    summary = t(
        "weekly.report_summary", lang,
        visits=format_number(total_visits, lang), change=format_change(change, lang),
        buildings=format_number(len(stats), lang), episodes=format_number(episodes, lang),
    )
    if city is not None:
        summary += " " + t(
            "weekly.report_city_persons", lang, persons=format_number(city.get("persons"), lang),
            change=format_change(city.get("persons_change_pct"), lang),
        )
    pdf.multi_cell(0, 5, summary, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)

    if not len(stats):
        pdf.cell(0, 8, t("weekly.no_data", lang), new_x="LMARGIN", new_y="NEXT")
        return bytes(pdf.output())

    top = pdf.get_y()
    available = 297 - 18 - top
    block = min(62.0, available / len(stats))
    scale = min(1.0, block / 62.0)
    day_labels = [weekday_label(day, lang) for day in range(7)]
    for index, (_, row) in enumerate(stats.iterrows()):
        building = str(row["building"])
        tz_name = timezones.get(building, "Asia/Makassar")
        y = top + index * block
        pdf.set_draw_color(200, 200, 200)
        pdf.line(15, y, 195, y)
        pdf.set_xy(15, y + 1)
        pdf.set_font("DejaVu", "B", 11 * max(scale, 0.7))
        title = names.get(building, building)
        pdf.cell(110, 6 * scale, visible_text(f"{title} ({building})" if title != building else title))
        line_h = max(2.6, 5.0 * scale)
        pdf.set_font("DejaVu", "", 8.5 * max(scale, 0.65))
        pdf.set_xy(15, y + 1 + 6.5 * scale)
        for label, text in building_figures(row.to_dict(), tz_name, lang):
            pdf.set_x(15)
            pdf.cell(48, line_h, label)
            pdf.cell(64, line_h, text, new_x="LMARGIN", new_y="NEXT")
        values = [int(row.get(col, 0) or 0) for col in WEEKDAY_COLUMNS]
        _bars(pdf, 128, y + 3, 67, block - 6, values, day_labels)
    if purposes:
        _purpose_page(pdf, purposes, names, lang)
    return bytes(pdf.output())


# The rows of one building's table on the purpose page: the largest, the rest summed up.
PDF_PURPOSE_ROWS = 8


def _purpose_page(
    pdf: FPDF, purposes: Mapping[str, pd.DataFrame], names: Mapping[str, str], lang: str | None
) -> None:
    """The week's visits by purpose and by host, per building: label, visits, visitors,
    the week before and the change (issue 22). Aggregates only."""
    pdf.add_page()
    widths = (78, 24, 24, 30, 24)
    for by, frame in purposes.items():
        pdf.set_font("DejaVu", "B", 13)
        pdf.cell(0, 8, t(f"purposes.title.{by}", lang), new_x="LMARGIN", new_y="NEXT")
        if frame is None or frame.empty:
            pdf.set_font("DejaVu", "", 9)
            pdf.cell(0, 6, t("purposes.none", lang), new_x="LMARGIN", new_y="NEXT")
            continue
        for building, rows in frame.groupby("building", sort=False):
            if pdf.get_y() > 297 - 18 - 30:
                pdf.add_page()
            title = names.get(str(building), str(building))
            pdf.set_font("DejaVu", "B", 9.5)
            pdf.cell(0, 6, visible_text(title), new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("DejaVu", "B", 8)
            headers = [t(f"purposes.col.{c}", lang) for c in (by, "visits", "visitors", "visits_prev", "visits_change_pct")]
            for width, header in zip(widths, headers, strict=True):
                pdf.cell(width, 5, header)
            pdf.ln(5)
            pdf.set_font("DejaVu", "", 8)
            shown = rows.head(PDF_PURPOSE_ROWS)
            for _, row in shown.iterrows():
                cells = [
                    visible_text(str(row[by]))[:48], format_number(row["visits"], lang),
                    format_number(row["visitors"], lang), format_number(row["visits_prev"], lang),
                    format_change(row["visits_change_pct"], lang),
                ]
                for width, cell in zip(widths, cells, strict=True):
                    pdf.cell(width, 4.5, cell)
                pdf.ln(4.5)
            if len(rows) > len(shown):
                rest = rows.iloc[len(shown):]
                pdf.set_text_color(*GREY)
                pdf.cell(0, 4.5, t("purposes.pdf_more", lang, count=format_number(len(rest), lang),
                                    visits=format_number(int(rest["visits"].sum()), lang)), new_x="LMARGIN", new_y="NEXT")
                pdf.set_text_color(0, 0, 0)
            pdf.ln(2)


def purpose_table(frame: pd.DataFrame, by: str, names: Mapping[str, str] | None = None, lang: str | None = None) -> pd.DataFrame:
    """``lib.analytics.purposes.weekly_by`` for people: the building's name, the change with
    one decimal, headers in ``lang`` (the Weekly page and the XLSX)."""
    out = frame.copy()
    out["building"] = out["building"].map(lambda b: (names or {}).get(str(b), str(b)))
    out["visits_change_pct"] = pd.to_numeric(out["visits_change_pct"], errors="coerce").astype(float).round(1)
    out = out.drop(columns=["week"])
    return out.rename(columns={c: t(f"purposes.col.{c}", lang) for c in out.columns})


def _excel_ready(frame: pd.DataFrame, timezones: Mapping[str, str] | None) -> pd.DataFrame:
    """Instants as local ISO text (Excel cannot hold a time zone), then formula-safe."""
    out = frame.copy()
    zones = (
        out["building"].map(lambda b: (timezones or {}).get(str(b), "Asia/Makassar"))
        if "building" in out
        else "Asia/Makassar"
    )
    for column in out.columns:
        if isinstance(out[column].dtype, pd.DatetimeTZDtype):
            out[column] = format_local_iso(out[column], zones)
        elif out[column].dtype == object and out[column].map(lambda v: isinstance(v, datetime)).any():
            out[column] = format_local_iso(pd.to_datetime(out[column], utc=True), zones)
    return formula_safe(out)


ONE_DECIMAL = ("visits_per_day", "median_stay_minutes", "crowding_minutes", "visits_change_pct", "persons_change_pct")


def _readable_weekly(frame: pd.DataFrame, timezones: Mapping[str, str] | None, lang: str | None) -> pd.DataFrame:
    """Rounded for people: minutes and per-day figures to one decimal, shares as percent
    (one decimal), local times; then headers in ``lang`` (``weekly.xlsx.<column>``)."""
    out = frame.copy()
    for column in ONE_DECIMAL:
        if column in out:
            out[column] = pd.to_numeric(out[column], errors="coerce").astype(float).round(1)
    if "auto_close_share" in out:
        out["auto_close_share"] = (pd.to_numeric(out["auto_close_share"], errors="coerce").astype(float) * 100).round(1)
    out = _excel_ready(out, timezones)
    return out.rename(columns={c: t(f"weekly.xlsx.{c}", lang) for c in out.columns})


def weekly_report_xlsx(
    stats: pd.DataFrame,
    trend: pd.DataFrame,
    week: str,
    names: Mapping[str, str] | None = None,
    timezones: Mapping[str, str] | None = None,
    lang: str | None = None,
    city: Mapping[str, object] | None = None,
    purposes: Mapping[str, pd.DataFrame] | None = None,
) -> bytes:
    """Two sheets: the week's figures per building, and the weekly trend. Aggregates only.
    ``purposes`` (``{"purpose": frame, "host": frame}`` of ``lib.analytics.purposes.weekly_by``,
    issue 22) adds a sheet for each.

    Headers in ``lang`` (Indonesian by default); minutes and per-day figures with one
    decimal, the auto-close share and the changes in percent with one decimal. With
    ``city`` (``lib.analytics.weekly.city_week_totals``) the first row is the whole city, its
    crowding the sum of the buildings' (no peak: it does not add up). Trend rows without
    any visit, person or peak are left out (no rows of zeros).
    """
    names = names or {}
    summary = stats.copy()
    if "week" not in summary.columns:
        summary.insert(0, "week", week)
    summary.insert(
        summary.columns.get_loc("building") + 1, "building_name",
        summary["building"].map(lambda b: names.get(str(b), str(b))),
    )
    if city is not None:
        whole = {
            **{k: v for k, v in city.items() if k in summary.columns},
            "building": "",
            "building_name": t("weekly.city_column", lang),
            "crowding_episodes": int(stats["crowding_episodes"].sum()) if "crowding_episodes" in stats else None,
            "crowding_minutes": float(stats["crowding_minutes"].sum()) if "crowding_minutes" in stats else None,
        }
        summary = pd.concat([pd.DataFrame([whole]).reindex(columns=summary.columns), summary], ignore_index=True)
    trend_rows = trend.copy()
    measures = [c for c in ("visits", "persons", "peak") if c in trend_rows]
    if measures:
        trend_rows = trend_rows[trend_rows[measures].fillna(0).ne(0).any(axis=1)]
    if "building" in trend_rows:
        trend_rows.insert(
            trend_rows.columns.get_loc("building") + 1, "building_name",
            trend_rows["building"].map(lambda b: names.get(str(b), str(b))),
        )
    sheets = {
        t("weekly.sheet_week", lang): _readable_weekly(summary, timezones, lang),
        t("weekly.sheet_trend", lang): _readable_weekly(trend_rows.reset_index(drop=True), timezones, lang),
    }
    for by, frame in (purposes or {}).items():
        sheets[t(f"purposes.sheet.{by}", lang)] = purpose_table(frame, by, names, lang)
    return xlsx_sheets(sheets)


EXPORT_VIA_SHOWN = 50  # people named in an exported `via` cell (a cell must stay readable)


def trace_export_frame(
    contacts: pd.DataFrame,
    tz_name: str,
    lang: str | None = None,
    building_names: Mapping[str, str] | None = None,
    second: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """A contact list as a tracer forwards it (CSV/XLSX download), in the user's language.

    ``contacts``/``second``: ``lib.analytics.tracing.trace_contacts`` / ``second_degree_contacts``
    rows. Headers are the page's column names (Indonesian, or English with ``lang='en'``);
    ``buildings`` become building names joined with ``; ``; the category in words;
    instants ISO 8601 local time with offset; minutes with one decimal; ``estimated`` and
    ``area_assumed`` are ``ya``/``tidak`` (``yes``/``no``); the grade reads "K1 (satu ruangan)"
    or "K2 (satu gedung)". With ``second``, a degree column (1 or 2) leads
    and ``via`` names the first-degree contacts (at most ``EXPORT_VIA_SHOWN``, then
    "+N lainnya"). ``csv_bytes``/``xlsx_bytes`` make it formula-safe. The command line's
    ``trace`` output is not this: it stays in the rules' program columns.
    """
    from lib.analytics.tracing import CONTACT_COLUMNS, via_summary

    names = building_names or {}
    first_names = dict(zip(contacts["person_id"].astype(str), contacts["name"], strict=True))

    def readable(frame: pd.DataFrame) -> pd.DataFrame:
        out = frame[[c for c in [*CONTACT_COLUMNS, "via"] if c in frame.columns]].copy()
        out["category"] = [
            t(f"tracing.category.{c}", lang) if c in db.CATEGORIES else c for c in out["category"].fillna("visitor")
        ]
        out["buildings"] = [
            "; ".join(names.get(b, b) for b in str(v).split(";") if b) for v in out["buildings"].fillna("")
        ]
        for column in ("first_contact", "last_contact"):
            out[column] = format_local_iso(out[column], tz_name)
        for column in ("overlap_minutes", "area_minutes"):
            if column in out:
                out[column] = out[column].astype(float).round(1)
        for column in ("estimated", "area_assumed"):
            if column in out:
                out[column] = [t("tracing.yes" if bool(v) else "tracing.no", lang) for v in out[column]]
        if "grade" in out:  # K1 / K2 with what it means, so a forwarded list reads on its own
            out["grade"] = [t(f"tracing.grade.{g}", lang) if g in ("K1", "K2") else g for g in out["grade"]]
        if "unit" in out:
            out["unit"] = out["unit"].fillna("")
        if "areas" in out:  # joined like the buildings
            out["areas"] = ["; ".join(a for a in str(v).split(";") if a) for v in out["areas"].fillna("")]
        if "via" in out:
            out["via"] = [via_summary(v, first_names, lang, EXPORT_VIA_SHOWN) for v in out["via"]]
        return out

    out = readable(contacts)
    if second is not None:
        out.insert(0, "degree", 1)
        out["via"] = ""
        # Second-degree rows are graded by nobody (no room shared with the case): empty there.
        out = pd.concat([out, readable(second).assign(degree=2).reindex(columns=out.columns, fill_value="")],
                        ignore_index=True)
    return out.rename(columns={c: t(f"tracing.col.{c}", lang) for c in out.columns})


def database_key(con: duckdb.DuckDBPyConnection) -> str:
    """The database file's path: part of a page cache's key, so two databases never share results."""
    rows = con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()").fetchall()
    return str(rows[0][0]) if rows else ""


def visits_per_day_by_category(con: duckdb.DuckDBPyConnection, week: str, building: str) -> pd.DataFrame:
    """Visits of ``building`` per local day of ISO ``week`` and category (RULES "Weekly statistics").

    A visit counts on the local day of its check-in, in the category of the visit
    (anything but ASN/THL reads as visitor), like ``weekly_stats``'s ``visits_mon..sun``,
    which these rows add up to. All 7 days x 3 categories: ``day`` (local date),
    ``category``, ``visits`` (zeros included). The zone's fixed offset converts the two
    week bounds and the rows' day, never a per-row zone lookup (RULES "Time").
    """
    from lib.analytics.weekly import parse_iso_week, week_bounds

    year, number = parse_iso_week(week)
    zones = db.building_timezones(con)
    tz_name = zones.get(building, db.DEFAULT_TIMEZONE)
    start, end = week_bounds(year, number, tz_name)
    offset = fixed_offset_seconds(tz_name)
    day_sql = (
        f"CAST(checkin_at + INTERVAL '{int(offset)} seconds' AS DATE)"
        if offset is not None
        else f"CAST(timezone('{tz_name}', checkin_at) AS DATE)"
    )
    counts = con.execute(
        f"""
        SELECT {day_sql} AS day,
               CASE WHEN category IN ('ASN', 'THL') THEN category ELSE 'visitor' END AS category,
               count(*) AS visits
        FROM visits
        WHERE building = ? AND checkin_at >= ? AND checkin_at < ?
        GROUP BY ALL
        """,
        [building, start, end],
    ).fetchall()
    found = {(day, category): int(visits) for day, category, visits in counts}
    monday = date.fromisocalendar(year, number, 1)
    rows = [
        {"day": monday + timedelta(days=offset_days), "category": category,
         "visits": found.get((monday + timedelta(days=offset_days), category), 0)}
        for offset_days in range(7)
        for category in db.CATEGORIES
    ]
    return pd.DataFrame(rows, columns=["day", "category", "visits"])
