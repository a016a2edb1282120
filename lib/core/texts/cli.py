"""Words of the command line's own commands: buildings, users and settings (issue 26)."""

TEXTS: dict[str, dict[str, str]] = {
    "cli.unknown_building_known": {
        "id": "gedung tidak dikenal: {building}; gedung yang ada: {known}",
        "en": "unknown building: {building}; known buildings: {known}",
    },
    "cli.no_buildings": {"id": "(belum ada gedung)", "en": "(no building yet)"},
    "cli.buildings.confirmed": {
        "id": "gedung {building} dikonfirmasi",
        "en": "building {building} confirmed",
    },
    "cli.buildings.renamed": {
        "id": "gedung {building} sekarang bernama {name}",
        "en": "building {building} is now named {name}",
    },
    "cli.buildings.merged": {
        "id": "gedung {building} digabung ke {target}: {moved} pindaian dipindah, {dropped} kembar dibuang, "
        "{persons} orang dipasangkan ulang",
        "en": "building {building} merged into {target}: {moved} {moved:one|scan|scans} moved, {dropped} {dropped:one|duplicate|duplicates} dropped, "
        "{persons} {persons:one|person|persons} re-paired",
    },
    "cli.users.added": {
        "id": "pengguna {username} dibuat; kata sandinya (hanya ditampilkan sekali): {password}",
        "en": "user {username} created; the password (shown only once): {password}",
    },
    "cli.users.reset": {
        "id": "kata sandi baru {username} (hanya ditampilkan sekali): {password}",
        "en": "new password of {username} (shown only once): {password}",
    },
    "cli.users.deactivated": {"id": "pengguna {username} dinonaktifkan", "en": "user {username} deactivated"},
    "cli.users.already_inactive": {
        "id": "pengguna {username} sudah nonaktif",
        "en": "user {username} was already inactive",
    },
    "cli.settings.unknown_key": {
        "id": "pengaturan tidak dikenal: {setting}; yang dikenal: {known}",
        "en": "unknown setting: {setting}; known settings: {known}",
    },
    "cli.settings.bad_number": {
        "id": "{setting} harus berupa bilangan bulat, bukan {value}",
        "en": "{setting} must be a whole number, not {value}",
    },
    "cli.settings.saved": {"id": "{setting} disimpan: {value}", "en": "{setting} saved: {value}"},
    "cli.settings.unchanged": {
        "id": "{setting} tidak berubah: {value}",
        "en": "{setting} unchanged: {value}",
    },
    "cli.poster_app_address": {
        "id": "alamat di kode QR: {url}",
        "en": "address in the QR code: {url}",
    },
}
