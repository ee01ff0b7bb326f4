"""A request for every route of the app, as each kind of caller sends it (tests/test_roles.py and
tests/test_rate_limit.py call every route with these).

A route with no example here is probed generically: path parameters filled with "x", an empty JSON
object as the body of a POST, PUT, PATCH or DELETE. That serves staff and admin routes (refused before
the body is looked at) and public ones (any answer but 401/403 will do). A citizen route must refuse a
caller with no session with 401 before it reads the body (web/routes.py `citizen_session`,
`session_required`), or have an example here. A WebSocket route needs an example: what to send it so
that it answers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from server import create_app
from settings import Settings
from tests.conftest import KB_DIR
from web.access import Access, DeclaredRoute, declared_routes
from web.session_token import SESSION_COOKIE
from web.staff_routes import STAFF_COOKIE

STAFF_PASSWORD = "correct horse battery"
STAFF_USERS = {Access.staff: "agent1", Access.admin: "admin1"}
POLICY_VIOLATION = 1008  # the WebSocket close code that stands for 401/403

# Every (route, method) of the app. Built without starting it: nothing is loaded until the lifespan runs.
ROUTES = [(route, method) for route in declared_routes(create_app(Settings(kb_dir=KB_DIR)))
          for method in (route.methods or ("GET",))]


def route_id(item: tuple[DeclaredRoute, str]) -> str:
    route, method = item
    return f"{method if route.kind == 'http' else route.kind.upper()} {route.path}"


@dataclass(frozen=True)
class Caller:
    """Who is calling, and the credentials they hold."""

    who: Access  # Access.public: nobody in particular, no credentials
    session: str | None = None  # a citizen's conversation
    staff_token: str | None = None

    def headers(self) -> dict[str, str]:
        if self.session:
            return {"X-Session-Token": self.session, "Cookie": f"{SESSION_COOKIE}={self.session}"}
        if self.staff_token:
            return {"Cookie": f"{STAFF_COOKIE}={self.staff_token}"}
        return {}

    def with_session(self, body: dict[str, Any]) -> dict[str, Any]:
        """A body that names the conversation as the web app does (session_id), for a citizen."""
        return {**body, "session_id": self.session} if self.session else body


@dataclass
class Probe:
    method: str
    url: str
    json: Any = None
    params: dict[str, str] = field(default_factory=dict)
    content: bytes | None = None
    send: list[str] = field(default_factory=list)  # WebSocket: text messages to send once connected


Example = Callable[[Caller], Probe]

EXAMPLES: dict[tuple[str, str], Example] = {
    ("POST", "/api/chat"): lambda c: Probe("POST", "/api/chat", json=c.with_session({"text": "社保卡丢了怎么补办"})),
    ("GET", "/api/services/{service_id}"): lambda c: Probe("GET", "/api/services/sscard-apply"),
    ("GET", "/api/search"): lambda c: Probe("GET", "/api/search", params={"q": "失业保险金能领多久"}),
    ("GET", "/api/applications/{number}"): lambda c: Probe("GET", "/api/applications/GA20261123-000001", params={"phone_last4": "0000"}),
    ("GET", "/api/cases/{number}"): lambda c: Probe("GET", "/api/cases/WO20261123-000001", params={"phone_last4": "0000"}),
    ("POST", "/api/feedback"): lambda c: Probe("POST", "/api/feedback", json=c.with_session({"rating": 5})),
    ("POST", "/api/voice"): lambda c: Probe("POST", "/api/voice", content=b"RIFF0000WAVE",
                                            params={"session_id": c.session} if c.session else {}),
    ("GET", "/api/tts"): lambda c: Probe("GET", "/api/tts", params={"text": "您好"}),
    ("POST", "/api/staff/login"): lambda c: Probe("POST", "/api/staff/login",
                                                  json={"username": "agent1", "password": STAFF_PASSWORD}),
    ("GET", "/static"): lambda c: Probe("GET", "/static/app.css"),
    ("WS", "/ws/voice"): lambda c: Probe("WS", "/ws/voice", send=["end"]),
    ("WS", "/ws/copilot/{call_id}"): lambda c: Probe("WS", "/ws/copilot/call-1",
                                                     send=['{"type": "text", "text": "我的社保卡丢了"}']),
}


def probe_for(route: DeclaredRoute, method: str, caller: Caller) -> Probe:
    key = ("WS" if route.kind == "websocket" else method, route.path)
    if key in EXAMPLES:
        return EXAMPLES[key](caller)
    if route.kind == "websocket":
        raise AssertionError(f"add an example for the WebSocket route {route.path} to tests/route_probes.py")
    url = re.sub(r"\{[^}]+\}", "x", route.path)
    return Probe(method, url, json={} if method in ("POST", "PUT", "PATCH", "DELETE") else None)


@dataclass(frozen=True)
class Outcome:
    status: int  # HTTP status; for a WebSocket the close code, or 101 if it stayed open and answered
    body: Any  # the JSON body (or the first message), None if not JSON
    headers: dict[str, str]

    @property
    def refused(self) -> bool:
        return self.status in (401, 403, POLICY_VIOLATION)


def call(client: TestClient, probe: Probe, caller: Caller) -> Outcome:
    client.cookies.clear()  # only the caller's own credentials, none left over from an earlier answer
    if probe.method == "WS":
        return _call_socket(client, probe, caller)
    response = client.request(probe.method, probe.url, json=probe.json, params=probe.params, content=probe.content,
                              headers=caller.headers())
    try:
        body = response.json()
    except ValueError:
        body = None
    return Outcome(response.status_code, body, dict(response.headers))


def _call_socket(client: TestClient, probe: Probe, caller: Caller) -> Outcome:
    with client.websocket_connect(probe.url, headers=caller.headers()) as socket:
        for text in probe.send:
            socket.send_text(text)
        first = socket.receive_json()
        if first.get("type") != "error":
            return Outcome(101, first, {})
        try:
            socket.receive_json()
        except WebSocketDisconnect as closed:
            return Outcome(closed.code, first, {})
        return Outcome(101, first, {})
