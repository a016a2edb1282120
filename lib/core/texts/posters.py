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
    "posters.capacity": {"id": "Kapasitas {n} orang", "en": "Capacity {n} people"},
    "posters.capacity_none": {"id": "Kapasitas: -", "en": "Capacity: -"},
    "posters.limit": {"id": "Batas keramaian {n} orang", "en": "crowd limit {n} people"},
    "posters.limit_none": {"id": "Batas keramaian: -", "en": "crowd limit: -"},
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
    "posters.action": {"id": "Jenis poster", "en": "Poster type"},
    "posters.action.checkin": {"id": "MASUK (check-in)", "en": "CHECK-IN (masuk)"},
    "posters.action.checkout": {"id": "KELUAR (check-out)", "en": "CHECK-OUT (keluar)"},
    "posters.address": {"id": "Alamat pada kode QR", "en": "Address in the QR code"},
    "posters.base_url_note": {
        "id": "Alamat publik aplikasi (pengaturan public_base_url): {url}",
        "en": "Public address of the app (setting public_base_url): {url}",
    },
    "posters.preview": {"id": "Pratinjau", "en": "Preview"},
    "posters.preview_alt": {
        "id": "Pratinjau poster {word} untuk {building}",
        "en": "Preview of the {word} poster for {building}",
    },
    "posters.download_pdf": {"id": "Unduh PDF", "en": "Download PDF"},
    "posters.download_png": {"id": "Unduh PNG", "en": "Download PNG"},
    "posters.download_all": {
        "id": "Unduh semua poster gedung ini (PDF, {pages} halaman)",
        "en": "Download all posters of this building (PDF, {pages} pages)",
    },
    "posters.cli_unknown_gate": {"id": "pintu tidak dikenal: {gate}", "en": "unknown gate: {gate}"},
    "posters.cli_bad_out": {
        "id": "--out harus berakhiran .pdf atau .png",
        "en": "--out must end in .pdf or .png",
    },
    "posters.cli_all_pdf": {"id": "--all hanya menulis .pdf", "en": "--all writes .pdf only"},
    "posters.cli_action_required": {
        "id": "--action wajib (checkin atau checkout) kecuali dengan --all",
        "en": "--action is required (checkin or checkout) unless --all is given",
    },
    "posters.cli_written": {"id": "poster ditulis: {path}", "en": "poster written: {path}"},
}
