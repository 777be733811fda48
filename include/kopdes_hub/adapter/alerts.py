"""Failure alerts: one clear log line per failed task, and a webhook users can point at chat or email.

An Airflow notifier (the adapter layer: it reads the task context). ``KOPDES_ALERT_WEBHOOK`` takes any endpoint that
accepts ``{"text": ...}`` JSON (Slack, Google Chat and Teams incoming webhooks, or a mail relay); without it the
alert is the log line alone. A failing webhook is logged and never masks the task's own failure.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from typing import Any

from airflow.sdk import BaseNotifier

from include.kopdes_hub.config import get_settings

log = logging.getLogger("kopdes.alerts")


def alert_text(context: Any) -> str:
    ti = context.get("task_instance") or context.get("ti")
    dag_id = getattr(ti, "dag_id", "?")
    task_id = getattr(ti, "task_id", "?")
    map_index = getattr(ti, "map_index", -1)
    task = f"{task_id}[{map_index}]" if map_index is not None and map_index >= 0 else task_id
    error = context.get("exception")
    return (
        f"KOPDES ALERT: {dag_id}.{task} failed (run {context.get('run_id', '?')}, "
        f"try {getattr(ti, 'try_number', '?')}): {type(error).__name__ if error else 'error'}: {error}"
    )


class KopdesAlert(BaseNotifier):
    """Log one alert line and, when ``KOPDES_ALERT_WEBHOOK`` is set, POST it there."""

    def notify(self, context: Any) -> None:
        text = alert_text(context)
        log.error(text)
        url = get_settings().alert_webhook
        if not url:
            return
        request = urllib.request.Request(
            url, data=json.dumps({"text": text}).encode(), headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                response.read()
        except OSError as exc:
            log.error("KOPDES ALERT could not be sent to the webhook: %s", exc)
