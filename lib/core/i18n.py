"""Words users read, in Bahasa Indonesia (default) and English.

Plain dictionaries, no Streamlit: the command line, exports and pages share them.
"""

from __future__ import annotations

import importlib
import pkgutil
import string
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
    "cli.bad_setting": {
        "id": "{name}={value} tidak dapat dipakai: {expected}",
        "en": "{name}={value} cannot be used: {expected}",
    },
    "setting.expected.number": {"id": "angka lebih dari 0", "en": "a number greater than 0"},
    "setting.expected.whole_number": {"id": "bilangan bulat, 0 atau lebih", "en": "a whole number, 0 or more"},
    "setting.expected.seconds": {"id": "jumlah detik, 0 atau lebih", "en": "a number of seconds, 0 or more"},
    "setting.expected.zero_or_one": {"id": "0 atau 1", "en": "0 or 1"},
    "setting.expected.language": {"id": "id atau en", "en": "id or en"},
    "setting.expected.memory": {"id": "ukuran seperti 768MB atau 2GB", "en": "a size such as 768MB or 2GB"},
    "setting.expected.addresses": {
        "id": "alamat atau jaringan seperti 127.0.0.1 atau 10.0.0.0/8, dipisah koma",
        "en": "addresses or networks such as 127.0.0.1 or 10.0.0.0/8, comma-separated",
    },
    "cli.file_not_found": {"id": "file tidak ditemukan: {path}", "en": "file not found: {path}"},
    "cli.unknown_person": {"id": "orang tidak ditemukan: {person}", "en": "person not found: {person}"},
    "cli.bad_argument": {"id": "argumen salah: {detail}", "en": "bad argument: {detail}"},
    "cli.demo_done": {
        "id": "data demo dimuat: {visits} kunjungan di {buildings} gedung",
        "en": "demo data loaded: {visits} {visits:one|visit|visits} in {buildings} {buildings:one|building|buildings}",
    },
}


@lru_cache(maxsize=1)
def all_texts() -> dict[str, dict[str, str]]:
    """The core texts above merged with every ``lib/core/texts/<area>.py``."""
    import lib.core.texts

    merged = dict(TEXTS)
    for module_info in pkgutil.iter_modules(lib.core.texts.__path__):
        module = importlib.import_module(f"lib.core.texts.{module_info.name}")
        merged.update(getattr(module, "TEXTS", {}))
    return merged


def current_language() -> str:
    lang = config.language() or DEFAULT_LANGUAGE
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


class _TextFormatter(string.Formatter):
    """``str.format`` plus one format of its own for English counts: ``{n:one|scan|scans}``
    gives 'scan' when ``n`` is 1 (a number or its formatted text '1'), else 'scans'."""

    def format_field(self, value: object, format_spec: str) -> str:
        if format_spec.startswith("one|"):
            _, one, many = format_spec.split("|", 2)
            return one if str(value).strip() == "1" else many
        return super().format_field(value, format_spec)  # type: ignore[no-any-return]


_FORMATTER = _TextFormatter()


def t(key: str, lang: str | None = None, **values: object) -> str:
    """The text for ``key`` in ``lang``; falls back to Indonesian, then to the key."""
    entry = all_texts().get(key)
    if entry is None:
        return key
    text = entry.get(lang or current_language()) or entry[DEFAULT_LANGUAGE]
    return _FORMATTER.format(text, **values) if values else text


def quarantine_reason(code: str, lang: str | None = None) -> str:
    """A stored reason code ('missing_value:person_id') in words."""
    name, _, column = code.partition(":")
    return t(f"reason.{name}", lang, column=column) if column else t(f"reason.{name}", lang)


def refusal_message(code: str, lang: str | None = None, missing: list[str] | None = None, detail: str = "") -> str:
    return t(f"refused.{code}", lang, columns=", ".join(missing or []), detail=detail, limit=detail)
