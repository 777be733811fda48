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


@dataclass(frozen=True)
class Settings:
    landing: Path
    lake: Path
    db_url: str

    @property
    def bronze(self) -> Path:
        return self.lake / "bronze"


def get_settings() -> Settings:
    """Read ``KOPDES_LANDING``, ``KOPDES_LAKE`` and ``KOPDES_DB_URL`` now (never cached: tests and runs override)."""
    return Settings(
        landing=_resolve(os.environ.get("KOPDES_LANDING") or DEFAULT_LANDING),
        lake=_resolve(os.environ.get("KOPDES_LAKE") or DEFAULT_LAKE),
        db_url=_resolve_db_url(os.environ.get("KOPDES_DB_URL") or DEFAULT_DB_URL),
    )
