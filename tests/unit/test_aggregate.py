"""Aggregation as a pure function, and the published schema as a contract with BI tools."""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa
import pytest

from include.kopdes_hub import aggregate
from include.kopdes_hub.storage import schemas, store

README = Path(__file__).resolve().parents[2] / "README.md"


def _silver(rows: list[dict]) -> pa.Table:
    base = {
        "period": "2026-07",
        "hub_id": "HUB-1902",
        "district_code": "19.02.02",
        "village_code": "19.02.02.2001",
        "cooperative_id": "KDMP-1902022001",
        "flow": "supply",
        "base_unit": "kg",
        "catalogue_version": "2026.11.1",
    }
    return pa.Table.from_pylist([{**base, **r} for r in rows])


def test_commodity_volumes_sums_base_units_values_and_distinct_submissions():
    silver = _silver(
        [
            {"commodity": "lada_putih", "quantity_base": 1250.5, "value_idr": 200_080_000.0, "submission_id": "a"},
            {"commodity": "lada_putih", "quantity_base": 300.0, "value_idr": 47_400_000.0, "submission_id": "a"},
            {"commodity": "lada_putih", "quantity_base": 100.0, "value_idr": None, "submission_id": "b"},
            {"commodity": "beras", "flow": "demand", "quantity_base": 2000.0, "value_idr": 26e6, "submission_id": "a"},
        ]
    )
    out = aggregate.commodity_volumes(silver)
    assert out.schema == schemas.COMMODITY_VOLUMES.schema
    rows = {(r["commodity"], r["flow"]): r for r in out.to_pylist()}
    pepper = rows[("lada_putih", "supply")]
    assert (pepper["quantity_base"], pepper["value_idr"], pepper["submissions"], pepper["lines"]) == (
        1650.5,
        247_480_000.0,
        2,
        3,
    )
    assert rows[("beras", "demand")]["quantity_base"] == 2000.0
    assert [r["commodity"] for r in out.to_pylist()] == ["beras", "lada_putih"]


def test_conform_refuses_missing_or_extra_columns():
    table = aggregate.commodity_volumes(
        _silver([{"commodity": "cumi", "quantity_base": 1.0, "value_idr": 1.0, "submission_id": "a"}])
    )
    with pytest.raises(ValueError, match="missing"):
        schemas.COMMODITY_VOLUMES.conform(table.drop_columns(["lines"]))
    with pytest.raises(ValueError, match="unexpected"):
        schemas.COMMODITY_VOLUMES.conform(table.append_column("extra", pa.array([1])))


def test_fingerprint_depends_on_the_inputs_only():
    a = [("s1", "silver/lines/period=2026-07/s1.parquet"), ("s2", "silver/lines/period=2026-07/s2.parquet")]
    assert aggregate.fingerprint(a) == aggregate.fingerprint(list(reversed(a)))
    assert aggregate.fingerprint(a) != aggregate.fingerprint(a[:1])


@pytest.mark.parametrize("dataset", schemas.DATASETS.values(), ids=lambda d: d.name)
def test_every_published_column_is_documented_and_in_sql(dataset):
    docs = README.read_text(encoding="utf-8")
    section = docs[docs.index(f"`gold/{dataset.name}/`") :]
    for column in dataset.columns:
        assert re.search(rf"\| `{column.name}` \|", section), f"README does not document {dataset.name}.{column.name}"
    assert f"schema {dataset.version}" in section
    sql_columns = {c.name for c in store.Base.metadata.tables[f"gold_{dataset.name}"].columns}
    assert sql_columns == {c.name for c in dataset.columns}


def test_read_parquet_files_keeps_the_given_order_and_reads_no_files_as_no_rows(tmp_path):
    from include.kopdes_hub.storage import lake

    first = lake.write_parquet_atomic(pa.table({"x": [1.0, 2.0], "y": ["a", "b"]}), tmp_path / "b.parquet")
    second = lake.write_parquet_atomic(pa.table({"x": [3.0], "y": ["c"]}), tmp_path / "a.parquet")
    assert lake.read_parquet_files([first, second], ["x"]).column("x").to_pylist() == [1.0, 2.0, 3.0]
    assert lake.read_parquet_files([second, first], ["x"]).column("x").to_pylist() == [3.0, 1.0, 2.0]
    empty = lake.read_parquet_files([], ["x", "y"])
    assert empty.num_rows == 0 and empty.column_names == ["x", "y"]
