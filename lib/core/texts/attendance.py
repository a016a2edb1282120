"""Texts of the Kehadiran per unit / Attendance by unit page."""

TEXTS: dict[str, dict[str, str]] = {
    "nav.attendance": {"id": "Kehadiran per unit", "en": "Attendance by unit"},
    "attendance.title": {"id": "Kehadiran per unit", "en": "Attendance by unit"},
    "attendance.caption": {
        "id": "Pegawai di kantor per unit kerja dan hari (WITA), dibanding batas kerja dari kantor (WFO). "
        "Hanya angka, tanpa nama.",
        "en": "Staff on site per unit and day (WITA), against the work-from-office limit. Figures only, no names.",
    },
    "attendance.week": {"id": "Minggu", "en": "Week"},
    "attendance.week_help": {
        "id": "Hari mana pun dari minggu yang ingin dilihat (Senin–Minggu). Halaman dibuka pada minggu "
        "lengkap terakhir; pilih hari ini untuk minggu berjalan.",
        "en": "Any day of the week to show (Monday to Sunday). The page opens on the last complete week; "
        "pick today for the current week.",
    },
    "attendance.unit": {"id": "Unit", "en": "Unit"},
    "attendance.all_units": {"id": "Semua unit", "en": "All units"},
    "attendance.no_roster": {
        "id": "Belum ada daftar pegawai dengan unit kerja. Impor daftar pegawai di halaman Impor.",
        "en": "No staff roster with units yet. Import one on the Import page.",
    },
    "attendance.col.unit": {"id": "Unit", "en": "Unit"},
    "attendance.col.day": {"id": "Hari", "en": "Day"},
    "attendance.col.headcount": {"id": "Jumlah pegawai", "en": "Headcount"},
    "attendance.col.on_site": {"id": "Di kantor", "en": "On site"},
    "attendance.col.share": {"id": "Persentase", "en": "Share"},
    "attendance.col.limit": {"id": "Batas WFO", "en": "WFO limit"},
    "attendance.col.over": {"id": "Melebihi batas", "en": "Above the limit"},
    "attendance.week_view": {
        "id": "Persentase di kantor, unit × hari, {first}–{last}",
        "en": "Share on site, unit × day, {first}–{last}",
    },
    "attendance.over_count": {
        "id": "{count} hari-unit melebihi batas WFO pada minggu {first}–{last}.",
        "en": "{count} unit-days above the WFO limit in the week {first}–{last}.",
    },
    "attendance.download": {"id": "Unduh (CSV)", "en": "Download (CSV)"},
    "attendance.yes": {"id": "ya", "en": "yes"},
    "attendance.no": {"id": "tidak", "en": "no"},
    "attendance.so_far": {"id": "sejauh ini", "en": "so far"},
    "attendance.future_note": {
        "id": "Hari setelah hari ini masih kosong, belum dinilai.",
        "en": "Days after today are still blank, not judged.",
    },
    "attendance.today_note": {
        "id": "Hari ini ({day}) belum selesai: angkanya sejauh ini, sampai pukul {time}. "
        "Hari setelahnya masih kosong.",
        "en": "Today ({day}) is not over: its figures are so far, up to {time}. "
        "Later days are still blank.",
    },
    "attendance.no_limit_note": {
        "id": "\"Melebihi batas\" kosong bila unit tidak punya batas WFO: tidak dinilai.",
        "en": "\"Above the limit\" is blank when the unit has no WFO limit: not judged.",
    },
}
