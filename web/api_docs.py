"""The API reference at /docs: Swagger UI served by the app itself, so it works offline and under the
same strict Content-Security-Policy as every page (FastAPI's own /docs loads it from a CDN and starts it
with an inline script; /redoc needs inline styles, so it is not offered).

The Swagger UI files come from the fastapi-offline wheel (a copy of swagger-ui-dist 5); the page and
the script that starts it are ours (web/static/api-docs.html, api-docs.js).
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from web.access import Access, allow

SWAGGER_DIR = Path(fastapi_offline.__file__).resolve().parent / "static"
PAGE = Path(__file__).resolve().parent / "static" / "api-docs.html"
ASSETS = "/docs/assets"


def install_api_docs(app: FastAPI) -> None:
    """Call with FastAPI(docs_url=None, redoc_url=None)."""
    app.mount(ASSETS, StaticFiles(directory=SWAGGER_DIR), name="swagger-ui")

    @app.get("/docs", include_in_schema=False, dependencies=[allow(Access.public)])
    def api_docs() -> FileResponse:
        return FileResponse(PAGE)
