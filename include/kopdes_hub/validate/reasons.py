"""From GX's unexpected rows to what a clerk reads: each broken rule as a reason with the value as received, the
message in Bahasa Indonesia and English and how to fix it."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from include.kopdes_hub import contract
from include.kopdes_hub.reference import Catalogue
from include.kopdes_hub.reporting import id_format


@dataclass(frozen=True)
class Reason:
    rule_id: str
    column: str
    value: str
    message_id: str
    message_en: str
    fix_id: str
    severity: str  # contract.ERROR (the row is quarantined) or contract.WARNING (it counts)


def _closest_commodities(value: str, catalogue: Catalogue) -> str:
    names = {c.name: code for code, c in catalogue.commodities.items()}
    close = difflib.get_close_matches(value.title(), list(names), n=2, cutoff=0.6)
    picks = close or list(names)[:4]
    return ", ".join(f"{name} ({names[name]})" for name in picks)


def _explain(
    rule: contract.Rule, row: dict[str, Any], value: str, catalogue: Catalogue, first_row: int | None
) -> Reason:
    code = row.get("catalogue_commodity")
    spec = catalogue.commodities.get(code) if code else None
    fields: dict[str, Any] = {
        "value": value,
        "column": rule.column,
        "column_id": contract.INDONESIAN_NAMES.get(rule.column, "seluruh baris"),
        "expected": "",
        "allowed": "",
        "low": float(rule.kwargs.get("min_value") or 0),
        "high": float(rule.kwargs.get("max_value") or 0),
        "row": first_row or "",
    }
    rid = rule.rule_id
    if rid == "COOPERATIVE_MISMATCH":
        fields["expected"] = row["file_cooperative_id"]
    elif rid in ("PERIOD_MISMATCH", "DATE_OUTSIDE_PERIOD"):
        fields["expected"] = row["file_period"]
    elif rid == "DATE_AFTER_RECEIVED":
        fields["expected"] = row["received_date"]
    elif rid == "COMMODITY_UNKNOWN":
        fields["allowed"] = _closest_commodities(value, catalogue)
    elif rid == "UNIT_NOT_ALLOWED" and spec:
        fields["allowed"] = ", ".join(spec.units)
    elif rid == "GRADE_UNKNOWN" and spec:
        fields["allowed"] = ", ".join(spec.grades) or "komoditas ini tanpa mutu"
    elif rid == "QUANTITY_IMPLAUSIBLE" and spec:
        fields.update(high=float(row["quantity_cap"]), expected=spec.base_unit)
    elif rid == "QUANTITY_OUTLIER" and spec:
        fields.update(low=float(row["month_total_base"]), high=float(row["usual_max_base"]), expected=spec.base_unit)
    elif rid in ("PRICE_TOO_LOW", "PRICE_TOO_HIGH") and spec:
        fields.update(low=spec.price_min_idr, high=spec.price_max_idr, expected=spec.base_unit)
    english = {**fields, "low": f"{fields['low']:,.0f}", "high": f"{fields['high']:,.0f}"}
    indonesian = {**fields, "low": id_format.number(fields["low"]), "high": id_format.number(fields["high"])}
    return Reason(
        rule_id=rid,
        column=rule.column,
        value=value,
        message_id=rule.message_id.format(**indonesian),
        message_en=rule.message_en.format(**english),
        fix_id=rule.fix_id.format(**indonesian),
        severity=rule.severity,
    )


def _received_value(bronze: pa.Table, position: int, column: str) -> str:
    if column == contract.WHOLE_ROW or column not in bronze.column_names:
        return ""
    value = bronze[column][position].as_py()
    return "" if value is None else str(value)


def _first_rows(prepared: pa.Table, columns: list[str]) -> np.ndarray:
    """For each row, the file row number of the first row with the same values in ``columns``."""
    frame = prepared.select([*columns, "_row_number"]).to_pandas()
    return frame.groupby(list(columns), dropna=False, sort=False)["_row_number"].transform("first").to_numpy()
