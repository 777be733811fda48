"""Validate stage: bronze -> silver (typed, base units, IDR) + quarantine (every rule a row broke) + clerk feedback.

The contract's rules become one Great Expectations suite per kind (GX 1.x core API, ephemeral context). A batch of
submissions is validated in one GX run over all their rows, with ``result_format`` COMPLETE, and GX's unexpected
indices split the rows: that keeps GX's per-run overhead off the per-submission path, so a night of thousands of
small files costs a few GX runs, not thousands. Results are then sliced back per submission for the ledger, the
clerk's feedback and the engineer's GX result page.

Conservation is checked here, per submission: bronze rows = silver rows + quarantined rows, or the task fails.
Privacy is settled where bronze is read: validation loads only the contract's columns (a file's ``nik`` or
``nama_anggota`` is named, never read) and masks NIK-like numbers in them first, so nothing it writes holds one.
"""

from __future__ import annotations

import difflib
import json
import logging
import re
import time
import uuid
from collections import Counter
from collections.abc import Container
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sqlalchemy import bindparam, select, update

from include.kopdes_hub import contract
from include.kopdes_hub.config import TIMEZONE, Settings
from include.kopdes_hub.reference import Catalogue, load_catalogue, normalize_token
from include.kopdes_hub.reporting import feedback
from include.kopdes_hub.storage import lake, schemas, store

log = logging.getLogger(__name__)

LOCAL_TZ = ZoneInfo(TIMEZONE)  # clerks date their lines in WIB
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M", "%Y/%m/%d")
NO_SUCH_DAY = "?"  # marks a text shaped like an ISO date that is no day of the calendar (see parse_dates)
STRING, FLOAT = pa.string(), pa.float64()
_PERIOD_FORMS = (
    (re.compile(r"^(\d{4})[-/.](\d{1,2})$"), (1, 2)),
    (re.compile(r"^(\d{1,2})[-/.](\d{4})$"), (2, 1)),
)


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


def _trimmed(values: pa.Array) -> pa.Array:
    """Text as the clerk meant it: surrounding spaces dropped, a blank cell missing."""
    text = pc.utf8_trim_whitespace(values.cast(pa.string()))
    return pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)


def _distinct_map(values: pa.Array, fn: Any, type_: pa.DataType = STRING) -> pa.Array:
    """``fn`` once per distinct value, spread back onto the rows (clerks repeat the same few spellings thousands of
    times); a missing value stays missing."""
    encoded = pc.dictionary_encode(values)
    return pa.array([fn(v) for v in encoded.dictionary.to_pylist()], type=type_).take(encoded.indices)


def parse_numbers(texts: pa.Array, decimal_comma: pa.Array) -> pa.Array:
    """``1.250,5`` / ``1250.5`` / ``Rp 160.000`` / ``1,250.50`` -> float64, vectorised in Arrow; null where the text
    is not a number of the contract. ``decimal_comma`` (per row) says the file writes numbers the Indonesian way,
    which settles a lone separator followed by three digits (``1.250`` is 1250 there, 1.25 elsewhere)."""
    number = pc.fill_null(pc.match_substring_regex(texts, contract.NUMBER_PATTERN), False)
    s = pc.replace_substring_regex(
        pc.replace_substring_regex(texts, r"(?i)^(?:rp\.?|idr)", ""), contract.SPACE + "+", ""
    )
    negative = pc.starts_with(s, "-")
    s = pc.utf8_ltrim(s, "-")
    dots, commas = pc.count_substring(s, "."), pc.count_substring(s, ",")
    backwards = pc.utf8_reverse(s)  # the digits after the last separator, counted from the end
    after_dot, after_comma = pc.find_substring(backwards, "."), pc.find_substring(backwards, ",")
    has_dot, has_comma = pc.greater(dots, 0), pc.greater(commas, 0)
    both = pc.and_(has_dot, has_comma)
    comma_decimal = pc.or_(
        pc.and_(both, pc.less(after_comma, after_dot)),
        pc.and_(
            pc.and_(pc.invert(has_dot), pc.equal(commas, 1)),
            pc.or_(decimal_comma, pc.not_equal(after_comma, 3)),
        ),
    )
    dot_decimal = pc.or_(
        pc.and_(both, pc.less(after_dot, after_comma)),
        pc.and_(
            pc.and_(pc.invert(has_comma), pc.equal(dots, 1)),
            pc.invert(pc.and_(decimal_comma, pc.equal(after_dot, 3))),
        ),
    )
    without_dots = pc.replace_substring(s, ".", "")
    plain = pc.if_else(
        comma_decimal,
        pc.replace_substring(without_dots, ",", "."),
        pc.if_else(dot_decimal, pc.replace_substring(s, ",", ""), pc.replace_substring(without_dots, ",", "")),
    )
    number = pc.and_(number, pc.fill_null(pc.match_substring_regex(plain, r"^[0-9]+(?:\.[0-9]+)?$"), False))
    value = pc.if_else(number, plain, pa.scalar(None, pa.string())).cast(pa.float64())
    return pc.if_else(negative, pc.negate(value), value)


