"""CSV as clerks' tools write it (``;``, ``,``, tab or ``|``), read strictly: a quote left open, or closed and followed
by more text, or one that swallows lines reading like rows, is ``malformed_csv`` naming the line."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator

from include.kopdes_hub import contract
from include.kopdes_hub.config import Limits
from include.kopdes_hub.ingest.reasons import UnreadableFile
from include.kopdes_hub.ingest.table import HEADER_SEARCH_ROWS, ParsedFile, build_table, check_size, find_header, finish

DELIMITERS = (";", ",", "\t", "|")


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


def read_csv(text: str, encoding: str, limits: Limits) -> ParsedFile:
    head_lines = list(itertools.islice(io.StringIO(text, newline=None), HEADER_SEARCH_ROWS))
    head_lines = [line.rstrip("\n") for line in head_lines]
    best: tuple[int, int, str] | None = None  # (matches, -index, delimiter)
    csv.field_size_limit(limits.max_cell_chars)  # process-wide, and the same everywhere: every read is bounded
    for delimiter in DELIMITERS:
        rows = [_header_cells(line, delimiter) for line in head_lines]
        index, matches = find_header(rows)
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
            check_size(len(body), 0, limits, f"line {last}")
    frame, numbers = build_table(header, body, numbers, limits)
    return finish(frame, numbers, "csv", encoding=encoding, delimiter=delimiter, header_row=header_line)
