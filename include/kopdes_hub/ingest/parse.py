"""Read a submission file in any shape of contract v1 into one table of strings, values exactly as received.

Shapes: CSV (``;`` or ``,``, UTF-8 with or without BOM, or Windows-1252), XLSX (first sheet, title rows allowed
above the header) and JSON (a list of row objects, or an object with header fields and a ``baris``/``rows`` list).
The format is told by the bytes, not by the file name, since clerks rename files freely. Nothing is typed or
cleaned here: validation decides what a value means, so the bronze layer can always show what the clerk sent.

Hostile input is normal input: every file either becomes rows or raises ``UnreadableFile`` with a reason code, and
every resource it can make us spend is bounded (``config.Limits``). Readers are strict where leniency would lose
lines without a word: an open quote, two columns with one meaning, a repeated JSON key, two encodings in one file.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

import pandas as pd

from include.kopdes_hub import contract
from include.kopdes_hub.config import Limits, get_limits

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


def parse_bytes(data: bytes, limits: Limits | None = None) -> ParsedFile:
    """Parse a whole file; raise ``UnreadableFile`` with a reason when it cannot be read as contract v1.

    Every resource a file can make us spend is bounded by ``limits`` (the environment's by default): its bytes, the
    unpacked size of a workbook, rows, columns, cell length and JSON nesting.
    """
    limits = limits or get_limits()
    if not data:
        raise UnreadableFile("empty_file")
    if len(data) > limits.max_file_bytes:
        raise UnreadableFile("too_large", f"{len(data):,} bytes, the limit is {limits.max_file_bytes:,}")
    if data.startswith(_ZIP_MAGIC):
        return _parse_xlsx(data, limits)
    if data.startswith(_OLE2_MAGIC):
        raise UnreadableFile("legacy_or_encrypted_excel")  # the ledger has its names; the reason is the content's
    text, encoding = _decode(data)
    stripped = text.lstrip()
    if stripped[:1] in ("[", "{"):
        return _parse_json(stripped, encoding, limits)
    return _parse_csv(text, encoding, limits)


# Bytes that are control characters in UTF-8, Windows-1252 and ASCII alike, except tab, line feed, form feed and CR.
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\x0c\r")


def _decode(data: bytes) -> tuple[str, str]:
    """The text of the whole file, and its encoding: UTF-8 (with or without BOM), else Windows-1252; a file that mixes
    UTF-8 with bytes of another encoding is refused rather than decoded into mojibake."""
    nul = data.find(b"\x00")
    if nul >= 0:
        utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
        what = "UTF-16 text (Excel's 'Unicode Text'); save as CSV UTF-8" if utf16 else "a NUL byte"
        raise UnreadableFile("binary_file", f"{what} at offset {nul:,}")
    controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
    if controls > max(3, len(data) // 100):
        raise UnreadableFile("binary_file", f"{controls:,} control characters in {len(data):,} bytes")
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise UnreadableFile("mixed_encoding", _bad_byte(data, exc) + " in a file marked UTF-8 (BOM)") from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    # Windows-1252 text never holds a valid multi-byte UTF-8 sequence by accident (it would read as two accented
    # capitals such as "Ã©"), so one such sequence beside an invalid byte means two encodings in one file.
    if _UTF8_MULTIBYTE.search(data):
        raise UnreadableFile("mixed_encoding", _bad_byte(data, utf8_error) + " among valid UTF-8 text")
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise UnreadableFile("unknown_encoding", _bad_byte(data, exc)) from exc


_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _bad_byte(data: bytes, exc: UnicodeDecodeError) -> str:
    line = data.count(b"\n", 0, exc.start) + 1
    return f"byte 0x{data[exc.start]:02x} at offset {exc.start:,} (line {line})"


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
    """Contract names for known headers; a normalised or positional name for the rest; repeats get a suffix.

    Two headers meaning the same contract column (``jumlah`` twice, or ``jumlah`` and ``qty``) are refused: which of
    the two the clerk meant is theirs to say, and keeping one would drop the other's values without a word.
    """
    from include.kopdes_hub.reference import normalize_token

    names: list[str] = []
    first: dict[str, int] = {}
    for position, cell in enumerate(header, start=1):
        canonical = contract.canonical_column(cell)
        if canonical and canonical in first:
            shown = contract.INDONESIAN_NAMES.get(canonical, canonical)
            raise UnreadableFile(
                "duplicate_column",
                f"columns {first[canonical]} and {position} ({header[first[canonical] - 1].strip()!r} and "
                f"{cell.strip()!r}) both mean {canonical} ({shown})",
            )
        if canonical:
            first[canonical] = position
        name = canonical or normalize_token(cell) or f"column_{position}"
        candidate, n = name, 2
        while candidate in names:
            candidate, n = f"{name}_{n}", n + 1
        names.append(candidate)
    return names


def _check_size(rows: int, columns: int, limits: Limits, where: str, cells: int = 0) -> None:
    if rows > limits.max_rows:
        raise UnreadableFile("too_large", f"more than {limits.max_rows:,} data rows ({where})")
    if columns > limits.max_columns:
        raise UnreadableFile("too_large", f"{columns:,} columns, the limit is {limits.max_columns:,} ({where})")
    if cells > limits.max_cells:
        raise UnreadableFile("too_large", f"more than {limits.max_cells:,} cells ({where})")


def _table(
    header: list[str], body: list[list[str]], numbers: list[int], limits: Limits
) -> tuple[pd.DataFrame, list[int]]:
    """Build the frame from ragged rows: pad short rows, keep extra cells under positional names, drop blank rows."""
    width = max([len(header), *(len(r) for r in body)])
    _check_size(len(body), width, limits, "the widest row", cells=width * len(body))
    for cells, number in zip(body, numbers, strict=True):
        for position, cell in enumerate(cells, start=1):
            if len(cell) > limits.max_cell_chars:
                raise UnreadableFile(
                    "too_large",
                    f"row {number}, column {position}: a cell of {len(cell):,} characters, "
                    f"the limit is {limits.max_cell_chars:,}",
                )
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


def _csv_records(text: str, delimiter: str, limits: Limits) -> Iterator[tuple[list[str], int, int]]:
    """(cells, first line, last line) of each CSV record, strictly: a quote left open, or closed and followed by
    more text, is an error naming the line it opened on, never a record that silently swallows the lines after it."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    last = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise UnreadableFile(
                    "too_large", f"line {last + 1}: a cell longer than {limits.max_cell_chars:,} characters"
                ) from exc
            raise UnreadableFile("malformed_csv", f"line {last + 1}: {exc}") from exc
        if len(record) > limits.max_columns:
            raise UnreadableFile(
                "too_large", f"line {last + 1}: {len(record):,} cells, the limit is {limits.max_columns:,}"
            )
        first, last = last + 1, reader.line_num
        yield record, first, last


