"""Texts of the Provinsi / Province page, ``publish`` and ``rollup`` (RULES "Province")."""

TEXTS: dict[str, dict[str, str]] = {
    "province.title": {"id": "Provinsi", "en": "Province"},
    "nav.province": {"id": "Provinsi", "en": "Province"},
    "province.caption": {
        "id": "Angka agregat setiap kantor yang menerbitkan datanya ke danau data provinsi ({lake}). Tanpa nama.",
        "en": "Aggregates of every office that publishes to the province's lake ({lake}). No names.",
    },
    "province.week": {"id": "Minggu", "en": "Week"},
    "province.no_weeks": {
        "id": "Belum ada angka mingguan yang diterbitkan di danau data ini.",
        "en": "No weekly figures have been published to this lake yet.",
    },
    "province.weekly_header": {"id": "Statistik mingguan per kantor dan gedung", "en": "Weekly statistics per site and building"},
    "province.totals": {
        "id": "{sites} kantor, {buildings} gedung, {visits} kunjungan ({change} dibanding minggu lalu).",
        "en": "{sites} sites, {buildings} {buildings:one|building|buildings}, {visits} {visits:one|visit|visits} ({change} against last week).",
    },
    "province.hourly_header": {"id": "Okupansi per jam", "en": "Hourly occupancy"},
    "province.hourly_site": {"id": "Kantor", "en": "Site"},
    "province.hourly_empty": {"id": "Tidak ada angka per jam untuk minggu ini.", "en": "No hourly figures for this week."},
    "province.sites_header": {"id": "Kantor yang menerbitkan", "en": "Publishing sites"},
    "province.stale": {
        "id": "Berhenti menerbitkan (terakhir lebih dari 2 hari lalu): {sites}",
        "en": "Stopped publishing (last more than 2 days ago): {sites}",
    },
    "province.all_fresh": {"id": "Semua kantor menerbitkan dalam 2 hari terakhir.", "en": "Every site published in the last 2 days."},
    "province.skipped_header": {"id": "Bagian yang dilewati", "en": "Skipped partitions"},
    "province.col.site": {"id": "Kantor", "en": "Site"},
    "province.col.building": {"id": "Gedung", "en": "Building"},
    "province.col.visits": {"id": "Kunjungan", "en": "Visits"},
    "province.col.visits_change": {"id": "Perubahan kunjungan", "en": "Change in visits"},
    "province.col.visits_change_pct": {"id": "Perubahan (%)", "en": "Change (%)"},
    "province.col.persons": {"id": "Orang", "en": "Persons"},
    "province.col.persons_change": {"id": "Perubahan orang", "en": "Change in persons"},
    "province.col.peak": {"id": "Puncak", "en": "Peak"},
    "province.col.busiest_day": {"id": "Hari tersibuk", "en": "Busiest day"},
    "province.col.crowding_episodes": {"id": "Episode kerumunan", "en": "Crowding episodes"},
    "province.col.published_at": {"id": "Terakhir terbit", "en": "Last published"},
    "province.col.first_day": {"id": "Hari pertama", "en": "First day"},
    "province.col.last_day": {"id": "Hari terakhir", "en": "Last day"},
    "province.col.stale": {"id": "Berhenti", "en": "Stopped"},
    "province.hour_axis": {"id": "Jam (waktu setempat gedung)", "en": "Hour (building's local time)"},
    "province.peak_axis": {"id": "Puncak orang di dalam", "en": "Peak people inside"},
    "province.chart_alt": {
        "id": "Grafik garis okupansi puncak per jam setiap gedung kantor {site}",
        "en": "Line chart of the hourly peak occupancy of every building of site {site}",
    },
    # Partitions (or whole sites) left out of the figures, never mixed in.
    "province.warning.unknown_site": {
        "id": "{dataset} dari kantor '{site}' dilewati: kantor tanpa manifest (_sites/{site}.json)",
        "en": "{dataset} of site '{site}' skipped: a site without a manifest (_sites/{site}.json)",
    },
    "province.warning.half_written": {
        "id": "{dataset}/{partition} dari kantor '{site}' dilewati: sedang ditulis atau tertulis setengah",
        "en": "{dataset}/{partition} of site '{site}' skipped: being written or half-written",
    },
    "province.warning.newer_schema": {
        "id": "kantor '{site}' dilewati: diterbitkan dengan versi skema lebih baru dari Pantau ini (perbarui Pantau)",
        "en": "site '{site}' skipped: published with a newer schema version than this Pantau (update Pantau)",
    },
    "province.warning.other_key": {
        "id": "kantor '{site}' dilewati: diterbitkan dengan kunci provinsi lain",
        "en": "site '{site}' skipped: published with another province's key",
    },
    "province.warning.bad_manifest": {
        "id": "kantor '{site}' dilewati: manifest tidak dapat dibaca",
        "en": "site '{site}' skipped: its manifest cannot be read",
    },
    "province.error.unreachable": {
        "id": "danau data provinsi tidak dapat dibuka: {lake} ({detail})",
        "en": "the province's lake cannot be reached: {lake} ({detail})",
    },
    "province.error.no_key": {
        "id": "PANTAU_PROVINCE_KEY belum diisi: minta kunci dari provinsi; tanpa kunci tidak ada yang diterbitkan",
        "en": "PANTAU_PROVINCE_KEY is not set: ask the province for its key; nothing is published without it",
    },
    "province.error.short_key": {
        "id": "PANTAU_PROVINCE_KEY terlalu pendek: paling sedikit 32 karakter",
        "en": "PANTAU_PROVINCE_KEY is too short: at least 32 characters",
    },
    "province.error.other_key": {
        "id": "ditolak: danau data {lake} dimulai dengan kunci provinsi lain (sidik kunci berbeda)",
        "en": "refused: the lake {lake} was started with another province's key (the key fingerprints differ)",
    },
    "province.error.bad_site": {
        "id": "nama kantor '{site}' tidak dapat dipakai: huruf, angka, - dan _ saja (paling banyak 64)",
        "en": "site name '{site}' cannot be used: letters, digits, - and _ only (at most 64)",
    },
    "province.error.bad_window": {"id": "--to harus sesudah --from", "en": "--to must be after --from"},
    "province.cli.two_to": {
        "id": "berikan --to TUJUAN sekali, dan tanggal terakhir sebagai --to TANGGAL kedua atau --until",
        "en": "give --to DEST once, and the last day as a second --to DATE or --until",
    },
    "province.cli.no_destination": {"id": "--to TUJUAN wajib diisi", "en": "--to DEST is required"},
    "province.cli.published": {
        "id": "kantor {site}: {days} hari, {visits} kunjungan; {written} bagian ditulis, {unchanged} tidak berubah, "
        "{removed} dihapus",
        "en": "site {site}: {days} {days:one|day|days}, {visits} {visits:one|visit|visits}; {written} partitions written, {unchanged} unchanged, "
        "{removed} removed",
    },
    "province.cli.requests_written": {
        "id": "{count} permintaan bertanda tangan ditulis ke {folder} (satu per kantor)",
        "en": "{count} signed requests written to {folder} (one per site)",
    },
    "province.request.bad_file": {
        "id": "{path} bukan permintaan pelacakan provinsi yang dapat dibaca",
        "en": "{path} is not a readable tracing request of the province",
    },
    "province.request.bad_signature": {
        "id": "ditolak: tanda tangan {path} tidak cocok dengan kunci provinsi ini (diubah, atau kunci lain)",
        "en": "refused: the signature of {path} does not match this province's key (altered, or another key)",
    },
    "province.request.other_site": {
        "id": "ditolak: permintaan ini untuk kantor '{site}', bukan '{here}'",
        "en": "refused: this request is for site '{site}', not '{here}'",
    },
    "province.request.index_not_here": {
        "id": "orang indeks permintaan ini tidak dikenal di kantor ini",
        "en": "the request's index person is not known at this site",
    },
    "audit.action.province_trace": {"id": "Pelacakan lintas kantor", "en": "Tracing across sites"},
    "audit.action.province_request_open": {
        "id": "Permintaan provinsi dibuka sebagai kasus", "en": "Province request opened as a case",
    },
    "setting.expected.province_key": {"id": "paling sedikit 32 karakter", "en": "at least 32 characters"},
    "audit.action.province_publish": {"id": "Diterbitkan ke provinsi", "en": "Published to the province"},
    "audit.param.lake": {"id": "danau data", "en": "lake"},
    "audit.param.written": {"id": "ditulis", "en": "written"},
    "audit.param.removed": {"id": "dihapus", "en": "removed"},
    "province.settings.title": {"id": "Kirim ke provinsi", "en": "Publish to the province"},
    "province.settings.caption": {
        "id": "Setiap malam pukul 03.00 Pantau mengirim angka dan kunjungan berpseudonim (tanpa nama, NIK atau "
        "nomor HP) ke tempat ini, dengan kunci yang diberikan provinsi (PANTAU_PROVINCE_KEY). Kosongkan untuk berhenti.",
        "en": "Every night at 03:00 Pantau publishes the figures and pseudonymous visits (no name, NIK or phone) "
        "here, with the key the province handed out (PANTAU_PROVINCE_KEY). Leave empty to stop.",
    },
    "province.settings.destination": {"id": "Tujuan (folder, share atau s3://...)", "en": "Destination (folder, share or s3://...)"},
    "province.settings.site": {"id": "Nama situs ini", "en": "This site's name"},
    "province.settings.save": {"id": "Simpan", "en": "Save"},
    "province.settings.saved": {"id": "Tersimpan.", "en": "Saved."},
    "province.settings.unchanged": {"id": "Tidak ada yang berubah.", "en": "Nothing changed."},
}
