"""Texts of the Pengguna / Users page."""

TEXTS: dict[str, dict[str, str]] = {
    "users.title": {"id": "Pengguna", "en": "Users"},
    "users.caption": {
        "id": "Akun dasbor dan perannya. Kata sandi dibuat otomatis dan hanya ditampilkan sekali; "
        "yang disimpan hanya hash bcrypt. Setelah {attempts} kali salah kata sandi dari satu alamat jaringan, "
        "alamat itu harus menunggu (30 detik, lalu dua kali lebih lama, paling lama {minutes} menit); "
        "akunnya tidak pernah dikunci, pemiliknya tetap dapat masuk dari alamat lain.",
        "en": "Dashboard accounts and their roles. Passwords are generated and shown only once; only bcrypt "
        "hashes are stored. After {attempts} wrong passwords from one network address, that address "
        "must wait (30 seconds, then twice as long, at most {minutes} {minutes:one|minute|minutes}); the account is never locked, "
        "its owner still logs in from another address.",
    },
    "users.username": {"id": "Nama pengguna", "en": "Username"},
    "users.name": {"id": "Nama lengkap", "en": "Full name"},
    "users.roles": {"id": "Peran", "en": "Roles"},
    "users.status": {"id": "Status", "en": "Status"},
    "users.active": {"id": "aktif", "en": "active"},
    "users.no_roles": {"id": "tanpa akses", "en": "no access"},
    "users.throttled_until": {"id": "alamat menunggu sampai {until}", "en": "an address waits until {until}"},
    "users.failures": {"id": "Gagal berturut-turut", "en": "Failures in a row"},
    "users.demo": {"id": "Demo", "en": "Demo"},
    "users.add": {"id": "Tambah pengguna", "en": "Add a user"},
    "users.add_submit": {"id": "Tambah", "en": "Add"},
    "users.added": {
        "id": "Pengguna {username} ditambahkan. Kata sandinya (hanya ditampilkan sekali ini):",
        "en": "User {username} added. The password (shown only this once):",
    },
    "users.edit": {"id": "Ubah pengguna", "en": "Edit a user"},
    "users.select": {"id": "Pengguna", "en": "User"},
    "users.save_roles": {"id": "Simpan peran", "en": "Save roles"},
    "users.roles_saved": {"id": "Peran {username} disimpan.", "en": "Roles of {username} saved."},
    "users.reset": {"id": "Buat kata sandi baru", "en": "Reset the password"},
    "users.reset_done": {
        "id": "Kata sandi baru untuk {username} (hanya ditampilkan sekali ini; sesi lamanya diakhiri):",
        "en": "New password for {username} (shown only this once; their old sessions are ended):",
    },
    "users.unlock": {"id": "Hapus jeda masuk", "en": "Clear login waits"},
    "users.unlocked": {
        "id": "Jeda masuk {username} dihapus dari semua alamat.", "en": "Login waits of {username} cleared for every address.",
    },
    "users.error.bad_username": {
        "id": "Nama pengguna 2–32 karakter: huruf kecil, angka, '.', '_' atau '-'.",
        "en": "Username of 2–32 characters: lower-case letters, digits, '.', '_' or '-'.",
    },
    "users.error.bad_role": {"id": "Peran tidak dikenal: {role}", "en": "Unknown role: {role}"},
    "users.error.no_roles": {"id": "Pilih paling sedikit satu peran.", "en": "Choose at least one role."},
    "users.error.exists": {"id": "Pengguna {username} sudah ada.", "en": "User {username} already exists."},
    "users.error.unknown_user": {"id": "Pengguna tidak dikenal: {username}", "en": "Unknown user: {username}"},
    "users.error.last_admin": {
        "id": "Admin terakhir tidak boleh kehilangan peran admin.",
        "en": "The last administrator cannot lose the admin role.",
    },
    "users.error.last_active_admin": {
        "id": "{username} adalah admin aktif terakhir: akun ini tidak dapat dinonaktifkan atau dihapus. "
        "Jadikan pengguna lain admin lebih dulu.",
        "en": "{username} is the last active administrator: this account can be neither deactivated nor "
        "deleted. Make another user an administrator first.",
    },
    "users.inactive": {"id": "nonaktif", "en": "deactivated"},
    "users.deactivate": {"id": "Nonaktifkan", "en": "Deactivate"},
    "users.reactivate": {"id": "Aktifkan kembali", "en": "Reactivate"},
    "users.deactivated": {
        "id": "{username} dinonaktifkan: tidak dapat masuk lagi, sesi yang terbuka berakhir.",
        "en": "{username} is deactivated: cannot log in any more, open sessions end.",
    },
    "users.reactivated": {"id": "{username} aktif kembali.", "en": "{username} is active again."},
    "users.delete": {"id": "Hapus pengguna", "en": "Delete user"},
    "users.delete_ack": {
        "id": "Saya mengerti: akun {username} dihapus permanen (catatan audit tetap ada).",
        "en": "I understand: the account {username} is deleted for good (its audit records stay).",
    },
    "users.delete_needs_ack": {
        "id": "Centang konfirmasi dulu untuk menghapus {username}.",
        "en": "Tick the confirmation first to delete {username}.",
    },
    "users.deleted": {"id": "Pengguna {username} dihapus.", "en": "User {username} deleted."},
}
