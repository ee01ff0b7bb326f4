"""A citizen follows their own cases and conversation through the API: GET /api/cases/{number} for
applications (GA…) and 12345 work orders (WO…), GET /api/conversation for a reloaded page, and a
message over the chat's limit refused with the limit stated."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from server import create_app
from settings import Settings
from tests.conftest import KB_DIR
from web.models import MAX_MESSAGE_CHARS

ID = "110101199003074514"
PHONE = "13800138000"
STREET_LIGHT = ["我家楼下的路灯坏了好几天了", "同意", "天河区天河路385号门口", "前天", "需要", "张三", PHONE, "确认提交"]
SSCARD = ["我想第一次办张社保卡", "同意", f"我叫张三，身份证{ID}，电话{PHONE}", "到银行网点领取", "都有了", "确认提交"]


@pytest.fixture(scope="module")
def client(tmp_path_factory, router):
    settings = Settings(data_dir=tmp_path_factory.mktemp("cases") / "data", kb_dir=KB_DIR, rate_limit_per_minute=10_000)
    with TestClient(create_app(settings, router=router)) as c:
        yield c


def converse(client, messages: list[str]) -> tuple[str, list[dict]]:
    """A new conversation (no cookie left from another test's) through POST /api/chat."""
    client.cookies.clear()
    session, turns = None, []
    for text in messages:
        response = client.post("/api/chat", json={"session_id": session, "text": text})
        assert response.status_code == 200, response.text
        turns.append(response.json())
        session = turns[-1]["session_id"]
    return session, turns


def mine(session: str) -> dict[str, str]:
    return {"X-Session-Token": session}


def test_a_work_order_reported_in_the_chat_is_followed_by_its_number(client):
    session, turns = converse(client, STREET_LIGHT)
    number = turns[-1]["application"]["number"]
    assert re.fullmatch(r"WO\d{8}-\d{6}", number)
    client.cookies.clear()
    own = client.get(f"/api/cases/{number}", headers=mine(session))
    assert own.status_code == 200, own.text
    view = own.json()
    assert (view["kind"], view["number"], view["status"], view["status_label"]) == ("work_order", number, "accepted", "已受理")
    assert view["type_label"] == "求助" and "城市管理" in view["dept"] and view["service"]
    assert view["created_at"] and view["expected_date"] >= view["created_at"][:10]
    assert view["fields"] == {"姓名": "张*", "联系电话": "138****8000"}  # the reporter's own, masked
    client.cookies.clear()
    # Anyone else needs the last four digits of the phone given with it, and sees no personal fields.
    refused = client.get(f"/api/cases/{number.lower()}")
    assert refused.status_code == 403 and refused.json()["code"] == "second_factor_required"
    stranger = client.get(f"/api/cases/{number.lower()}", params={"phone_last4": PHONE[-4:]}).json()
    assert stranger["status_label"] == "已受理" and stranger["fields"] is None
    assert set(stranger) == set(view)


def test_an_application_is_followed_by_its_number_as_before(client):
    session, turns = converse(client, SSCARD)
    number = turns[-1]["application"]["number"]
    client.cookies.clear()
    view = client.get(f"/api/cases/{number}", headers=mine(session)).json()
    assert (view["kind"], view["status_label"], view["type_label"]) == ("application", "已提交", None)
    assert view["fields"]["持卡人姓名"] == "张*" and view["fields"]["持卡人身份证号码"] == "110101********4514"
    old = client.get(f"/api/applications/{number}", headers=mine(session)).json()
    assert {k: v for k, v in view.items() if k not in ("kind", "type_label")} == old
    client.cookies.clear()
    assert client.get(f"/api/cases/{number}", params={"phone_last4": PHONE[-4:]}).json()["fields"] is None


@pytest.mark.parametrize("number", ["WO20990101-000001", "GA20990101-000001", "XX1"])
def test_an_unknown_number_is_answered_as_a_wrong_phone_is(client, number):
    client.cookies.clear()
    assert client.get(f"/api/cases/{number}").json()["code"] == "second_factor_required"
    response = client.get(f"/api/cases/{number}", params={"phone_last4": "0000"})
    assert response.status_code == 404 and response.json()["code"] == "application_not_found"


def test_numbers_cannot_be_walked(client):
    # On main, 74 numbers were read in 1.7 s, each with its service, department, status and dates.
    _session, turns = converse(client, SSCARD)
    number = turns[-1]["application"]["number"]
    client.cookies.clear()
    walker = TestClient(client.app, client=("198.51.100.7", 40000))
    prefix, last = number.rsplit("-", 1)
    # Its own number first, then numbers beyond those of this module's other tests.
    walked = [walker.get(f"/api/cases/{prefix}-{int(last) + step:06d}", params={"phone_last4": f"{step:04d}"})
              for step in (0, *range(100, 111))]
    assert all(r.status_code in (404, 429) for r in walked), [r.status_code for r in walked]
    assert [r.status_code for r in walked].count(404) == 10  # then this address waits
    assert walked[-1].status_code == 429 and int(walked[-1].headers["retry-after"]) > 0
    assert not any("service" in r.json() for r in walked)


def test_wrong_digits_for_one_number_stop_its_lookup_by_digits_from_anywhere(client):
    session, turns = converse(client, SSCARD)
    number = turns[-1]["application"]["number"]
    client.cookies.clear()
    for i in range(5):  # five addresses, one wrong guess each
        guess = TestClient(client.app, client=(f"203.0.113.{i}", 40000)).get(
            f"/api/cases/{number}", params={"phone_last4": f"{9990 + i}"})
        assert guess.status_code == 404
    right = TestClient(client.app, client=("203.0.113.99", 40000)).get(f"/api/cases/{number}", params={"phone_last4": PHONE[-4:]})
    assert right.status_code == 429  # even the right digits wait now …
    assert client.get(f"/api/cases/{number}", headers=mine(session)).status_code == 200  # … but not its owner


def test_the_read_back_shows_the_citizen_their_own_answers(client):
    session, turns = converse(client, SSCARD[:-1])
    readback = turns[-1]
    assert readback["state"] == "confirming"
    assert "张三" in readback["reply"] and PHONE in readback["reply"] and "110101********4514" in readback["reply"]
    assert ID not in readback["reply"]
    assert {v["key"]: v["value"] for v in readback["readback"]}["phone"] == PHONE
    # What the citizen's data page shows stays masked.
    form = client.get("/api/me/data", headers=mine(session)).json()["conversation"]["form"]
    assert {f["label"]: f["value"] for f in form["fields"]}["联系电话"] == "138****8000"


def test_a_reloaded_page_gets_the_conversation_so_far(client):
    session, turns = converse(client, SSCARD[:3])
    client.cookies.clear()
    body = client.get("/api/conversation", headers=mine(session)).json()
    assert body["max_message_chars"] == MAX_MESSAGE_CHARS
    assert [(line["role"], line["text"]) for line in body["lines"]] == [
        pair for text, turn in zip(SSCARD[:3], turns) for pair in (("user", text), ("assistant", turn["reply"]))
    ]
    # Where it stands, as the last reply left it; nothing is read aloud again.
    assert body["turn"] == turns[-1] | {"card": body["turn"]["card"], "speech": ""}
    assert body["turn"]["card"]["id"] == "sscard-apply"


def test_without_a_conversation_the_page_gets_only_the_limit(client):
    _session, _ = converse(client, ["你好"])
    for headers in ({}, mine("A" * 32)):  # none, or one not kept: nothing to show (the cookie is not asked)
        body = client.get("/api/conversation", headers=headers).json()
        assert body == {"max_message_chars": MAX_MESSAGE_CHARS, "lines": [], "turn": None}


def test_erasing_my_data_erases_the_conversation_kept_for_the_page(client):
    session, _ = converse(client, SSCARD[:3])
    assert client.delete("/api/me/data", headers=mine(session)).status_code == 200
    assert client.get("/api/conversation", headers=mine(session)).json()["lines"] == []


def test_a_message_over_the_limit_is_refused_saying_the_limit(client):
    response = client.post("/api/chat", json={"text": "路" * 2000})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_request" and body["field"] == "text" and str(MAX_MESSAGE_CHARS) in body["message"]
    assert client.post("/api/chat", json={"text": "路" * MAX_MESSAGE_CHARS}).status_code == 200


def test_a_case_is_rated_only_by_its_conversation_or_someone_who_knows_its_phone(client):
    # On main any conversation could attach a rating to any application, or to one that does not exist.
    owner, turns = converse(client, SSCARD)
    number = turns[-1]["application"]["number"]
    other, _ = converse(client, ["你好"])

    def rate(session: str, application: str, **extra: str):
        client.cookies.clear()
        return client.post("/api/feedback", json={"session_id": session, "rating": 1, "application": application, **extra})

    assert rate(other, number).json()["code"] == "second_factor_required"
    assert rate(other, number, phone_last4="1111").status_code == 404
    assert rate(other, "GA20990101-000009", phone_last4="1111").status_code == 404  # no such case: the same answer
    assert rate(other, number, phone_last4=PHONE[-4:]).status_code == 201
    assert rate(owner, number).status_code == 201
