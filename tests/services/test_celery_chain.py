"""The distributed path for real: scheduler, dag-processor, triggerer, api-server and two Celery workers started
natively against PostgreSQL (metadata) and Redis (broker, landing events). Files announced on Redis flow through
ingest, validate, aggregate and publish by asset-triggered runs alone; a file whose event was lost arrives by the
sweep; the API wants a login. The test reports the event-to-summary latency and stops every process it started."""

from __future__ import annotations

import time

import pyarrow.parquet as pq
import pytest

from tests.stack import CHAIN, Stack, services_missing

pytestmark = pytest.mark.services

HEADER = "kode_koperasi;periode;jenis;tanggal;komoditas;jumlah;satuan;harga_satuan\r\n"
FILES = {
    "KDMP-1902022001_2026-07.csv": HEADER
    + "KDMP-1902022001;2026-07;pasokan;05/07/2026;Ikan Tongkol;300;kg;15.000\r\n"
    + "KDMP-1902022001;2026-07;kebutuhan;06/07/2026;Beras;500;kg;13.000\r\n",
    "KDMP-1902012004_2026-07.csv": HEADER
    + "KDMP-1902012004;2026-07;kebutuhan;07/07/2026;Ikan Tongkol;120;kg;16.000\r\n",
}


def chain_succeeded(stack: Stack) -> bool:
    """Ingest woken (by the event or a sweep) and every later stage run by its asset, all finished."""
    runs = stack.dag_runs()
    woken = any(r["state"] == "success" for r in runs["kopdes_ingest"])
    return woken and all(
        any(r["run_type"] == "asset_triggered" and r["state"] == "success" for r in runs[dag_id])
        for dag_id in CHAIN[1:]
    )


def test_announced_files_reach_the_summaries_on_celery(tmp_path):
    missing = services_missing()
    if missing:
        pytest.skip(f"PostgreSQL or Redis is not reachable: {missing}")
    # a sweep every minute, so the lost event below is found within the test
    stack = Stack(tmp_path, KOPDES_SWEEP_CRON="* * * * *")
    try:
        stack.start(workers=2)
        sources = []
        for name, text in FILES.items():
            (tmp_path / name).write_bytes(text.encode("cp1252"))
            sources.append(tmp_path / name)
        report = stack.lake / "reports" / "laporan_hub_2026-07.html"

        def announced_and_published() -> bool:
            # pub/sub is at-most-once and the watcher subscribes only once the DAGs are parsed: announcing again
            # is harmless (the ledger dedups), so announce until something is ingested
            if not (stack.lake / "bronze").exists():
                stack.announce(sources)
            return report.exists()

        started = time.monotonic()
        stack.wait(announced_and_published, 420, "the hub report", every=5)
        print(f"\nevent-to-summary latency on Celery (2 workers): {time.monotonic() - started:.1f} s")
        # the report is written before its run is marked done: wait for the runs
        stack.wait(lambda: chain_succeeded(stack), 180, "every stage's runs to succeed", every=3)

        gold = stack.lake / "gold"
        balance = pq.read_table(gold / "hub_balance" / "period=2026-07" / "part-0.parquet").to_pylist()
        transfers = pq.read_table(gold / "hub_transfers" / "period=2026-07" / "part-0.parquet").to_pylist()
        hub = {r["commodity"]: r for r in balance if r["level"] == "hub"}
        assert (hub["ikan_tongkol"]["supply_base"], hub["ikan_tongkol"]["demand_base"]) == (300.0, 120.0)
        assert [(t["from_village"], t["to_village"], t["quantity_base"]) for t in transfers] == [
            ("19.02.02.2001", "19.02.01.2004", 120.0)
        ]
        print("ingest runs:", sorted({r["run_type"] for r in stack.dag_runs()["kopdes_ingest"]}))

        # the API is behind the login, but for its health check
        assert stack.status("/api/v2/dags") == 401
        assert stack.status("/kopdes/reports/") == 401
        assert stack.status("/api/v2/monitor/health") == 200

        # a file dropped without an event (a lost message) is taken by the next sweep
        quiet = stack.landing / "KDMP-1902052001_2026-07.csv"
        quiet.write_bytes(FILES["KDMP-1902022001_2026-07.csv"].replace("KDMP-1902022001", "KDMP-1902052001").encode())
        stack.wait(lambda: stack.ledger_statuses().get(quiet.name) == "accepted", 240, "the sweep", every=5)
    finally:
        stack.stop()
    assert all(p.poll() is not None for p in stack.procs.values())
