"""Why a file could not be read: the reason codes, each with the engineer's message in English and the clerk's in
Bahasa Indonesia, and the exception every reader raises."""

from __future__ import annotations

from include.kopdes_hub.contract.values import storable

# reason code -> (engineer message in English, clerk message in Bahasa Indonesia)
REASONS: dict[str, tuple[str, str]] = {
    "empty_file": ("the file is empty (0 bytes)", "Berkas kosong (0 byte). Kirim ulang berkas yang berisi data."),
    "binary_file": (
        "the file is binary, not CSV, XLSX or JSON",
        "Berkas bukan CSV, XLSX atau JSON. Simpan laporan sebagai .xlsx atau CSV lalu kirim ulang.",
    ),
    "legacy_or_encrypted_excel": (
        "legacy .xls (Excel 97-2003) or a password-protected workbook",
        "Berkas Excel lama (.xls) atau berkata sandi. Buka di Excel, hapus kata sandi, simpan sebagai .xlsx.",
    ),
    "unknown_encoding": (
        "the text is neither UTF-8 nor Windows-1252",
        "Pengodean teks tidak dikenal. Simpan CSV sebagai 'CSV UTF-8' dari Excel lalu kirim ulang.",
    ),
    "corrupt_xlsx": (
        "the XLSX workbook cannot be opened",
        "Berkas Excel rusak atau tidak lengkap. Buka dan simpan ulang di Excel, lalu kirim ulang.",
    ),
    "invalid_json": (
        "the JSON cannot be parsed or has no list of row objects",
        "Berkas JSON tidak valid. Kirim ulang dari aplikasi, atau gunakan templat Excel.",
    ),
    "too_large": (
        "the file exceeds a limit of what one submission may hold",
        "Berkas terlalu besar atau terlalu banyak baris/kolom untuk satu laporan bulanan. Kirim satu koperasi, "
        "satu bulan per berkas, dengan templat hub.",
    ),
    "too_deep": (
        "the JSON document is nested deeper than any submission shape",
        "Berkas JSON bersarang terlalu dalam. Kirim daftar baris sesuai templat hub.",
    ),
    "malformed_csv": (
        "the CSV's quoting is broken, so its lines cannot be told apart",
        'Tanda kutip (") dalam CSV tidak tertutup, sehingga beberapa baris menyatu. Periksa baris yang disebut, '
        "atau simpan ulang dari Excel sebagai CSV.",
    ),
    "mixed_encoding": (
        "the text mixes UTF-8 with bytes of another encoding",
        "Teks berkas bercampur pengodean (sebagian UTF-8, sebagian tidak), sehingga huruf bisa rusak. Simpan ulang "
        "sebagai 'CSV UTF-8' dari Excel lalu kirim ulang.",
    ),
    "unsafe_xlsx": (
        "the XLSX holds constructs no spreadsheet needs (XML entities or DTDs, or parts that unpack far too large)",
        "Berkas Excel berisi bagian yang tidak aman atau tidak wajar. Salin datanya ke templat hub yang baru, "
        "simpan sebagai .xlsx, lalu kirim ulang.",
    ),
    "duplicate_column": (
        "two columns carry the same contract name",
        "Dua kolom memakai nama yang sama. Hapus atau ganti nama salah satunya agar jelas kolom mana yang dipakai.",
    ),
    "duplicate_key": (
        "a JSON object repeats a key",
        "Satu baris JSON memuat kunci yang sama dua kali. Perbaiki aplikasi pengirim atau gunakan templat Excel.",
    ),
    "not_a_regular_file": (
        "the landing entry is not a regular file (a link, a pipe or a device) and was not opened",
        "Yang dikirim bukan berkas biasa (misalnya pintasan/shortcut). Kirim berkas laporannya sendiri.",
    ),
    "read_failed": (
        "the reader failed on this file (a bug or an unforeseen shape; the traceback is in the task log)",
        "Berkas tidak dapat dibaca oleh sistem hub; petugas hub sudah diberi tahu. Sementara itu, kirim ulang "
        "laporan dengan templat Excel hub.",
    ),
    "no_header": (
        "no header row with the contract's column names",
        "Baris judul kolom tidak ditemukan. Gunakan judul kolom templat: kode_koperasi, periode, jenis, tanggal, "
        "komoditas, jumlah, satuan, harga_satuan (atau untuk keuangan: pendapatan, biaya_operasional, kas, ...).",
    ),
}


class UnreadableFile(Exception):
    """A file that cannot be turned into rows; ``code`` is a key of ``REASONS``, ``detail`` says where and why."""

    def __init__(self, code: str, detail: str = "") -> None:
        self.code = code
        # details quote the file (a first line, a header cell, a key): stored in the ledger, so masked and bounded
        self.detail = storable(detail, 300)
        super().__init__(self.message_en)

    @property
    def message_en(self) -> str:
        base = REASONS[self.code][0]
        return f"{base}: {self.detail}" if self.detail else base

    @property
    def message_id(self) -> str:
        return REASONS[self.code][1]
