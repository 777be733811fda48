"""OpenLineage names and facets: stable names (links never resolved), the store's tables as OpenLineage names
them, schema facets from schemas.py, the custom facets' JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa

from include.kopdes_hub.lineage import datasets as ds
from include.kopdes_hub.storage import schemas


def test_files_are_named_by_their_absolute_path_never_by_a_link_target(tmp_path: Path):
    target = tmp_path / "elsewhere.csv"
    target.write_text("x")
    link = tmp_path / "landing.csv"
    link.symlink_to(target)
    named = ds.file_input(link)
    assert (named.namespace, named.name) == ("file", str(link))


def test_store_tables_follow_openlineage_naming(tmp_path: Path):
    assert ds.store_name("postgresql+psycopg://hub@db.local:5433/kopdes", "submission") == (
        "postgres://db.local:5433",
        "kopdes.public.submission",
    )
    assert ds.store_name(f"sqlite:///{tmp_path}/kopdes.db", "submission") == (
        f"sqlite://{tmp_path}/kopdes.db",
        "submission",
    )


def test_a_partition_folder_output_counts_its_files_and_bytes(tmp_path: Path):
    folder = tmp_path / "period=2026-07"
    folder.mkdir()
    (folder / "part-0.parquet").write_bytes(b"1234")
    stats = ds.file_output(folder, 7).outputFacets["outputStatistics"]
    assert (stats.rowCount, stats.size, stats.fileCount) == (7, 4, 1)
    missing = ds.file_output(tmp_path / "gone", 0).outputFacets["outputStatistics"]
    assert (missing.rowCount, missing.size, missing.fileCount) == (0, None, None)


def test_schema_facet_carries_meaning_unit_and_nested_fields():
    fields = {f.name: f for f in ds.schema_facet(schemas.SILVER_LINES).fields}
    assert list(fields) == [c.name for c in schemas.SILVER_LINES.columns]
    assert fields["quantity_base"].type == "double"
    assert fields["quantity_base"].description == "quantity in the catalogue's base unit [base_unit]"
    assert "rule_id" in [f.name for f in fields["warnings"].fields], "a list of reason structs shows the struct"
    bronze = ds.arrow_schema_facet(pa.schema([("jumlah", pa.string())]))
    assert [(f.name, f.type, f.ordinal_position) for f in bronze.fields] == [("jumlah", "string", 1)]


def test_custom_facets_name_definitions_of_the_shipped_json_schema():
    schema = json.loads((Path(ds.__file__).parent / "facets.json").read_text())
    assert schema["$id"] == ds.FACET_SCHEMA
    for facet in (ds.ValidationFacet, ds.SubmissionFacet):
        url, definition = facet._get_schema().split("#/$defs/")
        assert url == ds.FACET_SCHEMA
        properties = schema["$defs"][definition]["allOf"][1]["properties"]
        assert set(properties) == {a.name for a in facet.__attrs_attrs__ if not a.name.startswith("_")}


def test_schema_and_assertion_facets_are_standard_and_skip_the_listeners_redaction():
    from openlineage.client.serde import Serde

    facet = json.loads(Serde.to_json(ds.schema_facet(schemas.QUARANTINE)))
    assert facet["_schemaURL"].endswith("SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet")
    assert "fields" in ds.schema_facet(schemas.QUARANTINE).skip_redact
    assert "assertions" in ds.Assertions(assertions=[]).skip_redact
