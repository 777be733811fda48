"""The published datasets' schemas: what BI tools may rely on, versioned.

Every gold dataset is written with exactly this schema (``conform`` casts and orders the columns, and refuses a
missing or extra one) and documented from it; a test compares written files, the SQL tables and the README with
these definitions, so a dashboard never breaks silently. Change a column: bump the dataset's version and say so.
"""

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


COMMODITY_VOLUMES = Dataset(
    name="commodity_volumes",
    version="1.0",
    partition="period",
    columns=(
        Column("period", pa.string(), "YYYY-MM", "reporting month (also the partition key)", "periode"),
        Column("hub_id", pa.string(), "", "the hub (secondary cooperative) of the cooperative", "kode hub"),
        Column("district_code", pa.string(), "Kemendagri code", "kecamatan, e.g. 19.02.02", "kode kecamatan"),
        Column("village_code", pa.string(), "Kemendagri code", "desa/kelurahan, e.g. 19.02.02.2001", "kode desa"),
        Column("cooperative_id", pa.string(), "", "KDMP-/KKMP- + village code without dots", "kode koperasi"),
        Column("commodity", pa.string(), "catalogue code", "e.g. lada_putih, tbs_sawit, lpg_3kg", "komoditas"),
        Column("flow", pa.string(), "supply | demand", "offered to the hub, or needed by the village", "jenis"),
        Column("quantity_base", pa.float64(), "base_unit", "sum of quantities in the base unit", "jumlah"),
        Column("base_unit", pa.string(), "", "kg, butir, tabung or liter (from the catalogue)", "satuan dasar"),
        Column("value_idr", pa.float64(), "IDR", "sum of quantity x unit price over priced lines", "nilai (Rp)"),
        Column("submissions", pa.int64(), "count", "distinct submissions behind the row", "jumlah laporan"),
        Column("lines", pa.int64(), "count", "silver lines summed into the row", "jumlah baris"),
        Column(
            "catalogue_version",
            pa.string(),
            "",
            "commodity catalogue version the lines were converted with",
            "versi katalog",
        ),
    ),
)

DATASETS = {d.name: d for d in (COMMODITY_VOLUMES,)}
