"""What a complaint is about and who owns it: 物业, 邻里, 噪声, 油烟, 商家, 欠薪 and public facilities are
different matters with different owners; 投诉 alone asks what about; a denied matter is not the matter.
"""

from __future__ import annotations

import pytest

from assistant.cases.workorder_status import WorkOrderType
from intents.complaints import find_matter, is_bare_complaint, matter_of, matters
from intents.normalise import default_normaliser
from intents.slot_answers import parse_choice
from knowledge.models import ServiceKind

normalise = default_normaliser()


def matter(text: str):
    return find_matter(normalise(text))


def bare(text: str) -> bool:
    return is_bare_complaint(normalise(text))


def by_key(key: str):
    return next(m for m in matters() if m.key == key)


@pytest.mark.parametrize(
    ("message", "key", "service", "order_type"),
    [
        ("我要投诉物业", "property", "city-issue-report", WorkOrderType.complaint),
        ("小区物业乱收费还不办事", "property", "city-issue-report", WorkOrderType.complaint),
        ("跟邻居闹矛盾了想找人调解", "neighbour", "city-issue-report", WorkOrderType.help),
        ("楼上装修天天晚上十一点还在砸墙", "living_noise", "city-issue-report", WorkOrderType.complaint),
        ("小区广场舞音响开得震天响", "living_noise", "city-issue-report", WorkOrderType.complaint),
        ("工地半夜还在打桩", "construction_noise", "city-issue-report", WorkOrderType.complaint),
        ("楼下工地半夜仲喺度开工，好嘈", "construction_noise", "city-issue-report", WorkOrderType.complaint),  # Cantonese
        ("楼下饭店油烟太大", "fumes", "city-issue-report", WorkOrderType.complaint),
        ("在超市买到过期食品", "shop", "city-issue-report", WorkOrderType.complaint),
        ("健身房办了卡就跑路了", "shop", "city-issue-report", WorkOrderType.complaint),
        ("老板拖欠工资", "wages", "wage-arrears", WorkOrderType.complaint),
        ("欠薪", "wages", "wage-arrears", WorkOrderType.complaint),
        ("唔该，老板冇出人工点样投诉", "wages", "wage-arrears", WorkOrderType.complaint),  # Cantonese
        ("我家楼下的路灯坏了好几天了", "street_light", "city-issue-report", WorkOrderType.help),
        ("人行道上的井盖丢了很危险", "road_damage", "city-issue-report", WorkOrderType.help),
        ("小区外面下水道堵了，污水都冒出来了", "water_leak", "city-issue-report", WorkOrderType.help),
        ("垃圾堆了好几天没人清运", "garbage", "city-issue-report", WorkOrderType.help),
        ("有人把车停在消防通道上", "illegal_parking", "city-issue-report", WorkOrderType.report),
        ("帮我打个12345反映下占道摆摊的", "street_vending", "city-issue-report", WorkOrderType.report),
        ("阿拉小区门口违章搭建，去哪里反映？", "illegal_building", "city-issue-report", WorkOrderType.report),
    ],
)
def test_each_matter_goes_to_its_service_as_its_kind_of_work_order(message, key, service, order_type):
    found = matter(message)
    assert found is not None and found.key == key
    assert found.service_id == service and WorkOrderType(found.order_type) is order_type


def test_a_broken_public_facility_is_a_request_for_help_not_a_complaint():
    for key in ("street_light", "road_damage", "water_leak"):
        assert WorkOrderType(by_key(key).order_type) is WorkOrderType.help


def test_different_matters_have_different_owners():
    depts = {m.key: m.dept for m in matters()}
    assert "住房和城乡建设局" in depts["property"] and "街道" in depts["property"]
    assert "居委会" in depts["neighbour"] and "人民调解委员会" in depts["neighbour"]
    assert "公安" in depts["living_noise"]
    assert "生态环境局" in depts["fumes"] and "城市管理综合执法局" in depts["fumes"]
    assert "市场监督管理局" in depts["shop"]
    assert "人力资源和社会保障局" in depts["wages"]
    assert "公安交通管理" in depts["illegal_parking"]
    assert len({depts[k] for k in ("property", "neighbour", "living_noise", "fumes", "shop", "wages", "street_light")}) == 7


def test_only_wages_go_to_the_wage_arrears_complaint():
    assert [m.key for m in matters() if m.service_id == "wage-arrears"] == ["wages"]


@pytest.mark.parametrize(
    ("message", "key"),
    [
        ("不是欠薪，我要投诉楼下饭店油烟太大", "fumes"),
        ("我不是要投诉欠薪而是油烟", "fumes"),
        ("跟欠薪没关系，是物业不管事", "property"),
        ("不是物业的事，是楼上装修太吵", "living_noise"),
    ],
)
def test_a_matter_denied_is_not_what_the_complaint_is_about(message, key):
    assert matter(message).key == key


def test_a_denied_matter_alone_names_nothing():
    assert matter("不是欠薪的事") is None


def test_a_question_about_a_matter_is_not_a_denial():
    assert matter("这是不是物业该管的").key == "property"


def test_a_word_that_fits_two_matters_equally_decides_nothing():
    assert matter("噪音扰民") is None  # construction or everyday noise: the form asks which


@pytest.mark.parametrize("message", ["我要投诉", "我要举报", "我要反映个事情", "投诉！", "我想投诉一下", "举报电话是多少",
                                     "你好，我要投诉"])
def test_a_complaint_without_a_subject_is_bare(message):
    assert bare(message)
    assert matter(message) is None


@pytest.mark.parametrize("message", ["我要投诉物业", "我要举报公司欠薪", "路灯坏了我要反映", "我要办社保卡", "你好", ""])
def test_a_complaint_with_a_subject_or_no_complaint_is_not_bare(message):
    assert not bare(message)


def test_a_tapped_matter_label_names_its_matter():
    for m in matters():
        assert matter(m.label) == m


def test_matters_are_offered_in_a_stable_order_with_unique_keys_and_labels():
    listed = matters()
    assert listed[0].key == "property" and len(listed) == len({m.key for m in listed}) == len({m.label for m in listed})
    assert listed == matters()


def test_every_matter_names_a_real_report_service_and_one_of_its_issue_types(knowledge_base):
    for m in matters():
        service = knowledge_base.services[m.service_id]
        assert service.kind is ServiceKind.report
        WorkOrderType(m.order_type)
        slot = next((s for s in service.slots if s.name == "issue_type"), None)
        if m.issue_type is None:
            assert slot is None, m.key
            continue
        choices = {c.value: c for c in slot.choices}
        assert m.issue_type in choices, m.key
        picked = parse_choice(slot.choices, m.label)  # the chip's words pick the same choice in the form
        assert picked.value == m.issue_type, (m.key, picked)
        assert matter_of(m.service_id, m.issue_type) == m


def test_every_issue_type_of_the_city_report_but_other_has_a_matter(knowledge_base):
    slot = next(s for s in knowledge_base.services["city-issue-report"].slots if s.name == "issue_type")
    without = [c.value for c in slot.choices if matter_of("city-issue-report", c.value) is None]
    assert without == ["other"]
