"""Reading the audit log (issue 6, "Roles and audit"): who, when, what, for whom, rows.

Records are written by ``lib.store.db.write_audit`` wherever something happens (logins, imports,
tracing searches, exports, settings and user changes); this module only reads them.
"""

from __future__ import annotations

import json
import math
import re
from datetime import date, datetime

import duckdb
import pandas as pd

from lib.core.i18n import all_texts, refusal_message, t
from lib.core.timeutil import format_local_short, zone_label
from lib.store import places

AUDIT_COLUMNS = ["logged_at", "actor", "action", "subject", "params", "rows"]


def read_audit(
    con: duckdb.DuckDBPyConnection,
    actors: list[str] | None = None,
    actions: list[str] | None = None,
    text: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int = 2000,
) -> pd.DataFrame:
    """Audit records, newest first, at most ``limit``.

    ``start``/``end`` are UTC instants, ``[start, end)``; ``text`` matches the subject or
    the parameters, case-insensitively. ``logged_at`` is a UTC instant.
    """
    conditions: list[str] = []
    params: list[object] = []
    if actors:
        conditions.append(f"actor IN ({', '.join('?' for _ in actors)})")
        params.extend(actors)
    if actions:
        conditions.append(f"action IN ({', '.join('?' for _ in actions)})")
        params.extend(actions)
    if text and text.strip():
        conditions.append(
            "(coalesce(subject, '') ILIKE ? ESCAPE '\\' OR coalesce(params, '') ILIKE ? ESCAPE '\\')"
        )
        pattern = "%" + text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        params.extend([pattern, pattern])
    if start is not None:
        conditions.append("logged_at >= ?")
        params.append(start)
    if end is not None:
        conditions.append("logged_at < ?")
        params.append(end)
    where = ("WHERE " + " AND ".join(conditions)) if conditions else ""
    query = f"""
        SELECT logged_at, actor, action, subject, params, rows FROM audit_log {where}
        ORDER BY logged_at DESC, rowid DESC LIMIT {int(limit)}
    """
    return con.execute(query, params).df()


def distinct_values(con: duckdb.DuckDBPyConnection, column: str) -> list[str]:
    """The actors or actions present in the log (for filter choices)."""
    if column not in ("actor", "action"):
        raise ValueError(column)
    return [r[0] for r in con.execute(f"SELECT DISTINCT {column} FROM audit_log ORDER BY 1").fetchall()]


# --- the log in words ------------------------------------------------------------------

# Every action the code writes (``db.write_audit`` / ``lib.ui.auth.audit``); each has the
# text ``audit.action.<code>``. A code not listed (an older or newer version's) is shown
# with its underscores as spaces rather than as a raw key. Split in two for retention
# (``lib.store.retention``, RULES "Personal data"):
# - actions whose subject and parameters never name a visitor or an employee scanned at a
#   door: accounts (staff who log in), files, places, settings, backups; kept whole;
# - actions about a person (tracing, person searches, cases, exports, roll-call ticks):
#   after the retention period their person is a pseudonym. An action in neither list (a
#   newer version's) is treated as about a person.
ACTIONS_WITHOUT_PERSONS = (
    "login", "login_failed", "login_refused_locked", "login_refused_inactive", "account_locked", "logout",
    "login_throttled", "user_create", "user_roles", "user_password_reset", "user_unlock", "user_deactivate", "user_reactivate",
    "user_delete",
    "import", "import_refused", "building_create", "building_update", "building_confirm", "building_rename",
    "building_merge", "building_delete", "gate_create", "gate_update", "area_create", "area_change",
    "setting_change", "backup", "restore", "purge", "rollcall_start",
    "province_publish",  # RULES "Province": a site's aggregates and pseudonyms written to the lake
)
ACTIONS_ABOUT_PERSONS = (
    "trace", "trace_second_degree", "find_person", "export_trace", "rollcall_tick", "rollcall_untick",
    "case_open", "case_view", "case_refresh", "case_contact_set", "case_edit", "case_export", "case_close",
    "desk_checkin", "desk_checkout", "desk_expected_add",
    "province_trace", "province_request_open",  # RULES "Province": tracing across sites
)
ACTIONS = ACTIONS_WITHOUT_PERSONS + ACTIONS_ABOUT_PERSONS
_ISO_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_BUILDING_KEYS = ("building", "buildings", "gedung")


def _known(key: str) -> bool:
    return key in all_texts()


def action_label(code: str, lang: str) -> str:
    """'import_refused' -> 'Impor ditolak' (English: 'Import refused')."""
    key = f"audit.action.{code}"
    return t(key, lang) if _known(key) else str(code).replace("_", " ")


def _param_label(key: str, lang: str) -> str:
    for text_key in (f"audit.param.{key}", f"settings.field.{key}"):
        if _known(text_key):
            return t(text_key, lang)
    return str(key).replace("_", " ")


def _is_empty(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip().lower() in ("", "none", "null", "nan", "nat")


def _number(value: float, lang: str) -> str:
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}".rstrip("0")
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".") if lang == "id" else text


