"""Texts of the front desk (Meja tamu): the desk page, slips, expected visitors, the host told."""

TEXTS: dict[str, dict[str, str]] = {
    "role.desk": {"id": "Meja tamu (resepsionis/satpam)", "en": "Front desk (receptionist/guard)"},
    "nav.front_desk": {"id": "Meja tamu", "en": "Front desk"},
    "front_desk.title": {"id": "Meja tamu", "en": "Front desk"},
    "front_desk.caption": {
        "id": "Buku tamu: catat tamu masuk dan keluar, dengan atau tanpa ponsel. Setiap catatan sama dengan "
        "pindaian poster QR (aturan, jurnal, audit).",
        "en": "The guest book: check visitors in and out, with or without a phone. Every entry is the same as a "
        "QR poster scan (rules, journal, audit).",
    },
    "front_desk.no_buildings": {
        "id": "Belum ada gedung. Administrator menambahkannya di Pengaturan.",
        "en": "No building yet. An administrator adds one on Settings.",
    },
    "front_desk.building": {"id": "Gedung", "en": "Building"},
    "front_desk.checkin_title": {"id": "Tamu masuk", "en": "Check a visitor in"},
    "front_desk.search": {"id": "Cari tamu: NIK, nomor HP atau nama", "en": "Find a visitor: NIK, phone or name"},
    "front_desk.search_help": {
        "id": "NIK dan nomor HP dicocokkan utuh dan ditampilkan tersamar.",
        "en": "NIK and phone numbers match whole and are shown masked.",
    },
    "front_desk.pick": {"id": "Tamu yang dikenal", "en": "Known visitor"},
    "front_desk.pick_new": {"id": "— Tamu baru —", "en": "— New visitor —"},
    "front_desk.found_none": {
        "id": "Tidak ada yang cocok: isi sebagai tamu baru.",
        "en": "Nobody matches: enter a new visitor.",
    },
    "front_desk.name": {"id": "Nama", "en": "Name"},
    "front_desk.nik": {"id": "NIK (16 digit)", "en": "NIK (16 digits)"},
    "front_desk.phone": {"id": "Nomor HP", "en": "Phone number"},
    "front_desk.id_hint": {
        "id": "Isi NIK atau nomor HP (tamu tanpa ponsel: NIK saja).",
        "en": "Give the NIK or a phone number (a visitor without a phone: the NIK alone).",
    },
    "front_desk.institution": {"id": "Instansi", "en": "Institution"},
    "front_desk.purpose": {"id": "Keperluan", "en": "Purpose"},
    "front_desk.purpose_none": {"id": "— tanpa keperluan —", "en": "— no purpose —"},
    "front_desk.purpose_other": {"id": "lainnya", "en": "other"},
    "front_desk.other_purpose": {"id": "Keperluan lainnya", "en": "Other purpose"},
    "front_desk.host": {"id": "Bertemu dengan (unit atau pegawai)", "en": "Visiting (unit or person)"},
    "front_desk.host_none": {"id": "— tidak ada —", "en": "— nobody in particular —"},
    "front_desk.host_unit": {"id": "{host} (unit)", "en": "{host} (unit)"},
    "front_desk.host_person": {"id": "{host} · {unit}", "en": "{host} · {unit}"},
    "front_desk.check_in": {"id": "Masuk", "en": "Check in"},
    "front_desk.checked_in": {
        "id": "{name} tercatat masuk pukul {time}.",
        "en": "{name} checked in at {time}.",
    },
    "front_desk.already_inside": {
        "id": "{name} sudah di dalam sejak {time}. Tidak dicatat lagi.",
        "en": "{name} is already inside since {time}. Not recorded again.",
    },
    "front_desk.checkout": {"id": "Keluar", "en": "Check out"},
    "front_desk.checked_out": {
        "id": "{name} tercatat keluar pukul {time} (di dalam {stay}).",
        "en": "{name} checked out at {time} (inside for {stay}).",
    },
    "front_desk.not_inside": {
        "id": "{name} tidak tercatat di dalam: tidak ada yang diubah.",
        "en": "{name} is not recorded inside: nothing changed.",
    },
    "front_desk.slip_receipt": {"id": "Slip tamu 80 mm (PDF)", "en": "Visitor slip 80 mm (PDF)"},
    "front_desk.slip_a6": {"id": "Slip tamu A6 (PDF)", "en": "Visitor slip A6 (PDF)"},
    "front_desk.notify_host": {"id": "Kabari {host} lewat WhatsApp", "en": "Tell {host} on WhatsApp"},
    "front_desk.host_no_phone": {
        "id": "{host} tidak punya nomor HP di daftar pegawai: kabari lewat telepon kantor.",
        "en": "{host} has no phone on the roster: call the office line.",
    },
    "front_desk.host_message": {
        "id": "Tamu Anda, {name}{institution}, sudah tiba di lobi {building} pukul {time}. Keperluan: {purpose}.",
        "en": "Your visitor, {name}{institution}, has arrived at the lobby of {building} at {time}. Purpose: {purpose}.",
    },
    "front_desk.webhook_sent": {
        "id": "Kedatangan dikirim ke webhook tuan rumah (tanpa NIK dan nomor HP).",
        "en": "The arrival was sent to the hosts' webhook (without NIK or phone).",
    },
    "front_desk.inside_title": {"id": "Tamu di dalam sekarang", "en": "Visitors inside now"},
    "front_desk.inside_none": {"id": "Tidak ada tamu di dalam.", "en": "No visitor inside."},
    "front_desk.inside_row": {
        "id": "**{name}**{institution} · sejak {time} · {purpose} · {host}",
        "en": "**{name}**{institution} · since {time} · {purpose} · {host}",
    },
    "front_desk.expected_title": {"id": "Tamu yang diharapkan hari ini", "en": "Expected today"},
    "front_desk.expected_none": {"id": "Tidak ada tamu terdaftar untuk hari ini.", "en": "No visitor registered for today."},
    "front_desk.expected_row": {
        "id": "**{name}** · {phone} · {purpose} · {host}",
        "en": "**{name}** · {phone} · {purpose} · {host}",
    },
    "front_desk.expected_arrive": {"id": "Datang", "en": "Arrived"},
    "front_desk.expected_arrived": {"id": "sudah datang {time}", "en": "arrived {time}"},
    "front_desk.no_shows": {
        "id": "Tidak datang dalam 7 hari terakhir: {no_show} dari {expected} tamu terdaftar.",
        "en": "No-shows in the last 7 days: {no_show} of {expected} {expected:one|registered visitor|registered visitors}.",
    },
    "front_desk.expected_add": {"id": "Daftarkan tamu yang akan datang", "en": "Register an expected visitor"},
    "front_desk.expected_date": {"id": "Tanggal kedatangan", "en": "Date of the visit"},
    "front_desk.expected_save": {"id": "Daftarkan", "en": "Register"},
    "front_desk.expected_saved": {
        "id": "{name} terdaftar untuk {day}. Kirim tautan pribadinya:",
        "en": "{name} is registered for {day}. Send their personal link:",
    },
    "front_desk.expected_whatsapp": {"id": "Kirim tautan ke {name} lewat WhatsApp", "en": "Send the link to {name} on WhatsApp"},
    "front_desk.expected_message": {
        "id": "Halo {name}, Anda terdaftar sebagai tamu di {building} pada {day}. Saat tiba, buka tautan ini "
        "untuk masuk: {url}",
        "en": "Hello {name}, you are registered as a visitor at {building} on {day}. When you arrive, open this "
        "link to check in: {url}",
    },
    "front_desk.error.name": {"id": "Nama wajib diisi.", "en": "A name is required."},
    "front_desk.error.id_or_phone": {"id": "Isi NIK atau nomor HP.", "en": "Give a NIK or a phone number."},
    "front_desk.error.bad_nik": {"id": "NIK harus 16 digit.", "en": "A NIK has 16 digits."},
    "front_desk.error.bad_phone": {"id": "Nomor HP tidak dapat dibaca.", "en": "The phone number cannot be read."},
    "front_desk.error.unknown_host": {
        "id": "“{host}” tidak ada di daftar pegawai. Yang paling mirip: {nearest}.",
        "en": "“{host}” is not on the roster. Nearest: {nearest}.",
    },
    "front_desk.error.unknown_purpose": {
        "id": "Keperluan “{purpose}” tidak ada di daftar; pilih “lainnya” dan tulis keperluannya.",
        "en": "The purpose “{purpose}” is not on the list; pick “other” and type it.",
    },
    "front_desk.error.other_purpose_empty": {"id": "Tulis keperluannya.", "en": "Type the purpose."},
    "front_desk.error.purpose_required": {"id": "Keperluan wajib diisi.", "en": "A purpose is required."},
    "front_desk.error.past_date": {
        "id": "Tanggal sudah lewat: tamu hanya dapat didaftarkan untuk hari ini atau sesudahnya.",
        "en": "That date is past: a visitor can be registered for today or later only.",
    },
    "front_desk.error.unknown_expected": {"id": "Pendaftaran tamu tidak ditemukan.", "en": "No such registration."},
    "front_desk.error.not_today": {
        "id": "Tamu ini terdaftar untuk {day}, bukan hari ini.",
        "en": "This visitor is registered for {day}, not today.",
    },
    "front_desk.error.unknown_building": {"id": "Gedung {building} tidak dikenal.", "en": "Unknown building {building}."},
    "front_desk.error.no_purposes": {"id": "Daftar keperluan tidak boleh kosong.", "en": "The purposes list cannot be empty."},
    "front_desk.error.too_many_purposes": {
        "id": "Paling banyak {limit} keperluan.",
        "en": "At most {limit} purposes.",
    },
    "front_desk.settings.title": {"id": "Meja tamu", "en": "Front desk"},
    "front_desk.settings.purposes": {"id": "Daftar keperluan (satu per baris)", "en": "Purposes (one per line)"},
    "front_desk.settings.purposes_help": {
        "id": "Ditawarkan di meja tamu dan halaman ponsel; “lainnya” selalu ada.",
        "en": "Offered at the front desk and on the phone page; “other” is always there.",
    },
    "front_desk.settings.purpose_required": {"id": "Keperluan wajib diisi tamu", "en": "Visitors must give a purpose"},
    "front_desk.settings.host_webhook": {
        "id": "Webhook kedatangan tamu (opsional)",
        "en": "Visitor arrival webhook (optional)",
    },
    "front_desk.settings.host_webhook_help": {
        "id": "Setiap tamu yang tiba dikirim sebagai JSON: nama, instansi, keperluan, tuan rumah, waktu; tanpa NIK "
        "dan nomor HP.",
        "en": "Each arrival is posted as JSON: name, institution, purpose, host, time; never the NIK or phone.",
    },
    "front_desk.settings.save": {"id": "Simpan pengaturan meja tamu", "en": "Save front desk settings"},
    "front_desk.settings.saved": {"id": "Pengaturan meja tamu disimpan.", "en": "Front desk settings saved."},
    "front_desk.settings.unchanged": {"id": "Tidak ada yang berubah.", "en": "Nothing changed."},
    "front_desk.by_purpose_title": {"id": "Tamu di dalam menurut keperluan", "en": "Visitors inside by purpose"},
    "front_desk.by_purpose_none": {"id": "Tidak ada tamu di dalam.", "en": "No visitor inside."},
    "front_desk.by_purpose.building": {"id": "Gedung", "en": "Building"},
    "front_desk.by_purpose.purpose": {"id": "Keperluan", "en": "Purpose"},
    "front_desk.by_purpose.inside": {"id": "Di dalam", "en": "Inside"},
    "front_desk.by_purpose.unstated": {"id": "(tidak disebut)", "en": "(not given)"},
    "phone.visitor.unknown": {
        "id": "Slip atau tautan ini tidak dikenal (mungkin sudah kedaluwarsa). Silakan ke meja tamu.",
        "en": "This slip or link is not known (it may have expired). Please go to the front desk.",
    },
    "phone.visit.title": {"id": "Kunjungan Anda (untuk tamu)", "en": "Your visit (for visitors)"},
    "phone.visit.host": {"id": "Unit yang dituju", "en": "Unit visited"},
    "phone.visit.staff_skip": {
        "id": "Pegawai yang terdaftar tidak perlu mengisi bagian ini.",
        "en": "Staff on the roster need not fill this in.",
    },
    "slip.title": {"id": "SLIP TAMU / VISITOR", "en": "VISITOR SLIP"},
    "slip.time_in": {"id": "Masuk: {time}", "en": "In: {time}"},
    "slip.purpose": {"id": "Keperluan: {purpose}", "en": "Purpose: {purpose}"},
    "slip.host": {"id": "Bertemu: {host}", "en": "Visiting: {host}"},
    "slip.scan_to_leave": {"id": "Pindai QR ini di pintu saat keluar", "en": "Scan this QR at the door when leaving"},
    "slip.keep": {"id": "Simpan slip ini selama berkunjung.", "en": "Keep this slip during your visit."},
    "audit.action.desk_checkin": {"id": "Tamu masuk (meja tamu)", "en": "Visitor checked in (front desk)"},
    "audit.action.desk_checkout": {"id": "Tamu keluar (meja tamu)", "en": "Visitor checked out (front desk)"},
    "audit.action.desk_expected_add": {"id": "Tamu didaftarkan", "en": "Visitor registered"},
}
