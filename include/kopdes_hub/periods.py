"""Months as the hub counts them: a reporting month written any way clerks write it, in WIB."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from include.kopdes_hub.config import TIMEZONE

LOCAL_TZ = ZoneInfo(TIMEZONE)  # clerks date their lines in WIB


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