def parse_number(text: str | None, decimal_comma: bool) -> float:
    """One text through ``parse_numbers``; NaN when it is not a number."""
    value = parse_numbers(pa.array([text], pa.string()), pa.array([decimal_comma]))[0].as_py()
    return float("nan") if value is None else value


def _parse_date(text: str) -> str:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    # DATE_FORMAT tells a date by its ISO shape, and 2026-03-32 or 2026-13-01 have that shape without being a day
    return NO_SUCH_DAY + text if re.fullmatch(contract.DATE_PATTERN, text) else text


def parse_dates(texts: pa.Array) -> pa.Array:
    """ISO ``YYYY-MM-DD`` where the text is a real calendar day in one of the contract's forms, else the text as
    received, marked with ``NO_SUCH_DAY`` when it only looks like an ISO date (``?2026-02-30``): so what is ISO here
    is a day that exists, and the DATE_FORMAT rule (an ISO pattern, checked by GX) decides every date."""
    return _distinct_map(texts, _parse_date)


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


# The lineage validation reads of bronze; when the content landed comes from the ledger (``received_at``).
BRONZE_LINEAGE = ("_row_number", "_source_file")


@dataclass
class SubmissionInput:
    submission_id: str
    kind: str
    file_name: str
    cooperative_id: str | None  # the file's cooperative and period as the ledger has them (as received)
    period: str | None
    received_at: datetime  # the ledger's: the earliest landing of any name the content arrived under
    delimiter: str | None
    bronze: pa.Table  # as read from bronze: strings + lineage
    other_columns: tuple[str, ...] = ()  # the file's columns outside the contract, left unread in bronze

    @property
    def file_cooperative_id(self) -> str | None:
        """The file's cooperative as validation compares it: trimmed, upper case, NIK-like numbers masked."""
        return contract.mask_nik((self.cooperative_id or "").strip().upper()) or None

    @property
    def file_period(self) -> str | None:
        """The file's period, normalised (``2026/07`` -> ``2026-07``) and masked; anything else stays as received."""
        return normalize_period(contract.mask_nik((self.period or "").strip()) or None)

    @property
    def partition(self) -> str:
        """The month its silver, quarantine and feedback files go under: a path part only when it is a month."""
        period = self.file_period
        return period if period is not None and lake.is_period(period) else lake.UNKNOWN

    @property
    def columns_not_kept(self) -> list[str]:
        """Names of the file's columns outside the contract, whose values validation never keeps (nik, nama, ...)."""
        kept = set(contract.COLUMNS[self.kind])
        in_bronze = [c for c in self.bronze.column_names if not c.startswith("_") and c not in kept]
        return [contract.mask_nik(c) for c in (*self.other_columns, *in_bronze)]


def mask_nik_array(values: pa.Array) -> pa.Array:
    """``contract.mask_nik`` vectorised: the regex runs only on the few texts long enough to hold a NIK."""
    values = values.cast(pa.string())
    long = pc.fill_null(pc.greater_equal(pc.binary_length(values), contract.NIK_MIN_CHARS), False)
    candidates = values.filter(long)
    hit = pc.fill_null(pc.match_substring_regex(candidates, contract.NIK_PATTERN), False)
    if not pc.any(hit).as_py():
        return values
    where = pc.replace_with_mask(long, long, hit)  # long and holding a NIK
    masked = pc.replace_substring_regex(candidates.filter(hit), contract.NIK_PATTERN, contract.NIK_MASK)
    return pc.replace_with_mask(values, where, masked)


