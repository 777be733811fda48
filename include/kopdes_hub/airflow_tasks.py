"""The thin adapter between DAG files and the package: reads settings, calls the stage, talks to Airflow's context.

DAG tasks import this module inside the task body, so none of pandas, pyarrow or SQLAlchemy loads at parse time.
XCom carries only paths and counts.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from airflow.sdk import Asset, get_current_context
from airflow.sdk.exceptions import AirflowSkipException

from include.kopdes_hub import ingest, store
from include.kopdes_hub.config import get_settings

log = logging.getLogger(__name__)

INGEST_BATCH_SIZE = 200  # files per mapped task: big enough to amortise a task's start, small enough to spread


def prepare_store() -> dict[str, int]:
    settings = get_settings()
    loaded = store.prepare(settings.db_url)
    log.info("store %s ready: %s", settings.db_url, loaded)
    return loaded


def find_new_file_batches() -> list[list[str]]:
    settings = get_settings()
    paths = ingest.find_new_files(settings)
    log.info("%d file(s) in %s not finished in the ledger", len(paths), settings.landing)
    return ingest.batches(paths, INGEST_BATCH_SIZE)


def ingest_batch(paths: list[str]) -> dict[str, int]:
    context = get_current_context()
    context["batch_label"] = f"{paths[0]} (+{len(paths) - 1})" if paths else "empty"  # type: ignore[typeddict-unknown-key]
    settings = get_settings()
    counts = ingest.ingest_files(settings, paths)
    log.info("batch of %d file(s): %s; bronze under %s", len(paths), counts, settings.bronze)
    return counts


def announce_bronze(results: list[dict[str, int]], asset: Asset) -> dict[str, int]:
    """Sum the batches; emit the bronze asset (with the counts) only when a new submission reached bronze."""
    total: Counter[str] = Counter()
    for result in results:
        total.update(result)
    counts = dict(total)
    if not counts.get("bronze"):
        raise AirflowSkipException(f"no new submission reached bronze ({counts}); downstream is not woken")
    context: Any = get_current_context()
    context["outlet_events"][asset].extra = counts
    log.info("bronze_submissions updated: %s", counts)
    return counts
