"""The pages of a decided submission, rendered off the decision path: the clerk's feedback (HTML + CSV) and the
engineer's GX page (JSON + HTML), derived from what the path recorded (the ledger's decision, the quarantine file's
reasons, silver's warnings), so gold and the summaries never wait for them and a failed render never blocks a month.

Incremental and idempotent: a submission is rendered when it was decided after its last render
(``submission.rendered_at`` null or older than ``validated_at``); a rerun finds nothing to do, and a revalidated
submission (``ledger.reset_validation``) is rendered afresh after its new decision.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any

import pyarrow.compute as pc
from sqlalchemy import Row, bindparam, or_, select, update

from include.kopdes_hub import closing, contract
from include.kopdes_hub.config import Settings
from include.kopdes_hub.reference import Catalogue, load_catalogue
from include.kopdes_hub.reporting import feedback
from include.kopdes_hub.storage import lake, store
from include.kopdes_hub.validate.gx import build_suite, contract_rules
from include.kopdes_hub.validate.prepare import Registry, file_cooperative, file_partition, load_registry
from include.kopdes_hub.validate.reasons import Reason

log = logging.getLogger(__name__)
BATCH = 500  # submissions per mapped render task (~1 s of pages for files of a few hundred lines)
_HIDDEN_KWARGS = ("value_set", "value_pairs_set", "batch_id")  # the registry and catalogue, not this file's


def pending(settings: Settings) -> list[str]:
    """Submissions decided since their pages were last rendered (or never rendered), oldest decision first."""
    s = store.Submission
    with store.get_engine(settings.db_url).connect() as conn:
        rows = conn.execute(
            select(s.submission_id)
            .where(s.validated_at.is_not(None), or_(s.rendered_at.is_(None), s.rendered_at < s.validated_at))
            .order_by(s.validated_at, s.submission_id)
        ).all()
    return [r.submission_id for r in rows]


def plan(settings: Settings, batch: int) -> list[list[str]]:
    """The pending submissions in batches of ``batch``, one mapped render task each."""
    ids = pending(settings)
    return [ids[i : i + batch] for i in range(0, len(ids), batch)]


def problems(settings: Settings, sub: Row[Any]) -> list[tuple[int, Reason]]:
    """Every (row number, reason) of a submission in file order: its quarantined rows' reasons (errors, and the
    warnings of the same rows) and its accepted rows' warnings, as validation recorded them."""
    by_row: dict[int, list[Reason]] = {}
    sources = [(sub.quarantine_path, "reasons")]
    if sub.rows_warning:  # silver is only read when it holds a warning
        sources.append((sub.silver_path, "warnings"))
    for relative, column in sources:
        if not relative:
            continue
        table = lake.read_parquet(settings.lake / relative, ["row_number", column])
        told = table.filter(pc.greater(pc.list_value_length(table[column]), 0))
        for row, reasons in zip(told["row_number"].to_pylist(), told[column].to_pylist(), strict=True):
            by_row.setdefault(int(row), []).extend(Reason(**r) for r in reasons)
    return [(row, reason) for row in sorted(by_row) for reason in by_row[row]]


def _suites(kind: str, registry: Registry, catalogue: Catalogue) -> tuple[list[contract.Rule], list[Any]]:
    """The rules and the suites GX runs on a batch of ``kind``, built as validation builds them."""
    rule_list = contract_rules(kind, registry, catalogue)
    suites = [build_suite(kind, rule_list)]
    if any(r.needs_history for r in rule_list):
        suites.append(build_suite(kind, rule_list, needs_history=True))
    return rule_list, suites


def gx_result(
    sub: Row[Any], told: list[tuple[int, Reason]], rule_list: list[contract.Rule], suites: list[Any]
) -> dict[str, Any]:
    """One submission's GX result page: every expectation of the suites GX ran on its batch, with the file rows it
    found unexpected (the reasons validation recorded from GX's unexpected indices) and their values as received;
    each with its severity, and the worst severity that failed."""
    import great_expectations as gx

    found: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for row, reason in told:
        found.setdefault((reason.rule_id, reason.column), []).append((row, reason.value))
    element_count = int(sub.rows_bronze or 0)
    results = []
    for config in (e.configuration for suite in suites for e in suite.expectations):
        rule = rule_list[config.meta["rule"]]
        hits = found.get((rule.rule_id, rule.column), [])
        results.append(
            {
                "expectation_type": config.type,
                "severity": config.severity.value,
                "kwargs": {k: v for k, v in config.kwargs.items() if k not in _HIDDEN_KWARGS},
                "meta": config.meta,
                "success": not hits,
                "result": {
                    "element_count": element_count,
                    "unexpected_count": len(hits),
                    "unexpected_percent": round(100.0 * len(hits) / element_count, 2) if element_count else 0.0,
                    "unexpected_rows": [row for row, _ in hits],
                    "unexpected_values": [value for _, value in hits],
                },
            }
        )
    successful = sum(1 for r in results if r["success"])
    failed = {r["severity"] for r in results if not r["success"]}
    return {
        "suite_name": " + ".join(suite.name for suite in suites),
        "success": successful == len(results),
        "max_severity_failure": next((s for s in ("critical", "warning", "info") if s in failed), None),
        "statistics": {
            "evaluated_expectations": len(results),
            "successful_expectations": successful,
            "unsuccessful_expectations": len(results) - successful,
            "success_percent": round(100.0 * successful / len(results), 2) if results else 100.0,
        },
        "meta": {
            "submission_id": sub.submission_id,
            "file_name": sub.file_name,
            "contract_version": sub.contract_version,
            "great_expectations_version": gx.__version__,
        },
        "results": results,
    }


