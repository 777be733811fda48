"""Lake layout and file writes: where each layer's files live, and writing them so a crash leaves no half file.

bronze/<first 2 hex digits of submission_id>/<submission_id>.parquet   values as received + lineage
silver/<kind>/period=YYYY-MM/<submission_id>.parquet         accepted rows, typed, base units
quarantine/<kind>/period=YYYY-MM/<submission_id>.parquet     rejected rows with every rule they broke
validation/<submission_id>/gx_result.{json,html}             the GX result of one submission
validation/runs/<run_id>_<kind>.json                         the native GX result of one validation run
feedback/<cooperative_id>/period=YYYY-MM/<submission_id>.{html,csv}   for the clerk, in Bahasa Indonesia

Bronze is keyed by content alone: the same bytes landing under several names (with different times) must give
the same bronze path whichever name a batch parsed first; the two hex digits only keep a folder small.
A path component taken from a file's content (cooperative id, period) or from the ledger is checked against its
pattern before it names a folder, and every built path must resolve inside the lake: a clerk's ``../../X`` never
writes outside it. A period that is not a month is the ``unknown`` partition; a cooperative id that is not one is
the ``unknown`` feedback folder.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from include.kopdes_hub import contract
from include.kopdes_hub.periods import is_period

UNKNOWN = "unknown"  # the partition or folder of a period or cooperative id that is not one
COOPERATIVE_ID_PATTERN = r"^(KDMP|KKMP)-[0-9]{10}$"  # KDMP-/KKMP- + the village code without dots
SUBMISSION_ID_PATTERN = r"^[0-9a-f]{16}$"  # the first 16 hex digits of the content's SHA-256


def cooperative_folder(cooperative_id: object) -> str:
    """The folder of a cooperative id as received: the id upper-cased when it is one, else ``unknown``."""
    text = cooperative_id.strip().upper() if isinstance(cooperative_id, str) else ""
    return text if re.fullmatch(COOPERATIVE_ID_PATTERN, text) else UNKNOWN


def _period(period: str) -> str:
    if period != UNKNOWN and not is_period(period):
        raise ValueError(f"period {period!r} is neither YYYY-MM nor {UNKNOWN!r}: it cannot name a lake partition")
    return period


def _submission_id(submission_id: str) -> str:
    if not isinstance(submission_id, str) or not re.fullmatch(SUBMISSION_ID_PATTERN, submission_id):
        raise ValueError(f"submission id {submission_id!r} is not 16 lower-case hex digits")
    return submission_id


def _kind(kind: str) -> str:
    if kind not in contract.KINDS:
        raise ValueError(f"kind {kind!r} is not one of {contract.KINDS}")
    return kind


def _inside(lake: Path, path: Path) -> Path:
    """The last guard: whatever the components were, the path must resolve inside the lake."""
    if not path.resolve().is_relative_to(lake.resolve()):
        raise ValueError(f"{path} resolves outside the lake {lake}")
    return path


def bronze_path(lake: Path, submission_id: str) -> Path:
    sid = _submission_id(submission_id)
    return _inside(lake, lake / "bronze" / sid[:2] / f"{sid}.parquet")


def silver_path(lake: Path, kind: str, period: str, submission_id: str) -> Path:
    name = f"{_submission_id(submission_id)}.parquet"
    return _inside(lake, lake / "silver" / _kind(kind) / f"period={_period(period)}" / name)


def quarantine_path(lake: Path, kind: str, period: str, submission_id: str) -> Path:
    name = f"{_submission_id(submission_id)}.parquet"
    return _inside(lake, lake / "quarantine" / _kind(kind) / f"period={_period(period)}" / name)


def validation_path(lake: Path, submission_id: str, suffix: str) -> Path:
    return _inside(lake, lake / "validation" / _submission_id(submission_id) / f"gx_result.{suffix}")


def feedback_path(lake: Path, cooperative_id: str | None, period: str, submission_id: str, suffix: str) -> Path:
    folder = cooperative_folder(cooperative_id)
    name = f"{_submission_id(submission_id)}.{suffix}"
    return _inside(lake, lake / "feedback" / folder / f"period={_period(period)}" / name)


def _atomic(path: Path, write: Callable[[Path], object]) -> Path:
    """Write to a temporary name in the same folder, then rename: readers see the old file or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    # a process killed mid-write leaves its temporary beside the target; the next write of the target removes it
    # (a plain listing and prefix test: a glob matches every name of a folder of thousands in Python, per write)
    prefix = f".{path.name}."
    for name in os.listdir(path.parent):
        if name.startswith(prefix) and name.endswith(".tmp"):
            (path.parent / name).unlink(missing_ok=True)
    return path


def read_parquet(path: Path, columns: list[str] | None = None) -> pa.Table:
    """One lake file. They are small (a submission, a partition), so reading without Arrow's thread pool and dataset
    discovery is 2-3x faster than ``pq.read_table``."""
    return pq.ParquetFile(path).read(columns=columns, use_threads=False)


def read_parquet_files(paths: list[Path], columns: list[str]) -> pa.Table:
    """Many lake files of one schema as one table, in the order given: one dataset scan (faster than a read per
    file), single-threaded, so the rows arrive in the same order on every run and sums over them come out bit for
    bit the same. No files: no rows (the columns null-typed)."""
    if not paths:
        return pa.table({c: pa.array([], pa.null()) for c in columns})
    return ds.dataset([str(p) for p in paths], format="parquet").to_table(columns=columns, use_threads=False)


def write_parquet_atomic(table: pa.Table, path: Path) -> Path:
    # lake files are small (a submission, a month): dictionary pages cost more time than they save bytes there, and
    # zstd's level 1 writes a silver file in ~55 % of the default level's time for ~5 % more bytes
    return _atomic(
        path, lambda tmp: pq.write_table(table, tmp, compression="zstd", compression_level=1, use_dictionary=False)
    )


def write_bytes_atomic(data: bytes, path: Path) -> Path:
    return _atomic(path, lambda tmp: tmp.write_bytes(data))


def write_text_atomic(text: str, path: Path) -> Path:
    return write_bytes_atomic(text.encode("utf-8"), path)
