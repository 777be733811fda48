"""What `make up` and `make run` do, read from make itself (`make -n`: every recipe line expanded, none run): the
DAGs unpaused unless PAUSED=1, nothing listening beyond 127.0.0.1, each chain DAG run with its task logs kept for
the UI and its console output in a file of its own per run."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# a probe target that runs before `up`'s recipe, so it sees `up`'s target-specific variables
PROBE = "probe-env: ; @echo paused=$(AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION) chain=$(CHAIN_DAGS)"

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="no make on this machine")


def _dry_run(target: str, *variables: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("PAUSED", "MAKEFLAGS", "MAKELEVEL")}
    out = subprocess.run(
        ["make", "-n", "--no-print-directory", "--eval", PROBE, "--eval", f"{target}: probe-env", target, *variables],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.replace("\\\n", " ")  # one line per shell command


def test_make_up_unpauses_every_dag_unless_paused():
    default = _dry_run("up")
    assert "paused=False" in default  # a DAG the dag-processor meets first starts unpaused
    assert re.search(r'if \[ -n "" \]; then .*else .*include\.kopdes_hub\.cli unpause;\s+fi', default, re.S)

    paused = _dry_run("up", "PAUSED=1")
    assert "paused=True" in paused
    assert re.search(r'if \[ -n "1" \]; then .*keep their pause state', paused, re.S)


def test_make_up_listens_on_loopback_only():
    commands = _dry_run("up")
    started = dict(re.findall(r"\.venv/bin/airflow (api-server|scheduler|dag-processor|triggerer)([^>]*)>", commands))
    assert sorted(started) == ["api-server", "dag-processor", "scheduler", "triggerer"]
    assert started["api-server"].split() == ["-H", "127.0.0.1", "-p", "8080"]
    # the log servers would bind every interface (Airflow has no host setting for them): never started
    assert "--skip-serve-logs" in started["scheduler"] and "--skip-serve-logs" in started["triggerer"]


def test_make_run_runs_each_chain_dag_with_its_logs_kept():
    commands = _dry_run("run")
    chain = re.search(r"chain=(.+)", commands).group(1).split()
    assert chain == ["kopdes_ingest", "kopdes_validate", "kopdes_aggregate", "kopdes_publish"]
    assert all((ROOT / "dags" / f"{dag}.py").exists() for dag in chain)
    assert "include.kopdes_hub.cli dags-test $dag" in commands  # task logs where the UI reads them
    assert "airflow dags test" not in commands
    # the console output: one file per run and DAG, named by the run's UTC time, never overwritten
    assert "stamp=$(date -u +%Y%m%dT%H%M%SZ)" in commands
    assert re.search(r"log=\S+/\.airflow/logs/make-run/\$stamp-\$dag\.log", commands)
    steps = re.findall(r'echo "\[(\d)/4\] ', commands)
    assert steps == ["1", "2", "3", "4"]
    assert "make up" in commands.split('echo "[4/4] summary"')[1]  # the report and UI need `make up`
