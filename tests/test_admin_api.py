"""The dashboard's figures over HTTP: admin only, from real conversations, as JSON and as CSV."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from assistant.common.clock import local_now
import pytest
from fastapi.testclient import TestClient

from assistant.insight.labelling import GUESS_FLOOR
from assistant.staff.accounts import Role, StaffDirectory
from assistant.storage.db import open_database
from server import create_app
from settings import Settings
from tests.conftest import KB_DIR

PASSWORD = "correct horse battery"
ID = "110101199003074514"


@pytest.fixture(scope="module")
def client(tmp_path_factory, router):
    settings = Settings(data_dir=tmp_path_factory.mktemp("admin") / "data", kb_dir=KB_DIR)
    settings.data_dir.mkdir(parents=True)
    staff = StaffDirectory(open_database(settings.resolved_database_url))
    staff.add("admin1", PASSWORD, Role.admin)
    staff.add("agent1", PASSWORD, Role.staff)
    with TestClient(create_app(settings, router=router)) as c:
        for text in ("我想第一次办张社保卡", "同意", f"身份证{ID}"):
            c.post("/api/chat", json={"text": text})
        c.cookies.clear()
        c.post("/api/chat", json={"text": "今天晚上吃什么好呢"})
        c.cookies.clear()
        yield c


def sign_in(client, username: str) -> None:
    client.cookies.clear()
    assert client.post("/api/staff/login", json={"username": username, "password": PASSWORD}).status_code == 200


def today_range() -> dict[str, str]:
    # The server's clock is the machine's; a day either side covers any time zone it may be in.
    today = local_now().date()
    return {"from": (today - timedelta(days=1)).isoformat(), "to": (today + timedelta(days=2)).isoformat()}


@pytest.mark.parametrize("path", ["/api/admin/analytics", "/api/admin/analytics.csv?report=funnel"])
def test_only_an_admin_sees_the_figures(client, path):
    client.cookies.clear()
    assert client.get(path).json()["code"] == "staff_login_required"
    sign_in(client, "agent1")
    refused = client.get(path)
    assert refused.status_code == 403 and refused.json()["code"] == "admin_only"


def test_the_report_counts_the_conversations_just_held(client):
    sign_in(client, "admin1")
    report = client.get("/api/admin/analytics", params=today_range()).json()
    assert report["totals"]["turns"] == 4 and report["totals"]["sessions"] == 2
    assert sum(day["text"] for day in report["volume_by_day"]) == 4
    assert report["volume_by_service"][0] == {"id": "sscard-apply", "name": "社会保障卡申领", "turns": 3, "sessions": 1}
    assert (report["funnel"]["routed"], report["funnel"]["consent"], report["funnel"]["filled"]) == (1, 1, 1)
    assert report["rates"]["out_of_scope"] == 0.5 and report["rates"]["routed_turns"] == 2
    assert sum(b["count"] for b in report["confidence"]) == 2
    assert ID not in str(report) and "110101********4514" in str(report["slowest"])


def test_an_earlier_range_has_none_of_them(client):
    sign_in(client, "admin1")
    report = client.get("/api/admin/analytics", params={"from": "2020-01-01", "to": "2020-01-08"}).json()
    assert report["totals"]["turns"] == 0 and len(report["volume_by_day"]) == 7


@pytest.mark.parametrize("kind", ["volume", "funnel", "ratings", "slowest"])
def test_each_table_downloads_as_csv_excel_reads(client, kind):
    sign_in(client, "admin1")
    response = client.get("/api/admin/analytics.csv", params={"report": kind, **today_range()})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert f"govassist-{kind}-" in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM: Excel then reads UTF-8
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] and all(rows[0])  # a header row
    assert ID not in response.text
    if kind == "funnel":
        assert rows[1][1] == "全部事项" and rows[1][2] == "1"


@pytest.mark.parametrize(("params", "code"), [
    ({"from": "2026-02-30"}, "bad_date"), ({"from": "2026-03-05", "to": "2026-03-01"}, "range_empty"),
    ({"to": "soon"}, "bad_date"), ({"from": "2020-01-01", "to": "2026-01-01"}, "range_too_long"),
])
def test_bad_dates_are_refused_with_the_error_shape(client, params, code):
    sign_in(client, "admin1")
    for path in ("/api/admin/analytics", "/api/admin/analytics.csv"):
        response = client.get(path, params=params)
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == code and body["message"] and body["field"] in ("from", "to")


def test_the_labelling_queue_pre_fills_no_guess_for_a_message_the_router_had_no_idea_about(client):
    sign_in(client, "admin1")
    queued = {item["text"]: item for item in client.get("/api/admin/queue").json()}
    item = queued["今天晚上吃什么好呢"]
    assert item["reason"] == "unrouted" and item["confidence"] < GUESS_FLOOR
    assert item["candidates"] == []  # the router did have candidates: none is offered
    assert item["guess"] is None


# A street-light report from the chat, answered in the order the form asks (tests/test_report_dialogue.py).
STREET_LIGHT = ["我要反映路灯的问题", "同意", "小区东门外的三盏路灯坏了一个星期，晚上很黑", "广东省广州市天河区天河路385号东门外",
                "上周五", "要", "王芳", "13912345678", "确认提交"]


def test_every_work_order_made_is_counted_whether_from_the_chat_or_taken_by_staff(tmp_path, router):
    settings = Settings(data_dir=tmp_path / "data", kb_dir=KB_DIR)
    settings.data_dir.mkdir(parents=True)
    staff = StaffDirectory(open_database(settings.resolved_database_url))
    staff.add("admin1", PASSWORD, Role.admin)
    staff.add("agent1", PASSWORD, Role.staff)
    with TestClient(create_app(settings, router=router)) as c:
        for text in STREET_LIGHT:
            turn = c.post("/api/chat", json={"text": text}).json()
        assert turn["state"] == "submitted" and turn["application"]["number"].startswith("WO"), turn
        sign_in(c, "agent1")  # the copilot: an agent takes a call and files an order (no conversation)
        taken = c.post("/api/workorders", json={"type": "complaint", "summary": "饭店油烟和噪音扰民", "dept": "生态环境局"})
        assert taken.status_code == 201, taken.text
        sign_in(c, "admin1")
        totals = c.get("/api/admin/analytics", params=today_range()).json()["totals"]
    assert totals["work_orders"] == 2  # main counted only the chat's
    assert totals["work_orders_from_chat"] == 1
    assert totals["applications"] == 0  # a report is a work order, not an application
