"""The helpline copilot: services with their facts, passages, a script, the caller's details masked, a
department and a work-order type, from a call's transcript as it grows.

The parts are specified first without the router (seconds); the scripted calls at the end use the
session's real router."""

from __future__ import annotations

import json
from datetime import date

import pytest

from assistant.cases.workorder_status import WorkOrderType
from assistant.common.guide_answers import GuideAnswerer, default_topics
from assistant.common.messages import default_messages
from assistant.copilot.call_points import CallPoints
from assistant.copilot.caller_details import CallerDetailReader
from assistant.copilot.cards import candidate_card
from assistant.copilot.config import load_copilot_data
from assistant.copilot.order_type import OrderTypeGuesser
from assistant.copilot.script import ScriptWording, ScriptWriter
from assistant.copilot.suggestions import Copilot, latest_words
from intents.dispatch import DispatchModel
from knowledge.taxonomy import load_taxonomy

TODAY = date(2026, 11, 23)
ID_NUMBER = "110101199003074514"


@pytest.fixture(scope="module")
def details() -> CallerDetailReader:
    return CallerDetailReader.load()


@pytest.fixture(scope="module")
def wording() -> ScriptWording:
    return ScriptWording.load()


@pytest.fixture(scope="module")
def writer(knowledge_base, wording) -> ScriptWriter:
    return ScriptWriter(wording, GuideAnswerer(knowledge_base, default_messages()), default_topics())


def card(kb, target_id: str):
    data = load_copilot_data()
    return candidate_card(kb, target_id, 0.9, load_taxonomy(), data["bundle_where"], data["bundle_hotline"])


def test_caller_details_anywhere_in_the_call_are_masked_for_the_screen_and_kept_raw_for_the_form(details):
    call = (f"喂，你好。我叫李秀英，身份证号码是{ID_NUMBER}。我家住在广州市天河区天河路385号。"
            "我的电话是一三八零零一三八零零零。三月五号那天摔伤的，医药费花了1500块钱。")
    found = {d.name: d for d in details.read(call, TODAY)}
    assert {k: d.value for k, d in found.items()} == {
        "name": "李秀英", "id_number": ID_NUMBER, "phone": "13800138000",
        "address": "广东省广州市天河区天河路385号", "date": "2026-03-05", "amount": "1500.00",
    }
    assert found["name"].masked == "李**"
    assert found["id_number"].masked == "110101********4514"
    assert found["phone"].masked == "138****8000"
    assert found["address"].masked == "广东省广州市天河区****"
    screen = json.dumps([d.to_dict() for d in found.values()], ensure_ascii=False)
    assert "13800138000" not in screen and ID_NUMBER not in screen and "李秀英" not in screen
    assert found["phone"].to_dict(reveal=True)["value"] == "13800138000"


def test_a_detail_corrected_later_in_the_call_takes_the_later_value(details):
    call = "电话是13800138000。哦不对，电话说错了，是13912345678。"
    assert {d.name: d.value for d in details.read(call, TODAY)} == {"phone": "13912345678"}


def test_clauses_giving_details_are_left_out_when_finding_the_service(details):
    call = f"我的社保卡丢了，我叫李秀英，身份证号码是{ID_NUMBER}，电话是 138 0013 8000，补卡要多少钱？"
    assert details.without_details(call) == "我的社保卡丢了,补卡要多少钱?"
    assert details.without_details("我身份证丢了，明天要坐高铁") == "我身份证丢了,明天要坐高铁"


@pytest.mark.parametrize("call, kind", [
    ("我想问一下办护照要带什么材料？", WorkOrderType.consult),
    ("我们楼后面的路灯坏了，麻烦你们派人来修一下。", WorkOrderType.help),
    ("楼上天天半夜唱歌，吵得睡不着，我要投诉。", WorkOrderType.complaint),
    ("我举报一个黑作坊，在居民楼里做吃的。", WorkOrderType.report),
    ("建议你们大厅周末也开几个窗口。", WorkOrderType.suggestion),
    ("唔该，我份工老细两个月冇出粮。", WorkOrderType.complaint),  # dialect: 没有发工资
])
def test_the_work_order_type_is_guessed_from_what_the_caller_asks(call, kind):
    assert OrderTypeGuesser.load().guess(call) is kind


def test_the_latest_words_are_whole_sentences_from_the_end():
    said = "你好。我的社保卡丢了。怎么补？要多少钱？"
    assert latest_words(said, 5) == "要多少钱？"
    assert latest_words(said, 8) == "怎么补？要多少钱？"
    assert latest_words(said, 100) == said


def test_a_script_reads_out_the_key_facts_of_the_guide(knowledge_base, writer):
    service = knowledge_base.services["sscard-apply"]
    script = writer.write(card(knowledge_base, "sscard-apply"), "我想办社保卡", None)
    assert service.name in script and service.dept in script
    assert service.conditions[0] in script
    assert service.materials[0].name in script
    assert service.time_limit.text in script and service.fee.text in script
    assert service.channels.counter in script


def test_a_question_about_one_thing_is_answered_from_the_guide(knowledge_base, writer):
    service = knowledge_base.services["sscard-loss"]
    script = writer.write(card(knowledge_base, "sscard-loss"), "补卡要多少钱？", None)
    assert service.fee.text in script
    assert service.time_limit.text not in script


