"""A published or lake dataset as the project defines it: its columns (type, unit, meaning, Indonesian label), its
version and partition, the Arrow schema it is written with and the ``conform`` that refuses a wrong column."""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    unit: str
    meaning: str
    label_id: str  # the Indonesian label for reports and docs


@dataclass(frozen=True)
class Dataset:
    name: str
    version: str
    partition: str
    columns: tuple[Column, ...]

    @property
    def schema(self) -> pa.Schema:
        return pa.schema(
            [pa.field(c.name, c.type) for c in self.columns],
            metadata={b"kopdes.dataset": self.name.encode(), b"kopdes.schema_version": self.version.encode()},
        )

    def conform(self, table: pa.Table) -> pa.Table:
        """Exactly this dataset's columns, in order and type; anything else is a bug, not a new column."""
        names = [c.name for c in self.columns]
        missing = set(names) - set(table.column_names)
        extra = set(table.column_names) - set(names)
        if missing or extra:
            raise ValueError(f"{self.name}: columns missing {sorted(missing)}, unexpected {sorted(extra)}")
        return table.select(names).cast(self.schema)
