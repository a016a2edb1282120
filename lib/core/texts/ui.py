"""Texts of the app shell: login, roles, menu, language switch."""

TEXTS: dict[str, dict[str, str]] = {
    "login.title": {"id": "Masuk ke Pantau", "en": "Log in to Pantau"},
    "login.caption": {
        "id": "Pemantauan kunjungan gedung Pemerintah Kota Bitung. Masuk dengan akun Anda.",
        "en": "Building visit monitoring for the Bitung city government. Log in with your account.",
    },
    "login.form": {"id": "Masuk", "en": "Log in"},
    "login.username": {"id": "Nama pengguna", "en": "Username"},
    "login.password": {"id": "Kata sandi", "en": "Password"},
    "login.submit": {"id": "Masuk", "en": "Log in"},
    "login.wrong": {
        "id": "Nama pengguna atau kata sandi salah.",
        "en": "Wrong username or password.",
    },
    "login.locked": {
        "id": "Akun dikunci sampai {until} setelah {attempts} kali salah kata sandi. "
        "Coba lagi nanti atau minta admin membukanya.",
        "en": "The account is locked until {until} after {attempts} wrong passwords. "
        "Try again later or ask an administrator to unlock it.",
    },
    "login.demo_title": {"id": "Akun demo", "en": "Demo accounts"},
    "login.demo_caption": {
        "id": "Mode demo: data contoh satu bulan. Akun ini hanya ada dalam mode demo.",
        "en": "Demo mode: a sample month of data. These accounts exist only in demo mode.",
    },
    "login.first_admin": {
        "id": "Akun administrator '{username}' telah dibuat. Kata sandinya ditampilkan sekali di konsol server.",
        "en": "The administrator account '{username}' was created. Its password was shown once in the server console.",
    },
    "auth.login_required": {"id": "Silakan masuk terlebih dahulu.", "en": "Please log in first."},
    "auth.refused": {
        "id": "Akses ditolak: peran Anda tidak boleh membuka halaman ini.",
        "en": "Access refused: your role may not open this page.",
    },
    "auth.no_pages": {
        "id": "Belum ada halaman untuk peran Anda. Hubungi administrator.",
        "en": "There is no page for your role yet. Contact an administrator.",
    },
    "auth.logout": {"id": "Keluar", "en": "Log out"},
    "role.admin": {"id": "Admin (Kabag Umum)", "en": "Administrator"},
    "role.leadership": {"id": "Pimpinan", "en": "Leadership"},
    "role.tracer": {"id": "Pelacak", "en": "Tracer"},
    "nav.now": {"id": "Sekarang", "en": "Now"},
    "nav.occupancy": {"id": "Okupansi", "en": "Occupancy"},
    "nav.weekly": {"id": "Statistik mingguan", "en": "Weekly statistics"},
    "nav.tracing": {"id": "Pelacakan", "en": "Contact tracing"},
    "nav.import": {"id": "Impor", "en": "Import"},
    "nav.quality": {"id": "Kualitas data", "en": "Data quality"},
    "nav.settings": {"id": "Pengaturan", "en": "Settings"},
    "nav.users": {"id": "Pengguna", "en": "Users"},
    "nav.posters": {"id": "Poster QR", "en": "QR posters"},
    "nav.audit": {"id": "Audit", "en": "Audit"},
    "nav.checkin": {"id": "Check-in", "en": "Check-in"},
    "nav.section.monitor": {"id": "Pemantauan", "en": "Monitoring"},
    "nav.section.tracing": {"id": "Pelacakan kontak", "en": "Contact tracing"},
    "nav.section.data": {"id": "Data", "en": "Data"},
    "nav.section.admin": {"id": "Administrasi", "en": "Administration"},
    "ui.language_help": {"id": "Ganti bahasa tampilan", "en": "Change the display language"},
    "ui.loading_demo": {
        "id": "Basis data kosong: memuat data demo satu bulan…",
        "en": "The database is empty: loading a demo month…",
    },
    "ui.all_buildings": {"id": "Semua gedung", "en": "All buildings"},
    "ui.building": {"id": "Gedung", "en": "Building"},
    "ui.unconfirmed": {"id": "baru, belum dikonfirmasi", "en": "new, unconfirmed"},
    "login.inactive": {
        "id": "Akun ini dinonaktifkan. Hubungi admin.",
        "en": "This account is deactivated. Ask an administrator.",
    },
    "ui.from": {"id": "Dari tanggal", "en": "From"},
    "ui.to": {"id": "Sampai tanggal", "en": "To"},
    "ui.bad_range": {
        "id": "Tanggal akhir harus sama atau setelah tanggal awal.",
        "en": "The end date must be on or after the start date.",
    },
    "ui.no_buildings": {
        "id": "Belum ada gedung. Impor log kunjungan atau tambahkan gedung di Pengaturan.",
        "en": "No buildings yet. Import a visit log or add a building in Settings.",
    },
    "ui.times_in": {"id": "Waktu setempat ({zone}).", "en": "Local time ({zone})."},
    "ui.category.ASN": {"id": "ASN", "en": "Civil servants (ASN)"},
    "ui.category.THL": {"id": "THL", "en": "Contract staff (THL)"},
    "ui.category.visitor": {"id": "Pengunjung", "en": "Visitors"},
    "ui.action.checkin": {"id": "masuk", "en": "check-in"},
    "ui.action.checkout": {"id": "keluar", "en": "check-out"},
}
