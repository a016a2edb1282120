"""Texts of a case at scale (issue 23): the work queue, choosing contacts, group actions,
the broadcast file, the grouped counts and the K2 figures of the leadership summary."""

TEXTS: dict[str, dict[str, str]] = {
    # The work queue ("to call now") across the tracer's open cases
    "cases.queue.header": {"id": "Hubungi sekarang", "en": "To call now"},
    "cases.queue.caption": {
        "id": "Kontak dari semua kasus terbuka yang ditugaskan kepada Anda. Paling atas: K1 yang hari tesnya "
        "sudah tiba (tes masuk saat ditemukan, tes keluar hari ke-13 setelah kontak terakhir) dan kontak "
        "yang belum dihubungi 24 jam setelah kasus dibuka.",
        "en": "Contacts of every open case assigned to you. At the top: K1 contacts whose test day has come "
        "(entry test when found, exit test on day 13 after the last contact) and contacts not reached "
        "24 hours after the case was opened.",
    },
    "cases.queue.summary": {
        "id": "{urgent} mendesak dari {total} kontak yang menunggu", "en": "{urgent} urgent of {total} waiting contacts",
    },
    "cases.queue.empty": {
        "id": "Tidak ada kontak yang menunggu di kasus Anda.", "en": "No contact is waiting in your cases.",
    },
    "cases.queue.reason.test_exit": {"id": "Tes keluar (hari ke-13) sudah tiba", "en": "Exit test (day 13) due"},
    "cases.queue.reason.test_entry": {"id": "Tes masuk belum tercatat", "en": "Entry test not recorded"},
    "cases.queue.reason.not_reached": {"id": "Belum dihubungi > 24 jam", "en": "Not reached after 24 h"},
    "cases.queue.reason.none": {"id": "–", "en": "–"},
    "cases.col.reason": {"id": "Mengapa sekarang", "en": "Why now"},
    "cases.col.hours_open": {"id": "Jam sejak kasus dibuka", "en": "Hours since the case opened"},
    "cases.col.exit_test_day": {"id": "Hari tes keluar", "en": "Exit test day"},
    "cases.col.unit": {"id": "Unit kerja", "en": "Unit"},
    "cases.page": {"id": "Halaman (dari {pages})", "en": "Page (of {pages})"},
    # Choosing contacts (filters) and the grouped counts
    "cases.filter.header": {"id": "Pilih kontak", "en": "Choose contacts"},
    "cases.filter.grade": {"id": "Jenis kontak", "en": "Contact grade"},
    "cases.filter.unit": {"id": "Unit kerja kontak", "en": "Contact's unit"},
    "cases.filter.area": {"id": "Ruangan bersama", "en": "Shared room"},
    "cases.filter.day": {"id": "Hari kontak terakhir", "en": "Day of last contact"},
    "cases.filter.status": {"id": "Status saat ini", "en": "Current status"},
    "cases.filter.all": {"id": "Semua", "en": "All"},
    "cases.filter.no_unit": {"id": "(tanpa unit)", "en": "(no unit)"},
    "cases.filter.count": {
        "id": "{chosen} dari {total} kontak dipilih (urut: K1 dulu, yang belum dihubungi dulu, waktu bersama terlama)",
        "en": "{chosen} of {total} {total:one|contact|contacts} chosen (order: K1 first, not yet reached first, longest time together)",
    },
    "cases.groups.by_unit": {"id": "{what} per unit kerja ({groups} unit)", "en": "{what} by unit ({groups} {groups:one|unit|units})"},
    "cases.groups.by_day": {"id": "{what} per hari ({groups} hari)", "en": "{what} by day ({groups} {groups:one|day|days})"},
    "cases.groups.all": {"id": "Kontak", "en": "Contacts"},
    "cases.groups.unit": {"id": "Unit kerja", "en": "Unit"},
    "cases.groups.day": {"id": "Hari kontak terakhir", "en": "Day of last contact"},
    "cases.groups.waiting": {"id": "Belum", "en": "Not yet"},
    # Group actions
    "cases.group.header": {"id": "Ubah semua kontak yang dipilih", "en": "Change every chosen contact"},
    "cases.group.status": {"id": "Status baru", "en": "New status"},
    "cases.group.test": {"id": "Hasil tes baru", "en": "New test result"},
    "cases.group.note": {"id": "Catatan untuk semua (kosong: tidak diubah)", "en": "Note for all (empty: unchanged)"},
    "cases.group.keep": {"id": "(tidak diubah)", "en": "(unchanged)"},
    "cases.group.apply": {"id": "Terapkan ke {count} kontak", "en": "Apply to {count} {count:one|contact|contacts}"},
    "cases.group.confirm_text": {
        "id": "{count} kontak akan diubah: {what}. Lanjutkan?", "en": "{count} {count:one|contact|contacts} will change: {what}. Go ahead?",
    },
    "cases.group.confirm": {"id": "Ya, ubah {count} kontak", "en": "Yes, change {count} {count:one|contact|contacts}"},
    "cases.group.cancel": {"id": "Batal", "en": "Cancel"},
    "cases.group.done": {"id": "{count} kontak diubah.", "en": "{count} {count:one|contact|contacts} changed."},
    "cases.group.what_status": {"id": "status menjadi {value}", "en": "status to {value}"},
    "cases.group.what_test": {"id": "hasil tes menjadi {value}", "en": "test result to {value}"},
    "cases.group.what_note": {"id": "catatan menjadi \u201c{value}\u201d", "en": "note to \u201c{value}\u201d"},
    # The broadcast file
    "cases.broadcast.header": {"id": "Pesan siaran (WhatsApp Business / SMS)", "en": "Broadcast (WhatsApp Business / SMS)"},
    "cases.broadcast.caption": {
        "id": "Satu berkas CSV (person_id, name, phone, message) untuk daftar siaran WhatsApp Business atau "
        "gateway SMS, nomor dalam bentuk 62…. Kontaknya ditandai 'dihubungi' hanya setelah Anda "
        "mengonfirmasi pesan sudah terkirim.",
        "en": "One CSV file (person_id, name, phone, message) for a WhatsApp Business broadcast list or an SMS "
        "gateway, numbers as 62…. Its contacts are marked 'reached' only once you confirm the message was sent.",
    },
    "cases.broadcast.grade": {"id": "Jenis kontak untuk siaran", "en": "Contact grade to broadcast"},
    "cases.broadcast.summary": {
        "id": "{sendable} kontak {grade} dengan nomor HP; {without} tanpa nomor yang bisa dipakai.",
        "en": "{sendable} {grade} {sendable:one|contact|contacts} with a mobile number; {without} without a usable number.",
    },
    "cases.broadcast.download": {"id": "Unduh CSV siaran {grade} ({count})", "en": "Download the {grade} broadcast CSV ({count})"},
    "cases.broadcast.no_phone_header": {
        "id": "Tanpa nomor yang bisa dipakai ({count}): hubungi dengan cara lain",
        "en": "Without a usable number ({count}): reach them another way",
    },
    "cases.broadcast.no_phone_download": {"id": "Unduh daftar tanpa nomor", "en": "Download the list without a number"},
    "cases.broadcast.sent": {
        "id": "Pesan sudah terkirim: tandai {count} kontak 'dihubungi'",
        "en": "Message sent: mark {count} {count:one|contact|contacts} 'reached'",
    },
    "cases.broadcast.marked": {
        "id": "{count} kontak {grade} ditandai 'dihubungi' (siaran).", "en": "{count} {grade} {count:one|contact|contacts} marked 'reached' (broadcast).",
    },
    # Errors and the command line
    "cases.error.no_phones": {
        "id": "tidak ada kontak {grade} kasus #{case} dengan nomor HP yang bisa dipakai ({without} tanpa nomor); "
        "tidak ada berkas",
        "en": "no {grade} contact of case #{case} has a usable mobile number ({without} without one); no file",
    },
    "cases.error.empty_selection": {
        "id": "tidak ada kontak kasus #{case} yang dipilih; tidak ada yang diubah",
        "en": "no contact of case #{case} is chosen; nothing changed",
    },
    "cases.error.bad_broadcast_out": {"id": "--out harus berkas .csv", "en": "--out must be a .csv file"},
    "cases.error.need_contact_or_group": {
        "id": "berikan --contact, atau --grade/--unit/--area/--day untuk sekelompok kontak",
        "en": "give --contact, or --grade/--unit/--area/--day for a group of contacts",
    },
    "cases.cli_group_set": {"id": "kasus #{case}: {count} kontak diubah", "en": "case #{case}: {count} {count:one|contact|contacts} changed"},
    "cases.cli_broadcast": {
        "id": "ditulis: {path} ({rows} kontak {grade} dengan nomor HP)",
        "en": "written: {path} ({rows} {grade} {rows:one|contact|contacts} with a mobile number)",
    },
    "cases.cli_no_phone": {
        "id": "{count} kontak {grade} tanpa nomor HP yang bisa dipakai (hubungi dengan cara lain):",
        "en": "{count} {grade} {count:one|contact|contacts} without a usable mobile number (reach them another way):",
    },
    # Leadership: K2 next to K1
    "cases.stats.k2": {"id": "Kontak K2", "en": "K2 contacts"},
    "cases.stats.k2_reached_24h": {
        "id": "K2 dihubungi ≤ 24 jam (pesan atau telepon)", "en": "K2 reached within 24 h (message or call)",
    },
    "cases.stats.k2_reached_72h": {
        "id": "K2 dihubungi ≤ 72 jam (pesan atau telepon)", "en": "K2 reached within 72 h (message or call)",
    },
    # Audit parameters of a group action and a broadcast
    "audit.param.group": {"id": "kelompok", "en": "group"},
    "audit.param.via": {"id": "lewat", "en": "via"},
    "audit.param.count": {"id": "jumlah", "en": "count"},
    "audit.param.ids": {"id": "ID kontak", "en": "contact ids"},
    "audit.param.grade": {"id": "tingkat", "en": "grade"},
    "audit.param.without_phone": {"id": "tanpa nomor", "en": "without a number"},
}
