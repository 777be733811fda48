"""The submissions view as a hub engineer uses it: a real api-server with the plugin, headless Chromium logging in
through Airflow's own login form, the month the hub report links to, a clerk's feedback and the month's report
followed by their links, and the view inside the Airflow UI's navigation. The view's "who is missing" agrees with
the published month until a file lands after publication, and then says so."""

from __future__ import annotations

from urllib.parse import quote

import pyarrow.parquet as pq
import pytest

from include.kopdes_hub import aggregate, publish
from include.kopdes_hub.reporting import submissions
from include.kopdes_hub.reporting.submissions import Filters
from tests.e2e.api_server import PASSWORD, USER, ApiServer
from tests.e2e.devtools import Browser
from tests.unit.reporting.test_submissions import PERPAT, REVISED, _at, _cell, build_ledger
from tests.unit.validate.test_validate_rules import LINE
from tests.unit.validate.test_warnings import _validate_all, _write

pytestmark = pytest.mark.e2e
MONTH = "2026-07"


def _published(settings) -> dict[str, dict[str, int]]:
    path = settings.lake / "gold" / "reporting_compliance" / f"period={MONTH}" / "part-0.parquet"
    return submissions.counts(pq.read_table(path, columns=["kind", "status"]).to_pylist())


def test_a_logged_in_engineer_opens_the_month_and_follows_its_links(settings, tmp_path):
    ids = build_ledger(settings)
    for period in ("2026-06", MONTH):
        aggregate.rebuild_period(settings, period)
        publish.publish_period(settings, period)
    view = submissions.render_page(settings, Filters(period=MONTH))
    published = _published(settings)
    assert published["lines"]["missing"] == published["finance"]["missing"] == 48, "all but Membalong"
    for kind, states in published.items():
        for state, n in states.items():
            assert _cell(kind, state, n) in view, "the view and the published month agree"
    assert 'id="behind"' not in view

    server = ApiServer(
        tmp_path / "server",
        KOPDES_LANDING=str(settings.landing),
        KOPDES_LAKE=str(settings.lake),
        KOPDES_DB_URL=settings.db_url,
    )
    browser = None
    try:
        server.start()
        browser = Browser(tmp_path)
        month = f"{server.url}/kopdes/submissions/?period={MONTH}"  # the hub report's link
        browser.goto(month)
        assert browser.status(month) == 401 and "Not authenticated" in browser.dom(), "no session, no page"

        # Airflow's own login form (simple auth manager), as a person fills it in
        browser.goto(f"{server.url}/auth/login?next={quote(f'/kopdes/submissions/?period={MONTH}', safe='/')}")
        browser.wait_for("!!document.querySelector('input[name=username]')")
        browser.type_into("input[name=username]", USER)
        browser.type_into("input[name=password]", PASSWORD)
        browser.wait_for("!document.querySelector('button[type=submit]').disabled")
        browser.evaluate("document.querySelector('button[type=submit]').click()")
        browser.wait_for(f"location.href == '{month}' && document.readyState == 'complete'")
        assert "_token" in browser.cookies(), "the UI's session cookie"
        assert browser.status(month) == 200
        dom = browser.dom()
        assert "Berkas Masuk Koperasi" in dom and "Belum lapor" in dom and REVISED in dom
        assert browser.evaluate("document.querySelectorAll('#submissions tbody tr').length") == 4

        revised = ids[REVISED]
        feedback = browser.follow(f"#s-{revised} a.feedback")
        assert feedback == f"{server.url}/kopdes/submissions/{revised}/feedback.html"
        assert browser.evaluate("document.title").startswith("Umpan balik laporan")
        assert "KESALAHAN" in browser.dom(), "the clerk's page lists the quarantined line"

        browser.goto(month)
        report = browser.follow("#report-link")
        assert report == f"{server.url}/kopdes/reports/laporan_hub_{MONTH}.html"
        assert browser.evaluate("document.title") == f"Laporan Hub Koperasi Belitung {MONTH}"

        browser.goto(f"{server.url}/kopdes/submissions/{revised}/..%2F..%2F..%2Fkopdes.db")
        assert "Not Found" in browser.dom() or "not" in browser.evaluate("document.body.innerText")
        assert browser.console_errors == []

        # the view in the Airflow UI's navigation: an iframe of the same origin, so the session carries over
        browser.goto(f"{server.url}/plugin/kopdes-hub-submissions")
        frame = "document.querySelector('iframe') && document.querySelector('iframe').contentDocument"
        title = browser.wait_for(f"{frame} && {frame}.readyState == 'complete' && {frame}.title", timeout=60)
        assert title == "Berkas Masuk Koperasi"
    finally:
        if browser is not None:
            browser.close()
        server.stop()

    # a file landing after publication: the view counts it at once and says the published month is behind
    _write(settings, f"{PERPAT}_{MONTH}.csv", [{**LINE, "cooperative_id": PERPAT}], _at(20))
    _validate_all(settings)
    view = submissions.render_page(settings, Filters(period=MONTH))
    assert 'id="behind"' in view and "untuk\n1 koperasi" in view
    assert _cell("lines", "missing", 47) in view and _cell("lines", "late", published["lines"]["late"] + 1) in view
    assert _published(settings) == published, "the published month stays as it was until publish runs"
