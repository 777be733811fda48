"""Kill the chain with SIGKILL at many points (a file renamed into the lake, a store commit) in every stage, rerun it,
and get exactly what an uninterrupted run gets: the same ledger, silver, quarantine and gold, row for row (and the
same feedback, GX result and hub report files, byte for byte).

No production hook is needed: a forked child counts the operations that make state durable, ``os.replace`` (lake's
atomic writer) and SQLAlchemy commits, and kills itself before the k-th. One uninterrupted counting run (in the test
process, which then forks warm: pandas, pyarrow, GX and SQLAlchemy imported and set up once) lists every operation by
stage, so the kill points spread over prepare, ingest, validate, aggregate and publish. Per point a forked worker
runs the doomed child, checks it really died by SIGKILL, reruns the chain to completion on what it left, and reports
what differs from the reference; two points run at a time.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import traceback
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from include.kopdes_hub.config import Settings, get_limits
from tests.hostile.chain import run_chain
from tests.hostile.corpus import workbook_bytes

pytestmark = pytest.mark.e2e

HEADER = "kode_koperasi;periode;jenis;tanggal;komoditas;jumlah;satuan;harga_satuan;mutu;keterangan"
PERPAT, BADAU, MEMBALONG = "KDMP-1902022002", "KDMP-1902052001", "KDMP-1902022001"
STAGES = ("prepare", "ingest", "validate", "aggregate", "publish")
POINTS_PER_STAGE = {"prepare": 2, "ingest": 4, "validate": 6, "aggregate": 4, "publish": 6}
# Columns that say when, not what: a rerun after a crash writes them anew
WALL_CLOCK = {"updated_at", "validated_at", "rendered_at", "first_seen_at", "validation_run_id", "published_at"}
SKIPPED_TABLES = {"validation_run"}  # one row per validation task that ran: a crash may add one
WORKERS = 2  # kill points run two at a time (each a forked worker: the doomed child, then the rerun)


def _csv(lines: list[str]) -> bytes:
    return ("\r\n".join([HEADER, *lines]) + "\r\n").encode("cp1252")


def _landing(landing: Path) -> None:
    """Fourteen files: CSV (both delimiters), XLSX, JSON, finance, a resubmission, a duplicate, a partly accepted,
    a rejected and two unreadable files, over two months."""
    july = [
        f"{PERPAT};2026-07;pasokan;05/07/2026;Lada Putih;2;kuintal;16.000.000;I;",
        f"{PERPAT};2026-07;pasokan;12/07/2026;Lada Putih;150;kg;160.000;II;",
        f"{PERPAT};2026-07;kebutuhan;10/07/2026;Pupuk Urea;10;sak;112.500;;",
        f"{PERPAT};2026-07;kebutuhan;11/07/2026;Beras;1;ton;13.000.000;medium;",
    ]
    files: dict[str, tuple[bytes, int]] = {
        f"{PERPAT}_2026-07.csv": (_csv(july), 5),
        f"{PERPAT}_2026-07_revisi.csv": (_csv([line.replace(";150;kg;", ";250;kg;") for line in july]), 7),
        f"Salinan dari {PERPAT}_2026-07.csv": (_csv(july), 8),
        f"{BADAU}_2026-07.csv": (
            b"cooperative_id,period,flow,date,commodity,quantity,unit,unit_price_idr\n"
            + f"{BADAU},2026-07,supply,03/07/2026,TBS Sawit,40,tandan,45000\n".encode()
            + f"{BADAU},2026-07,supply,17/07/2026,TBS Sawit,2,ton,3100000\n".encode(),
            6,
        ),
        f"{MEMBALONG}_2026-07.xlsx": (
            workbook_bytes(
                [
                    ["LAPORAN KDMP MEMBALONG JULI 2026"],
                    [],
                    ["Kode Koperasi", "Periode", "Jenis", "Tanggal", "Komoditas", "Jumlah", "Satuan", "Harga Satuan"],
                    [MEMBALONG, "2026-07", "pasokan", "2026-07-02", "Kelapa", 400, "butir", 3500],
                    [MEMBALONG, "2026-07", "kebutuhan", "2026-07-09", "Beras", 500, "kg", 13000],
                ]
            ),
            6,
        ),
        "KDMP-1902042008-2026-07.json": (
            json.dumps(
                {
                    "kode_koperasi": "KDMP-1902042008",
                    "periode": "2026-07",
                    "baris": [
                        {"jenis": "pasokan", "tanggal": "2026-07-03", "komoditas": "Cumi-cumi", "jumlah": 12.5},
                        {"jenis": "kebutuhan", "tanggal": "2026-07-09", "komoditas": "Beras", "jumlah": 60},
                    ],
                }
            )
            .replace('"jumlah": 12.5}', '"jumlah": 12.5, "satuan": "kg"}')
            .replace('"jumlah": 60}', '"jumlah": 60, "satuan": "kg"}')
            .encode(),
            6,
        ),
        f"keuangan_{PERPAT}_2026-07.csv": (
            b"kode_koperasi;periode;pendapatan;biaya_operasional;kas;jumlah_anggota\r\n"
            + f"{PERPAT};2026-07;15.000.000;9.000.000;4.000.000;120\r\n".encode(),
            5,
        ),
        f"keuangan_{BADAU}_2026-07.csv": (
            b"cooperative_id,period,revenue_idr,operating_cost_idr,cash_idr,members\n"
            + f"{BADAU},2026-07,8000000,6500000,1500000,90\n".encode(),
            6,
        ),
        f"{PERPAT}_2026-08.csv": (_csv([f"{PERPAT};2026-08;pasokan;20/08/2026;Lada Putih;100;kg;160.000;I;"]), 35),
        f"{BADAU}_2026-08_sebagian.csv": (
            _csv(
                [
                    f"{BADAU};2026-08;pasokan;04/08/2026;TBS Sawit;3;ton;3.000.000;;",
                    f"{BADAU};2026-08;pasokan;05/08/2026;TBS Sawit;1;ton;3.050.000;;",
                    f"{BADAU};2026-08;pasokan;06/08/2026;Sawit Merah;1;ton;3.000.000;;",
                ]
            ),
            36,
        ),
        "tidak_terdaftar_2026-08.csv": (
            _csv(["KDMP-1902069999;2026-08;pasokan;04/08/2026;Lada Putih;10;kg;160.000;I;"]),
            36,
        ),
        "kosong.csv": (b"", 36),
        "rusak.xlsx": (b"PK\x03\x04 truncated", 36),
        "biner.csv": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 37),
    }
    landing.mkdir(parents=True)
    for name, (data, day) in files.items():
        path = landing / name
        path.write_bytes(data)
        stamp = (datetime(2026, 8, 1, 9, tzinfo=UTC).timestamp()) + (day - 1) * 86_400
        os.utime(path, (stamp, stamp))


def _settings(root: Path, landing: Path) -> Settings:
    return Settings(landing=landing, lake=root / "lake", db_url=f"sqlite:///{root / 'kopdes.db'}", limits=get_limits())


@contextmanager
def _failpoints(root: Path, ops: list[list], kill_at: int | None = None) -> Iterator[Callable[[str], None]]:
    """Count every durable operation (``os.replace``, a SQLAlchemy commit) into ``ops`` as [n, stage, kind, what];
    SIGKILL this process before the ``kill_at``-th. Yields the callback that names the current stage."""
    stage = ["start"]
    real_replace = os.replace

    def hit(kind: str, detail: str) -> None:
        ops.append([len(ops) + 1, stage[0], kind, detail])
        if len(ops) == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    def replace(src: object, dst: object, *args: object, **kwargs: object) -> None:
        hit("replace", os.path.relpath(str(dst), root))
        real_replace(src, dst, *args, **kwargs)

    def commit(conn: object) -> None:
        hit("commit", "")

    os.replace = replace
    event.listen(Engine, "commit", commit)
    try:
        yield lambda name: stage.__setitem__(0, name)
    finally:
        os.replace = real_replace
        event.remove(Engine, "commit", commit)


def _fork(work: Callable[[], None]) -> int:
    """Run ``work`` in a forked child that never returns into pytest; the child's pid."""
    pid = os.fork()
    if pid == 0:
        try:
            work()
            os._exit(0)
        except BaseException:
            traceback.print_exc()
            os._exit(1)
    return pid


