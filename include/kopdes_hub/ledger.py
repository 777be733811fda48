"""The ledger's state changes after ingest: the latest accepted file of a month supersedes the earlier ones, a
revalidation sends submissions back to bronze, and each published partition records the fingerprint of its inputs
(so a run rebuilds only what changed). Ingest registers submissions (``ingest.stage``) and validation records its
decisions (``validate.stage``) in the same tables.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, select, update

from include.kopdes_hub.config import Settings
from include.kopdes_hub.periods import normalize_period
from include.kopdes_hub.storage import store


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
                    rows_warning=None,
                    silver_path=None,
                    quarantine_path=None,
                    feedback_path=None,
                    gx_result_path=None,
                    superseded_by=None,
                    validation_run_id=None,
                    validated_at=None,
                    rendered_at=None,
                    updated_at=store.utcnow(),
                )
            )
            conn.execute(delete(store.SubmissionTotal).where(store.SubmissionTotal.submission_id == s.submission_id))
    return len(subs)


def publication_fingerprints(db_url: str, dataset: str) -> dict[str, str]:
    """period -> the fingerprint of the inputs the dataset's partition was last published from."""
    with store.get_engine(db_url).connect() as conn:
        rows = conn.execute(
            select(store.Publication.period, store.Publication.fingerprint).where(store.Publication.dataset == dataset)
        ).all()
    return {period: fingerprint for period, fingerprint in rows}


def record_publication(
    conn: Connection, dataset: str, period: str, fingerprint: str, rows: int, submissions: int, schema_version: str
) -> None:
    """Record (or replace) a partition's publication, inside the caller's transaction: in the same one as the data
    it describes, or after the files it describes are written."""
    store.upsert(
        conn,
        store.Publication.__table__,
        [
            {
                "dataset": dataset,
                "period": period,
                "fingerprint": fingerprint,
                "rows": rows,
                "submissions": submissions,
                "schema_version": schema_version,
                "published_at": store.utcnow(),
            }
        ],
        ("dataset", "period"),
    )
