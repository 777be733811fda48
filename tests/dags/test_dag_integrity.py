"""Every DAG imports cleanly, is documented (a Bahasa Indonesia paragraph first, its schedule named), tagged and
retried, and loads nothing heavy at parse time."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

DAGS_DIR = Path(__file__).resolve().parents[2] / "dags"
DAG_FILES = sorted(p for p in DAGS_DIR.glob("*.py") if not p.name.startswith("_"))
# SQLAlchemy is left out: Airflow itself loads it before any DAG file.
HEAVY = ("pandas", "pyarrow", "great_expectations", "openpyxl", "numpy", "alembic")


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_DIR))


def test_no_import_errors(dagbag):
    assert dagbag.import_errors == {}
    assert DAG_FILES, "no DAG files found"


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.stem)
def test_one_dag_per_file_named_after_it(dagbag, path):
    dags = [d for d in dagbag.dags.values() if Path(d.fileloc).name == path.name]
    assert [d.dag_id for d in dags] == [path.stem]


def test_dags_are_documented_tagged_owned_and_retried(dagbag):
    for dag in dagbag.dags.values():
        assert dag.doc_md and len(dag.doc_md.strip()) > 40, dag.dag_id
        assert "kopdes" in dag.tags, dag.dag_id
        assert dag.catchup is False, dag.dag_id  # backfills are explicit (airflow backfill create), never implicit
        for task in dag.tasks:
            assert task.retries >= 1, f"{dag.dag_id}.{task.task_id}"
            assert task.retry_exponential_backoff, f"{dag.dag_id}.{task.task_id}"
            assert task.owner == "hub-data", f"{dag.dag_id}.{task.task_id}"
            assert task.on_failure_callback, f"{dag.dag_id}.{task.task_id} raises no alert"


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.stem)
def test_dag_file_loads_nothing_heavy_at_parse_time(path):
    # In a fresh interpreter, after Airflow itself is loaded, importing the DAG file must not pull in the data
    # stack: that is what keeps parsing well under a second on the dag-processor.
    code = f"""
import sys, json, runpy, time
import airflow.sdk
before = set(sys.modules)
start = time.perf_counter()
runpy.run_path({str(path)!r})
print(json.dumps({{"new": sorted(set(sys.modules) - before), "seconds": time.perf_counter() - start}}))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    loaded_heavy = sorted({m.split(".")[0] for m in result["new"]} & set(HEAVY))
    assert loaded_heavy == [], f"{path.name} imports {loaded_heavy} at parse time"


# Words that only a Bahasa Indonesia sentence has, and English ones it must not have (the names of things, such as
# bronze, ledger or DAG, are allowed in both).
INDONESIAN = {"yang", "dan", "di", "ke", "dari", "ini", "untuk", "setiap", "dengan", "tidak", "juga", "begitu", "baru"}
ENGLISH = {"the", "and", "of", "is", "to", "when", "every", "runs", "with", "from", "this", "each", "or"}
WHEN_INDONESIAN = {"setiap", "begitu", "setelah", "pukul", "malam", "menit", "dipicu"}


def _first_paragraph(doc: str) -> str:
    return doc.strip().split("\n\n", 1)[0]


def _schedule(dag) -> tuple[list[tuple[str, str]], list[str]]:
    """What the DAG runs on: its cron expressions with their time zones, and the names of its trigger assets."""
    from airflow.sdk import Asset

    from include.kopdes_hub.config import Settings, get_settings

    timetable = dag.timetable
    crons = []
    for part in (getattr(timetable, "timetable", None), timetable):
        if part is not None and hasattr(part, "expression"):
            # the doc names the sweep's default; KOPDES_SWEEP_CRON may override it where the suite runs
            expression = Settings.sweep_cron if part.expression == get_settings().sweep_cron else part.expression
            crons.append((expression, str(part.timezone)))

    def names(condition) -> list[str]:
        if condition is None:
            return []
        if isinstance(condition, Asset):
            return [condition.name]
        return [name for member in condition.objects for name in names(member)]

    return crons, names(getattr(timetable, "asset_condition", None))


def test_dags_have_a_schedule_to_state(dagbag):
    for dag in dagbag.dags.values():
        crons, assets = _schedule(dag)
        if dag.schedule is None:  # triggered by hand (kopdes_reopen): its doc says so
            assert "triggered by hand" in dag.doc_md.lower() and "dipicu manual" in dag.doc_md, dag.dag_id
            continue
        assert crons or assets, f"{dag.dag_id}: the test finds no schedule to check the doc against"


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.stem)
def test_dag_doc_opens_with_a_short_paragraph_in_bahasa_indonesia(dagbag, path):
    # the hub staff read the first paragraph: what the DAG does and when it runs, in their language
    first = _first_paragraph(dagbag.dags[path.stem].doc_md)
    words = set(re.findall(r"[a-z]+", first.lower()))
    assert not first.startswith("#"), "the doc opens with a heading, not the Bahasa paragraph"
    assert len(first) <= 500, f"{len(first)} characters: one short paragraph"
    assert len(words & INDONESIAN) >= 5, f"not Bahasa Indonesia: {first!r}"
    assert words & ENGLISH == set(), f"English words {sorted(words & ENGLISH)} in {first!r}"
    assert words & WHEN_INDONESIAN, f"does not say when it runs: {first!r}"
    crons, _ = _schedule(dagbag.dags[path.stem])
    if any(tz == "Asia/Jakarta" for _, tz in crons):
        assert "WIB" in first, "a time schedule in WIB: the paragraph says so"


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.stem)
def test_dag_doc_names_its_schedule(dagbag, path):
    dag = dagbag.dags[path.stem]
    crons, assets = _schedule(dag)
    for expression, tz in crons:
        assert f"`{expression}`" in dag.doc_md, f"the doc does not name the cron `{expression}`"
        assert tz != "Asia/Jakarta" or "WIB" in dag.doc_md
    for name in assets:
        assert f"`{name}`" in dag.doc_md, f"the doc does not name the trigger asset `{name}`"
