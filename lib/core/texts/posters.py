"""Words on the printed posters and the admin poster page (Indonesian default, English)."""

TEXTS = {
    # On the poster itself (both languages are printed: Indonesian big, English small).
    "posters.word.checkin": {"id": "MASUK", "en": "CHECK-IN"},
    "posters.word.checkout": {"id": "KELUAR", "en": "CHECK-OUT"},
    "posters.gate": {"id": "Pintu / Gate: {gate}", "en": "Gate: {gate}"},
    "posters.instructions.checkin": {
        "id": "Pindai QR dengan kamera ponsel, isi data diri (sekali saja), tekan MASUK.",
        "en": "Scan with your phone camera, enter your details (first time only), tap CHECK IN.",
    },
    "posters.instructions.checkout": {
        "id": "Saat meninggalkan gedung: pindai QR ini dengan ponsel, lalu tekan KELUAR.",
        "en": "Leaving the building? Scan this QR code with your phone, then tap CHECK OUT.",
    },
    "posters.room_label": {"id": "Ruang", "en": "Room"},
    "posters.instructions.area_checkin": {
        "id": "Masuk ruang ini? Pindai QR dengan kamera ponsel, lalu tekan MASUK.",
        "en": "Entering this room? Scan with your phone camera, then tap CHECK IN.",
    },
    "posters.instructions.area_checkout": {
        "id": "Meninggalkan ruang ini? Pindai QR dengan ponsel, lalu tekan KELUAR.",
        "en": "Leaving this room? Scan this QR code with your phone, then tap CHECK OUT.",
    },
    "posters.area_capacity": {"id": "Kapasitas ruang {n} orang", "en": "Room capacity {n} {n:one|person|people}"},
    "posters.capacity": {"id": "Kapasitas {n} orang", "en": "Capacity {n} {n:one|person|people}"},
    "posters.limit": {"id": "Ambang kerumunan {n} orang", "en": "crowd threshold {n} {n:one|person|people}"},
    "posters.printed": {"id": "Dicetak {date}", "en": "printed {date}"},
    # The admin page.
    "posters.title": {"id": "Poster QR", "en": "QR posters"},
    "posters.intro": {
        "id": "Cetak poster A4 untuk pintu gedung. Kode QR membuka halaman check-in publik; alamatnya ditandatangani sehingga alamat yang diubah akan ditolak.",
        "en": "Print A4 posters for the building doors. The QR code opens the public check-in page; its address is signed, so an edited address is refused.",
    },
    "posters.no_buildings": {
        "id": "Belum ada gedung. Impor log kunjungan atau muat data demo terlebih dahulu.",
        "en": "No buildings yet. Import a visit log or load the demo data first.",
    },
    "posters.building": {"id": "Gedung", "en": "Building"},
    "posters.gate_select": {"id": "Pintu", "en": "Gate"},
    "posters.no_gate": {"id": "(tanpa pintu)", "en": "(no gate)"},
    "posters.place": {"id": "Poster untuk", "en": "Poster for"},
    "posters.place.door": {"id": "pintu gedung", "en": "a building door"},
    "posters.place.room": {"id": "ruang", "en": "a room"},
    "posters.area_select": {"id": "Ruang", "en": "Room"},
    "posters.rooms_with_checkout": {
        "id": "Sertakan poster KELUAR tiap ruang", "en": "Include each room's CHECK-OUT poster",
    },
    "posters.download_all_areas": {
        "id": "Unduh poster {rooms} ruang (PDF, {pages} hlm.)",
        "en": "Download {rooms} room posters (PDF, {pages} pp.)",
    },
    "posters.action": {"id": "Jenis poster", "en": "Poster type"},
    "posters.action.checkin": {"id": "MASUK (check-in)", "en": "CHECK-IN (masuk)"},
    "posters.action.checkout": {"id": "KELUAR (check-out)", "en": "CHECK-OUT (keluar)"},
    "posters.address": {
        "id": "Alamat yang dibuka ponsel saat memindai poster ini",
        "en": "The address a phone opens when it scans this poster",
    },
    "posters.base.saved": {
        "id": "Alamat publik (dari Pengaturan): {url}",
        "en": "Public address (from Settings): {url}",
    },
    "posters.base.request": {
        "id": "Alamat publik belum diatur. Poster memakai alamat yang Anda buka sekarang: {url}",
        "en": "The public address is not set. The posters use the address you are using now: {url}",
    },
    "posters.base.default": {
        "id": "Alamat publik belum diatur. Poster memakai alamat bawaan: {url}",
        "en": "The public address is not set. The posters use the built-in default: {url}",
    },
    "posters.warning": {
        "id": "**Ponsel pengunjung kemungkinan tidak dapat membuka kode QR ini.** {problem} "
        "Atur alamat publik (alamat yang dapat dibuka dari ponsel, misalnya https://pantau.bitungkota.go.id) "
        "di Pengaturan sebelum mencetak.",
        "en": "**Visitors' phones will probably not open this QR code.** {problem} "
        "Set the public address (one a phone can open, e.g. https://pantau.bitungkota.go.id) "
        "in Settings before printing.",
    },
    "posters.confirm": {
        "id": "Saya mengerti; tetap unduh poster dengan alamat ini (misalnya hanya untuk jaringan kantor)",
        "en": "I understand; download posters with this address anyway (e.g. for the office network only)",
    },
    "posters.save_request": {
        "id": "Simpan {url} sebagai alamat publik",
        "en": "Save {url} as the public address",
    },
    "posters.saved_request": {
        "id": "Alamat publik disimpan: {url}",
        "en": "Public address saved: {url}",
    },
    "posters.save_failed": {
        "id": "Alamat ini tidak dapat disimpan: {url}",
        "en": "This address cannot be saved: {url}",
    },
    # Why an address does not work for phones (lib.store.places.public_address_problem).
    "posters.problem.unset": {
        "id": "Alamat publik belum diatur; kode QR berisi {url}, yang hanya ada di komputer server.",
        "en": "The public address is not set; the QR code holds {url}, which exists only on the server computer.",
    },
    "posters.problem.loopback": {
        "id": "{url} adalah alamat komputer server sendiri (localhost); ponsel tidak dapat membukanya.",
        "en": "{url} is the server computer's own address (localhost); a phone cannot open it.",
    },
    "posters.problem.private": {
        "id": "{url} adalah alamat jaringan lokal; hanya ponsel yang tersambung ke jaringan kantor yang dapat membukanya.",
        "en": "{url} is a local network address; only phones on the office network can open it.",
    },
    "posters.problem.local_name": {
        "id": "{url} adalah nama komputer di jaringan lokal; ponsel dengan data seluler tidak dapat membukanya.",
        "en": "{url} is a local computer name; a phone on mobile data cannot open it.",
    },
    "posters.problem.invalid": {
        "id": "{url} bukan alamat http(s) yang sah.",
        "en": "{url} is not a valid http(s) address.",
    },
    "posters.preview": {"id": "Pratinjau", "en": "Preview"},
    "posters.preview_alt": {
        "id": "Pratinjau poster {word} untuk {building}",
        "en": "Preview of the {word} poster for {building}",
    },
    "posters.download_pdf": {"id": "Unduh PDF", "en": "Download PDF"},
    "posters.download_png": {"id": "Unduh PNG", "en": "Download PNG"},
    "posters.download_all": {
        "id": "Unduh semua poster pintu (PDF, {pages} hlm.)",
        "en": "Download every door poster (PDF, {pages} pp.)",
    },
    "posters.cli_unknown_gate": {"id": "pintu tidak dikenal: {gate}", "en": "unknown gate: {gate}"},
    "posters.cli_unknown_area": {
        "id": "ruang tidak dikenal di gedung {building}: {area}",
        "en": "unknown room in building {building}: {area}",
    },
    "posters.cli_gate_and_area": {
        "id": "--gate dan --area tidak boleh dipakai bersama: poster untuk pintu atau untuk ruang",
        "en": "--gate and --area cannot be used together: a poster is for a gate or for a room",
    },
    "posters.cli_no_areas": {"id": "gedung {building} belum punya ruang", "en": "building {building} has no rooms yet"},
    "posters.cli_all_and_area": {
        "id": "pilih satu: --all (semua poster pintu), --all-areas (semua poster ruang) atau satu --area",
        "en": "choose one: --all (every door poster), --all-areas (every room poster) or one --area",
    },
    "posters.cli_bad_out": {
        "id": "--out harus berakhiran .pdf atau .png",
        "en": "--out must end in .pdf or .png",
    },
    "posters.cli_all_pdf": {
        "id": "--all dan --all-areas hanya menulis .pdf", "en": "--all and --all-areas write .pdf only",
    },
    "posters.cli_action_required": {
        "id": "--action wajib (checkin atau checkout) kecuali dengan --all atau --all-areas",
        "en": "--action is required (checkin or checkout) unless --all or --all-areas is given",
    },
    "posters.cli_written": {"id": "poster ditulis: {path}", "en": "poster written: {path}"},
    "posters.cli_warning": {
        "id": "peringatan: {problem} Atur alamat publik di Pengaturan, atau beri --base-url https://...",
        "en": "warning: {problem} Set the public address in Settings, or pass --base-url https://...",
    },
    "posters.cli_bad_base_url": {
        "id": "--base-url harus alamat http:// atau https:// tanpa spasi: {url}",
        "en": "--base-url must be an http:// or https:// address without spaces: {url}",
    },
}
