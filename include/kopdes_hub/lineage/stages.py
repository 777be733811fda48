"""Which datasets each stage's task read and wrote, as OpenLineage inputs and outputs.

Each function is called by the task after its stage did the work, with what the task was given (landing paths,
submission ids, a month), and reads the rest from the ledger and the lake: what the stage recorded is what its
lineage says, so the stages themselves carry no OpenLineage code.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pyarrow.parquet as pq
from openlineage.client.event_v2 import InputDataset, OutputDataset
from openlineage.client.generated.data_quality_assertions_dataset import Assertion
from openlineage.client.generated.data_quality_metrics_dataset import DataQualityMetricsDatasetFacet
from sqlalchemy import select

from include.kopdes_hub import aggregate, closing, contract
from include.kopdes_hub.config import Settings
from include.kopdes_hub.lineage import datasets as ds
from include.kopdes_hub.periods import previous_periods
from include.kopdes_hub.reporting import hub_report
from include.kopdes_hub.storage import gold, schemas, store
from include.kopdes_hub.summaries.processing import WINDOW_MONTHS
from include.kopdes_hub.validate.render import problems

LEDGER = store.Submission.__tablename__
LEDGER_TABLE = store.Submission.__table__  # rows with the ledger's columns as attributes (the store uses Core)
PUBLICATIONS = store.Publication.__tablename__
SILVER_SCHEMAS = {contract.LINES: schemas.SILVER_LINES, contract.FINANCE: schemas.SILVER_FINANCE}


@dataclass
class Lineage:
    """A task's inputs and outputs, in the order it met them."""

    inputs: list[InputDataset] = field(default_factory=list)
    outputs: list[OutputDataset] = field(default_factory=list)


def _submissions(settings: Settings, ids: list[str]) -> list[Any]:
    with store.get_engine(settings.db_url).connect() as conn:
        rows = conn.execute(select(LEDGER_TABLE).where(store.Submission.submission_id.in_(ids))).all()
    order = {sid: i for i, sid in enumerate(ids)}
    return sorted(rows, key=lambda s: order[s.submission_id])


def ingest(settings: Settings, paths: list[str]) -> Lineage:
    """Each landing file of the batch, with the ledger's word on it; the bronze file of each one that got there."""
    with store.get_engine(settings.db_url).connect() as conn:
        rows = conn.execute(
            select(store.SubmissionFile.path.label("landing_path"), LEDGER_TABLE)
            .join(LEDGER_TABLE, store.Submission.sha256 == store.SubmissionFile.sha256)
            .where(store.SubmissionFile.path.in_(paths))
            .order_by(store.SubmissionFile.first_seen_at)
        ).all()
    by_path = {row.landing_path: row for row in rows}  # a path whose content changed: its latest content
    out = Lineage()
    bronze: dict[str, Any] = {}
    for path in paths:
        sub = by_path.get(path)
        facets = {}
        if sub is not None:
            facets[ds.SUBMISSION_FACET] = ds.SubmissionFacet(
                submission_id=sub.submission_id,
                status=sub.status,
                reason_code=sub.reason_code,
                reason=sub.reason,
                cooperative_id=sub.cooperative_id,
                period=sub.period,
                kind=sub.kind,
            )
            if sub.bronze_path:
                bronze[sub.submission_id] = sub
        out.inputs.append(ds.file_input(settings.landing / path, facets))
    for sub in bronze.values():
        path = settings.lake / sub.bronze_path
        schema = {"schema": ds.arrow_schema_facet(pq.read_schema(path))} if path.is_file() else {}
        out.outputs.append(ds.file_output(path, sub.rows_bronze, **schema))
    out.outputs.append(ds.store_output(settings.db_url, LEDGER, len(by_path)))
    return out


def _rule_counts(settings: Settings, sub: Any) -> Counter[tuple[str, str]]:
    """Rows per (rule_id, column) the submission broke, from what validation recorded (the quarantine's reasons
    and silver's warnings, as the clerk's feedback reads them)."""
    broken = {(row, (reason.rule_id, reason.column or "")) for row, reason in problems(settings, sub)}
    return Counter(rule for _, rule in broken)


