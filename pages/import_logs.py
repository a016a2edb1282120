"""Impor / Import (admin): upload several logs, progress, a summary per file, quarantined rows.

Issue 22: a building picker supplies the building of a file without one (a guest book), and
a file whose headers are not recognised gets a column-mapping step (``lib.ingest.mapping``):
which column is what, a preview of the first rows, then the import; remembered per header list.
"""


import pandas as pd
import streamlit as st

from lib.analytics import quality
from lib.core.i18n import quarantine_reason, refusal_message
from lib.ingest import mapping
from lib.outputs import import_template
from lib.store import places
from lib.ui.auth import current_user, require_roles
from lib.ui.data import cursor, import_upload, upload_limit_bytes
from lib.ui.i18n import fmt_number, lang, number_table, relabelled, tr
from lib.ui.plain import escape_markdown, tr_escaped

require_roles("admin")

limit = upload_limit_bytes()
limit_text = f"{fmt_number(limit / (1024 * 1024), 0 if limit >= 1024 * 1024 else 2)} MB"
st.title(tr("import.title"))
st.caption(tr("import.caption", limit=limit_text))


@st.cache_data(show_spinner=False)
def _template(shape: str, file_format: str) -> bytes:
    """Template bytes, built once per shape and format."""
    return import_template.template_bytes(shape, file_format)


