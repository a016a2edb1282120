"""Texts of the Impor / Import page."""

TEXTS: dict[str, dict[str, str]] = {
    "import.title": {"id": "Impor log kunjungan", "en": "Import visit logs"},
    "import.caption": {
        "id": "CSV (koma atau titik koma), XLSX atau Parquet, beberapa file sekaligus, paling besar {limit} per file. "
        "Baris yang rusak dikarantina; baris yang baik tetap diimpor. Mengimpor ulang file yang sama tidak mengubah apa pun.",
        "en": "CSV (comma or semicolon), XLSX or Parquet, several files at once, at most {limit} per file. "
        "Broken rows are quarantined; the good rows still import. Importing the same file again changes nothing.",
    },
    "import.files": {"id": "File log", "en": "Log files"},
    "import.run": {"id": "Impor", "en": "Import"},
    "import.progress": {"id": "Mengimpor {file} ({index} dari {count})…", "en": "Importing {file} ({index} of {count})…"},
    "import.done": {"id": "Selesai: {count} file.", "en": "Done: {count} files."},
    "import.summary": {"id": "Ringkasan per file", "en": "Summary per file"},
    "import.new_buildings": {
        "id": "Gedung baru (belum dikonfirmasi) dari impor ini: {buildings}. Periksa ejaannya di Pengaturan: "
        "konfirmasi, ganti nama, gabungkan ke gedung yang benar, atau hapus. Sampai dikonfirmasi, gedung ini "
        "tidak dihitung di total pimpinan.",
        "en": "New (unconfirmed) buildings from this import: {buildings}. Check the spelling in Settings: "
        "confirm, rename, merge into the right building, or delete. Until confirmed they are left out of "
        "the leadership totals.",
    },
    "import.col.file": {"id": "File", "en": "File"},
    "import.col.status": {"id": "Status", "en": "Status"},
    "import.col.rows": {"id": "Baris", "en": "Rows"},
    "import.col.events": {"id": "Pindaian baru", "en": "New scans"},
    "import.col.visits": {"id": "Kunjungan baru", "en": "New visits"},
    "import.col.duplicates": {"id": "Duplikat", "en": "Duplicates"},
    "import.col.orphans": {"id": "Keluar tanpa masuk", "en": "Orphan check-outs"},
    "import.col.quarantined": {"id": "Dikarantina", "en": "Quarantined"},
    "import.col.message": {"id": "Keterangan", "en": "Message"},
    "import.status.ok": {"id": "✅ diimpor", "en": "✅ imported"},
    "import.status.refused": {"id": "⛔ ditolak", "en": "⛔ refused"},
    "import.quarantine": {"id": "Baris yang dikarantina", "en": "Quarantined rows"},
    "import.no_quarantine": {"id": "Tidak ada baris yang dikarantina.", "en": "No row was quarantined."},
    "import.col.row": {"id": "Baris ke", "en": "Row"},
    "import.col.reason": {"id": "Alasan", "en": "Reason"},
    "import.col.raw": {"id": "Isi baris", "en": "Row content"},
}
