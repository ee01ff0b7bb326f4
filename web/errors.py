"""API errors: one JSON shape with a stable code and a Chinese message, for every failure."""

from __future__ import annotations

import logging
import traceback

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.masking import mask_text
from web.models import ApiError

log = logging.getLogger("govassist.api")

_STATUS_CODES = {404: ("not_found", "没有这个页面或接口。"), 405: ("method_not_allowed", "不支持这种请求方式。")}


class ApiException(Exception):
    def __init__(self, status: int, error: ApiError, headers: dict[str, str] | None = None) -> None:
        self.status = status
        self.error = error
        self.headers = headers  # e.g. Retry-After on a 429


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiException)
    async def _api(_: Request, exc: ApiException) -> JSONResponse:
        return JSONResponse(status_code=exc.status, content=exc.error.model_dump(), headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path")]
        error = ApiError(code="invalid_request", message="请求内容不正确，请检查后再试。", field=".".join(where) or None)
        return JSONResponse(status_code=422, content=error.model_dump())

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code, message = _STATUS_CODES.get(exc.status_code, ("http_error", "请求没有成功，请稍后再试。"))
        return JSONResponse(status_code=exc.status_code, content=ApiError(code=code, message=message).model_dump())

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Never the request body, and the trace masked: either may hold an ID or phone number.
        trace = mask_text("".join(traceback.format_exception(exc)))
        log.error("unexpected error on %s %s\n%s", request.method, request.url.path, trace)
        error = ApiError(code="internal_error", message="系统开小差了，请稍后再试。您填写的内容已经保存。")
        return JSONResponse(status_code=500, content=error.model_dump())
