"""Words users read, in Bahasa Indonesia (default) and English.

Plain dictionaries, no Streamlit: the command line, exports and pages share them.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache

from lib.core import config

LANGUAGES = ("id", "en")
DEFAULT_LANGUAGE = "id"

TEXTS: dict[str, dict[str, str]] = {
    # Import refusals (a whole file) and quarantine reasons (a row).
    "refused.missing_columns": {
        "id": "File ditolak: bukan log kunjungan, kolom wajib tidak ada: {columns}",
        "en": "File refused: not a visit log, missing columns: {columns}",
    },
    "refused.empty": {"id": "File ditolak: file kosong", "en": "File refused: the file is empty"},
    "refused.binary": {
        "id": "File ditolak: bukan file teks (CSV), XLSX atau Parquet",
        "en": "File refused: not a text (CSV), XLSX or Parquet file",
    },
    "refused.not_a_table": {
        "id": "File ditolak: isi file tidak dapat dibaca sebagai tabel ({detail})",
        "en": "File refused: the content cannot be read as a table ({detail})",
    },
    "refused.bad_xlsx": {
        "id": "File ditolak: file Excel rusak atau tidak dapat dibuka ({detail})",
        "en": "File refused: the Excel file is damaged or cannot be opened ({detail})",
    },
    "refused.bad_parquet": {
        "id": "File ditolak: file Parquet rusak ({detail})",
        "en": "File refused: the Parquet file is damaged ({detail})",
    },
    "refused.too_large": {
        "id": "File ditolak: lebih besar dari batas {limit}",
        "en": "File refused: larger than the limit of {limit}",
    },
    "reason.missing_value": {"id": "nilai wajib kosong: {column}", "en": "required value missing: {column}"},
    "reason.bad_timestamp": {"id": "waktu tidak dapat dibaca", "en": "unreadable timestamp"},
    "reason.bad_checkout_timestamp": {
        "id": "jam keluar tidak dapat dibaca",
        "en": "unreadable check-out time",
    },
    "reason.bad_action": {
        "id": "aksi tidak dikenal (harus masuk/keluar)",
        "en": "unknown action (must be check-in/check-out)",
    },
    "reason.checkout_not_after_checkin": {
        "id": "jam keluar tidak setelah jam masuk",
        "en": "check-out is not later than check-in",
    },
    "reason.wrong_field_count": {
        "id": "jumlah kolom baris tidak sesuai header",
        "en": "the row has more fields than the header",
    },
    "reason.room_without_building": {
        "id": "ruang diisi tanpa gedung",
        "en": "a room without a building",
    },
    "reason.unknown_category": {
        "id": "kategori tidak dikenal (harus ASN, THL atau pengunjung)",
        "en": "unknown category (must be ASN, THL or visitor)",
    },
    "cli.db_locked": {
        "id": "basis data sedang dipakai proses lain: {detail}",
        "en": "the database is in use by another process: {detail}",
    },
    "cli.file_not_found": {"id": "file tidak ditemukan: {path}", "en": "file not found: {path}"},
    "cli.unknown_building": {"id": "gedung tidak dikenal: {building}", "en": "unknown building: {building}"},
    "cli.unknown_person": {"id": "orang tidak ditemukan: {person}", "en": "person not found: {person}"},
    "cli.bad_argument": {"id": "argumen salah: {detail}", "en": "bad argument: {detail}"},
    "cli.demo_done": {
        "id": "data demo dimuat: {visits} kunjungan di {buildings} gedung",
        "en": "demo data loaded: {visits} visits in {buildings} buildings",
    },
}


@lru_cache(maxsize=1)
def all_texts() -> dict[str, dict[str, str]]:
    """The core texts above merged with every ``lib/texts/<area>.py``."""
    import lib.core.texts

    merged = dict(TEXTS)
    for module_info in pkgutil.iter_modules(lib.core.texts.__path__):
        module = importlib.import_module(f"lib.core.texts.{module_info.name}")
        merged.update(getattr(module, "TEXTS", {}))
    return merged


def current_language() -> str:
    lang = config.language() or DEFAULT_LANGUAGE
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, lang: str | None = None, **values: object) -> str:
    """The text for ``key`` in ``lang``; falls back to Indonesian, then to the key."""
    entry = all_texts().get(key)
    if entry is None:
        return key
    text = entry.get(lang or current_language()) or entry[DEFAULT_LANGUAGE]
    return text.format(**values) if values else text


def quarantine_reason(code: str, lang: str | None = None) -> str:
    """A stored reason code ('missing_value:person_id') in words."""
    name, _, column = code.partition(":")
    return t(f"reason.{name}", lang, column=column) if column else t(f"reason.{name}", lang)


def refusal_message(code: str, lang: str | None = None, missing: list[str] | None = None, detail: str = "") -> str:
    return t(f"refused.{code}", lang, columns=", ".join(missing or []), detail=detail, limit=detail)
