"""Words of backups and restores (the command line's ``backup`` and ``restore``)."""

TEXTS: dict[str, dict[str, str]] = {
    "backup.error.exists": {
        "id": "{name} sudah ada; pilih nama file baru",
        "en": "{name} exists already; choose a new file name",
    },
    "backup.error.not_found": {
        "id": "file cadangan tidak ditemukan: {path}",
        "en": "backup file not found: {path}",
    },
    "backup.error.not_a_backup": {
        "id": "bukan cadangan Pantau: {detail}",
        "en": "not a Pantau backup: {detail}",
    },
    "backup.error.tables_missing": {
        "id": "bukan cadangan Pantau: tabel-tabelnya tidak ada",
        "en": "not a Pantau backup: its tables are missing",
    },
    "backup.error.newer": {
        "id": "cadangan ini dari Pantau yang lebih baru; perbarui Pantau dulu",
        "en": "the backup comes from a newer Pantau; update first",
    },
    "backup.written": {
        "id": "cadangan ditulis: {file} ({visits} kunjungan)",
        "en": "backup written: {file} ({visits} {visits:one|visit|visits})",
    },
    "backup.restored": {
        "id": "dipulihkan dari {file} ({visits} kunjungan)",
        "en": "restored from {file} ({visits} {visits:one|visit|visits})",
    },
    "cli.interrupted": {"id": "dihentikan", "en": "interrupted"},
}
