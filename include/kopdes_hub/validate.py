"""Validate stage: bronze -> silver (typed, base units, IDR) + quarantine (every rule a row broke) + clerk feedback.

The contract's rules become one Great Expectations suite per kind (GX 1.x core API, ephemeral context). A batch of
submissions is validated in one GX run over all their rows, with ``result_format`` COMPLETE, and GX's unexpected
indices split the rows: that keeps GX's per-run overhead off the per-submission path, so a night of thousands of
small files costs a few GX runs, not thousands. Results are then sliced back per submission for the ledger, the
clerk's feedback and the engineer's GX result page.

Conservation is checked here, per submission: bronze rows = silver rows + quarantined rows, or the task fails.
"""

from __future__ import annotations

import difflib
import json
import logging
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import select, update

from include.kopdes_hub import contract, feedback, lake, store
from include.kopdes_hub.config import TIMEZONE, Settings
from include.kopdes_hub.reference import Catalogue, load_catalogue, normalize_token

log = logging.getLogger(__name__)

LOCAL_TZ = ZoneInfo(TIMEZONE)  # clerks date their lines in WIB
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M", "%Y/%m/%d")
_PERIOD_FORMS = (
    (re.compile(r"^(\d{4})[-/.](\d{1,2})$"), (1, 2)),
    (re.compile(r"^(\d{1,2})[-/.](\d{4})$"), (2, 1)),
)
_NUMBER_RE = re.compile(contract.NUMBER_PATTERN)
_CURRENCY_RE = re.compile(r"(?i)^(rp\.?|idr)\s*")


# --------------------------------------------------------------------------------------------------------------
# Reference and parsing helpers (pure)
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Registry:
    """What validation needs of the registry: who is registered, their members, and where they are."""

    members: dict[str, int]
    places: dict[str, tuple[str, str, str]]  # cooperative_id -> (hub_id, district_code, village_code)


def load_registry(db_url: str) -> Registry:
    with store.get_engine(db_url).connect() as conn:
        rows = conn.execute(
            select(
                store.Cooperative.cooperative_id,
                store.Cooperative.members,
                store.Cooperative.hub_id,
                store.Cooperative.district_code,
                store.Cooperative.village_code,
            )
        ).all()
    return Registry(
        members={r.cooperative_id: r.members for r in rows},
        places={r.cooperative_id: (r.hub_id, r.district_code, r.village_code) for r in rows},
    )


def _blank_to_none(values: pd.Series) -> pd.Series:
    stripped = values.astype(object).str.strip()
    return stripped.where(stripped.notna() & (stripped != ""), None)


def uses_decimal_comma(texts: pd.Series, delimiter: str | None) -> bool:
    """Whether a file writes numbers the Indonesian way (``1.250,5``): `;` CSVs do, and so does any file that
    has a comma followed by 1-2 digits or a dot-grouped number (``15.000.000``)."""
    if delimiter == ";":
        return True
    sample = texts.dropna().astype(str)
    return bool(sample.str.contains(r"\d,\d{1,2}$|\d\.\d{3}\.\d{3}|\d\.\d{3},\d", regex=True).any())


def parse_number(text: str | None, decimal_comma: bool) -> float:
    """``1.250,5`` / ``1250.5`` / ``Rp 160.000`` / ``1,250.50`` -> float; NaN when it is not a number."""
    if text is None or not _NUMBER_RE.match(text):
        return float("nan")
    s = _CURRENCY_RE.sub("", text).replace(" ", "")
    negative = s.startswith("-")
    s = s.lstrip("-")
    if "." in s and "," in s:
        decimal: str | None = "," if s.rfind(",") > s.rfind(".") else "."
    elif "," in s:
        decimal = "," if s.count(",") == 1 and (decimal_comma or len(s.rsplit(",", 1)[1]) != 3) else None
    elif "." in s:
        decimal = "." if s.count(".") == 1 and not (decimal_comma and len(s.rsplit(".", 1)[1]) == 3) else None
    else:
        decimal = None
    for separator in {".", ","} - {decimal}:
        s = s.replace(separator, "")
    value = float(s.replace(",", "."))
    return -value if negative else value


def parse_numbers(texts: pd.Series, decimal_comma: pd.Series | bool) -> pd.Series:
    """``parse_number`` over a column, once per distinct (text, decimal convention)."""
    flags = pd.Series(decimal_comma, index=texts.index, dtype=bool)
    keys = pd.Series(list(zip(texts, flags, strict=True)), index=texts.index)
    table = {k: parse_number(k[0], bool(k[1])) for k in set(keys[texts.notna()])}
    return keys.map(table).astype("float64")


