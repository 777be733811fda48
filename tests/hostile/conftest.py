"""The hostile corpus run once per module: written into a fresh landing, taken through the whole chain, with the
temp tree snapshotted before and after so a test can tell whether anything was written where it must not be."""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.hostile import corpus
from tests.hostile.chain import ChainReport, make_settings, run_chain

# Entry -> (kind, size, mtime_ns, sha256 of a regular file's bytes or a link's target)
Snapshot = dict[str, tuple[str, int, int, str]]


def snapshot(root: Path) -> Snapshot:
    """Every entry under ``root`` (links not followed), by lstat and content."""
    out: Snapshot = {}
    for folder, dirs, files in os.walk(root, followlinks=False):
        for name in [*dirs, *files]:
            path = Path(folder) / name
            st = path.lstat()
            if stat.S_ISLNK(st.st_mode):
                kind, digest = "link", os.readlink(path)
            elif stat.S_ISREG(st.st_mode):
                kind, digest = "file", hashlib.sha256(path.read_bytes()).hexdigest()
            elif stat.S_ISDIR(st.st_mode):
                kind, digest = "dir", ""
            else:
                kind, digest = "special", ""
            size = st.st_size if kind == "file" else 0
            mtime = st.st_mtime_ns if kind in ("file", "link", "special") else 0
            out[path.relative_to(root).as_posix()] = (kind, size, mtime, digest)
    return out


class FifoWatch:
    """Polls the corpus's FIFO for a reader while the chain runs: a reader means the pipeline opened a named pipe
    (it would block forever), so it is recorded and unblocked by opening and closing the write end (EOF)."""

    def __init__(self, fifo: Path) -> None:
        self.fifo = fifo
        self.opened = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        while not self._stop.wait(0.1):
            try:
                fd = os.open(self.fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as exc:  # ENXIO: nobody reading, as it should be
                if exc.errno not in (errno.ENXIO, errno.ENOENT):
                    raise
                continue
            self.opened += 1
            os.close(fd)

    def __enter__(self) -> FifoWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@dataclass
class CorpusRun:
    root: Path  # tmp root: landing/, lake/, kopdes.db, outside/ (the symlinked directory's target)
    settings: object
    cases: list[corpus.Case]
    report: ChainReport
    before: Snapshot
    after: Snapshot
    parent_before: list[str]
    parent_after: list[str]
    fifo_opened: int
    seconds: float
    reruns: list[ChainReport] = field(default_factory=list)
    _rows: dict[str, dict[str, list[dict]]] = field(default_factory=dict)

    def rows(self, layer: str) -> dict[str, list[dict]]:
        """Every row of a lake layer as a BI tool sees it (its Parquet files but hidden ones), by submission."""
        if layer not in self._rows:
            out: dict[str, list[dict]] = defaultdict(list)
            for path in sorted((self.settings.lake / layer).rglob("*.parquet")):
                if not path.name.startswith("."):
                    for row in pq.read_table(path).to_pylist():
                        out[row.get("submission_id") or row.get("_submission_id")].append(row)
            self._rows[layer] = dict(out)
        return self._rows[layer]

    def rerun(self) -> ChainReport:
        self._rows.clear()
        fifo = self.settings.landing / "fifo_in_landing.csv"
        with FifoWatch(fifo) as watch:
            report = run_chain(self.settings, isolate=True)
        self.fifo_opened += watch.opened
        self.reruns.append(report)
        return report


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CorpusRun]:
    """Write the corpus (plus links and a FIFO) into a fresh landing and run the whole chain once over it."""
    root = tmp_path_factory.mktemp("hostile")
    with pytest.MonkeyPatch.context() as mp:
        for name, value in corpus.LIMITS.items():
            mp.setenv(name, value)
        mp.setenv("KOPDES_LANDING", str(root / "landing"))
        mp.setenv("KOPDES_LAKE", str(root / "lake"))
        mp.setenv("KOPDES_DB_URL", f"sqlite:///{root / 'kopdes.db'}")
        settings = make_settings(root)
        cases = corpus.write_corpus(settings.landing, root / "outside")
        before, parent_before = snapshot(root), sorted(os.listdir(root.parent))
        clock = time.perf_counter()
        with FifoWatch(settings.landing / "fifo_in_landing.csv") as watch:
            report = run_chain(settings, isolate=True)
        seconds = time.perf_counter() - clock
        yield CorpusRun(
            root=root,
            settings=settings,
            cases=cases,
            report=report,
            before=before,
            after=snapshot(root),
            parent_before=parent_before,
            parent_after=sorted(os.listdir(root.parent)),
            fifo_opened=watch.opened,
            seconds=seconds,
        )
