"""Settings read from the environment, in one place, with local defaults (DESIGN.md "Published datasets").

Relative paths resolve against the project root, not the working directory, so an Airflow worker, a test and
``make run`` started from anywhere all agree on where landing, the lake and the store are.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
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
    # all parts of a workbook, unpacked (zip bombs); 20,000 lines take ~12 MB. openpyxl parses a sheet without a
    # <dimension> twice, ~0.2 s per MB each time, so this bounds a hostile workbook to seconds
    max_xlsx_uncompressed_bytes: int = 30_000_000
    max_xlsx_ratio: int = 200  # unpacked / packed size of one part; real sheets compress 5-20x
    # data rows of one file: 500 members each reporting a line every day of the month is 15,000
    max_rows: int = 20_000
    max_columns: int = 100  # cells of one row (the contract has 10)
    # cells of one file: what bounds an XLSX read (openpyxl reads ~60k cells a second, so this is ~5 s)
    max_cells: int = 300_000
    max_cell_chars: int = 10_000  # characters of one cell (a note is a sentence)
    max_json_depth: int = 20  # nesting of a JSON document (the contract's deepest shape is 3)


def get_limits() -> Limits:
    """``KOPDES_<FIELD>`` (the field's name upper-cased, e.g. ``KOPDES_MAX_ROWS``) overrides each default."""
    defaults = Limits()
    return Limits(**{f.name: _int(f"KOPDES_{f.name.upper()}", getattr(defaults, f.name)) for f in fields(Limits)})


@dataclass(frozen=True)
class Settings:
    """Everything the pipeline takes from its environment; ``get_settings`` is the only reader of ``KOPDES_*``."""

    landing: Path
    lake: Path
    db_url: str
    limits: Limits = Limits()
    ingest_batch: int = 200  # files per mapped ingest task
    # Rows / submissions per mapped validation task, one GX run per kind each: GX's fixed cost per run (~0.5 s) is
    # paid once for many small files, while a batch stays small enough to spread over the workers and to fit one
    # (~0.5 GB at 250k rows; 500k rows took 1 GB and were no faster on two workers, 100k were slower)
    validate_batch_rows: int = 250_000
    validate_batch_submissions: int = 1_000
    sweep_cron: str = "*/15 * * * *"  # the landing sweep, so a lost "new file" event delays a file, never loses it
    events: str = "file"  # how "a file landed" is signalled: redis (pub/sub) or file (a sentinel in landing)
    redis_url: str = "redis://127.0.0.1:6379/0"
    alert_webhook: str | None = None  # where task failure alerts are POSTed as {"text": ...}, besides the log

    @property
    def bronze(self) -> Path:
        return self.lake / "bronze"


def get_settings() -> Settings:
    """Read the environment now (never cached: tests and runs override). Redis is Airflow's own connection
    variable, so the watcher and ``cli announce`` use the server the triggerer listens to."""
    redis = os.environ.get("AIRFLOW_CONN_REDIS_DEFAULT")
    return Settings(
        landing=_resolve(os.environ.get("KOPDES_LANDING") or DEFAULT_LANDING),
        lake=_resolve(os.environ.get("KOPDES_LAKE") or DEFAULT_LAKE),
        db_url=_resolve_db_url(os.environ.get("KOPDES_DB_URL") or DEFAULT_DB_URL),
        limits=get_limits(),
        ingest_batch=_int("KOPDES_INGEST_BATCH", Settings.ingest_batch),
        validate_batch_rows=_int("KOPDES_VALIDATE_BATCH_ROWS", Settings.validate_batch_rows),
        validate_batch_submissions=_int("KOPDES_VALIDATE_BATCH", Settings.validate_batch_submissions),
        sweep_cron=os.environ.get("KOPDES_SWEEP_CRON") or Settings.sweep_cron,
        events=os.environ.get("KOPDES_EVENTS") or ("redis" if redis else "file"),
        redis_url=redis or Settings.redis_url,
        alert_webhook=os.environ.get("KOPDES_ALERT_WEBHOOK") or None,
    )
