"""The copilot follows the call (issue 17, item 4): the script asks for the next point the caller has
not said and then reads the summary back; the summary is a 诉求摘要 of the call's points, not the
transcript; dispatch never suggests the hotline, and a work order without a department is refused;
passages are shown only when they answer the call.

The parts are specified first without the router; the calls at the end use the session's real router."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient

from assistant.common.guide_answers import GuideAnswerer, default_topics
from assistant.common.messages import default_messages
from assistant.copilot.call_points import PointCues, read_points
from assistant.copilot.caller_details import CallerDetailReader
from assistant.copilot.config import load_copilot_data
from assistant.copilot.dispatch import DispatchRules
from assistant.copilot.script import ScriptWording, ScriptWriter
from assistant.copilot.suggestions import Copilot
from assistant.copilot.summary import SummaryWriter
from intents.complaints import find_matter
from intents.dispatch import DeptScore, DispatchModel

TODAY = date(2026, 11, 23)
HOTLINE = "12345政务服务便民热线"
FUMES_DEPT = "生态环境局或城市管理综合执法局（餐饮油烟，以当地规定为准）"
# A restaurant fumes-and-noise complaint, as the agent types it line by line.
FUMES_CALL = [
    "喂，你好，我想反映个事情。",
    "我家楼下新开了一家饭店，油烟特别大，熏得窗户都不敢开。",
    "晚上还特别吵，都吵到半夜十二点了。",
    "我姓刘，电话13800138000。",
]


@pytest.fixture(scope="module")
def data():
    return load_copilot_data()


@pytest.fixture(scope="module")
def reader():
    return CallerDetailReader.load()


@pytest.fixture(scope="module")
def writer(knowledge_base):
    return ScriptWriter(ScriptWording.load(), GuideAnswerer(knowledge_base, default_messages()), default_topics())


def points_of(transcript: str, data, reader, subject: str = ""):
    return read_points(transcript, reader.read(transcript, TODAY), find_matter(transcript), subject, PointCues.from_data(data))


# -- the script follows the call ---------------------------------------------------------------------


@pytest.mark.parametrize(("lines", "step"), [
    (1, "ask_what"),  # 我想反映个事情 says nothing yet
    (2, "ask_when"),  # what (油烟) and where (楼下的饭店) are said
    (3, "ask_name"),  # and since when
    (4, "confirm"),  # and who, with a phone: read it back
])
def test_the_script_asks_for_the_next_point_the_caller_has_not_said(data, reader, writer, lines, step):
    points = points_of("".join(FUMES_CALL[:lines]), data, reader)
    assert writer.follow(points, "摘要。", FUMES_DEPT, "")[0] == step


def test_a_caller_who_gives_place_and_phone_first_is_asked_neither_again(data, reader, writer):
    said = "我住在广州市天河区天河路385号，电话13800138000。楼下工地天天半夜打桩。"
    points = points_of(said, data, reader)
    assert points.missing() == ["name"]
    step, script = writer.follow(points, "摘要。", "城市管理综合执法局", "")
    assert step == "ask_name"
    assert data["script"]["ask_where"] not in script and data["script"]["ask_phone"] not in script


# -- the summary --------------------------------------------------------------------------------------


def test_the_summary_gives_who_masked_what_where_when_and_want_without_fillers(data, reader):
    call = "".join(FUMES_CALL) + "希望你们派人管一管。"
    points = points_of(call, data, reader)
    assert (points.name, points.phone, points.what) == ("刘*", "138****8000", "餐饮油烟")
    assert points.where == "我家楼下新开了一家饭店"
    assert points.when == "晚上，半夜十二点"
    assert points.want == "希望你们派人管一管"
    assert points.content == "油烟特别大，熏得窗户都不敢开，晚上还特别吵，都吵到半夜十二点了"
    summary = SummaryWriter.from_data(data).write(points)
    assert summary == ("来电人：刘*（138****8000）；事项：餐饮油烟；地点：我家楼下新开了一家饭店；时间：晚上，半夜十二点；"
                       "情况：油烟特别大，熏得窗户都不敢开，晚上还特别吵，都吵到半夜十二点了；诉求：希望你们派人管一管。")
    for filler in ("喂", "你好", "反映个事情", "13800138000"):
        assert filler not in summary


def test_no_personal_detail_reaches_the_summary_unmasked_even_spoken_as_words(data, reader):
    call = "我姓名是张三，楼下路灯坏了，号码一三八零零一三八零零零，身份证110101199003074514"
    summary = SummaryWriter.from_data(data).write(points_of(call, data, reader))
    for raw in ("张三", "一三八零零一三八零零零", "13800138000", "110101199003074514"):
        assert raw not in summary
    assert "楼下路灯坏了" in summary


def test_a_long_call_keeps_every_clause_about_the_matter(data, reader):
    clauses = [f"第{i}次找物业说电梯坏了的事他们都说下周修" for i in range(1, 41)]
    call = "喂，你好。" + "，".join(clauses) + "。"
    summary = SummaryWriter.from_data(data).write(points_of(call, data, reader))
    assert len(call) > 700
    assert all(c in summary for c in clauses) and "喂" not in summary


def test_with_nothing_said_but_a_wish_to_report_the_summary_has_only_the_default_request(data, reader):
    points = points_of("喂，你好，我想反映个事情", data, reader)
    assert points.missing() == ["what", "where", "when", "name", "phone"]
    assert SummaryWriter.from_data(data).write(points) == "来电人：未留姓名；诉求：请相关部门核实处理。"


# -- dispatch -----------------------------------------------------------------------------------------


def test_dispatch_gives_the_hotlines_share_to_the_matters_department_and_never_suggests_the_hotline(data):
    rules = DispatchRules.from_data(data)
    scores = [DeptScore(HOTLINE, 0.96), DeptScore("市场监督管理局", 0.03), DeptScore("政务服务中心", 0.01)]
    advice = rules.advise(scores, find_matter("楼下饭店油烟太大"), keep=3)
    assert [(d.dept, round(d.confidence, 2)) for d in advice.departments] == [
        (FUMES_DEPT, 0.96), ("市场监督管理局", 0.03), ("政务服务中心", 0.01)]
    assert advice.dept == advice.departments[0] and advice.reason == ""


def test_a_hotline_call_of_no_known_matter_suggests_nothing_and_says_why(data):
    rules = DispatchRules.from_data(data)
    advice = rules.advise([DeptScore(HOTLINE, 0.9), DeptScore("政务服务中心", 0.1)], None, keep=3)
    assert advice.dept is None
    assert (advice.reason_key, advice.reason) == ("no_matter", rules.reasons("no_matter"))
    assert HOTLINE not in [d.dept for d in advice.departments]
    assert not rules.is_department(HOTLINE) and not rules.is_department(" ") and rules.is_department("民政局")


# -- with the real router -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def copilot(router, knowledge_base) -> Copilot:
    return Copilot(router, DispatchModel.train(knowledge_base, normaliser=router.normalise), knowledge_base,
                   today=lambda: TODAY)


def test_the_fumes_call_followed_line_by_line(copilot):
    transcript, steps = "", []
    for line in FUMES_CALL:
        transcript = (transcript + "\n" + line).strip()
        suggestion = copilot.suggest(transcript)
        steps.append(suggestion.script_step)
        assert HOTLINE not in [d.dept for d in suggestion.departments]
    assert steps == ["ask_what", "ask_when", "ask_name", "confirm"]
    assert suggestion.dispatch.dept == FUMES_DEPT
    assert suggestion.summary in suggestion.script and FUMES_DEPT in suggestion.script
    assert not suggestion.summary.startswith(("喂", "来电人：喂")) and "都吵到半夜十二点了" in suggestion.summary


def test_a_greeting_with_a_wish_to_report_shows_no_passage(copilot):
    suggestion = copilot.suggest("喂，你好，我想反映个事情")
    assert suggestion.passages == []
    assert suggestion.script_step == "ask_what"
    assert suggestion.dispatch is None and suggestion.dispatch_reason


def test_a_lost_social_security_card_shows_only_the_cards_passages(copilot, knowledge_base):
    suggestion = copilot.suggest("喂，你好，是12345吗？我想问一下，我妈的社保卡昨天在公交车上弄丢了，里面还有钱，怕被别人刷了，")
    assert suggestion.candidates[0].id == "sscard-loss"
    assert all("sscard-loss" in knowledge_base.policies[p.target_id].related_services for p in suggestion.passages)


# -- the API ------------------------------------------------------------------------------------------


@pytest.fixture
def client(tmp_path, router):
    from assistant.staff.accounts import Role, StaffDirectory
    from assistant.storage.db import open_database
    from server import create_app
    from settings import Settings
    from tests.conftest import KB_DIR

    settings = Settings(data_dir=tmp_path / "data", kb_dir=KB_DIR)
    settings.data_dir.mkdir(parents=True)
    StaffDirectory(open_database(settings.resolved_database_url)).add("agent1", "correct horse battery", Role.staff)
    with TestClient(create_app(settings, router=router)) as c:
        assert c.post("/api/staff/login", json={"username": "agent1", "password": "correct horse battery"}).status_code == 200
        yield c


def test_a_work_order_without_a_department_or_for_the_hotline_is_refused(client):
    transcript = "\n".join(FUMES_CALL)
    for dept in ("", "  ", HOTLINE):
        refused = client.post("/api/workorders", json={"type": "complaint", "summary": "楼下饭店油烟", "dept": dept,
                                                       "transcript": transcript})
        assert refused.status_code == 422, (dept, refused.text)
        assert (refused.json()["code"], refused.json()["field"]) == ("dept_required", "dept")
    assert client.get("/api/workorders").json() == []


def test_dispatching_an_order_held_by_the_hotline_needs_a_real_department(client):
    from assistant.cases.workorder_status import WorkOrderType
    from assistant.cases.workorders import WorkOrderDraft

    # An order accepted before this change, with the hotline as its department.
    order = client.app.state.runtime.assistant.orders.create(
        WorkOrderDraft(type=WorkOrderType.complaint, summary="楼下饭店油烟", created_by="agent1", dept=HOTLINE))
    moved = client.post(f"/api/workorders/{order.number}/transitions", json={"to": "dispatched"})
    assert moved.status_code == 422 and moved.json()["code"] == "dept_required"
    moved = client.post(f"/api/workorders/{order.number}/transitions", json={"to": "dispatched", "dept": FUMES_DEPT})
    assert moved.status_code == 200 and moved.json()["dept"] == FUMES_DEPT


def test_the_saved_work_order_keeps_the_whole_summary(client):
    transcript = "\n".join(FUMES_CALL)
    summary = client.post("/api/copilot/suggest", json={"transcript": transcript}).json()["summary"]
    created = client.post("/api/workorders", json={"type": "complaint", "summary": summary, "dept": FUMES_DEPT,
                                                   "transcript": transcript})
    assert created.status_code == 201, created.text
    assert created.json()["summary"] == summary and "都吵到半夜十二点了" in summary
    # Typed by the agent with the caller's name and home in the same sentence: those masked, the rest kept.
    typed = "楼下饭店油烟大，都吵到半夜了我住在天河路385号，我叫刘德明"
    saved = client.post("/api/workorders", json={"type": "complaint", "summary": typed, "dept": FUMES_DEPT}).json()["summary"]
    assert saved == "楼下饭店油烟大，都吵到半夜了我住在**，我叫**"
