"""The improvement loop: messages the assistant handled badly are queued, operators label them, a
rebuild in the background swaps the new index in, and the same messages then route right while
routing_dev accuracy does not drop. Also: knowledge-base edits are versioned and can be rolled back,
and a bad rating opens a follow-up with the (masked) conversation."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from assistant.staff.accounts import Role, StaffDirectory
from assistant.storage.db import open_database
from eval.dataset import read_routing_file
from eval.routing import evaluate_routing
from server import create_app
from settings import REPO_ROOT, Settings
from tests.conftest import KB_DIR

PASSWORD = "correct horse battery"
# Messages written for this test (not from any evaluation file) that the shipped router gets wrong or
# is unsure of, with what an operator would say they meant.
FAILING = {
    "想把我家老二的户口落上": "birth-hukou",
    "俺娘八十了有啥钱领": "elderly-allowance",
    "奶茶店开张要啥证": "food-business-licence",
    "孩子要去读书要办啥": "school-enrollment",
    "生二胎有补贴吗": "maternity-allowance",
    "想给老人申请个轮椅": "out_of_scope",
}


@pytest.fixture
def settings(tmp_path, routing_settings):
    settings = Settings(data_dir=tmp_path / "data", kb_dir=KB_DIR)
    settings.data_dir.mkdir(parents=True)
    # Share the trained encoder: a rebuild re-indexes, it does not retrain the encoder.
    (settings.data_dir / "models").symlink_to(routing_settings.data_dir / "models", target_is_directory=True)
    directory = StaffDirectory(open_database(settings.resolved_database_url))
    directory.add("admin1", PASSWORD, Role.admin)
    directory.add("agent1", PASSWORD, Role.staff)
    return settings


@pytest.fixture
def admin(settings, router):
    with TestClient(create_app(settings, router=router)) as client:
        assert client.post("/api/staff/login", json={"username": "admin1", "password": PASSWORD}).status_code == 200
        yield client


def ask(client: TestClient, text: str) -> dict:
    """A citizen's first message in a new conversation (a client of its own), then the router's view of it."""
    assert TestClient(client.app).post("/api/chat", json={"text": text}).status_code == 200
    return client.get("/api/search", params={"q": text}).json()


def wait_for_rebuild(client: TestClient, timeout: float = 300) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = client.get("/api/admin/rebuild").json()
        if status["state"] in ("done", "failed"):
            return status
        time.sleep(0.5)
    raise AssertionError("the rebuild did not finish")


def routing_top1(router) -> float:
    return evaluate_routing(router, read_routing_file(REPO_ROOT / "eval" / "data" / "routing_dev.jsonl")).top1


def test_labelled_failures_route_right_after_a_rebuild_and_routing_dev_does_not_drop(admin, router):
    before = {text: ask(admin, text) for text in FAILING}
    wrong = [t for t, target in FAILING.items()
             if (before[t]["decision"] == "none") != (target == "out_of_scope")
             or (target != "out_of_scope" and before[t]["candidates"][0]["id"] != target)]
    assert len(wrong) >= 4, "the batch should start out mostly failing"

    queued = {item["text"]: item for item in admin.get("/api/admin/queue").json()}
    for text, target in FAILING.items():
        if text not in queued:  # routed confidently but wrong: an operator finds it from the rating
            continue
        labelled = admin.post(f"/api/admin/queue/{queued[text]['id']}/label", json={"target": target}).json()
        assert labelled["labelled"] == target
    missing = [t for t in FAILING if t not in queued]
    assert len(missing) <= 2, missing
    for text in missing:  # the operator adds the example by hand instead
        target = FAILING[text]
        body = ({"kind": "out_of_scope", "action": "add", "value": text} if target == "out_of_scope"
                else {"service_id": target, "kind": "utterance", "action": "add", "value": text})
        assert admin.post("/api/admin/kb/edits", json=body).status_code == 201

    dev_before = routing_top1(admin.app.state.runtime.router)
    assert admin.post("/api/admin/rebuild").status_code == 202
    # The old index keeps answering while the new one builds.
    assert admin.post("/api/chat", json={"text": "我要办身份证"}).status_code == 200
    status = wait_for_rebuild(admin)
    assert status["state"] == "done", status
    assert status["served_version"] == status["kb_version"] and not status["pending_edits"]

    for text, target in FAILING.items():
        after = admin.get("/api/search", params={"q": text}).json()
        if target == "out_of_scope":
            assert after["decision"] == "none", (text, after)
        else:
            assert after["decision"] in ("route", "answer") and after["candidates"][0]["id"] == target, (text, after)
    assert routing_top1(admin.app.state.runtime.router) >= dev_before - 0.002


def test_edits_are_versioned_and_a_rollback_takes_effect_at_the_next_rebuild(admin):
    alias = "娃娃落户口"
    made = admin.post("/api/admin/kb/edits",
                      json={"service_id": "birth-hukou", "kind": "alias", "action": "add", "value": alias})
    assert made.status_code == 201
    edit = made.json()
    assert edit["actor"] == "admin1" and edit["summary"] == f"新增别名：{alias}" and not edit["rolled_back"]
    # Recorded, not yet served.
    assert alias not in admin.get("/api/admin/kb/services/birth-hukou").json()["aliases"]
    assert admin.get("/api/admin/rebuild").json()["pending_edits"] is True

    admin.post("/api/admin/rebuild")
    assert wait_for_rebuild(admin)["state"] == "done"
    assert alias in admin.get("/api/admin/kb/services/birth-hukou").json()["aliases"]

    rolled = admin.post(f"/api/admin/kb/edits/{edit['id']}/rollback").json()
    assert rolled["rolled_back"] is True
    again = admin.post(f"/api/admin/kb/edits/{edit['id']}/rollback")
    assert again.status_code == 409 and again.json()["code"] == "already_rolled_back"
    history = admin.get("/api/admin/kb/edits").json()
    assert [h["id"] for h in history] == [edit["id"]] and history[0]["rolled_back"]

    admin.post("/api/admin/rebuild")
    assert wait_for_rebuild(admin)["state"] == "done"
    assert alias not in admin.get("/api/admin/kb/services/birth-hukou").json()["aliases"]


def test_a_faq_answer_edited_from_the_dashboard_is_served_after_the_rebuild(admin):
    question = "出生登记可以在医院直接办吗"
    answer = "本市已开通出院即办，在医院的便民窗口即可申请。"
    body = {"service_id": "birth-hukou", "kind": "faq", "action": "add", "question": question, "answer": answer}
    assert admin.post("/api/admin/kb/edits", json=body).status_code == 201
    admin.post("/api/admin/rebuild")
    assert wait_for_rebuild(admin)["state"] == "done"
    faq = admin.get("/api/admin/kb/services/birth-hukou").json()["faq"]
    assert {"question": question, "answer": answer} in faq
    guide = admin.get("/api/services/birth-hukou").json()["guide"]
    assert answer in guide


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"service_id": "no-such-service", "kind": "alias", "action": "add", "value": "x"}, 404, "unknown_service"),
    ({"service_id": "birth-hukou", "kind": "alias", "action": "add", "value": "   "}, 400, "bad_value"),
    ({"service_id": "birth-hukou", "kind": "utterance", "action": "remove", "value": "没有这句"}, 400, "not_present"),
    ({"service_id": "birth-hukou", "kind": "faq", "action": "add", "question": "问题", "answer": ""}, 400, "bad_answer"),
])
def test_an_edit_that_cannot_apply_is_refused_with_a_reason(admin, body, status, code):
    response = admin.post("/api/admin/kb/edits", json=body)
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert admin.get("/api/admin/kb/edits").json() == []


def test_a_second_rebuild_is_refused_while_one_runs(admin):
    assert admin.post("/api/admin/rebuild").status_code == 202
    second = admin.post("/api/admin/rebuild")
    if admin.get("/api/admin/rebuild").json()["state"] == "running":  # the first may already be done
        assert second.status_code == 409 and second.json()["code"] == "rebuild_running"
    wait_for_rebuild(admin)


def test_a_bad_rating_opens_a_follow_up_with_the_masked_conversation(admin):
    first = TestClient(admin.app).post("/api/chat", json={"text": "我要补办社保卡"}).json()
    session = first["session_id"]
    admin.post("/api/chat", json={"session_id": session, "text": "我的身份证号是11010519491231002X"})
    good = admin.post("/api/feedback", json={"session_id": session, "rating": 4, "comment": "还行"})
    bad = admin.post("/api/feedback", json={"session_id": session, "rating": 1,
                                            "comment": "太慢了，打我电话13800138000"})
    assert good.status_code == bad.status_code == 201

    [follow] = admin.get("/api/admin/followups", params={"status": "open"}).json()
    assert follow["rating"] == 1 and follow["subject_name"] == "社会保障卡挂失与补换"
    assert "13800138000" not in str(follow) and "11010519491231002X" not in str(follow)
    assert follow["transcript"][0] == {"role": "user", "text": "我要补办社保卡"}
    assert follow["transcript"][1]["role"] == "assistant"

    closed = admin.post(f"/api/admin/followups/{follow['id']}/close", json={"note": "已回电致歉"}).json()
    assert closed["status"] == "closed" and closed["closed_by"] == "admin1"
    assert admin.get("/api/admin/followups", params={"status": "open"}).json() == []
    # Its first message is queued for labelling too (a bad rating).
    reasons = {i["text"]: i["reason"] for i in admin.get("/api/admin/queue", params={"reason": "bad_rating"}).json()}
    assert reasons.get("我要补办社保卡") == "bad_rating"


def test_the_operator_api_is_for_admins_only(settings, router):
    with TestClient(create_app(settings, router=router)) as client:
        assert client.get("/api/admin/queue").status_code == 401
        client.post("/api/staff/login", json={"username": "agent1", "password": PASSWORD})
        for method, path in [("get", "/api/admin/queue"), ("post", "/api/admin/rebuild"),
                             ("get", "/api/admin/kb/edits"), ("get", "/api/admin/followups")]:
            response = client.request(method, path)
            assert response.status_code == 403 and response.json()["code"] == "admin_only", path


def test_a_rebuild_made_by_one_worker_is_picked_up_by_the_others(settings, router):
    """Two apps on one database and data directory stand for two workers (or two servers)."""
    QUERY = "生二胎有补贴吗"

    def top(client: TestClient, text: str) -> str:
        return client.get("/api/search", params={"q": text}).json()["candidates"][0]["id"]

    # The second worker's own poll is slowed down so that the test decides when it looks.
    slow_poll = settings.model_copy(update={"rebuild_poll_seconds": 3600})
    with TestClient(create_app(settings, router=router)) as first, \
            TestClient(create_app(slow_poll, router=router)) as second:
        first.post("/api/staff/login", json={"username": "admin1", "password": PASSWORD})
        first.post("/api/admin/kb/edits", json={"service_id": "maternity-allowance", "kind": "utterance",
                                                "action": "add", "value": QUERY})
        first.post("/api/admin/rebuild")
        assert wait_for_rebuild(first)["state"] == "done"
        assert top(second, QUERY) != "maternity-allowance"

        assert second.app.state.rebuilder.refresh_if_behind() is True  # what its poll does every few seconds
        assert second.app.state.runtime.kb_version == first.app.state.runtime.kb_version
        assert top(second, QUERY) == "maternity-allowance"
        assert second.app.state.rebuilder.refresh_if_behind() is False  # nothing newer: nothing rebuilt
