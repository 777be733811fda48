"""A real Airflow stack for services tests and benchmarks: api-server, scheduler, dag-processor, triggerer and, on
Celery, workers, started natively against the PostgreSQL and Redis of this machine, each in its own process group
and stopped by PID."""

from __future__ import annotations

import contextlib
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
from collections.abc import Callable
from pathlib import Path

from include.kopdes_hub.adapter import workers

ROOT = Path(__file__).resolve().parents[1]
PG = "postgresql+psycopg2://postgres@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379"
CHAIN = ("kopdes_ingest", "kopdes_validate", "kopdes_aggregate", "kopdes_publish")
FORKSERVER_PRELOAD = ",".join(workers.PRELOAD)  # as the Makefile exports for `make up`


def services_missing() -> str | None:
    """Why PostgreSQL or Redis cannot be used, or None when both answer."""
    try:
        import redis
        from sqlalchemy import create_engine, text

        redis.Redis.from_url(REDIS).ping()
        with create_engine(f"{PG}/postgres").connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:
        return str(exc)
    return None


def _admin():
    from sqlalchemy import create_engine

    return create_engine(f"{PG}/postgres", isolation_level="AUTOCOMMIT")


def create_databases(n: int) -> list[str]:
    from sqlalchemy import text

    names = [f"kopdes_stack_{uuid.uuid4().hex[:10]}" for _ in range(n)]
    engine = _admin()
    with engine.connect() as conn:
        for name in names:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return names


def drop_databases(names: list[str]) -> None:
    from sqlalchemy import text

    engine = _admin()
    with engine.connect() as conn:
        for name in names:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