def combine_bronze(subs: list[SubmissionInput]) -> pa.Table:
    """Every submission's bronze rows in order, in one table, as far as validation may see them: the contract's
    columns of the kind with NIK-like numbers masked (so neither GX, silver, quarantine nor a feedback page ever
    holds one) and the lineage it uses. A column a file lacks is null on its rows."""
    keep = {*contract.COLUMNS[subs[0].kind], *BRONZE_LINEAGE}
    tables = [s.bronze.select([c for c in s.bronze.column_names if c in keep]) for s in subs]
    table = pa.concat_tables(tables, promote_options="permissive").combine_chunks()
    for i, name in enumerate(table.column_names):
        if name not in BRONZE_LINEAGE:
            table = table.set_column(i, name, mask_nik_array(table[name].combine_chunks()))
    return table


def _column(raw: pa.Table, name: str) -> pa.Array:
    if name in raw.column_names:
        return _trimmed(raw[name].combine_chunks())
    return pa.nulls(raw.num_rows, pa.string())


# Numbers written the Indonesian way (1.250,5 or 15.000.000) anywhere in a file decide how its lone separators read
_DECIMAL_COMMA_HINT = r"[0-9],[0-9]{1,2}$|[0-9]\.[0-9]{3}\.[0-9]{3}|[0-9]\.[0-9]{3},[0-9]"


def _decimal_comma(subs: list[SubmissionInput], texts: list[pa.Array], bounds: np.ndarray) -> np.ndarray:
    """Per submission: does it write numbers the Indonesian way? `;` CSVs do (Indonesian Excel), and so does any file
    with a comma followed by 1-2 digits or a dot-grouped number in its numeric columns."""
    hint = np.zeros(int(bounds[-1]), dtype=bool)
    for text in texts:
        hint |= pc.fill_null(pc.match_substring_regex(text, _DECIMAL_COMMA_HINT), False).to_numpy(zero_copy_only=False)
    seen = np.concatenate([[0], np.cumsum(hint)])
    return (seen[bounds[1:]] > seen[bounds[:-1]]) | np.array([s.delimiter == ";" for s in subs], dtype=bool)


def prepare(subs: list[SubmissionInput], raw: pa.Table, registry: Registry, catalogue: Catalogue) -> pa.Table:
    """One row per bronze row of every submission (in order; ``raw`` is their ``combine_bronze``) with the typed and
    derived columns the contract's expectations check, computed in Arrow over the whole batch: per-submission values
    are repeated onto their rows, and lookups run once per distinct value."""
    kind = subs[0].kind
    bounds = np.cumsum([0, *(s.bronze.num_rows for s in subs)])
    owner = np.repeat(np.arange(len(subs)), np.diff(bounds))

    def per_submission(values: list[Any]) -> pa.Array:
        return pa.array(values, pa.string()).take(owner)

    out: dict[str, pa.Array] = {
        "_submission_id": per_submission([s.submission_id for s in subs]),
        "_row_number": raw["_row_number"].combine_chunks().cast(pa.int64()),
        "received_at": pa.array([s.received_at for s in subs], pa.timestamp("us", tz="UTC")).take(owner),
        "columns_not_kept": pa.array([s.columns_not_kept for s in subs], pa.list_(pa.string())).take(owner),
        "cooperative_id": pc.utf8_upper(_column(raw, "cooperative_id")),
        "file_cooperative_id": per_submission([s.file_cooperative_id for s in subs]),
        "period": _distinct_map(_column(raw, "period"), normalize_period),
        "file_period": per_submission([s.file_period for s in subs]),
    }
    texts = {c: _column(raw, c) for c in contract.NUMERIC[kind]}
    decimal_comma = pa.array(_decimal_comma(subs, list(texts.values()), bounds)[owner], pa.bool_())
    for column, text in texts.items():
        out[f"{column}_text"] = text
        out[column] = parse_numbers(text, decimal_comma)
    if kind == contract.FINANCE:
        return pa.table(out)

    out["flow"] = _distinct_map(_column(raw, "flow"), lambda v: contract.FLOW_VALUES.get(normalize_token(v), v.lower()))
    out["date"] = parse_dates(_column(raw, "date"))
    valid_date = pc.if_else(
        pc.fill_null(pc.match_substring_regex(out["date"], contract.DATE_PATTERN), False),
        out["date"],
        pa.scalar(None, pa.string()),
    )
    out["valid_date"] = valid_date  # compared only when it is a date at all
    out["date_month"] = pc.utf8_slice_codeunits(valid_date, 0, 7)
    out["received_date"] = per_submission([s.received_at.astimezone(LOCAL_TZ).date().isoformat() for s in subs])
    commodity_text = _column(raw, "commodity")
    codes = _distinct_map(commodity_text, catalogue.commodity_code)
    out["commodity"] = pc.coalesce(codes, commodity_text)
    out["catalogue_commodity"] = codes
    unit = out["unit"] = _distinct_map(_column(raw, "unit"), catalogue.unit_name)
    grade = out["grade"] = _distinct_map(_column(raw, "grade"), _normalize_grade)
    # "commodity|unit" and "commodity|grade" keys, only where both sides are known: the set rules check pairs
    unit_key = pc.binary_join_element_wise(codes, unit, "|")
    graded = pa.array([c for c, spec in catalogue.commodities.items() if spec.grades], pa.string())
    out["commodity_unit"] = unit_key
    out["commodity_grade"] = pc.if_else(
        pc.is_in(codes, graded), pc.binary_join_element_wise(codes, grade, "|"), pa.scalar(None, pa.string())
    )
    out["notes"] = _column(raw, "notes")

    def spec(attr: str, type_: pa.DataType = FLOAT) -> pa.Array:
        return _distinct_map(codes, lambda code: getattr(catalogue.commodities[code], attr), type_)

    factors = {f"{c}|{u}": f for c, s in catalogue.commodities.items() for u, f in s.units.items()}
    factor = _distinct_map(unit_key, factors.get, pa.float64())
    out["base_unit"] = spec("base_unit", pa.string())
    out["quantity_base"] = pc.multiply(out["quantity"], factor)
    out["unit_price_base_idr"] = pc.divide(out["unit_price_idr"], factor)
    out["price_min_idr"] = spec("price_min_idr")
    out["price_max_idr"] = spec("price_max_idr")
    members = _distinct_map(out["cooperative_id"], registry.members.get, pa.float64())
    out["quantity_cap"] = pc.min_element_wise(
        pc.multiply(members, spec("max_per_member_month")), spec("max_per_cooperative_month"), skip_nulls=False
    )
    return pa.table(out)


