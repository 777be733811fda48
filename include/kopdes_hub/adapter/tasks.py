"""The thin adapter between DAG files and the package: reads settings, calls the stage, talks to Airflow's context.

DAG tasks import this module inside the task body, so none of pandas, pyarrow or SQLAlchemy loads at parse time.
XCom carries only paths and counts.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any, TypedDict, TypeVar, cast

from airflow.sdk import Asset, Context, get_current_context
from airflow.sdk.exceptions import AirflowSkipException

from include.kopdes_hub import aggregate, publish, validate
from include.kopdes_hub.adapter.lineage import record as record_lineage
from include.kopdes_hub.aggregate import GoldPartition
from include.kopdes_hub.config import Settings, get_settings
from include.kopdes_hub.ingest import stage as ingest
from include.kopdes_hub.ingest.stage import IngestCounts
from include.kopdes_hub.lineage import stages as lineage
from include.kopdes_hub.storage import store
from include.kopdes_hub.validate import render

log = logging.getLogger(__name__)
CountsT = TypeVar("CountsT", bound=Mapping[str, Any])


class GoldUpdate(TypedDict):
    """The gold asset event's extra: which months were rebuilt, with how many rows."""

    periods: int
    rows: int
    rebuilt: list[str]


class SummariesUpdate(TypedDict):
    """The summaries asset event's extra: which months were published."""

    periods: int
    published: list[str]


def _context() -> Context:
    return get_current_context()


def _set_template_var(name: str, value: str) -> None:
    """A value for this task's ``map_index_template`` (Airflow renders it from the context after the task)."""
    cast(dict[str, Any], _context())[name] = value


def prepare_store() -> dict[str, int]:
    settings = get_settings()
    loaded = store.prepare(settings.db_url)
    log.info("store %s ready: %s", settings.db_url, loaded)
    record_lineage(lambda: lineage.prepared(settings))
    return loaded


def find_new_file_batches() -> list[list[str]]:
    settings = get_settings()
    paths = ingest.find_new_files(settings)
    log.info("%d file(s) in %s not finished in the ledger", len(paths), settings.landing)
    record_lineage(lambda: lineage.reads(settings, lineage.LEDGER, store.SubmissionFile.__tablename__))
    return ingest.batches(paths, settings.ingest_batch)


def _label_batch(items: list[str]) -> None:
    """Name a mapped task instance after its first item, so the grid shows which files a batch holds."""
    _set_template_var("batch_label", f"{items[0]} (+{len(items) - 1})" if items else "empty")


def ingest_batch(paths: list[str]) -> IngestCounts:
    _label_batch(paths)
    settings = get_settings()
    counts = ingest.ingest_files(settings, paths)
    log.info("batch of %d file(s): %s; bronze under %s", len(paths), counts, settings.bronze)
    record_lineage(lambda: lineage.ingest(settings, paths))
    return counts


def _sum(results: Sequence[Mapping[str, Any]]) -> dict[str, float]:
    total: dict[str, float] = {}
    for result in results:
        for key, value in result.items():
            total[key] = total.get(key, 0) + value
    return total


def _announce(asset: Asset, counts: CountsT, key: str) -> CountsT:
    """Emit the asset with the counts as the event's extra, or skip (no event) when ``counts[key]`` is zero."""
    if not counts.get(key):
        raise AirflowSkipException(f"nothing new for {asset.name} ({counts}); downstream is not woken")
    _context()["outlet_events"][asset].extra = dict(counts)
    log.info("%s updated: %s", asset.name, counts)
    return counts


def announce_bronze(results: list[IngestCounts], asset: Asset) -> dict[str, float]:
    """Sum the batches; emit the bronze asset only when a new submission reached bronze."""
    return _announce(asset, _sum(results), "bronze")


def find_bronze_batches() -> list[list[str]]:
    settings = get_settings()
    store.migrate(settings.db_url)
    pending = validate.find_bronze(settings)
    batches = validate.plan_batches(pending, settings.validate_batch_rows, settings.validate_batch_submissions)
    log.info(
        "%d submission(s), %d rows, waiting for validation in %d batch(es)",
        len(pending),
        sum(n for _, n in pending),
        len(batches),
    )
    record_lineage(lambda: lineage.reads(settings, lineage.LEDGER))
    return batches


