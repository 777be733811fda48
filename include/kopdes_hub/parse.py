"""Read a submission file in any shape of contract v1 into one table of strings, values exactly as received.

Shapes: CSV (``;`` or ``,``, UTF-8 with or without BOM, or Windows-1252), XLSX (first sheet, title rows allowed
above the header) and JSON (a list of row objects, or an object with header fields and a ``baris``/``rows`` list).
The format is told by the bytes, not by the file name, since clerks rename files freely. Nothing is typed or
cleaned here: validation decides what a value means, so the bronze layer can always show what the clerk sent.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

import pandas as pd

from include.kopdes_hub import contract

HEADER_SEARCH_ROWS = 30  # title rows a clerk may put above the header
DELIMITERS = (";", ",", "\t", "|")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls, or an encrypted .xlsx

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
        self.detail = detail
        super().__init__(self.message_en)

    @property
    def message_en(self) -> str:
        base = REASONS[self.code][0]
        return f"{base}: {self.detail}" if self.detail else base

    @property
    def message_id(self) -> str:
        return REASONS[self.code][1]


@dataclass
class ParsedFile:
    """The rows of one file as strings under contract column names, with where each row came from."""

    frame: pd.DataFrame  # one str column per file column; canonical names where the contract knows them
    row_numbers: list[int]  # the row (CSV line, Excel row, JSON list position) each frame row came from, 1-based
    file_format: str  # csv | xlsx | json
    kind: str  # lines | finance
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    header_row: int | None = None
    header_fields: dict[str, str] = field(default_factory=dict)  # JSON object-level fields merged into rows


def parse_bytes(data: bytes, name: str = "") -> ParsedFile:
    """Parse a whole file; raise ``UnreadableFile`` with a reason when it cannot be read as contract v1."""
    if not data:
        raise UnreadableFile("empty_file")
    if data.startswith(_ZIP_MAGIC):
        return _parse_xlsx(data)
    if data.startswith(_OLE2_MAGIC):
        raise UnreadableFile("legacy_or_encrypted_excel", name)
    text, encoding = _decode(data)
    stripped = text.lstrip()
    if stripped[:1] in ("[", "{"):
        return _parse_json(stripped, encoding)
    return _parse_csv(text, encoding)


def _decode(data: bytes) -> tuple[str, str]:
    if b"\x00" in data[:65536]:
        raise UnreadableFile("binary_file", "it contains NUL bytes (UTF-16 or a binary format)")
    if data.startswith(b"\xef\xbb\xbf"):
        encodings: tuple[str, ...] = ("utf-8-sig",)
    else:
        encodings = ("utf-8", "cp1252")
    last: UnicodeDecodeError | None = None
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            last = exc
            continue
        controls = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\t\r\n\f")
        if controls > max(3, len(text[:65536]) // 100):
            raise UnreadableFile("binary_file", f"{controls} control characters in the first 64 KiB")
        return text, encoding
    assert last is not None
    raise UnreadableFile("unknown_encoding", f"byte 0x{data[last.start]:02x} at offset {last.start}")


def _cell_text(value: Any) -> str:
    """An Excel or JSON value as text, the way a clerk would read it in the cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _find_header(rows: list[list[str]]) -> tuple[int, int]:
    """(index, matches) of the row naming the most contract columns among the first rows."""
    best_index, best = -1, 0
    for index, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        matches = contract.header_matches(cells)
        if matches > best:
            best_index, best = index, matches
    return best_index, best


def _column_names(header: list[str]) -> list[str]:
    """Contract names for known headers; a normalised or positional name for the rest; repeats get a suffix."""
    from include.kopdes_hub.reference import normalize_token

    names: list[str] = []
    for position, cell in enumerate(header, start=1):
        name = contract.canonical_column(cell) or normalize_token(cell) or f"column_{position}"
        candidate, n = name, 2
        while candidate in names:
            candidate, n = f"{name}_{n}", n + 1
        names.append(candidate)
    return names


def _table(header: list[str], body: list[list[str]], numbers: list[int]) -> tuple[pd.DataFrame, list[int]]:
    """Build the frame from ragged rows: pad short rows, keep extra cells under positional names, drop blank rows."""
    width = max([len(header), *(len(r) for r in body)])
    header = header + [""] * (width - len(header))
    names = _column_names(header)
    keep_rows = [i for i, r in enumerate(body) if any(c.strip() for c in r)]
    cells = [body[i] + [""] * (width - len(body[i])) for i in keep_rows]
    frame = pd.DataFrame(cells, columns=names, dtype=object) if cells else pd.DataFrame(columns=names, dtype=object)
    # A column with neither a header nor any value is the spreadsheet's empty margin, not data.
    empty = [n for n, h in zip(names, header, strict=True) if not h.strip() and not frame[n].str.strip().any()]
    return frame.drop(columns=empty).astype(str), [numbers[i] for i in keep_rows]


