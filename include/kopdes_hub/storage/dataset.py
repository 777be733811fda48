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


# Columns every summary shares, with the same meaning in each.
PLACE = (
    Column("hub_id", pa.string(), "", "the hub (secondary cooperative)", "kode hub"),
    Column("district_code", pa.string(), "Kemendagri code", "kecamatan", "kode kecamatan"),
    Column("village_code", pa.string(), "Kemendagri code", "desa/kelurahan", "kode desa"),
)
PERIOD = Column("period", pa.string(), "YYYY-MM", "reporting month (the partition key)", "periode")
# Every summary row says which publication of its month it belongs to (issue 14): the month's n-th approval is
# version n (final); an open month's rows are the draft of the next version.
PUBLICATION = (
    Column(
        "publication_version",
        pa.int64(),
        "version",
        "the month's publication: n = its n-th approval (final), or the draft of it",
        "versi publikasi",
    ),
    Column("published_at", pa.timestamp("us", tz="UTC"), "UTC", "when this version was published", "diterbitkan"),
    Column(
        "month_status", pa.string(), "draft / final", "final once the hub manager approved the month", "status bulan"
    ),
)
