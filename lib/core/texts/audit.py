"""Texts of the Audit page."""

TEXTS: dict[str, dict[str, str]] = {
    "audit.title": {"id": "Log audit", "en": "Audit log"},
    "audit.caption": {
        "id": "Siapa melakukan apa, kapan, untuk siapa dan berapa baris: masuk/keluar, impor, pelacakan, "
        "unduhan, pengaturan dan perubahan pengguna. Waktu setempat ({zone}).",
        "en": "Who did what, when, for whom and how many rows: logins, imports, tracing, downloads, settings "
        "and user changes. Local time ({zone}).",
    },
    "audit.actors": {"id": "Pelaku", "en": "Who"},
    "audit.actions": {"id": "Tindakan", "en": "Action"},
    "audit.text": {"id": "Cari subjek atau parameter", "en": "Search subject or parameters"},
    "audit.col.when": {"id": "Waktu", "en": "When"},
    "audit.col.actor": {"id": "Pelaku", "en": "Who"},
    "audit.col.action": {"id": "Tindakan", "en": "What"},
    "audit.col.subject": {"id": "Untuk / subjek", "en": "For whom / subject"},
    "audit.col.params": {"id": "Parameter", "en": "Parameters"},
    "audit.col.rows": {"id": "Baris", "en": "Rows"},
    "audit.count": {"id": "{count} catatan (paling baru dulu).", "en": "{count} records (newest first)."},
    "audit.empty": {"id": "Tidak ada catatan untuk pilihan ini.", "en": "No records for this choice."},
}
