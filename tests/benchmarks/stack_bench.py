"""`make bench-stack`: the event-driven path on a real stack (PostgreSQL metadata, Redis events).

1. Latency from announcing one cooperative's file to its month's published report, on LocalExecutor and on
   Celery with two workers, measured twice on the same stack:
   - cold: the clock starts when the freshly started stack's API answers; the file is announced every second until
     it reaches bronze (the watcher subscribes only once the DAGs are parsed). This includes the stack's first
     minute: DAG parsing, the sweep and nightly runs Airflow creates at unpause, the first migration of the store.
   - warm (steady state): once every run has finished, a file of another month is announced once; the clock runs
     from that announce to that month's report.
2. 500 files announced at once: time until every one is validated, on Celery with one worker and with two
   (smaller batches, KOPDES_INGEST_BATCH=25 and KOPDES_VALIDATE_BATCH=50, so the work can spread), by two methods:
   - shared: the workers float over all the machine's cores (2 here) beside the control plane, pool `kopdes_heavy`
     at 2 slots. A second worker on the same cores adds no CPU, only task slots (each runs 2 at a time) for the
     time tasks spend waiting on Airflow, the database and the files.
   - one core per worker: worker i pinned to core i (taskset) standing for a node of its own, and the pool sized
     2 slots per worker, as a deployment adding nodes would. The control plane (scheduler, api-server, PostgreSQL,
     Redis) still shares the cores with the workers, more so with two workers, so the 2-worker figure is pessimistic.

A benchmark, not a test. Needs the PostgreSQL and Redis of this machine. BENCH_PARTS="latency throughput" and
BENCH_THROUGHPUT="shared pinned" (the defaults) pick what runs.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from tests.stack import Stack, services_missing

ONE_FILE = (
    "kode_koperasi;periode;jenis;tanggal;komoditas;jumlah;satuan;harga_satuan\r\n"
    "KDMP-1902022001;{period};pasokan;05/{month}/2026;Ikan Tongkol;300;kg;15.000\r\n"
    "KDMP-1902012004;{period};kebutuhan;07/{month}/2026;Ikan Tongkol;120;kg;16.000\r\n"
)


def _one_file(folder: Path, month: str) -> Path:
    path = folder / f"KDMP-1902022001_2026-{month}.csv"
    path.write_bytes(ONE_FILE.format(period=f"2026-{month}", month=month).encode("cp1252"))
    return path


def _all_runs_finished(stack: Stack) -> bool:
    return all(r["state"] in ("success", "failed") for runs in stack.dag_runs().values() for r in runs)


def latency(executor: str, workers: int) -> tuple[float, float]:
    """(cold, warm) seconds from the announce to the published report of one file."""
    work = Path(tempfile.mkdtemp(prefix="kopdes-bench-"))
    stack = Stack(work, executor=executor)
    try:
        stack.start(workers=workers)
        source = _one_file(work, "07")
        report = stack.lake / "reports" / "laporan_hub_2026-07.html"

        def published() -> bool:
            if not (stack.lake / "bronze").exists():
                stack.announce([source])  # until the watcher has subscribed and heard one
            return report.exists()

        cold = stack.wait(published, 600, "the report", every=1)
        stack.wait(lambda: _all_runs_finished(stack), 600, "every run to finish", every=2)
        second = _one_file(work, "08")
        started = time.monotonic()
        stack.announce([second])
        stack.wait((stack.lake / "reports" / "laporan_hub_2026-08.html").exists, 600, "the second report", every=0.5)
        return cold, time.monotonic() - started
    finally:
        stack.stop()
        shutil.rmtree(work, ignore_errors=True)


def _spans(stack: Stack, since: float) -> str:
    """The finished DAG runs started after ``since`` (epoch seconds), as "dag start-end" seconds from it."""
    spans = []
    for dag_id, runs in stack.dag_runs().items():
        for run in runs:
            if run.get("start_date") and run.get("end_date"):
                start = datetime.fromisoformat(run["start_date"]).timestamp() - since
                end = datetime.fromisoformat(run["end_date"]).timestamp() - since
                if start > -1:
                    spans.append((start, f"{dag_id.removeprefix('kopdes_')} {start:.0f}-{end:.0f}"))
    return ", ".join(text for _, text in sorted(spans))


def throughput(workers: int, one_core_each: bool, files: int = 500) -> tuple[float, str]:
    from include.kopdes_hub import demo

    work = Path(tempfile.mkdtemp(prefix="kopdes-bench-"))
    stack = Stack(work, KOPDES_INGEST_BATCH="25", KOPDES_VALIDATE_BATCH="50")
    try:
        manifest = demo.generate_demo(work / "demo")
        picked = [work / "demo" / f.name for f in manifest if f.rows and not f.defects][: files + 1]
        if one_core_each:
            stack.start(workers=workers, worker_cpus=[str(i) for i in range(workers)], heavy_slots=2 * workers)
        else:
            stack.start(workers=workers)
        # warm-up: one file, announced until the watcher has subscribed and the chain has run once
        stack.wait(lambda: bool(stack.announce(picked[:1]) or stack.ledger_statuses()), 300, "the watcher", every=3)
        stack.wait(lambda: "accepted" in stack.ledger_statuses().values(), 300, "the warm-up file")
        # and its whole chain, and the empty ingest runs its repeated announces started: else they hold the ingest
        # DAG's one active run and the burst's ingest queues behind them (33 s once, with one worker)
        stack.wait(lambda: _all_runs_finished(stack), 600, "every run to finish", every=2)
        started, since = time.monotonic(), time.time()
        stack.announce(picked[1:])

        def validated() -> bool:
            statuses = stack.ledger_statuses()
            return sum(s not in ("received", "bronze") for s in statuses.values()) >= len(picked)

        stack.wait(validated, 1800, f"{files} validated files", every=2)
        return time.monotonic() - started, _spans(stack, since)
    finally:
        stack.stop()
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    missing = services_missing()
    if missing:
        sys.exit(f"PostgreSQL or Redis is not reachable: {missing}")
    parts = os.environ.get("BENCH_PARTS", "latency throughput").split()
    if "latency" in parts:
        local = latency("LocalExecutor", 0)
        celery = latency("CeleryExecutor", 2)
        print(
            "announce -> published report, one file (target < 60 s): "
            f"LocalExecutor cold {local[0]:.1f} s, warm {local[1]:.1f} s; "
            f"Celery (2 workers) cold {celery[0]:.1f} s, warm {celery[1]:.1f} s",
            flush=True,
        )
    if "throughput" in parts:
        n = 500
        methods = {"shared": (False, "shared cores, pool 2"), "pinned": (True, "one core per worker, pool 2/worker")}
        for name in os.environ.get("BENCH_THROUGHPUT", "shared pinned").split():
            one_core_each, method = methods[name]
            one, one_spans = throughput(1, one_core_each, n)
            two, two_spans = throughput(2, one_core_each, n)
            print(f"  runs, s after the announce: 1 worker: {one_spans}\n  2 workers: {two_spans}")
            print(
                f"{n} files announced at once, until all validated ({method}): 1 worker {one:.1f} s "
                f"({n / one:.1f} files/s), 2 workers {two:.1f} s ({n / two:.1f} files/s): {one / two:.2f}x "
                "(target 1.6x)",
                flush=True,
            )


if __name__ == "__main__":
    main()
