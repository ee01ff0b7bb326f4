"""No plaintext personal data at rest or in logs: a citizen applies through the real HTTP server (uvicorn,
access log on), reports a problem, searches with their numbers in the query string and rates the service;
an agent files a work order from a call with the same person's details, views and reveals it; an admin
fetches every export. Then the database file (with its -wal), every other file the app wrote, the logs
and the exports are searched byte by byte for the ID number, the phone, the name and the address."""

from __future__ import annotations

import logging

import httpx
import pytest
from fastapi.routing import iter_route_contexts
from privacy_support import (
    captured_logs,
    export_routes,
    export_urls,
    files_under,
    id_number_forms,
    leaks,
    phone_forms,
    text_forms,
)
from web_support import live_server

from assistant.staff.accounts import Role, StaffDirectory
from assistant.storage.db import open_database
from server import create_app
from settings import Settings
from tests.conftest import KB_DIR

ID_NUMBER, PHONE = "11010519491231002X", "13800138000"
NAME, STREET = "欧阳娜娜", "东风中路305号"
ADDRESS = f"广东省广州市越秀区{STREET}"
PASSWORD = "correct horse battery"
SECRETS = {"ID number": id_number_forms(ID_NUMBER), "phone": phone_forms(PHONE), "name": text_forms(NAME),
           "address": text_forms(STREET)}
APPLY = ["我想第一次办张社保卡", "同意", f"我叫{NAME}，身份证{ID_NUMBER}，电话{PHONE}", "邮寄到家", ADDRESS, "都有了", "确认提交"]
# The problem's place is not the caller's: it stays readable in the order's summary by design.
# The request itself gives the problem type and the description (they are not asked).
REPORT = ["楼下工地半夜还在施工吵得睡不着", "同意", "广东省广州市天河区天河路385号", "昨天", "需要", f"我叫{NAME}", PHONE,
          "确认提交"]
CALL = f"你好，我的社保卡丢了，想补办一张。我叫{NAME}，身份证号{ID_NUMBER}，电话{PHONE}，住在{ADDRESS}。"


def admin_screens(app) -> list[str]:
    """The admin API's GET endpoints that need no path parameter (figures, queues, follow-ups…)."""
    return [c.path for c in iter_route_contexts(app.routes) if c.path.startswith("/api/admin/")
            and "GET" in (c.methods or ()) and "{" not in c.path]


def chat(client: httpx.Client, text: str) -> dict:
    response = client.post("/api/chat", json={"text": text})
    assert response.status_code == 200, response.text
    return response.json()


def test_personal_data_is_nowhere_in_plain_text_after_a_full_day_of_use(tmp_path, router) -> None:
    settings = Settings(data_dir=tmp_path / "data", kb_dir=KB_DIR)
    settings.data_dir.mkdir(parents=True)
    database = open_database(settings.resolved_database_url)
    StaffDirectory(database).add("admin1", PASSWORD, Role.admin)
    app = create_app(settings, router=router)
    log_file = tmp_path / "app.log"
    exports: dict[str, bytes] = {}
    with captured_logs(log_file), live_server(app, log_level="info", log_config=None) as url:
        with httpx.Client(base_url=url) as citizen:
            for text in APPLY:
                turn = chat(citizen, text)
            number = turn["application"]["number"]
            token = turn["session_id"]
            for text in REPORT:
                turn = chat(citizen, text)
            assert turn["application"]["number"].startswith("WO")
            chat(citizen, f"谢谢。我是{NAME}，住{STREET}，楼上还在漏水")  # outside any form: mask_text alone
            assert citizen.get("/api/search", params={"q": f"身份证{ID_NUMBER}电话{PHONE}补办社保卡"}).status_code == 200
            assert citizen.get(f"/api/applications/{number}?phone={PHONE}", headers={"X-Session-Token": token}).status_code == 200
            assert citizen.post("/api/feedback", json={"session_id": token, "rating": 2, "application": number,
                                                       "comment": f"我是{NAME}，住{STREET}，电话{PHONE}，身份证{ID_NUMBER}"}).status_code == 201
            mine = citizen.get("/api/me/data")
            assert mine.status_code == 200 and ID_NUMBER not in mine.text and PHONE not in mine.text

        with httpx.Client(base_url=url) as staff:
            assert staff.post("/api/staff/login", json={"username": "admin1", "password": PASSWORD}).status_code == 200
            assert staff.post("/api/copilot/suggest", json={"transcript": CALL, "call_id": "c1"}).status_code == 200
            order = staff.post("/api/workorders", json={"type": "help", "summary": CALL, "transcript": CALL,
                                                        "dept": "人力资源和社会保障局"}).json()
            assert order["caller"]["phone"] == "138****8000"
            assert staff.get(f"/api/workorders/{order['number']}").status_code == 200
            assert staff.post(f"/api/workorders/{order['number']}/reveal", json={"field": "id_number"}).json()["value"] == ID_NUMBER
            assert staff.get(f"/api/applications/{number}").json()["fields"]["持卡人身份证号码"] == "110105********002X"
            assert "/api/admin/analytics.csv" in export_routes(app)  # the dashboard's CSV, and any export added later
            for path in export_urls(app):
                response = staff.get(path)
                assert response.status_code == 200, (path, response.text)
                exports[path] = response.content
            for path in admin_screens(app):  # what the dashboard shows: masked texts only
                exports[path] = staff.get(path).content
    # The bad rating opened a follow-up showing the conversation: the personal data reached the screens, masked.
    assert b"138****8000" in exports["/api/admin/followups"]
    logging.getLogger("uvicorn.access").setLevel(logging.NOTSET)
    logging.getLogger("uvicorn.error").setLevel(logging.NOTSET)

    log = log_file.read_text(encoding="utf-8")
    assert '"POST /api/chat HTTP/1.1" 200' in log  # the access log was captured…
    assert "GET /api/search?q=… HTTP/1.1" in log and "phone=…" in log  # …with the query values left out
    with database.kw["bind"].connect():  # an open connection keeps the -wal file from being checkpointed away
        stored = files_under(settings.data_dir)
    assert "govassist.db" in stored and "govassist.db-wal" in stored  # the scan covers the live WAL too
    places = {**{f"data/{k}": v for k, v in stored.items()}, "app.log": log.encode("utf-8"),
              **{f"export {k}": v for k, v in exports.items()}}
    assert leaks(places, SECRETS) == []


@pytest.mark.parametrize(
    ("blob", "found"),
    [
        (b"ok 110105********002X 138****8000", []),
        ("身份证11010519491231002x".encode(), [f"x: ID number ({f!r})" for f in ("11010519491231002x", "11010519491231002", "19491231")]),
        (b"born 19491231", ["x: ID number ('19491231')"]),
        (b"tel 138-0013-8000", ["x: phone ('138-0013-8000')"]),
        (b'{"n": "\\u6b27\\u9633\\u5a1c\\u5a1c"}', ["x: name ('\\\\u6b27\\\\u9633\\\\u5a1c\\\\u5a1c')"]),
    ],
)
def test_the_scan_finds_each_written_form(blob: bytes, found: list[str]) -> None:
    assert leaks({"x": blob}, SECRETS) == found
