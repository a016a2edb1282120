"""Words of the public self check-in page (Indonesian default, English)."""

TEXTS = {
    "checkin.title": {"id": "Check-in Pantau", "en": "Pantau check-in"},
    "checkin.word.checkin": {"id": "MASUK", "en": "CHECK IN"},
    "checkin.word.checkout": {"id": "KELUAR", "en": "CHECK OUT"},
    "checkin.other_language": {"id": "English", "en": "Bahasa Indonesia"},
    # Refused addresses.
    "checkin.refused.missing": {
        "id": "Alamat ini tidak lengkap. Pindai kode QR pada poster di pintu gedung.",
        "en": "This address is incomplete. Scan the QR code on the poster at the building door.",
    },
    "checkin.refused.bad_signature": {
        "id": "Alamat ini telah diubah atau bukan dari poster resmi, jadi tidak dicatat. Pindai kode QR pada poster di pintu gedung.",
        "en": "This address was changed or is not from an official poster, so nothing was recorded. Scan the QR code on the poster at the building door.",
    },
    "checkin.refused.bad_action": {
        "id": "Jenis pindaian tidak dikenal (harus masuk atau keluar).",
        "en": "Unknown scan type (must be check-in or check-out).",
    },
    "checkin.refused.unknown_building": {
        "id": "Gedung pada poster ini tidak terdaftar lagi. Hubungi petugas gedung.",
        "en": "The building on this poster is no longer registered. Please ask the building staff.",
    },
    "checkin.refused.unknown_gate": {
        "id": "Pintu pada poster ini tidak terdaftar lagi. Hubungi petugas gedung.",
        "en": "The gate on this poster is no longer registered. Please ask the building staff.",
    },
    "checkin.refused.unknown_area": {
        "id": "Ruang pada poster ini tidak terdaftar lagi. Hubungi petugas gedung.",
        "en": "The room on this poster is no longer registered. Please ask the building staff.",
    },
    # First visit: the form.
    "checkin.form.intro": {
        "id": "Pertama kali di ponsel ini? Isi data Anda sekali; pindaian berikutnya cukup satu ketukan.",
        "en": "First time on this phone? Enter your details once; later scans take one tap.",
    },
    "checkin.form.name": {"id": "Nama lengkap", "en": "Full name"},
    "checkin.form.category": {"id": "Kategori", "en": "Category"},
    "checkin.category.ASN": {"id": "ASN", "en": "Civil servant (ASN)"},
    "checkin.category.THL": {"id": "THL", "en": "Contract staff (THL)"},
    "checkin.category.visitor": {"id": "Pengunjung", "en": "Visitor"},
    "checkin.form.id_number": {"id": "NIP / NIK", "en": "ID number (NIP / NIK)"},
    "checkin.form.id_help": {
        "id": "ASN: NIP. Pengunjung: NIK, atau kosongkan dan isi nomor HP.",
        "en": "Civil servants: NIP. Visitors: NIK, or leave empty and give a phone number.",
    },
    "checkin.form.phone": {"id": "Nomor HP", "en": "Phone number"},
    "checkin.form.remember": {"id": "Ingat saya di ponsel ini", "en": "Remember me on this phone"},
    "checkin.form.privacy": {
        "id": "Data Anda disimpan di ponsel ini (cookie) dan di log kunjungan gedung untuk penelusuran kontak, lalu dihapus setelah masa simpan.",
        "en": "Your details are kept on this phone (a cookie) and in the building's visit log for contact tracing, and deleted after the retention period.",
    },
    "checkin.form.problem.name": {"id": "Isi nama Anda.", "en": "Please enter your name."},
    "checkin.form.problem.name_and_id": {
        "id": "Isi nama Anda, dan NIP/NIK atau nomor HP.",
        "en": "Please enter your name, and an ID number or a phone number.",
    },
    "checkin.form.problem.id_or_phone": {
        "id": "Isi NIP/NIK atau nomor HP.",
        "en": "Please enter an ID number or a phone number.",
    },
    # Known visitor: one tap.
    "checkin.hello": {"id": "Halo, {name}", "en": "Hello, {name}"},
    "checkin.tap.checkin": {"id": "MASUK sekarang", "en": "CHECK IN now"},
    "checkin.tap.checkout": {"id": "KELUAR sekarang", "en": "CHECK OUT now"},
    "checkin.not_you": {"id": "Bukan Anda? Ganti data", "en": "Not you? Change details"},
    # Outcomes.
    "checkin.outcome.checked_in": {
        "id": "Tercatat MASUK pukul {time}.",
        "en": "Checked in at {time}.",
    },
    "checkin.outcome.checked_out": {
        "id": "Tercatat KELUAR pukul {time}. Lama kunjungan: {stay}.",
        "en": "Checked out at {time}. Length of stay: {stay}.",
    },
    "checkin.outcome.duplicate.checkin": {
        "id": "Anda sudah tercatat masuk beberapa saat yang lalu; pindaian ini tidak dihitung dua kali.",
        "en": "You were already checked in a moment ago; this scan is not counted twice.",
    },
    "checkin.outcome.duplicate.checkout": {
        "id": "Anda sudah tercatat keluar beberapa saat yang lalu; pindaian ini tidak dihitung dua kali.",
        "en": "You were already checked out a moment ago; this scan is not counted twice.",
    },
    "checkin.outcome.orphan": {
        "id": "Tidak ada catatan masuk yang masih terbuka untuk Anda di gedung ini, jadi tidak ada kunjungan yang ditutup. Pindaian keluar ini tetap dicatat untuk petugas. Lain kali pindai poster MASUK saat datang.",
        "en": "There is no open check-in for you in this building, so no visit was closed. This check-out is still kept for the staff. Next time, scan the CHECK-IN poster when you arrive.",
    },
    # A room poster's tap (RULES "Places inside a building").
    "checkin.outcome.area_checked_in": {
        "id": "Tercatat MASUK ruang {room} pukul {time}.",
        "en": "Checked in to room {room} at {time}.",
    },
    "checkin.outcome.area_checked_in_door": {
        "id": "Tercatat MASUK {building} dan ruang {room} pukul {time}.",
        "en": "Checked in to {building} and room {room} at {time}.",
    },
    "checkin.outcome.area_checked_out": {
        "id": "Tercatat KELUAR dari ruang {room} pukul {time}. Lama di ruang: {stay}.",
        "en": "Checked out of room {room} at {time}. Time in the room: {stay}.",
    },
    "checkin.outcome.area_duplicate.checkin": {
        "id": "Anda sudah tercatat masuk ruang {room} beberapa saat yang lalu; pindaian ini tidak dihitung dua kali.",
        "en": "You were already checked in to room {room} a moment ago; this scan is not counted twice.",
    },
    "checkin.outcome.area_duplicate.checkout": {
        "id": "Anda sudah tercatat keluar dari ruang {room} beberapa saat yang lalu; pindaian ini tidak dihitung dua kali.",
        "en": "You were already checked out of room {room} a moment ago; this scan is not counted twice.",
    },
    "checkin.outcome.area_orphan": {
        "id": "Tidak ada catatan masuk ruang {room} yang masih terbuka untuk Anda. Pindaian keluar ini tetap dicatat untuk petugas.",
        "en": "There is no open check-in to room {room} for you. This check-out is still kept for the staff.",
    },
    "checkin.crowd": {
        "id": "{inside} orang di dalam, batas {threshold}",
        "en": "{inside} {inside:one|person|people} inside, limit {threshold}",
    },
    "checkin.crowd_no_limit": {"id": "{inside} orang di dalam", "en": "{inside} {inside:one|person|people} inside"},
    "checkin.crowd_over": {
        "id": "Gedung sedang ramai melebihi batas. Mohon jaga jarak atau tunggu sebentar.",
        "en": "The building is above its crowd limit. Please keep your distance or wait a while.",
    },
    "checkin.stay.minutes": {"id": "{minutes} menit", "en": "{minutes} min"},
    "checkin.stay.hours": {"id": "{hours} jam {minutes} menit", "en": "{hours} h {minutes} min"},
    "checkin.error": {
        "id": "Pindaian belum tercatat karena gangguan server. Coba lagi sebentar lagi.",
        "en": "The scan was not recorded because of a server problem. Please try again shortly.",
    },
}
