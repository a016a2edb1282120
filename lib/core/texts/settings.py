"""Texts of the Pengaturan / Settings page."""

TEXTS: dict[str, dict[str, str]] = {
    "settings.title": {"id": "Pengaturan", "en": "Settings"},
    "settings.caption": {
        "id": "Gedung dan pintu, kapasitas, ambang kerumunan, batas lama tinggal (MAX_STAY), zona waktu, "
        "alamat publik untuk kode QR dan masa simpan data pribadi. Setiap perubahan dicatat di audit.",
        "en": "Buildings and gates, capacity, crowd threshold, longest stay (MAX_STAY), time zone, the public "
        "address for QR codes and how long personal data is kept. Every change is written to the audit log.",
    },
    "settings.buildings": {"id": "Gedung", "en": "Buildings"},
    "settings.building": {"id": "Gedung yang diubah", "en": "Building to edit"},
    "settings.new_building": {"id": "+ Gedung baru", "en": "+ New building"},
    "settings.id": {"id": "Kode gedung (huruf, angka, - _ .)", "en": "Building id (letters, digits, - _ .)"},
    "settings.name": {"id": "Nama", "en": "Name"},
    "settings.timezone": {"id": "Zona waktu", "en": "Time zone"},
    "settings.timezone_help": {
        "id": "Asia/Makassar (WITA), Asia/Jakarta (WIB) atau Asia/Jayapura (WIT).",
        "en": "Asia/Makassar (WITA), Asia/Jakarta (WIB) or Asia/Jayapura (WIT).",
    },
    "settings.capacity": {"id": "Kapasitas (orang, 0 = belum diatur)", "en": "Capacity (people, 0 = not set)"},
    "settings.threshold_mode": {"id": "Ambang kerumunan ditentukan dari", "en": "Crowd threshold set from"},
    "settings.mode.people": {"id": "jumlah orang", "en": "a number of people"},
    "settings.mode.share": {"id": "persen kapasitas", "en": "a share of capacity"},
    "settings.mode.ppkm": {"id": "level PPKM", "en": "the PPKM level"},
    "settings.mode.none": {"id": "tidak ada", "en": "none"},
    "settings.threshold_people": {"id": "Ambang (orang)", "en": "Threshold (people)"},
    "settings.threshold_share": {"id": "Ambang (% kapasitas)", "en": "Threshold (% of capacity)"},
    "settings.ppkm_level": {"id": "Level PPKM", "en": "PPKM level"},
    "settings.ppkm_option": {"id": "Level {level}: {share} % kapasitas", "en": "Level {level}: {share} % of capacity"},
    "settings.max_stay": {
        "id": "Batas lama tinggal (jam): kunjungan tanpa pindai keluar ditutup otomatis setelahnya",
        "en": "Longest stay (hours): a visit without a check-out is closed automatically after it",
    },
    "settings.expected_staff": {
        "id": "Pegawai yang diharapkan per hari kerja (untuk kepatuhan check-in)",
        "en": "Staff expected per working day (for check-in compliance)",
    },
    "settings.save": {"id": "Simpan", "en": "Save"},
    "settings.saved": {"id": "Tersimpan: {fields}.", "en": "Saved: {fields}."},
    "settings.unchanged": {"id": "Tidak ada perubahan.", "en": "Nothing changed."},
    "settings.repairing": {"id": "Menghitung ulang kunjungan…", "en": "Recomputing visits…"},
    "settings.repaired": {
        "id": "Batas lama tinggal berubah: kunjungan gedung ini dihitung ulang.",
        "en": "The longest stay changed: this building's visits were recomputed.",
    },
    "settings.overview": {"id": "Semua gedung", "en": "All buildings"},
    "settings.col.threshold": {"id": "Ambang (orang)", "en": "Threshold (people)"},
    "settings.col.gates": {"id": "Pintu", "en": "Gates"},
    "settings.gates": {"id": "Pintu gedung {building}", "en": "Gates of {building}"},
    "settings.no_gates": {"id": "Belum ada pintu.", "en": "No gates yet."},
    "settings.gate_id": {"id": "Kode pintu", "en": "Gate id"},
    "settings.gate_name": {"id": "Nama pintu", "en": "Gate name"},
    "settings.gate_save": {"id": "Tambah / ubah pintu", "en": "Add / rename gate"},
    "settings.gate_saved": {"id": "Pintu {gate} disimpan.", "en": "Gate {gate} saved."},
    "settings.app": {"id": "Pengaturan umum", "en": "General settings"},
    "settings.public_base_url": {
        "id": "Alamat publik aplikasi (untuk kode QR poster)",
        "en": "Public address of the app (for poster QR codes)",
    },
    "settings.public_base_url_explain": {
        "id": "**Alamat publik** adalah alamat internet aplikasi ini yang dapat dibuka dari ponsel siapa pun, "
        "misalnya `https://pantau.bitungkota.go.id`. Alamat ini dicetak di dalam kode QR setiap poster: "
        "pengunjung memindai poster dan ponselnya membuka alamat ini untuk check-in. Mengubahnya hanya "
        "berlaku untuk poster yang dicetak sesudahnya; poster yang sudah tertempel tetap berisi alamat lama, "
        "jadi cetak ulang dan ganti poster tersebut bila alamat lama tidak dapat dibuka lagi.",
        "en": "The **public address** is the internet address of this app that anyone's phone can open, "
        "e.g. `https://pantau.bitungkota.go.id`. It is printed inside the QR code of every poster: a visitor "
        "scans the poster and the phone opens this address to check in. Changing it only affects posters "
        "printed afterwards; posters already on the doors keep the old address, so print and replace them "
        "when the old address stops working.",
    },
    "settings.public_base_url_help": {
        "id": "Bukan localhost, 127.0.0.1, atau alamat jaringan lokal (10.x, 172.16-31.x, 192.168.x): ponsel "
        "pengunjung tidak dapat membukanya.",
        "en": "Not localhost, 127.0.0.1 or a local network address (10.x, 172.16-31.x, 192.168.x): visitors' "
        "phones cannot open those.",
    },
    "settings.public_base_url_problem.unset": {
        "id": "Alamat publik belum diatur: poster berisi alamat yang tidak dapat dibuka ponsel.",
        "en": "The public address is not set: posters hold an address phones cannot open.",
    },
    "settings.public_base_url_problem.loopback": {
        "id": "Alamat publik {url} hanya berlaku di komputer server sendiri; ponsel tidak dapat membukanya.",
        "en": "The public address {url} only works on the server computer itself; phones cannot open it.",
    },
    "settings.public_base_url_problem.private": {
        "id": "Alamat publik {url} adalah alamat jaringan lokal: hanya ponsel di jaringan kantor yang dapat membukanya.",
        "en": "The public address {url} is a local network address: only phones on the office network can open it.",
    },
    "settings.public_base_url_problem.local_name": {
        "id": "Alamat publik {url} adalah nama komputer lokal: ponsel dengan data seluler tidak dapat membukanya.",
        "en": "The public address {url} is a local computer name: phones on mobile data cannot open it.",
    },
    "settings.public_base_url_problem.invalid": {
        "id": "Alamat publik {url} bukan alamat http(s) yang sah.",
        "en": "The public address {url} is not a valid http(s) address.",
    },
    "settings.retention_days": {
        "id": "Masa simpan data pribadi (hari)",
        "en": "Personal data kept for (days)",
    },
    "settings.app_saved": {"id": "Pengaturan umum disimpan.", "en": "General settings saved."},
    "settings.error.bad_id": {
        "id": "Kode tidak sah: gunakan huruf, angka, '-', '_' atau '.' (paling banyak 64).",
        "en": "Invalid id: use letters, digits, '-', '_' or '.' (at most 64).",
    },
    "settings.error.bad_gate_id": {
        "id": "Kode pintu tidak sah: gunakan huruf, angka, '-', '_' atau '.'.",
        "en": "Invalid gate id: use letters, digits, '-', '_' or '.'.",
    },
    "settings.error.bad_timezone": {"id": "Zona waktu tidak dikenal: {timezone}", "en": "Unknown time zone: {timezone}"},
    "settings.error.unknown_area": {
        "id": "Ruang {area} tidak ada di gedung {building}.", "en": "Room {area} does not exist in building {building}.",
    },
    "settings.error.area_name_empty": {"id": "Nama ruang tidak boleh kosong.", "en": "The room name cannot be empty."},
    "settings.error.area_name_long": {
        "id": "Nama ruang paling panjang {limit} karakter.", "en": "A room name has at most {limit} characters.",
    },
    "settings.error.area_exists": {
        "id": "Ruang {area} sudah ada di gedung ini (huruf besar/kecil dan spasi di tepi tidak dibedakan).",
        "en": "Room {area} already exists in this building (case and surrounding spaces do not count).",
    },
    "settings.error.bad_area_stay": {
        "id": "Lama di ruang (AREA_STAY) harus {low} sampai {high} menit.",
        "en": "The room stay (AREA_STAY) must be {low} to {high} {high:one|minute|minutes}.",
    },
    # Rooms (areas) of a building (RULES "Places inside a building").
    "settings.areas": {"id": "Ruang di gedung {building}", "en": "Rooms of {building}"},
    "settings.areas_caption": {
        "id": "Ruang dibuat otomatis dari pindaian ruang dan daftar pegawai yang diimpor, atau ditambah di sini. "
        "AREA_STAY: berapa lama seseorang dianggap tetap di ruang setelah memindai poster ruang jika tidak "
        "memindai keluar (bawaan 120 menit). Mengubahnya menghitung ulang semua kunjungan ruang.",
        "en": "Rooms are created from imported room scans and staff rosters, or added here. AREA_STAY: how long "
        "someone counts as still in the room after scanning its poster when they do not scan out (default "
        "120 minutes). Changing it recomputes every room stay.",
    },
    "settings.no_areas": {"id": "Belum ada ruang.", "en": "No rooms yet."},
    "settings.area_col.name": {"id": "Ruang", "en": "Room"},
    "settings.area_col.area_stay": {"id": "Lama di ruang, AREA_STAY (menit)", "en": "Room stay, AREA_STAY (minutes)"},
    "settings.area_col.capacity": {"id": "Kapasitas (orang)", "en": "Capacity (people)"},
    "settings.area_edit": {"id": "Ubah ruang", "en": "Edit a room"},
    "settings.area_select": {"id": "Ruang", "en": "Room"},
    "settings.area_stay": {"id": "Lama di ruang, AREA_STAY (menit)", "en": "Room stay, AREA_STAY (minutes)"},
    "settings.area_capacity": {"id": "Kapasitas (orang, 0 = belum diatur)", "en": "Capacity (people, 0 = not set)"},
    "settings.area_save": {"id": "Simpan ruang", "en": "Save room"},
    "settings.area_saved": {"id": "Ruang {area} disimpan.", "en": "Room {area} saved."},
    "settings.area_add": {"id": "Tambah ruang", "en": "Add a room"},
    "settings.area_name": {"id": "Nama ruang", "en": "Room name"},
    "settings.area_add_submit": {"id": "Tambah ruang", "en": "Add room"},
    "settings.area_created": {"id": "Ruang {area} ditambahkan.", "en": "Room {area} added."},
    "settings.error.bad_capacity": {"id": "Kapasitas tidak boleh negatif.", "en": "Capacity cannot be negative."},
    "settings.error.bad_threshold": {"id": "Ambang tidak sah.", "en": "Invalid threshold."},
    "settings.error.bad_share": {"id": "Persen harus di atas 0 dan paling besar 100.", "en": "The share must be above 0 and at most 100."},
    "settings.error.bad_ppkm": {"id": "Level PPKM harus 1 sampai 4.", "en": "The PPKM level must be 1 to 4."},
    "settings.error.needs_capacity": {
        "id": "Ambang dari persen atau level PPKM memerlukan kapasitas.",
        "en": "A threshold from a share or a PPKM level needs a capacity.",
    },
    "settings.error.bad_max_stay": {
        "id": "Batas lama tinggal harus antara 1 menit dan {hours} jam.",
        "en": "The longest stay must be between 1 minute and {hours} {hours:one|hour|hours}.",
    },
    "settings.error.bad_url": {
        "id": "Alamat harus dimulai dengan http:// atau https://, tanpa spasi.",
        "en": "The address must start with http:// or https://, without spaces.",
    },
    "settings.error.bad_retention": {"id": "Masa simpan harus 1 sampai 3650 hari.", "en": "Retention must be 1 to 3650 days."},
    "settings.error.bad_expected_staff": {"id": "Jumlah pegawai tidak boleh negatif.", "en": "Staff cannot be negative."},
    "settings.error.unknown_building": {"id": "Gedung tidak dikenal: {building}", "en": "Unknown building: {building}"},
    "settings.error.not_new": {
        "id": "Gedung {building} sudah dikonfirmasi; hanya gedung baru dari impor yang dapat diubah di sini.",
        "en": "Building {building} is already confirmed; only new buildings from an import can be handled here.",
    },
    "settings.error.bad_name": {"id": "Nama tidak boleh kosong.", "en": "The name cannot be empty."},
    "settings.error.merge_same": {
        "id": "Gedung tidak dapat digabung ke dirinya sendiri.",
        "en": "A building cannot be merged into itself.",
    },
    "settings.error.no_target": {
        "id": "Belum ada gedung lain untuk tujuan penggabungan.",
        "en": "There is no other building to merge into yet.",
    },
    "settings.error.not_acknowledged": {
        "id": "Centang konfirmasi dulu: penghapusan tidak dapat dibatalkan.",
        "en": "Tick the confirmation first: deleting cannot be undone.",
    },
    "settings.field.confirmed": {"id": "dikonfirmasi", "en": "confirmed"},
    "settings.new.header": {"id": "Gedung baru dari impor", "en": "New buildings from imports"},
    "settings.new.caption": {
        "id": "Gedung ini pertama kali muncul di file log dan belum dikonfirmasi: mungkin salah ketik. "
        "Gedung belum dikonfirmasi tidak dihitung di total pimpinan. Konfirmasi, ganti nama, gabungkan ke "
        "gedung yang benar, atau hapus.",
        "en": "These buildings first appeared in a log file and are not confirmed yet: maybe a typo. "
        "Unconfirmed buildings are left out of the leadership totals. Confirm, rename, merge into the "
        "right building, or delete.",
    },
    "settings.new.select": {"id": "Gedung baru", "en": "New building"},
    "settings.new.summary": {
        "id": "{events} pindaian dari {persons} orang, {first} – {last}.",
        "en": "{events} {events:one|scan|scans} by {persons} {persons:one|person|people}, {first} – {last}.",
    },
    "settings.new.no_scans": {"id": "Belum ada pindaian.", "en": "No scans yet."},
    "settings.new.action": {"id": "Tindakan", "en": "Action"},
    "settings.new.action.confirm": {"id": "Konfirmasi", "en": "Confirm"},
    "settings.new.action.rename": {"id": "Ganti nama", "en": "Rename"},
    "settings.new.action.merge": {"id": "Gabungkan ke gedung lain", "en": "Merge into another building"},
    "settings.new.action.delete": {"id": "Hapus", "en": "Delete"},
    "settings.new.confirm_help": {
        "id": "Gedung ini benar dan tetap dipakai; mulai dihitung di total pimpinan.",
        "en": "The building is real and stays; it joins the leadership totals.",
    },
    "settings.new.new_name": {"id": "Nama tampilan baru", "en": "New display name"},
    "settings.new.rename_help": {
        "id": "Kode gedung di log tetap sama; nama baru dipakai di semua halaman dan gedung ini dikonfirmasi.",
        "en": "The building id in the logs stays; the new name shows on every page and the building is confirmed.",
    },
    "settings.new.target": {"id": "Gabungkan ke", "en": "Merge into"},
    "settings.new.merge_help": {
        "id": "Semua pindaian pindah ke gedung tujuan (pindaian yang sudah ada di sana tidak digandakan), kunjungan "
        "orang-orang ini dihitung ulang, lalu gedung baru ini dihapus.",
        "en": "Every scan moves to the target building (scans already there are not doubled), these people's "
        "visits are recomputed, then this new building is removed.",
    },
    "settings.new.delete_ack": {
        "id": "Saya mengerti: gedung {building} beserta {events} pindaian, kunjungan dan angkanya dihapus permanen.",
        "en": "I understand: building {building} with its {events} {events:one|scan|scans}, visits and figures is deleted for good.",
    },
    "settings.new.submit.confirm": {"id": "Konfirmasi gedung", "en": "Confirm building"},
    "settings.new.submit.rename": {"id": "Simpan nama", "en": "Save name"},
    "settings.new.submit.merge": {"id": "Gabungkan", "en": "Merge"},
    "settings.new.submit.delete": {"id": "Hapus gedung", "en": "Delete building"},
    "settings.new.confirmed": {"id": "Gedung {building} dikonfirmasi.", "en": "Building {building} confirmed."},
    "settings.new.renamed": {
        "id": "Gedung {building} sekarang bernama {name} dan dikonfirmasi.",
        "en": "Building {building} is now called {name} and confirmed.",
    },
    "settings.new.merged": {
        "id": "{building} digabung ke {target}: {moved} pindaian dipindah, {dropped} pindaian ganda dibuang, "
        "kunjungan {persons} orang dihitung ulang.",
        "en": "{building} merged into {target}: {moved} {moved:one|scan|scans} moved, {dropped} duplicate "
        "{dropped:one|scan|scans} dropped, visits of {persons} {persons:one|person|people} recomputed.",
    },
    "settings.new.deleted": {
        "id": "Gedung {building} dihapus beserta {events} pindaian.",
        "en": "Building {building} deleted with its {events} {events:one|scan|scans}.",
    },
    "settings.field.name": {"id": "nama", "en": "name"},
    "settings.field.timezone": {"id": "zona waktu", "en": "time zone"},
    "settings.field.capacity": {"id": "kapasitas", "en": "capacity"},
    "settings.field.threshold_people": {"id": "ambang (orang)", "en": "threshold (people)"},
    "settings.field.threshold_share": {"id": "ambang (%)", "en": "threshold (share)"},
    "settings.field.ppkm_level": {"id": "level PPKM", "en": "PPKM level"},
    "settings.field.max_stay_asn_min": {"id": "lama kunjungan maks. ASN (MAX_STAY)", "en": "longest stay ASN (MAX_STAY)"},
    "settings.field.max_stay_thl_min": {"id": "lama kunjungan maks. THL (MAX_STAY)", "en": "longest stay THL (MAX_STAY)"},
    "settings.field.max_stay_visitor_min": {
        "id": "lama kunjungan maks. pengunjung (MAX_STAY)", "en": "longest stay visitors (MAX_STAY)",
    },
    "settings.col.capacity": {"id": "Kapasitas", "en": "Capacity"},
    "settings.col.max_stay": {
        "id": "Lama kunjungan maks. ASN / THL / pengunjung (jam)",
        "en": "Longest stay ASN / THL / visitors (hours)",
    },
    "settings.field.expected_staff": {"id": "pegawai yang diharapkan", "en": "staff expected"},
}
