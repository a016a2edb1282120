"""Impor / Import (admin): upload several logs, progress, a summary per file, quarantined rows."""

import pandas as pd
import streamlit as st

from lib import quality
from lib.i18n import refusal_message
from lib.ui.auth import current_user, require_roles
from lib.ui.data import cursor, import_upload, upload_limit_bytes
from lib.ui.i18n import fmt_number, lang, number_table, tr

require_roles("admin")

limit = upload_limit_bytes()
limit_text = f"{fmt_number(limit / (1024 * 1024), 0 if limit >= 1024 * 1024 else 2)} MB"
st.title(tr("import.title"))
st.caption(tr("import.caption", limit=limit_text))

files = st.file_uploader(
    tr("import.files"), type=["csv", "txt", "xlsx", "xlsm", "parquet"], accept_multiple_files=True, key="import_files"
)
if st.button(tr("import.run"), key="import_run", type="primary", disabled=not files):
    bar = st.progress(0.0)
    results = []
    for index, upload in enumerate(files or []):
        def progress(share: float, index: int = index, name: str = upload.name) -> None:
            text = tr("import.progress", file=name, index=index + 1, count=len(files or []))
            bar.progress(min((index + share) / len(files or [1]), 1.0), text=text)

        progress(0.0)
        results.append(import_upload(cursor(), upload, current_user(), limit, limit_text, progress).as_dict())
    bar.progress(1.0, text=tr("import.done", count=len(results)))
    st.session_state["import_results"] = results

results = st.session_state.get("import_results") or []
if results:
    st.subheader(tr("import.summary"))
    summary = pd.DataFrame(
        {
            tr("import.col.file"): [r["file_name"] for r in results],
            tr("import.col.status"): [tr(f"import.status.{r['status']}") for r in results],
            tr("import.col.rows"): [int(r["rows_read"]) for r in results],
            tr("import.col.events"): [int(r["events_new"]) for r in results],
            tr("import.col.visits"): [int(r["new_visits"]) for r in results],
            tr("import.col.duplicates"): [int(r["duplicates"]) for r in results],
            tr("import.col.orphans"): [int(r["orphans"]) for r in results],
            tr("import.col.quarantined"): [int(r["quarantined"]) for r in results],
            tr("import.col.message"): [
                refusal_message(r["message_code"] or "", lang(), missing=r["missing_columns"], detail=r["message"] or "")
                if r["status"] == "refused" else ""
                for r in results
            ],
        }
    )
    counts = ("rows", "events", "visits", "duplicates", "orphans", "quarantined")
    st.dataframe(number_table(summary, {tr(f"import.col.{c}"): 0 for c in counts}), hide_index=True,
                 width="stretch", key="import_summary")

    st.subheader(tr("import.quarantine"))
    names = [r["file_name"] for r in results if r["status"] == "ok" and r["quarantined"]]
    rows = quality.quarantine_rows(cursor(), names, lang())
    if rows.empty:
        st.caption(tr("import.no_quarantine"))
    else:
        st.dataframe(
            pd.DataFrame(
                {
                    tr("import.col.file"): rows["file_name"],
                    tr("import.col.row"): rows["row_no"],
                    tr("import.col.reason"): rows["reason_text"],
                    tr("import.col.raw"): rows["raw"],
                }
            ),
            hide_index=True, width="stretch", key="import_quarantine",
        )