def _assertions(kind: str | None, broken: Counter[tuple[str, str]]) -> ds.Assertions:
    """One assertion per rule of the kind's GX suite: passed when no row of the submission broke it."""
    rules = contract.rules(kind, [], [], [], []) if kind in contract.KINDS else []
    seen = {(r.rule_id, r.column): r for r in rules}
    return ds.Assertions(
        assertions=[
            Assertion(
                assertion=rule.expectation,
                success=not broken.get(key),
                column=None if rule.column == "*" else rule.column,
                severity="warn" if rule.severity == contract.WARNING else "error",  # OpenLineage's words
                name=rule.rule_id,
                actual=str(broken.get(key, 0)),
                expected="0",
            )
            for key, rule in sorted(seen.items())
        ]
    )


def validate(settings: Settings, submission_ids: list[str]) -> Lineage:
    """Each bronze submission with its GX assertions; its silver and quarantine files with what was decided."""
    subs = [s for s in _submissions(settings, submission_ids) if s.decision is not None]
    out = Lineage()
    for sub in subs:
        rows_quarantine, rows_silver = sub.rows_quarantine or 0, sub.rows_silver or 0
        decided = ds.ValidationFacet(
            submission_id=sub.submission_id,
            kind=sub.kind,
            decision=sub.decision,
            rows_bronze=sub.rows_bronze or 0,
            rows_accepted=rows_silver,
            rows_quarantined=rows_quarantine,
            rows_with_warnings=sub.rows_warning or 0,
            gx_success=rows_quarantine == 0,
            validation_run_id=sub.validation_run_id,
            contract_version=sub.contract_version,
            catalogue_version=sub.catalogue_version,
        )
        metrics = {"dataQualityMetrics": DataQualityMetricsDatasetFacet(columnMetrics={}, rowCount=sub.rows_bronze)}
        if sub.bronze_path:
            assertions = _assertions(sub.kind, _rule_counts(settings, sub))
            out.inputs.append(ds.file_input(settings.lake / sub.bronze_path, metrics, dataQualityAssertions=assertions))
        for relative, rows, schema in (
            (sub.silver_path, rows_silver, SILVER_SCHEMAS.get(sub.kind)),
            (sub.quarantine_path, rows_quarantine, schemas.QUARANTINE),
        ):
            if relative:
                facets: dict[str, Any] = {ds.VALIDATION_FACET: decided}
                if schema is not None:
                    facets["schema"] = ds.schema_facet(schema)
                out.outputs.append(ds.file_output(settings.lake / relative, rows, **facets))
    out.outputs.append(ds.store_output(settings.db_url, LEDGER, len(subs)))
    return out


def render(settings: Settings, submission_ids: list[str]) -> Lineage:
    """The pages rendered from the recorded decisions: each submission's quarantine and silver in, its clerk's
    feedback (HTML and CSV) and its GX page (HTML and JSON) out."""
    out = Lineage()
    for sub in _submissions(settings, submission_ids):
        if sub.rendered_at is None or not sub.feedback_path:
            continue
        out.inputs += [ds.file_input(settings.lake / p) for p in (sub.quarantine_path, sub.silver_path) if p]
        page, gx_page = settings.lake / sub.feedback_path, settings.lake / (sub.gx_result_path or "")
        pages = [page, page.with_suffix(".csv")] + (
            [gx_page, gx_page.with_suffix(".json")] if sub.gx_result_path else []
        )
        out.outputs += [ds.file_output(p) for p in pages]
    out.inputs.append(ds.store_input(settings.db_url, LEDGER))
    out.outputs.append(ds.store_output(settings.db_url, LEDGER))
    return out


def settle(settings: Settings) -> Lineage:
    """Supersession reads the ledger's decisions and writes its statuses."""
    return Lineage([ds.store_input(settings.db_url, LEDGER)], [ds.store_output(settings.db_url, LEDGER)])


def reads(settings: Settings, *tables: str) -> Lineage:
    """A planning task: it reads the store's tables and writes nothing but its plan (XCom)."""
    return Lineage([ds.store_input(settings.db_url, t) for t in tables])


def prepared(settings: Settings) -> Lineage:
    """The store's reference tables, loaded from include/kopdes_hub/reference."""
    tables = (store.Village, store.Cooperative, store.Commodity)
    return Lineage(outputs=[ds.store_output(settings.db_url, t.__tablename__) for t in tables])


