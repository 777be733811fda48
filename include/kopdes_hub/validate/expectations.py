"""Custom Great Expectations expectations for rules the built-ins cannot state.

GX's ``ExpectCompoundColumnsToBeUnique`` flags every copy of a repeated row; a clerk's file should keep the first
copy and quarantine only the repeats, so the contract's duplicate rule needs its own metric. Importing this module
registers the expectation with GX (it is imported by ``validate`` only, never at DAG-parse time).
"""

from __future__ import annotations

from typing import Any, ClassVar

import pydantic
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import MulticolumnMapExpectation
from great_expectations.expectations.metrics.map_metric_provider import MulticolumnMapMetricProvider
from great_expectations.expectations.metrics.map_metric_provider.multicolumn_condition_partial import (
    multicolumn_condition_partial,
)


class CompoundColumnsFirstOccurrence(MulticolumnMapMetricProvider):
    """True for the first row of each combination of values, False for every later repeat."""

    condition_metric_name = "compound_columns.first_occurrence"
    condition_domain_keys = ("batch_id", "table", "column_list", "row_condition", "condition_parser", "ignore_row_if")

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list: Any, **kwargs: Any) -> Any:
        return ~column_list.duplicated(keep="first")


class ExpectCompoundColumnsToBeUniqueExceptFirst(MulticolumnMapExpectation):
    """Expect each combination of values in ``column_list`` once; the first copy passes, later copies fail."""

    column_list: list[str] = pydantic.Field(description="Columns whose values together identify a row.")
    map_metric = "compound_columns.first_occurrence"
    args_keys = ("column_list",)
    library_metadata: ClassVar[dict[str, Any]] = {"maturity": "experimental", "tags": ["kopdes"], "contributors": []}


CUSTOM_EXPECTATIONS = {"ExpectCompoundColumnsToBeUniqueExceptFirst": ExpectCompoundColumnsToBeUniqueExceptFirst}
