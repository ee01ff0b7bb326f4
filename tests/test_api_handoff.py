"""转人工 over the API: a citizen asks for a person, staff see the case masked, one agent takes it, they
write to each other, and the agent hands back (or files a work order); the citizen never sees a name."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from assistant.staff.accounts import Role, StaffDirectory
from assistant.storage.db import open_database
from server import create_app
from settings import Settings
from tests.conftest import KB_DIR

PASSWORD = "correct horse battery"
PHONE = "13800138000"


@pytest.fixture
def app(tmp_path, router):
    settings = Settings(data_dir=tmp_path / "data", kb_dir=KB_DIR, handoff_hours="00:00-24:00", handoff_days=[1, 2, 3, 4, 5, 6, 7])
    settings.data_dir.mkdir(parents=True)
    staff = StaffDirectory(open_database(settings.resolved_database_url))
    staff.add("agent1", PASSWORD, Role.staff)
    staff.add("agent2", PASSWORD, Role.staff)
    return create_app(settings, router=router)


@pytest.fixture
def citizen(app):
    with TestClient(app) as c:
        yield c


def agent(app, name: str) -> TestClient:
    client = TestClient(app)
    assert client.post("/api/staff/login", json={"username": name, "password": PASSWORD}).status_code == 200
    return client


def say(client, session: str | None, text: str) -> dict:
    response = client.post("/api/chat", json={"session_id": session, "text": text})
    assert response.status_code == 200, response.text
    return response.json()


def test_a_citizen_reaches_a_person_and_comes_back_to_the_assistant(app, citizen):
    session = say(citizen, None, "你好")["session_id"]
    turn = say(citizen, session, "转人工")
    assert turn["state"] == "handoff" and "第1位" in turn["reply"] and "请稍候" not in turn["reply"]
    say(citizen, session, f"喂？有人吗，我电话{PHONE}")
    feed = citizen.get("/api/handoff", params={"session_id": session}).json()
    assert (feed["status"], feed["position"], feed["messages"]) == ("waiting", 1, [])

    with agent(app, "agent1") as one, agent(app, "agent2") as two:
        [case] = one.get("/api/handoffs").json()
        assert (case["status"], case["reason"], case["state"]) == ("waiting", "asked", "idle")
        said = [line["text"] for line in case["transcript"] if line["sender"] == "citizen"]
        assert said == ["你好", "转人工", "喂？有人吗，我电话138****8000"]  # masked on the staff screen
        assert PHONE not in str(case)

        assert one.post(f"/api/handoffs/{case['id']}/take").status_code == 200
        refused = two.post(f"/api/handoffs/{case['id']}/take")
        assert refused.status_code == 409 and refused.json()["code"] == "handoff_taken"
        assert two.post(f"/api/handoffs/{case['id']}/messages", json={"text": "我来"}).status_code == 409

        assert one.post(f"/api/handoffs/{case['id']}/messages", json={"text": "您好，我是人工客服，请讲。"}).status_code == 201
        feed = citizen.get("/api/handoff", params={"session_id": session}).json()
        assert feed["status"] == "taken" and feed["work_number"] == "1001"
        assert [(m["sender"], m["work_number"], m["text"]) for m in feed["messages"]] == [("agent", "1001", "您好，我是人工客服，请讲。")]
        assert "agent1" not in str(feed)  # the 工号, never the account's name

        turn = say(citizen, session, "社保卡丢了")
        assert turn["reply"] == "" and turn["state"] == "handoff"  # the assistant keeps quiet
        news = one.get(f"/api/handoffs/{case['id']}/messages", params={"since": 0}).json()
        assert [m["text"] for m in news["messages"]][-1] == "社保卡丢了"
        assert one.get(f"/api/handoffs/{case['id']}/messages", params={"since": news["cursor"]}).json()["messages"] == []

        assert two.post(f"/api/handoffs/{case['id']}/return").status_code == 409  # not theirs to hand back
        back = one.post(f"/api/handoffs/{case['id']}/return")
        assert back.status_code == 200 and back.json()["state"] == "idle"
        later = citizen.get("/api/handoff", params={"session_id": session, "since": feed["cursor"]}).json()
        assert later["status"] == "none"
        assert [(m["sender"], m["text"]) for m in later["messages"]] == [("assistant", back.json()["reply"])]
        assert "1001" in back.json()["reply"]
        assert one.get("/api/handoffs").json() == []

    again = say(citizen, session, "社保卡丢了怎么补办")
    assert again["state"] != "handoff" and again["reply"]  # the assistant answers again


def test_an_agent_turns_the_case_into_a_work_order_with_the_citizen_s_phone(app, citizen):
    session = say(citizen, None, "转人工")["session_id"]
    with agent(app, "agent1") as one:
        [case] = one.get("/api/handoffs").json()
        one.post(f"/api/handoffs/{case['id']}/take")
        # The copilot's own work-order route decides: no department, no order (and the case stays with the agent).
        refused = one.post(f"/api/handoffs/{case['id']}/workorder", json={"type": "help", "summary": "市民咨询社保卡补办"})
        assert refused.status_code == 422 and refused.json()["code"] == "dept_required"
        made = one.post(f"/api/handoffs/{case['id']}/workorder", json={"type": "help", "summary": "市民咨询社保卡补办",
                                                                      "dept": "人力资源和社会保障局"})
        assert made.status_code == 201, made.text
        number = made.json()["order"]["number"]
        assert number in made.json()["reply"] and made.json()["state"] == "idle"
    feed = citizen.get("/api/handoff", params={"session_id": session}).json()
    assert number in feed["messages"][-1]["text"]


def test_the_citizen_feed_needs_the_conversation(citizen):
    assert citizen.get("/api/handoff").status_code == 401
    assert citizen.get("/api/handoff", params={"session_id": "nope"}).status_code == 404


def test_staff_see_the_form_so_far_masked_and_can_turn_the_case_into_a_co_applied_form(app, citizen):
    from assistant.dialogue.session import FormState, SessionState
    from assistant.dialogue.states import State

    assistant = app.state.runtime.assistant
    form = FormState(subject_id="city-issue-report", asked="location", values={"phone": PHONE}, displays={"phone": PHONE})
    state = SessionState(state=State.filling, form=form, topic="city-issue-report", consented=["city-issue-report"])
    session = assistant.new_session()
    assistant.store.save(assistant.key_of(session), state.to_document(assistant.cipher.encrypt), None)
    say(citizen, session, "转人工")
    with agent(app, "agent1") as one:
        [case] = one.get("/api/handoffs").json()
        assert (case["service_id"], case["state"]) == ("city-issue-report", "filling")
        assert case["slots"] == [{"label": "联系电话", "value": "138****8000"}] and PHONE not in str(case)
        one.post(f"/api/handoffs/{case['id']}/take")
        made = one.post(f"/api/handoffs/{case['id']}/apply", json={})
        assert made.status_code == 201, made.text
        co_applied = made.json()["turn"]
        assert co_applied["session_id"] != session and co_applied["state"] == "filling"
        assert made.json()["state"] == "filling"  # the citizen's own conversation is back where it was
    feed = citizen.get("/api/handoff", params={"session_id": session}).json()
    assert feed["status"] == "none" and "代办" in feed["messages"][-1]["text"]


def test_when_nobody_takes_it_in_time_the_page_is_told_and_a_call_back_work_order_is_filed(tmp_path, router):
    import time

    settings = Settings(data_dir=tmp_path / "data", kb_dir=KB_DIR, handoff_hours="00:00-24:00",
                        handoff_days=[1, 2, 3, 4, 5, 6, 7], handoff_wait_seconds=1)
    with TestClient(create_app(settings, router=router)) as client:
        session = say(client, None, "转人工")["session_id"]
        assert client.get("/api/handoff", params={"session_id": session}).json()["notice"] == ""
        time.sleep(1.1)
        feed = client.get("/api/handoff", params={"session_id": session}).json()
        assert feed["notice"] and feed["suggestions"] == ["登记回电", "继续"] and feed["status"] == "waiting"
        asked = say(client, session, "登记回电")
        assert asked["state"] == "handoff" and asked["suggestions"] == ["继续"]
        assert say(client, session, "12345")["state"] == "handoff"  # not a phone: asked again
        filed = say(client, session, PHONE)
        number = filed["application"]["number"]
        assert number.startswith("WO") and number in filed["reply"] and filed["state"] == "idle"
        assert "138****8000" in filed["reply"]
        assert client.get("/api/handoff", params={"session_id": session}).json()["status"] == "none"
        order = client.app.state.runtime.assistant.orders.get(number)
        assert order.caller["phone"] == "138****8000"
