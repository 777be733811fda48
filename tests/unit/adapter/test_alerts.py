"""A failed task gives one clear alert line, and the webhook gets it when one is set."""

from __future__ import annotations

import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from types import SimpleNamespace

from include.kopdes_hub.adapter.alerts import KopdesAlert

CONTEXT = {
    "task_instance": SimpleNamespace(dag_id="kopdes_validate", task_id="validate_batch", map_index=3, try_number=3),
    "run_id": "asset_triggered__2026-11-29",
    "exception": RuntimeError("conservation broken for abc (x.csv)"),
}


def test_alert_line(caplog, monkeypatch):
    monkeypatch.delenv("KOPDES_ALERT_WEBHOOK", raising=False)
    with caplog.at_level(logging.ERROR, logger="kopdes.alerts"):
        KopdesAlert().notify(CONTEXT)
    assert caplog.messages == [
        "KOPDES ALERT: kopdes_validate.validate_batch[3] failed (run asset_triggered__2026-11-29, try 3): "
        "RuntimeError: conservation broken for abc (x.csv)"
    ]


def test_alert_reaches_the_webhook(monkeypatch):
    received: list[dict] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Hook)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    monkeypatch.setenv("KOPDES_ALERT_WEBHOOK", f"http://127.0.0.1:{server.server_port}/hook")
    KopdesAlert().notify(CONTEXT)
    thread.join(timeout=10)
    server.server_close()
    assert received and received[0]["text"].startswith("KOPDES ALERT: kopdes_validate.validate_batch[3] failed")


def test_a_dead_webhook_never_raises(monkeypatch, caplog):
    monkeypatch.setenv("KOPDES_ALERT_WEBHOOK", "http://127.0.0.1:9/nothing-listens")
    with caplog.at_level(logging.ERROR, logger="kopdes.alerts"):
        KopdesAlert().notify(CONTEXT)
    assert any("could not be sent" in m for m in caplog.messages)
