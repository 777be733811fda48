"""The first sheet of a workbook: zip bombs refused from the sizes the archive declares, every part parsed through
defusedxml (entities raise), a lying ``<dimension>`` ignored, rows and cells counted against the limits as they come."""

from __future__ import annotations

import io
import zipfile

from include.kopdes_hub import contract
from include.kopdes_hub.config import Limits
from include.kopdes_hub.ingest.reasons import UnreadableFile
from include.kopdes_hub.ingest.table import (
    HEADER_SEARCH_ROWS,
    ParsedFile,
    build_table,
    cell_text,
    check_size,
    find_header,
    finish,
)

# A small part of repeated tags may compress better than any sheet, and unpacking it costs nothing, so only a part
# past 1 MB is held to the ratio; the total limit bounds the rest.
RATIO_CHECKED_FROM = 1_000_000


def _check_workbook(data: bytes, limits: Limits) -> None:
    """Refuse a zip bomb before any part is unpacked: the sizes the archive declares (which zipfile then holds every
    read to) must stay under the limits, in total and per part."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except Exception as exc:  # zipfile raises whatever a broken directory provokes (NotImplementedError too)
        raise UnreadableFile("corrupt_xlsx", f"{type(exc).__name__}: {exc}") from exc
    total = sum(p.file_size for p in parts)
    if total > limits.max_xlsx_uncompressed_bytes:
        raise UnreadableFile(
            "unsafe_xlsx", f"unpacks to {total:,} bytes, the limit is {limits.max_xlsx_uncompressed_bytes:,}"
        )
    for part in parts:
        if part.file_size > RATIO_CHECKED_FROM and part.file_size > limits.max_xlsx_ratio * max(part.compress_size, 1):
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


def read_xlsx(data: bytes, limits: Limits) -> ParsedFile:
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
            check_size(number - HEADER_SEARCH_ROWS - 1, len(row), limits, f"sheet row {number}", cells)
            rows.append([cell_text(v) for v in row])
    except UnreadableFile:
        raise
    except Exception as exc:
        raise _workbook_error(exc) from exc
    finally:
        workbook.close()
    header_index, matches = find_header(rows)
    if matches < contract.MIN_HEADER_MATCHES:
        raise UnreadableFile("no_header", f"sheet {sheet.title!r}, first {HEADER_SEARCH_ROWS} rows")
    body = rows[header_index + 1 :]
    numbers = list(range(header_index + 2, header_index + 2 + len(body)))
    frame, numbers = build_table(rows[header_index], body, numbers, limits)
    return finish(frame, numbers, "xlsx", sheet=sheet.title, header_row=header_index + 1)