def _kill_and_recover(root: Path, landing: Path, k: int, expected: tuple[dict, dict]) -> None:
    """(In a worker) run the chain in a child killed before op ``k``, rerun it here, and write what differs."""

    def doomed() -> None:
        with _failpoints(root, [], kill_at=k) as on_stage:
            run_chain(_settings(root, landing), on_stage=on_stage)

    status = os.waitpid(_fork(doomed), 0)[1]
    killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    report = run_chain(_settings(root, landing))
    result = {"killed": killed, "status": status, "errors": report.errors, "differences": _diff(expected, _state(root))}
    (root / "result.json").write_text(json.dumps(result))


def _db_state(db: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(db) as conn:
        tables = [t for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        state = {}
        for table in tables:
            if table in SKIPPED_TABLES:
                continue
            columns = [c for (_, c, *_) in conn.execute(f'PRAGMA table_info("{table}")') if c not in WALL_CLOCK]
            names = ", ".join(f'"{c}"' for c in columns)
            state[table] = sorted(conn.execute(f'SELECT {names} FROM "{table}"').fetchall(), key=repr)
    return state


def _lake_state(lake: Path) -> dict[str, object]:
    """Every visible lake file: Parquet (silver, quarantine, gold) as sorted rows without their wall-clock columns
    (a summary's published_at), the rest (feedback, GX results, hub reports but their "generated" line) as bytes.
    Only the per-run GX results (validation/runs/) are left out: each run writes its own."""
    state: dict[str, object] = {}
    for path in sorted(lake.rglob("*")):
        relative = path.relative_to(lake).as_posix()
        if not path.is_file() or path.name.startswith(".") or relative.startswith("validation/runs/"):
            continue
        if path.suffix == ".parquet":
            rows = ({k: v for k, v in r.items() if k not in WALL_CLOCK} for r in pq.read_table(path).to_pylist())
            state[relative] = sorted(json.dumps(r, default=str) for r in rows)
        elif path.suffix == ".html" and relative.startswith("reports/"):
            # a report says when it was published: that line is wall clock, the rest must match byte for byte
            state[relative] = re.sub(rb'<p class="meta" id="generated">.*?</p>', b"", path.read_bytes(), flags=re.S)
        else:
            state[relative] = path.read_bytes()
    return state


def _state(root: Path) -> tuple[dict, dict]:
    return _db_state(root / "kopdes.db"), _lake_state(root / "lake")


def _diff(reference: tuple[dict, dict], got: tuple[dict, dict]) -> list[str]:
    out = []
    for label, want, have in (("table", reference[0], got[0]), ("lake", reference[1], got[1])):
        for key in sorted({*want, *have}):
            if key not in have or key not in want:
                out.append(f"{label} {key}: {'missing' if key not in have else 'extra'}")
            elif isinstance(want[key], bytes) and want[key] != have[key]:
                out.append(f"{label} {key}: other bytes")
            elif want[key] != have[key]:
                missing = [r for r in want[key] if r not in have[key]][:2]
                extra = [r for r in have[key] if r not in want[key]][:2]
                out.append(f"{label} {key}: rows missing {missing}, rows extra {extra}")
    return out


def _kill_points(ops: list[list]) -> list[tuple[int, str, str, str]]:
    """Operations spread evenly within every stage and, inside it, over both kinds (rename, commit)."""
    points = []
    for stage in STAGES:
        kinds = sorted({op[2] for op in ops if op[1] == stage})
        for kind in kinds:
            mine = [op for op in ops if op[1:3] == [stage, kind]]
            want = min(-(-POINTS_PER_STAGE[stage] // len(kinds)), len(mine))
            picks = {round(i * (len(mine) - 1) / max(want - 1, 1)) for i in range(want)}
            points += [tuple(mine[i]) for i in picks]
    return sorted(points)


def test_sigkill_anywhere_then_rerun_equals_an_uninterrupted_run(tmp_path: Path):
    landing = tmp_path / "landing"
    _landing(landing)
    stamps = {p: p.stat().st_mtime_ns for p in landing.iterdir()}
    reference = tmp_path / "reference"

    ops: list[list] = []
    with _failpoints(reference, ops) as on_stage:  # here, so the parent is warm when it forks the workers
        run_chain(_settings(reference, landing), on_stage=on_stage)
    per_stage = Counter(op[1] for op in ops)
    assert all(per_stage[s] for s in STAGES), f"every stage makes something durable: {per_stage}"
    expected = _state(reference)
    assert expected[0]["submission"] and expected[1], "the reference run produced a ledger and a lake"

    points = {k: (stage, kind, detail) for k, stage, kind, detail in _kill_points(ops)}
    assert len(points) >= 20, points
    running: dict[int, int] = {}
    for k in points:
        if len(running) == WORKERS:
            running.pop(os.wait()[0])
        running[_fork(lambda k=k: _kill_and_recover(tmp_path / f"kill_{k:03d}", landing, k, expected))] = k
    while running:
        running.pop(os.wait()[0])

    failures = []
    for k, (stage, kind, detail) in points.items():
        result_file = tmp_path / f"kill_{k:03d}" / "result.json"
        assert result_file.exists(), f"the worker of point {k} failed (see its output)"
        result = json.loads(result_file.read_text())
        where = f"kill before op {k} ({stage}: {kind} {detail})"
        assert result["killed"], f"{where} was not reached: wait status {result['status']}"
        assert result["errors"] == {}, f"{where}: the rerun failed: {result['errors']}"
        if result["differences"]:
            failures.append(f"{where}: {result['differences'][:4]}")
    assert {p: p.stat().st_mtime_ns for p in landing.iterdir()} == stamps, "landing changed"
    assert not failures, (
        f"{len(failures)} of {len(points)} kill points differ from the uninterrupted run:\n" + "\n".join(failures)
    )
