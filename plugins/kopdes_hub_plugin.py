"""Airflow UI plugin: the monthly hub report in the navigation ("Laporan Hub"), served from the lake.

A FastAPI app mounted on the api-server at /kopdes serves ``<lake>/reports``; an external view embeds it in the
UI. Plugin apps are not behind Airflow's login by themselves, so every route requires an authenticated user
(the UI's session cookie or a bearer token), and only report file names are served (no paths), so nothing else of
the lake is reachable through it.
"""

from __future__ import annotations

import re
from typing import ClassVar

from airflow.api_fastapi.core_api.security import requires_authenticated
from airflow.plugins_manager import AirflowPlugin
from fastapi import Depends, FastAPI, HTTPException
from fastapi.responses import FileResponse, HTMLResponse

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
        }
    ]
