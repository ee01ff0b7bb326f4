"""The FastAPI app. Built by a factory from Settings; nothing is loaded at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from knowledge.base import KnowledgeBase, load_knowledge_base
from knowledge.render import render_guide
from settings import Settings


class ApiError(BaseModel):
    """The one error shape of the API: a stable code, a Chinese message, the field at fault if any."""

    code: str
    message: str
    field: str | None = None


class ApiException(Exception):
    def __init__(self, status: int, error: ApiError) -> None:
        self.status = status
        self.error = error


class ServiceSummary(BaseModel):
    id: str
    name: str
    kind: str
    dept: str


class ServiceGuide(ServiceSummary):
    guide: str  # the guide as a citizen reads it


class Health(BaseModel):
    status: str
    services: int
    bundles: int
    policies: int


def get_kb(request: Request) -> KnowledgeBase:
    return request.app.state.kb


KbDep = Annotated[KnowledgeBase, Depends(get_kb)]


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.kb = load_knowledge_base(settings.kb_dir, settings.sources_dir)
        yield

    app = FastAPI(title="政务助手 API", version="0.1.0", lifespan=lifespan)

    @app.exception_handler(ApiException)
    async def _api_error(_: Request, exc: ApiException) -> JSONResponse:
        return JSONResponse(status_code=exc.status, content=exc.error.model_dump())

    @app.get("/api/health", response_model=Health)
    def health(kb: KbDep) -> Health:
        return Health(status="ok", services=len(kb.services), bundles=len(kb.bundles), policies=len(kb.policies))

    @app.get("/api/services", response_model=list[ServiceSummary])
    def services(kb: KbDep) -> list[ServiceSummary]:
        own = [ServiceSummary(id=s.id, name=s.name, kind=s.kind.value, dept=s.dept) for s in kb.services.values()]
        imported = [ServiceSummary(id=i.id, name=i.name, kind=i.kind, dept=i.dept) for i in kb.imported.values()]
        return own + imported

    @app.get("/api/services/{service_id}", response_model=ServiceGuide, responses={404: {"model": ApiError}})
    def service(service_id: str, kb: KbDep) -> ServiceGuide:
        item = kb.services.get(service_id) or kb.imported.get(service_id)
        if item is None:
            raise ApiException(404, ApiError(code="service_not_found", message="未找到该事项，请检查事项编号。"))
        kind = getattr(item.kind, "value", item.kind)  # ServiceKind for our guides, a plain str when imported
        return ServiceGuide(id=item.id, name=item.name, kind=kind, dept=item.dept, guide=render_guide(kb, item))

    return app