def parse_dates(texts: pd.Series) -> pd.Series:
    """ISO ``YYYY-MM-DD`` where the text is a date in one of the contract's forms, else the text as received."""
    parsed = pd.Series(pd.NaT, index=texts.index, dtype="datetime64[us]")
    for fmt in DATE_FORMATS:
        missing = parsed.isna() & texts.notna()
        if not missing.any():
            break
        parsed[missing] = pd.to_datetime(texts[missing], format=fmt, errors="coerce")
    iso = parsed.dt.strftime("%Y-%m-%d")
    return iso.where(parsed.notna(), texts).astype(object).where(texts.notna(), None)


def normalize_period(text: str | None) -> str | None:
    """``2026-7``, ``2026/07``, ``07/2026`` -> ``2026-07``; anything else stays as received (and fails its rule)."""
    if text is None:
        return None
    for pattern, (y, m) in _PERIOD_FORMS:
        match = pattern.match(text)
        if match and 1 <= int(match.group(m)) <= 12:
            return f"{match.group(y)}-{int(match.group(m)):02d}"
    return text


# --------------------------------------------------------------------------------------------------------------
# Preparation: bronze strings -> the columns the rules look at
# --------------------------------------------------------------------------------------------------------------


@dataclass
class SubmissionInput:
    submission_id: str
    kind: str
    file_name: str
    cooperative_id: str | None
    period: str | None
    received_at: datetime
    delimiter: str | None
    bronze: pd.DataFrame  # as read from bronze: strings + lineage


def _map_unique(values: pd.Series, fn: Any) -> pd.Series:
    """``fn`` once per distinct value (clerks repeat the same few spellings thousands of times)."""
    table = {v: fn(v) for v in values.dropna().unique()}
    return values.map(table).astype(object).where(values.notna(), None)


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return _blank_to_none(frame[name])
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


def prepare(subs: list[SubmissionInput], registry: Registry, catalogue: Catalogue) -> pd.DataFrame:
    """One row per bronze row of every submission (in order) with the typed and derived columns the contract's
    expectations check. Vectorised over the whole batch: per-submission values are repeated onto their rows."""
    kind = subs[0].kind
    raw = pd.concat([s.bronze for s in subs], ignore_index=True)
    sizes = [len(s.bronze) for s in subs]

    def per_submission(values: list[Any]) -> np.ndarray:
        return np.repeat(np.array(values, dtype=object), sizes)

    out = pd.DataFrame(index=raw.index)
    out["_submission_id"] = per_submission([s.submission_id for s in subs])
    out["_row_number"] = raw["_row_number"].astype("int64")
    out["cooperative_id"] = _column(raw, "cooperative_id").str.upper()
    out["file_cooperative_id"] = per_submission([(s.cooperative_id or "").strip().upper() or None for s in subs])
    out["period"] = _map_unique(_column(raw, "period"), normalize_period)
    out["file_period"] = per_submission([normalize_period((s.period or "").strip() or None) for s in subs])
    texts = {c: _column(raw, c) for c in contract.NUMERIC[kind]}
    flags = []
    for s in subs:
        own = [s.bronze[c] for c in contract.NUMERIC[kind] if c in s.bronze.columns]
        flags.append(uses_decimal_comma(pd.concat(own) if own else pd.Series(dtype=object), s.delimiter))
    decimal_comma = pd.Series(per_submission(flags), index=raw.index, dtype=bool)
    for column, text in texts.items():
        out[f"{column}_text"] = text
        out[column] = parse_numbers(text, decimal_comma)
    if kind == contract.FINANCE:
        return out

    out["flow"] = _map_unique(_column(raw, "flow"), lambda v: contract.FLOW_VALUES.get(normalize_token(v), v.lower()))
    out["date"] = parse_dates(_column(raw, "date"))
    valid_date = out["date"].astype(object).str.match(contract.DATE_PATTERN).fillna(False).astype(bool)
    out["valid_date"] = out["date"].where(valid_date)  # compared only when it is a date at all
    out["date_month"] = out["valid_date"].str[:7]
    out["received_date"] = per_submission([s.received_at.astimezone(LOCAL_TZ).date().isoformat() for s in subs])
    commodity_text = _column(raw, "commodity")
    codes = _map_unique(commodity_text, catalogue.commodity_code)
    out["commodity"] = codes.where(codes.notna(), commodity_text)
    out["catalogue_commodity"] = codes
    out["unit"] = _map_unique(_column(raw, "unit"), catalogue.unit_name)
    graded = {c for c, spec in catalogue.commodities.items() if spec.grades}
    out["grade"] = _map_unique(_column(raw, "grade"), _normalize_grade)
    # "commodity|unit" and "commodity|grade" keys, only where both sides are known: the set rules check pairs
    code_text = codes.astype("string")
    unit_key = (code_text + "|" + out["unit"].astype("string")).astype(object)
    grade_key = (code_text + "|" + out["grade"].astype("string")).astype(object)
    out["commodity_unit"] = unit_key.where(codes.notna() & out["unit"].notna(), None)
    out["commodity_grade"] = grade_key.where(codes.isin(graded) & out["grade"].notna(), None)
    out["notes"] = _column(raw, "notes")

    def lookup(attr: str) -> pd.Series:
        table = {c: getattr(spec, attr) for c, spec in catalogue.commodities.items()}
        return codes.map(table).astype("float64" if attr != "base_unit" else object)

    factors = {(c, u): f for c, spec in catalogue.commodities.items() for u, f in spec.units.items()}
    factor = pd.Series(list(zip(codes, out["unit"], strict=True)), index=out.index).map(factors).astype("float64")
    out["base_unit"] = lookup("base_unit")
    out["quantity_base"] = out["quantity"] * factor
    out["unit_price_base_idr"] = out["unit_price_idr"] / factor
    out["price_min_idr"] = lookup("price_min_idr")
    out["price_max_idr"] = lookup("price_max_idr")
    members = out["cooperative_id"].map(registry.members).astype("float64")
    out["quantity_cap"] = np.minimum(members * lookup("max_per_member_month"), lookup("max_per_cooperative_month"))
    return out


