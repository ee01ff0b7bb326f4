"""The JSON API through the real ASGI app: chat, search, progress, feedback, and its errors."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from server import create_app
from settings import Settings
from tests.conftest import KB_DIR

ID = "110101199003074514"


@pytest.fixture
def client(tmp_path, router):
    settings = Settings(data_dir=tmp_path / "data", kb_dir=KB_DIR, rate_limit_per_minute=30)
    with TestClient(create_app(settings, router=router)) as c:
        yield c


def say(client, text, session_id=None):
    response = client.post("/api/chat", json={"session_id": session_id, "text": text})
    assert response.status_code == 200, response.text
    return response.json()


def test_a_conversation_through_the_api_ends_with_a_tracking_number(client):
    turn = say(client, "我想第一次办张社保卡")
    session = turn["session_id"]
    assert turn["state"] == "consent" and turn["service"]["id"] == "sscard-apply"
    assert turn["card"]["dept"] and turn["card"]["materials"] and turn["card"]["fee"]
    assert set(turn) >= {"reply", "slots", "missing", "application", "suggestions"}
    say(client, "同意", session)
    turn = say(client, f"我叫张三，身份证{ID}，电话13800138000", session)
    assert {s["label"]: s["value"] for s in turn["slots"]}["持卡人身份证号码"] == "110101********4514"
    for text in ("到银行网点领取", "都有了", "确认提交"):
        turn = say(client, text, session)
    assert turn["state"] == "submitted" and turn["application"]["status"] == "submitted"
    number = turn["application"]["number"]

    own = client.get(f"/api/applications/{number}", headers={"X-Session-Token": session}).json()
    assert own["status_label"] == "已提交" and own["fields"]["持卡人姓名"] == "张*"
    client.cookies.clear()
    stranger = client.get(f"/api/applications/{number}", params={"phone_last4": "8000"}).json()
    assert stranger["status"] == "submitted" and stranger["fields"] is None

    saved = client.post("/api/feedback", json={"session_id": session, "rating": 5, "comment": "很方便", "application": number})
    assert saved.status_code == 201 and saved.json()["id"] >= 1


def test_the_session_token_is_also_an_http_only_cookie(client):
    response = client.post("/api/chat", json={"text": "你好"})
    cookie = response.headers["set-cookie"]
    assert "govassist_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert say(client, "我想第一次办张社保卡")["session_id"] == response.json()["session_id"]  # the cookie carried it


def test_search_returns_candidates_and_policy_passages(client):
    body = client.get("/api/search", params={"q": "失业保险金能领多久"}).json()
    assert body["candidates"] and body["passages"]
    assert all(p["source"] for p in body["passages"])


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"text": ""}, 400, "empty_message"),
        ({"text": "   "}, 400, "empty_message"),
        ({"text": "社保" * 300}, 422, "invalid_request"),
        ({"text": 123}, 422, "invalid_request"),
        ({"text": "你好", "extra": 1}, 422, "invalid_request"),
        ({"text": "你好", "session_id": "../../etc/passwd"}, 422, "invalid_request"),
        ({"text": "你好", "session_id": "A" * 32}, 404, "session_not_found"),
    ],
)
def test_bad_requests_get_a_stable_code_and_a_chinese_message(client, payload, status, code):
    response = client.post("/api/chat", json=payload)
    assert response.status_code == status
    body = response.json()
    assert body["code"] == code and any("\u4e00" <= ch <= "\u9fff" for ch in body["message"])


def test_unknown_application_and_bad_search_are_clear_errors(client):
    unknown = client.get("/api/applications/GA20990101-000001", params={"phone_last4": "8000"})
    assert unknown.json()["code"] == "application_not_found"
    assert client.get("/api/search", params={"q": ""}).json()["code"] == "bad_query"
    assert client.post("/api/feedback", json={"session_id": "A" * 32, "rating": 9}).json()["code"] == "invalid_request"


def test_too_many_messages_are_refused_and_the_session_stays_usable(client):
    session = say(client, "你好")["session_id"]
    codes = [client.post("/api/chat", json={"session_id": session, "text": "你好"}).status_code for _ in range(35)]
    assert 429 in codes
    assert client.post("/api/chat", json={"session_id": session, "text": "你好"}).json()["code"] == "rate_limited"


def test_staff_sign_in_and_see_personal_fields_of_any_application(client, tmp_path):
    from click.testing import CliRunner

    from cli import main

    turn = say(client, "我想第一次办张社保卡")
    session = turn["session_id"]
    for text in ("同意", f"我叫张三，身份证{ID}，电话13800138000", "到银行网点领取", "都有了", "确认提交"):
        turn = say(client, text, session)
    number = turn["application"]["number"]
    client.cookies.clear()
    assert client.get(f"/api/applications/{number}", params={"phone_last4": "8000"}).json()["fields"] is None

    added = CliRunner().invoke(main, ["--data-dir", str(tmp_path / "data"), "staff", "add", "agent1"],
                               input="correct horse battery\ncorrect horse battery\n")
    assert added.exit_code == 0, added.output
    assert client.get("/api/staff/me").json()["code"] == "staff_login_required"
    refused = client.post("/api/staff/login", json={"username": "agent1", "password": "nope"})
    assert refused.status_code == 401 and refused.json()["code"] == "bad_credentials"
    signed_in = client.post("/api/staff/login", json={"username": "agent1", "password": "correct horse battery"})
    assert signed_in.status_code == 200 and "HttpOnly" in signed_in.headers["set-cookie"]
    assert client.get("/api/staff/me").json() == {"username": "agent1", "role": "staff"}
    assert client.get(f"/api/applications/{number}").json()["fields"]["持卡人姓名"] == "张*"


def test_every_route_reads_the_session_token_from_the_same_places_in_the_same_order(client):
    """Body session_id, else the X-Session-Token header, else the cookie (web/session_token.py)."""
    first = say(client, "我想第一次办张社保卡")["session_id"]
    client.cookies.clear()
    second = say(client, "你好")["session_id"]  # the cookie now names the second conversation
    assert first != second

    by_header = client.post("/api/chat", json={"text": "同意"}, headers={"X-Session-Token": first}).json()
    assert by_header["session_id"] == first  # the header names it, over the cookie
    by_body = client.post("/api/chat", json={"session_id": second, "text": "你好"}, headers={"X-Session-Token": first})
    assert by_body.json()["session_id"] == second  # the body over the header
    unknown = client.post("/api/chat", json={"text": "你好"}, headers={"X-Session-Token": "x" * 32})
    assert unknown.status_code == 404 and unknown.json()["code"] == "session_not_found"  # named: never adopted

    client.cookies.clear()
    assert client.get("/api/recommendations").status_code == 401
    assert client.get("/api/recommendations", headers={"X-Session-Token": first}).status_code == 200
    client.cookies.set("govassist_session", first)
    assert client.get("/api/recommendations").status_code == 200
