"""WebSockets only from the app's own pages: a handshake whose Origin names another site is refused
(1008) before any route sees it.

The staff socket (/ws/copilot) is signed in by cookie, and SameSite=Strict already keeps that cookie
off a cross-site handshake in current browsers; this check does not depend on the browser. A
handshake without an Origin (not from a browser: a phone gateway, a test) is let through to the
route's own checks. Behind a proxy, the proxy must pass the Host header on (docs/deploy.md does).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send


class SameOriginSockets:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            headers = Headers(scope=scope)
            origin = headers.get("origin")
            if origin is not None and urlsplit(origin).netloc.lower() != headers.get("host", "").lower():
                await send({"type": "websocket.close", "code": 1008})
                return
        await self.app(scope, receive, send)