def _normalize_grade(text: str) -> str:
    token = text.strip()
    return token.upper() if re.fullmatch(r"(?i)i{1,3}|[ab]", token) else token.lower()


def gx_frame(prepared: pa.Table, rule_list: list[contract.Rule]) -> pd.DataFrame:
    """The columns the rules check, as the pandas frame GX validates: Arrow-backed strings (no copies, vectorised
    string rules, fast missing checks), NaN for a missing number. Only those columns, since GX fingerprints the
    whole frame it is given."""
    keys = ("column", "column_A", "column_B")
    wanted = {
        c for r in rule_list for c in [*(r.kwargs[k] for k in keys if k in r.kwargs), *r.kwargs.get("column_list", [])]
    }
    columns = [c for c in prepared.column_names if c in wanted]
    return prepared.select(columns).to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)


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


def _received_value(bronze: pa.Table, position: int, column: str) -> str:
    if column == contract.WHOLE_ROW or column not in bronze.column_names:
        return ""
    value = bronze[column][position].as_py()
    return "" if value is None else str(value)


def _first_rows(prepared: pa.Table, columns: list[str]) -> np.ndarray:
    """For each row, the file row number of the first row with the same values in ``columns``."""
    frame = prepared.select([*columns, "_row_number"]).to_pandas()
    return frame.groupby(list(columns), dropna=False, sort=False)["_row_number"].transform("first").to_numpy()


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


class Rejection(str):
    """Why a whole file was rejected, as the ledger keeps it ("Bahasa Indonesia / English"), with both halves at
    hand: a value quoted in a reason (a period like ``07 / 2026``) may itself contain the separator."""

    message_id: str
    message_en: str

    def __new__(cls, message_id: str, message_en: str) -> Rejection:
        joined = super().__new__(cls, f"{message_id} / {message_en}")
        joined.message_id, joined.message_en = message_id, message_en
        return joined


def _quoted(value: str, limit: int = 40) -> str:
    """A file-level value as a reason quotes it: whole when short, else cut (a cell may hold 10,000 characters)."""
    return value if len(value) <= limit else value[: limit - 1] + "…"


