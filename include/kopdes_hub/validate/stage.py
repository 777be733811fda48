"""Validate stage, the decision path: bronze -> silver (typed, base units, IDR) + quarantine (every rule a row
broke) + the ledger's decisions.

The contract's rules become one Great Expectations suite per kind (GX 1.x core API, ephemeral context). A batch of
submissions is validated in one GX run over all their rows, and GX's unexpected indices split the rows: that keeps
GX's per-run overhead off the per-submission path, so a night of thousands of small files costs a few GX runs, not
thousands. The clerk's feedback and the engineer's GX page are not written here: ``validate.render`` derives them
from the recorded decisions and quarantine, in a task of their own, so gold never waits for them.

Conservation is checked here, per submission: bronze rows = silver rows + quarantined rows, or the task fails.
Privacy is settled where bronze is read: validation loads only the contract's columns (a file's ``nik`` or
``nama_anggota`` is named, never read) and masks NIK-like numbers in them first, so nothing it writes holds one.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections import defaultdict

import numpy as np
import pyarrow.parquet as pq
from sqlalchemy import bindparam, delete, insert, select, update

from include.kopdes_hub import contract
from include.kopdes_hub.config import Settings
from include.kopdes_hub.reference import Catalogue, load_catalogue
from include.kopdes_hub.storage import lake, store
from include.kopdes_hub.validate.outcome import (
    Outcome,
    _quarantine_table,
    _silver_table,
    check_conservation,
    evaluate,
)
from include.kopdes_hub.validate.prepare import BRONZE_LINEAGE, Registry, SubmissionInput, load_registry

log = logging.getLogger(__name__)


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
    """Group submissions so each GX run sees about ``max_rows`` rows (at most half a file more; one big file is a
    batch of its own), in batches of even size: 1M rows at 250k make four of ~250k, not four of 245k and a
    straggler of 20k that a worker runs alone after the others are done."""
    total = sum(n for _, n in pending)
    target = total / max(1, -(-total // max_rows)) if total else max_rows
    batches: list[list[str]] = []
    current: list[str] = []
    rows = 0
    for submission_id, n in pending:
        if current and (rows + n / 2 > min(target, max_rows) or len(current) >= max_submissions):
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
        bronze = pq.ParquetFile(settings.lake / s.bronze_path)  # its footer read once, for names and data
        names = bronze.schema_arrow.names
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
                bronze=bronze.read(columns=wanted, use_threads=False),
                other_columns=tuple(c for c in names if c not in wanted and not c.startswith("_")),
            )
        )
    return inputs


def validate_submissions(settings: Settings, submission_ids: list[str]) -> dict[str, float]:
    """Validate a batch: one GX run per kind over all its rows, then silver, quarantine and the ledger per
    submission (feedback is rendered later, ``validate.render``). Already validated submissions are skipped, so a
    retried task changes nothing. Returns the counts, and the seconds each step took (``seconds_load``,
    ``_prepare``, ``_gx``, ``_files``)."""
    started = store.utcnow()
    run_id = f"{started:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    clock = time.perf_counter()
    catalogue = load_catalogue()
    registry = load_registry(settings.db_url)
    inputs = _load_inputs(settings, submission_ids)
    seconds: defaultdict[str, float] = defaultdict(float, load=time.perf_counter() - clock)
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
        "rows_warning": sum(o.rows_warning for o in outcomes),
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


def _validate_kind(
    settings: Settings,
    kind: str,
    subs: list[SubmissionInput],
    registry: Registry,
    catalogue: Catalogue,
    run_id: str,
    seconds: defaultdict[str, float],
) -> list[Outcome]:
    ev = evaluate(kind, subs, registry, catalogue, settings.db_url)
    for step, spent in ev.seconds.items():  # summed over both kinds
        seconds[step] += spent
    clock = time.perf_counter()
    bronze, reasons = ev.bronze, ev.reasons
    for suffix, result in zip(("", "_history"), ev.gx_results, strict=False):
        run_json = settings.lake / "validation" / "runs" / f"{run_id}_{kind}{suffix}.json"
        lake.write_text_atomic(json.dumps(result.to_json_dict(), default=str), run_json)
        log.info("GX result of the whole %s batch (%d rows): %s", kind, bronze.num_rows, run_json)
    bad, good, warned = ev.bad, ~ev.bad, ev.warned
    good_positions, bad_positions = np.flatnonzero(good), np.flatnonzero(bad)
    # only the few warned rows carry reasons into silver: keyed by their place among the accepted rows
    warned_positions = np.flatnonzero(warned)
    at = np.searchsorted(good_positions, warned_positions).tolist()
    silver_reasons = dict(zip(at, (reasons[int(p)] for p in warned_positions), strict=True))
    silver = _silver_table(kind, ev.prepared.filter(good), registry, catalogue.version, silver_reasons)
    quarantine = _quarantine_table(
        kind, ev.prepared.filter(bad), bronze.filter(bad), [reasons[int(p)] for p in bad_positions]
    )

    outcomes = []
    silver_at = quarantine_at = 0
    for sub, lo, hi, (decision, why) in zip(subs, ev.bounds[:-1], ev.bounds[1:], ev.decisions, strict=True):
        n_good, n_bad, n_warned = int(good[lo:hi].sum()), int(bad[lo:hi].sum()), int(warned[lo:hi].sum())
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
        reason = None if why is None else str(why)  # a plain str for the database driver
        outcomes.append(Outcome(sub.submission_id, decision, reason, len(sub.bronze), n_good, n_bad, n_warned, paths))

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
            "rows_warning": o.rows_warning,
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
    decided_ids = [o.submission_id for o in outcomes]
    totals = ev.totals[ev.totals["submission_id"].isin(decided_ids)].to_dict("records")
    with store.get_engine(settings.db_url).begin() as conn:
        conn.execute(statement, decided)  # one executemany for the batch
        # the history of later months, in the same transaction as the decisions (a retry writes it afresh)
        conn.execute(delete(store.SubmissionTotal).where(store.SubmissionTotal.submission_id.in_(decided_ids)))
        if totals:
            conn.execute(insert(store.SubmissionTotal), totals)
    for o, sub in zip(outcomes, subs, strict=True):
        log.info(
            "%s %s (%s): %s, %d rows = %d silver (%d with warnings) + %d quarantined",
            kind,
            o.submission_id,
            sub.file_name,
            o.decision,
            o.rows_bronze,
            o.rows_silver,
            o.rows_warning,
            o.rows_quarantine,
        )
    return outcomes
