"""Lake layout and file writes: where each layer's files live, and writing them so a crash leaves no half file."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq


def bronze_path(lake: Path, submission_id: str, received_date: str) -> Path:
    """``bronze/received_date=YYYY-MM-DD/<submission_id>.parquet``: one file per submission."""
    return lake / "bronze" / f"received_date={received_date}" / f"{submission_id}.parquet"


def write_parquet_atomic(table: pa.Table, path: Path) -> Path:
    """Write to a temporary name in the same folder, then rename: readers see the old file or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
