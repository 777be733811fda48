"""A submission with no usable period or cooperative (a header-only CSV, ``garbage``, ``../../X``) never breaks a
later stage: month planning skips it, compliance counts it for no month, the run summary still prints."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pyarrow as pa
import pytest

from include.kopdes_hub import aggregate, publish
from include.kopdes_hub.reporting import hub_report, summary
from include.kopdes_hub.storage import gold, lake, schemas, store
from include.kopdes_hub.summaries import compliance

GOOD = "KDMP-1902022001"
# (submission_id, cooperative_id, period, decision, silver partition)
ROWS = [
    ("0000000000000001", GOOD, "2026-07", store.ACCEPTED, "2026-07"),
    ("0000000000000002", None, None, store.REJECTED, None),  # a header-only CSV
    ("0000000000000003", GOOD, "garbage", store.REJECTED, None),
    ("0000000000000004", "../../X", "2026-07", store.REJECTED, None),
    ("0000000000000005", "", "", store.REJECTED, None),
    ("0000000000000006", GOOD, "2026-13", store.PARTLY_ACCEPTED, "unknown"),  # an older run's unknown partition
    ("0000000000000007", GOOD, "2026/08", store.ACCEPTED, "2026-08"),
]
LANDED = datetime(2026, 8, 5, 9, 0, tzinfo=UTC)


def _ledger(settings) -> None:
    rows = [
        {
            "submission_id": sid,
            "sha256": sid * 4,
            "file_name": f"{sid}.csv",
            "size_bytes": 1,
            "received_at": LANDED,
            "status": decision,
            "decision": decision,
            "kind": "lines",
            "cooperative_id": cooperative_id,
            "period": period,
            "rows_bronze": 1,
            "rows_quarantine": 0 if partition else 1,
            "silver_path": f"silver/lines/period={partition}/{sid}.parquet" if partition else None,
            "updated_at": LANDED,
        }
        for sid, cooperative_id, period, decision, partition in ROWS
    ]
    published = [
        {
            "dataset": "commodity_volumes",
            "period": period,
            "fingerprint": "x",
            "rows": 1,
            "submissions": 1,
            "schema_version": "1.0",
            "published_at": LANDED,
        }
        for period in ("2026-07", "unknown")
    ]
    with store.get_engine(settings.db_url).begin() as conn:
        store.upsert(conn, store.Submission.__table__, rows, ("submission_id",))
        store.upsert(conn, store.Publication.__table__, published, ("dataset", "period"))


def test_publish_plans_only_months_and_its_ledger_frame_tolerates_any_period(settings):
    _ledger(settings)
    frame = publish._ledger_frame(settings.db_url)
    periods = [p if isinstance(p, str) else None for p in frame["period"]]  # pandas reads NULL as NaN
    assert dict(zip(frame["submission_id"], periods, strict=True)) == {
        "0000000000000001": "2026-07",
        "0000000000000002": None,
        "0000000000000003": None,
        "0000000000000004": "2026-07",
        "0000000000000005": None,
        "0000000000000006": None,
        "0000000000000007": "2026-08",
    }
    assert publish.plan(settings) == ["2026-07"]
    assert publish.plan(settings, force=("unknown", "garbage")) == ["2026-07"]
    with pytest.raises(ValueError, match="not a month"):
        publish.publish_period(settings, "unknown")


def test_compliance_counts_a_submission_of_no_known_month_for_no_month():
    registry = pd.DataFrame([{"cooperative_id": GOOD, "hub_id": "HUB", "district_code": "D1", "village_code": "V1"}])
    ledger = pd.DataFrame(
        [(cooperative_id, "lines", period, LANDED, decision, 1, 0) for _, cooperative_id, period, decision, _ in ROWS]
        + [
            (float("nan"), "lines", float("nan"), LANDED, store.REJECTED, 1, 1),
            (GOOD, "lines", float("nan"), LANDED, store.ACCEPTED, 1, 0),  # NaN beside months: no sort breaks
        ],
        columns=["cooperative_id", "kind", "period", "received_at", "decision", "rows_bronze", "rows_quarantine"],
    ).assign(rows_warning=0)
    out = compliance.reporting_compliance(ledger, registry, ["2026-07", "2026-08"])
    lines = out[out["kind"] == "lines"].set_index("period")
    assert lines.loc["2026-07", "submissions"] == 1  # "../../X" is nobody's, "garbage" no month's
    assert lines.loc["2026-08", "status"] == "on_time" and lines.loc["2026-08", "accepted"]


def test_aggregate_takes_only_month_partitions(settings):
    _ledger(settings)
    assert sorted(aggregate.live_inputs(settings)) == ["2026-07", "2026-08"]
    assert aggregate.received_periods(settings, LANDED, datetime(2026, 9, 1, tzinfo=UTC)) == ("2026-07", "2026-08")
    # the older run's "unknown" partition is vanished: its rebuild removes it, and no month is planned from it
    assert "unknown" in aggregate.plan(settings)


def test_the_run_summary_and_the_hub_report_skip_what_is_not_a_month(settings):
    _ledger(settings)
    schema = schemas.HUB_BALANCE.schema
    row = {f.name: None for f in schema} | {"level": "hub", "commodity": "beras", "unmet_base": 5.0}
    for period in ("2026-07", "unknown"):
        table = pa.Table.from_pylist([row | {"period": period}], schema=schema)
        lake.write_parquet_atomic(table, gold.partition_path(settings.lake, schemas.HUB_BALANCE, period))
    assert gold.published_months(settings.lake, schemas.HUB_BALANCE) == ["2026-07"]
    assert "summaries of 2026-07" in summary.format_summaries(settings)
    summary.format_ingest_summary(summary.ingest_summary(settings), settings)
    summary.format_validation_summary(summary.validation_summary(settings), settings)
    with pytest.raises(ValueError, match="not a month"):
        hub_report.report_path(settings.lake, "../../X")
