"""A cap on the size of request bodies: 413 `body_too_large` before a large body is read into memory.

Checked on the declared Content-Length and again while the body streams in (a chunked body declares
none). Paths that take recordings (/api/voice) are left to their own, larger limit and its own code
(`audio_too_large`, settings.voice_max_bytes).
"""

from __future__ import annotations

from collections.abc import Collection

from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.request_errors import refusal

OWN_LIMIT = ("/api/voice",)


class BodyTooLarge(HTTPException):
    def __init__(self) -> None:
        super().__init__(status_code=413)


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int, own_limit: Collection[str] = OWN_LIMIT) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.own_limit = frozenset(own_limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.own_limit:
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            response = JSONResponse(status_code=413, content=refusal("body_too_large").model_dump())
            await response(scope, receive, send)
            return
        received = 0

        async def receive_limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # Raised inside the endpoint's body read; the app's handler answers it as a 413.
                    raise BodyTooLarge()
            return message

        await self.app(scope, receive_limited, send)
