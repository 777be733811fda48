"""Months as the hub counts them (pure): a reporting month written any way clerks write it, the month a ledger row
names, deadlines and month arithmetic, in WIB."""

from __future__ import annotations

import re
from datetime import date
from zoneinfo import ZoneInfo

import pandas as pd

from include.kopdes_hub.config import TIMEZONE
from include.kopdes_hub.contract import PERIOD_PATTERN

LOCAL_TZ = ZoneInfo(TIMEZONE)  # clerks date their lines in WIB
REPORT_DUE_DAY = 10  # a month's report is due by the 10th of the next month: ASSUMPTION (no published deadline)
_PERIOD_FORMS = (
    (re.compile(r"^(\d{4})[-/.](\d{1,2})$"), (1, 2)),
    (re.compile(r"^(\d{1,2})[-/.](\d{4})$"), (2, 1)),
)


def normalize_period(text: str | None) -> str | None:
    """``2026-7``, ``2026/07``, ``07/2026`` -> ``2026-07``; anything else stays as received (and fails its rule)."""
    if text is None:
        return None
    for pattern, (y, m) in _PERIOD_FORMS:
        match = pattern.match(text)
        if match and 1 <= int(match.group(m)) <= 12:
            return f"{match.group(y)}-{int(match.group(m)):02d}"
    return text


def is_period(value: object) -> bool:
    """Is ``value`` a month as the lake partitions it (``YYYY-MM``)? Anything else, None and NaN included, is not."""
    return isinstance(value, str) and re.fullmatch(PERIOD_PATTERN, value) is not None


def ledger_month(period: object) -> str | None:
    """The month a ledger period names (``2026/07`` -> ``2026-07``), or None: a file's period is as received, so it
    may be missing, NaN (pandas reads a NULL so) or garbage, and such a submission counts for no month."""
    month = normalize_period(period.strip()) if isinstance(period, str) else None
    return month if is_period(month) else None


def due_date(period: str) -> date:
    return (pd.Period(period, "M") + 1).to_timestamp().date().replace(day=REPORT_DUE_DAY)


def months_between(earlier: str, later: str) -> int:
    return (pd.Period(later, "M") - pd.Period(earlier, "M")).n


def previous_periods(period: str, n: int) -> list[str]:
    """The ``n`` months before ``period``, oldest first."""
    month = pd.Period(period, "M")
    return [str(month - k) for k in range(n, 0, -1)]