def _swallowed_lines(record: list[str], delimiter: str, width: int) -> bool:
    """A quoted cell that spans lines which themselves read like rows: a quote opened by mistake and closed
    lines later by another. A real multi-line note (Alt+Enter in Excel) does not hold rows of delimiters."""
    needed = max(2, (width - 1) // 2)
    return any(line.count(delimiter) >= needed for cell in record if "\n" in cell for line in cell.splitlines()[1:])


def _header_cells(line: str, delimiter: str) -> list[str]:
    """The cells of one line, for the header search only; a line csv refuses has none (the full read says why)."""
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return []


def _parse_csv(text: str, encoding: str, limits: Limits) -> ParsedFile:
    head_lines = list(itertools.islice(io.StringIO(text, newline=None), HEADER_SEARCH_ROWS))
    head_lines = [line.rstrip("\n") for line in head_lines]
    best: tuple[int, int, str] | None = None  # (matches, -index, delimiter)
    csv.field_size_limit(limits.max_cell_chars)  # process-wide, and the same everywhere: every read is bounded
    for delimiter in DELIMITERS:
        rows = [_header_cells(line, delimiter) for line in head_lines]
        index, matches = _find_header(rows)
        if matches and (best is None or (matches, -index) > best[:2]):
            best = (matches, -index, delimiter)
    if best is None or best[0] < contract.MIN_HEADER_MATCHES:
        found = head_lines[0][:80] if head_lines else ""
        raise UnreadableFile("no_header", f"first line reads {found!r}")
    header_index, delimiter = -best[1], best[2]
    header: list[str] = []
    header_line = 0
    body: list[list[str]] = []
    numbers: list[int] = []
    for record, first, last in _csv_records(text, delimiter, limits):
        if first - 1 < header_index:
            continue
        if not header:
            header, header_line = record, last
            continue
        if last > first and _swallowed_lines(record, delimiter, len(header)):
            raise UnreadableFile(
                "malformed_csv",
                f"line {first}: a quote opened there closes only on line {last}, taking in the lines between",
            )
        body.append(record)
        # the line a record ended on; rows whose quoted cells span lines stay exact too
        numbers.append(last)
        if len(body) > limits.max_rows:
            _check_size(len(body), 0, limits, f"line {last}")
    frame, numbers = _table(header, body, numbers, limits)
    return _finish(frame, numbers, "csv", encoding=encoding, delimiter=delimiter, header_row=header_line)


def _check_workbook(data: bytes, limits: Limits) -> None:
    """Refuse a zip bomb before any part is unpacked: the sizes the archive declares (which zipfile then holds every
    read to) must stay under the limits, in total and per part."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnreadableFile("corrupt_xlsx", f"{type(exc).__name__}: {exc}") from exc
    total = sum(p.file_size for p in parts)
    if total > limits.max_xlsx_uncompressed_bytes:
        raise UnreadableFile(
            "unsafe_xlsx", f"unpacks to {total:,} bytes, the limit is {limits.max_xlsx_uncompressed_bytes:,}"
        )
    for part in parts:
        if part.file_size > 1_000_000 and part.file_size > limits.max_xlsx_ratio * max(part.compress_size, 1):
            raise UnreadableFile(
                "unsafe_xlsx",
                f"{part.filename} unpacks {part.file_size // max(part.compress_size, 1):,}x "
                f"({part.compress_size:,} -> {part.file_size:,} bytes)",
            )


def _workbook_error(exc: BaseException) -> UnreadableFile:
    """``unsafe_xlsx`` when defusedxml refused a part (openpyxl wraps its error in a ValueError), else corrupt.

    defusedxml is installed, so openpyxl parses every part with it: XML entities raise instead of expanding."""
    from defusedxml import DefusedXmlException

    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, DefusedXmlException):
            return UnreadableFile("unsafe_xlsx", f"{type(cause).__name__}: {cause}")
        cause = cause.__cause__ or cause.__context__
    return UnreadableFile("corrupt_xlsx", f"{type(exc).__name__}: {str(exc)[:200]}")


def _parse_xlsx(data: bytes, limits: Limits) -> ParsedFile:
    from openpyxl import load_workbook

    _check_workbook(data, limits)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises whatever the broken part provokes: a workbook it cannot read is corrupt
        raise _workbook_error(exc) from exc
    try:
        if not workbook.worksheets:
            raise UnreadableFile("corrupt_xlsx", "the workbook has no worksheet")
        sheet = workbook.worksheets[0]
        # The sheet's <dimension> is whatever the writer claimed (A1:XFD1048576 pads every row to 16,384 cells):
        # forget it, so each row is as wide as its own last cell.
        sheet.reset_dimensions()
        rows: list[list[str]] = []
        cells = 0
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells += len(row)
            _check_size(number - HEADER_SEARCH_ROWS - 1, len(row), limits, f"sheet row {number}", cells)
            rows.append([_cell_text(v) for v in row])
    except UnreadableFile:
        raise
    except Exception as exc:
        raise _workbook_error(exc) from exc
    finally:
        workbook.close()
    header_index, matches = _find_header(rows)
    if matches < contract.MIN_HEADER_MATCHES:
        raise UnreadableFile("no_header", f"sheet {sheet.title!r}, first {HEADER_SEARCH_ROWS} rows")
    body = rows[header_index + 1 :]
    numbers = list(range(header_index + 2, header_index + 2 + len(body)))
    frame, numbers = _table(rows[header_index], body, numbers, limits)
    return _finish(frame, numbers, "xlsx", sheet=sheet.title, header_row=header_index + 1)


class _DuplicateKey(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose keys repeat is refused: json keeps the last silently, the clerk may have meant the first."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def _json_int(text: str) -> int | str:
    # an integer longer than any amount is kept as the text received (its rule then says why), never converted:
    # Python refuses ints over 4,300 digits and converting a long one costs quadratic time
    return int(text) if len(text) <= 30 else text


def _depth(document: Any, limit: int) -> int:
    """How deep the document nests, walked without recursion, stopping as soon as it passes ``limit``."""
    deepest, stack = 0, [(document, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest


def _canonical_keys(fields: dict[str, str], where: str) -> dict[str, str]:
    """Keys under their contract names, so rows may spell a column differently (``jumlah``, ``qty``); two keys of
    one object meaning the same column are refused, like two such columns in a sheet."""
    out: dict[str, str] = {}
    spelled: dict[str, str] = {}
    for key, value in fields.items():
        name = contract.canonical_column(key) or key
        if name in out:
            raise UnreadableFile(
                "duplicate_column", f"{where}: the keys {spelled[name]!r} and {key!r} both mean {name}"
            )
        out[name], spelled[name] = value, key
    return out


def _parse_json(text: str, encoding: str, limits: Limits) -> ParsedFile:
    try:
        document = json.loads(text, object_pairs_hook=_unique_keys, parse_int=_json_int)
    except _DuplicateKey as exc:
        raise UnreadableFile("duplicate_key", f"the key {str(exc)[:80]!r} appears twice in one object") from exc
    except RecursionError as exc:
        raise UnreadableFile("too_deep", f"nested deeper than {limits.max_json_depth} levels") from exc
    except json.JSONDecodeError as exc:
        raise UnreadableFile("invalid_json", f"line {exc.lineno} column {exc.colno}: {exc.msg}") from exc
    except ValueError as exc:
        raise UnreadableFile("invalid_json", str(exc)[:200]) from exc
    if _depth(document, limits.max_json_depth) > limits.max_json_depth:
        raise UnreadableFile("too_deep", f"nested deeper than {limits.max_json_depth} levels")
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
    _check_size(len(items), 0, limits, "the list of rows")
    header = _canonical_keys(header_fields, "the header fields")
    rows = [_canonical_keys({k: _cell_text(v) for k, v in item.items()}, f"row {n}") for n, item in enumerate(items, 1)]
    # Row keys win over header fields: a row may correct what the header says.
    columns = list(dict.fromkeys([*header, *(k for row in rows for k in row)]))
    _check_size(0, len(columns), limits, "distinct keys")
    if contract.header_matches(columns) < contract.MIN_HEADER_MATCHES:
        raise UnreadableFile("no_header", f"keys found: {', '.join(columns[:12]) or 'none'}")
    body = [[row.get(k, header.get(k, "")) for k in columns] for row in rows]
    try:  # JSON may escape half a UTF-16 pair ("\ud800"), which is no character and which no file can store
        "".join(itertools.chain(columns, *body)).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise UnreadableFile("invalid_json", "an unpaired surrogate escape (\\ud800-\\udfff) is no character") from exc
    frame, numbers = _table(columns, body, list(range(1, len(items) + 1)), limits)
    canonical_header = header
    return _finish(frame, numbers, "json", encoding=encoding, header_fields=canonical_header)
