"""What the contract's values may be: flows, required and numeric columns, plausible ranges, the patterns every engine
reads alike (Python's re and Arrow's RE2), and the privacy mask for NIK-like numbers."""

from __future__ import annotations

import re

from include.kopdes_hub.contract.columns import FINANCE, FINANCE_FIELDS, LINES

SUPPLY = "supply"


DEMAND = "demand"


# `jenis` as clerks write it -> flow
FLOW_VALUES: dict[str, str] = {
    "pasokan": SUPPLY,
    "penawaran": SUPPLY,
    "supply": SUPPLY,
    "kebutuhan": DEMAND,
    "permintaan": DEMAND,
    "demand": DEMAND,
}


REQUIRED: dict[str, tuple[str, ...]] = {
    LINES: ("cooperative_id", "period", "flow", "date", "commodity", "quantity", "unit"),
    FINANCE: ("cooperative_id", "period", "revenue_idr", "operating_cost_idr", "cash_idr", "members"),
}


# Columns whose text must be a number (Indonesian `1.250,5` or plain `1250.5`; `Rp` allowed) where given.
NUMERIC: dict[str, tuple[str, ...]] = {
    LINES: ("quantity", "unit_price_idr"),
    FINANCE: FINANCE_FIELDS,
}


# Amounts a cooperative reports for one month, above which a figure is a typo, not a business: ASSUMPTION
# (the largest KDKMP loan is Rp 3 bn [S35]; a month's revenue beyond Rp 100 bn would be a national firm's).
FINANCE_MAX_IDR = 100_000_000_000


MEMBERS_MAX = 100_000  # ASSUMPTION: observed 76 -> 359 members [S10][S11]


# A submission with more than this share of bad rows is rejected whole (the clerk sends it again), since a file
# that is mostly wrong is usually a wrong template or a wrong month rather than a few typos: ASSUMPTION.
MAX_BAD_ROW_SHARE = 0.5


# The patterns say [0-9] and spell out their spaces (NBSP too, as Excel writes it) instead of \d and \s, so Python's re
# and Arrow's RE2 (used by GX on Arrow-backed strings, and by validate's parser) read every text the same way.
PERIOD_PATTERN = r"^[0-9]{4}-(?:0[1-9]|1[0-2])$"


DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


SPACE = "[ \t\u00a0]"


# digits grouped by thousands with one separator throughout (15.000.000, 1,250,000) or not grouped, then an optional
# decimal part: every text it admits parses, so no number passes its rule and is then lost by the parser
_GROUPED = r"(?:[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:[.,][0-9]+)?$"


NUMBER_PATTERN = r"^(?i:rp\.?|idr)?" + SPACE + "*-?" + SPACE + "*" + _GROUPED


# Privacy: a NIK (the 16-digit national identity number) or a KK number a clerk types into a free-text cell must not
# travel beyond bronze. NIK-like = 16 or more digits (ASCII or full-width) in a row, where any two neighbouring
# digits may be separated by one space, tab, NBSP, dot or dash (3201123456780001, 3201 1234 5678 0001,
# 32.01.12.345678.0001). Such a run is replaced by its first 4 digits (province and regency, not a person) and
# twelve asterisks: 3201************. Longer runs are masked whole, so two NIKs one space apart are one match and
# a NIK with a typo (17 digits) is still masked; 15 digits or fewer are not (phone numbers, amounts). Both regex
# engines (Python's re and Arrow's RE2) read the pattern alike: no look-around, classes spelt out.
_NIK_DIGIT = "[0-9\uff10-\uff19]"


_NIK_GAP = "[ \t\u00a0.-]?"


NIK_PATTERN = f"({_NIK_DIGIT}){_NIK_GAP}({_NIK_DIGIT}){_NIK_GAP}({_NIK_DIGIT}){_NIK_GAP}({_NIK_DIGIT})" + (
    f"(?:{_NIK_GAP}{_NIK_DIGIT}){{12,}}"
)


NIK_MASK = r"\1\2\3\4************"  # a replacement template both engines read


NIK_MIN_CHARS = 16  # no shorter text can hold one (so no text of fewer bytes either): a cheap filter


def mask_nik(text: str) -> str:
    """``text`` with every NIK-like number masked (``NIK_PATTERN`` -> ``3201************``)."""
    return re.sub(NIK_PATTERN, NIK_MASK, text)


def storable(text: str, limit: int | None = None) -> str:
    """Text taken from a file, fit for the ledger, a log line or a reason: NIK-like numbers masked, NUL bytes and
    lone UTF-16 surrogates (from a JSON escape) dropped, since PostgreSQL and UTF-8 refuse them and one such value
    would fail a whole batch's update; cut to ``limit`` characters when given."""
    clean = mask_nik(text.replace("\x00", "").encode("utf-8", "ignore").decode("utf-8") if text else text)
    return clean if limit is None or len(clean) <= limit else clean[: limit - 1] + "…"


WHOLE_ROW = "*"  # the column of a rule about the whole row


# Severities of a rule (contract.rules): an error quarantines the line, a warning keeps it and tells. GX 1.x knows
# critical / warning / info on every expectation; ours reach it as critical and warning.
ERROR = "error"


WARNING = "warning"


GX_SEVERITY = {ERROR: "critical", WARNING: "warning"}


# A masked NIK as NIK_MASK leaves it (4 digits, 12 asterisks): a note that held one is told so (NIK_IN_NOTES).
NIK_MASKED_PATTERN = "[0-9\uff10-\uff19]{4}[*]{12}"


# QUANTITY_OUTLIER: a cooperative's month total of a commodity and flow far above its own recent months. Each month's
# total is divided by the catalogue's seasonality multiplier of its month (a pepper harvest is not an outlier), and
# the threshold is median + OUTLIER_K x spread of the last OUTLIER_HISTORY_MONTHS months, spread = the scaled MAD
# (1.4826 x MAD, the standard deviation of normal data) but at least OUTLIER_MIN_SPREAD x median (a cooperative
# that reports the same figure every month still gets room), times this month's multiplier. With fewer than
# OUTLIER_MIN_MONTHS months of history the catalogue's caps (QUANTITY_IMPLAUSIBLE) are the only bound. k = 3.5 is
# Iglewicz and Hoaglin's cut-off for the modified z-score (0.6745 (x - median) / MAD > 3.5), the usual robust
# outlier rule; on the demo hub it flags every planted extra zero and under 1 % of honest months. The 25 % floor
# and the 6 months are ASSUMPTIONs.
OUTLIER_HISTORY_MONTHS = 6


OUTLIER_MIN_MONTHS = 3


OUTLIER_K = 3.5


OUTLIER_MIN_SPREAD = 0.25


MAD_SCALE = 1.4826
