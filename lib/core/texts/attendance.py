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
    "attendance.week_view": {"id": "Persentase di kantor, unit × hari", "en": "Share on site, unit × day"},
    "attendance.over_count": {
        "id": "{count} hari-unit melebihi batas WFO minggu ini.",
        "en": "{count} unit-days above the WFO limit this week.",
    },
    "attendance.download": {"id": "Unduh (CSV)", "en": "Download (CSV)"},
    "attendance.yes": {"id": "ya", "en": "yes"},
    "attendance.no": {"id": "tidak", "en": "no"},
}
