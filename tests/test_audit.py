"""The audit log in words: every action the code writes has a name in both languages,
parameters read as text, and nothing shows 'None', 'null' or 'nan'."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import duckdb

from lib.core.i18n import all_texts
from lib.store import audit, db, places

ROOT = Path(__file__).resolve().parents[1]
WITA = "Asia/Makassar"

# Where the code writes audit records: db.write_audit(con, actor, ACTION, ...), tracing's
# _audit(con, actor, ACTION, ...) and lib.ui.auth.audit(ACTION, ...). The action argument
# may be a choice ("building_create" if ... else "building_update"): every string in it.
ACTION_ARGUMENT = {"write_audit": 2, "_audit": 2, "audit": 0}


def written_actions() -> set[str]:
    found: set[str] = set()
    for folder in ("lib", "pages"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
                position = ACTION_ARGUMENT.get(str(name))
                if position is None or len(node.args) <= position:
                    continue
                found.update(
                    c.value for c in ast.walk(node.args[position])
                    if isinstance(c, ast.Constant) and isinstance(c.value, str)
                )
    return found


def test_every_action_the_code_writes_has_words_in_both_languages() -> None:
    found = written_actions()
    # The scan really sees the writers (a regex that matches nothing would pass anything).
    assert {"import_refused", "user_create", "setting_change", "trace", "export_trace", "purge", "login"} <= found
    texts = all_texts()
    for action in sorted(found):
        assert action in audit.ACTIONS, action
        entry = texts.get(f"audit.action.{action}")
        assert entry and entry["id"] and entry["en"], action
    assert audit.action_label("import_refused", "id") == "Impor ditolak"
    assert audit.action_label("user_create", "id") == "Pengguna dibuat"
    assert audit.action_label("user_create", "en") == "User created"
    assert audit.action_label("building_merge_later", "en") == "building merge later"


def test_actions_kept_after_retention_are_real_and_never_about_a_person() -> None:
    """RULES "Personal data": after the period, every record but those of the kept actions
    loses whom it was about; a misspelt kept action would quietly pseudonymize nothing."""
    from lib.store import retention

    kept = set(retention.AUDIT_ACTIONS_WITHOUT_PERSONS)
    assert kept <= set(audit.ACTIONS)
    about_persons = {"trace", "trace_second_degree", "export_trace", "rollcall_tick",
                     "rollcall_untick", "case_open", "case_view", "case_contact_set", "case_export", "case_close"}
    assert about_persons <= written_actions() and not kept & (about_persons | {"find_person"})


def test_parameters_read_as_text(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("INSERT INTO buildings (building_id, name) VALUES ('kantor-walikota', 'Kantor Walikota')")
    tracing = json.dumps(
        {"building": "kantor-walikota", "from": "2022-01-02T16:00:00+00:00", "to": "2022-01-17T00:30:00+00:00",
         "min_overlap_minutes": 15.0, "tail_minutes": 0.0, "second_degree": False, "note": None}
    )
    assert audit.params_text(tracing, "en", WITA, {"kantor-walikota": "Kantor Walikota"}) == (
        "building: Kantor Walikota, from: 03/01/2022, to: 17/01/2022 08:30 WITA, "
        "minimum overlap (minutes): 15, tail (minutes): 0, second degree: no"
    )
    assert audit.params_text('{"from": "2022-01-03", "min_overlap": 7.5}', "id", WITA) == (
        "dari: 03/01/2022, tumpang tindih minimum (menit): 7,5"
    )
    assert audit.params_text('{"old": null, "new": "https://x.go.id"}', "en", WITA) == "new: https://x.go.id"
    assert audit.params_text('{"capacity": {"old": 100, "new": 1200}}', "id", WITA) == "kapasitas: 100 → 1.200"
    assert audit.params_text('{"roles": ["admin", "tracer"]}', "en", WITA) == "roles: admin, tracer"
    assert audit.params_text('{"shape": "events", "quarantined": 1200}', "id", WITA) == (
        "bentuk file: log pindaian, dikarantina: 1.200"
    )
    assert audit.params_text('{"shape": "roster"}', "id", WITA) == "bentuk file: daftar pegawai"
    for empty in (None, "", "null", "None", float("nan")):
        assert audit.params_text(empty, "id", WITA) == ""
    assert audit.params_text("not json", "id", WITA) == "not json"


def test_readable_log_has_words_and_no_none(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("INSERT INTO buildings (building_id, name) VALUES ('kantor-walikota', 'Kantor Walikota')")
    places.set_public_base_url(con, "https://pantau.bitungkota.go.id", "kabag")
    db.write_audit(con, "kabag", "import_refused", "absen.csv", json.dumps({"reason": "missing_columns: action"}), 0)
    db.write_audit(con, "system", "user_create", "pelacak", json.dumps({"roles": ["tracer"]}), None)
    db.write_audit(con, "cli", "backup", None, None, None)
    db.write_audit(con, "kabag", "building_update", "kantor-walikota", json.dumps({"name": {"old": None, "new": "X"}}), 1)
    shown = audit.readable_audit(con, audit.read_audit(con), "en", WITA)
    assert list(shown.columns) == ["when", "actor", "action", "subject", "params", "rows"]
    by_action = shown.set_index("action")
    assert by_action.loc["Import refused", "params"] == "reason: not a visit log, missing columns: action"
    assert by_action.loc["User created", "params"] == "roles: tracer"
    assert by_action.loc["User created", "rows"] == ""
    assert by_action.loc["Setting changed", "subject"] == "public address"
    assert by_action.loc["Setting changed", "params"] == "new: https://pantau.bitungkota.go.id"
    assert by_action.loc["Building changed", "subject"] == "Kantor Walikota"
    assert by_action.loc["Backup made", "subject"] == "" and by_action.loc["Backup made", "params"] == ""
    assert all(w.endswith(" WITA") for w in shown["when"])
    cells = " | ".join(str(v) for v in shown.to_numpy().ravel())
    for word in ("None", "null", "nan", "NaN", "<NA>"):
        assert word not in cells, word
