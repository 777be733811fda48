"""The Airflow UI plugin: discovered by Airflow, serves reports by name only."""

from __future__ import annotations

import importlib.util
from pathlib import Path

PLUGIN = Path(__file__).resolve().parents[2] / "plugins" / "kopdes_hub_plugin.py"


def _module():
    spec = importlib.util.spec_from_file_location("kopdes_hub_plugin", PLUGIN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_airflow_discovers_the_plugin_and_its_nav_link():
    from airflow import plugins_manager

    plugins = {p.name: p for p in plugins_manager._get_plugins()[0]}
    plugin = plugins["kopdes_hub"]
    assert plugin.fastapi_apps[0]["url_prefix"] == "/kopdes"
    assert plugin.external_views[0]["href"] == "kopdes/reports/"


def test_reports_need_a_login(settings):
    from fastapi.testclient import TestClient

    assert TestClient(_module().app).get("/reports/").status_code == 401


def test_reports_are_served_by_name_only(settings):
    from airflow.api_fastapi.core_api.security import get_user
    from fastapi.testclient import TestClient

    reports = settings.lake / "reports"
    reports.mkdir(parents=True)
    (reports / "index.html").write_text("<h1>Laporan</h1>")
    (reports / "laporan_hub_2026-07.html").write_text("<h1>Juli</h1>")
    (settings.lake / "secret.html").write_text("no")
    module = _module()
    module.app.dependency_overrides[get_user] = lambda: "a logged-in user"  # what the api-server resolves
    client = TestClient(module.app)
    assert client.get("/reports/").text == "<h1>Laporan</h1>"
    assert client.get("/reports/laporan_hub_2026-07.html").text == "<h1>Juli</h1>"
    assert client.get("/reports/..%2Fsecret.html").status_code == 404
    assert client.get("/reports/laporan_hub_2026-08.html").status_code == 404
