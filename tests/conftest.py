"""Shared fixtures: every test gets its own landing folder, lake and SQLite store; Airflow uses the repo's home."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Set before anything imports Airflow, so `pytest` alone behaves like `make test`.
os.environ.setdefault("AIRFLOW_HOME", str(ROOT / ".airflow"))
os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(ROOT / "dags"))
os.environ.setdefault("AIRFLOW__CORE__PLUGINS_FOLDER", str(ROOT / "plugins"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
# OpenLineage events of the whole session go to a folder of its own, never to the project's data/lineage (the
# provider reads its transport once per process, so it cannot move per test: tests tell their events apart by
# the datasets they name, under each test's tmp_path).
LINEAGE_EVENTS = Path(tempfile.mkdtemp(prefix="kopdes-lineage-"))
os.environ["AIRFLOW__OPENLINEAGE__TRANSPORT"] = json.dumps(
    {"type": "file", "log_file_path": str(LINEAGE_EVENTS / "events"), "append": False}
)
os.environ.setdefault("AIRFLOW__OPENLINEAGE__NAMESPACE", "kopdes_hub")
os.environ.setdefault("AIRFLOW__OPENLINEAGE__EXTRACTORS", "include.kopdes_hub.adapter.lineage.Extractor")


def completed_events(under: Path) -> dict[str, list[dict]]:
    """The session's COMPLETE OpenLineage events naming a dataset under ``under`` (a test's tmp_path), per job
    (dag_id.task_id)."""
    jobs: dict[str, list[dict]] = {}
    for path in sorted(LINEAGE_EVENTS.iterdir()):
        event = json.loads(path.read_text())
        names = [d["namespace"] + d["name"] for d in event.get("inputs", []) + event.get("outputs", [])]
        if event["eventType"] == "COMPLETE" and any(str(under) in n for n in names):
            jobs.setdefault(event["job"]["name"], []).append(event)
    return jobs


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Point the pipeline at a fresh landing, lake and SQLite store under tmp_path, migrated and loaded."""
    from include.kopdes_hub.config import get_settings
    from include.kopdes_hub.storage import store

    monkeypatch.setenv("KOPDES_LANDING", str(tmp_path / "landing"))
    monkeypatch.setenv("KOPDES_LAKE", str(tmp_path / "lake"))
    monkeypatch.setenv("KOPDES_DB_URL", f"sqlite:///{tmp_path / 'kopdes.db'}")
    result = get_settings()
    result.landing.mkdir(parents=True)
    store.prepare(result.db_url)
    return result


@pytest.fixture(scope="session")
def airflow_db() -> None:
    """The Airflow metadata DB that dag.test() needs; `make setup` creates it, this covers a bare `pytest`."""
    home = Path(os.environ["AIRFLOW_HOME"])
    stamp = home / ".migrated"
    if not stamp.exists():
        home.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], check=True, capture_output=True)
        stamp.touch()
