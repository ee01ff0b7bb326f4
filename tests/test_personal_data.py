"""查询和删除本人数据: with their session token a citizen sees what is kept about them (masked) and erases
it; the office keeps each case's number, service and status; the erasure is in the audit log."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from assistant.privacy.audit import session_object
from assistant.staff.accounts import Role, StaffDirectory
from assistant.storage.db import open_database
from assistant.storage.personal_tables import ApplicantLinkRow, ApplicationRow, WorkOrderRow
from server import create_app
from settings import Settings
from tests.conftest import KB_DIR

ID_NUMBER, PHONE, NAME = "11010519491231002X", "13800138000", "欧阳娜娜"
PASSWORD = "correct horse battery"
APPLY = ["我想第一次办张社保卡", "同意", f"我叫{NAME}，身份证{ID_NUMBER}，电话{PHONE}", "邮寄到家",
         "广东省广州市越秀区东风中路305号", "都有了", "确认提交"]
REPORT = ["楼下工地半夜还在施工吵得睡不着", "同意", "噪声扰民", "小区东门外的工地每天晚上11点以后还在打桩",
          "广东省广州市天河区天河路385号", "昨天", "需要", f"我叫{NAME}", PHONE, "确认提交"]


@pytest.fixture(scope="module")
def app(tmp_path_factory, router):
    """One app for the module (starting one takes a while); each test uses its own conversations."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("me") / "data", kb_dir=KB_DIR)
    settings.data_dir.mkdir(parents=True)
    database = open_database(settings.resolved_database_url)
    StaffDirectory(database).add("agent1", PASSWORD, Role.staff)
    with TestClient(create_app(settings, router=router)) as client:
        yield client, database


@pytest.fixture
def app_and_db(app):
    client, database = app
    client.cookies.clear()
    return client, database


def converse(client: TestClient, texts: list[str], token: str | None = None) -> tuple[str, str]:
    """(session token, the number the last turn gave)."""
    for text in texts:
        response = client.post("/api/chat", json={"session_id": token, "text": text})
        assert response.status_code == 200, response.text
        token = response.json()["session_id"]
    return token, response.json()["application"]["number"]


def test_a_citizen_sees_their_data_masked_and_erases_it_keeping_the_cases(app_and_db) -> None:
    client, database = app_and_db
    token, number = converse(client, APPLY)
    _, order = converse(client, REPORT, token)
    client.post("/api/feedback", json={"session_id": token, "rating": 4, "comment": f"回电{PHONE}，谢谢", "application": number})
    client.cookies.clear()
    other, other_number = converse(client, APPLY)  # another citizen, on another session
    mine = {"X-Session-Token": token}
    with database() as session:  # 服务找人 linked the application to its applicant (a keyed digest)
        assert session.query(ApplicantLinkRow).filter_by(application_number=number).count() == 1

    data = client.get("/api/me/data", headers=mine).json()
    assert data["notice"] and ID_NUMBER not in str(data) and PHONE not in str(data) and NAME not in str(data)
    assert [a["number"] for a in data["applications"]] == [number]
    application = data["applications"][0]
    assert application["fields"]["持卡人身份证号码"] == "110105********002X" and application["erased"] is False
    assert application["service"] == "社会保障卡申领" and application["status_label"] == "已提交"
    assert [(o["number"], o["caller"]) for o in data["work_orders"]] == [(order, {"姓名": "欧***", "联系电话": "138****8000"})]
    assert [c["granted"] for c in data["consents"]] == [True, True]
    assert [(f["rating"], f["comment"]) for f in data["feedback"]] == [(4, "回电138****8000，谢谢")]
    conversation = data["conversation"]
    assert conversation["numbers"] == [number, order] and conversation["started_at"] <= conversation["last_used_at"]

    erased = client.delete("/api/me/data", headers=mine)
    assert erased.status_code == 200
    assert erased.json() | {"message": ""} == {"message": "", "conversation": True, "applications": [number],
                                               "work_orders": [order]}
    assert 'govassist_session=""' in erased.headers["set-cookie"]  # the cookie is dropped too

    after = client.get("/api/me/data", headers=mine).json()  # the token still names the kept cases
    assert after["conversation"] is None
    kept = after["applications"][0]
    assert (kept["number"], kept["service"], kept["status"], kept["erased"]) == (number, "社会保障卡申领", "submitted", True)
    assert set(kept["fields"].values()) == {"已删除"}
    assert after["work_orders"][0]["caller"] == {"姓名": "已删除", "联系电话": "已删除"}
    assert after["work_orders"][0]["summary"] == "已删除"
    assert after["feedback"][0]["comment"] == "" and after["feedback"][0]["rating"] == 4
    assert client.post("/api/chat", json={"session_id": token, "text": "继续"}).json()["code"] == "session_not_found"
    with database() as session:
        assert session.query(ApplicationRow).filter_by(number=number).one().values_json == {}
        assert session.query(ApplicantLinkRow).filter_by(application_number=number).count() == 0
        assert session.query(WorkOrderRow).filter_by(number=order).one().caller_json == {}
        assert session.query(ApplicationRow).filter_by(number=other_number).one().values_json  # not the other's

    assert client.post("/api/staff/login", json={"username": "agent1", "password": PASSWORD}).status_code == 200
    assert client.get(f"/api/applications/{number}").json()["status"] == "submitted"  # the office keeps the case
    assert client.get(f"/api/workorders/{order}").json()["caller"] == {"name": "已删除", "phone": "已删除"}
    assert client.post(f"/api/workorders/{order}/reveal", json={"field": "phone"}).json()["code"] == "detail_not_found"
    audit = client.app.state.services.audit
    [event] = audit.entries(object=session_object(client.app.state.runtime.assistant.key_of(token)))
    assert (event.actor, event.action, event.detail["applications"], event.detail["work_orders"]) == (
        "citizen", "erase", [number], [order])
    assert token not in str(audit.entries(limit=1000)) and audit.verify().ok
    client.cookies.clear()
    assert client.get("/api/me/data", headers={"X-Session-Token": other}).json()["applications"][0]["erased"] is False


