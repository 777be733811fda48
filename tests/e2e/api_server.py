"""One Airflow api-server on a free 127.0.0.1 port, with its own home and SQLite metadata, the repository's plugins and
the pipeline's settings: enough to log in and use the plugin's pages as a person would (no scheduler, no DAG runs).
Started in a process group of its own and stopped by its PID."""

from __future__ import annotations

import contextlib
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

ROOT = Path(__file__).resolve().parents[2]
USER, PASSWORD = "admin", "admin"


class ApiServer:
    def __init__(self, workdir: Path, **kopdes_env: str) -> None:
        home = workdir / "airflow"
        home.mkdir(parents=True, exist_ok=True)
        (workdir / "dags").mkdir(exist_ok=True)  # the api-server parses nothing: an empty DAG folder
        passwords = workdir / "passwords.json"
        passwords.write_text(f'{{"{USER}": "{PASSWORD}"}}')
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = workdir / "api-server.log"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "KOPDES_"))},
            "PYTHONPATH": str(ROOT),
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(workdir / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(ROOT / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
            "AIRFLOW__API_AUTH__JWT_SECRET": uuid.uuid4().hex * 2,
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(self.port),
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{USER}:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
            "GX_ANALYTICS_ENABLED": "False",
            **kopdes_env,
        }
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 120) -> None:
        subprocess.run(
            [sys.executable, "-m", "airflow", "db", "migrate"], env=self.env, check=True, capture_output=True
        )
        log = self.log.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "airflow", "api-server", "-H", "127.0.0.1", "-p", str(self.port)],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=ROOT,
        )
        deadline = time.monotonic() + timeout
        while self.status("/api/v2/monitor/health") != 200:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the api-server did not come up:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.5)

    def status(self, path: str) -> int:
        try:
            with urllib.request.urlopen(self.url + path, timeout=5) as r:
                return r.status
        except urllib.error.HTTPError as exc:
            return exc.code
        except OSError:
            return 0

    def stop(self) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=30)
        with contextlib.suppress(ProcessLookupError):  # whatever is left of its group (uvicorn workers)
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
