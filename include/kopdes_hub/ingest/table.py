"""From cells to the bronze table of strings every reader builds: the header found among title rows, contract column
names (two with one meaning refused), ragged rows padded, the size limits checked, the kind told."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

import pandas as pd

from include.kopdes_hub import contract
from include.kopdes_hub.config import Limits
from include.kopdes_hub.ingest.reasons import UnreadableFile

HEADER_SEARCH_ROWS = 30  # title rows a clerk may put above the header


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


def cell_text(value: Any) -> str:
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


def find_header(rows: list[list[str]]) -> tuple[int, int]:
    """(index, matches) of the row naming the most contract columns among the first rows."""
    best_index, best = -1, 0
    for index, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        matches = contract.header_matches(cells)
        if matches > best:
            best_index, best = index, matches
    return best_index, best


def refuse_two_meaning_one(names: list[str], what: str) -> None:
    """Two names meaning the same contract column (``jumlah`` twice, or ``jumlah`` and ``qty``) are refused: which of
    the two the clerk meant is theirs to say, and keeping one would drop the other's values without a word. ``what``
    says where, as the clerk counts ("columns", or "row 3: keys"); positions are 1-based."""
    first: dict[str, int] = {}
    for position, name in enumerate(names, start=1):
        canonical = contract.canonical_column(name)
        if canonical and canonical in first:
            earlier = first[canonical]
            shown = contract.INDONESIAN_NAMES.get(canonical, canonical)
            raise UnreadableFile(
                "duplicate_column",
                f"{what} {earlier} and {position} ({names[earlier - 1].strip()!r} and {name.strip()!r}) both mean "
                f"{canonical} ({shown})",
            )
        if canonical:
            first[canonical] = position


def _column_names(header: list[str]) -> list[str]:
    """Contract names for known headers (two meaning one refused); a normalised or positional name for the rest;
    repeats of those get a suffix."""
    from include.kopdes_hub.reference import normalize_token

    refuse_two_meaning_one(header, "columns")
    names: list[str] = []
    for position, cell in enumerate(header, start=1):
        name = contract.canonical_column(cell) or normalize_token(cell) or f"column_{position}"
        candidate, n = name, 2
        while candidate in names:
            candidate, n = f"{name}_{n}", n + 1
        names.append(candidate)
    return names


def check_size(rows: int, columns: int, limits: Limits, where: str, cells: int = 0) -> None:
    if rows > limits.max_rows:
        raise UnreadableFile("too_large", f"more than {limits.max_rows:,} data rows ({where})")
    if columns > limits.max_columns:
        raise UnreadableFile("too_large", f"{columns:,} columns, the limit is {limits.max_columns:,} ({where})")
    if cells > limits.max_cells:
        raise UnreadableFile("too_large", f"more than {limits.max_cells:,} cells ({where})")


def build_table(
    header: list[str], body: list[list[str]], numbers: list[int], limits: Limits
) -> tuple[pd.DataFrame, list[int]]:
    """Build the frame from ragged rows: pad short rows, keep extra cells under positional names, drop blank rows."""
    width = max([len(header), *(len(r) for r in body)])
    check_size(len(body), width, limits, "the widest row", cells=width * len(body))
    for row_cells, number in zip(body, numbers, strict=True):
        for position, cell in enumerate(row_cells, start=1):
            if len(cell) > limits.max_cell_chars:
                raise UnreadableFile(
                    "too_large",
                    f"row {number}, column {position}: a cell of {len(cell):,} characters, "
                    f"the limit is {limits.max_cell_chars:,}",
                )
    header = header + [""] * (width - len(header))
    names: list[str] = _column_names(header)
    keep_rows = [i for i, r in enumerate(body) if any(c.strip() for c in r)]
    cells = [body[i] + [""] * (width - len(body[i])) for i in keep_rows]
    frame = pd.DataFrame(cells, columns=names, dtype=object) if cells else pd.DataFrame(columns=names, dtype=object)
    # A column with neither a header nor any value is the spreadsheet's empty margin, not data.
    empty = [n for n, h in zip(names, header, strict=True) if not h.strip() and not frame[n].str.strip().any()]
    return frame.drop(columns=empty).astype(str), [numbers[i] for i in keep_rows]


def finish(frame: pd.DataFrame, numbers: list[int], file_format: str, **meta: Any) -> ParsedFile:
    kind = contract.detect_kind(frame.columns)
    if kind is None:
        raise UnreadableFile("no_header", "the columns name neither supply/demand lines nor finance figures")
    return ParsedFile(
        frame=frame.reset_index(drop=True), row_numbers=numbers, file_format=file_format, kind=kind, **meta
    )