def file_problem(cooperative_id: str | None, period: str | None, registered: Container[str]) -> Rejection | None:
    """What makes a file unusable as a whole before any row is looked at: it names no month or no registered
    cooperative, so its rows could belong to no partition, folder or supersession slot. Takes the file's values as
    ``SubmissionInput.file_cooperative_id`` and ``.file_period`` give them."""
    if period is None:
        return Rejection(
            "Berkas tidak menyebut periode laporan: isi kolom periode, contoh 2026-07.",
            "The file names no reporting period (YYYY-MM).",
        )
    if not lake.is_period(period):
        return Rejection(
            f"Periode berkas '{_quoted(period)}' tidak dikenali: tulis periode sebagai tahun-bulan, contoh 2026-07.",
            f"The file's period '{_quoted(period)}' is not a month YYYY-MM.",
        )
    if cooperative_id is None:
        return Rejection(
            "Berkas tidak menyebut kode koperasi: isi kolom kode_koperasi, contoh KDMP-1902042008.",
            "The file names no cooperative.",
        )
    if cooperative_id not in registered:
        return Rejection(
            f"Kode koperasi berkas '{_quoted(cooperative_id)}' tidak terdaftar di hub: tulis kode koperasi persis "
            "seperti di SK/SIMKOPDES, contoh KDMP-1902042008.",
            f"The file's cooperative '{_quoted(cooperative_id)}' is not registered with the hub.",
        )
    return None


def decide(
    kind: str, bronze_columns: set[str], rows: int, bad_rows: int, problem: Rejection | None = None
) -> tuple[str, str | None]:
    """accepted / partly accepted / rejected, with the reason for a rejection (a ``Rejection``). ``problem`` is what
    ``file_problem`` found wrong with the file as a whole."""
    missing = [c for c in contract.REQUIRED[kind] if c not in bronze_columns]
    if missing:
        names = ", ".join(contract.INDONESIAN_NAMES[c] for c in missing)
        return store.REJECTED, Rejection(
            f"Kolom wajib tidak ada: {names}.", f"Required column(s) missing: {', '.join(missing)}."
        )
    if rows == 0:
        return store.REJECTED, Rejection("Berkas tidak berisi baris data.", "The file has no data rows.")
    if problem is not None:
        return store.REJECTED, problem
    if bad_rows / rows > contract.MAX_BAD_ROW_SHARE:
        share = f"{bad_rows} dari {rows} baris ({bad_rows / rows:.0%})"
        limit = f"{contract.MAX_BAD_ROW_SHARE:.0%}"
        return store.REJECTED, Rejection(
            f"Terlalu banyak baris bermasalah: {share}, batas {limit}.",
            f"Too many bad rows: {bad_rows} of {rows}, more than {limit}.",
        )
    return (store.PARTLY_ACCEPTED if bad_rows else store.ACCEPTED), None


SILVER = {contract.LINES: schemas.SILVER_LINES, contract.FINANCE: schemas.SILVER_FINANCE}


def _silver_table(kind: str, rows: pa.Table, bronze: pa.Table, registry: Registry, catalogue_version: str) -> pa.Table:
    """Accepted rows, typed: base units, IDR values, registry place, lineage and the versions that accepted them."""
    n = rows.num_rows
    cooperative = rows["cooperative_id"].combine_chunks()
    common = {
        "submission_id": rows["_submission_id"],
        "cooperative_id": cooperative,
        **{
            name: _distinct_map(cooperative, lambda c, i=i: registry.places.get(c, (None, None, None))[i])
            for i, name in enumerate(("hub_id", "district_code", "village_code"))
        },
        "period": rows["period"],
    }
    if kind == contract.FINANCE:
        whole = {c: pc.round(rows[c]).cast(pa.int64()) for c in contract.FINANCE_FIELDS}
        body = {**common, **whole}
    else:
        body = {
            **common,
            "flow": rows["flow"],
            "date": pc.strptime(rows["date"], "%Y-%m-%d", "s").cast(pa.date32()),
            "commodity": rows["commodity"],
            "quantity": rows["quantity"],
            "unit": rows["unit"],
            "quantity_base": rows["quantity_base"],
            "base_unit": rows["base_unit"],
            "unit_price_idr": rows["unit_price_idr"],
            "unit_price_base_idr": rows["unit_price_base_idr"],
            "value_idr": pc.multiply(rows["quantity"], rows["unit_price_idr"]),
            "grade": rows["grade"],
            "notes": rows["notes"],
        }
    lineage = {
        "row_number": rows["_row_number"],
        "source_file": bronze["_source_file"],
        "received_at": rows["received_at"],
        "contract_version": pa.repeat(pa.scalar(contract.CONTRACT_VERSION), n),
        "catalogue_version": pa.repeat(pa.scalar(catalogue_version), n),
    }
    return SILVER[kind].conform(pa.table({**body, **lineage}))