def _render_one(
    settings: Settings,
    sub: Row[Any],
    registry: Registry,
    suites_of: dict[str, tuple[list[contract.Rule], list[Any]]],
    closed: set[str],
) -> dict[str, str]:
    """Write one submission's four pages; the clerk's go under the registered cooperative (never a path taken from
    the file) or ``unknown``."""
    told = problems(settings, sub)
    rule_list, suites = suites_of[sub.kind]
    result = gx_result(sub, told, rule_list, suites)
    gx_json = lake.validation_path(settings.lake, sub.submission_id, "json")
    lake.write_text_atomic(json.dumps(result, ensure_ascii=False, default=str), gx_json)
    lake.write_text_atomic(feedback.gx_result_html(result), gx_json.with_suffix(".html"))
    cooperative, partition = file_cooperative(sub.cooperative_id), file_partition(sub.period)
    report = feedback.SubmissionReport(
        submission_id=sub.submission_id,
        file_name=sub.file_name,
        cooperative_id=cooperative,
        period=None if partition == lake.UNKNOWN else partition,
        kind=sub.kind,
        decision=sub.decision,
        decision_reason=sub.decision_reason,
        rows_total=int(sub.rows_bronze or 0),
        rows_accepted=int(sub.rows_silver or 0),
        problems=told,
        month_closed=partition in closed,
    )
    folder = cooperative if cooperative in registry.members else lake.UNKNOWN
    page = lake.feedback_path(settings.lake, folder, partition, sub.submission_id, "html")
    lake.write_text_atomic(feedback.clerk_html(report), page)
    lake.write_bytes_atomic(feedback.clerk_csv(report), page.with_suffix(".csv"))
    return {
        "gx_result_path": gx_json.with_suffix(".html").relative_to(settings.lake).as_posix(),
        "feedback_path": page.relative_to(settings.lake).as_posix(),
    }


def render_submissions(settings: Settings, submission_ids: Sequence[str]) -> dict[str, int]:
    """Render the given submissions that still need it (a retried task redoes only what failed), record each page's
    path and ``rendered_at`` in one statement; a submission whose render fails is logged and left pending, and the
    task fails after the others are recorded, so it retries without holding anything else back."""
    s = store.Submission
    wanted = set(pending(settings)) & set(submission_ids)
    with store.get_engine(settings.db_url).connect() as conn:
        subs = conn.execute(select(s).where(s.submission_id.in_(wanted)).order_by(s.submission_id)).all()
    registry, catalogue = load_registry(settings.db_url), load_catalogue()
    closed = closing.closed_periods(settings.db_url)
    suites_of = {kind: _suites(kind, registry, catalogue) for kind in {sub.kind for sub in subs}}
    done, failed = [], []
    for sub in subs:
        try:
            pages = _render_one(settings, sub, registry, suites_of, closed)
            done.append({"id": sub.submission_id, "at": sub.validated_at, **pages})
        except Exception:
            log.exception("feedback of %s (%s) not rendered; it stays pending", sub.submission_id, sub.file_name)
            failed.append(sub.submission_id)
    if done:
        now = store.utcnow()
        with store.get_engine(settings.db_url).begin() as conn:
            conn.execute(
                update(s)
                # only the decision it was rendered from: a submission revalidated meanwhile stays pending
                .where(s.submission_id == bindparam("id"), s.validated_at == bindparam("at"))
                .values(
                    feedback_path=bindparam("feedback_path"),
                    gx_result_path=bindparam("gx_result_path"),
                    rendered_at=now,
                ),
                done,
            )
    log.info("rendered the pages of %d submission(s), %d failed", len(done), len(failed))
    if failed:
        raise RuntimeError(f"feedback of {len(failed)} submission(s) not rendered (first {failed[0]}); see the log")
    return {"rendered": len(done), "failed": 0}
