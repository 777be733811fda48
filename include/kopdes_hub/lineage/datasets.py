"""What the hub's datasets are called in OpenLineage, and the facets that describe them.

Files follow OpenLineage's naming for a local file system (namespace ``file``, name the absolute path), so a BI
tool or a Spark job reading the same Parquet names the same dataset and joins the graph: a landing file, a bronze
submission, a silver or quarantine submission, a gold or summary partition (``gold/<dataset>/period=YYYY-MM``, the
folder a partition-pruning reader opens) and the hub report. The store's tables are named after its database
(``postgres://host:port`` + ``database.schema.table`` as OpenLineage names PostgreSQL; an SQLite file as
``sqlite://<path>`` + the table). Schema facets come from ``schemas.py``, so a published dataset's lineage carries
the same columns, types and meanings as its documentation.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, ClassVar

import attr
import pyarrow as pa
from openlineage.client.event_v2 import InputDataset, OutputDataset
from openlineage.client.generated.base import DatasetFacet, OutputDatasetFacet
from openlineage.client.generated.data_quality_assertions_dataset import DataQualityAssertionsDatasetFacet
from openlineage.client.generated.output_statistics_output_dataset import OutputStatisticsOutputDatasetFacet
from openlineage.client.generated.schema_dataset import SchemaDatasetFacet, SchemaDatasetFacetFields
from openlineage.client.naming.dataset import LocalFileSystem, Postgres
from sqlalchemy.engine import make_url

from include.kopdes_hub.storage import schemas

# A custom facet's schema must be a URL; the JSON Schema it names is kept beside this module (facets.json).
FACET_SCHEMA = "https://github.com/kopdes-hub/kopdes-hub/blob/main/include/kopdes_hub/lineage/facets.json"


class Schema(SchemaDatasetFacet):
    """A schema facet the provider does not redact: its fields are column names and our own documentation, never a
    secret, and walking them costs the listener seconds per validation batch (a field is ~7 attributes, a batch
    ~900 files), which it has to finish within ``[openlineage] execution_timeout``."""

    _additional_skip_redact: ClassVar[list[str]] = ["fields"]


class Assertions(DataQualityAssertionsDatasetFacet):
    """Data-quality assertions, not redacted for the same reason: rule ids, columns and counts."""

    _additional_skip_redact: ClassVar[list[str]] = ["assertions"]


def file_name(path: Path) -> str:
    """The dataset name of a file or folder: its absolute path, links not resolved (a name, never a target)."""
    return os.path.abspath(path)


def file_input(path: Path, facets: dict[str, Any] | None = None, **input_facets: Any) -> InputDataset:
    named = LocalFileSystem(path=file_name(path))
    return InputDataset(named.get_namespace(), named.get_name(), facets=facets or {}, inputFacets=input_facets)


def file_output(path: Path, rows: int | None = None, **facets: Any) -> OutputDataset:
    """A file (or a partition's folder) written, with the rows and bytes written when known."""
    named = LocalFileSystem(path=file_name(path))
    files = [path] if path.is_file() else sorted(p for p in path.glob("*") if p.is_file()) if path.is_dir() else []
    statistics = OutputStatisticsOutputDatasetFacet(
        rowCount=rows, size=sum(p.stat().st_size for p in files) if files else None, fileCount=len(files) or None
    )
    return OutputDataset(
        named.get_namespace(), named.get_name(), facets=facets, outputFacets={"outputStatistics": statistics}
    )


def store_name(db_url: str, table: str) -> tuple[str, str]:
    """(namespace, name) of one of the store's tables."""
    url = make_url(db_url)
    if url.get_backend_name() == "postgresql":
        named = Postgres(host=url.host or "localhost", port=str(url.port or 5432), database=url.database or "",
                         schema="public", table=table)  # fmt: skip
        return named.get_namespace(), named.get_name()
    return f"sqlite://{file_name(Path(url.database or ''))}", table


def store_input(db_url: str, table: str) -> InputDataset:
    return InputDataset(*store_name(db_url, table))


def store_output(db_url: str, table: str, rows: int | None = None, **facets: Any) -> OutputDataset:
    statistics: dict[str, OutputDatasetFacet] = {}
    if rows is not None:
        statistics["outputStatistics"] = OutputStatisticsOutputDatasetFacet(rowCount=rows)
    return OutputDataset(*store_name(db_url, table), facets=facets, outputFacets=statistics)


def _field(name: str, type_: pa.DataType, description: str | None, position: int) -> SchemaDatasetFacetFields:
    nested = []
    if pa.types.is_struct(type_):
        nested = [_field(f.name, f.type, None, i) for i, f in enumerate(type_, 1)]
    elif pa.types.is_list(type_) and pa.types.is_struct(type_.value_type):
        nested = [_field(f.name, f.type, None, i) for i, f in enumerate(type_.value_type, 1)]
    return SchemaDatasetFacetFields(
        name=name, type=str(type_), description=description, ordinal_position=position, fields=nested
    )


def schema_facet(dataset: schemas.Dataset) -> Schema:
    """A published or lake dataset's columns with their meaning and unit, as ``schemas.py`` defines them."""
    return Schema(
        fields=[
            _field(c.name, c.type, f"{c.meaning} [{c.unit}]" if c.unit else c.meaning, i)
            for i, c in enumerate(dataset.columns, 1)
        ]
    )


def arrow_schema_facet(schema: pa.Schema) -> Schema:
    """A file's own columns (bronze keeps a file's columns as received, so it has no fixed schema)."""
    return Schema(fields=[_field(f.name, f.type, None, i) for i, f in enumerate(schema, 1)])


@attr.define
class ValidationFacet(DatasetFacet):
    """What validation decided for one submission: the rows accepted, quarantined and accepted with a warning, and
    whether it passed every error-severity expectation of the GX suite (``gx_success``)."""

    submission_id: str
    kind: str | None
    decision: str | None
    rows_bronze: int
    rows_accepted: int
    rows_quarantined: int
    rows_with_warnings: int
    gx_success: bool
    validation_run_id: str | None
    contract_version: str | None
    catalogue_version: str | None

    @staticmethod
    def _get_schema() -> str:
        return f"{FACET_SCHEMA}#/$defs/KopdesValidationFacet"


@attr.define
class SubmissionFacet(DatasetFacet):
    """The ledger's word on a landing file: the submission its content is, and where it ended (bronze, or a
    ledger reason a clerk can act on)."""

    submission_id: str
    status: str
    reason_code: str | None
    reason: str | None
    cooperative_id: str | None
    period: str | None
    kind: str | None

    @staticmethod
    def _get_schema() -> str:
        return f"{FACET_SCHEMA}#/$defs/KopdesSubmissionFacet"


VALIDATION_FACET = "kopdes_validation"
SUBMISSION_FACET = "kopdes_submission"
