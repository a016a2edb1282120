"""Texts of the Daftar pegawai / Roster page (admin)."""

TEXTS: dict[str, dict[str, str]] = {
    "roster.title": {"id": "Daftar pegawai", "en": "Staff roster"},
    "roster.caption": {
        "id": "Unit, gedung dan ruang kerja tiap pegawai dari daftar pegawai yang diimpor (halaman Impor). "
        "Pelacakan memakai ruang kerja untuk menilai kontak satu ruang (K1).",
        "en": "Each staff member's unit, home building and home room from the imported roster (Import page). "
        "Tracing uses the home room to grade same-room contacts (K1).",
    },
    "roster.empty": {
        "id": "Belum ada daftar pegawai. Impor file dengan kolom NIP dan unit_kerja atau ruang di halaman Impor "
        "(ada file contoh di sana).",
        "en": "No roster yet. Import a file with a NIP column and a unit or room column on the Import page "
        "(a template file is there).",
    },
    "roster.last": {"id": "Impor daftar pegawai terakhir", "en": "Last roster import"},
    "roster.last_detail": {
        "id": "**{file}**, {when}, oleh {who}: {persons} pegawai diatur, {quarantined} baris dikarantina. "
        "Umur: {age} hari (masa simpan {retention} hari).",
        "en": "**{file}**, {when}, by {who}: {persons} {persons:one|person|persons} set, {quarantined} {quarantined:one|row|rows} quarantined. "
        "Age: {age} {age:one|day|days} (retention {retention} {retention:one|day|days}).",
    },
    "roster.warn_old": {
        "id": "Daftar pegawai ini akan dihapus oleh pembersihan data pribadi dalam {days} hari (masa simpan "
        "{retention} hari). Impor daftar pegawai terbaru agar ruang kerja tetap dipakai dalam pelacakan.",
        "en": "This roster will be removed by the personal-data purge in {days} {days:one|day|days} (retention {retention} "
        "{retention:one|day|days}). Import the current roster so tracing keeps using the home rooms.",
    },
    "roster.warn_purged": {
        "id": "Daftar pegawai ini sudah lebih tua dari masa simpan ({retention} hari): pembersihan berikutnya "
        "menghapusnya. Impor daftar pegawai terbaru.",
        "en": "This roster is older than the retention period ({retention} {retention:one|day|days}): the next purge removes it. "
        "Import the current roster.",
    },
    "roster.metric.persons": {"id": "Pegawai", "en": "Staff"},
    "roster.metric.units": {"id": "Unit kerja", "en": "Units"},
    "roster.metric.rooms": {"id": "Ruang kerja", "en": "Home rooms"},
    "roster.metric.no_room": {"id": "Tanpa ruang", "en": "Without a room"},
    "roster.counts": {"id": "Jumlah pegawai per unit dan ruang", "en": "Staff per unit and room"},
    "roster.people": {"id": "Pegawai", "en": "Staff"},
    "roster.filter": {
        "id": "Cari (nama, NIP, unit, gedung atau ruang)", "en": "Search (name, NIP, unit, building or room)",
    },
    "roster.filter_unit": {"id": "Unit kerja", "en": "Unit"},
    "roster.filter_building": {"id": "Gedung", "en": "Building"},
    "roster.shown": {"id": "{shown} dari {total} pegawai", "en": "{shown} of {total} staff"},
    "roster.none": {"id": "(kosong)", "en": "(empty)"},
    "roster.col.person_id": {"id": "NIP", "en": "NIP"},
    "roster.col.name": {"id": "Nama", "en": "Name"},
    "roster.col.unit": {"id": "Unit kerja", "en": "Unit"},
    "roster.col.building": {"id": "Gedung", "en": "Building"},
    "roster.col.room": {"id": "Ruang", "en": "Room"},
    "roster.col.category": {"id": "Kategori", "en": "Category"},
    "roster.col.persons": {"id": "Pegawai", "en": "Staff"},
    "roster.quarantine": {"id": "Baris daftar pegawai yang dikarantina", "en": "Quarantined roster rows"},
    "roster.no_quarantine": {"id": "Tidak ada baris yang dikarantina.", "en": "No row was quarantined."},
    "roster.col.file": {"id": "File", "en": "File"},
    "roster.col.imported_at": {"id": "Diimpor", "en": "Imported"},
    "roster.col.row": {"id": "Baris ke", "en": "Row"},
    "roster.col.reason": {"id": "Alasan", "en": "Reason"},
    "roster.col.raw": {"id": "Isi baris", "en": "Row content"},
}
