"""Texts of the Kualitas data / Data quality page."""

TEXTS: dict[str, dict[str, str]] = {
    "quality.title": {"id": "Kualitas data", "en": "Data quality"},
    "quality.caption": {
        "id": "Pindaian ganda, keluar tanpa masuk, penutupan otomatis (lupa pindai keluar) dan baris karantina, "
        "per gedung dan hari setempat.",
        "en": "Double scans, check-outs without a check-in, automatic closes (forgotten check-outs) and "
        "quarantined rows, per building and local day.",
    },
    "quality.duplicates": {"id": "Pindaian ganda", "en": "Double scans"},
    "quality.orphans": {"id": "Keluar tanpa masuk", "en": "Orphan check-outs"},
    "quality.auto_closes": {"id": "Ditutup otomatis", "en": "Closed automatically"},
    "quality.quarantined": {"id": "Baris karantina", "en": "Quarantined rows"},
    "quality.per_day": {"id": "Per gedung dan hari", "en": "Per building and day"},
    "quality.per_day_help": {
        "id": "Pindaian ganda dan keluar tanpa masuk dihitung pada hari pindaian; penutupan otomatis pada hari check-in.",
        "en": "Double scans and orphan check-outs count on the day of the scan; automatic closes on the day of the check-in.",
    },
    "quality.col.building": {"id": "Gedung", "en": "Building"},
    "quality.col.day": {"id": "Tanggal", "en": "Date"},
    "quality.col.weekday": {"id": "Hari", "en": "Day"},
    "quality.compliance": {"id": "Kepatuhan check-in pegawai", "en": "Staff check-in compliance"},
    "quality.compliance_help": {
        "id": "Pegawai (ASN dan THL) yang check-in per hari dibanding jumlah pegawai yang diharapkan "
        "(diatur per gedung di Pengaturan).",
        "en": "Staff (ASN and THL) who checked in per day against the number of staff expected "
        "(set per building in Settings).",
    },
    "quality.col.checked_in": {"id": "Pegawai check-in", "en": "Staff checked in"},
    "quality.col.expected": {"id": "Diharapkan", "en": "Expected"},
    "quality.col.share": {"id": "Kepatuhan", "en": "Compliance"},
    "quality.workday_mean": {
        "id": "Rata-rata kepatuhan hari kerja (Senin–Jumat)",
        "en": "Mean compliance on working days (Monday–Friday)",
    },
    "quality.no_expected": {
        "id": "Jumlah pegawai yang diharapkan belum diatur untuk: {buildings}.",
        "en": "The number of staff expected is not set for: {buildings}.",
    },
    "quality.quarantine": {"id": "Baris yang dikarantina", "en": "Quarantined rows"},
    "quality.quarantine_help": {
        "id": "Baris rusak dari file impor, dengan alasan. Baris yang baik dari file yang sama sudah diimpor.",
        "en": "Broken rows of imported files, with the reason. The good rows of the same files were imported.",
    },
    "quality.no_quarantine": {"id": "Tidak ada baris yang dikarantina.", "en": "No quarantined rows."},
    "quality.col.imported_at": {"id": "Diimpor", "en": "Imported"},
    "quality.col.file": {"id": "File", "en": "File"},
    "quality.col.row": {"id": "Baris ke", "en": "Row"},
    "quality.col.reason": {"id": "Alasan", "en": "Reason"},
    "quality.col.raw": {"id": "Isi baris", "en": "Row content"},
}