def validate_batch(submission_ids: list[str]) -> dict[str, float]:
    _label_batch(submission_ids)
    settings = get_settings()
    counts = validate.validate_submissions(settings, submission_ids)
    log.info("validated %s", counts)
    record_lineage(lambda: lineage.validate(settings, submission_ids))
    return counts


def settle_silver(results: list[dict[str, float]], asset: Asset) -> dict[str, float]:
    """Apply supersession across the ledger, then emit the silver asset when a submission was validated."""
    counts = {k: v for k, v in _sum(results).items() if not k.startswith("seconds_")}  # timings stay in the logs
    settings = get_settings()
    counts.update(validate.apply_supersession(settings))
    record_lineage(lambda: lineage.settle(settings))
    return _announce(asset, counts, "submissions")


def find_render_batches() -> list[list[str]]:
    """Submissions decided since their pages were last rendered (a failed render of an earlier run included)."""
    settings = get_settings()
    batches = render.plan(settings, render.BATCH)
    log.info("%d batch(es) of submissions to render feedback for", len(batches))
    record_lineage(lambda: lineage.reads(settings, lineage.LEDGER))
    return batches


def render_feedback(submission_ids: list[str], asset: Asset) -> dict[str, int]:
    """The clerk's feedback and the GX page of each submission of a batch; emits the feedback asset."""
    _label_batch(submission_ids)
    settings = get_settings()
    counts = render.render_submissions(settings, submission_ids)
    record_lineage(lambda: lineage.render(settings, submission_ids))
    return _announce(asset, counts, "rendered")


def _interval_periods(settings: Settings) -> tuple[str, ...]:
    """On a timetable run (nightly or backfill), the months of the submissions that landed in its data interval;
    an asset-triggered run has no interval to replay."""
    context = _context()
    start, end = context.get("data_interval_start"), context.get("data_interval_end")
    periods = aggregate.received_periods(settings, start, end) if start and end and start < end else ()
    log.info("data interval %s..%s covers months %s", start, end, list(periods))
    return periods


def plan_aggregation() -> list[str]:
    """Periods whose accepted submissions changed since their last publication; on a nightly (or backfill) run,
    also every period with a submission that landed in the run's data interval."""
    settings = get_settings()
    store.migrate(settings.db_url)
    periods = aggregate.plan(settings, _interval_periods(settings))
    log.info("periods to rebuild: %s", periods)
    record_lineage(lambda: lineage.reads(settings, lineage.LEDGER, lineage.PUBLICATIONS))
    return periods


def rebuild_period(period: str) -> GoldPartition:
    _set_template_var("period", period)
    settings = get_settings()
    rebuilt = aggregate.rebuild_period(settings, period)
    record_lineage(lambda: lineage.rebuild(settings, period))
    return rebuilt


def announce_gold(results: list[GoldPartition], asset: Asset) -> GoldUpdate:
    periods = sorted(r["period"] for r in results)
    counts = GoldUpdate(periods=len(periods), rows=sum(r["rows"] for r in results), rebuilt=periods)
    return _announce(asset, counts, "periods")


def plan_publication() -> list[str]:
    """Months whose summaries are stale; a nightly (or backfill) run also redoes the months that landed in its
    interval."""
    settings = get_settings()
    store.migrate(settings.db_url)
    periods = publish.plan(settings, _interval_periods(settings))
    log.info("months to publish: %s", periods)
    record_lineage(lambda: lineage.reads(settings, lineage.LEDGER, lineage.PUBLICATIONS))
    return periods


def publish_period(period: str) -> dict[str, int | str]:
    _set_template_var("period", period)
    settings = get_settings()
    counts = publish.publish_period(settings, period)
    log.info("summaries of %s: %s", period, counts)
    record_lineage(lambda: lineage.publish(settings, period))
    return {"period": period, **counts}


def announce_summaries(results: list[dict[str, int | str]], asset: Asset) -> SummariesUpdate:
    counts = SummariesUpdate(periods=len(results), published=sorted(str(r["period"]) for r in results))
    return _announce(asset, counts, "periods")
