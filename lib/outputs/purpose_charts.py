"""The week's visits by purpose or host as a bar chart (issue 22; the Weekly page).

Counts only (``lib.analytics.purposes.weekly_by``): one horizontal bar per purpose or host,
this week beside the week before, the largest on top.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from lib.core.i18n import t

CHART_ROWS = 15  # the largest this many; a long tail of one-off purposes would be unreadable


def purpose_figure(frame: pd.DataFrame, by: str, lang: str | None = None) -> go.Figure:
    """Bars of ``visits`` (and ``visits_prev``) per label of one building's rows."""
    rows = frame.sort_values(["visits", by], ascending=[False, True]).head(CHART_ROWS).iloc[::-1]
    labels = [str(v) for v in rows[by]]
    fig = go.Figure()
    fig.add_bar(y=labels, x=[int(v) for v in rows["visits_prev"]], orientation="h",
                name=t("purposes.col.visits_prev", lang), marker_color="#b8c7d9")
    fig.add_bar(y=labels, x=[int(v) for v in rows["visits"]], orientation="h",
                name=t("purposes.col.visits", lang), marker_color="#4c78a8")
    fig.update_layout(
        barmode="group", height=max(260, 28 * len(labels) + 120),
        margin={"l": 20, "r": 20, "t": 30, "b": 40},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "traceorder": "reversed"},
    )
    fig.update_xaxes(title_text=t("purposes.chart_visits", lang), rangemode="tozero")
    fig.update_yaxes(type="category", automargin=True)
    return fig
