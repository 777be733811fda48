"""How numbers and times are written for an Indonesian reader: thousands with ``.``, decimals with ``,``.

One helper for every Bahasa Indonesia text the hub writes for people (the hub report, the financing reasons): an
Indonesian reader takes the ``,`` of ``Rp 6,542,933`` for a decimal comma and the ``.`` of ``0.24`` for a
thousands point, so the English forms must never reach them. Machine-readable fields (``rules_json`` values,
Parquet, the English terminal summary) keep their own forms.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd

from include.kopdes_hub.periods import LOCAL_TZ

MISSING = "-"  # what a table cell shows for no value

_SWAP = str.maketrans({",": ".", ".": ","})

MONTHS_ID = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


def _missing(value: object) -> bool:
    return value is None or bool(pd.isna(value))  # None, NaN, pd.NA, NaT


def number(value: float | int | None, decimals: int = 0) -> str:
    """``1234567.5`` -> ``1.234.567,5`` (with ``decimals=1``); no value -> ``-``."""
    if _missing(value):
        return MISSING
    rounded = round(float(value), decimals) + 0.0  # type: ignore[arg-type]  # + 0.0: no "-0" for a tiny minus
    return f"{rounded:,.{decimals}f}".translate(_SWAP)


def rupiah(value: float | int | None) -> str:
    """``6542933.3`` -> ``Rp 6.542.933``: whole rupiah."""
    return MISSING if _missing(value) else f"Rp {number(value)}"


def rupiah_short(value: float | int | None) -> str:
    """A total in words a manager reads at a glance: ``26130000000`` -> ``Rp 26,13 miliar``, ``Rp 769 juta``."""
    if _missing(value):
        return MISSING
    amount = float(value)  # type: ignore[arg-type]
    if abs(amount) >= 1e9:
        return f"Rp {number(amount / 1e9, 2)} miliar"
    if abs(amount) >= 1e6:
        return f"Rp {number(amount / 1e6, 0)} juta"
    return rupiah(amount)


def ratio(value: float | None, decimals: int = 2) -> str:
    """A ratio such as an LQ or a DSCR: ``4.7`` -> ``4,70``."""
    return number(value, decimals)


def percent(value: float | None, decimals: int = 0) -> str:
    """A share: ``0.2`` -> ``20%``, ``0.015`` with one decimal -> ``1,5%``."""
    return MISSING if _missing(value) else f"{number(100 * float(value), decimals)}%"  # type: ignore[arg-type]


def count(value: int | float | None) -> str:
    """A count: ``1234`` -> ``1.234``."""
    return MISSING if _missing(value) else number(int(value))  # type: ignore[arg-type]


def wib(moment: datetime | None) -> str:
    """A moment in WIB with the month in Bahasa: ``5 November 2026 14.05 WIB`` (Indonesian writes hours with a dot).

    A naive datetime is read as UTC, as the store and the lake hold them."""
    if moment is None:
        return MISSING
    local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(LOCAL_TZ)
    return f"{local.day} {MONTHS_ID[local.month - 1]} {local.year} {local:%H.%M} WIB"