def _quarantine_table(kind: str, rows: pa.Table, bronze: pa.Table, reasons: list[list[Reason]]) -> pa.Table:
    """Rejected rows: the contract's values as received (JSON, since each file has its own columns; ``bronze`` holds
    no other column), the names of the file's other columns, and every rule broken."""
    data_columns = [c for c in bronze.column_names if c not in BRONZE_LINEAGE]
    records = bronze.select(data_columns).to_pylist()
    received = [json.dumps({k: v for k, v in r.items() if isinstance(v, str)}, ensure_ascii=False) for r in records]
    n = rows.num_rows
    table = pa.table(
        {
            "submission_id": rows["_submission_id"],
            "kind": pa.repeat(pa.scalar(kind), n),
            "cooperative_id": rows["file_cooperative_id"],
            "period": rows["file_period"],
            "row_number": rows["_row_number"],
            "source_file": bronze["_source_file"],
            "received_at": rows["received_at"],
            "values_received": pa.array(received, pa.string()),
            "columns_not_kept": rows["columns_not_kept"],
            "rule_ids": pa.array([[r.rule_id for r in rs] for rs in reasons], pa.list_(pa.string())),
            "reasons": pa.array([[r.__dict__ for r in rs] for rs in reasons], pa.list_(schemas.REASON_TYPE)),
            "contract_version": pa.repeat(pa.scalar(contract.CONTRACT_VERSION), n),
        }
    )
    return schemas.QUARANTINE.conform(table)


def _slice_result(result: Any, lo: int, hi: int, row_numbers: np.ndarray, sub: SubmissionInput) -> dict[str, Any]:
    """The GX suite result restricted to one submission's rows lo..hi-1, indices turned into the clerk's row
    numbers."""
    results = []
    for r in result.results:
        indices = r.result.get("unexpected_index_list")
        unexpected = [] if indices is None else [i for i in indices if lo <= i < hi]
        values = r.result.get("unexpected_list") or []
        picked = [v for i, v in zip(indices or [], values, strict=False) if lo <= i < hi]
        element_count = hi - lo
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
                    "unexpected_rows": [int(row_numbers[i]) for i in unexpected],
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
        # only what validation uses: another column's values (a member's NIK, say) are never even loaded
        path = settings.lake / s.bronze_path
        names = pq.read_schema(path).names
        wanted = [c for c in names if c in contract.COLUMNS[s.kind] or c in BRONZE_LINEAGE]
        inputs.append(
            SubmissionInput(
                submission_id=s.submission_id,
                kind=s.kind,
                file_name=s.file_name,
                cooperative_id=s.cooperative_id,
                period=s.period,
                received_at=s.received_at,
                delimiter=s.delimiter,
                bronze=lake.read_parquet(path, wanted),
                other_columns=tuple(c for c in names if c not in wanted and not c.startswith("_")),
            )
        )
    return inputs


def validate_submissions(settings: Settings, submission_ids: list[str]) -> dict[str, float]:
    """Validate a batch: one GX run per kind over all its rows, then silver, quarantine, feedback and the ledger
    per submission. Already validated submissions are skipped, so a retried task changes nothing. Returns the
    counts, and the seconds each step took (``seconds_load``, ``_prepare``, ``_gx``, ``_files``)."""
    started = store.utcnow()
    run_id = f"{started:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    clock = time.perf_counter()
    catalogue = load_catalogue()
    registry = load_registry(settings.db_url)
    inputs = _load_inputs(settings, submission_ids)
    seconds: Counter[str] = Counter(load=time.perf_counter() - clock)
    outcomes: list[Outcome] = []
    for kind in contract.KINDS:
        subs = [s for s in inputs if s.kind == kind]
        if subs:
            outcomes += _validate_kind(settings, kind, subs, registry, catalogue, run_id, seconds)
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
    log.info(
        "validated %d submission(s), %d rows in %.1f s: %s",
        len(outcomes),
        totals["rows_bronze"],
        time.perf_counter() - clock,
        ", ".join(f"{step} {s:.1f} s" for step, s in seconds.items()),
    )
    return {**totals, **{f"seconds_{step}": round(s, 3) for step, s in seconds.items()}}


