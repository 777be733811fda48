"""Aggregate stage: silver lines -> gold/commodity_volumes, one partition per period, rebuilt only when its inputs
changed.

Which rows count is the ledger's call: per (cooperative, kind, month) only the latest accepted or partly accepted
submission (status not ``superseded``). A period's inputs are fingerprinted (the sorted ids of those submissions);
a run rebuilds the periods whose fingerprint differs from the one recorded at its last publication, so a new file
costs one period, not the whole history, and a rerun costs nothing. Each partition is one Parquet file replaced
atomically, then the SQL table is replaced for that period in one transaction, then the fingerprint is recorded:
a crash anywhere leaves the period to be rebuilt, to the same contents, by the next run.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import TypedDict

import pyarrow as pa
from sqlalchemy import delete, select

from include.kopdes_hub import closing, contract, ledger
from include.kopdes_hub.config import Settings
from include.kopdes_hub.periods import is_period
from include.kopdes_hub.storage import gold, lake, schemas, store

log = logging.getLogger(__name__)

DATASET = schemas.COMMODITY_VOLUMES
LIVE = (store.ACCEPTED, store.PARTLY_ACCEPTED)  # statuses whose silver rows count (superseded ones do not)
GROUP_KEYS = [
    "period",
    "hub_id",
    "district_code",
    "village_code",
    "cooperative_id",
    "commodity",
    "flow",
    "base_unit",
    "catalogue_version",
]
SILVER_COLUMNS = [*GROUP_KEYS, "quantity_base", "value_idr", "submission_id"]


def commodity_volumes(silver: pa.Table) -> pa.Table:
    """Sum accepted lines into base-unit volume and IDR value per period, cooperative, commodity and flow."""
    grouped = silver.group_by(GROUP_KEYS, use_threads=False).aggregate(  # threads would sum in varying order
        [
            ("quantity_base", "sum"),
            ("value_idr", "sum"),
            ("submission_id", "count_distinct"),
            ("submission_id", "count"),
        ]
    )
    table = grouped.rename_columns([*GROUP_KEYS, "quantity_base", "value_idr", "submissions", "lines"])
    ordered = table.sort_by([("cooperative_id", "ascending"), ("commodity", "ascending"), ("flow", "ascending")])
    return DATASET.conform(ordered)


def live_inputs(settings: Settings) -> dict[str, list[tuple[str, str]]]:
    """period -> [(submission_id, silver_path)] of the lines submissions that count now."""
    with store.get_engine(settings.db_url).connect() as conn:
        rows = conn.execute(
            select(store.Submission.submission_id, store.Submission.period, store.Submission.silver_path).where(
                store.Submission.kind == contract.LINES,
                store.Submission.status.in_(LIVE),
                store.Submission.silver_path.is_not(None),
            )
        ).all()
    by_period: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for submission_id, _, silver_path in rows:
        assert silver_path is not None  # the query asks for it
        # the silver partition is the period the rows were accepted for (the ledger's period is as received)
        period = _partition(silver_path)
        if not is_period(period):
            log.warning("%s: silver %s is in no month's partition; it counts for no period", submission_id, silver_path)
            continue
        by_period[period].append((submission_id, silver_path))
    return {p: sorted(v) for p, v in by_period.items()}


def _partition(silver_path: str) -> str:
    return Path(silver_path).parent.name.removeprefix("period=")


def fingerprint(inputs: list[tuple[str, str]]) -> str:
    return hashlib.sha256("\n".join(f"{s}:{p}" for s, p in sorted(inputs)).encode()).hexdigest()


def plan(settings: Settings, force: tuple[str, ...] = ()) -> list[str]:
    """Periods to rebuild: inputs changed since the last publication, vanished, or forced (a backfilled night).
    Only months count (``live_inputs``); a partition an older run published for a non-month is vanished, so its
    rebuild removes it."""
    inputs = live_inputs(settings)
    published = ledger.publication_fingerprints(settings.db_url, DATASET.name)
    changed = {p for p, items in inputs.items() if published.get(p) != fingerprint(items)}
    vanished = set(published) - set(inputs)
    planned = changed | vanished | (set(force) & (set(inputs) | set(published)))
    return sorted(planned - closing.closed_periods(settings.db_url))  # a closed month is never rewritten


def received_periods(settings: Settings, start: datetime, end: datetime) -> tuple[str, ...]:
    """Periods of the lines submissions that landed in [start, end): what a nightly run for that night covers."""
    with store.get_engine(settings.db_url).connect() as conn:
        rows = conn.execute(
            select(store.Submission.silver_path).where(
                store.Submission.kind == contract.LINES,
                store.Submission.received_at >= start,
                store.Submission.received_at < end,
                store.Submission.silver_path.is_not(None),
            )
        ).all()
    periods = {_partition(p) for (p,) in rows if p}
    return tuple(sorted(p for p in periods if is_period(p)))


class GoldPartition(TypedDict):
    """One rebuilt month of gold volumes (what a rebuild task passes on through XCom)."""

    period: str
    rows: int
    submissions: int


def rebuild_period(settings: Settings, period: str) -> GoldPartition:
    """Rebuild one period's partition and SQL rows from the submissions that count now (idempotent); a closed
    month is left as approved."""
    if period in closing.closed_periods(settings.db_url):
        log.info("%s is closed: its gold stays as approved until a reopen", period)
        kept = gold.read_partition(settings.lake, DATASET, period)
        return GoldPartition(period=period, rows=kept.num_rows, submissions=0)
    inputs = live_inputs(settings).get(period, [])
    if inputs:
        silver = lake.read_parquet_files([settings.lake / path for _, path in inputs], SILVER_COLUMNS)
        volumes = commodity_volumes(silver)
    else:
        volumes = DATASET.schema.empty_table()  # every submission of the month superseded away or reset
    target = gold.write_partition(settings.lake, DATASET, period, volumes)
    with store.get_engine(settings.db_url).begin() as conn:
        gold.replace_sql_period(conn, store.GoldCommodityVolume.__table__, period, volumes)
        if inputs:
            ledger.record_publication(
                conn, DATASET.name, period, fingerprint(inputs), volumes.num_rows, len(inputs), DATASET.version
            )
        else:
            conn.execute(
                delete(store.Publication).where(
                    store.Publication.dataset == DATASET.name, store.Publication.period == period
                )
            )
    log.info(
        "%s period=%s: %d rows from %d submission(s) -> %s", DATASET.name, period, volumes.num_rows, len(inputs), target
    )
    return GoldPartition(period=period, rows=volumes.num_rows, submissions=len(inputs))
