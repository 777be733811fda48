"""`make run`'s DAG runs have task logs the Airflow UI can show: `cli dags-test` writes each attempt's log where the
api-server's reader (FileTaskHandler) looks, and `cli unpause` unpauses the DAGs of dags/ once they are parsed.

A throwaway Airflow home (its own SQLite metadata DB and dags folder) with one probe DAG: a task logging through the
standard library and structlog, a mapped task, and a task that fails. The logs are read back through Airflow's
``TaskLogReader``, the code the api-server's log endpoint calls, in a process of that home.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import logging
from datetime import datetime

import structlog
from airflow.sdk import dag, task


@dag(schedule=None, start_date=datetime(2026, 1, 1), catchup=False, tags=["probe"])
def kopdes_log_probe():
    @task
    def speak():
        logging.getLogger("include.kopdes_hub.probe").info("stdlib line %s", 1)
        structlog.get_logger("probe").warning("structlog line", n=2)
        return [1, 2]

    @task
    def each(n):
        logging.getLogger("include.kopdes_hub.probe").info("mapped %s", n)

    @task(retries=0)
    def fail():
        raise ValueError("boom for the log")

    numbers = speak()
    each.expand(n=numbers) >> fail()


kopdes_log_probe()
"""
READ_LOGS = """
import json
from airflow.models.taskinstance import TaskInstance
from airflow.utils.log.log_reader import TaskLogReader
from airflow.utils.session import create_session
from sqlalchemy import select

reader = TaskLogReader()
out = {}
with create_session() as session:
    for ti in session.scalars(select(TaskInstance).where(TaskInstance.dag_id == "kopdes_log_probe")):
        lines, _ = reader.read_log_chunks(ti, ti.try_number, {})
        out[f"{ti.task_id}[{ti.map_index}]"] = [
            line.model_dump(mode="json") if hasattr(line, "model_dump") else {"event": str(line)} for line in lines
        ]
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    home = tmp_path_factory.mktemp("airflow")
    (home / "dags").mkdir()
    (home / "dags" / "kopdes_log_probe.py").write_text(PROBE)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(home / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
    }
    env.pop("AIRFLOW__LOGGING__BASE_LOG_FOLDER", None)
    subprocess.run([sys.executable, "-m", "airflow", "db", "migrate"], env=env, check=True, capture_output=True)
    return home, env


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "include.kopdes_hub.cli", *args], env=env, capture_output=True, text=True, cwd=ROOT
    )


@pytest.fixture(scope="module")
def probe_run(home) -> subprocess.CompletedProcess[str]:
    """The probe DAG run once, as `make run` runs a DAG."""
    return _cli(home[1], "dags-test", "kopdes_log_probe")


def test_each_attempt_logs_where_the_ui_reads_it(home, probe_run):
    path, env = home
    run = probe_run
    assert run.returncode == 1, run.stdout[-3000:] + run.stderr[-3000:]  # the probe's last task fails
    assert "stdlib line 1" in run.stdout + run.stderr  # the console keeps its copy

    files = sorted(p.relative_to(path / "logs").as_posix() for p in (path / "logs").rglob("attempt=*.log"))
    assert [f.split("/", 2)[2] for f in files] == [
        "task_id=each/map_index=0/attempt=1.log",
        "task_id=each/map_index=1/attempt=1.log",
        "task_id=fail/attempt=1.log",
        "task_id=speak/attempt=1.log",
    ]
    for f in files:  # JSON lines, as a worker writes them
        lines = [json.loads(line) for line in (path / "logs" / f).read_text().splitlines()]
        assert all({"timestamp", "level", "event"} <= line.keys() for line in lines)
        assert lines[0]["event"] != "::endgroup::"  # the group the runner opened before the attempt's file

    read = subprocess.run([sys.executable, "-c", READ_LOGS], env=env, capture_output=True, text=True, check=True)
    logs = json.loads(read.stdout.strip().splitlines()[-1])
    assert sorted(logs) == ["each[0]", "each[1]", "fail[-1]", "speak[-1]"]
    for lines in logs.values():
        sources = " ".join(line["event"] for line in lines)
        assert "Could not read served logs" not in sources and "attempt=1.log" in sources
    speak = {line["event"]: line for line in logs["speak[-1]"]}
    assert speak["stdlib line 1"]["level"] == "info"
    assert speak["stdlib line 1"]["logger"] == "include.kopdes_hub.probe"
    assert speak["structlog line"]["level"] == "warning" and speak["structlog line"]["n"] == 2
    assert any(line["event"] == "mapped 2" for line in logs["each[1]"])
    failed = json.dumps(logs["fail[-1]"])
    assert "boom for the log" in failed and "ValueError" in failed


def test_unpause_unpauses_the_parsed_dags_of_the_folder(home, probe_run):
    path, env = home  # the run put the probe DAG in the metadata DB, paused as Airflow creates DAGs
    first = _cli(env, "unpause")
    assert first.returncode == 0 and "unpaused kopdes_log_probe" in first.stdout, first.stdout + first.stderr
    listed = subprocess.run(
        [sys.executable, "-m", "airflow", "dags", "list", "-o", "json"], env=env, capture_output=True, text=True
    )
    dags = {d["dag_id"]: d for d in json.loads(next(x for x in listed.stdout.splitlines() if x.startswith("[{")))}
    assert dags["kopdes_log_probe"]["is_paused"] in (False, "False")
    again = _cli(env, "unpause")
    assert "none" in again.stdout  # nothing left to unpause

    (path / "dags" / "kopdes_never_parsed.py").write_text(PROBE.replace("kopdes_log_probe", "kopdes_never_parsed"))
    code = (
        "from pathlib import Path; from include.kopdes_hub.adapter import local_runs; "
        f"print(local_runs.unpause_dags(Path({str(path / 'dags')!r}), timeout=0))"
    )
    waited = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert waited.stdout.strip().splitlines()[-1] == "([], ['kopdes_never_parsed.py'])"
