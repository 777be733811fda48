"""Hands each task's datasets to the OpenLineage provider's listener.

The provider emits only run and job facets for ``@task`` functions: its Python extractor covers the classic
``PythonOperator`` and reads no datasets, and the hook lineage collector it falls back to holds what hooks report
(we use none), translates assets without their facets, stops at ``[lineage] max_assets_per_collector`` and, being a
process-wide singleton, accumulates across every task ``dag.test()`` runs in one process. So a task computes its own
lineage once its stage is done (``lineage.stages``) and ``record`` keeps it for this task instance; ``Extractor``,
registered through the provider's documented ``[openlineage] extractors`` option for the class every ``@task`` is,
returns it on COMPLETE. The listener forks to emit after the task returns, so the child finds it in memory.

Lineage is observability: computing it never fails a task, and with OpenLineage off nothing is computed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from airflow.providers.openlineage.extractors.base import BaseExtractor, OperatorLineage
from airflow.sdk import get_current_context

log = logging.getLogger(__name__)

# The task instance being run and its lineage: one slot, since a worker process runs one task at a time (and
# dag.test() runs them one after the other, each emitted before the next starts).
_recorded: tuple[tuple[Any, ...], OperatorLineage] | None = None
# The operator class of every @task (airflow.providers.standard.decorators.python), and the manager's approval.
DECORATED_PYTHON = "_PythonDecoratedOperator"
OPERATORS = [DECORATED_PYTHON, "MonthApproval"]
EXTRACTOR_PATH = f"{__name__}.Extractor"


def _key(ti: Any) -> tuple[Any, ...]:
    return (ti.dag_id, ti.task_id, ti.run_id, ti.map_index, ti.try_number)


def enabled() -> bool:
    from airflow.providers.openlineage.conf import is_disabled

    return not is_disabled()


def record(build: Callable[[], Any]) -> None:
    """Compute this task's lineage (a ``lineage.stages.Lineage``) when OpenLineage is on; a failure is logged."""
    global _recorded
    if not enabled():
        return
    try:
        lineage = build()
        ti = get_current_context()["ti"]
        _recorded = (_key(ti), OperatorLineage(inputs=lineage.inputs, outputs=lineage.outputs))
        log.info("OpenLineage: %d input(s), %d output(s)", len(lineage.inputs), len(lineage.outputs))
    except Exception:
        log.warning("OpenLineage: this task's lineage could not be computed; the task is unaffected", exc_info=True)


def take(ti: Any) -> OperatorLineage | None:
    """The lineage recorded for this task instance, if it recorded any."""
    if _recorded is not None and _recorded[0] == _key(ti):
        return _recorded[1]
    return None


class Extractor(BaseExtractor):
    """The inputs and outputs a ``@task`` recorded; on START, none yet (the task has not read anything)."""

    @classmethod
    def get_operator_classnames(cls) -> list[str]:
        return OPERATORS

    def _execute_extraction(self) -> OperatorLineage | None:
        return OperatorLineage()

    def extract_on_complete(self, task_instance: Any) -> OperatorLineage | None:
        return take(task_instance) or OperatorLineage()

    def extract_on_failure(self, task_instance: Any) -> OperatorLineage | None:
        return OperatorLineage()  # a failed task's outputs are whatever it managed: its retry reports them
