"""The interactive API documentation at ``/docs``: Swagger UI served from our own process, no CDN.

FastAPI's default page loads Swagger UI from a CDN, which a closed government network cannot reach (the page stays
blank). The assets come from the ``swagger-ui-py`` package (Swagger UI 5, which reads our OpenAPI 3.1), mounted
under ``/docs/assets``; the page and its start-up script (``static/api-docs.js``) are ours, so the page needs no
inline script and names no other host. ReDoc (``/redoc``) is not offered: no package ships it.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS_URL = "/docs/assets"
router = APIRouter(include_in_schema=False)

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title} · API</title>
  <link rel="icon" href="{assets}/favicon-32x32.png">
  <link rel="stylesheet" href="{assets}/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui" data-openapi-url="{openapi_url}"></div>
  <script src="{assets}/swagger-ui-bundle.js"></script>
  <script src="/static/api-docs.js"></script>
</body>
</html>
"""


def assets_dir() -> Path:
    return Path(str(files("swagger_ui") / "static"))


@router.get("/docs")
def swagger_ui() -> HTMLResponse:
    return HTMLResponse(PAGE.format(title="CrisisDesk", assets=ASSETS_URL, openapi_url="/openapi.json"))


def install(app: FastAPI) -> None:
    app.include_router(router)
    app.mount(ASSETS_URL, StaticFiles(directory=assets_dir()), name="api-docs-assets")
