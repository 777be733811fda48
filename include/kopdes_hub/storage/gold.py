"""Writing a published dataset's month: one Parquet file per partition replaced atomically, and the SQL table's rows
for that month replaced in the caller's transaction. Shared by the aggregate and publish stages."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlalchemy import Table, delete, insert

from include.kopdes_hub.periods import is_period
from include.kopdes_hub.storage import lake, schemas


def partition_path(lake_dir: Path, dataset: schemas.Dataset, period: str) -> Path:
    return lake_dir / "gold" / dataset.name / f"period={period}" / "part-0.parquet"


def published_months(lake_dir: Path, dataset: schemas.Dataset) -> list[str]:
    """The months a gold dataset has partitions for, oldest first; a partition named by anything but a month (an
    older run's ``period=unknown``) is no month."""
    names = (p.name.removeprefix("period=") for p in (lake_dir / "gold" / dataset.name).glob("period=*"))
    return sorted(name for name in names if is_period(name))


def read_partition(lake_dir: Path, dataset: schemas.Dataset, period: str) -> pa.Table:
    """The month of a published dataset, or an empty table of its schema when nothing was published for it."""
    path = partition_path(lake_dir, dataset, period)
    return lake.read_parquet(path) if path.exists() else dataset.schema.empty_table()


def write_partition(lake_dir: Path, dataset: schemas.Dataset, period: str, data: pa.Table) -> Path:
    """Write the month through the dataset's schema (a reader sees the old file or the new one, never half);
    an empty month removes the partition."""
    target = partition_path(lake_dir, dataset, period)
    if data.num_rows:
        lake.write_parquet_atomic(dataset.conform(data), target)
    elif target.exists():
        os.remove(target)
    return target


def replace_sql_period(conn: Any, table: Table, period: str, data: pa.Table) -> None:
    """Replace the month's rows of the SQL table (inside the caller's transaction: all or nothing)."""
    conn.execute(delete(table).where(table.c.period == period))
    if data.num_rows:
        conn.execute(insert(table), data.to_pylist())
