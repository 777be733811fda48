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

import re

from include.kopdes_hub.config import Limits, get_limits
from include.kopdes_hub.ingest.csv_reader import read_csv
from include.kopdes_hub.ingest.json_reader import read_json
from include.kopdes_hub.ingest.reasons import REASONS, UnreadableFile
from include.kopdes_hub.ingest.table import ParsedFile
from include.kopdes_hub.ingest.xlsx_reader import read_xlsx

# the readers' public face: what a caller needs to parse a file and to tell why it could not
__all__ = ["REASONS", "ParsedFile", "UnreadableFile", "parse_bytes"]

_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls, or an encrypted .xlsx


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
        return read_xlsx(data, limits)
    if data.startswith(_OLE2_MAGIC):
        raise UnreadableFile("legacy_or_encrypted_excel")  # the ledger has its names; the reason is the content's
    text, encoding = _decode(data)
    stripped = text.lstrip()
    if stripped[:1] in ("[", "{"):
        try:
            return read_json(stripped, encoding, limits)
        except UnreadableFile as not_json:
            if not_json.code != "invalid_json":
                raise
            # a CSV may open with a bracket too ("[DRAFT] Laporan Juli"): it is JSON only if it parses as JSON
            try:
                return read_csv(text, encoding, limits)
            except UnreadableFile:
                raise not_json from None
    return read_csv(text, encoding, limits)


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