class Stack:
    """One Airflow deployment in ``workdir``: its own metadata and store databases, Redis database and port."""

    def __init__(self, workdir: Path, executor: str = "CeleryExecutor", **extra_env: str) -> None:
        self.workdir = workdir
        self.executor = executor
        self.databases = create_databases(2)
        metadata, store_db = self.databases
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        redis_db = 7 + uuid.uuid4().int % 8  # a database of its own on the shared Redis
        for folder in ("airflow", "landing", "logs"):
            (workdir / folder).mkdir(parents=True, exist_ok=True)
        (workdir / "passwords.json").write_text('{"admin": "admin"}')
        self.landing, self.lake, self.logs = workdir / "landing", workdir / "lake", workdir / "logs"
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "AIRFLOW_HOME": str(workdir / "airflow"),
            "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "AIRFLOW__CORE__EXECUTOR": executor,
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"{PG}/{metadata}",
            "AIRFLOW__CELERY__BROKER_URL": f"{REDIS}/{redis_db}",
            # SQLAlchemy 2.1 defaults to psycopg 3: name the driver the lock has
            "AIRFLOW__CELERY__RESULT_BACKEND": f"db+postgresql+psycopg2://postgres@127.0.0.1:5432/{metadata}",
            # the scheduler, api-server and workers must share one JWT secret (else 403), at least 64 bytes
            "AIRFLOW__API_AUTH__JWT_SECRET": uuid.uuid4().hex * 2,
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(self.port),
            # workers reach the api-server's execution API here (else ConnectError to localhost:8080)
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{self.port}/execution/",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(workdir / "passwords.json"),
            "AIRFLOW_CONN_REDIS_DEFAULT": f"{REDIS}/{redis_db}",
            "KOPDES_EVENTS": "redis",
            "KOPDES_LANDING": str(self.landing),
            "KOPDES_LAKE": str(self.lake),
            "KOPDES_DB_URL": f"{PG}/{store_db}",
            **extra_env,
        }
        # task workers start with the heavy libraries imported (include/kopdes_hub/adapter/workers.py): LocalExecutor
        # runs tasks from the scheduler's forkserver, Celery from each worker's pool
        for key, value, used_by in (
            ("AIRFLOW__SCHEDULER__MP_START_METHOD", "forkserver", "LocalExecutor"),
            ("AIRFLOW__CORE__MP_FORKSERVER_PRELOAD", FORKSERVER_PRELOAD, "LocalExecutor"),
            (
                "AIRFLOW__CELERY__CELERY_CONFIG_OPTIONS",
                "include.kopdes_hub.adapter.workers.CELERY_CONFIG",
                "CeleryExecutor",
            ),
        ):
            if executor == used_by:
                self.env[key] = value
            else:
                self.env.pop(key, None)
        self.procs: dict[str, subprocess.Popen] = {}

    def airflow(self, *args: str) -> None:
        out = subprocess.run([sys.executable, "-m", "airflow", *args], env=self.env, capture_output=True, text=True)
        if out.returncode:
            raise RuntimeError(f"airflow {' '.join(args)} failed:\n{out.stderr[-3000:]}")

    def _spawn(self, name: str, *args: str, cpu: str | None = None) -> None:
        log = (self.logs / f"{name}.log").open("w")
        pin = ["taskset", "-c", cpu] if cpu is not None else []
        self.procs[name] = subprocess.Popen(
            [*pin, sys.executable, "-m", "airflow", *args],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=ROOT,
        )

    def start(
        self, workers: int = 2, concurrency: int = 2, worker_cpus: list[str] | None = None, heavy_slots: int = 2
    ) -> None:
        """Migrate, create the pool, start every service and wait until the API is healthy. ``worker_cpus`` pins
        Celery worker i to the CPUs ``worker_cpus[i]`` (taskset), so each worker stands for a node of its own."""
        self.airflow("db", "migrate")
        self.airflow("pools", "set", "kopdes_heavy", str(heavy_slots), "memory-heavy kopdes tasks")
        self._spawn("api-server", "api-server", "-H", "127.0.0.1", "-p", str(self.port))
        self._spawn("scheduler", "scheduler", "--skip-serve-logs")
        self._spawn("dag-processor", "dag-processor")
        self._spawn("triggerer", "triggerer", "--skip-serve-logs")
        if self.executor == "CeleryExecutor":
            for i in range(1, workers + 1):
                cpu = worker_cpus[i - 1] if worker_cpus else None
                self._spawn(
                    f"w{i}", "celery", "worker", "-H", f"w{i}@%h", "-c", str(concurrency), "--skip-serve-logs", cpu=cpu
                )
        self.wait(lambda: self.status("/api/v2/monitor/health") == 200, 120, "api-server health")

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        for proc in self.procs.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(1, deadline - time.monotonic()))
            # then whatever is left of the group, as `make down` does (an idle LocalExecutor worker started from
            # the forkserver can outlive its scheduler's SIGTERM)
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        drop_databases(self.databases)

    def announce(self, files: list[Path]) -> None:
        subprocess.run(
            [sys.executable, "-m", "include.kopdes_hub.cli", "announce", *map(str, files)],
            env=self.env,
            check=True,
            capture_output=True,
            cwd=ROOT,
        )

    def status(self, path: str, token: str | None = None) -> int:
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=10) as r:
                return r.status
        except urllib.error.HTTPError as exc:
            return exc.code
        except OSError:
            return 0

    def dag_runs(self) -> dict[str, list[dict]]:
        token_request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/auth/token",
            data=json.dumps({"username": "admin", "password": "admin"}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(token_request, timeout=10) as r:
            token = json.loads(r.read())["access_token"]
        out = {}
        for dag_id in CHAIN:
            request = urllib.request.Request(
                f"http://127.0.0.1:{self.port}/api/v2/dags/{dag_id}/dagRuns?limit=100",
                headers={"Authorization": f"Bearer {token}"},
            )
            with urllib.request.urlopen(request, timeout=10) as r:
                out[dag_id] = json.loads(r.read())["dag_runs"]
        return out

    def ledger_statuses(self) -> dict[str, str]:
        from sqlalchemy import create_engine, text

        engine = create_engine(self.env["KOPDES_DB_URL"])
        try:
            with engine.connect() as conn:
                return dict(conn.execute(text("select file_name, status from submission")).all())
        except Exception:
            return {}
        finally:
            engine.dispose()

    def wait(self, check: Callable[[], bool], timeout: float, what: str, every: float = 1.0) -> float:
        """Poll until ``check()``; fail with the services' log tails if one died or time ran out."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if check():
                return time.monotonic() - started
            dead = [n for n, p in self.procs.items() if p.poll() is not None]
            if dead:
                raise AssertionError(f"{dead} exited while waiting for {what}\n{self.tail()}")
            time.sleep(every)
        raise AssertionError(f"no {what} after {timeout:.0f} s\n{self.tail()}")

    def tail(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text()[-1500:]}" for p in sorted(self.logs.glob("*.log")))
