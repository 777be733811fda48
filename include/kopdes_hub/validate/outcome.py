"""What validation decides: every row's reasons, each submission's decision (accepted, partly accepted, rejected),
conservation, the silver and quarantine tables."""

from __future__ import annotations

import json
import time
from collections.abc import Container
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from include.kopdes_hub import contract
from include.kopdes_hub.contract.values import storable
from include.kopdes_hub.periods import is_period
from include.kopdes_hub.reference import Catalogue
from include.kopdes_hub.storage import schemas, store
from include.kopdes_hub.validate.gx import build_suite, contract_rules, run_suite
from include.kopdes_hub.validate.history import outlier_columns
from include.kopdes_hub.validate.prepare import (
    BRONZE_LINEAGE,
    Registry,
    SubmissionInput,
    _distinct_map,
    combine_bronze,
    gx_frame,
    prepare,
)
from include.kopdes_hub.validate.reasons import Reason, _explain, _first_rows, _received_value


@dataclass
class Outcome:
    """What validation decided for one submission (all counts are rows)."""

    submission_id: str
    decision: str
    decision_reason: str | None
    rows_bronze: int
    rows_silver: int
    rows_quarantine: int
    rows_warning: int  # silver rows with a warning
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
    return storable(value, limit)


def file_problem(cooperative_id: str | None, period: str | None, registered: Container[str]) -> Rejection | None:
    """What makes a file unusable as a whole before any row is looked at: it names no month or no registered
    cooperative, so its rows could belong to no partition, folder or supersession slot. Takes the file's values as
    ``SubmissionInput.file_cooperative_id`` and ``.file_period`` give them."""
    if period is None:
        return Rejection(
            "Berkas tidak menyebut periode laporan: isi kolom periode, contoh 2026-07.",
            "The file names no reporting period (YYYY-MM).",
        )
    if not is_period(period):
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


def _reason_lists(n: int, told: dict[int, list[Reason]], type_: pa.DataType, pick: Any) -> pa.Array:
    """One list per row of ``n``, empty but for the rows in ``told`` (position -> reasons): built from offsets, so
    the cost follows the few rows told, not every row."""
    counts = np.zeros(n, dtype=np.int32)
    keys = sorted(told)
    counts[keys] = [len(told[k]) for k in keys]
    offsets = pa.array(np.concatenate([[0], np.cumsum(counts)]).astype(np.int32))
    return pa.ListArray.from_arrays(offsets, pa.array([pick(r) for k in keys for r in told[k]], type_))


def _silver_table(
    kind: str, rows: pa.Table, registry: Registry, catalogue_version: str, told: dict[int, list[Reason]]
) -> pa.Table:
    """Accepted rows, typed: base units, IDR values, registry place, lineage and the versions that accepted them; a
    line keeps its warnings (``told``: row position -> its warnings), and a warning on its price or grade leaves that
    part out (null), never guessed."""
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

        def where(test: Any) -> pa.Array:
            mask = np.zeros(n, dtype=bool)
            mask[[p for p, rs in told.items() if any(test(r) for r in rs)]] = True
            return pa.array(mask)

        doubtful_price = where(lambda r: r.column == "unit_price_idr")
        unknown_grade = where(lambda r: r.rule_id == "GRADE_UNKNOWN")

        def unless(mask: pa.Array, values: Any) -> pa.Array:
            return pc.if_else(mask, pa.scalar(None, values.type), values)

        price = unless(doubtful_price, rows["unit_price_idr"].combine_chunks())
        body = {
            **common,
            "flow": rows["flow"],
            "date": pc.strptime(rows["date"], "%Y-%m-%d", "s").cast(pa.date32()),
            "commodity": rows["commodity"],
            "quantity": rows["quantity"],
            "unit": rows["unit"],
            "quantity_base": rows["quantity_base"],
            "base_unit": rows["base_unit"],
            "unit_price_idr": price,
            "unit_price_base_idr": unless(doubtful_price, rows["unit_price_base_idr"].combine_chunks()),
            "value_idr": pc.multiply(rows["quantity"], price),
            "grade": unless(unknown_grade, rows["grade"].combine_chunks()),
            "grade_received": rows["grade_received"],
            "notes": rows["notes"],
            "warning_ids": _reason_lists(n, told, pa.string(), lambda r: r.rule_id),
            "warnings": _reason_lists(n, told, schemas.REASON_TYPE, lambda r: r.__dict__),
        }
    lineage = {
        "row_number": rows["_row_number"],
        "source_file": rows["source_file"],
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
            "source_file": rows["source_file"],
            "received_at": rows["received_at"],
            "values_received": pa.array(received, pa.string()),
            "columns_not_kept": rows["columns_not_kept"],
            "rule_ids": pa.array([[r.rule_id for r in rs] for rs in reasons], pa.list_(pa.string())),
            "reasons": pa.array([[r.__dict__ for r in rs] for rs in reasons], pa.list_(schemas.REASON_TYPE)),
            "contract_version": pa.repeat(pa.scalar(contract.CONTRACT_VERSION), n),
        }
    )
    return schemas.QUARANTINE.conform(table)


