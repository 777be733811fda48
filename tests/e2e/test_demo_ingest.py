"""The demo hub through ingest: every file is accounted for and bronze holds exactly the rows the clerks wrote."""

from __future__ import annotations

import pyarrow.parquet as pq

from include.kopdes_hub import demo, ingest, report


def test_demo_hub_ingests_completely(settings):
    manifest = demo.generate_demo(settings.landing)
    counts = ingest.ingest_files(settings, ingest.find_new_files(settings))
    duplicates = [f for f in manifest if "duplicate_file" in f.defects]
    unreadable = {f.name for f in manifest if {"empty_file", "corrupt_xlsx"} & set(f.defects)}
    assert counts["duplicate"] == len(duplicates)
    assert counts["unreadable"] == len(unreadable)
    assert counts["bronze"] == len(manifest) - len(duplicates) - len(unreadable)

    summary = report.ingest_summary(settings)
    assert summary.unaccounted == []
    assert {name for name, _, _ in summary.unreadable} == unreadable
    bronze_rows = sum(pq.read_metadata(p).num_rows for p in settings.bronze.rglob("*.parquet"))
    assert bronze_rows == sum(f.rows for f in manifest if f not in duplicates)
    assert sum(summary.rows_by_kind.values()) == bronze_rows
