"""`make bench-stack`: the event-driven path on a real stack (PostgreSQL metadata, Redis events).

1. Latency from announcing one cooperative's file to its month's published report, on LocalExecutor and on
   Celery with two workers.
2. 500 files announced at once: time until every one is validated, on Celery with one worker and with two
   (smaller batches, KOPDES_INGEST_BATCH=25 and KOPDES_VALIDATE_BATCH=50, so the work can spread).

A benchmark, not a test. Needs the PostgreSQL and Redis of this machine.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from tests.stack import Stack, services_missing

ONE_FILE = (
    "kode_koperasi;periode;jenis;tanggal;komoditas;jumlah;satuan;harga_satuan\r\n"
    "KDMP-1902022001;2026-07;pasokan;05/07/2026;Ikan Tongkol;300;kg;15.000\r\n"
    "KDMP-1902012004;2026-07;kebutuhan;07/07/2026;Ikan Tongkol;120;kg;16.000\r\n"
)


def latency(executor: str, workers: int) -> float:
    work = Path(tempfile.mkdtemp(prefix="kopdes-bench-"))
    stack = Stack(work, executor=executor)
    try:
        stack.start(workers=workers)
        source = work / "KDMP-1902022001_2026-07.csv"
        source.write_bytes(ONE_FILE.encode("cp1252"))
        report = stack.lake / "reports" / "laporan_hub_2026-07.html"

        def published() -> bool:
            if not (stack.lake / "bronze").exists():
                stack.announce([source])  # until the watcher has subscribed and heard one
            return report.exists()

        return stack.wait(published, 600, "the report", every=1)
    finally:
        stack.stop()
        shutil.rmtree(work, ignore_errors=True)


def throughput(workers: int, files: int = 500) -> tuple[float, int]:
    from include.kopdes_hub import demo

    work = Path(tempfile.mkdtemp(prefix="kopdes-bench-"))
    stack = Stack(work, KOPDES_INGEST_BATCH="25", KOPDES_VALIDATE_BATCH="50")
    try:
        manifest = demo.generate_demo(work / "demo")
        picked = [work / "demo" / f.name for f in manifest if f.rows and not f.defects][: files + 1]
        stack.start(workers=workers)
        # warm-up: one file, announced until the watcher has subscribed and the chain has run once
        stack.wait(lambda: bool(stack.announce(picked[:1]) or stack.ledger_statuses()), 300, "the watcher", every=3)
        stack.wait(lambda: "accepted" in stack.ledger_statuses().values(), 300, "the warm-up file")
        started = time.monotonic()
        stack.announce(picked[1:])

        def validated() -> bool:
            statuses = stack.ledger_statuses()
            return sum(s not in ("received", "bronze") for s in statuses.values()) >= len(picked)

        stack.wait(validated, 1800, f"{files} validated files", every=2)
        return time.monotonic() - started, files
    finally:
        stack.stop()
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    missing = services_missing()
    if missing:
        sys.exit(f"PostgreSQL or Redis is not reachable: {missing}")
    local = latency("LocalExecutor", 0)
    celery = latency("CeleryExecutor", 2)
    print(
        f"announce -> published report, one file: LocalExecutor {local:.1f} s, Celery (2 workers) {celery:.1f} s "
        "(target < 60 s)"
    )
    one, n = throughput(1)
    two, _ = throughput(2)
    print(
        f"{n} files announced at once, until all validated: 1 worker {one:.1f} s ({n / one:.1f} files/s), "
        f"2 workers {two:.1f} s ({n / two:.1f} files/s): {one / two:.2f}x (target 1.6x)"
    )


if __name__ == "__main__":
    main()
