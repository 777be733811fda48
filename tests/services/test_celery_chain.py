"""The distributed path for real: scheduler, dag-processor, triggerer, api-server and two Celery workers started
natively against PostgreSQL (metadata) and Redis (broker, landing events). Files announced on Redis flow through
ingest, validate, aggregate and publish by asset-triggered runs alone; a file whose event was lost arrives by the
sweep; the API wants a login. The test reports the event-to-summary latency and stops every process it started."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.services

ROOT = Path(__file__).resolve().parents[2]
PG = "postgresql+psycopg2://postgres@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379"
FILES = {
    "KDMP-1902022001_2026-07.csv": (
        "kode_koperasi;periode;jenis;tanggal;komoditas;jumlah;satuan;harga_satuan\r\n"
        "KDMP-1902022001;2026-07;pasokan;05/07/2026;Ikan Tongkol;300;kg;15.000\r\n"
        "KDMP-1902022001;2026-07;kebutuhan;06/07/2026;Beras;500;kg;13.000\r\n"
    ),
    "KDMP-1902012004_2026-07.csv": (
        "kode_koperasi;periode;jenis;tanggal;komoditas;jumlah;satuan;harga_satuan\r\n"
        "KDMP-1902012004;2026-07;kebutuhan;07/07/2026;Ikan Tongkol;120;kg;16.000\r\n"
    ),
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _services_up() -> str | None:
    try:
        import redis
        from sqlalchemy import create_engine, text

        redis.Redis.from_url(REDIS).ping()
        with create_engine(f"{PG}/postgres").connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:
        return str(exc)
    return None


@pytest.fixture
def databases():
    from sqlalchemy import create_engine, text

    names = [f"kopdes_af_{uuid.uuid4().hex[:8]}", f"kopdes_store_{uuid.uuid4().hex[:8]}"]
    admin = create_engine(f"{PG}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield names
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


class Stack:
    """The Airflow processes of one test, each in its own process group, stopped by PID."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs, self.procs = env, logs, {}

    def run(self, *args: str) -> None:
        out = subprocess.run([sys.executable, "-m", "airflow", *args], env=self.env, capture_output=True, text=True)
        assert out.returncode == 0, out.stderr[-3000:]

    def start(self, name: str, *args: str) -> None:
        log = (self.logs / f"{name}.log").open("w")
        self.procs[name] = subprocess.Popen(
            [sys.executable, "-m", "airflow", *args],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=ROOT,
        )

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        for proc in self.procs.values():
            try:
                proc.wait(timeout=max(1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    def tail(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text()[-1500:]}" for p in sorted(self.logs.glob("*.log")))


def test_announced_files_reach_the_summaries_on_celery(tmp_path, databases):
    missing = _services_up()
    if missing:
        pytest.skip(f"PostgreSQL or Redis is not reachable: {missing}")
    metadata, store_db = databases
    port = _free_port()
    redis_db = 7 + uuid.uuid4().int % 8  # a database of its own on the shared Redis
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "AIRFLOW_HOME": str(tmp_path / "airflow"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"{PG}/{metadata}",
        "AIRFLOW__CELERY__BROKER_URL": f"{REDIS}/{redis_db}",
        "AIRFLOW__CELERY__RESULT_BACKEND": f"db+postgresql+psycopg2://postgres@127.0.0.1:5432/{metadata}",
        "AIRFLOW__API_AUTH__JWT_SECRET": uuid.uuid4().hex * 2,
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "AIRFLOW__SCHEDULER__DAG_DIR_LIST_INTERVAL": "5",
        "AIRFLOW_CONN_REDIS_DEFAULT": f"{REDIS}/{redis_db}",
        "KOPDES_EVENTS": "redis",
        "KOPDES_SWEEP_CRON": "* * * * *",  # a sweep every minute, so the lost event below is found in the test
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(tmp_path / "passwords.json"),
        "KOPDES_LANDING": str(tmp_path / "landing"),
        "KOPDES_LAKE": str(tmp_path / "lake"),
        "KOPDES_DB_URL": f"{PG}/{store_db}",
    }
    (tmp_path / "airflow").mkdir()
    (tmp_path / "passwords.json").write_text('{"admin": "admin"}')
    (tmp_path / "landing").mkdir()
    logs = tmp_path / "logs"
    logs.mkdir()
    stack = Stack(env, logs)
    stack.run("db", "migrate")
    stack.run("pools", "set", "kopdes_heavy", "2", "memory-heavy kopdes tasks")
    try:
        stack.start("api-server", "api-server", "-H", "127.0.0.1", "-p", str(port))
        stack.start("scheduler", "scheduler", "--skip-serve-logs")
        stack.start("dag-processor", "dag-processor")
        stack.start("triggerer", "triggerer", "--skip-serve-logs")
        for worker in ("w1", "w2"):
            stack.start(worker, "celery", "worker", "-H", f"{worker}@%h", "-c", "2", "--skip-serve-logs")
        _wait(lambda: _healthy(port), 120, "api-server health", stack)

        sources = []
        for name, text in FILES.items():
            (tmp_path / name).write_bytes(text.encode("cp1252"))
            sources.append(tmp_path / name)
        started = time.monotonic()
        report = tmp_path / "lake" / "reports" / "laporan_hub_2026-07.html"

        def announce_until_ingested() -> bool:
            # pub/sub is at-most-once: announcing again is harmless (the ledger dedups), so repeat until heard
            if not (tmp_path / "lake" / "bronze").exists():
                subprocess.run(
                    [sys.executable, "-m", "include.kopdes_hub.cli", "announce", *map(str, sources)],
                    env=env,
                    check=True,
                    capture_output=True,
                    cwd=ROOT,
                )
            return report.exists()

        _wait(announce_until_ingested, 420, "the hub report", stack, every=5)
        latency = time.monotonic() - started
        print(f"\nevent-to-summary latency on Celery (2 workers): {latency:.1f} s")

        import pyarrow.parquet as pq

        balance = pq.read_table(tmp_path / "lake" / "gold" / "hub_balance" / "period=2026-07" / "part-0.parquet")
        transfers = pq.read_table(tmp_path / "lake" / "gold" / "hub_transfers" / "period=2026-07" / "part-0.parquet")
        hub = {r["commodity"]: r for r in balance.to_pylist() if r["level"] == "hub"}
        assert (hub["ikan_tongkol"]["supply_base"], hub["ikan_tongkol"]["demand_base"]) == (300.0, 120.0)
        assert [(t["from_village"], t["to_village"], t["quantity_base"]) for t in transfers.to_pylist()] == [
            ("19.02.02.2001", "19.02.01.2004", 120.0)
        ]

        # ingest is woken by the Redis event (or, if a minute's sweep came first, by the sweep); everything
        # downstream only by assets. The report is written before its run is marked done: wait for the runs.
        def chain_succeeded() -> bool:
            runs = _dag_runs(port)
            woken = any(r["state"] == "success" for r in runs["kopdes_ingest"])
            return woken and all(
                any(r["run_type"] == "asset_triggered" and r["state"] == "success" for r in runs[dag_id])
                for dag_id in ("kopdes_validate", "kopdes_aggregate", "kopdes_publish")
            )

        _wait(chain_succeeded, 180, "asset-triggered runs of every stage to succeed", stack, every=3)
        runs = _dag_runs(port)
        print("ingest runs:", sorted({r["run_type"] for r in runs["kopdes_ingest"]}))
        # the API is behind the login, but for its health check
        assert _status(f"http://127.0.0.1:{port}/api/v2/dags") == 401
        assert _status(f"http://127.0.0.1:{port}/kopdes/reports/") == 401
        assert _status(f"http://127.0.0.1:{port}/api/v2/monitor/health") == 200

        # a file dropped without an event (a lost message) is taken by the next sweep
        quiet = tmp_path / "landing" / "KDMP-1902052001_2026-07.csv"
        quiet.write_bytes(FILES["KDMP-1902022001_2026-07.csv"].replace("KDMP-1902022001", "KDMP-1902052001").encode())
        _wait(lambda: _ledger_status(env, quiet.name) == "accepted", 240, "the sweep to take the quiet file", stack, 5)
    finally:
        stack.stop()
    assert all(p.poll() is not None for p in stack.procs.values())


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _ledger_status(env: dict[str, str], file_name: str) -> str | None:
    from sqlalchemy import create_engine, text

    engine = create_engine(env["KOPDES_DB_URL"])
    try:
        with engine.connect() as conn:
            return conn.execute(
                text("select status from submission where file_name = :f"), {"f": file_name}
            ).scalar_one_or_none()
    except Exception:
        return None
    finally:
        engine.dispose()


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/monitor/health", timeout=5) as r:
            return r.status == 200
    except OSError:
        return False


def _dag_runs(port: int) -> dict[str, list[dict]]:
    token_request = urllib.request.Request(
        f"http://127.0.0.1:{port}/auth/token",
        data=json.dumps({"username": "admin", "password": "admin"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(token_request, timeout=10) as r:
        token = json.loads(r.read())["access_token"]
    out = {}
    for dag_id in ("kopdes_ingest", "kopdes_validate", "kopdes_aggregate", "kopdes_publish"):
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v2/dags/{dag_id}/dagRuns", headers={"Authorization": f"Bearer {token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as r:
            out[dag_id] = json.loads(r.read())["dag_runs"]
    return out


def _wait(check, timeout: float, what: str, stack: Stack, every: float = 1.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        dead = [n for n, p in stack.procs.items() if p.poll() is not None]
        assert not dead, f"{dead} exited while waiting for {what}\n{stack.tail()}"
        time.sleep(every)
    raise AssertionError(f"no {what} after {timeout:.0f} s\n{stack.tail()}")
