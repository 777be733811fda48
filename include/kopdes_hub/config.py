"""Settings read from the environment, in one place, with local defaults (DESIGN.md "Published datasets").

Relative paths resolve against the project root, not the working directory, so an Airflow worker, a test and
``make run`` started from anywhere all agree on where landing, the lake and the store are.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]

TIMEZONE = "Asia/Jakarta"  # Belitung keeps WIB: deadlines, clerks' dates and the nightly runs are in it
DEFAULT_LANDING = "data/landing"
DEFAULT_LAKE = "data/lake"
DEFAULT_DB_URL = "sqlite:///data/kopdes.db"


def _resolve(path: str) -> Path:
    p = Path(path).expanduser()
    return p if p.is_absolute() else PROJECT_ROOT / p


def _resolve_db_url(url: str) -> str:
    """Make a relative SQLite path absolute (``sqlite:///data/x.db`` is relative in SQLAlchemy's grammar)."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != prefix + ":memory:":
        return prefix + str(_resolve(url[len(prefix) :]))
    return url


def _int(name: str, default: int) -> int:
    text = os.environ.get(name)
    return int(text) if text else default


@dataclass(frozen=True)
class Limits:
    """What one submission file may cost, so a hostile or broken file fails alone, in seconds and bounded memory.

    Each limit is far above any real monthly file (the demo's largest has about 60 lines; a busy cooperative might
    send a few thousand): ASSUMPTION, sized so a clerk never meets one by accident.
    """

    max_file_bytes: int = 20_000_000  # a month of lines as CSV is kilobytes; 20 MB is a photo, not a report
    max_xlsx_uncompressed_bytes: int = 100_000_000  # all parts of a workbook, unpacked (zip bombs)
    max_xlsx_ratio: int = 200  # unpacked / packed size of one part; real sheets compress 5-20x
    max_rows: int = 100_000  # data rows of one file
    max_columns: int = 200  # cells of one row (the contract has 10)
    max_cell_chars: int = 10_000  # characters of one cell (a note is a sentence)
    max_json_depth: int = 20  # nesting of a JSON document (the contract's deepest shape is 3)


def get_limits() -> Limits:
    """``KOPDES_MAX_FILE_BYTES``, ``KOPDES_MAX_XLSX_UNCOMPRESSED_BYTES``, ``KOPDES_MAX_ROWS``, ``KOPDES_MAX_COLUMNS``,
    ``KOPDES_MAX_CELL_CHARS`` and ``KOPDES_MAX_JSON_DEPTH`` override the defaults."""
    d = Limits()
    return Limits(
        max_file_bytes=_int("KOPDES_MAX_FILE_BYTES", d.max_file_bytes),
        max_xlsx_uncompressed_bytes=_int("KOPDES_MAX_XLSX_UNCOMPRESSED_BYTES", d.max_xlsx_uncompressed_bytes),
        max_xlsx_ratio=_int("KOPDES_MAX_XLSX_RATIO", d.max_xlsx_ratio),
        max_rows=_int("KOPDES_MAX_ROWS", d.max_rows),
        max_columns=_int("KOPDES_MAX_COLUMNS", d.max_columns),
        max_cell_chars=_int("KOPDES_MAX_CELL_CHARS", d.max_cell_chars),
        max_json_depth=_int("KOPDES_MAX_JSON_DEPTH", d.max_json_depth),
    )


@dataclass(frozen=True)
class Settings:
    landing: Path
    lake: Path
    db_url: str
    limits: Limits = Limits()

    @property
    def bronze(self) -> Path:
        return self.lake / "bronze"


def get_settings() -> Settings:
    """Read ``KOPDES_LANDING``, ``KOPDES_LAKE``, ``KOPDES_DB_URL`` and the limits now (never cached: tests and runs
    override)."""
    return Settings(
        landing=_resolve(os.environ.get("KOPDES_LANDING") or DEFAULT_LANDING),
        lake=_resolve(os.environ.get("KOPDES_LAKE") or DEFAULT_LAKE),
        db_url=_resolve_db_url(os.environ.get("KOPDES_DB_URL") or DEFAULT_DB_URL),
        limits=get_limits(),
    )
