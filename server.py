"""The FastAPI app. Built by a factory from Settings; nothing is loaded at import time.

`create_app(settings)` builds the services (assistant/services.py) and loads the knowledge base, the
router (training the default encoder and building the index on the first run) and the assistant inside
the lifespan, so `govassist serve`, the tests and several uvicorn workers all build the same app.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from assistant.services import build_services
from intents.router import Router
from settings import Settings
from web.admin_api import router as admin_api
from web.admin_kb_api import router as admin_kb_api
from web.access import Access, allow, declare_framework_routes
from web.api_docs import install_api_docs
from web.body_limit import BodyLimit
from web.errors import ApiException, install_error_handlers
from web.openapi_errors import document_errors
from web.security_headers import install_security_headers
from web.socket_origin import SameOriginSockets
from web.url_check import NoNulInUrl
from web import log_privacy
from web.me_routes import router as me_routes
from web.case_routes import router as case_routes
from web.rebuild import Rebuilder
from web.runtime import build_runtime, install
from web.models import ApiError
from web.routes import router as api_routes
from web.recommendation_routes import router as recommendation_routes
from web.copilot_socket import router as copilot_socket
from web import handoff_routes
from web.staff_api import router as staff_api
from web.staff_routes import router as staff_routes
from web.voice_routes import router as voice_routes

STATIC_DIR = Path(__file__).resolve().parent / "web" / "static"

__all__ = ["ApiError", "ApiException", "create_app"]


def create_app(settings: Settings | None = None, router: Router | None = None) -> FastAPI:
    """The app. Pass a ready `router` to skip loading one (tests share one trained router)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The one place the parts are wired (assistant/services.py); routes read app.state.services and,
        # for what a rebuild swaps, app.state.runtime (web/runtime.py).
        services = build_services(settings, router=router)
        services.prepare("database")  # opened now: a schema that is not current stops the start here
        log_privacy.install()  # after uvicorn configured logging: no query values, personal numbers masked
        rebuilder = Rebuilder(app, services)
        # Serve what the latest finished rebuild made live: every worker starts on the same version.
        install(app, build_runtime(services, rebuilder.served_version(), print, router))
        services.prepare("recogniser")  # its settings checked at start; its models load on first use
        app.state.services = services
        app.state.rebuilder = rebuilder
        polling = asyncio.create_task(rebuilder.poll())
        yield
        polling.cancel()
        # Shutdown (SIGTERM: uvicorn has stopped accepting and finished the requests in flight): close the
        # database's connections, which also checkpoints SQLite's write-ahead log into the file.
        services.close()

    # /docs is the app's own Swagger UI (web/api_docs.py): FastAPI's loads a CDN and inline code the CSP refuses.
    app = FastAPI(title="政务助手 API", version="0.2.0", lifespan=lifespan, docs_url=None, redoc_url=None)
    install_error_handlers(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(SameOriginSockets)  # no socket opened from another site's page
    app.add_middleware(NoNulInUrl)
    install_security_headers(app)  # CSP, nosniff, no-store on /api …: web/security_headers.py
    document_errors(app)  # /openapi.json shows the one error shape, as the API answers it
    # Every route declares who may call it: dependencies=[allow(Access.public | citizen | staff | admin)]
    # on the route or its router (web/access.py). tests/test_roles.py fails on a route without one.
    app.include_router(api_routes)
    app.include_router(recommendation_routes)
    app.include_router(me_routes)
    app.include_router(case_routes)
    app.include_router(voice_routes)
    app.include_router(staff_routes)
    app.include_router(staff_api)
    app.include_router(admin_kb_api)
    app.include_router(admin_api)
    app.include_router(copilot_socket)
    app.include_router(handoff_routes.citizen)
    app.include_router(handoff_routes.staff)
    if STATIC_DIR.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
        install_api_docs(app)

        @app.get("/", include_in_schema=False, dependencies=[allow(Access.public)])
        def index() -> FileResponse:
            return FileResponse(STATIC_DIR / "index.html")

        # The console's page is public; everything it calls is staff-only.
        @app.get("/copilot", include_in_schema=False, dependencies=[allow(Access.public)])
        def copilot_console() -> FileResponse:
            return FileResponse(STATIC_DIR / "copilot.html")

        # The operator dashboard: the page is public, every figure it shows is admin-only.
        @app.get("/admin", include_in_schema=False, dependencies=[allow(Access.public)])
        def admin_dashboard() -> FileResponse:
            return FileResponse(STATIC_DIR / "admin.html")

    declare_framework_routes(app)
    return app