with st.expander(tr("import.help"), icon=":material/help:"):
    st.markdown(tr("import.help_intro"))
    for shape in import_template.SHAPES:
        st.markdown(tr(f"import.shape.{shape}"))
        columns = import_template.accepted_columns(shape, lang())
        # A static table wraps long descriptions instead of cutting them off.
        st.table(
            columns.rename(columns={c: tr(f"import.help_col.{c}") for c in columns.columns}),
            hide_index=True, border="horizontal",
        )
        cells = st.columns(2)
        for cell, file_format, mime in (
            (cells[0], "csv", "text/csv"),
            (cells[1], "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ):
            cell.download_button(
                tr(f"import.template_{file_format}"), _template(shape, file_format),
                file_name=import_template.template_filename(shape, file_format), mime=mime,
                key=f"import_template_{shape}_{file_format}", on_click="ignore", width="stretch",
            )

# RULES "Import": the building of rows that name none (one guest book, one building).
FROM_FILE = ""
building_names = dict(sorted(places.building_display_names(cursor()).items(), key=lambda item: item[1]))
# Labels in the session's language, looked up (not computed) when a widget is drawn.
building_labels = {FROM_FILE: tr("mapping.building_from_file"), **building_names}
building = st.selectbox(
    tr("mapping.building"), list(building_labels), key=relabelled("import_building"),
    help=tr("mapping.building_help"), format_func=building_labels.__getitem__,
) or None

files = st.file_uploader(
    tr("import.files"), type=["csv", "txt", "xlsx", "xlsm", "parquet"], accept_multiple_files=True, key="import_files"
)


def header_to_map(upload: object, building_given: bool) -> list[str] | None:
    """The upload's header when its columns are not recognised (lib.ingest.mapping), else None."""
    with mapping.private_copy(cursor(), upload, upload.name) as path:  # type: ignore[attr-defined, arg-type]
        header = mapping.header_to_map(path, building_given)
    upload.seek(0)  # type: ignore[attr-defined]
    return header


if st.button(tr("import.run"), key="import_run", type="primary", disabled=not files):
    bar = st.progress(0.0)
    results = []
    waiting = []
    for index, upload in enumerate(files or []):
        def progress(share: float, index: int = index, name: str = upload.name) -> None:
            text = tr_escaped("import.progress", file=name, index=index + 1, count=len(files or []))
            bar.progress(min((index + share) / len(files or [1]), 1.0), text=text)

        progress(0.0)
        header = header_to_map(upload, building is not None)
        renames = None
        if header is not None:
            # Headers Pantau does not know: the mapping used last time for them, else the mapping step.
            renames = mapping.remembered_mapping(cursor(), header)
            if renames is None or mapping.mapping_problems(renames, building is not None):
                waiting.append(upload.name)
                continue
        summary = import_upload(cursor(), upload, current_user(), limit, limit_text, progress, building, renames)
        results.append(summary.as_dict())
    bar.progress(1.0, text=tr("import.done", count=len(results)))
    st.session_state["import_results"] = results
    st.session_state["import_mapping"] = waiting

# The column-mapping step: one form per file whose headers were not recognised.
for name in list(st.session_state.get("import_mapping") or []):
    upload = next((f for f in files or [] if f.name == name), None)
    if upload is None:
        continue
    with mapping.private_copy(cursor(), upload, name) as path:
        header, first_rows = mapping.read_table(path)
        key = mapping.header_key(header)[:12]
        st.subheader(tr("mapping.title", file=name))
        st.caption(tr("mapping.caption"))
        st.dataframe(first_rows, hide_index=True, width="stretch", key=f"mapping_raw_{key}")
        guess = mapping.remembered_mapping(cursor(), header) or mapping.suggested_mapping(header)
        options = [mapping.IGNORED, *mapping.TARGETS]
        target_labels = {target: tr(f"mapping.target.{target or 'ignored'}") for target in options}
        chosen: dict[str, str] = {}
        cells = st.columns(4)
        for position, column in enumerate(header):
            chosen[column] = cells[position % 4].selectbox(
                column, options, index=options.index(guess.get(column, mapping.IGNORED)),
                key=relabelled(f"mapping_{key}_{position}"), format_func=target_labels.__getitem__,
            )
        problems = mapping.mapping_problems(chosen, building is not None)
        if problems:
            # Refused, and why (a time and an identity are needed: RULES "Import").
            st.error("\n\n".join(tr(f"mapping.problem.{code}") for code in problems), icon=":material/block:")
        else:
            shown = mapping.preview(cursor(), path, chosen, building)
            shown["reason"] = shown["reason"].map(lambda code: quarantine_reason(code, lang()) if code else "")
            st.markdown(tr("mapping.preview"))
            st.dataframe(
                shown.rename(columns={c: tr(f"mapping.col.{c}") for c in shown.columns}),
                hide_index=True, width="stretch", key=f"mapping_preview_{key}",
            )
    if st.button(tr("mapping.run"), key=f"mapping_run_{key}", type="primary", disabled=bool(problems)):
        upload.seek(0)
        summary = import_upload(cursor(), upload, current_user(), limit, limit_text, None, building, chosen)
        if summary.status == "ok":
            mapping.remember_mapping(cursor(), header, chosen)  # for the next file with these headers
        st.session_state["import_results"] = [*(st.session_state.get("import_results") or []), summary.as_dict()]
        st.session_state["import_mapping"] = [n for n in st.session_state["import_mapping"] if n != name]
        st.rerun()

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
        }
    )
    counts = ["rows", "events", "visits", "duplicates", "orphans", "quarantined"]
    if any(r.get("shape") == "roster" for r in results):
        # A staff roster sets persons rather than adding scans (RULES "Places inside a building").
        summary[tr("import.col.persons_set")] = [int(r.get("persons_set") or 0) for r in results]
        counts.append("persons_set")
    st.dataframe(number_table(summary, {tr(f"import.col.{c}"): 0 for c in counts}), hide_index=True,
                 width="stretch", key="import_summary")
    # A refusal is read whole (full width), never cut off in a table cell.
    for r in results:
        if r["status"] == "refused":
            message = refusal_message(
                r["message_code"] or "", lang(), missing=r["missing_columns"], detail=r["message"] or ""
            )
            st.error(
                f"**{escape_markdown(r['file_name'])}** — {escape_markdown(message)}\n\n"
                + tr("import.refused_hint", help=tr("import.help")),
                icon=":material/block:",
            )
    # Buildings first named by these files (RULES "Import"): perhaps a typo, see Settings.
    fresh = sorted({b for r in results for b in r.get("new_buildings") or []})
    if fresh:
        st.warning(tr_escaped("import.new_buildings", buildings=", ".join(fresh)), icon=":material/domain_add:")

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
