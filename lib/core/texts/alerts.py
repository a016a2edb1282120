"""Texts of the alerts (Now page block, webhook messages) and the manager's Settings sections."""

TEXTS: dict[str, dict[str, str]] = {
    "alerts.title": {"id": "Peringatan", "en": "Alerts"},
    "alerts.none": {"id": "Tidak ada peringatan saat ini.", "en": "No alerts right now."},
    "alerts.kind.building_over": {
        "id": "{building}: {value} orang di dalam, di atas ambang {limit}",
        "en": "{building}: {value} {value:one|person|people} inside, above the threshold of {limit}",
    },
    "alerts.kind.building_near": {
        "id": "{building}: {value} orang di dalam, mendekati ambang {limit} (80 %)",
        "en": "{building}: {value} {value:one|person|people} inside, close to the threshold of {limit} (80 %)",
    },
    "alerts.kind.room_over": {
        "id": "{building}, {place}: {value} orang, di atas kapasitas ruang {limit}",
        "en": "{building}, {place}: {value} {value:one|person|people}, above the room's capacity of {limit}",
    },
    "alerts.kind.room_near": {
        "id": "{building}, {place}: {value} orang, mendekati kapasitas ruang {limit} (80 %)",
        "en": "{building}, {place}: {value} {value:one|person|people}, close to the room's capacity of {limit} (80 %)",
    },
    "alerts.kind.after_hours": {
        "id": "{building}: {value} pengunjung masih di dalam di luar jam kantor",
        "en": "{building}: visitors still inside after office hours: {value}",
    },
    "alerts.kind.overstay": {
        "id": "{building}: {value} pengunjung melewati batas lama kunjungan hari ini tanpa pindai keluar "
        "(kunjungannya ditutup otomatis, tidak lagi dihitung di dalam)",
        "en": "{building}: visitors who passed the longest stay today without scanning out: {value} "
        "(their visits were closed automatically and no longer count as inside)",
    },
    "alerts.kind.silent_door": {
        "id": "{building}, pintu {place}: tidak ada pindaian 60 menit terakhir, padahal biasanya ada "
        "({value} dari 4 minggu terakhir) — poster lepas atau pemindai mati?",
        "en": "{building}, door {place}: no scan in the last 60 minutes although there usually are "
        "({value} of the last 4 weeks) — a poster torn off or a scanner down?",
    },
    "alerts.kind.new_building": {
        "id": "{building}: gedung baru dari impor, belum dikonfirmasi ({events} pindaian). "
        "Konfirmasi, ganti nama, gabungkan atau hapus di Pengaturan.",
        "en": "{building}: a new building from an import, not confirmed yet ({events} {events:one|scan|scans}). "
        "Confirm, rename, merge or delete it in Settings.",
    },
    "alerts.people.after_hours": {"id": "Siapa: {count} pengunjung", "en": "Who: {count} {count:one|visitor|visitors}"},
    "alerts.people.overstay": {"id": "Siapa: {count} pengunjung", "en": "Who: {count} {count:one|visitor|visitors}"},
    "alerts.col.name": {"id": "Nama", "en": "Name"},
    "alerts.col.phone": {"id": "Telepon", "en": "Phone"},
    "alerts.col.checkin": {"id": "Masuk", "en": "Checked in"},
    "alerts.col.until": {"id": "Ditutup otomatis", "en": "Closed automatically"},
    "alerts.to_rollcall": {"id": "Buka apel darurat gedung ini →", "en": "Open this building's roll-call →"},
    "alerts.to_settings": {"id": "Buka pengaturan gedung ini →", "en": "Open this building's settings →"},
    "alerts.to_new_building": {"id": "Periksa gedung baru ini di Pengaturan →", "en": "Review this new building in Settings →"},
    # Settings sections of the building manager (separate from the other sections).
    "manager.settings.alerts": {"id": "Peringatan dan webhook", "en": "Alerts and webhook"},
    "manager.settings.alerts_help": {
        "id": "Peringatan tampil di halaman Sekarang. Bila alamat webhook diisi, setiap peringatan dikirim "
        "sebagai JSON (POST), paling sering sekali per jam per peringatan, dicoba ulang 3 kali; "
        "setiap pengiriman dicatat di bawah. Hanya angka, tanpa nama.",
        "en": "Alerts show on the Now page. With a webhook address, each alert is posted as JSON, at most "
        "once an hour per alert, tried 3 times; every delivery is logged below. Figures only, no names.",
    },
    "manager.settings.webhook_url": {"id": "Alamat webhook (kosong: tidak ada)", "en": "Webhook address (empty: none)"},
    "manager.settings.office_hours": {"id": "Jam kantor (Senin–Jumat, waktu setempat)", "en": "Office hours (Monday–Friday, local time)"},
    "manager.settings.save_alerts": {"id": "Simpan peringatan", "en": "Save alerts"},
    "manager.settings.saved": {"id": "Tersimpan.", "en": "Saved."},
    "manager.settings.unchanged": {"id": "Tidak ada perubahan.", "en": "Nothing changed."},
    "manager.settings.deliveries": {"id": "Pengiriman webhook terakhir", "en": "Latest webhook deliveries"},
    "manager.settings.no_deliveries": {"id": "Belum ada pengiriman.", "en": "No deliveries yet."},
    "manager.settings.col.time": {"id": "Waktu", "en": "Time"},
    "manager.settings.col.alert": {"id": "Peringatan", "en": "Alert"},
    "manager.settings.col.attempt": {"id": "Percobaan", "en": "Attempt"},
    "manager.settings.col.status": {"id": "Jawaban", "en": "Answer"},
    "manager.settings.col.delivered": {"id": "Terkirim", "en": "Delivered"},
    "manager.settings.wfo": {"id": "Batas kerja dari kantor (WFO)", "en": "Work-from-office limits"},
    "manager.settings.wfo_help": {
        "id": "Bagian pegawai yang boleh di kantor, per gedung atau per unit (unit menang atas gedungnya). "
        "Pilih level PPKM (1: 100 %, 2: 75 %, 3: 50 %, 4: 25 %) atau isi persen.",
        "en": "The share of staff allowed on site, per building or per unit (a unit's own wins over its "
        "building's). Pick a PPKM level (1: 100 %, 2: 75 %, 3: 50 %, 4: 25 %) or type a percentage.",
    },
    "manager.settings.wfo_scope": {"id": "Berlaku untuk", "en": "Applies to"},
    "manager.settings.wfo_scope.building": {"id": "Gedung", "en": "Building"},
    "manager.settings.wfo_scope.unit": {"id": "Unit", "en": "Unit"},
    "manager.settings.wfo_name": {"id": "Gedung atau unit", "en": "Building or unit"},
    "manager.settings.wfo_preset": {"id": "Batas", "en": "Limit"},
    "manager.settings.wfo_preset.ppkm": {"id": "PPKM level {level} ({share} %)", "en": "PPKM level {level} ({share} %)"},
    "manager.settings.wfo_preset.custom": {"id": "Persen sendiri", "en": "Own percentage"},
    "manager.settings.wfo_preset.none": {"id": "Tanpa batas (hapus)", "en": "No limit (remove)"},
    "manager.settings.wfo_percent": {
        "id": "Persen (hanya untuk \"Persen sendiri\")", "en": "Percent (only for \"Own percentage\")",
    },
    "manager.settings.wfo_save": {"id": "Simpan batas WFO", "en": "Save the WFO limit"},
    "manager.settings.wfo_current": {"id": "Batas yang berlaku", "en": "Limits in force"},
    "manager.settings.wfo_none": {"id": "Belum ada batas WFO.", "en": "No WFO limit yet."},
    "manager.settings.backups": {"id": "Cadangan malam", "en": "Nightly backups"},
    "manager.settings.backups_help": {
        "id": "Setiap malam pukul 01.00 WITA basis data disalin ke folder backups di samping berkas data; "
        "hanya {keep} cadangan terbaru yang disimpan.",
        "en": "Every night at 01:00 WITA the database is copied into the backups folder beside the data "
        "file; only the newest {keep} are kept.",
    },
    "manager.settings.backup_keep": {"id": "Simpan berapa cadangan", "en": "Backups to keep"},
    "manager.settings.backup_save": {"id": "Simpan", "en": "Save"},
    "manager.settings.backup_now": {"id": "Buat cadangan sekarang", "en": "Back up now"},
    "manager.settings.backup_done": {"id": "Cadangan dibuat: {name}", "en": "Backup made: {name}"},
    "manager.settings.no_backups": {"id": "Belum ada cadangan.", "en": "No backups yet."},
    "manager.settings.col.file": {"id": "Berkas", "en": "File"},
    "manager.settings.col.age": {"id": "Umur", "en": "Age"},
    "manager.settings.col.size": {"id": "Ukuran", "en": "Size"},
    "manager.settings.age": {"id": "{hours} jam", "en": "{hours} h"},
    "manager.settings.size": {"id": "{mb} MB", "en": "{mb} MB"},
    "audit.setting.office_hours": {"id": "jam kantor", "en": "office hours"},
    "audit.setting.alert_webhook_url": {"id": "alamat webhook peringatan", "en": "alert webhook address"},
    "audit.setting.backup_keep": {"id": "jumlah cadangan disimpan", "en": "backups kept"},
    "audit.setting.wfo_limit": {"id": "batas WFO", "en": "WFO limit"},
    "settings.error.bad_office_hours": {
        "id": "Jam kantor harus seperti 07:30-16:00 (mulai sebelum selesai).",
        "en": "Office hours must look like 07:30-16:00 (start before end).",
    },
    "settings.error.bad_webhook": {
        "id": "Alamat webhook harus alamat http:// atau https:// tanpa spasi.",
        "en": "The webhook address must be an http:// or https:// address without spaces.",
    },
    "settings.error.bad_wfo_limit": {
        "id": "Batas WFO harus 0 sampai 100 % (atau level PPKM 1 sampai 4) untuk gedung atau unit yang diisi.",
        "en": "A WFO limit is 0 to 100 % (or PPKM level 1 to 4) for a named building or unit.",
    },
    "settings.error.bad_backup_keep": {"id": "Simpan 1 sampai 365 cadangan.", "en": "Keep 1 to 365 backups."},
}
