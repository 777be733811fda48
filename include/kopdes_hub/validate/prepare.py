"""Preparation: a batch's bronze strings -> the typed and derived columns the contract's expectations check, computed in
Arrow over the whole batch (numbers in either convention, calendar dates, lookups once per distinct value), with
NIK-like numbers masked before anything reads them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy import select

from include.kopdes_hub import contract
from include.kopdes_hub.periods import LOCAL_TZ, is_period, normalize_period
from include.kopdes_hub.reference import Catalogue, normalize_token
from include.kopdes_hub.storage import lake, store

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M", "%Y/%m/%d")


NO_SUCH_DAY = "?"  # marks a text shaped like an ISO date that is no day of the calendar (see parse_dates)


STRING, FLOAT = pa.string(), pa.float64()


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


# The lineage validation reads of bronze; which file and when it landed come from the ledger (``file_name``,
# ``received_at``: the earliest name and landing, whichever name was parsed).
BRONZE_LINEAGE = ("_row_number",)


def file_cooperative(cooperative_id: str | None) -> str | None:
    """A file's cooperative (as the ledger has it) as validation compares it: trimmed, upper case, NIK-like numbers
    masked."""
    return contract.mask_nik((cooperative_id or "").strip().upper()) or None


def file_period(period: str | None) -> str | None:
    """A file's period, normalised (``2026/07`` -> ``2026-07``) and masked; anything else stays as received."""
    return normalize_period(contract.mask_nik((period or "").strip()) or None)


def file_partition(period: str | None) -> str:
    """The month a file's silver, quarantine and feedback files go under: a path part only when it is a month."""
    normal = file_period(period)
    return normal if normal is not None and is_period(normal) else lake.UNKNOWN


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
        return file_cooperative(self.cooperative_id)

    @property
    def file_period(self) -> str | None:
        return file_period(self.period)

    @property
    def partition(self) -> str:
        return file_partition(self.period)

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
        "source_file": per_submission([s.file_name for s in subs]),
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
    out["grade_received"] = grade_text = _column(raw, "grade")
    grade = out["grade"] = _distinct_map(grade_text, _normalize_grade)
    # "commodity|unit" and "commodity|grade" keys, only where both sides are known: the set rules check pairs (a
    # grade given for a commodity the catalogue does not grade is not one of its grades either)
    unit_key = pc.binary_join_element_wise(codes, unit, "|")
    out["commodity_unit"] = unit_key
    out["commodity_grade"] = pc.binary_join_element_wise(codes, grade, "|")
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