def test_the_session_cookie_alone_names_the_data(app_and_db) -> None:
    client, _ = app_and_db
    _token, number = converse(client, APPLY)  # the client now holds the session cookie
    assert client.get("/api/me/data").json()["applications"][0]["number"] == number
    assert client.delete("/api/me/data").json()["applications"] == [number]


def test_without_a_known_token_nothing_is_shown_or_erased(app_and_db) -> None:
    client, _ = app_and_db
    for method in ("get", "delete"):
        assert client.request(method, "/api/me/data").json()["code"] == "session_required"  # 401: no token at all
        response = client.request(method, "/api/me/data", headers={"X-Session-Token": "A" * 32})
        assert response.status_code == 404 and response.json()["code"] == "session_not_found"
        assert response.json()["message"].startswith("没有找到您的数据")


NOTE_PHONE, NOTE_ID = "13912345678", "440106195503050025"
NOTE = f"已电话{NOTE_PHONE}联系陈晓明，身份证{NOTE_ID}"


def test_a_staff_note_is_stored_encrypted_shown_masked_and_erased_with_the_citizen(app_and_db, tmp_path) -> None:
    # On main the note was stored and served as written, also in the audit log, and stayed after erasure.
    client, _database = app_and_db
    token, order = converse(client, REPORT)
    client.cookies.clear()
    assert client.post("/api/staff/login", json={"username": "agent1", "password": PASSWORD}).status_code == 200
    moved = client.post(f"/api/workorders/{order}/transitions",
                        json={"to": "dispatched", "dept": f"区住建局 {NOTE_PHONE}", "note": NOTE})
    assert moved.status_code == 200, moved.text
    history = client.get(f"/api/workorders/{order}/history").json()
    shown = history[-1]["note"]
    assert NOTE_PHONE not in shown and NOTE_ID not in shown and "139****5678" in shown and "440106" in shown
    assert NOTE_PHONE not in history[-1]["dept"]
    audit = client.app.state.services.audit
    assert NOTE_PHONE not in str(audit.entries(object=order, limit=100))
    settings = client.app.state.services.settings
    stored = b"".join(p.read_bytes() for p in settings.data_dir.glob("govassist.db*") if p.is_file())
    assert stored
    assert NOTE_PHONE.encode() not in stored and NOTE_ID.encode() not in stored

    client.cookies.clear()
    assert client.delete("/api/me/data", headers={"X-Session-Token": token}).json()["work_orders"] == [order]
    assert client.post("/api/staff/login", json={"username": "agent1", "password": PASSWORD}).status_code == 200
    assert client.get(f"/api/workorders/{order}/history").json()[-1]["note"] == "已删除"
    client.cookies.clear()
