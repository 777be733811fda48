"""kopdes_validate renders feedback off the decision path: a mapped task after the decisions are settled, emitting
its own asset, that neither silver's announcement nor aggregation waits for."""

from __future__ import annotations

from pathlib import Path

import pytest

DAGS_DIR = Path(__file__).resolve().parents[2] / "dags"


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_DIR))


def test_render_runs_after_settle_as_a_mapped_task_with_its_own_asset(dagbag):
    dag = dagbag.get_dag("kopdes_validate")
    settle, find, render = (dag.get_task(t) for t in ("settle_silver", "find_unrendered", "render_feedback"))
    assert "settle_silver" in find.upstream_task_ids and "find_unrendered" in render.upstream_task_ids
    assert find.trigger_rule == "all_done"  # a skipped settle or a failed batch still has decisions to render
    assert type(render).__name__.endswith("MappedOperator")
    assert [a.name for a in render.outlets] == ["feedback_pages"]
    # silver (what aggregation is scheduled on) is emitted by settle, which depends on no rendering
    assert [a.name for a in settle.outlets] == ["silver_submissions"]
    assert not settle.get_flat_relative_ids(upstream=True) & {"find_unrendered", "render_feedback"}


def test_aggregation_is_woken_by_silver_not_by_the_pages(dagbag):
    aggregate = dagbag.get_dag("kopdes_aggregate")
    condition = aggregate.timetable.asset_condition
    names = {a.name for a in condition.objects} if hasattr(condition, "objects") else {condition.name}
    assert "silver_submissions" in names and "feedback_pages" not in names
