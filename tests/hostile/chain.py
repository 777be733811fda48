"""The whole chain (ingest -> validate -> aggregate -> publish) through the stage modules, as the DAGs call them.

The DAGs' tasks are thin (``include/kopdes_hub/adapter/tasks.py``): each reads settings and calls one stage
function. Calling those functions in the same order, with the same batching, runs the real chain in a fraction of
``dag.test()``'s time, which the hostile corpus and the crash test need (one chain per kill point).

``isolate=True`` (the corpus) keeps going past a failure so one test run shows every file that breaks the chain:
ingest file by file, and a failed validation batch retried one submission at a time, each error recorded under
what failed. ``isolate=False`` (the crash test) lets the first exception through, as a task would fail.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from include.kopdes_hub import aggregate, publish, validate
from include.kopdes_hub.config import Settings, get_limits
from include.kopdes_hub.ingest import stage as ingest
from include.kopdes_hub.reporting import hub_report
from include.kopdes_hub.storage import store
from include.kopdes_hub.validate import render


@dataclass
class ChainReport:
    errors: dict[str, str] = field(default_factory=dict)  # "stage:item" -> the exception, with its last frames
    ingested: dict[str, int] = field(default_factory=dict)
    validated: int = 0
    periods: list[str] = field(default_factory=list)
    published: list[str] = field(default_factory=list)


def make_settings(root: Path) -> Settings:
    """Landing, lake and SQLite store under ``root``, with the limits of the environment."""
    return Settings(
        landing=root / "landing", lake=root / "lake", db_url=f"sqlite:///{root / 'kopdes.db'}", limits=get_limits()
    )


def _describe(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)[-3:]
    where = " <- ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in reversed(frames))
    return f"{type(exc).__name__}: {str(exc)[:300]} [at {where}]"


def run_chain(
    settings: Settings,
    *,
    isolate: bool = False,
    on_stage: Callable[[str], None] | None = None,
    render_report: bool = True,
) -> ChainReport:
    """Run every stage once over ``settings``' landing, lake and store; ``on_stage`` hears each stage's name."""
    report = ChainReport()
    stage = on_stage or (lambda name: None)

    def attempt(key: str, fn: Callable[[], object]) -> object:
        if not isolate:
            return fn()
        try:
            return fn()
        except Exception as exc:
            report.errors[key] = _describe(exc)
            return None

    stage("prepare")
    store.prepare(settings.db_url)

    stage("ingest")
    paths = attempt("ingest:find_new_files", lambda: ingest.find_new_files(settings)) or []
    for batch in ingest.batches(list(paths), settings.ingest_batch):
        if isolate:
            for path in batch:
                outcome = attempt(f"ingest:{path}", lambda p=path: ingest.ingest_file(settings, p))
                if outcome is not None:
                    report.ingested[str(outcome)] = report.ingested.get(str(outcome), 0) + 1
        else:
            for key, n in ingest.ingest_files(settings, batch).items():
                report.ingested[key] = report.ingested.get(key, 0) + n

    stage("validate")
    pending = validate.find_bronze(settings)
    for batch in validate.plan_batches(pending, settings.validate_batch_rows, settings.validate_batch_submissions):
        if attempt(f"validate:batch of {len(batch)}", lambda b=batch: validate.validate_submissions(settings, b)):
            report.validated += len(batch)
        elif isolate:  # one submission at a time, so the error names the file that caused it
            for sid, _rows in validate.find_bronze(settings):
                if attempt(f"validate:{sid}", lambda s=sid: validate.validate_submissions(settings, [s])):
                    report.validated += 1
    attempt("validate:supersession", lambda: validate.apply_supersession(settings))
    for batch in render.plan(settings, render.BATCH):  # the pages, off the decision path, as kopdes_validate does
        attempt(f"validate:render {len(batch)}", lambda b=batch: render.render_submissions(settings, b))

    stage("aggregate")
    report.periods = list(attempt("aggregate:plan", lambda: aggregate.plan(settings)) or [])
    for period in report.periods:
        attempt(f"aggregate:{period}", lambda p=period: aggregate.rebuild_period(settings, p))

    stage("publish")
    months = list(attempt("publish:plan", lambda: publish.plan(settings)) or [])
    for period in months:
        if attempt(f"publish:{period}", lambda p=period: publish.publish_period(settings, p)) is not None:
            report.published.append(period)
            if render_report:
                attempt(f"publish:report {period}", lambda p=period: hub_report.render(settings, p))
    stage("done")
    return report


def submission_of(path: str, settings: Settings) -> list[store.Submission]:
    """The submissions a landing path was recorded under (one, when the ledger is right)."""
    from sqlalchemy import select

    with store.get_engine(settings.db_url).connect() as conn:
        return list(
            conn.execute(
                select(store.Submission)
                .join(store.SubmissionFile, store.SubmissionFile.sha256 == store.Submission.sha256)
                .where(store.SubmissionFile.path == path)
            ).all()
        )
