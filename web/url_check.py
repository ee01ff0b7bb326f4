"""A NUL character in a request's path or query is refused (400 `invalid_characters`) before any route.

No identifier, number or query of this API holds one, and PostgreSQL refuses NUL in text, so a path
such as /api/workorders/%00 would otherwise reach the database and fail there (found by
tests/test_bad_input.py on PostgreSQL). Typed text in JSON bodies is cleaned instead (web/models.py,
CleanText); sockets with such a URL are closed (1008).
"""

from __future__ import annotations

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from web.request_errors import refusal


def _has_nul(scope: Scope) -> bool:
    return "\x00" in scope.get("path", "") or b"%00" in scope.get("query_string", b"")


class NoNulInUrl:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and _has_nul(scope):
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
            else:
                await JSONResponse(status_code=400, content=refusal("invalid_characters").model_dump())(scope, receive, send)
            return
        await self.app(scope, receive, send)
