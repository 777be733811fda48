"""The monthly close for real: the scheduler runs kopdes_close, its approval waits in awaiting_input holding no
pool slot, and an answer through the REST API (what the UI's Required Actions page sends) releases it and closes
the month in the store."""

from __future__ import annotations

import json
import urllib.request

import pytest

from tests.stack import Stack, services_missing

pytestmark = pytest.mark.services


def _api(stack: Stack, method: str, path: str, token: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{stack.port}{path}",
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as r:
        return json.loads(r.read() or b"{}")


def _token(stack: Stack) -> str:
    request = urllib.request.Request(
        f"http://127.0.0.1:{stack.port}/auth/token",
        data=json.dumps({"username": "admin", "password": "admin"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as r:
        return json.loads(r.read())["access_token"]


def test_the_approval_waits_for_the_manager_and_an_api_answer_closes_the_month(tmp_path, monkeypatch):
    missing = services_missing()
    if missing:
        pytest.skip(f"PostgreSQL or Redis is not reachable: {missing}")
    stack = Stack(tmp_path, executor="LocalExecutor")
    try:
        for key in ("KOPDES_LANDING", "KOPDES_LAKE", "KOPDES_DB_URL"):
            monkeypatch.setenv(key, stack.env[key])
        from include.kopdes_hub import closing
        from include.kopdes_hub.config import get_settings
        from include.kopdes_hub.storage import store
        from tests.unit.test_closing import publish_july

        settings = get_settings()
        store.prepare(settings.db_url)
        publish_july(settings)  # July 2026, published as a draft and past its deadline
        stack.start()
        token = _token(stack)
        stack.wait(lambda: stack.status("/api/v2/dags/kopdes_close", token) == 200, 120, "kopdes_close parsed")
        # unpaused, the daily DAG runs for its latest 09:00 WIB at once (catchup off): no trigger is needed

        def waiting_run() -> str | None:
            listing = "/api/v2/dags/kopdes_close/dagRuns/~/taskInstances?task_id=approve_month&state=awaiting_input"
            found = _api(stack, "GET", listing, token)["task_instances"]
            return found[0]["dag_run_id"] if found else None

        stack.wait(lambda: waiting_run() is not None, 240, "the approval awaiting input")
        run = waiting_run()
        task = f"/api/v2/dags/kopdes_close/dagRuns/{run}/taskInstances/approve_month"
        assert _api(stack, "GET", task, token)["state"] == "awaiting_input"
        pool = _api(stack, "GET", "/api/v2/pools/default_pool", token)
        assert (pool["running_slots"], pool["queued_slots"]) == (0, 0), "a waiting approval holds no slot"
        hitl = f"{task}/-1/hitlDetails"  # the task is not mapped: map index -1
        detail = _api(stack, "GET", hitl, token)
        assert detail["subject"] == "Tutup bulan 2026-07: setujui angka final hub?"
        assert "tidak lapor" in detail["body"]

        # A person answers minutes later; this test answers at once, so it first waits until the scheduler has seen
        # the parked attempt's worker exit: an answer before that races Airflow 3.3's requeue of the task against
        # that worker's "success" event, which the scheduler then takes for a mismatch and retries the approval.
        parked = "TaskInstanceKey(dag_id='kopdes_close', task_id='approve_month'"
        scheduler_log = stack.logs / "scheduler.log"

        def parked_seen() -> bool:
            return any("Received executor event" in line and parked in line for line in scheduler_log.open())

        stack.wait(parked_seen, 60, "the scheduler saw the parked attempt exit")
        answer = {"chosen_options": ["Approve"], "params_input": {"alasan": "disetujui rapat pengurus"}}
        _api(stack, "PATCH", hitl, token, answer)
        runs = f"/api/v2/dags/kopdes_close/dagRuns/{run}"
        stack.wait(lambda: _api(stack, "GET", runs, token).get("state") == "success", 180, "the close run")
        month = closing.state(settings.db_url, "2026-07")
        assert (month.closed, month.version, month.closed_by) == (True, 1, "admin")
    finally:
        stack.stop()
