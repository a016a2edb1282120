"""Texts of the Pelacakan / Tracing page."""

TEXTS: dict[str, dict[str, str]] = {
    "tracing.title": {"id": "Pelacakan kontak", "en": "Contact tracing"},
    "tracing.caption": {
        "id": "Kontak erat seorang kasus positif: K1 berada di ruangan yang sama, K2 di gedung yang sama, "
        "pada waktu yang sama. Setiap pencarian dicatat di log audit.",
        "en": "Close contacts of a positive case: K1 were in the same room, K2 in the same building, at the "
        "same time. Every search is written to the audit log.",
    },
    "tracing.grade_counts": {
        "id": "**{k1}** kontak erat satu ruangan (K1), **{k2}** satu gedung (K2)",
        "en": "**{k1}** close contacts in the same room (K1), **{k2}** in the same building (K2)",
    },
    "tracing.grade_filter": {"id": "Tampilkan", "en": "Show"},
    "tracing.grade_filter.all": {"id": "Semua (K1 dulu)", "en": "All (K1 first)"},
    "tracing.grade_filter.K1": {"id": "K1 · satu ruangan", "en": "K1 · same room"},
    "tracing.grade_filter.K2": {"id": "K2 · satu gedung", "en": "K2 · same building"},
    "tracing.grade.K1": {"id": "K1 (satu ruangan)", "en": "K1 (same room)"},
    "tracing.grade.K2": {"id": "K2 (satu gedung)", "en": "K2 (same building)"},
    "tracing.k1_header": {"id": "K1 · satu ruangan: {count}", "en": "K1 · same room: {count}"},
    "tracing.k2_header": {"id": "K2 · satu gedung: {count}", "en": "K2 · same building: {count}"},
    "tracing.no_k1": {
        "id": "Tidak ada kontak satu ruangan: kasus tidak memindai ruangan dan tidak punya ruang kerja di daftar "
        "pegawai, atau tidak ada yang bersamanya cukup lama.",
        "en": "No same-room contacts: the case scanned no room and has no home room in the staff roster, or "
        "nobody was with them long enough.",
    },
    "tracing.no_k2": {"id": "Tidak ada kontak K2.", "en": "No K2 contacts."},
    "tracing.assumed_mark": {"id": "{room} (daftar pegawai)", "en": "{room} (staff roster)"},
    "tracing.assumed_note": {
        "id": "“(daftar pegawai)”: ruang kerja menurut daftar pegawai, bukan dipindai; waktu di ruangan "
        "itu diasumsikan selama kunjungan ke gedungnya.",
        "en": "“(staff roster)”: the home room from the staff roster, not scanned; the time in it is "
        "assumed during visits to its building.",
    },
    "tracing.find": {"id": "Cari kasus (nama, NIP/ID atau nomor HP)", "en": "Find the case (name, ID or phone)"},
    "tracing.find_help": {
        "id": "Sebagian saja cukup; huruf besar/kecil dan aksen diabaikan.",
        "en": "Part of it is enough; case and accents are ignored.",
    },
    "tracing.no_match": {"id": "Tidak ada orang yang cocok.", "en": "Nobody matches."},
    "tracing.pick": {"id": "Pilih kasus", "en": "Pick the case"},
    "tracing.pick_placeholder": {"id": "Pilih satu orang dari daftar", "en": "Choose a person from the list"},
    "tracing.matches_count": {"id": "{count} orang cocok", "en": "{count} {count:one|person|persons} match"},
    "tracing.too_many": {
        "id": "lebih dari {limit} cocok: ketik lebih banyak",
        "en": "more than {limit} matches: type more",
    },
    "tracing.last_seen": {"id": "terakhir {when}", "en": "last seen {when}"},
    "tracing.never_seen": {"id": "belum pernah berkunjung", "en": "no visits"},
    "tracing.onset": {"id": "Tanggal gejala atau swab", "en": "Symptom onset or swab date"},
    "tracing.onset_help": {
        "id": "Jendela baku: 2 hari sebelum sampai 14 hari sesudah tanggal ini.",
        "en": "Default window: 2 days before to 14 days after this date.",
    },
    "tracing.from": {"id": "Dari tanggal", "en": "From"},
    "tracing.to": {"id": "Sampai tanggal (termasuk)", "en": "To (included)"},
    "tracing.min_overlap": {"id": "Minimal tumpang tindih (menit)", "en": "Minimum overlap (minutes)"},
    "tracing.tail": {"id": "Ekor setelah kunjungan (menit)", "en": "Tail after each visit (minutes)"},
    "tracing.tail_help": {
        "id": "Menit yang ditambahkan setelah kasus meninggalkan gedung.",
        "en": "Minutes added after the case left the building.",
    },
    "tracing.second_degree": {"id": "Sertakan kontak tingkat kedua", "en": "Include second-degree contacts"},
    "tracing.run": {"id": "Lacak kontak", "en": "Trace contacts"},
    "tracing.bad_range": {
        "id": "Tanggal akhir harus sama atau setelah tanggal awal.",
        "en": "The end date must be on or after the start date.",
    },
    "tracing.unknown_person": {"id": "Orang tidak ditemukan: {person}", "en": "Person not found: {person}"},
    "tracing.result_header": {"id": "Kontak erat", "en": "Close contacts"},
    "tracing.result_summary": {
        "id": "{count} kontak untuk {case} ({window}), minimal {min} menit, ekor {tail} menit.",
        "en": "{count} {count:one|contact|contacts} of {case} ({window}), minimum {min} {min:one|minute|minutes}, tail {tail} {tail:one|minute|minutes}.",
    },
    "tracing.stale": {
        "id": "Parameter berubah: tekan \u201cLacak kontak\u201d untuk hasil baru.",
        "en": "The parameters changed: press \u201cTrace contacts\u201d for new results.",
    },
    "tracing.no_contacts": {"id": "Tidak ada kontak erat pada jendela ini.", "en": "No close contacts in this window."},
    "tracing.case_visits": {"id": "Kunjungan kasus: {count}", "en": "Visits of the case: {count}"},
    "tracing.timeline_header": {"id": "Garis waktu", "en": "Timeline"},
    "tracing.case_label": {"id": "KASUS: {name}", "en": "CASE: {name}"},
    "tracing.second_header": {"id": "Kontak tingkat kedua", "en": "Second-degree contacts"},
    "tracing.second_summary": {
        "id": "{count} kontak tingkat kedua, melalui {first} kontak erat.",
        "en": "{count} second-degree contacts, through {first} close contacts.",
    },
    "tracing.via_more": {"id": "+{count} lainnya", "en": "+{count} more"},
    "tracing.timeline_shown": {
        "id": "menampilkan {shown} dari {total} kontak",
        "en": "showing {shown} of {total} {total:one|contact|contacts}",
    },
    "tracing.sheet": {"id": "Kontak", "en": "Contacts"},
    "tracing.category.ASN": {"id": "ASN", "en": "ASN"},
    "tracing.category.THL": {"id": "THL", "en": "THL"},
    "tracing.category.visitor": {"id": "pengunjung", "en": "visitor"},
    "tracing.yes": {"id": "ya", "en": "yes"},
    "tracing.no": {"id": "tidak", "en": "no"},
    "tracing.download_csv": {"id": "Unduh CSV", "en": "Download CSV"},
    "tracing.download_xlsx": {"id": "Unduh XLSX", "en": "Download XLSX"},
    "tracing.estimated_note": {
        "id": "\u201cPerkiraan\u201d: ada kunjungan yang ditutup otomatis atau masih berlangsung.",
        "en": "\u201cEstimated\u201d: a visit was closed automatically or is still open.",
    },
    "tracing.col.person_id": {"id": "ID", "en": "ID"},
    "tracing.col.name": {"id": "Nama", "en": "Name"},
    "tracing.col.category": {"id": "Kategori", "en": "Category"},
    "tracing.col.phone": {"id": "No. HP", "en": "Phone"},
    "tracing.col.buildings": {"id": "Gedung", "en": "Buildings"},
    "tracing.col.overlap_minutes": {"id": "Menit bersama", "en": "Minutes together"},  # in the building
    "tracing.col.first_contact": {"id": "Kontak pertama", "en": "First contact"},
    "tracing.col.last_contact": {"id": "Kontak terakhir", "en": "Last contact"},
    "tracing.col.estimated": {"id": "Perkiraan", "en": "Estimated"},
    "tracing.col.via": {"id": "Melalui", "en": "Via"},
    "tracing.col.degree": {"id": "Tingkat", "en": "Degree"},
    "tracing.col.unit": {"id": "Unit kerja", "en": "Unit"},
    "tracing.col.grade": {"id": "Jenis kontak", "en": "Contact grade"},
    "tracing.col.areas": {"id": "Ruang", "en": "Rooms"},
    "tracing.col.area_minutes": {"id": "Menit satu ruangan", "en": "Minutes in the same room"},
    "tracing.col.area_assumed": {"id": "Ruang dari daftar pegawai", "en": "Room from the roster"},
}
