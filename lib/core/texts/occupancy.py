"""Texts of the Okupansi / Occupancy page and its charts."""

TEXTS: dict[str, dict[str, str]] = {
    "occupancy.title": {"id": "Okupansi", "en": "Occupancy"},
    "occupancy.caption": {
        "id": "Jumlah orang di dalam gedung per jam, waktu setempat. Hanya angka agregat, tanpa nama.",
        "en": "People inside the building per hour, local time. Aggregates only, no names.",
    },
    "occupancy.building": {"id": "Gedung", "en": "Building"},
    "occupancy.from": {"id": "Dari tanggal", "en": "From"},
    "occupancy.to": {"id": "Sampai tanggal", "en": "To"},
    "occupancy.bad_range": {
        "id": "Tanggal akhir harus sama atau setelah tanggal awal.",
        "en": "The end date must be on or after the start date.",
    },
    "occupancy.too_long": {
        "id": "Rentang terlalu panjang: paling banyak {days} hari.",
        "en": "The range is too long: at most {days} {days:one|day|days}.",
    },
    "occupancy.no_buildings": {
        "id": "Belum ada gedung. Impor log kunjungan terlebih dahulu.",
        "en": "No buildings yet. Import a visit log first.",
    },
    "occupancy.hourly_header": {"id": "Okupansi per jam", "en": "Hourly occupancy"},
    "occupancy.max_peak": {"id": "Puncak tertinggi", "en": "Highest peak"},
    "occupancy.person_hours": {"id": "Orang-jam", "en": "Person-hours"},
    "occupancy.threshold": {"id": "Ambang kerumunan", "en": "Crowd threshold"},
    "occupancy.no_threshold": {"id": "belum diatur", "en": "not set"},
    "occupancy.episodes_header": {"id": "Episode kerumunan", "en": "Crowding episodes"},
    "occupancy.episodes_none": {
        "id": "Tidak ada episode kerumunan pada rentang ini.",
        "en": "No crowding episodes in this range.",
    },
    "occupancy.episodes_no_threshold": {
        "id": "Ambang kerumunan gedung ini belum diatur (Pengaturan).",
        "en": "This building has no crowd threshold yet (Settings).",
    },
    "occupancy.col.start": {"id": "Mulai", "en": "Start"},
    "occupancy.col.end": {"id": "Selesai", "en": "End"},
    "occupancy.col.minutes": {"id": "Menit", "en": "Minutes"},
    "occupancy.col.peak": {"id": "Puncak", "en": "Peak"},
    "occupancy.heatmap_header": {"id": "Pola hari dan jam", "en": "Weekday and hour pattern"},
    "occupancy.heatmap_caption": {
        "id": "Rata-rata puncak per hari dan jam dalam rentang yang dipilih.",
        "en": "Average peak per weekday and hour in the selected range.",
    },
    "occupancy.category_header": {"id": "Menurut kategori", "en": "By category"},
    "occupancy.measure": {"id": "Ukuran", "en": "Measure"},
    "occupancy.room_header": {"id": "Okupansi ruangan", "en": "Room occupancy"},
    "occupancy.room_caption": {
        "id": "Dari pindaian poster ruangan saja: waktu di ruang kerja yang diasumsikan dari daftar pegawai "
        "tidak dihitung. Kerumunan: lebih banyak orang daripada kapasitas ruangan.",
        "en": "From scans of the room posters only: time in a home room assumed from the staff roster does "
        "not count. Crowding: more people than the room's capacity.",
    },
    "occupancy.room": {"id": "Ruangan", "en": "Room"},
    "occupancy.no_rooms": {
        "id": "Gedung ini belum punya ruangan: ruangan muncul dengan pindaian poster ruangan atau daftar pegawai.",
        "en": "This building has no rooms yet: rooms appear with scans of room posters or a staff roster.",
    },
    "occupancy.room_capacity": {"id": "Kapasitas ruangan", "en": "Room capacity"},
    "occupancy.room_max_peak": {"id": "Puncak di ruangan", "en": "Highest peak in the room"},
    "occupancy.room_episodes": {"id": "Episode kerumunan ruangan", "en": "Room crowding episodes"},
    "occupancy.room_no_capacity": {
        "id": "Kapasitas ruangan ini belum diatur, jadi kerumunannya tidak dihitung.",
        "en": "This room has no capacity yet, so its crowding is not computed.",
    },
    "occupancy.room_episodes_none": {
        "id": "Ruangan ini tidak pernah melebihi kapasitasnya pada rentang ini.",
        "en": "This room never held more than its capacity in this range.",
    },
    # Charts
    "charts.capacity": {"id": "Kapasitas ({value})", "en": "Capacity ({value})"},
    "charts.hour_axis": {"id": "Jam ({zone})", "en": "Hour ({zone})"},
    "charts.people": {"id": "Orang", "en": "People"},
    "charts.peak": {"id": "Puncak", "en": "Peak"},
    "charts.present": {"id": "Hadir", "en": "Present"},
    "charts.person_hours": {"id": "Orang-jam", "en": "Person-hours"},
    "charts.threshold": {"id": "Ambang ({value})", "en": "Threshold ({value})"},
    "charts.crowding": {"id": "Kerumunan", "en": "Crowding"},
    "charts.day": {"id": "Hari", "en": "Day"},
    "charts.visits": {"id": "Kunjungan", "en": "Visits"},
    "charts.persons": {"id": "Orang", "en": "Persons"},
    "charts.median_stay_minutes": {"id": "Median lama tinggal (menit)", "en": "Median stay (minutes)"},
    "charts.week": {"id": "Minggu ISO", "en": "ISO week"},
    "charts.partial_week": {"id": "sebagian", "en": "partial"},
    "charts.time_axis": {"id": "Waktu ({zone})", "en": "Time ({zone})"},
    "charts.room": {"id": "Ruang: {room}", "en": "Room: {room}"},
    "charts.room_assumed": {
        "id": "Ruang: {room} (dari daftar pegawai, tidak dipindai)",
        "en": "Room: {room} (from the staff roster, not scanned)",
    },
    "charts.weekday": {"id": "Hari", "en": "Weekday"},
    "charts.avg_peak": {"id": "Rata-rata puncak", "en": "Average peak"},
    "charts.category.ASN": {"id": "ASN", "en": "Civil servants (ASN)"},
    "charts.category.THL": {"id": "THL", "en": "Contract staff (THL)"},
    "charts.category.visitor": {"id": "Pengunjung", "en": "Visitors"},
}
