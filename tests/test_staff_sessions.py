"""Staff sign-in through the API: lockout after repeated failures, sessions that end on logout
(cookie or bearer token alike) and on expiry. assistant/staff/accounts.py's own rules are in test_staff.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from assistant.staff.accounts import MAX_FAILURES, Role, StaffDirectory
from assistant.storage.db import open_database, writing
from assistant.staff.tables import StaffSessionRow
from server import create_app
from settings import Settings
from tests.conftest import KB_DIR
from web.staff_routes import STAFF_COOKIE

PASSWORD = "correct horse battery"


@pytest.fixture
def settings(tmp_path):
    settings = Settings(data_dir=tmp_path / "data", kb_dir=KB_DIR)
    settings.data_dir.mkdir(parents=True)
    StaffDirectory(open_database(settings.resolved_database_url)).add("agent1", PASSWORD, Role.staff)
    return settings


@pytest.fixture
def client(settings, router):
    with TestClient(create_app(settings, router=router)) as c:
        yield c


def login(client, password=PASSWORD):
    return client.post("/api/staff/login", json={"username": "agent1", "password": password})


def test_repeated_failures_make_a_known_and_an_unknown_name_wait_alike(client):
    def attempts(name: str) -> list[tuple[int, dict, str | None]]:
        answers = [client.post("/api/staff/login", json={"username": name, "password": p})
                   for p in ["wrong password!"] * MAX_FAILURES + [PASSWORD]]
        return [(a.status_code, a.json(), a.headers.get("retry-after")) for a in answers]

    known, unknown = attempts("agent1"), attempts("nobody")
    assert known == unknown  # same codes, same words, same wait: nothing tells which name exists
    assert [status for status, _, _ in known] == [401] * MAX_FAILURES + [429]
    _status, body, retry_after = known[-1]
    assert body["code"] == "throttled" and "30秒" in body["message"] and retry_after == "30"


def test_failures_from_another_address_do_not_keep_an_agent_out(client, settings, router):
    for _ in range(MAX_FAILURES + 2):
        client.post("/api/staff/login", json={"username": "agent1", "password": "wrong password!"})
    with TestClient(client.app, client=("10.9.8.7", 50000)) as elsewhere:
        signed_in = elsewhere.post("/api/staff/login", json={"username": "agent1", "password": PASSWORD})
    assert signed_in.status_code == 200 and STAFF_COOKIE in signed_in.cookies


@pytest.mark.parametrize("carrier", ["cookie", "bearer"])
def test_logout_ends_the_session_it_was_sent_with(client, carrier):
    token = login(client).cookies[STAFF_COOKIE]
    client.cookies.clear()
    headers = {"Cookie": f"{STAFF_COOKIE}={token}"} if carrier == "cookie" else {"Authorization": f"Bearer {token}"}
    assert client.get("/api/staff/me", headers=headers).status_code == 200
    assert client.post("/api/staff/logout", headers=headers).status_code == 204
    client.cookies.clear()
    refused = client.get("/api/staff/me", headers=headers)
    assert refused.status_code == 401 and refused.json()["code"] == "staff_login_required"


def test_an_expired_session_is_refused(client, settings):
    token = login(client).cookies[STAFF_COOKIE]
    client.cookies.clear()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/workorders", headers=headers).status_code == 200
    with writing(open_database(settings.resolved_database_url)) as db:  # its eight hours are up
        db.execute(update(StaffSessionRow).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    assert client.get("/api/workorders", headers=headers).status_code == 401


def test_a_disabled_account_is_signed_out_everywhere_and_told_why_at_sign_in(client, govassist):
    token = login(client).cookies[STAFF_COOKIE]
    client.cookies.clear()
    headers = {"Authorization": f"Bearer {token}"}
    with client.websocket_connect("/ws/copilot/call-1", headers={"Cookie": f"{STAFF_COOKIE}={token}"}) as socket:
        socket.send_json({"type": "text", "text": "喂你好，我想问一下"})
        assert socket.receive_json()["type"] == "suggestion"
        assert govassist("staff", "disable", "agent1").exit_code == 0  # the same database, from the terminal
        assert client.get("/api/staff/me", headers=headers).status_code == 401
        socket.send_json({"type": "text", "text": "我的社保卡丢了，怎么补办"})  # a call already open ends too
        assert socket.receive_json()["code"] == "staff_login_required"
    refused = login(client)
    assert refused.status_code == 403 and refused.json()["code"] == "disabled" and STAFF_COOKIE not in refused.cookies
    assert login(client, "wrong password!").json()["code"] == "bad_credentials"  # no hint without the password
    assert govassist("staff", "enable", "agent1").exit_code == 0
    assert login(client).status_code == 200