def test_a_report_reads_the_summary_back_with_the_department_and_time_limit_once_every_point_is_said(knowledge_base, writer, wording):
    service = knowledge_base.services["city-issue-report"]
    points = CallPoints(name="刘*", phone="139****5678", what="工地施工噪音", said_what=True, where="小区东门外面",
                        when="天天晚上", want="派人管一管", content="")
    step, script = writer.follow(points, "摘要。", "城市管理综合执法局", service.time_limit.text)
    assert step == "confirm"
    assert script == wording.say("confirm", summary="摘要。", dept="城市管理综合执法局", time=service.time_limit.text)


def test_a_bundle_names_its_members_and_counts_its_materials(knowledge_base, writer):
    bundle_card = card(knowledge_base, "newborn")
    bundle = knowledge_base.bundles["newborn"]
    assert bundle_card.members == [knowledge_base.services[m].name for m in bundle.services]
    assert len(bundle_card.materials) == len({m.name for s in bundle.services for m in knowledge_base.services[s].materials})
    script = writer.write(bundle_card, "生了孩子，出生证、户口、医保一起办", None)
    assert all(name in script for name in bundle_card.members)
    assert str(len(bundle_card.materials)) in script


def test_close_candidates_are_offered_by_name(knowledge_base, writer):
    cards = [card(knowledge_base, "hpf-withdraw-rent"), card(knowledge_base, "hpf-withdraw-purchase")]
    script = writer.clarify(cards)
    assert "住房公积金提取（租房）" in script and "住房公积金提取（购房）" in script


# The scripted calls below use the real router (trained once per test session).


@pytest.fixture(scope="module")
def copilot(router, knowledge_base) -> Copilot:
    return Copilot(router, DispatchModel.train(knowledge_base, normaliser=router.normalise), knowledge_base,
                   today=lambda: TODAY)


LOST_CARD_CALL = [
    "喂，你好，是12345吗？",
    "我想问一下，我妈的社保卡昨天在公交车上弄丢了，里面还有钱，怕被别人刷了，",
    "现在要先挂失再补一张，",
    f"我叫李秀英，身份证号码是{ID_NUMBER}，电话是一三八零零一三八零零零，",
    "补卡要多少钱？",
]


def test_a_scripted_call_gives_the_service_its_facts_a_script_masked_details_and_a_department(copilot, knowledge_base):
    transcript = ""
    for part in LOST_CARD_CALL:  # the transcript grows as the caller speaks
        transcript += part
        suggestion = copilot.suggest(transcript)
    service = knowledge_base.services["sscard-loss"]
    assert suggestion.candidates[0].id == "sscard-loss"
    assert suggestion.candidates[0].materials and suggestion.candidates[0].time_limit == service.time_limit.text
    assert service.name in suggestion.script and service.fee.text in suggestion.script
    assert suggestion.passages and all(p.source for p in suggestion.passages)
    assert suggestion.dispatch.dept == "人力资源和社会保障局" and suggestion.dispatch.confidence > 0.5
    assert suggestion.work_order_type is WorkOrderType.consult
    assert {f.name: f.masked for f in suggestion.fields} == {
        "name": "李**", "phone": "138****8000", "id_number": "110101********4514",
    }
    assert suggestion.caller_values()["phone"] == "13800138000"
    screen = json.dumps(suggestion.to_dict(), ensure_ascii=False)
    assert "13800138000" not in screen and ID_NUMBER not in screen and "李秀英" not in screen


def test_a_complaint_of_no_clear_matter_is_a_work_order_sent_nowhere_yet_never_to_the_hotline(copilot):
    # 吵得睡不着 fits living and construction noise alike: the agent is told to ask, nothing is suggested.
    suggestion = copilot.suggest("你好，我们小区对面的烧烤店天天开到凌晨两点，喝酒划拳吵得睡不着，我要投诉。我姓刘，电话13912345678。")
    assert suggestion.candidates[0].id == "city-issue-report"
    assert suggestion.work_order_type is WorkOrderType.complaint
    assert suggestion.matter == ""
    assert suggestion.dispatch is None
    assert suggestion.dispatch_reason == copilot.dispatch_rules.reasons("no_matter")
    assert "12345政务服务便民热线" not in [d.dept for d in suggestion.departments]
    assert [f.name for f in suggestion.fields] == ["phone"]


def test_the_service_follows_the_callers_latest_words_while_details_come_from_the_whole_call(copilot):
    first = "我叫王建国，电话13800138000。我想问问社保卡丢了怎么补办。"
    then = first + "好的，谢谢。另外我还想问一下，我在外面租房子住，公积金能不能取出来交房租？"
    assert copilot.suggest(first).candidates[0].id == "sscard-loss"
    later = copilot.suggest(then)
    assert later.candidates[0].id == "hpf-withdraw-rent"
    assert later.dispatch.dept == "住房公积金管理中心"
    assert {f.name for f in later.fields} == {"name", "phone"}


def test_small_talk_alone_asks_the_caller_to_say_more(copilot, wording):
    suggestion = copilot.suggest("喂，你好。")
    assert suggestion.script == wording.say("unknown")
    assert suggestion.fields == []
