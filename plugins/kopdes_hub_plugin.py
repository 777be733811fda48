"""Airflow UI plugin: the monthly hub report ("Laporan Hub") and the submissions view ("Berkas Masuk") in the
navigation, served from the lake and the ledger.

A FastAPI app mounted on the api-server at /kopdes serves ``<lake>/reports`` and the submissions view; external
views embed them in the UI. Plugin apps are not behind Airflow's login by themselves, so every route requires an
authenticated user (the UI's session cookie or a bearer token). Only report file names are served (no paths), and
a submission's feedback and GX pages by its id (``reporting.submission_pages`` finds the path in the ledger), so
nothing else of the lake is reachable through it. The logic lives in ``include/kopdes_hub/reporting``; this file
only wires routes.
"""

from __future__ import annotations

import re
from typing import ClassVar

from airflow.api_fastapi.core_api.security import requires_authenticated
from airflow.plugins_manager import AirflowPlugin
from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from include.kopdes_hub.config import get_settings

_REPORT_NAME = re.compile(r"^(index|laporan_hub_\d{4}-\d{2})\.html$")

app = FastAPI(title="Kopdes Hub reports", dependencies=[Depends(requires_authenticated())])


@app.get("/reports/", response_class=HTMLResponse, response_model=None)
@app.get("/reports/{name}", response_class=HTMLResponse, response_model=None)
def report(name: str = "index.html") -> FileResponse:
    path = get_settings().lake / "reports" / name
    if not _REPORT_NAME.match(name) or not path.is_file():
        raise HTTPException(status_code=404, detail=f"no report {name!r}; run kopdes_publish first")
    return FileResponse(path, media_type="text/html")


@app.get("/submissions/", response_class=HTMLResponse)
def submissions_view(request: Request) -> HTMLResponse:
    """Query parameters: period (YYYY-MM or unknown), cooperative_id, kind, status; none: the index of months."""
    from include.kopdes_hub.reporting import submissions  # pandas and the store: not at plugin load

    try:
        filters = submissions.Filters.parse(dict(request.query_params))
    except ValueError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from exc
    return HTMLResponse(submissions.render_page(get_settings(), filters))


@app.get("/submissions/{submission_id}/{page}", response_model=None)
def submission_page(submission_id: str, page: str) -> Response:
    """A submission's feedback.html, feedback.csv or gx_result.html, found through the ledger by its id."""
    from include.kopdes_hub.reporting.submission_pages import submission_page as find

    try:
        found = find(get_settings(), submission_id, page)
    except LookupError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from exc
    disposition = "attachment" if page.endswith(".csv") else "inline"
    headers = {
        "Content-Disposition": f'{disposition}; filename="{found.file_name}"',
        "X-Content-Type-Options": "nosniff",
    }
    return Response(found.content, media_type=found.media_type, headers=headers)


class KopdesHubPlugin(AirflowPlugin):
    name = "kopdes_hub"
    fastapi_apps: ClassVar[list[dict]] = [{"app": app, "url_prefix": "/kopdes", "name": "Kopdes Hub reports"}]
    external_views: ClassVar[list[dict]] = [
        {
            "name": "Laporan Hub",
            "href": "kopdes/reports/",
            "destination": "nav",
            "category": "browse",
            "url_route": "kopdes-hub-report",
        },
        {
            "name": "Berkas Masuk",
            "href": "kopdes/submissions/",
            "destination": "nav",
            "category": "browse",
            "url_route": "kopdes-hub-submissions",
        },
    ]
