"""GET /api/recommendations (服务找人) through the real app: typed items with reasons, for the session's
own token only."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from server import create_app
from settings import Settings
from tests.conftest import KB_DIR

ID = "110101199003074514"


@pytest.fixture
def client(tmp_path, router):
    with TestClient(create_app(Settings(data_dir=tmp_path / "data", kb_dir=KB_DIR), router=router)) as c:
        yield c


def say(client, text, session_id=None) -> dict:
    response = client.post("/api/chat", json={"session_id": session_id, "text": text})
    assert response.status_code == 200, response.text
    return response.json()


def test_after_an_application_the_session_gets_follow_ups_and_matched_policies_with_reasons(client):
    session = say(client, "我刚生了孩子，我想第一次办张社保卡")["session_id"]
    for text in ("同意", f"我叫张三，身份证{ID}，电话13800138000", "到银行网点领取", "都有了", "确认提交"):
        turn = say(client, text, session)
    assert turn["state"] == "submitted"

    response = client.get("/api/recommendations", headers={"X-Session-Token": session})
    assert response.status_code == 200
    items = response.json()["items"]
    assert all(set(i) == {"id", "name", "kind", "reason", "can_apply", "quick_reply", "basis"} for i in items)
    services = [i for i in items if i["kind"] == "service"]
    policies = [i for i in items if i["kind"] == "policy"]
    assert services and policies and items.index(services[-1]) < items.index(policies[0])  # follow-ups first
    assert {"birth-certificate", "vaccination-certificate"} <= {i["id"] for i in services}  # 新生儿一件事 siblings
    assert all(i["can_apply"] and i["quick_reply"] and "社会保障卡申领" in i["reason"] for i in services)
    allowance = next(i for i in policies if i["name"] == "生育津贴")
    assert allowance["reason"].startswith("因为您提到“刚生了孩子”") and allowance["quick_reply"] == "生育津贴申领"

    started = say(client, allowance["quick_reply"], session)  # what the web panel sends on a tap
    assert started["state"] == "consent" and started["service"]["id"] == "maternity-allowance"


def test_the_cookie_names_the_session_too_and_a_new_conversation_has_nothing_yet(client):
    say(client, "你好")
    assert client.get("/api/recommendations").json() == {"items": []}


def test_without_a_known_session_the_answer_is_the_one_error_shape(client):
    client.cookies.clear()
    assert client.get("/api/recommendations").status_code == 401  # no session at all (tests/test_roles.py)
    response = client.get("/api/recommendations", headers={"X-Session-Token": "no-such-session-token-000"})
    assert response.status_code == 404
    assert response.json() == {"code": "session_not_found", "message": "这次对话已经结束或不存在，请重新开始。", "field": None}


def test_the_response_is_typed_in_the_openapi_schema(client):
    schema = client.get("/openapi.json").json()
    item = schema["components"]["schemas"]["RecommendationItem"]
    assert set(item["required"]) >= {"id", "name", "kind", "reason", "can_apply"}
    assert "/api/recommendations" in schema["paths"]
