"""The close DAGs' tasks: which month is due, its close pack, and the manager's answer recorded in the store."""

from __future__ import annotations

from typing import Any

from airflow.sdk.exceptions import AirflowSkipException

from include.kopdes_hub import closing
from include.kopdes_hub.config import get_settings


def next_due_month() -> str:
    """The oldest month past its deadline and still open (one month per run: the manager answers one at a time)."""
    due = closing.due_months(get_settings())
    if not due:
        raise AirflowSkipException("no month is past its deadline and open")
    return due[0]


def close_pack(period: str) -> dict[str, str]:
    return {"period": period, **closing.close_pack(get_settings(), period)}


def _responder(answer: dict[str, Any]) -> str:
    user = answer.get("responded_by_user") or {}
    name = user.get("name") if isinstance(user, dict) else str(user)
    return str(name or "unknown")


def record_close(period: str, answer: dict[str, Any]) -> dict[str, Any]:
    """The manager approved: close the month (who and when from the HITL answer, the reason typed in the form)."""
    reason = (answer.get("params_input") or {}).get("alasan") or None
    month = closing.close(get_settings(), period, by=_responder(answer), reason=reason, source=closing.UI)
    return {"period": period, "status": month.status, "version": month.version}


def record_reopen(answer: dict[str, Any]) -> dict[str, Any]:
    """A reopen asked for in the UI (a HITL entry form): the month, the reason, who asked."""
    form = answer.get("params_input") or {}
    period, reason = str(form.get("periode") or "").strip(), str(form.get("alasan") or "")
    month = closing.reopen(get_settings(), period, by=_responder(answer), reason=reason, source=closing.UI)
    return {"period": period, "status": month.status, "version": month.version}