def _normalize_grade(text: str) -> str:
    token = text.strip()
    return token.upper() if re.fullmatch(r"(?i)i{1,3}|[ab]", token) else token.lower()


# --------------------------------------------------------------------------------------------------------------
# The Great Expectations suite
# --------------------------------------------------------------------------------------------------------------


def contract_rules(kind: str, registry: Registry, catalogue: Catalogue) -> list[contract.Rule]:
    unit_pairs = sorted((c, u) for c, spec in catalogue.commodities.items() for u in spec.units)
    grade_pairs = sorted((c, _normalize_grade(g)) for c, spec in catalogue.commodities.items() for g in spec.grades)
    return contract.rules(kind, sorted(registry.members), unit_pairs, grade_pairs, sorted(catalogue.commodities))


@cache
def _gx_batch_definition() -> Any:
    """One ephemeral GX context per process, with a pandas asset that takes any DataFrame at validate time."""
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False, "metric_calculations": False}
    source = context.data_sources.add_pandas("kopdes")
    return source.add_dataframe_asset("submission_rows").add_batch_definition_whole_dataframe("all_rows")


def build_suite(kind: str, rule_list: list[contract.Rule]) -> Any:
    import great_expectations as gx

    from include.kopdes_hub.expectations import CUSTOM_EXPECTATIONS

    _gx_batch_definition()  # a suite needs an active context
    suite = gx.ExpectationSuite(name=f"kopdes_{kind}_{contract.CONTRACT_VERSION}")
    for index, rule in enumerate(rule_list):
        cls = CUSTOM_EXPECTATIONS.get(rule.expectation) or getattr(gx.expectations, rule.expectation)
        suite.add_expectation(cls(**rule.kwargs, meta={"rule_id": rule.rule_id, "column": rule.column, "rule": index}))
    return suite


def run_suite(frame: pd.DataFrame, suite: Any) -> Any:
    """Run the suite over every row; an expectation that errors fails the task (it must never pass rows silently)."""
    batch = _gx_batch_definition().get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(suite, result_format={"result_format": "COMPLETE", "include_unexpected_rows": False})
    broken = [r for r in result.results if r.exception_info and r.exception_info.get("raised_exception")]
    if broken:
        first = broken[0]
        raise RuntimeError(
            f"GX expectation {first.expectation_config.type} {first.expectation_config.kwargs} raised: "
            f"{first.exception_info.get('exception_message')}"
        )
    return result


# --------------------------------------------------------------------------------------------------------------
# From GX results to reasons, decisions and files
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    rule_id: str
    column: str
    value: str
    message_id: str
    message_en: str
    fix_id: str


def _closest_commodities(value: str, catalogue: Catalogue) -> str:
    names = {c.name: code for code, c in catalogue.commodities.items()}
    close = difflib.get_close_matches(value.title(), list(names), n=2, cutoff=0.6)
    picks = close or list(names)[:4]
    return ", ".join(f"{name} ({names[name]})" for name in picks)


def _explain(rule: contract.Rule, row: pd.Series, value: str, catalogue: Catalogue, first_row: int | None) -> Reason:
    code = row.get("catalogue_commodity") if isinstance(row.get("catalogue_commodity"), str) else None
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
        fields["allowed"] = ", ".join(spec.grades)
    elif rid == "QUANTITY_IMPLAUSIBLE" and spec:
        fields.update(high=float(row["quantity_cap"]), expected=spec.base_unit)
    elif rid in ("PRICE_TOO_LOW", "PRICE_TOO_HIGH") and spec:
        fields.update(low=spec.price_min_idr, high=spec.price_max_idr, expected=spec.base_unit)
    english = {**fields, "low": f"{fields['low']:,.0f}", "high": f"{fields['high']:,.0f}"}
    indonesian = {k: v.replace(",", ".") if k in ("low", "high") else v for k, v in english.items()}
    return Reason(
        rule_id=rid,
        column=rule.column,
        value=value,
        message_id=rule.message_id.format(**indonesian),
        message_en=rule.message_en.format(**english),
        fix_id=rule.fix_id.format(**indonesian),
    )


