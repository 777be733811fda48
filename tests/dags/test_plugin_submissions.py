"""The submissions view through the plugin's API: behind the login, filters from the query, a submission's pages
served by its id and nothing else of the lake."""

from __future__ import annotations

import pytest

from tests.dags.test_plugin import _module
from tests.unit.reporting.test_submissions import REVISED, build_ledger


@pytest.fixture
def client(settings):
    from airflow.api_fastapi.core_api.security import get_user
    from fastapi.testclient import TestClient

    module = _module()
    module.app.dependency_overrides[get_user] = lambda: "a logged-in user"  # what the api-server resolves
    return TestClient(module.app)


def test_the_plugin_links_the_view_in_the_navigation():
    from airflow import plugins_manager

    plugin = {p.name: p for p in plugins_manager._get_plugins()[0]}["kopdes_hub"]
    views = {v["name"]: v for v in plugin.external_views}
    assert views["Berkas Masuk"]["href"] == "kopdes/submissions/"
    assert views["Berkas Masuk"]["destination"] == "nav"


def test_the_view_needs_a_login(settings):
    from fastapi.testclient import TestClient

    anonymous = TestClient(_module().app)
    for path in ("/submissions/", "/submissions/?period=2026-07", "/submissions/0123456789abcdef/feedback.html"):
        assert anonymous.get(path).status_code == 401, path


def test_logged_in_the_month_and_its_pages_are_served_by_id(settings, client):
    ids = build_ledger(settings)
    page = client.get("/submissions/", params={"period": "2026-07"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Berkas Masuk Koperasi" in page.text and "Belum lapor" in page.text
    assert client.get("/submissions?period=2026-07").text == page.text, "the report's link, with or without /"
    assert client.get("/submissions/", params={"period": "2026-07", "kind": "lines", "status": "rejected"}).is_success
    revised = ids[REVISED]
    feedback = client.get(f"/submissions/{revised}/feedback.html")
    assert feedback.status_code == 200 and "Umpan balik" in feedback.text
    assert feedback.headers["x-content-type-options"] == "nosniff"
    csv = client.get(f"/submissions/{revised}/feedback.csv")
    assert csv.headers["content-type"].startswith("text/csv") and "attachment" in csv.headers["content-disposition"]
    assert client.get(f"/submissions/{revised}/gx_result.html").status_code == 200


def test_a_bad_filter_is_a_400_and_a_path_in_the_url_is_never_served(settings, client):
    ids = build_ledger(settings)
    (settings.lake / "secret.html").write_text("SECRET-OF-THE-LAKE")
    assert client.get("/submissions/", params={"period": "2026-13"}).status_code == 400
    assert client.get("/submissions/", params={"cooperative_id": "../../etc"}).status_code == 400
    revised = ids[REVISED]
    for path in (
        "/submissions/..%2F..%2Fsecret.html/feedback.html",
        f"/submissions/{revised}/..%2F..%2F..%2Fsecret.html",
        f"/submissions/{revised}/%2e%2e%2fsecret.html",
        f"/submissions/{revised}/silver.parquet",
        "/submissions/0123456789abcdef/feedback.html",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "SECRET-OF-THE-LAKE" not in response.text
