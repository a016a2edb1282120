"""Words of the light check-in page a poster's QR opens on a phone (Indonesian default, English).

The outcome sentences, the crowd and the form's labels are the check-in page's own
(``checkin.*``); these are the light page's additions.
"""

TEXTS = {
    "phone.cross_site": {
        "id": "Formulir ini dikirim dari situs lain, bukan dari poster; tidak ada yang dicatat. Pindai poster lagi.",
        "en": "This form was sent from another website, not from the poster; nothing was recorded. Scan the poster again.",
    },
    "phone.inside_since": {"id": "Anda sudah di dalam sejak {time}", "en": "You have been inside since {time}"},
    "phone.inside_elsewhere": {
        "id": "Anda tercatat di dalam {building} sejak {time}",
        "en": "You are recorded inside {building} since {time}",
    },
    "phone.not_inside": {"id": "Anda belum tercatat di dalam gedung ini.", "en": "You are not recorded inside this building."},
    "phone.optional": {"id": "(boleh kosong)", "en": "(optional)"},
    "phone.replayed": {
        "id": "Formulir ini sudah terkirim sebelumnya; tidak dicatat dua kali.",
        "en": "This form was already sent; it is not recorded twice.",
    },
    "phone.expired": {
        "id": "Formulir ini sudah kedaluwarsa dan tidak dicatat. Silakan ketuk lagi.",
        "en": "This form has expired and nothing was recorded. Please tap again.",
    },
    "phone.bad_form": {
        "id": "Formulir ini telah diubah, jadi tidak dicatat. Pindai kode QR pada poster lagi.",
        "en": "This form was changed, so nothing was recorded. Scan the QR code on the poster again.",
    },
    "phone.too_large": {
        "id": "Data yang dikirim terlalu besar dan tidak dicatat.",
        "en": "What was sent is too large and was not recorded.",
    },
    "phone.problem.name_long": {
        "id": "Nama terlalu panjang (paling banyak 120 huruf).",
        "en": "The name is too long (at most 120 characters).",
    },
    "phone.problem.bad_id": {
        "id": "NIP/NIK atau nomor HP hanya boleh berisi angka (paling banyak 40).",
        "en": "The ID or phone number may only hold digits (at most 40).",
    },
    "phone.problem.name_mismatch": {
        "id": "Nama tidak cocok dengan data untuk nomor ini; tidak dicatat. Tulis nama lengkap Anda seperti di data kantor, atau tanyakan petugas.",
        "en": "The name does not match our records for this number; nothing was recorded. Write your full name as the office has it, or ask the staff.",
    },
    "phone.form_used": {
        "id": "Formulir ini sudah dipakai untuk pindaian lain, jadi pindaian ini tidak dicatat. Buka lagi poster (pindai kode QR) untuk mencatat orang lain.",
        "en": "This form was already used for another scan, so this one was not recorded. Open the poster again (scan the QR code) to record someone else.",
    },
    "phone.open_poster": {"id": "Buka poster lagi", "en": "Open the poster again"},
    "phone.rate_limited": {
        "id": "Terlalu banyak pindaian dalam waktu singkat; tidak dicatat. Tunggu satu menit lalu coba lagi.",
        "en": "Too many scans in a short time; nothing was recorded. Wait a minute and try again.",
    },
    "phone.back": {"id": "Kembali", "en": "Back"},
    "phone.title.refused": {"id": "Tidak dicatat", "en": "Not recorded"},
}
