"""Texts of the Apel darurat / Roll-call page, its PDF and its command."""

TEXTS: dict[str, dict[str, str]] = {
    "nav.rollcall": {"id": "Apel darurat", "en": "Roll-call"},
    "rollcall.title": {"id": "Apel darurat", "en": "Roll-call"},
    "rollcall.caption": {
        "id": "Semua orang di dalam gedung sekarang, per ruang (ruang dari pindaian, jika tidak dari daftar "
        "pegawai, jika tidak \"di dalam gedung\"). Unduh PDF dan CSV selagi jaringan masih ada.",
        "en": "Everyone inside now, by room (the scanned room, else the roster's room, else \"in the "
        "building\"). Download the PDF and the CSV while the network still works.",
    },
    "rollcall.building": {"id": "Gedung", "en": "Building"},
    "rollcall.all_buildings": {"id": "Semua gedung", "en": "All buildings"},
    "rollcall.start": {"id": "Mulai apel (bekukan daftar sekarang)", "en": "Start a roll-call (freeze the list now)"},
    "rollcall.started": {
        "id": "Apel dimulai {time} oleh {user}: daftar orang di dalam pada saat itu.",
        "en": "Roll-call started {time} by {user}: the people inside at that moment.",
    },
    "rollcall.live": {
        "id": "Daftar langsung {time}. Mulai apel untuk mencentang orang yang sudah di titik kumpul.",
        "en": "Live list {time}. Start a roll-call to tick people off at the assembly point.",
    },
    "rollcall.counts": {
        "id": "{ticked} dari {people} orang sudah dicentang; {missing} belum.",
        "en": "{ticked} of {people} {people:one|person|people} ticked; {missing} still missing.",
    },
    "rollcall.total": {
        "id": "**Semua gedung: {people} orang di dalam** · ASN {ASN} · THL {THL} · Pengunjung {visitor}",
        "en": "**All buildings: {people} {people:one|person|people} inside** · ASN {ASN} · THL {THL} · Visitors {visitor}",
    },
    "rollcall.nobody": {"id": "Tidak ada orang di dalam.", "en": "Nobody is inside."},
    "rollcall.in_building": {"id": "Di dalam gedung (ruang tidak diketahui)", "en": "In the building (room unknown)"},
    "rollcall.assumed": {"id": "ruang kerja menurut daftar pegawai", "en": "home room from the roster"},
    "rollcall.download_pdf": {"id": "Unduh PDF (A4, untuk dicetak)", "en": "Download the PDF (A4, to print)"},
    "rollcall.download_csv": {"id": "Unduh daftar (CSV)", "en": "Download the list (CSV)"},
    "rollcall.tick_help": {"id": "Centang bila orang ini sudah terlihat selamat.", "en": "Tick when this person is seen safe."},
    "rollcall.col.name": {"id": "Nama", "en": "Name"},
    "rollcall.col.category": {"id": "Kategori", "en": "Category"},
    "rollcall.col.unit": {"id": "Unit", "en": "Unit"},
    "rollcall.col.phone": {"id": "Telepon", "en": "Phone"},
    "rollcall.col.checkin": {"id": "Masuk", "en": "Checked in"},
    "rollcall.pdf_title": {"id": "Daftar apel darurat", "en": "Evacuation roll-call"},
    "rollcall.pdf_at": {"id": "Di dalam pada {time}: {people} orang", "en": "Inside at {time}: {people} {people:one|person|people}"},
    "rollcall.pdf_building": {"id": "{building} — {people} orang", "en": "{building} — {people} {people:one|person|people}"},
    "rollcall.pdf_footer": {"id": "Pantau · dibuat {generated}", "en": "Pantau · made {generated}"},
    "rollcall.cli_future": {
        "id": "--at di masa depan: apel hanya untuk sekarang atau waktu yang sudah lewat",
        "en": "--at is in the future: a roll-call is for now or a past instant",
    },
    "rollcall.cli_written": {"id": "daftar apel ditulis: {path} ({people} orang)", "en": "roll-call written: {path} ({people} {people:one|person|people})"},
}