def _gold_output(settings: Settings, dataset: schemas.Dataset, period: str) -> OutputDataset:
    path = gold.partition_path(settings.lake, dataset, period)
    rows = pq.ParquetFile(path).metadata.num_rows if path.is_file() else 0
    return ds.file_output(path.parent, rows, schema=ds.schema_facet(dataset))


def rebuild(settings: Settings, period: str) -> Lineage:
    """The silver files a month of gold volumes was summed from; the partition and its SQL table. A closed month
    is left as approved: nothing read, nothing written."""
    if period in closing.closed_periods(settings.db_url):
        return Lineage()
    dataset = schemas.COMMODITY_VOLUMES
    inputs = aggregate.live_inputs(settings).get(period, [])
    out = Lineage([ds.file_input(settings.lake / path) for _, path in inputs])
    out.outputs.append(_gold_output(settings, dataset, period))
    out.outputs.append(ds.store_output(settings.db_url, store.GoldCommodityVolume.__tablename__))
    return out


def publish(settings: Settings, period: str) -> Lineage:
    """The gold volume partitions of the summaries' window, the live finance silver (the financing rules pick their
    window from it) and the ledger; every summary partition, its SQL table, and the hub report. A closed month only
    re-renders its report (listing the files held for it) from its frozen summaries."""
    report = ds.file_output(hub_report.report_path(settings.lake, period))
    if closing.state(settings.db_url, period).closed:
        summaries = [gold.partition_path(settings.lake, d, period).parent for d in schemas.SUMMARIES]
        return Lineage([ds.file_input(p) for p in summaries if p.is_dir()] + [ds.store_input(settings.db_url, LEDGER)],
                       [report])  # fmt: skip
    months = [*previous_periods(period, WINDOW_MONTHS - 1), period]
    volumes = schemas.COMMODITY_VOLUMES
    out = Lineage(
        [
            ds.file_input(gold.partition_path(settings.lake, volumes, p).parent)
            for p in months
            if gold.partition_path(settings.lake, volumes, p).is_file()
        ]
    )
    with store.get_engine(settings.db_url).connect() as conn:
        found = conn.execute(
            select(store.Submission.silver_path).where(
                store.Submission.kind == contract.FINANCE,
                store.Submission.status.in_(aggregate.LIVE),
                store.Submission.silver_path.is_not(None),
            )
        ).scalars()
        out.inputs += [ds.file_input(settings.lake / p) for p in sorted(p for p in found if p)]
    out.inputs.append(ds.store_input(settings.db_url, LEDGER))
    for dataset in schemas.SUMMARIES:
        out.outputs.append(_gold_output(settings, dataset, period))
        out.outputs.append(ds.store_output(settings.db_url, store.SUMMARY_TABLES[dataset.name].name))
    out.outputs.append(report)
    return out


def close(settings: Settings, period: str) -> Lineage:
    """The manager's answer on a month: the ledger of decisions written; an approval also reads the month's gold,
    marks its summaries final in place, and keeps version n of every gold partition in gold_history/ with the
    versioned hub report."""
    decided = [ds.store_output(settings.db_url, t.__tablename__) for t in (store.MonthClose, store.MonthDecision)]
    month = closing.state(settings.db_url, period)
    if not month.closed:
        return Lineage(outputs=decided)
    out = Lineage(outputs=decided)
    for dataset in closing.FROZEN:
        source = gold.partition_path(settings.lake, dataset, period)
        if not source.is_file():
            continue
        out.inputs.append(ds.file_input(source.parent))
        if dataset in schemas.SUMMARIES:
            out.outputs.append(_gold_output(settings, dataset, period))
            out.outputs.append(ds.store_output(settings.db_url, store.SUMMARY_TABLES[dataset.name].name))
        frozen = closing.history_path(settings.lake, dataset, period, month.version)
        rows = pq.ParquetFile(frozen).metadata.num_rows if frozen.is_file() else None
        out.outputs.append(ds.file_output(frozen.parent, rows, schema=ds.schema_facet(dataset)))
    report = hub_report.report_path(settings.lake, period)
    out.outputs += [
        ds.file_output(report),
        ds.file_output(closing.versioned_report_path(settings.lake, period, month.version)),
    ]
    return out
