"""Submission contract v1: what clerks send and every rule a submission must pass, the single source of truth that
``validate`` turns into a Great Expectations suite (DESIGN.md "Submission contract v1").

- ``columns``: the contract's columns, their Indonesian and English aliases, the two kinds, header recognition;
- ``values``: flows, required and numeric columns, plausible ranges, the shared patterns and the NIK mask;
- ``rules``: every rule (id, column, GX expectation, messages in Bahasa Indonesia and English, how to fix).

Callers use the package (``contract.LINES``, ``contract.rules(...)``): these names are its public face.
"""

from include.kopdes_hub.contract.columns import (
    COLUMN_ALIASES,
    COLUMNS,
    CONTRACT_VERSION,
    FINANCE,
    FINANCE_FIELDS,
    HEADER_FIELDS,
    INDONESIAN_NAMES,
    JSON_ROW_KEYS,
    KINDS,
    LINE_FIELDS,
    LINES,
    MIN_HEADER_MATCHES,
    canonical_column,
    detect_kind,
    header_matches,
)
from include.kopdes_hub.contract.rules import (
    Rule,
    rules,
)
from include.kopdes_hub.contract.values import (
    DATE_PATTERN,
    DEMAND,
    FINANCE_MAX_IDR,
    FLOW_VALUES,
    MAX_BAD_ROW_SHARE,
    MEMBERS_MAX,
    NIK_MASK,
    NIK_MIN_CHARS,
    NIK_PATTERN,
    NUMBER_PATTERN,
    NUMERIC,
    PERIOD_PATTERN,
    REQUIRED,
    SPACE,
    SUPPLY,
    WHOLE_ROW,
    mask_nik,
)

__all__ = [
    "COLUMNS",
    "COLUMN_ALIASES",
    "CONTRACT_VERSION",
    "DATE_PATTERN",
    "DEMAND",
    "FINANCE",
    "FINANCE_FIELDS",
    "FINANCE_MAX_IDR",
    "FLOW_VALUES",
    "HEADER_FIELDS",
    "INDONESIAN_NAMES",
    "JSON_ROW_KEYS",
    "KINDS",
    "LINES",
    "LINE_FIELDS",
    "MAX_BAD_ROW_SHARE",
    "MEMBERS_MAX",
    "MIN_HEADER_MATCHES",
    "NIK_MASK",
    "NIK_MIN_CHARS",
    "NIK_PATTERN",
    "NUMBER_PATTERN",
    "NUMERIC",
    "PERIOD_PATTERN",
    "REQUIRED",
    "SPACE",
    "SUPPLY",
    "WHOLE_ROW",
    "Rule",
    "canonical_column",
    "detect_kind",
    "header_matches",
    "mask_nik",
    "rules",
]