@dataclass
class Evaluation:
    """The contract applied to a batch of one kind: every row's reasons and every submission's decision."""

    prepared: pa.Table  # typed and derived columns of all submissions' rows, in order
    bronze: pa.Table  # the same rows as received
    bounds: np.ndarray  # submission i owns rows bounds[i]:bounds[i+1]
    reasons: dict[int, list[Reason]]  # row position -> every rule it broke, errors and warnings
    bad: np.ndarray  # per row: quarantined (an error, or a rejected file)
    decisions: list[tuple[str, str | None]]  # per submission: decision and the reason for a rejection
    gx_results: list[Any]  # GX's result of each run (the file's own values, then history)
    totals: pd.DataFrame  # per accepted lines submission, commodity and flow: base quantity and lines
    seconds: dict[str, float]  # where the time went: prepare, gx

    def row_reasons(self, lo: int, hi: int) -> list[list[Reason]]:
        """Reasons of rows lo..hi-1, one list per row (empty for a row that broke nothing)."""
        return [self.reasons.get(position, []) for position in range(lo, hi)]

    @property
    def warned(self) -> np.ndarray:
        """Per row: accepted with at least one warning."""
        out = np.zeros(len(self.bad), dtype=bool)
        out[list(self.reasons)] = True
        return out & ~self.bad


def _collect(
    result: Any,
    rule_list: list[contract.Rule],
    prepared: pa.Table,
    bronze: pa.Table,
    catalogue: Catalogue,
    reasons: dict[int, list[Reason]],
) -> None:
    """GX's unexpected rows of one run, as reasons per row position."""
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


def _errors(reasons: dict[int, list[Reason]], n: int) -> np.ndarray:
    bad = np.zeros(n, dtype=bool)
    bad[[p for p, rs in reasons.items() if any(r.severity == contract.ERROR for r in rs)]] = True
    return bad


def evaluate(
    kind: str, subs: list[SubmissionInput], registry: Registry, catalogue: Catalogue, db_url: str | None = None
) -> Evaluation:
    """Prepare, run the GX suite once over all rows, turn unexpected indices into reasons, decide per submission
    (error rows only count against a file); then the rules on the cooperatives' history (their earlier months in the
    store at ``db_url``, and in this batch), which only warn."""
    clock = time.perf_counter()
    bronze = combine_bronze(subs)
    prepared = prepare(subs, bronze, registry, catalogue)
    rule_list = contract_rules(kind, registry, catalogue)
    frame = gx_frame(prepared, [r for r in rule_list if not r.needs_history])
    prepared_at = time.perf_counter()
    results = [run_suite(frame, build_suite(kind, rule_list))]
    seconds = {"prepare": prepared_at - clock, "gx": time.perf_counter() - prepared_at}

    reasons: dict[int, list[Reason]] = {}
    _collect(results[0], rule_list, prepared, bronze, catalogue, reasons)
    bad = _errors(reasons, len(frame))
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
                contract.ERROR,
            )
            for position in range(lo, hi):
                if not bad[position]:  # a row that broke nothing, or only warned, is rejected with its file
                    reasons[position] = [whole, *reasons.get(position, [])]
            bad[lo:hi] = True
        decisions.append((decision, why))

    totals = pd.DataFrame(columns=["submission_id", "commodity", "flow", "quantity_base", "lines"])
    later = [r for r in rule_list if r.needs_history]
    if later:
        history_at = time.perf_counter()
        periods = np.repeat([s.partition for s in subs], np.diff(bounds))
        received = {s.submission_id: s.received_at for s in subs}
        month_total, usual, totals = outlier_columns(prepared, ~bad, periods, received, db_url, catalogue)
        prepared = prepared.append_column("month_total_base", month_total).append_column("usual_max_base", usual)
        results.append(run_suite(gx_frame(prepared, later), build_suite(kind, rule_list, needs_history=True)))
        _collect(results[1], rule_list, prepared, bronze, catalogue, reasons)
        seconds["gx"] += time.perf_counter() - history_at
    return Evaluation(prepared, bronze, bounds, reasons, bad, decisions, results, totals, seconds)


def check_conservation(sub: SubmissionInput, rows_silver: int, rows_quarantine: int) -> None:
    """Every bronze row in exactly one of silver or quarantine; anything else is a bug that must stop the run."""
    if rows_silver + rows_quarantine != len(sub.bronze):
        raise RuntimeError(
            f"conservation broken for {sub.submission_id} ({sub.file_name}): bronze {len(sub.bronze)} rows != "
            f"silver {rows_silver} + quarantine {rows_quarantine}"
        )