def _received_value(bronze: pd.DataFrame, position: int, column: str) -> str:
    if column == contract.WHOLE_ROW or column not in bronze.columns:
        return ""
    value = bronze[column].iloc[position]
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


def _first_rows(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """For each row, the file row number of the first row with the same values in ``columns``."""
    return frame.groupby(list(columns), dropna=False, sort=False)["_row_number"].transform("first")


@dataclass
class Outcome:
    """What validation decided for one submission (all counts are rows)."""

    submission_id: str
    decision: str
    decision_reason: str | None
    rows_bronze: int
    rows_silver: int
    rows_quarantine: int
    paths: dict[str, str | None] = field(default_factory=dict)


def decide(kind: str, bronze_columns: set[str], rows: int, bad_rows: int) -> tuple[str, str | None]:
    """accepted / partly accepted / rejected, with the clerk-facing reason for a rejection."""
    missing = [c for c in contract.REQUIRED[kind] if c not in bronze_columns]
    if missing:
        names = ", ".join(contract.INDONESIAN_NAMES[c] for c in missing)
        return store.REJECTED, f"Kolom wajib tidak ada: {names}. / Required column(s) missing: {', '.join(missing)}."
    if rows == 0:
        return store.REJECTED, "Berkas tidak berisi baris data. / The file has no data rows."
    if bad_rows / rows > contract.MAX_BAD_ROW_SHARE:
        share = f"{bad_rows} dari {rows} baris ({bad_rows / rows:.0%})"
        limit = f"{contract.MAX_BAD_ROW_SHARE:.0%}"
        return store.REJECTED, (
            f"Terlalu banyak baris bermasalah: {share}, batas {limit}. / "
            f"Too many bad rows: {bad_rows} of {rows}, more than {limit}."
        )
    return (store.PARTLY_ACCEPTED if bad_rows else store.ACCEPTED), None


def _arr(values: pd.Series, type_: pa.DataType) -> pa.Array:
    """A pandas column as an Arrow array, NaN and None as null."""
    return pa.array(values.astype(object).where(values.notna(), None).tolist(), type=type_)


def _silver_table(
    kind: str, rows: pd.DataFrame, bronze: pd.DataFrame, registry: Registry, catalogue_version: str
) -> pa.Table:
    """Accepted rows, typed: base units, IDR values, registry place, lineage and the versions that accepted them."""
    n = len(rows)
    place = [registry.places.get(c, (None, None, None)) for c in rows["cooperative_id"]]
    common = {
        "submission_id": _arr(rows["_submission_id"], pa.string()),
        "cooperative_id": _arr(rows["cooperative_id"], pa.string()),
        "hub_id": pa.array([p[0] for p in place], pa.string()),
        "district_code": pa.array([p[1] for p in place], pa.string()),
        "village_code": pa.array([p[2] for p in place], pa.string()),
        "period": _arr(rows["period"], pa.string()),
    }
    if kind == contract.FINANCE:
        body = {**common, **{c: _arr(rows[c].round().astype("Int64"), pa.int64()) for c in contract.FINANCE_FIELDS}}
    else:
        price = rows["unit_price_idr"]
        body = {
            **common,
            "flow": _arr(rows["flow"], pa.string()),
            "date": pa.array(pd.to_datetime(rows["date"], format="%Y-%m-%d").dt.date.tolist(), pa.date32()),
            "commodity": _arr(rows["commodity"], pa.string()),
            "quantity": _arr(rows["quantity"], pa.float64()),
            "unit": _arr(rows["unit"], pa.string()),
            "quantity_base": _arr(rows["quantity_base"], pa.float64()),
            "base_unit": _arr(rows["base_unit"], pa.string()),
            "unit_price_idr": _arr(price, pa.float64()),
            "unit_price_base_idr": _arr(rows["unit_price_base_idr"], pa.float64()),
            "value_idr": _arr(rows["quantity"] * price, pa.float64()),
            "grade": _arr(rows["grade"], pa.string()),
            "notes": _arr(rows["notes"], pa.string()),
        }
    lineage = {
        "row_number": _arr(rows["_row_number"], pa.int32()),
        "source_file": _arr(bronze["_source_file"], pa.string()),
        "received_at": pa.array(bronze["_received_at"], pa.timestamp("us", tz="UTC")),
        "contract_version": pa.array([contract.CONTRACT_VERSION] * n, pa.string()),
        "catalogue_version": pa.array([catalogue_version] * n, pa.string()),
    }
    return pa.table({**body, **lineage})


REASON_TYPE = pa.struct(
    [
        ("rule_id", pa.string()),
        ("column", pa.string()),
        ("value", pa.string()),
        ("message_id", pa.string()),
        ("message_en", pa.string()),
        ("fix_id", pa.string()),
    ]
)


def _quarantine_table(kind: str, rows: pd.DataFrame, bronze: pd.DataFrame, reasons: list[list[Reason]]) -> pa.Table:
    """Rejected rows: the values as received (JSON, since each file has its own columns) and every rule broken."""
    data_columns = [c for c in bronze.columns if not c.startswith("_")]
    records = bronze[data_columns].to_dict("records")
    received = [json.dumps({k: v for k, v in r.items() if isinstance(v, str)}, ensure_ascii=False) for r in records]
    n = len(rows)
    return pa.table(
        {
            "submission_id": _arr(rows["_submission_id"], pa.string()),
            "kind": pa.array([kind] * n, pa.string()),
            "cooperative_id": _arr(rows["file_cooperative_id"], pa.string()),
            "period": _arr(rows["file_period"], pa.string()),
            "row_number": _arr(rows["_row_number"], pa.int32()),
            "source_file": _arr(bronze["_source_file"], pa.string()),
            "received_at": pa.array(bronze["_received_at"], pa.timestamp("us", tz="UTC")),
            "values_received": pa.array(received, pa.string()),
            "rule_ids": pa.array([[r.rule_id for r in rs] for rs in reasons], pa.list_(pa.string())),
            "reasons": pa.array([[r.__dict__ for r in rs] for rs in reasons], pa.list_(REASON_TYPE)),
            "contract_version": pa.array([contract.CONTRACT_VERSION] * n, pa.string()),
        }
    )


def _slice_result(result: Any, positions: np.ndarray, row_numbers: pd.Series, sub: SubmissionInput) -> dict[str, Any]:
    """The GX suite result restricted to one submission's rows, indices turned into the clerk's row numbers."""
    wanted = set(positions.tolist())
    results = []
    for r in result.results:
        indices = r.result.get("unexpected_index_list")
        unexpected = [] if indices is None else [i for i in indices if i in wanted]
        values = r.result.get("unexpected_list") or []
        picked = [v for i, v in zip(indices or [], values, strict=False) if i in wanted]
        element_count = len(positions)
        results.append(
            {
                "expectation_type": r.expectation_config.type,
                "kwargs": {
                    k: v
                    for k, v in r.expectation_config.kwargs.items()
                    if k not in ("value_set", "value_pairs_set", "batch_id")
                },
                "meta": r.expectation_config.meta,
                "success": not unexpected,
                "result": {
                    "element_count": element_count,
                    "unexpected_count": len(unexpected),
                    "unexpected_percent": 100.0 * len(unexpected) / element_count if element_count else 0.0,
                    "unexpected_rows": [int(row_numbers.loc[i]) for i in unexpected],
                    "unexpected_values": [
                        v if isinstance(v, str | int | float) or v is None else str(v) for v in picked
                    ],
                },
            }
        )
    successful = sum(1 for r in results if r["success"])
    return {
        "suite_name": result.suite_name,
        "success": successful == len(results),
        "statistics": {
            "evaluated_expectations": len(results),
            "successful_expectations": successful,
            "unsuccessful_expectations": len(results) - successful,
            "success_percent": 100.0 * successful / len(results) if results else 100.0,
        },
        "meta": {
            "submission_id": sub.submission_id,
            "file_name": sub.file_name,
            "contract_version": contract.CONTRACT_VERSION,
            "great_expectations_version": result.meta.get("great_expectations_version"),
        },
        "results": results,
    }


# --------------------------------------------------------------------------------------------------------------
# The stage
# --------------------------------------------------------------------------------------------------------------


def find_bronze(settings: Settings) -> list[tuple[str, int]]:
    """(submission_id, rows) of every submission parsed to bronze and not validated yet, oldest first."""
    with store.get_engine(settings.db_url).connect() as conn:
        rows = conn.execute(
            select(store.Submission.submission_id, store.Submission.rows_bronze)
            .where(store.Submission.status == store.BRONZE)
            .order_by(store.Submission.received_at, store.Submission.submission_id)
        ).all()
    return [(r.submission_id, int(r.rows_bronze or 0)) for r in rows]


def plan_batches(pending: list[tuple[str, int]], max_rows: int, max_submissions: int) -> list[list[str]]:
    """Group submissions so each GX run sees at most ``max_rows`` rows (one big file is a batch of its own)."""
    batches: list[list[str]] = []
    current: list[str] = []
    rows = 0
    for submission_id, n in pending:
        if current and (rows + n > max_rows or len(current) >= max_submissions):
            batches.append(current)
            current, rows = [], 0
        current.append(submission_id)
        rows += n
    if current:
        batches.append(current)
    return batches


def _load_inputs(settings: Settings, submission_ids: list[str]) -> list[SubmissionInput]:
    with store.get_engine(settings.db_url).connect() as conn:
        subs = conn.execute(select(store.Submission).where(store.Submission.submission_id.in_(submission_ids))).all()
    inputs = []
    order = {submission_id: i for i, submission_id in enumerate(submission_ids)}
    for s in sorted(subs, key=lambda s: order[s.submission_id]):
        if s.status != store.BRONZE:
            log.info("%s (%s) is already %s: skipped", s.submission_id, s.file_name, s.status)
            continue
        bronze = pq.read_table(settings.lake / s.bronze_path).to_pandas()
        inputs.append(
            SubmissionInput(
                submission_id=s.submission_id,
                kind=s.kind,
                file_name=s.file_name,
                cooperative_id=s.cooperative_id,
                period=s.period,
                received_at=s.received_at,
                delimiter=s.delimiter,
                bronze=bronze.reset_index(drop=True),
            )
        )
    return inputs


def validate_submissions(settings: Settings, submission_ids: list[str]) -> dict[str, int]:
    """Validate a batch: one GX run per kind over all its rows, then silver, quarantine, feedback and the ledger
    per submission. Already validated submissions are skipped, so a retried task changes nothing."""
    started = store.utcnow()
    run_id = f"{started:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    catalogue = load_catalogue()
    registry = load_registry(settings.db_url)
    inputs = _load_inputs(settings, submission_ids)
    outcomes: list[Outcome] = []
    for kind in contract.KINDS:
        subs = [s for s in inputs if s.kind == kind]
        if subs:
            outcomes += _validate_kind(settings, kind, subs, registry, catalogue, run_id)
    totals = {
        "submissions": len(outcomes),
        "rows_bronze": sum(o.rows_bronze for o in outcomes),
        "rows_silver": sum(o.rows_silver for o in outcomes),
        "rows_quarantine": sum(o.rows_quarantine for o in outcomes),
    }
    with store.get_engine(settings.db_url).begin() as conn:
        conn.execute(
            store.ValidationRun.__table__.insert().values(
                validation_run_id=run_id,
                started_at=started,
                finished_at=store.utcnow(),
                contract_version=contract.CONTRACT_VERSION,
                catalogue_version=catalogue.version,
                **totals,
            )
        )
    for decision in store.DECISIONS:
        totals[decision] = sum(1 for o in outcomes if o.decision == decision)
    return totals


@dataclass
class Evaluation:
    """The contract applied to a batch of one kind: every row's reasons and every submission's decision."""

    frame: pd.DataFrame  # prepared rows of all submissions, in order
    bronze: pd.DataFrame  # the same rows as received
    bounds: np.ndarray  # submission i owns rows bounds[i]:bounds[i+1]
    reasons: list[list[Reason]]  # per row; empty = the row is accepted
    decisions: list[tuple[str, str | None]]  # per submission: decision and the reason for a rejection
    gx_result: Any

    @property
    def bad(self) -> np.ndarray:
        return np.array([bool(r) for r in self.reasons], dtype=bool)


def evaluate(kind: str, subs: list[SubmissionInput], registry: Registry, catalogue: Catalogue) -> Evaluation:
    """Prepare, run the GX suite once over all rows, turn unexpected indices into reasons, decide per submission."""
    frame = prepare(subs, registry, catalogue)
    bronze = pd.concat([s.bronze for s in subs], ignore_index=True)
    rule_list = contract_rules(kind, registry, catalogue)
    result = run_suite(frame, build_suite(kind, rule_list))

    reasons: list[list[Reason]] = [[] for _ in range(len(frame))]
    duplicate = next((r.kwargs["column_list"] for r in rule_list if r.rule_id == "DUPLICATE_ROW"), None)
    first_rows = _first_rows(frame, duplicate) if duplicate and len(frame) else None
    for r in result.results:
        rule = rule_list[r.expectation_config.meta["rule"]]
        for position in r.result.get("unexpected_index_list") or []:
            first = (
                int(first_rows.iloc[position]) if rule.rule_id == "DUPLICATE_ROW" and first_rows is not None else None
            )
            value = _received_value(bronze, position, rule.column)
            reasons[position].append(_explain(rule, frame.iloc[position], value, catalogue, first))

    bounds = np.cumsum([0, *(len(s.bronze) for s in subs)])
    bad = np.array([bool(r) for r in reasons], dtype=bool)
    decisions = []
    for sub, lo, hi in zip(subs, bounds[:-1], bounds[1:], strict=True):
        present = {c for c in sub.bronze.columns if not c.startswith("_")}
        decision, why = decide(kind, present, int(hi - lo), int(bad[lo:hi].sum()))
        if decision == store.REJECTED:
            assert why is not None
            whole = Reason(
                "FILE_REJECTED",
                contract.WHOLE_ROW,
                "",
                f"Berkas ditolak: {why.split(' / ')[0]}",
                f"The whole file was rejected: {why.split(' / ')[-1]}",
                "Perbaiki berkas, lalu kirim ulang seluruh laporan bulan ini.",
            )
            for position in range(lo, hi):
                reasons[position] = reasons[position] or [whole]
        decisions.append((decision, why))
    return Evaluation(frame, bronze, bounds, reasons, decisions, result)


def check_conservation(sub: SubmissionInput, rows_silver: int, rows_quarantine: int) -> None:
    """Every bronze row in exactly one of silver or quarantine; anything else is a bug that must stop the run."""
    if rows_silver + rows_quarantine != len(sub.bronze):
        raise RuntimeError(
            f"conservation broken for {sub.submission_id} ({sub.file_name}): bronze {len(sub.bronze)} rows != "
            f"silver {rows_silver} + quarantine {rows_quarantine}"
        )


def _validate_kind(
    settings: Settings, kind: str, subs: list[SubmissionInput], registry: Registry, catalogue: Catalogue, run_id: str
) -> list[Outcome]:
    ev = evaluate(kind, subs, registry, catalogue)
    frame, bronze, reasons, result = ev.frame, ev.bronze, ev.reasons, ev.gx_result
    run_json = settings.lake / "validation" / "runs" / f"{run_id}_{kind}.json"
    lake.write_text_atomic(json.dumps(result.to_json_dict(), default=str), run_json)
    log.info("GX result of the whole %s batch (%d rows): %s", kind, len(frame), run_json)
    bad = ev.bad
    good = ~bad
    silver = _silver_table(kind, frame[good], bronze[good], registry, catalogue.version)
    quarantine = _quarantine_table(kind, frame[bad], bronze[bad], [rs for rs, b in zip(reasons, bad, strict=True) if b])

    outcomes = []
    silver_at = quarantine_at = 0
    for sub, lo, hi, (decision, why) in zip(subs, ev.bounds[:-1], ev.bounds[1:], ev.decisions, strict=True):
        n_good, n_bad = int(good[lo:hi].sum()), int(bad[lo:hi].sum())
        check_conservation(sub, n_good, n_bad)
        period = frame["file_period"].iloc[lo] if hi > lo else normalize_period(sub.period)
        partition = period if isinstance(period, str) and re.match(contract.PERIOD_PATTERN, period) else "unknown"
        paths: dict[str, str | None] = {"silver_path": None, "quarantine_path": None}
        if n_good:
            target = lake.silver_path(settings.lake, kind, partition, sub.submission_id)
            lake.write_parquet_atomic(silver.slice(silver_at, n_good), target)
            paths["silver_path"] = target.relative_to(settings.lake).as_posix()
        if n_bad:
            target = lake.quarantine_path(settings.lake, kind, partition, sub.submission_id)
            lake.write_parquet_atomic(quarantine.slice(quarantine_at, n_bad), target)
            paths["quarantine_path"] = target.relative_to(settings.lake).as_posix()
        silver_at += n_good
        quarantine_at += n_bad
        row_numbers = frame["_row_number"].iloc[lo:hi]
        paths.update(
            _write_reports(
                settings,
                kind,
                sub,
                decision,
                why,
                partition,
                n_good,
                row_numbers,
                reasons[lo:hi],
                _slice_result(result, np.arange(lo, hi), row_numbers, sub),
            )
        )
        outcomes.append(Outcome(sub.submission_id, decision, why, len(sub.bronze), n_good, n_bad, paths))

    now = store.utcnow()
    with store.get_engine(settings.db_url).begin() as conn:
        for o in outcomes:
            conn.execute(
                update(store.Submission)
                .where(store.Submission.submission_id == o.submission_id, store.Submission.status == store.BRONZE)
                .values(
                    status=o.decision,
                    decision=o.decision,
                    decision_reason=o.decision_reason,
                    rows_silver=o.rows_silver,
                    rows_quarantine=o.rows_quarantine,
                    catalogue_version=catalogue.version,
                    contract_version=contract.CONTRACT_VERSION,
                    validation_run_id=run_id,
                    validated_at=now,
                    updated_at=now,
                    **o.paths,
                )
            )
    for o, sub in zip(outcomes, subs, strict=True):
        log.info(
            "%s %s (%s): %s, %d rows = %d silver + %d quarantined; GX result %s; feedback %s",
            kind,
            o.submission_id,
            sub.file_name,
            o.decision,
            o.rows_bronze,
            o.rows_silver,
            o.rows_quarantine,
            settings.lake / str(o.paths["gx_result_path"]),
            settings.lake / str(o.paths["feedback_path"]),
        )
    return outcomes


def _write_reports(
    settings: Settings,
    kind: str,
    sub: SubmissionInput,
    decision: str,
    why: str | None,
    partition: str,
    rows_accepted: int,
    row_numbers: pd.Series,
    reasons: list[list[Reason]],
    gx_result: dict[str, Any],
) -> dict[str, str]:
    """The engineer's GX result (JSON + HTML) and the clerk's feedback (HTML + CSV) of one submission."""
    gx_json = lake.validation_path(settings.lake, sub.submission_id, "json")
    lake.write_text_atomic(json.dumps(gx_result, ensure_ascii=False, indent=1, default=str), gx_json)
    lake.write_text_atomic(feedback.gx_result_html(gx_result), gx_json.with_suffix(".html"))
    report = feedback.SubmissionReport(
        submission_id=sub.submission_id,
        file_name=sub.file_name,
        cooperative_id=sub.cooperative_id,
        period=None if partition == "unknown" else partition,
        kind=kind,
        decision=decision,
        decision_reason=why,
        rows_total=len(sub.bronze),
        rows_accepted=rows_accepted,
        problems=[(int(n), reason) for n, rs in zip(row_numbers, reasons, strict=True) for reason in rs],
    )
    page = lake.feedback_path(settings.lake, sub.cooperative_id, partition, sub.submission_id, "html")
    lake.write_text_atomic(feedback.clerk_html(report), page)
    lake.write_bytes_atomic(feedback.clerk_csv(report), page.with_suffix(".csv"))
    return {
        "gx_result_path": gx_json.with_suffix(".html").relative_to(settings.lake).as_posix(),
        "feedback_path": page.relative_to(settings.lake).as_posix(),
    }


def apply_supersession(settings: Settings) -> dict[str, int]:
    """Within each (cooperative, kind, period), the latest accepted or partly accepted file wins; earlier ones become
    ``superseded`` (both stay in the ledger). Recomputed from ``decision`` every time, so it is idempotent."""
    engine = store.get_engine(settings.db_url)
    with engine.begin() as conn:
        rows = conn.execute(
            select(
                store.Submission.submission_id,
                store.Submission.cooperative_id,
                store.Submission.kind,
                store.Submission.period,
                store.Submission.decision,
                store.Submission.status,
                store.Submission.superseded_by,
            )
            .where(store.Submission.decision.in_([store.ACCEPTED, store.PARTLY_ACCEPTED]))
            .order_by(store.Submission.received_at, store.Submission.submission_id)
        ).all()
        latest: dict[tuple[Any, ...], str] = {}
        for r in rows:
            latest[(r.cooperative_id, r.kind, normalize_period(r.period))] = r.submission_id
        changed = 0
        for r in rows:
            winner = latest[(r.cooperative_id, r.kind, normalize_period(r.period))]
            status, by = (r.decision, None) if winner == r.submission_id else (store.SUPERSEDED, winner)
            if (r.status, r.superseded_by) != (status, by):
                conn.execute(
                    update(store.Submission)
                    .where(store.Submission.submission_id == r.submission_id)
                    .values(status=status, superseded_by=by, updated_at=store.utcnow())
                )
                changed += 1
    superseded = sum(
        1 for r in rows if latest[(r.cooperative_id, r.kind, normalize_period(r.period))] != r.submission_id
    )
    return {"superseded": superseded, "changed": changed}


def reset_validation(settings: Settings, submission_ids: list[str]) -> int:
    """Send validated submissions back to ``bronze`` (after a contract or catalogue fix) and delete their outputs,
    so the next validation run decides them afresh; supersession is recomputed by that run."""
    engine = store.get_engine(settings.db_url)
    with engine.begin() as conn:
        subs = conn.execute(
            select(store.Submission).where(
                store.Submission.submission_id.in_(submission_ids),
                store.Submission.decision.is_not(None),
            )
        ).all()
        for s in subs:
            for relative in (s.silver_path, s.quarantine_path, s.feedback_path, s.gx_result_path):
                if relative:
                    for path in (
                        settings.lake / relative,
                        (settings.lake / relative).with_suffix(".csv"),
                        (settings.lake / relative).with_suffix(".json"),
                    ):
                        path.unlink(missing_ok=True)
            conn.execute(
                update(store.Submission)
                .where(store.Submission.submission_id == s.submission_id)
                .values(
                    status=store.BRONZE,
                    decision=None,
                    decision_reason=None,
                    rows_silver=None,
                    rows_quarantine=None,
                    silver_path=None,
                    quarantine_path=None,
                    feedback_path=None,
                    gx_result_path=None,
                    superseded_by=None,
                    validation_run_id=None,
                    validated_at=None,
                    updated_at=store.utcnow(),
                )
            )
    return len(subs)
