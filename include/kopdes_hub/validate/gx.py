"""The Great Expectations side: the contract's rules as suites per kind, run over a batch's rows in an ephemeral
context (GX 1.x core API, ``result_format`` COMPLETE without its extras: the unexpected indices split the rows).
Each rule's severity reaches GX as its expectation's ``severity`` (error -> critical, warning -> warning). Two suites
per kind: the rules on the file's own values, then the rules whose columns derive from which earlier lines the first
accepted (``Rule.needs_history``)."""

from __future__ import annotations

from functools import cache
from typing import Any

import pandas as pd

from include.kopdes_hub import contract
from include.kopdes_hub.reference import Catalogue
from include.kopdes_hub.validate.prepare import Registry, _normalize_grade


def contract_rules(kind: str, registry: Registry, catalogue: Catalogue) -> list[contract.Rule]:
    unit_pairs = sorted((c, u) for c, spec in catalogue.commodities.items() for u in spec.units)
    grade_pairs = sorted((c, _normalize_grade(g)) for c, spec in catalogue.commodities.items() for g in spec.grades)
    return contract.rules(kind, sorted(registry.members), unit_pairs, grade_pairs, sorted(catalogue.commodities))


# Every unexpected row's index (COMPLETE: SUMMARY and BASIC cut the list at ``partial_unexpected_count``), and
# nothing GX would build on top of it: not the rows, not the pandas query string listing every index again
# (``return_unexpected_index_query``), not the most-common-values counts (``partial_unexpected_count`` 0), not the
# values (the reasons quote bronze's). GX issues 3736, 4774 and 8671: COMPLETE's extras are what costs on large frames.
RESULT_FORMAT = {
    "result_format": "COMPLETE",
    "include_unexpected_rows": False,
    "return_unexpected_index_query": False,
    "partial_unexpected_count": 0,
    "exclude_unexpected_values": True,
}


@cache
def _gx_batch_definition() -> Any:
    """One ephemeral GX context per process, with a pandas asset that takes any DataFrame at validate time."""
    import great_expectations as gx

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = {"globally": False, "metric_calculations": False}  # type: ignore[assignment]
    source = context.data_sources.add_pandas("kopdes")
    return source.add_dataframe_asset("submission_rows").add_batch_definition_whole_dataframe("all_rows")


def build_suite(kind: str, rule_list: list[contract.Rule], needs_history: bool = False) -> Any:
    """The suite of ``rule_list``'s rules with this ``needs_history``; ``meta.rule`` is a rule's index in the list."""
    import great_expectations as gx
    from great_expectations.expectations.metadata_types import FailureSeverity

    from include.kopdes_hub.validate.expectations import CUSTOM_EXPECTATIONS

    _gx_batch_definition()  # a suite needs an active context
    name = f"kopdes_{kind}{'_history' if needs_history else ''}_{contract.CONTRACT_VERSION}"
    suite = gx.ExpectationSuite(name=name)
    for index, rule in enumerate(rule_list):
        if rule.needs_history != needs_history:
            continue
        cls = CUSTOM_EXPECTATIONS.get(rule.expectation) or getattr(gx.expectations, rule.expectation)
        meta = {"rule_id": rule.rule_id, "column": rule.column, "rule": index}
        severity = FailureSeverity(contract.GX_SEVERITY[rule.severity])
        suite.add_expectation(cls(**rule.kwargs, meta=meta, severity=severity))
    return suite


def run_suite(frame: pd.DataFrame, suite: Any) -> Any:
    """Run the suite over every row; an expectation that errors fails the task (it must never pass rows silently)."""
    batch = _gx_batch_definition().get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(suite, result_format=RESULT_FORMAT)
    broken = [r for r in result.results if r.exception_info and r.exception_info.get("raised_exception")]
    if broken:
        first = broken[0]
        raise RuntimeError(
            f"GX expectation {first.expectation_config.type} {first.expectation_config.kwargs} raised: "
            f"{first.exception_info.get('exception_message')}"
        )
    return result
