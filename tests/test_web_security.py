"""Security headers on every answer of the real app, cookies scripts cannot read, and pages that run
under a strict Content-Security-Policy (no inline code anywhere in web/static)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from assistant.staff.accounts import Role, StaffDirectory
from assistant.storage.db import open_database
from server import STATIC_DIR, create_app
from settings import Settings
from tests.conftest import KB_DIR
from tests.web_support import PageMarkup
from web.security_headers import content_security_policy

PASSWORD = "correct horse battery"
FIXED = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}


def make_client(tmp_path, router, base_url: str = "http://testserver", **settings) -> TestClient:
    settings = Settings(data_dir=tmp_path / "data", kb_dir=KB_DIR, **settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    StaffDirectory(open_database(settings.resolved_database_url)).add("agent1", PASSWORD, Role.staff)
    app = create_app(settings, router=router)

    def boom() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/api/boom", boom)  # an endpoint with a bug: its 500 must carry the headers too
    return TestClient(app, base_url=base_url, raise_server_exceptions=False)


@pytest.fixture
def client(tmp_path, router):
    with make_client(tmp_path, router) as c:
        yield c


def directives(policy: str) -> dict[str, list[str]]:
    return {name: values for name, *values in (part.split() for part in policy.split(";"))}


def test_every_kind_of_answer_carries_the_security_headers(client):
    answers = {
        "the citizen page": client.get("/"),
        "the staff console": client.get("/copilot"),
        "a script": client.get("/static/app.js"),
        "an API answer": client.get("/api/health"),
        "a refusal": client.post("/api/chat", json={"text": ""}),
        "a validation error": client.post("/api/chat", json={"text": 1}),
        "an unknown path": client.get("/api/nothing-here"),
        "a wrong method": client.delete("/api/health"),
        "a body over the limit": client.post("/api/chat", content=b"x" * (2 * 1024 * 1024),
                                             headers={"Content-Type": "application/json"}),
        "a server error": client.get("/api/boom"),
    }
    assert answers["a server error"].status_code == 500 and answers["a body over the limit"].status_code == 413
    for what, response in answers.items():
        for name, value in FIXED.items():
            assert response.headers.get(name) == value, (what, name)
        assert "microphone=(self)" in response.headers["permissions-policy"], what
        assert "camera=()" in response.headers["permissions-policy"], what
        assert response.headers["content-security-policy"] == content_security_policy("testserver"), what


def test_the_content_security_policy_allows_only_the_app_itself():
    policy = directives(content_security_policy("gov.example.cn:8443"))
    assert policy["default-src"] == ["'self'"] and policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"] and policy["img-src"] == ["'self'", "data:"]
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["form-action"] == ["'self'"]
    # The sockets go back to the page's own host, and nowhere else.
    assert policy["connect-src"] == ["'self'", "ws://gov.example.cn:8443", "wss://gov.example.cn:8443"]
    assert not any("unsafe" in value or value.startswith(("http:", "https:", "*")) for values in policy.values() for value in values)


@pytest.mark.parametrize("host", ["evil.example; script-src *", "a b", "x'y", "", None])
def test_a_host_header_that_is_no_plain_host_never_reaches_the_policy(host):
    policy = directives(content_security_policy(host))
    assert policy["connect-src"] == ["'self'"] and policy["script-src"] == ["'self'"]


def test_api_answers_are_never_cached_and_static_files_may_be(client):
    turn = client.post("/api/chat", json={"text": "我想补办社保卡"})
    assert turn.headers["cache-control"] == "no-store"
    assert client.get("/api/applications/GA20261123-000001").headers["cache-control"] == "no-store"
    assert "no-store" not in client.get("/static/app.css").headers.get("cache-control", "")


# -- cookies --------------------------------------------------------------------------------------


def cookie_attributes(response, name: str) -> dict[str, str]:
    header = next(h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}="))
    parts = [p.strip() for p in header.split(";")[1:]]
    return {p.split("=")[0].lower(): (p.split("=", 1)[1] if "=" in p else "") for p in parts}


def session_and_staff_cookies(client) -> list[dict[str, str]]:
    chat = client.post("/api/chat", json={"text": "你好"})
    login = client.post("/api/staff/login", json={"username": "agent1", "password": PASSWORD})
    token = login.headers["set-cookie"].split(";")[0].split("=", 1)[1]
    logout = client.post("/api/staff/logout", headers={"Authorization": f"Bearer {token}"})  # a Secure cookie
    # would not come back over http://, so the sign-out names its token
    assert chat.status_code == 200 and login.status_code == 200 and logout.status_code == 204
    return [cookie_attributes(chat, "govassist_session"), cookie_attributes(login, "govassist_staff"),
            cookie_attributes(logout, "govassist_staff")]


def test_every_cookie_is_http_only_and_same_site_strict_and_not_secure_on_plain_http(client):
    for cookie in session_and_staff_cookies(client):
        assert "httponly" in cookie and cookie["samesite"].lower() == "strict"
        assert "secure" not in cookie  # a browser would drop a Secure cookie sent over plain http://


def test_cookies_are_secure_when_the_page_came_over_https(tmp_path, router):
    with make_client(tmp_path, router, base_url="https://testserver") as client:
        for cookie in session_and_staff_cookies(client):
            assert {"secure", "httponly"} <= set(cookie) and cookie["samesite"].lower() == "strict"


def test_cookies_are_secure_behind_a_tls_proxy_when_the_setting_says_so(tmp_path, router):
    with make_client(tmp_path, router, secure_cookies=True) as client:
        for cookie in session_and_staff_cookies(client):
            assert {"secure", "httponly"} <= set(cookie)


# -- the pages' own files -------------------------------------------------------------------------

HTML_AS_CODE = re.compile(r"\.innerHTML\b|\.outerHTML\b|insertAdjacentHTML|document\.write|\beval\(|new Function\b"
                          r"|setAttribute\(\s*[\"'](?:style|on\w+)[\"']")


@pytest.mark.parametrize("page", sorted(p.name for p in STATIC_DIR.glob("*.html")))
def test_no_page_has_inline_code_inline_styles_or_outside_urls(page):
    markup = PageMarkup()
    markup.feed((STATIC_DIR / page).read_text(encoding="utf-8"))
    assert markup.inline == []  # <script> without src, <style>, on…= handlers, style= attributes
    assert all(url.startswith(("/static/", "/docs/assets/", "#")) for url in markup.urls), markup.urls


@pytest.mark.parametrize("script", sorted(p.name for p in STATIC_DIR.glob("*.js")))
def test_no_script_turns_text_into_markup_or_code(script):
    """Replies, transcripts and caller details are shown with textContent: a message such as
    <img src=x onerror=alert(1)> stays text (tests/test_web_e2e.py and test_copilot_e2e.py show it)."""
    source = (STATIC_DIR / script).read_text(encoding="utf-8")
    assert not HTML_AS_CODE.search(source), HTML_AS_CODE.search(source)


# -- sockets --------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/ws/voice", "/ws/copilot/call-1"])
def test_a_socket_opened_from_another_site_is_refused(client, path):
    from starlette.websockets import WebSocketDisconnect

    for origin in ("https://evil.example", "http://testserver.evil.example", "null"):
        with pytest.raises(WebSocketDisconnect) as refused:
            with client.websocket_connect(path, headers={"Origin": origin}) as socket:
                socket.receive_json()
        assert refused.value.code == 1008, origin


def test_a_socket_from_the_apps_own_page_is_let_through_to_its_route(client):
    with client.websocket_connect("/ws/copilot/call-1", headers={"Origin": "http://testserver"}) as socket:
        assert socket.receive_json()["code"] == "staff_login_required"  # the route's own check answers
