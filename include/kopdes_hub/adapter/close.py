"""The close DAGs' tasks: which month is due, its close pack, and the manager's answer recorded in the store."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow.providers.standard.operators.hitl import ApprovalOperator
from airflow.sdk.exceptions import AirflowSkipException

from include.kopdes_hub.config import get_settings

if TYPE_CHECKING:
    from include.kopdes_hub.closing import MonthState

# The DAG files import this module: the store and the lake (SQLAlchemy, pyarrow) load only when a task runs.

REASON = "alasan"  # the form field the manager types the reason in


class MonthApproval(ApprovalOperator):
    """The standard ApprovalOperator, recording the hub manager's answer in the store as it arrives: an approval
    closes the month, a rejection is kept with its reason (ApprovalOperator skips its downstream tasks and pushes
    no result on "Reject", so no later task could record it)."""

    def __init__(self, *, pack_task_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pack_task_id = pack_task_id

    def execute_complete(self, context: Any, event: dict[str, Any]) -> Any:
        self.validate_chosen_options(event["chosen_options"])  # before anything is recorded
        pack = context["ti"].xcom_pull(task_ids=self.pack_task_id)
        record_answer(pack["period"], event)
        _record_lineage(pack["period"])
        return super().execute_complete(context=context, event=event)


def _record_lineage(period: str) -> None:
    from include.kopdes_hub.adapter.lineage import record
    from include.kopdes_hub.lineage import stages

    settings = get_settings()
    record(lambda: stages.close(settings, period))


def next_due_month() -> str:
    """The oldest month past its deadline and still open (one month per run: the manager answers one at a time)."""
    from include.kopdes_hub import closing

    due = closing.due_months(get_settings())
    if not due:
        raise AirflowSkipException("no month is past its deadline and open")
    return due[0]


def close_pack(period: str) -> dict[str, str]:
    from include.kopdes_hub import closing

    return {"period": period, **closing.close_pack(get_settings(), period)}


def _responder(answer: dict[str, Any]) -> str:
    user = answer.get("responded_by_user") or {}
    name = user.get("name") if isinstance(user, dict) else getattr(user, "name", user)
    return str(name or "unknown")


def record_answer(period: str, answer: dict[str, Any]) -> MonthState:
    """The manager's answer on closing ``period``: who from the HITL answer, the reason typed in the form."""
    from include.kopdes_hub import closing

    reason = str((answer.get("params_input") or {}).get(REASON) or "").strip() or None
    if answer["chosen_options"] == [ApprovalOperator.APPROVE]:
        return closing.close(get_settings(), period, by=_responder(answer), reason=reason, source=closing.UI)
    return closing.reject(get_settings(), period, by=_responder(answer), reason=reason, source=closing.UI)


def record_reopen(answer: dict[str, Any]) -> dict[str, Any]:
    """A reopen asked for in the UI (a HITL entry form): the month, the reason, who asked."""
    from include.kopdes_hub import closing

    form = answer.get("params_input") or {}
    period, reason = str(form.get("periode") or "").strip(), str(form.get("alasan") or "")
    month = closing.reopen(get_settings(), period, by=_responder(answer), reason=reason, source=closing.UI)
    _record_lineage(period)
    return {"period": period, "status": month.status, "version": month.version}
