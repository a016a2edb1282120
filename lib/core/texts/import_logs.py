"""Texts of the Impor / Import page."""

TEXTS: dict[str, dict[str, str]] = {
    "import.title": {"id": "Impor log kunjungan", "en": "Import visit logs"},
    "import.caption": {
        "id": "CSV (koma, titik koma atau tab; UTF-8 atau UTF-16), XLSX atau Parquet, beberapa file sekaligus, paling besar {limit} per file. "
        "Baris yang rusak dikarantina; baris yang baik tetap diimpor. Mengimpor ulang file yang sama tidak mengubah apa pun.",
        "en": "CSV (comma, semicolon or tab; UTF-8 or UTF-16), XLSX or Parquet, several files at once, at most {limit} per file. "
        "Broken rows are quarantined; the good rows still import. Importing the same file again changes nothing.",
    },
    "import.files": {"id": "File log", "en": "Log files"},
    "import.run": {"id": "Impor", "en": "Import"},
    "import.progress": {"id": "Mengimpor {file} ({index} dari {count})…", "en": "Importing {file} ({index} of {count})…"},
    "import.done": {"id": "Selesai: {count} file.", "en": "Done: {count} {count:one|file|files}."},
    "import.summary": {"id": "Ringkasan per file", "en": "Summary per file"},
    "import.new_buildings": {
        "id": "Gedung baru (belum dikonfirmasi) dari impor ini: {buildings}. Periksa ejaannya di Pengaturan: "
        "konfirmasi, ganti nama, gabungkan ke gedung yang benar, atau hapus. Sampai dikonfirmasi, gedung ini "
        "tidak dihitung di total pimpinan.",
        "en": "New (unconfirmed) buildings from this import: {buildings}. Check the spelling in Settings: "
        "confirm, rename, merge into the right building, or delete. Until confirmed they are left out of "
        "the leadership totals.",
    },
    "import.col.file": {"id": "File", "en": "File"},
    "import.col.status": {"id": "Status", "en": "Status"},
    "import.col.rows": {"id": "Baris", "en": "Rows"},
    "import.col.events": {"id": "Pindaian baru", "en": "New scans"},
    "import.col.visits": {"id": "Kunjungan baru", "en": "New visits"},
    "import.col.duplicates": {"id": "Duplikat", "en": "Duplicates"},
    "import.col.orphans": {"id": "Keluar tanpa masuk", "en": "Orphan check-outs"},
    "import.col.quarantined": {"id": "Dikarantina", "en": "Quarantined"},
    "import.col.persons_set": {"id": "Pegawai diatur (daftar pegawai)", "en": "Persons set (roster)"},
    # Signs every font of a Debian desktop has (an emoji showed as an empty box there).
    "import.status.ok": {"id": "✓ diimpor", "en": "✓ imported"},
    "import.status.refused": {"id": "✗ ditolak", "en": "✗ refused"},
    "import.quarantine": {"id": "Baris yang dikarantina", "en": "Quarantined rows"},
    "import.no_quarantine": {"id": "Tidak ada baris yang dikarantina.", "en": "No row was quarantined."},
    "import.col.row": {"id": "Baris ke", "en": "Row"},
    "import.col.reason": {"id": "Alasan", "en": "Reason"},
    "import.col.raw": {"id": "Isi baris", "en": "Row content"},
    "import.refused_hint": {
        "id": "Tidak ada isi file ini yang disimpan. Kolom yang diterima dan file contoh ada di \"{help}\" di atas.",
        "en": "Nothing from this file was stored. The accepted columns and template files are under \"{help}\" above.",
    },
    # Accepted columns and templates (lib.outputs.import_template).
    "import.help": {"id": "Kolom yang diterima dan file contoh", "en": "Accepted columns and template files"},
    "import.help_intro": {
        "id": "Tiga bentuk file diterima. Nama kolom boleh huruf besar atau kecil; spasi, '-' dan '_' diabaikan "
        "(`Jam Masuk` = `jam_masuk` = `jammasuk`). Waktu tanpa zona dibaca sebagai waktu setempat gedung "
        "(WITA), misalnya `2022-01-03 08:01:00` atau `03/01/2022 08:01`.",
        "en": "Three file shapes are accepted. Column names may be upper or lower case; spaces, '-' and '_' are "
        "ignored (`Jam Masuk` = `jam_masuk` = `jammasuk`). Times without a zone are the building's local time "
        "(WITA), e.g. `2022-01-03 08:01:00` or `03/01/2022 08:01`.",
    },
    "import.shape.events": {
        "id": "**Log pindaian**: satu baris per pindaian (masuk atau keluar)",
        "en": "**Scan log**: one row per scan (check-in or check-out)",
    },
    "import.shape.visits": {
        "id": "**Daftar kunjungan**: satu baris per kunjungan (jam masuk dan jam keluar)",
        "en": "**Visit list**: one row per visit (check-in and check-out time)",
    },
    "import.shape.roster": {
        "id": "**Daftar pegawai**: satu baris per pegawai (NIP dan unit kerja atau ruang); tanpa kolom waktu, "
        "aksi, pintu atau status. Mengatur unit, gedung dan ruang kerja tiap pegawai; sel kosong menghapus nilainya. "
        "Tulis NIP sebagai teks.",
        "en": "**Staff roster**: one row per staff member (NIP and a unit or room); no time, action, gate or "
        "status column. Sets each person's unit, home building and home room; an empty cell clears it. Write "
        "NIPs as text.",
    },
    "import.help_col.column": {"id": "Kolom", "en": "Column"},
    "import.help_col.other_names": {"id": "Nama lain yang diterima", "en": "Other accepted names"},
    "import.help_col.required": {"id": "Wajib", "en": "Required"},
    "import.help_col.meaning": {"id": "Isi", "en": "Content"},
    "import.yes": {"id": "ya", "en": "yes"},
    "import.no": {"id": "tidak", "en": "no"},
    "import.template_csv": {"id": "Unduh contoh CSV", "en": "Download CSV template"},
    "import.template_xlsx": {"id": "Unduh contoh XLSX", "en": "Download XLSX template"},
    "import.column.timestamp": {"id": "waktu pindai", "en": "time of the scan"},
    "import.column.person_id": {
        "id": "NIP, nomor pegawai, nomor HP atau NIK (teks; angka nol di depan tetap)",
        "en": "NIP, staff number, phone or ID-card number (text; leading zeros stay)",
    },
    "import.column.building": {"id": "kode gedung", "en": "building id"},
    "import.column.action": {
        "id": "masuk / keluar (juga checkin, check-in, in / checkout, check-out, out)",
        "en": "check-in / check-out (also masuk, in / keluar, out)",
    },
    "import.column.name": {"id": "nama", "en": "name"},
    "import.column.category": {
        "id": "ASN, THL atau pengunjung (kosong = pengunjung)",
        "en": "ASN, THL or visitor (empty = visitor)",
    },
    "import.column.phone": {"id": "nomor telepon", "en": "phone number"},
    "import.column.gate": {"id": "kode pintu", "en": "gate id"},
    "import.column.area": {"id": "ruang atau lantai di dalam gedung", "en": "room or floor inside the building"},
    "import.column.status": {
        "id": "status kesehatan: hijau, kuning, merah, hitam",
        "en": "health status: hijau, kuning, merah, hitam (green, yellow, red, black)",
    },
    "import.column.unit": {"id": "unit kerja (bagian, bidang)", "en": "unit (department, section)"},
    "import.column.roster.building": {
        "id": "kode gedung tempat pegawai bekerja (wajib jika ada ruang)",
        "en": "id of the building the person works in (required with a room)",
    },
    "import.column.roster.area": {"id": "ruang kerja di gedung itu", "en": "home room in that building"},
    "import.column.roster.category": {
        "id": "ASN, THL atau pengunjung (kata lain: baris dikarantina)",
        "en": "ASN, THL or visitor (any other word: the row is quarantined)",
    },
    # Quarantine reasons and refusals of RULES "Import" (beside the core ones in lib/core/i18n.py).
    "reason.future": {
        "id": "waktu lebih dari sehari di masa depan",
        "en": "time more than a day in the future",
    },
    "reason.nul_byte": {
        "id": "baris berisi karakter NUL (file rusak di baris ini)",
        "en": "the row holds a NUL character (the file is damaged on this row)",
    },
    "reason.cell_too_large": {
        "id": "sel terlalu besar (lebih dari 4 juta karakter)",
        "en": "a cell is too large (over 4 million characters)",
    },
    "reason.unclosed_quote": {
        "id": "tanda kutip (\") dibuka tetapi tidak ditutup; baris-baris di bawahnya dibaca terpisah",
        "en": "a quote (\") is opened but never closed; the rows below it were read on their own",
    },
    "refused.xlsx_too_large": {
        "id": "File ditolak: file Excel melebihi batas yang dapat dibaca ({detail}). Simpan sebagai CSV, "
        "atau bagi menjadi beberapa file",
        "en": "File refused: the Excel file is beyond what can be read ({detail}). Save it as CSV, or split it "
        "into several files",
    },
    "refused.parquet_too_large": {
        "id": "File ditolak: file Parquet melebihi batas yang dapat dibaca ({detail}). Tulis ulang dengan "
        "kelompok baris lebih kecil, atau bagi menjadi beberapa file",
        "en": "File refused: the Parquet file is beyond what can be read ({detail}). Write it again with smaller "
        "row groups, or split it into several files",
    },
    "refused.too_many_columns": {
        "id": "File ditolak: terlalu banyak kolom",
        "en": "File refused: too many columns",
    },
    "import.column.checkin_at": {"id": "jam masuk", "en": "check-in time"},
    "import.column.checkout_at": {
        "id": "jam keluar (boleh kosong; harus sesudah jam masuk)",
        "en": "check-out time (may be empty; must be after the check-in time)",
    },
}
