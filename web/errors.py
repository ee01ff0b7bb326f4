"""API errors: one JSON shape with a stable code and a Chinese message, for every failure."""

from __future__ import annotations

import logging
import traceback
from functools import lru_cache
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.common.messages import Messages
from assistant.dialogue.conversation_lock import ConversationBusy
from assistant.privacy.masking import mask_text
from web.models import ApiError
from web.request_errors import http_refusal, refusal, validation_refusal

log = logging.getLogger("govassist.api")
REFUSALS_FILE = Path(__file__).resolve().parent / "data" / "refusals.yaml"


class ApiException(Exception):
    def __init__(self, status: int, error: ApiError, headers: dict[str, str] | None = None) -> None:
        self.status = status
        self.error = error
        self.headers = headers  # e.g. Retry-After on a 429


@lru_cache(maxsize=1)
def refusals() -> Messages:
    """The endpoints' refusals, worded in web/data/refusals.yaml (the assistant's Messages, another file)."""
    return Messages.load(REFUSALS_FILE)


def refused_error(key: str, field: str | None = None, **params: object) -> ApiError:
    """The error of refusal `key`: its code is the key up to a dot (`detail_not_found.caller` is sent as
    detail_not_found, worded for the caller's details)."""
    return ApiError(code=key.split(".")[0], message=refusals()(key, **params), field=field)


def refuse(status: int, key: str, *, field: str | None = None, headers: dict[str, str] | None = None,
           **params: object) -> ApiException:
    """The exception that answers `status` with refusal `key` (see refused_error)."""
    return ApiException(status, refused_error(key, field, **params), headers)


def conversation_busy(exc: ConversationBusy) -> ApiException:
    """409 to a turn refused because other turns of its conversation kept it busy (it was not applied):
    send it again after Retry-After seconds, under the same message_id."""
    return ApiException(409, refusal("conversation_busy"), headers={"Retry-After": str(exc.retry_after_s)})


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiException)
    async def _api(_: Request, exc: ApiException) -> JSONResponse:
        return JSONResponse(status_code=exc.status, content=exc.error.model_dump(), headers=exc.headers)

    @app.exception_handler(ConversationBusy)
    async def _busy(request: Request, exc: ConversationBusy) -> JSONResponse:
        return await _api(request, conversation_busy(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        status, error = validation_refusal(exc.errors(), request.headers)
        return JSONResponse(status_code=status, content=error.model_dump())

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        error = http_refusal(exc.status_code)
        return JSONResponse(status_code=exc.status_code, content=error.model_dump(), headers=exc.headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Never the request body, and the trace masked: either may hold an ID or phone number.
        trace = mask_text("".join(traceback.format_exception(exc)))
        log.error("unexpected error on %s %s\n%s", request.method, request.url.path, trace)
        return JSONResponse(status_code=500, content=refusal("internal_error").model_dump())