@dataclass
class Evaluation:
    """The contract applied to a batch of one kind: every row's reasons and every submission's decision."""

    prepared: pa.Table  # typed and derived columns of all submissions' rows, in order
    bronze: pa.Table  # the same rows as received
    bounds: np.ndarray  # submission i owns rows bounds[i]:bounds[i+1]
    reasons: dict[int, list[Reason]]  # row position -> every rule it broke; a row not here is accepted
    bad: np.ndarray  # per row: quarantined
    decisions: list[tuple[str, str | None]]  # per submission: decision and the reason for a rejection
    gx_result: Any
    seconds: dict[str, float]  # where the time went: prepare, gx

    def row_reasons(self, lo: int, hi: int) -> list[list[Reason]]:
        """Reasons of rows lo..hi-1, one list per row (empty for an accepted row)."""
        return [self.reasons.get(position, []) for position in range(lo, hi)]


def evaluate(kind: str, subs: list[SubmissionInput], registry: Registry, catalogue: Catalogue) -> Evaluation:
    """Prepare, run the GX suite once over all rows, turn unexpected indices into reasons, decide per submission."""
    clock = time.perf_counter()
    bronze = combine_bronze(subs)
    prepared = prepare(subs, bronze, registry, catalogue)
    rule_list = contract_rules(kind, registry, catalogue)
    frame = gx_frame(prepared, rule_list)
    prepared_at = time.perf_counter()
    result = run_suite(frame, build_suite(kind, rule_list))
    seconds = {"prepare": prepared_at - clock, "gx": time.perf_counter() - prepared_at}

    reasons: dict[int, list[Reason]] = {}
    bad = np.zeros(len(frame), dtype=bool)
    for r in result.results:
        rule = rule_list[r.expectation_config.meta["rule"]]
        positions = r.result.get("unexpected_index_list") or []
        duplicate = rule.rule_id == "DUPLICATE_ROW" and positions
        first_rows = _first_rows(prepared, rule.kwargs["column_list"]) if duplicate else None
        for position in positions:
            first = int(first_rows[position]) if first_rows is not None else None
            value = _received_value(bronze, position, rule.column)
            row = prepared.slice(position, 1).to_pylist()[0]
            reasons.setdefault(position, []).append(_explain(rule, row, value, catalogue, first))
            bad[position] = True

    bounds = np.cumsum([0, *(s.bronze.num_rows for s in subs)])
    decisions = []
    for sub, lo, hi in zip(subs, bounds[:-1], bounds[1:], strict=True):
        present = {c for c in sub.bronze.column_names if not c.startswith("_")}
        problem = file_problem(sub.file_cooperative_id, sub.file_period, registry.members)
        decision, why = decide(kind, present, int(hi - lo), int(bad[lo:hi].sum()), problem)
        if decision == store.REJECTED:
            assert isinstance(why, Rejection)
            whole = Reason(
                "FILE_REJECTED",
                contract.WHOLE_ROW,
                "",
                f"Berkas ditolak: {why.message_id}",
                f"The whole file was rejected: {why.message_en}",
                "Perbaiki berkas, lalu kirim ulang seluruh laporan bulan ini.",
            )
            for position in range(lo, hi):
                reasons.setdefault(position, [whole])
            bad[lo:hi] = True
        decisions.append((decision, why))
    return Evaluation(prepared, bronze, bounds, reasons, bad, decisions, result, seconds)


def check_conservation(sub: SubmissionInput, rows_silver: int, rows_quarantine: int) -> None:
    """Every bronze row in exactly one of silver or quarantine; anything else is a bug that must stop the run."""
    if rows_silver + rows_quarantine != len(sub.bronze):
        raise RuntimeError(
            f"conservation broken for {sub.submission_id} ({sub.file_name}): bronze {len(sub.bronze)} rows != "
            f"silver {rows_silver} + quarantine {rows_quarantine}"
        )


