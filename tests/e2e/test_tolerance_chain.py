"""One bad file must never stop the hub: a header-only CSV, a garbage period and a hostile cooperative id go
through ingest -> validate -> aggregate -> publish beside a good file, every DAG run succeeds, the good file's month
is published, and nothing is written outside the lake."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from include.kopdes_hub import publish
from include.kopdes_hub.reporting import hub_report, summary
from include.kopdes_hub.storage import store

pytestmark = pytest.mark.e2e

HEADER = "kode_koperasi;periode;jenis;tanggal;komoditas;jumlah;satuan;harga_satuan"
PERPAT = "KDMP-1902022001"


def _file(settings, name: str, lines: list[str], day: int) -> None:
    path = settings.landing / name
    path.write_bytes(("\r\n".join([HEADER, *lines]) + "\r\n").encode("cp1252"))
    stamp = datetime(2026, 8, day, 9, 0, tzinfo=UTC).timestamp()
    os.utime(path, (stamp, stamp))


def _landing(settings) -> None:
    _file(settings, "kosong_berjudul.csv", [], 4)  # the header only: period and cooperative None
    _file(settings, f"{PERPAT}_2026-07.csv", [f"{PERPAT};2026-07;pasokan;05/07/2026;Lada Putih;150;kg;160.000"], 5)
    _file(settings, "periode_rusak.csv", [f"{PERPAT};garbage;pasokan;05/07/2026;Lada Putih;1;kg;160.000"], 6)
    _file(settings, "jahat.csv", ["../../X;2026-07;pasokan;05/07/2026;Lada Putih;1;kg;160.000"], 6)


def _outside(tmp_path, settings) -> list[str]:
    """Files under tmp_path that are neither landing, lake nor the store."""
    allowed = (settings.landing, settings.lake)
    return sorted(
        str(p.relative_to(tmp_path))
        for p in tmp_path.rglob("*")
        if p.is_file() and not any(p.is_relative_to(a) for a in allowed) and not p.name.startswith("kopdes.db")
    )


def test_bad_periods_and_cooperatives_never_stop_the_chain(settings, airflow_db, tmp_path):
    from airflow.utils.state import DagRunState

    from dags.kopdes_aggregate import kopdes_aggregate
    from dags.kopdes_ingest import kopdes_ingest
    from dags.kopdes_publish import kopdes_publish
    from dags.kopdes_validate import kopdes_validate

    _landing(settings)
    dags = (kopdes_ingest(), kopdes_validate(), kopdes_aggregate(), kopdes_publish())
    for dag in dags:
        assert dag.test().state == DagRunState.SUCCESS, dag.dag_id

    with store.get_engine(settings.db_url).connect() as conn:
        ledger = {
            r.file_name: (r.status, r.period, r.cooperative_id)
            for r in conn.execute(
                select(
                    store.Submission.file_name,
                    store.Submission.status,
                    store.Submission.period,
                    store.Submission.cooperative_id,
                )
            )
        }
    assert ledger["kosong_berjudul.csv"][1:] == (None, None)
    assert ledger[f"{PERPAT}_2026-07.csv"][0] == "accepted"
    compliance = pq.read_table(
        settings.lake / "gold" / "reporting_compliance" / "period=2026-07" / "part-0.parquet"
    ).to_pandas()
    perpat = compliance[(compliance["cooperative_id"] == PERPAT) & (compliance["kind"] == "lines")].iloc[0]
    assert (perpat["status"], perpat["accepted"]) == ("on_time", True)
    assert hub_report.report_path(settings.lake, "2026-07").exists()
    assert _outside(tmp_path, settings) == []
    assert sorted(p.name for p in (settings.lake / "feedback").iterdir()) == [PERPAT, "unknown"]

    # every later run, and the make-run summary, still succeed
    assert publish.plan(settings) == []
    for dag in dags:
        assert dag.test().state == DagRunState.SUCCESS, dag.dag_id
    assert "2026-07" in summary.format_summaries(settings)