def value_text(value: object, lang: str, zone: str, names: dict[str, str] | None = None) -> str:
    """One parameter value for people: instants as '03/01/2022 08:00 WITA' (a local
    midnight as the date alone), ISO dates as '03/01/2022', booleans as yes/no, numbers in
    the language's style, lists joined with ', ', {old, new} as 'old → new'; building ids
    become names when ``names`` has them. Empty, None, null and NaN give ''."""
    names = names or {}
    if _is_empty(value):
        return ""
    if isinstance(value, bool):
        return t("audit.yes" if value else "audit.no", lang)
    if isinstance(value, int | float):
        return _number(float(value), lang)
    if isinstance(value, list | tuple):
        return ", ".join(text for text in (value_text(v, lang, zone, names) for v in value) if text)
    if isinstance(value, dict):
        if set(value) <= {"old", "new"}:
            old, new = (value_text(value.get(k), lang, zone, names) for k in ("old", "new"))
            return f"{old} → {new}" if old else new
        return "; ".join(
            f"{_param_label(str(k), lang)}: {text}"
            for k, v in value.items()
            if (text := value_text(v, lang, zone, names))
        )
    text = str(value).strip()
    if _ISO_DATE.match(text):
        try:
            return f"{date.fromisoformat(text):%d/%m/%Y}"
        except ValueError:
            return text
    if _ISO_INSTANT.match(text):
        try:
            stamp = pd.Timestamp(text)
        except ValueError:
            return text
        local = stamp.tz_convert(zone) if stamp.tzinfo is not None else stamp
        label = f" {zone_label(zone)}" if stamp.tzinfo is not None else ""
        if (local.hour, local.minute, local.second) == (0, 0, 0):
            return f"{local:%d/%m/%Y}"
        return f"{local:%d/%m/%Y %H:%M}{label}"
    return names.get(text, text)


def params_text(params: object, lang: str, zone: str, names: dict[str, str] | None = None) -> str:
    """The stored JSON parameters as 'gedung: Kantor Walikota, dari: 03/01/2022, ...';
    keys in words, empty values left out; text that is not JSON is shown as it is."""
    if _is_empty(params):
        return ""
    try:
        parsed = json.loads(str(params))
    except ValueError:
        return str(params)
    if not isinstance(parsed, dict):
        return value_text(parsed, lang, zone, names)
    parts = []
    for key, value in parsed.items():
        building_names = names if key in _BUILDING_KEYS else None
        if key == "reason":
            text = _reason_text(value, lang)
        elif _known(f"audit.value.{key}.{value}"):  # a code word ('events') in words
            text = t(f"audit.value.{key}.{value}", lang)
        else:
            text = value_text(value, lang, zone, building_names)
        if text:
            parts.append(f"{_param_label(str(key), lang)}: {text}")
    return ", ".join(parts)


def _reason_text(value: object, lang: str) -> str:
    """An import refusal's stored reason ('missing_columns: action, timestamp') in words."""
    if _is_empty(value):
        return ""
    code, _, rest = str(value).partition(":")
    if not _known(f"refused.{code.strip()}"):
        return str(value)
    missing = [c.strip() for c in rest.split(",") if c.strip()]
    message = refusal_message(code.strip(), lang, missing=missing, detail="")
    # 'File refused: <why>': the action already says refused; keep the why.
    message = message.partition(": ")[2] or message
    return message.replace("()", "").strip().rstrip(":").strip()


def subject_text(action: str, subject: object, lang: str, names: dict[str, str]) -> str:
    """The subject for people: a building's name for building actions, a setting in words."""
    if _is_empty(subject):
        return ""
    text = str(subject)
    if action.startswith("building_"):
        return names.get(text, text)
    if action == "setting_change":
        key, _, building = text.partition(":")
        label = t(f"audit.setting.{key}", lang) if _known(f"audit.setting.{key}") else key.replace("_", " ")
        return f"{label}: {names.get(building, building)}" if building else label
    return text


def readable_audit(con: duckdb.DuckDBPyConnection, records: pd.DataFrame, lang: str, zone: str) -> pd.DataFrame:
    """``read_audit`` rows in words: when (local, zone named), who, action, subject,
    parameters, rows (empty when not counted). Columns: when, actor, action, subject,
    params, rows, all text; nothing reads 'None', 'null' or 'nan'."""
    names = places.building_display_names(con)
    rows = []
    for record in records.itertuples(index=False):
        count = record.rows
        rows.append(
            {
                "when": format_local_short(record.logged_at, zone),
                "actor": "" if _is_empty(record.actor) else str(record.actor),
                "action": action_label(str(record.action), lang),
                "subject": subject_text(str(record.action), record.subject, lang, names),
                "params": params_text(record.params, lang, zone, names),
                "rows": "" if count is None or pd.isna(count) else _number(float(count), lang),
            }
        )
    return pd.DataFrame(rows, columns=["when", "actor", "action", "subject", "params", "rows"])
