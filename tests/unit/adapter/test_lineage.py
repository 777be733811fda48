"""The hand-over of a task's lineage to the provider: kept for its own task instance only, never computed with
OpenLineage off, and a failure to compute it never fails the task."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from include.kopdes_hub.adapter import lineage
from include.kopdes_hub.lineage import datasets as ds
from include.kopdes_hub.lineage.stages import Lineage


def _ti(map_index: int = 0, try_number: int = 1) -> SimpleNamespace:
    return SimpleNamespace(dag_id="kopdes_ingest", task_id="ingest_batch", run_id="r1", map_index=map_index,
                           try_number=try_number)  # fmt: skip


@pytest.fixture
def running(monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    ti = _ti()
    monkeypatch.setattr(lineage, "get_current_context", lambda: {"ti": ti})
    monkeypatch.setattr(lineage, "enabled", lambda: True)
    monkeypatch.setattr(lineage, "_recorded", None)
    return ti


def test_recorded_lineage_is_returned_on_complete_for_its_own_task_instance_only(running, tmp_path):
    lineage.record(lambda: Lineage([ds.file_input(tmp_path / "a.csv")], [ds.file_output(tmp_path / "b.parquet")]))
    extractor = lineage.Extractor(SimpleNamespace(task_id="ingest_batch"))
    found = extractor.extract_on_complete(running)
    assert [d.name for d in found.inputs] == [str(tmp_path / "a.csv")]
    assert [d.name for d in found.outputs] == [str(tmp_path / "b.parquet")]
    assert extractor.extract_on_complete(_ti(map_index=1)).inputs == [], "another mapped instance"
    assert extractor.extract_on_complete(_ti(try_number=2)).inputs == [], "a retry reports its own"
    assert extractor.extract().inputs == [] and extractor.extract_on_failure(running).outputs == []
    assert lineage.Extractor.get_operator_classnames() == ["_PythonDecoratedOperator", "MonthApproval"]


def test_a_failing_lineage_never_fails_the_task(running, caplog):
    def broken() -> Lineage:
        raise OSError("lake unreadable")

    lineage.record(broken)
    assert lineage.take(running) is None
    assert "could not be computed" in caplog.text


def test_nothing_is_computed_with_openlineage_off(running, monkeypatch):
    monkeypatch.setattr(lineage, "enabled", lambda: False)
    lineage.record(lambda: pytest.fail("computed although OpenLineage is off"))
    assert lineage.take(running) is None
