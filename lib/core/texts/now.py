"""Texts of the Sekarang / Now page."""

TEXTS: dict[str, dict[str, str]] = {
    "now.title": {"id": "Sekarang", "en": "Now"},
    "now.caption": {
        "id": "Orang di dalam gedung saat ini, per kategori, dibanding ambang kerumunan. "
        "Diperbarui otomatis setiap 30 detik.",
        "en": "People inside each building now, by category, against the crowd threshold. "
        "Refreshes itself every 30 seconds.",
    },
    "now.updated": {"id": "Diperbarui {time}", "en": "Updated {time}"},
    "now.inside": {"id": "Di dalam sekarang", "en": "Inside now"},
    "now.category.ASN": {"id": "ASN", "en": "ASN"},
    "now.category.THL": {"id": "THL", "en": "THL"},
    "now.category.visitor": {"id": "Pengunjung", "en": "Visitors"},
    "now.threshold": {"id": "Ambang kerumunan", "en": "Crowd threshold"},
    "now.set_threshold": {"id": "Atur ambang di Pengaturan →", "en": "Set it in Settings →"},
    "now.set_threshold_help": {
        "id": "Membuka Pengaturan dengan gedung ini terpilih.",
        "en": "Opens Settings with this building chosen.",
    },
    "now.all_buildings": {
        "id": "**Semua gedung: {people} orang di dalam sekarang** · ASN {ASN} · THL {THL} · Pengunjung {visitor}",
        "en": "**All buildings: {people} {people:one|person|people} inside now** · ASN {ASN} · THL {THL} · Visitors {visitor}",
    },
    "now.all_buildings_caption": {
        "id": "Jumlah orang di dalam seluruh gedung sekarang, per kategori (sama dengan daftar apel darurat).",
        "en": "People inside all buildings now, by category (the same as the roll-call list).",
    },
    "now.visits_today": {"id": "Kunjungan hari ini", "en": "Visits today"},
    "now.finished_today": {"id": "Selesai hari ini", "en": "Finished today"},
    "now.finished_today_help": {
        "id": "Kunjungan hari ini yang sudah berakhir: keluar dengan pindaian atau ditutup otomatis "
        "setelah batas lama kunjungan.",
        "en": "Today's visits that are over: checked out with a scan, or closed automatically after the "
        "longest stay.",
    },
    "now.of_threshold": {"id": "{inside} dari ambang {threshold}", "en": "{inside} of a threshold of {threshold}"},
    "now.light.green": {"id": "Aman (di bawah 80 % ambang)", "en": "Fine (below 80 % of the threshold)"},
    "now.light.yellow": {"id": "Mendekati ambang", "en": "Close to the threshold"},
    "now.light.red": {"id": "Melewati ambang kerumunan", "en": "Above the crowd threshold"},
    "now.light.none": {"id": "Ambang kerumunan belum diatur", "en": "No crowd threshold set"},
    "now.last_scans": {"id": "Pindaian terakhir", "en": "Latest scans"},
    "now.no_scans": {"id": "Belum ada pindaian.", "en": "No scans yet."},
    "now.col.time": {"id": "Waktu", "en": "Time"},
    "now.col.building": {"id": "Gedung", "en": "Building"},
    "now.col.gate": {"id": "Pintu", "en": "Gate"},
    "now.col.action": {"id": "Aksi", "en": "Action"},
    "now.col.name": {"id": "Nama", "en": "Name"},
    "now.col.category": {"id": "Kategori", "en": "Category"},
}
