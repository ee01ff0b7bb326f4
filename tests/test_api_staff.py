"""Staff endpoints: only a signed-in staff member reaches them; copilot suggestions for a call;
work orders created and moved through their lifecycle; every reveal audited."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from assistant.staff.accounts import Role, StaffDirectory
from assistant.storage.db import open_database
from server import create_app
from settings import Settings
from tests.conftest import KB_DIR

PASSWORD = "correct horse battery"
CALL = "你好，我的社保卡丢了，想补办一张。我叫张三，电话13800138000，住在广州市越秀区东风中路305号。"
STAFF_ONLY = [
    ("post", "/api/copilot/suggest", {"transcript": CALL}),
    ("post", "/api/copilot/reveal", {"call_id": "c1", "transcript": CALL, "field": "phone"}),
    ("post", "/api/workorders", {"type": "help", "summary": "补办社保卡"}),
    ("get", "/api/workorders", None),
    ("get", "/api/workorders/WO20261123-000001", None),
    ("post", "/api/workorders/WO20261123-000001/transitions", {"to": "dispatched", "dept": "人力资源和社会保障局"}),
    ("get", "/api/workorders/WO20261123-000001/history", None),
    ("post", "/api/workorders/WO20261123-000001/reveal", {"field": "phone"}),
    ("get", "/api/workorders/WO20261123-000001/audit", None),
]


@pytest.fixture
def client(tmp_path, router):
    settings = Settings(data_dir=tmp_path / "data", kb_dir=KB_DIR)
    settings.data_dir.mkdir(parents=True)
    StaffDirectory(open_database(settings.resolved_database_url)).add("agent1", PASSWORD, Role.staff)
    with TestClient(create_app(settings, router=router)) as c:
        yield c


def sign_in(client):
    assert client.post("/api/staff/login", json={"username": "agent1", "password": PASSWORD}).status_code == 200


@pytest.mark.parametrize(("method", "path", "body"), STAFF_ONLY, ids=[f"{m} {p}" for m, p, _ in STAFF_ONLY])
def test_staff_endpoints_refuse_anonymous_callers_and_citizen_tokens(client, method, path, body):
    citizen = client.post("/api/chat", json={"text": "你好"}).json()["session_id"]
    for headers in ({}, {"Authorization": f"Bearer {citizen}"}, {"X-Session-Token": citizen}):
        response = client.request(method, path, json=body, headers=headers)
        assert response.status_code == 401, (path, headers)
        assert response.json()["code"] == "staff_login_required"


def test_a_call_transcript_gets_the_service_masked_details_a_script_and_a_department(client):
    sign_in(client)
    body = client.post("/api/copilot/suggest", json={"transcript": CALL}).json()
    assert body["candidates"][0]["id"] == "sscard-loss"
    fields = {f["name"]: f for f in body["fields"]}
    assert fields["phone"]["masked"] == "138****8000" and "value" not in fields["phone"]
    assert "13800138000" not in str(body)
    assert body["script"] and body["dispatch"]["dept"]


def test_a_work_order_moves_through_its_lifecycle_and_reveals_are_audited(client):
    sign_in(client)
    created = client.post("/api/workorders", json={"type": "help", "summary": "来电人社保卡丢失，要求补办。我叫张三，电话13800138000",
                                                   "dept": "人力资源和社会保障局", "transcript": CALL})
    assert created.status_code == 201, created.text
    order = created.json()
    number = order["number"]
    assert order["status"] == "accepted" and order["caller"]["phone"] == "138****8000"
    assert "张三" not in order["summary"] and "13800138000" not in order["summary"] and "社保卡丢失" in order["summary"]
    steps = [("dispatched", "人力资源和社会保障局"), ("handling", None), ("follow_up", None), ("closed", None)]
    for to, dept in steps:
        moved = client.post(f"/api/workorders/{number}/transitions", json={"to": to, "note": "", "dept": dept})
        assert moved.status_code == 200, moved.text
    assert client.post(f"/api/workorders/{number}/transitions", json={"to": "handling"}).json()["code"] == "illegal_transition"
    history = client.get(f"/api/workorders/{number}/history").json()
    assert [h["to_status"] for h in history] == ["accepted", "dispatched", "handling", "follow_up", "closed"]
    assert all(h["actor"] == "agent1" for h in history)

    audit = client.get(f"/api/workorders/{number}/audit").json()
    assert [a["action"] for a in audit] == ["create"] + ["transition"] * 4  # every change, nothing read yet
    shown = client.post(f"/api/workorders/{number}/reveal", json={"field": "phone"}).json()
    assert shown["value"] == "13800138000"
    audit = client.get(f"/api/workorders/{number}/audit").json()
    assert [(a["actor"], a["action"], a["detail"]) for a in audit[-1:]] == [("agent1", "reveal", {"field": "phone"})]


def test_the_copilot_socket_suggests_as_the_transcript_grows(client):
    sign_in(client)
    with client.websocket_connect("/ws/copilot/call-1") as socket:
        socket.send_json({"type": "text", "text": "喂你好，我想问一下"})
        socket.receive_json()
        socket.send_json({"type": "text", "text": "我的社保卡丢了，怎么补办"})
        message = socket.receive_json()
    assert message["type"] == "suggestion" and message["candidates"][0]["id"] == "sscard-loss"
    assert "社保卡丢了" in message["transcript"]


def test_the_copilot_socket_refuses_without_a_staff_login(client):
    with client.websocket_connect("/ws/copilot/call-1") as socket:
        assert socket.receive_json()["code"] == "staff_login_required"


def test_an_agent_starts_the_callers_application_with_the_details_from_the_call(client):
    sign_in(client)
    call = CALL + "我身份证号是110101199003074514。"
    turn = client.post("/api/copilot/apply", json={"service_id": "sscard-loss", "transcript": call})
    assert turn.status_code == 201, turn.text
    body = turn.json()
    slots = {s["value"] for s in body["slots"]}
    assert body["state"] == "filling" and {"张*", "138****8000", "110101********4514"} <= slots
    assert "13800138000" not in turn.text
    nxt = client.post("/api/chat", json={"session_id": body["session_id"], "text": "跳过"})
    assert nxt.status_code == 200  # the agent carries on the same conversation
    assert client.post("/api/copilot/apply", json={"service_id": "passport-info", "transcript": call}).status_code == 404
