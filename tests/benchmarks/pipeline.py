"""`make bench`: this project's decision path (bronze -> rule columns -> GX -> silver and quarantine -> ledger
decisions -> gold volumes) next to a DuckDB program doing the same work on the same bronze files, in one run, each in
its own process (wall time, rows/s, peak memory, ratios); then the full path, with the clerks' feedback and the GX
pages rendered after it (as kopdes_validate's render task does); then an incremental run after 1 % new submissions
against the full run. It ends with one line, ``decision path vs DuckDB: ...``, for the largest size it ran.

A benchmark, not a test: nothing here asserts a time; it does stop when the project and DuckDB disagree on which rows
are accepted and quarantined. Sizes: BENCH_ROWS="1000000 10000000" (default 1M).
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import random
import resource
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[2]
SQL = Path(__file__).with_name("duckdb_reference.sql")
ROWS_PER_FILE = 1_000  # a busy cooperative-month; keeps 10M rows at 10k files


def _env(work: Path) -> dict[str, str]:
    return {
        **os.environ,
        "KOPDES_LANDING": str(work / "src" / "landing"),
        "KOPDES_LAKE": str(work / "lake"),
        "KOPDES_DB_URL": f"sqlite:///{work / 'kopdes.db'}",
        "PYTHONPATH": str(ROOT),
    }


def _child(stage: str, work: Path) -> dict:
    """Run one stage in a fresh interpreter so its peak memory is its own."""
    out = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks.pipeline", stage, str(work)],
        env=_env(work),
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if out.returncode:
        raise RuntimeError(f"{stage} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


class PeakMemory:
    """Peak of the summed proportional set size (PSS) of this process and its worker processes, sampled every
    500 ms (PSS shares the pages a forked worker has in common with its parent instead of counting them twice, as
    RSS would). A sample is not free: the kernel walks every page of a process for it (~17 ms per GB), so at 100 ms
    the sampler took ~40 % of a core from the workers it measured; a batch's memory rises and falls over seconds,
    so 500 ms still sees its peak. DuckDB, one process, is measured by its exact peak RSS instead: a sampler reading
    /proc beside its two threads would slow it down."""

    def __init__(self) -> None:
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        me = psutil.Process()
        while True:
            total = 0
            for proc in [me, *me.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):  # a worker that just exited
                    total += proc.memory_full_info().pss
            self.peak = max(self.peak, total / 2**20)
            if self._stop.wait(0.5):
                return

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


# ---- stages, each run in its own process ----------------------------------------------------------------------


def stage_load(work: Path, rows: int) -> dict:
    """Generate the clerks' files and ingest them to bronze (the common starting point; timed, not compared)."""
    from include.kopdes_hub import demo
    from include.kopdes_hub.config import get_settings
    from include.kopdes_hub.ingest import stage as ingest
    from include.kopdes_hub.storage import store

    files = max(1, rows // ROWS_PER_FILE)
    demo.write_large_load(work / "src", cooperatives=files // 12 + 1, rows=rows, rows_per_file=ROWS_PER_FILE)
    settings = get_settings()
    store.migrate(settings.db_url)
    store.load_reference(settings.db_url, work / "src" / "registry.csv")
    start = time.perf_counter()
    counts = ingest.ingest_files(settings, ingest.find_new_files(settings))
    return {"seconds": time.perf_counter() - start, **counts}


WORKERS = 2  # the DAGs' mapped validate and aggregate tasks, two at a time (pool kopdes_heavy), on these 2 cores


def _fresh_engines() -> None:
    """A forked worker opens its own database connections, never its parent's."""
    from include.kopdes_hub.storage import store

    store.get_engine.cache_clear()


def _validate_batch(submission_ids: list[str]) -> dict[str, int]:
    from include.kopdes_hub import validate
    from include.kopdes_hub.config import get_settings

    return validate.validate_submissions(get_settings(), submission_ids)


def _render_batch(submission_ids: list[str]) -> dict[str, int]:
    from include.kopdes_hub.config import get_settings
    from include.kopdes_hub.validate import render

    return render.render_submissions(get_settings(), submission_ids)


def _rebuild_period(period: str) -> dict:
    from include.kopdes_hub import aggregate
    from include.kopdes_hub.config import get_settings

    return aggregate.rebuild_period(get_settings(), period)


def stage_project(work: Path) -> dict:
    """The decision path as the DAGs run it: validation batches, supersession, then the periods' aggregation, spread
    over two worker processes forked from a parent that has GX imported, as a warm worker has; then the rendering of
    every page off that path (the full path), over the same workers."""
    import great_expectations  # noqa: F401

    from include.kopdes_hub import aggregate, validate
    from include.kopdes_hub.config import get_settings
    from include.kopdes_hub.storage import store
    from include.kopdes_hub.validate import render

    settings = get_settings()
    with PeakMemory() as memory:
        start = time.perf_counter()
        totals = {"rows": 0, "rows_silver": 0, "rows_quarantine": 0}
        steps: Counter[str] = Counter()
        pending = validate.find_bronze(settings)
        batches = validate.plan_batches(pending, settings.validate_batch_rows, settings.validate_batch_submissions)
        store.get_engine(settings.db_url).dispose()  # no open connection crosses the fork
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(WORKERS, mp_context=context, initializer=_fresh_engines) as pool:
            for counts in pool.map(_validate_batch, batches):
                totals["rows"] += counts["rows_bronze"]
                totals["rows_silver"] += counts["rows_silver"]
                totals["rows_quarantine"] += counts["rows_quarantine"]
                steps.update({k.removeprefix("seconds_"): v for k, v in counts.items() if k.startswith("seconds_")})
            validate.apply_supersession(settings)
            validated = time.perf_counter()
            periods = aggregate.plan(settings)
            list(pool.map(_rebuild_period, periods))
            decided, decision_peak = time.perf_counter(), memory.peak
            to_render = render.plan(settings, render.BATCH)
            rendered = sum(r["rendered"] for r in pool.map(_render_batch, to_render))
        end = time.perf_counter()
    return {
        "seconds": decided - start,
        "validate_seconds": validated - start,
        "aggregate_seconds": decided - validated,
        "render_seconds": end - decided,
        "full_seconds": end - start,
        "rendered": rendered,
        "periods": len(periods),
        "batches": len(batches),
        "submissions": len(pending),
        "peak_mb": decision_peak,
        "full_peak_mb": memory.peak,
        "steps": dict(steps),
        **totals,
    }


def _received_at(work: Path) -> dict[str, Any]:
    from sqlalchemy import select

    from include.kopdes_hub.config import get_settings
    from include.kopdes_hub.storage import store

    with store.get_engine(get_settings().db_url).connect() as conn:
        rows = conn.execute(select(store.Submission.submission_id, store.Submission.received_at)).all()
    return {r.submission_id: r.received_at for r in rows}


def stage_duckdb(work: Path) -> dict:
    import duckdb

    from include.kopdes_hub.reference import load_catalogue, normalize_token

    catalogue = load_catalogue()
    cat_dir = work / "duckdb" / "catalogue"
    cat_dir.mkdir(parents=True, exist_ok=True)
    out = work / "duckdb" / "out"
    out.mkdir(parents=True, exist_ok=True)
    by_token = {
        normalize_token(s): code for code, c in catalogue.commodities.items() for s in (code, c.name, *c.aliases)
    }
    spelling = [{"spelling": token, "code": code} for token, code in by_token.items()]
    units = [
        {"commodity": code, "unit": u, "factor": f}
        for code, c in catalogue.commodities.items()
        for u, f in c.units.items()
    ]
    unit_alias = [{"spelling": k, "unit": v} for k, v in catalogue.unit_aliases.items()]
    spec = [
        {
            "commodity": code,
            "base_unit": c.base_unit,
            "price_min": c.price_min_idr,
            "price_max": c.price_max_idr,
            "max_per_member_month": c.max_per_member_month,
            "max_per_cooperative_month": c.max_per_cooperative_month,
        }
        for code, c in catalogue.commodities.items()
    ]
    # when each submission landed is the ledger's (bronze holds values as received, not landing times)
    received = [{"submission_id": sid, "received_at": at.isoformat()} for sid, at in _received_at(work).items()]
    tables = (("spelling", spelling), ("units", units), ("unit_alias", unit_alias), ("spec", spec))
    for name, rows in (*tables, ("received", received)):
        (cat_dir / f"{name}.json").write_text(json.dumps(rows))
    sql = SQL.read_text()
    for key, value in {
        "bronze": work / "lake" / "bronze" / "*" / "*.parquet",
        "registry": work / "src" / "registry.csv",
        "catalogue": cat_dir,
        "out": out,
    }.items():
        sql = sql.replace("{" + key + "}", str(value))
    start = time.perf_counter()
    con = duckdb.connect()
    con.execute("SET threads = 2")
    con.execute(sql)
    seconds = time.perf_counter() - start
    rows = con.execute("SELECT count(*), count(*) FILTER (WHERE ok) FROM checked").fetchone()
    return {
        "seconds": seconds,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "rows": rows[0],
        "rows_silver": rows[1],
        "rows_quarantine": rows[0] - rows[1],
    }


def stage_add_one_percent(work: Path) -> dict:
    """1 % new submissions: corrected resubmissions of files of the latest month (as clerks send them)."""
    from include.kopdes_hub.config import get_settings
    from include.kopdes_hub.ingest import stage as ingest

    settings = get_settings()
    files = sorted(settings.landing.glob("*.csv"))
    latest = max(f.name.split("_")[1] for f in files)
    pool = [f for f in files if f.name.split("_")[1] == latest]
    picked = random.Random(1).sample(pool, max(1, len(files) // 100))
    now = time.time()
    for f in picked:
        revised = f.with_name(f.stem + "_revisi.csv")
        revised.write_bytes(b"".join(f.read_bytes().splitlines(keepends=True)[:-1]))  # a line taken back
        os.utime(revised, (now, now))
    start = time.perf_counter()
    counts = ingest.ingest_files(settings, ingest.find_new_files(settings))
    return {"seconds": time.perf_counter() - start, "files": len(picked), **counts}


# ---- the report ------------------------------------------------------------------------------------------------


def bench(rows: int) -> dict[str, float]:
    work = ROOT / "data" / "bench" / f"{rows}"
    subprocess.run(["rm", "-rf", str(work)], check=True)
    work.mkdir(parents=True)
    load = _child(f"load:{rows}", work)
    duck = _child("duckdb", work)
    project = _child("project", work)
    added = _child("add", work)
    incremental = _child("project", work)

    def line(name: str, seconds: float, peak_mb: float) -> str:
        rate = project["rows"] / seconds if seconds else 0
        return f"  {name:<30} {seconds:9.1f} s {rate:12,.0f} rows/s {peak_mb:9,.0f} MB peak"

    time_ratio, memory_ratio = project["seconds"] / duck["seconds"], project["peak_mb"] / duck["peak_mb"]
    print(f"\n== {rows:,} rows in {load['bronze']:,} submissions (bronze; ingest took {load['seconds']:.1f} s) ==")
    print(line("DuckDB reference", duck["seconds"], duck["peak_mb"]))
    print(line("kopdes decision path", project["seconds"], project["peak_mb"]))
    print(
        f"    of which validate {project['validate_seconds']:.1f} s ({project['batches']} batches), "
        f"aggregate {project['aggregate_seconds']:.1f} s ({project['periods']} periods), on {WORKERS} workers"
    )
    steps = project["steps"]
    print(
        "    validate busy time summed over workers: "
        + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in steps.items())
    )
    print(line("kopdes full path (+ rendering)", project["full_seconds"], project["full_peak_mb"]))
    print(f"    of which rendering {project['render_seconds']:.1f} s ({project['rendered']:,} submissions' pages)")
    print(
        f"  ratio decision path / DuckDB: time {time_ratio:.2f}x, memory {memory_ratio:.2f}x (target 1.25x); "
        f"full path: time {project['full_seconds'] / duck['seconds']:.2f}x, "
        f"memory {project['full_peak_mb'] / duck['peak_mb']:.2f}x"
    )
    same = (project["rows_silver"], project["rows_quarantine"]) == (duck["rows_silver"], duck["rows_quarantine"])
    print(
        f"  same outcome: {'yes' if same else 'NO'}: accepted rows {project['rows_silver']:,} vs "
        f"{duck['rows_silver']:,}, quarantined {project['rows_quarantine']:,} vs {duck['rows_quarantine']:,}"
    )
    if not same:
        raise SystemExit("the decision path and DuckDB disagree on accepted and quarantined rows: not like for like")
    print(
        f"  incremental after {added['files']} new submissions (1 %): decision path {incremental['seconds']:.1f} s "
        f"= {incremental['seconds'] / project['seconds']:.1%} of the full run's; full path "
        f"{incremental['full_seconds']:.1f} s = {incremental['full_seconds'] / project['full_seconds']:.1%} "
        f"(target 5 %); {incremental['periods']} period(s) rebuilt, {incremental['rendered']} submissions rendered"
    )
    return {"rows": rows, "time": time_ratio, "memory": memory_ratio}


def main(argv: list[str]) -> None:
    if len(argv) == 2 and not argv[0].isdigit():
        stage, work = argv[0], Path(argv[1])
        if stage.startswith("load:"):
            result = stage_load(work, int(stage.split(":")[1]))
        else:
            result = {"project": stage_project, "duckdb": stage_duckdb, "add": stage_add_one_percent}[stage](work)
        print(json.dumps(result))
        return
    sizes = [int(s) for s in (argv or os.environ.get("BENCH_ROWS", "1000000").split())]
    ratios = [bench(rows) for rows in sizes]
    largest = max(ratios, key=lambda r: r["rows"])
    print(
        f"decision path vs DuckDB: time {largest['time']:.2f}x, memory {largest['memory']:.2f}x "
        f"({largest['rows']:,} rows)"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