def _finish(frame: pd.DataFrame, numbers: list[int], file_format: str, **meta: Any) -> ParsedFile:
    kind = contract.detect_kind(frame.columns)
    if kind is None:
        raise UnreadableFile("no_header", "the columns name neither supply/demand lines nor finance figures")
    return ParsedFile(
        frame=frame.reset_index(drop=True), row_numbers=numbers, file_format=file_format, kind=kind, **meta
    )


def _parse_csv(text: str, encoding: str) -> ParsedFile:
    head_lines = text.splitlines()[:HEADER_SEARCH_ROWS]
    best: tuple[int, int, str] | None = None  # (matches, -index, delimiter)
    for delimiter in DELIMITERS:
        rows = list(csv.reader(head_lines, delimiter=delimiter))
        index, matches = _find_header(rows)
        if matches and (best is None or (matches, -index) > best[:2]):
            best = (matches, -index, delimiter)
    if best is None or best[0] < contract.MIN_HEADER_MATCHES:
        found = head_lines[0][:80] if head_lines else ""
        raise UnreadableFile("no_header", f"first line reads {found!r}")
    header_index, delimiter = -best[1], best[2]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] = []
    body: list[list[str]] = []
    numbers: list[int] = []
    for record in reader:
        # line_num is the physical line the record ended on; rows whose quoted cells span lines stay exact too.
        if reader.line_num - 1 < header_index:
            continue
        if not header:
            header = record
            header_line = reader.line_num
            continue
        body.append(record)
        numbers.append(reader.line_num)
    frame, numbers = _table(header, body, numbers)
    return _finish(frame, numbers, "csv", encoding=encoding, delimiter=delimiter, header_row=header_line)


def _parse_xlsx(data: bytes) -> ParsedFile:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise UnreadableFile("corrupt_xlsx", f"{type(exc).__name__}: {exc}") from exc
    try:
        sheet = workbook.worksheets[0]
        rows = [[_cell_text(v) for v in row] for row in sheet.iter_rows(min_row=1, values_only=True)]
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, EOFError) as exc:
        raise UnreadableFile("corrupt_xlsx", f"{type(exc).__name__}: {exc}") from exc
    finally:
        workbook.close()
    header_index, matches = _find_header(rows)
    if matches < contract.MIN_HEADER_MATCHES:
        raise UnreadableFile("no_header", f"sheet {sheet.title!r}, first {HEADER_SEARCH_ROWS} rows")
    body = rows[header_index + 1 :]
    numbers = list(range(header_index + 2, header_index + 2 + len(body)))
    frame, numbers = _table(rows[header_index], body, numbers)
    return _finish(frame, numbers, "xlsx", sheet=sheet.title, header_row=header_index + 1)


def _parse_json(text: str, encoding: str) -> ParsedFile:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnreadableFile("invalid_json", f"line {exc.lineno} column {exc.colno}: {exc.msg}") from exc
    header_fields: dict[str, str] = {}
    if isinstance(document, dict):
        keys = {re.sub(r"\W+", "_", k.strip().lower()): k for k in document}
        row_key = next((keys[k] for k in contract.JSON_ROW_KEYS if k in keys), None)
        if row_key is None or not isinstance(document[row_key], list):
            raise UnreadableFile("invalid_json", f"an object needs a list under one of {contract.JSON_ROW_KEYS}")
        items = document[row_key]
        header_fields = {k: _cell_text(v) for k, v in document.items() if k != row_key}
    elif isinstance(document, list):
        items = document
    else:
        raise UnreadableFile("invalid_json", "the document is neither a list nor an object")
    for position, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise UnreadableFile("invalid_json", f"row {position} is {type(item).__name__}, not an object")
    # Row keys win over header fields: a row may correct what the header says.
    columns = list(dict.fromkeys([*header_fields, *(k for item in items for k in item)]))
    if contract.header_matches(columns) < contract.MIN_HEADER_MATCHES:
        raise UnreadableFile("no_header", f"keys found: {', '.join(columns[:12]) or 'none'}")
    body = [[_cell_text(item[k]) if k in item else header_fields.get(k, "") for k in columns] for item in items]
    frame, numbers = _table(columns, body, list(range(1, len(items) + 1)))
    canonical_header = {contract.canonical_column(k) or k: v for k, v in header_fields.items()}
    return _finish(frame, numbers, "json", encoding=encoding, header_fields=canonical_header)
