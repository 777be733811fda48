"""The close DAG with dag.test(): the approval is a real HITL task that waits in awaiting_input until a response is
recorded the way the REST API records it (the api-server's own route handler, on the same metadata DB)."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select

from include.kopdes_hub import closing
from include.kopdes_hub.storage import schemas, store
from tests.conftest import completed_events
from tests.unit.test_closing import publish_july

pytestmark = pytest.mark.e2e


class _Manager:
    """The logged-in user the api-server would resolve."""

    def get_id(self) -> str:
        return "bu.sari"

    def get_name(self) -> str:
        return "Bu Sari"


def _answer(dag_id: str, task_id: str, options: list[str], form: dict, seen: list) -> None:
    """Wait for the task to park in awaiting_input, then answer it through the REST route's handler."""
    from airflow.api_fastapi.core_api.datamodels.hitl import UpdateHITLDetailPayload
    from airflow.api_fastapi.core_api.routes.public.hitl import update_hitl_detail
    from airflow.models.taskinstance import TaskInstance
    from airflow.utils.session import create_session
    from airflow.utils.state import TaskInstanceState

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with create_session() as session:
            ti = session.scalars(
                select(TaskInstance).where(
                    TaskInstance.dag_id == dag_id,
                    TaskInstance.task_id == task_id,
                    TaskInstance.state == TaskInstanceState.AWAITING_INPUT,
                )
            ).first()
            if ti is not None:
                seen.append(ti.state)
                payload = UpdateHITLDetailPayload(chosen_options=options, params_input=form)
                update_hitl_detail(
                    dag_id=dag_id,
                    dag_run_id=ti.run_id,
                    task_id=task_id,
                    update_hitl_detail_payload=payload,
                    user=_Manager(),
                    session=session,
                )
                return
        time.sleep(0.5)


@pytest.mark.parametrize(("option", "closed"), [("Approve", True), ("Reject", False)])
def test_the_manager_answers_the_approval_and_the_store_records_it(settings, airflow_db, option, closed):
    from airflow.utils.state import DagRunState

    from dags.kopdes_close import kopdes_close

    publish_july(settings)
    seen: list = []
    reason = "angka sudah diperiksa" if closed else "Membalong belum lapor"
    answerer = threading.Thread(
        target=_answer, args=("kopdes_close", "approve_month", [option], {"alasan": reason}, seen)
    )
    answerer.start()
    run = kopdes_close().test()
    answerer.join()
    assert seen == ["awaiting_input"], "the approval waited for a person"
    assert run.state == DagRunState.SUCCESS
    month = closing.state(settings.db_url, "2026-07")
    assert month.closed == closed
    with store.get_engine(settings.db_url).connect() as conn:
        (decision,) = conn.execute(select(store.MonthDecision)).all()
    assert (decision.action, decision.decided_by, decision.reason, decision.source) == (
        "close" if closed else "reject",
        "Bu Sari",
        reason,
        "ui",
    )
    (approval,) = completed_events(settings.lake.parent)["kopdes_close.approve_month"]
    written = {d["name"] for d in approval["outputs"]}
    assert {"month_close", "month_decision"} <= written
    if closed:
        frozen = closing.history_path(settings.lake, schemas.COMMODITY_VOLUMES, "2026-07", 1)
        assert frozen.exists()
        assert str(frozen.parent) in written, "version 1 of the month's gold, in gold_history"
        assert str(closing.versioned_report_path(settings.lake, "2026-07", 1)) in written
        read = {d["name"] for d in approval["inputs"]}
        assert str(settings.lake / "gold" / "hub_balance" / "period=2026-07") in read
    else:
        assert approval["inputs"] == [] and written == {"month_close", "month_decision"}


def test_a_reopen_asked_for_in_the_ui_is_recorded_with_its_reason(settings, airflow_db):
    from airflow.utils.state import DagRunState

    from dags.kopdes_reopen import kopdes_reopen

    publish_july(settings)
    closing.close(settings, "2026-07", by="Bu Sari")
    seen: list = []
    form = {"periode": "2026-07", "alasan": "berkas Badau terlambat, disetujui rapat"}
    answerer = threading.Thread(target=_answer, args=("kopdes_reopen", "ask_reopen", ["OK"], form, seen))
    answerer.start()
    run = kopdes_reopen().test()
    answerer.join()
    assert seen == ["awaiting_input"] and run.state == DagRunState.SUCCESS
    assert not closing.state(settings.db_url, "2026-07").closed
    with store.get_engine(settings.db_url).connect() as conn:
        reopen = conn.execute(select(store.MonthDecision).where(store.MonthDecision.action == "reopen")).one()
    assert (reopen.decided_by, reopen.reason, reopen.source) == ("Bu Sari", form["alasan"], "ui")