def _validate_kind(
    settings: Settings,
    kind: str,
    subs: list[SubmissionInput],
    registry: Registry,
    catalogue: Catalogue,
    run_id: str,
    seconds: Counter[str],
) -> list[Outcome]:
    ev = evaluate(kind, subs, registry, catalogue)
    seconds.update(ev.seconds)
    clock = time.perf_counter()
    bronze, reasons, result = ev.bronze, ev.reasons, ev.gx_result
    run_json = settings.lake / "validation" / "runs" / f"{run_id}_{kind}.json"
    lake.write_text_atomic(json.dumps(result.to_json_dict(), default=str), run_json)
    log.info("GX result of the whole %s batch (%d rows): %s", kind, bronze.num_rows, run_json)
    bad, good = ev.bad, ~ev.bad
    silver = _silver_table(kind, ev.prepared.filter(good), bronze.filter(good), registry, catalogue.version)
    bad_positions = np.flatnonzero(bad)
    quarantine = _quarantine_table(
        kind, ev.prepared.filter(bad), bronze.filter(bad), [reasons[int(p)] for p in bad_positions]
    )
    row_numbers = ev.prepared["_row_number"].to_numpy()

    outcomes = []
    silver_at = quarantine_at = 0
    for sub, lo, hi, (decision, why) in zip(subs, ev.bounds[:-1], ev.bounds[1:], ev.decisions, strict=True):
        n_good, n_bad = int(good[lo:hi].sum()), int(bad[lo:hi].sum())
        check_conservation(sub, n_good, n_bad)
        partition = sub.partition
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
        mine = bad_positions[np.searchsorted(bad_positions, lo) : np.searchsorted(bad_positions, hi)]
        problems = [(int(row_numbers[p]), reason) for p in mine for reason in reasons[int(p)]]
        gx_slice = _slice_result(result, int(lo), int(hi), row_numbers, sub)
        folder = sub.file_cooperative_id if sub.file_cooperative_id in registry.members else lake.UNKNOWN
        paths.update(_write_reports(settings, kind, sub, decision, why, folder, n_good, problems, gx_slice))
        reason = None if why is None else str(why)  # a plain str for the database driver
        outcomes.append(Outcome(sub.submission_id, decision, reason, len(sub.bronze), n_good, n_bad, paths))

    seconds["files"] += time.perf_counter() - clock
    now = store.utcnow()
    decided = [
        {
            "id": o.submission_id,
            "status": o.decision,
            "decision": o.decision,
            "decision_reason": o.decision_reason,
            "rows_silver": o.rows_silver,
            "rows_quarantine": o.rows_quarantine,
            "silver_path": None,
            "quarantine_path": None,
            **o.paths,
        }
        for o in outcomes
    ]
    statement = (
        update(store.Submission)
        .where(store.Submission.submission_id == bindparam("id"), store.Submission.status == store.BRONZE)
        .values(
            {name: bindparam(name) for name in decided[0] if name != "id"}
            | {
                "catalogue_version": catalogue.version,
                "contract_version": contract.CONTRACT_VERSION,
                "validation_run_id": run_id,
                "validated_at": now,
                "updated_at": now,
            }
        )
    )
    with store.get_engine(settings.db_url).begin() as conn:
        conn.execute(statement, decided)  # one executemany for the batch
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
    folder: str,
    rows_accepted: int,
    problems: list[tuple[int, Reason]],
    gx_result: dict[str, Any],
) -> dict[str, str]:
    """The engineer's GX result (JSON + HTML) and the clerk's feedback (HTML + CSV) of one submission; the clerk's
    pages go under ``folder``, the registered cooperative (never a path taken from the file) or ``unknown``."""
    gx_json = lake.validation_path(settings.lake, sub.submission_id, "json")
    lake.write_text_atomic(json.dumps(gx_result, ensure_ascii=False, default=str), gx_json)
    lake.write_text_atomic(feedback.gx_result_html(gx_result), gx_json.with_suffix(".html"))
    partition = sub.partition
    report = feedback.SubmissionReport(
        submission_id=sub.submission_id,
        file_name=sub.file_name,
        cooperative_id=sub.file_cooperative_id,
        period=None if partition == lake.UNKNOWN else partition,
        kind=kind,
        decision=decision,
        decision_reason=why,
        rows_total=len(sub.bronze),
        rows_accepted=rows_accepted,
        problems=problems,
    )
    page = lake.feedback_path(settings.lake, folder, partition, sub.submission_id, "html")
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
