"""The FastAPI app. Built by a factory from Settings; nothing is loaded at import time.

`create_app(settings)` loads the knowledge base, the router (training the default encoder and
building the index on the first run) and the assistant inside the lifespan, so `govassist serve`,
the tests and several uvicorn workers all build the same app.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from assistant.copilot import Copilot
from assistant.feedback import FeedbackBook
from assistant.staff import StaffDirectory
from intents.dispatch import DispatchModel
from intents.router import Router
from knowledge.base import load_knowledge_base
from settings import Settings
from web.errors import ApiException, install_error_handlers
from web.limits import RateLimiter
from web.models import ApiError
from voice.recognise import Recogniser
from web.routes import router as api_routes
from web.copilot_socket import router as copilot_socket
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
        from assistant.db import open_database
        from assistant.factory import build_assistant
        from intents.pipeline import build_router

        kb = load_knowledge_base(settings.kb_dir, settings.sources_dir)
        routes = router or build_router(settings, kb, print)
        app.state.kb = kb
        app.state.router = routes
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        database = open_database(settings.resolved_database_url)
        app.state.assistant = build_assistant(settings, kb, routes, database=database)
        app.state.feedback = FeedbackBook(database)
        app.state.staff = StaffDirectory(database)
        orders = app.state.assistant.orders
        app.state.copilot = Copilot(routes, DispatchModel.train(kb, orders.dispatch_examples()), kb)
        app.state.limiter = RateLimiter(settings.rate_limit_per_minute)
        app.state.settings = settings
        app.state.recogniser = Recogniser(settings.vosk_models, default=settings.vosk_default_model,
                                          max_seconds=settings.voice_max_seconds)
        yield

    app = FastAPI(title="政务助手 API", version="0.2.0", lifespan=lifespan)
    install_error_handlers(app)
    app.include_router(api_routes)
    app.include_router(voice_routes)
    app.include_router(staff_routes)
    app.include_router(staff_api)
    app.include_router(copilot_socket)
    if STATIC_DIR.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

        @app.get("/", include_in_schema=False)
        def index() -> FileResponse:
            return FileResponse(STATIC_DIR / "index.html")

        @app.get("/copilot", include_in_schema=False)
        def copilot_console() -> FileResponse:
            return FileResponse(STATIC_DIR / "copilot.html")

    return app
