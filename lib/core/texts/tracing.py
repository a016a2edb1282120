"""Texts of the Pelacakan / Tracing page."""

TEXTS: dict[str, dict[str, str]] = {
    "tracing.title": {"id": "Pelacakan kontak", "en": "Contact tracing"},
    "tracing.caption": {
        "id": "Kontak erat seorang kasus positif: berada di gedung yang sama pada waktu yang sama. "
        "Setiap pencarian dicatat di log audit.",
        "en": "Close contacts of a positive case: in the same building at the same time. "
        "Every search is written to the audit log.",
    },
    "tracing.find": {"id": "Cari kasus (nama, NIP/ID atau nomor HP)", "en": "Find the case (name, ID or phone)"},
    "tracing.find_help": {
        "id": "Sebagian saja cukup; huruf besar/kecil dan aksen diabaikan.",
        "en": "Part of it is enough; case and accents are ignored.",
    },
    "tracing.no_match": {"id": "Tidak ada orang yang cocok.", "en": "Nobody matches."},
    "tracing.pick": {"id": "Pilih kasus", "en": "Pick the case"},
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
        "en": "{count} contacts of {case} ({window}), minimum {min} minutes, tail {tail} minutes.",
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
    "tracing.col.overlap_minutes": {"id": "Menit bersama", "en": "Minutes together"},
    "tracing.col.first_contact": {"id": "Kontak pertama", "en": "First contact"},
    "tracing.col.last_contact": {"id": "Kontak terakhir", "en": "Last contact"},
    "tracing.col.estimated": {"id": "Perkiraan", "en": "Estimated"},
    "tracing.col.via": {"id": "Melalui", "en": "Via"},
}
