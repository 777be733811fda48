"""The demo hub through ingest and validation: every file accounted for, every planted defect caught, and no clean
row quarantined."""

from __future__ import annotations

from collections import Counter

import pyarrow.parquet as pq
from sqlalchemy import select

from include.kopdes_hub import demo, validate
from include.kopdes_hub.ingest import stage as ingest
from include.kopdes_hub.reporting import summary as run_summary
from include.kopdes_hub.storage import store

ROW_DEFECTS = set(demo.ROW_DEFECTS)
WARNING_RULES = {"unknown_grade": "GRADE_UNKNOWN", "price_as_total": "PRICE_TOO_HIGH", "extra_zero": "QUANTITY_OUTLIER"}


def test_demo_hub_ingests_and_validates_exactly(settings):
    manifest = demo.generate_demo(settings.landing)
    counts = ingest.ingest_files(settings, ingest.find_new_files(settings))
    duplicates = [f for f in manifest if "duplicate_file" in f.defects]
    unreadable = {f.name for f in manifest if {"empty_file", "corrupt_xlsx"} & set(f.defects)}
    assert counts["duplicate"] == len(duplicates)
    assert counts["unreadable"] == len(unreadable)
    assert counts["bronze"] == len(manifest) - len(duplicates) - len(unreadable)

    summary = run_summary.ingest_summary(settings)
    assert summary.unaccounted == []
    assert {name for name, _, _ in summary.unreadable} == unreadable
    bronze_rows = sum(pq.read_metadata(p).num_rows for p in settings.bronze.rglob("*.parquet"))
    assert bronze_rows == sum(f.rows for f in manifest if f not in duplicates)

    for batch in validate.plan_batches(validate.find_bronze(settings), 5_000, 300):
        validate.validate_submissions(settings, batch)
    validate.apply_supersession(settings)
    with store.get_engine(settings.db_url).connect() as conn:
        # by every name a content arrived under: a duplicate may have been registered before its original
        ledger = {
            r.path: r
            for r in conn.execute(
                select(store.SubmissionFile.path, store.Submission).join(
                    store.Submission, store.Submission.sha256 == store.SubmissionFile.sha256
                )
            ).all()
        }
    clean_warnings: Counter[int] = Counter()  # clean files by their rows with a warning
    for f in manifest:
        if f in duplicates or f.name in unreadable:
            continue
        sub = ledger[f.name]
        assert sub.rows_silver + sub.rows_quarantine == sub.rows_bronze == f.rows, f.name
        if "unknown_cooperative" in f.defects:
            assert (sub.decision, sub.rows_quarantine) == ("rejected", f.rows), f.name
        elif ROW_DEFECTS & set(f.defects):
            assert (sub.decision, sub.rows_quarantine) == ("partly_accepted", 1), f.name
        elif set(WARNING_RULES) & set(f.defects):  # a warning never drops a line
            assert (sub.decision, sub.rows_quarantine, sub.rows_warning) == ("accepted", 0, 1), f.name
            warnings = pq.read_table(settings.lake / sub.silver_path)["warning_ids"].to_pylist()
            assert [w for w in warnings if w] == [[WARNING_RULES[f.defects[0]]]], f.name
        else:
            assert (sub.decision, sub.rows_quarantine) == ("accepted", 0), f.name
            clean_warnings[sub.rows_warning or 0] += 1
    # an honest month is rarely far above the cooperative's own history
    assert sum(n for warned, n in clean_warnings.items() if warned) <= 0.01 * sum(clean_warnings.values())
    revised = {(f.cooperative_id, f.kind, f.period) for f in manifest if "corrected_resubmission" in f.defects}
    superseded = {(s.cooperative_id, s.kind, s.period) for s in ledger.values() if s.status == "superseded"}
    assert superseded and superseded <= revised
