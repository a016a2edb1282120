"""Texts of the guest book (buku tamu, issue 22): its import, the column-mapping step on the
Import page and the week's visits by purpose or host (Weekly page, report, command line)."""

TEXTS: dict[str, dict[str, str]] = {
    # RULES "Import", guest book: the label of visits whose check-in named no purpose or host.
    "purposes.unspecified": {"id": "(tidak diisi)", "en": "(not given)"},
    # A host who is a person not on the roster, in the leadership's figures (no names there).
    "purposes.person_host": {"id": "(pegawai)", "en": "(a staff member)"},
    "purposes.col.purpose": {"id": "Keperluan", "en": "Purpose"},
    "purposes.col.host": {"id": "Yang dikunjungi", "en": "Host (unit or person visited)"},
    "purposes.col.visits": {"id": "Kunjungan", "en": "Visits"},
    "purposes.col.visitors": {"id": "Tamu (orang)", "en": "Visitors (persons)"},
    "purposes.col.visits_prev": {"id": "Kunjungan minggu lalu", "en": "Visits the week before"},
    "purposes.col.visits_change_pct": {"id": "Perubahan (%)", "en": "Change (%)"},
    "purposes.col.building": {"id": "Gedung", "en": "Building"},
    "purposes.title.purpose": {"id": "Kunjungan menurut keperluan", "en": "Visits by purpose"},
    "purposes.title.host": {"id": "Kunjungan menurut yang dikunjungi", "en": "Visits by host"},
    "purposes.caption": {
        "id": "Setiap kunjungan minggu ini dihitung menurut keperluan atau unit/orang yang dikunjungi yang dicatat "
        "saat masuk (meja tamu, buku tamu yang diimpor, atau formulir ponsel). Kunjungan tanpa isian dihitung "
        "sebagai \"(tidak diisi)\". Hanya jumlah, tanpa nama.",
        "en": "Every visit of the week, counted by the purpose or the unit/person visited recorded at check-in "
        "(the front desk, an imported guest book, or the phone form). Visits that named none count as "
        "\"(not given)\". Counts only, no names.",
    },
    "purposes.by": {"id": "Menurut", "en": "By"},
    "purposes.by.purpose": {"id": "Keperluan", "en": "Purpose"},
    "purposes.by.host": {"id": "Yang dikunjungi", "en": "Host"},
    "purposes.header": {"id": "Tamu menurut keperluan dan yang dikunjungi", "en": "Visitors by purpose and host"},
    "purposes.sheet.purpose": {"id": "Keperluan", "en": "By purpose"},
    "purposes.sheet.host": {"id": "Yang dikunjungi", "en": "By host"},
    "purposes.pdf_more": {"id": "… dan {count} lainnya: {visits} kunjungan", "en": "… and {count} more: {visits} {visits:one|visit|visits}"},
    "purposes.chart_visits": {"id": "Kunjungan", "en": "Visits"},
    "purposes.none": {"id": "Belum ada kunjungan minggu ini atau minggu lalu.", "en": "No visits this week or the week before."},
    # The Import page's building picker and column-mapping step (lib.ingest.mapping).
    "mapping.building": {"id": "Gedung untuk file tanpa kolom gedung", "en": "Building for a file without a building column"},
    "mapping.building_help": {
        "id": "Buku tamu biasanya milik satu gedung dan tidak punya kolom gedung: pilih gedungnya di sini. "
        "File yang menyebut gedungnya sendiri tetap memakai gedung di file.",
        "en": "A guest book usually belongs to one building and has no building column: pick it here. "
        "A file that names its buildings keeps its own.",
    },
    "mapping.building_from_file": {"id": "(dari kolom gedung di file)", "en": "(from the file's building column)"},
    "mapping.title": {"id": "Tentukan kolom: {file}", "en": "Map the columns: {file}"},
    "mapping.caption": {
        "id": "Nama kolom file ini tidak dikenali. Pilih isi tiap kolom (jam masuk, tanggal, nama, NIK, nomor HP, "
        "keperluan, yang dikunjungi…). Belum ada yang disimpan; pilihan ini diingat untuk file berikutnya dengan "
        "kolom yang sama.",
        "en": "This file's column names are not recognised. Say what each column holds (time in, date, name, NIK, "
        "phone, purpose, host…). Nothing is stored yet; the choice is remembered for the next file with the same "
        "columns.",
    },
    "mapping.preview": {
        "id": "**Pratinjau** baris pertama seperti akan diimpor (waktu setempat gedung):",
        "en": "**Preview** of the first rows as they would import (the building's local time):",
    },
    "mapping.run": {"id": "Impor dengan pemetaan ini", "en": "Import with this mapping"},
    "mapping.problem.no_time": {
        "id": "Tidak bisa diimpor: pilih kolom jam masuk (atau waktu pindai). Tanpa waktu tidak ada kunjungan.",
        "en": "Cannot import: pick the check-in time column (or the scan time). Without a time there is no visit.",
    },
    "mapping.problem.no_action": {
        "id": "Tidak bisa diimpor: waktu pindai perlu kolom aksi (masuk/keluar), atau pilih kolom itu sebagai jam masuk.",
        "en": "Cannot import: a scan time needs an action column (in/out), or pick that column as the check-in time.",
    },
    "mapping.problem.no_identity": {
        "id": "Tidak bisa diimpor: pilih kolom NIK, nomor HP atau ID orang. Tanpa identitas kunjungan tidak dapat "
        "dikaitkan dengan orangnya.",
        "en": "Cannot import: pick the NIK, phone or person ID column. Without an identity a visit cannot be tied "
        "to its person.",
    },
    "mapping.problem.no_building": {
        "id": "Tidak bisa diimpor: pilih kolom gedung, atau pilih gedung di atas.",
        "en": "Cannot import: pick the building column, or pick the building above.",
    },
    "mapping.problem.twice": {
        "id": "Tidak bisa diimpor: satu isi dipilih untuk dua kolom.",
        "en": "Cannot import: one meaning is picked for two columns.",
    },
    "mapping.target.ignored": {"id": "— tidak dipakai —", "en": "— not used —"},
    "mapping.target.date": {"id": "Tanggal", "en": "Date"},
    "mapping.target.checkin_at": {"id": "Jam masuk", "en": "Time in"},
    "mapping.target.checkout_at": {"id": "Jam keluar", "en": "Time out"},
    "mapping.target.timestamp": {"id": "Waktu pindai", "en": "Scan time"},
    "mapping.target.action": {"id": "Aksi (masuk/keluar)", "en": "Action (in/out)"},
    "mapping.target.name": {"id": "Nama", "en": "Name"},
    "mapping.target.nik": {"id": "NIK", "en": "NIK (ID card)"},
    "mapping.target.person_id": {"id": "ID orang (NIP)", "en": "Person ID (NIP)"},
    "mapping.target.phone": {"id": "Nomor HP", "en": "Phone"},
    "mapping.target.institution": {"id": "Instansi", "en": "Institution"},
    "mapping.target.purpose": {"id": "Keperluan", "en": "Purpose"},
    "mapping.target.host": {"id": "Yang dikunjungi", "en": "Host (unit or person visited)"},
    "mapping.target.building": {"id": "Gedung", "en": "Building"},
    "mapping.target.gate": {"id": "Pintu", "en": "Gate"},
    "mapping.target.area": {"id": "Ruang", "en": "Room"},
    "mapping.target.category": {"id": "Kategori", "en": "Category"},
    "mapping.target.status": {"id": "Status kesehatan", "en": "Health status"},
    "mapping.col.row_no": {"id": "Baris ke", "en": "Row"},
    "mapping.col.person_id": {"id": "Orang (NIK / HP)", "en": "Person (NIK / phone)"},
    "mapping.col.building": {"id": "Gedung", "en": "Building"},
    "mapping.col.checkin_at": {"id": "Masuk", "en": "In"},
    "mapping.col.checkout_at": {"id": "Keluar", "en": "Out"},
    "mapping.col.name": {"id": "Nama", "en": "Name"},
    "mapping.col.purpose": {"id": "Keperluan", "en": "Purpose"},
    "mapping.col.host": {"id": "Yang dikunjungi", "en": "Host"},
    "mapping.col.reason": {"id": "Dikarantina karena", "en": "Quarantined because"},
    "import.column.date": {
        "id": "tanggal (hari dulu: 07/12/2026), bersama jam masuk/keluar berupa jam saja (08:15, 8.15)",
        "en": "date (day first: 07/12/2026), with time-only check-in/out columns (08:15, 8.15)",
    },
    "import.column.nik": {
        "id": "NIK (16 angka): identitas bila tidak ada kolom person_id; tanpa NIK, nomor HP",
        "en": "NIK (16 digits): the identity when there is no person_id column; without a NIK, the phone",
    },
    "import.column.purpose": {"id": "keperluan kunjungan", "en": "purpose of the visit"},
    "import.column.host": {"id": "unit atau orang yang dikunjungi", "en": "unit or person visited"},
    "import.column.institution": {"id": "instansi tamu", "en": "the visitor's institution"},
    # Quarantine reasons of the guest book (RULES "Import").
    "reason.no_identity": {
        "id": "tanpa identitas: tidak ada NIK (16 angka) atau nomor HP yang dapat dibaca",
        "en": "no identity: neither a NIK (16 digits) nor a readable phone number",
    },
    "refused.unknown_building": {
        "id": "File ditolak: gedung tidak dikenal: {detail}",
        "en": "File refused: unknown building: {detail}",
    },
}
