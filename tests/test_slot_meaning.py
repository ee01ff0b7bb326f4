"""Answers checked for what they mean, not only their shape: approximate dates where a slot allows
them, examples worked out from today, a value of another kind refused, command words never taken as
a value, a partner who is not the applicant, and landlines where someone will ring back."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from intents.slot_text import COMMAND_WORDS_FILE, command_words, is_command_word
from intents.slot_values import Invalid, Value, differs, example_for, parse_value
from knowledge.base import load_knowledge_base
from knowledge.models import Material, MaterialForm, Service, Slot
from settings import REPO_ROOT

TODAY = date(2026, 11, 23)  # a Monday
KB = load_knowledge_base(REPO_ROOT / "knowledge")


def slot(kind: str, label: str = "测试", name: str = "answer", **fields) -> Slot:
    return Slot(name=name, label=label, type=kind, ask="？", **fields)


def accepted(result: Value | Invalid | None) -> Value:
    assert isinstance(result, Value), result
    return result


def refused(result: Value | Invalid | None) -> str:
    assert isinstance(result, Invalid), result
    return result.message


# -- approximate dates ---------------------------------------------------------------------------

OCCURRED = slot("date", label="发生时间", validation={"date_range": "past", "max_days_ago": 365, "approximate": True})


@pytest.mark.parametrize(
    ("said", "value", "display"),
    [
        ("前几天", "2026-11-18/2026-11-21", "前几天（约2026年11月18日至11月21日）"),
        ("嗯，大概是前几天吧", "2026-11-18/2026-11-21", "大概是前几天（约2026年11月18日至11月21日）"),
        ("上个月初", "2026-10-01/2026-10-10", "上个月初（约2026年10月1日至10月10日）"),
        ("两三天前", "2026-11-20/2026-11-21", "两三天前（约2026年11月20日至11月21日）"),
        ("上周末", "2026-11-21/2026-11-22", "上周末（约2026年11月21日至11月22日）"),
        # A past span ends today at the latest, and begins no earlier than max_days_ago allows.
        ("这几天", "2026-11-19/2026-11-23", "这几天（约2026年11月19日至11月23日）"),
        ("去年年底", "2025-11-23/2025-12-31", "去年年底（约2025年11月23日至12月31日）"),
        # Cut to one day, the value is that day.
        ("这周", "2026-11-23", "这周（约2026年11月23日）"),
        # Exact dates stay exact.
        ("前天晚上", "2026-11-21", "2026年11月21日"),
        ("2026年11月20日", "2026-11-20", "2026年11月20日"),
    ],
)
def test_an_approximate_date_is_a_span_with_the_words_kept(said: str, value: str, display: str) -> None:
    result = accepted(parse_value(OCCURRED, said, TODAY))
    assert (result.value, result.display) == (value, display)


def test_a_span_across_new_year_names_both_years() -> None:
    result = accepted(parse_value(OCCURRED, "最近", date(2027, 1, 5)))
    assert result.value == "2026-12-22/2027-01-05"
    assert result.display == "最近（约2026年12月22日至2027年1月5日）"


@pytest.mark.parametrize(
    ("said", "mentions"),
    [("下周", "还没到"), ("明年", "还没到"), ("2024年", "365天"), ("两年前", "365天")],
)
def test_range_rules_apply_to_the_whole_span(said: str, mentions: str) -> None:
    assert mentions in refused(parse_value(OCCURRED, said, TODAY))


def test_a_future_span_is_cut_to_the_days_allowed_ahead() -> None:
    soon = slot("date", validation={"date_range": "future", "max_days_ahead": 14, "approximate": True})
    assert accepted(parse_value(soon, "下个月初", TODAY)).value == "2026-12-01/2026-12-07"
    assert "14天" in refused(parse_value(soon, "明年", TODAY))


@pytest.mark.parametrize("said", ["前几天", "上个月", "大概三月份", "两三天前", "去年年底", "最近"])
def test_a_date_that_must_be_exact_refuses_approximate_words(said: str) -> None:
    birth = slot("date", label="出生日期", validation={"date_range": "past"})
    message = refused(parse_value(birth, said, TODAY))
    assert "具体哪一天" in message and "出生日期" in message and "准确的日期" in message


def test_the_slot_says_why_its_date_must_be_exact() -> None:
    birth = slot("date", label="出生日期", validation={"date_range": "past", "exact_reason": "要和出生医学证明上的一致"})
    assert "要和出生医学证明上的一致" in refused(parse_value(birth, "前几天", TODAY))


@pytest.mark.parametrize(
    ("service", "name"),
    [("city-issue-report", "occurred_date"), ("wage-arrears", "arrears_start_date"), ("id-card-loss", "loss_date"),
     ("residence-permit", "residence_start_date"), ("veteran-card", "discharge_date")],
)
def test_slots_asking_when_something_happened_take_approximate_dates(service: str, name: str) -> None:
    asked = next(s for s in KB.services[service].slots if s.name == name)
    assert "/" in accepted(parse_value(asked, "上个月初", TODAY)).value


@pytest.mark.parametrize(
    ("service", "name"),
    [("birth-certificate", "baby_birth_date"), ("marriage-registration", "appointment_date"),
     ("death-hukou-cancel", "death_date"), ("work-injury", "injury_date")],
)
def test_birth_death_and_appointment_dates_stay_exact(service: str, name: str) -> None:
    asked = next(s for s in KB.services[service].slots if s.name == name)
    assert not asked.validation.approximate
    assert asked.validation.exact_reason
    assert asked.validation.exact_reason in refused(parse_value(asked, "下周", TODAY) if "appointment" in name
                                                   else parse_value(asked, "前几天", TODAY))


# -- examples worked out from today --------------------------------------------------------------


@pytest.mark.parametrize(
    ("hint", "example"),
    [
        ("比如：{date+3}", "2026年11月26日"),
        ("比如：{date-10}", "2026年11月13日"),
        ("比如：{date}", "2026年11月23日"),
        ("比如：昨天，或者{date-40}", "昨天，或者2026年10月14日"),
        ("比如：下个星期五，或者{date+14}", "下个星期五，或者2026年12月7日"),
        ("比如：明天", "明天"),
    ],
)
def test_an_example_date_is_worked_out_from_today(hint: str, example: str) -> None:
    assert example_for(slot("date", hint=hint), TODAY) == example


@pytest.mark.parametrize(
    ("rules", "example"),
    [
        ({"date_range": "future", "max_days_ahead": 2}, "2026年11月25日"),
        ({"date_range": "future"}, "2026年11月26日"),
        ({"date_range": "past"}, "2026年11月13日"),
        ({"date_range": "past", "max_days_ago": 7}, "2026年11月16日"),
        ({}, "2026年11月23日"),
    ],
)
def test_a_date_slot_without_an_example_gets_one_its_rules_accept(rules: dict, example: str) -> None:
    dated = slot("date", validation=rules)
    assert example_for(dated, TODAY) == example
    assert accepted(parse_value(dated, example, TODAY))


def test_other_examples_are_given_as_written_without_the_lead() -> None:
    assert example_for(slot("person_name", hint="比如：王芳"), TODAY) == "王芳"
    assert example_for(slot("text"), TODAY) == ""


@pytest.mark.parametrize(
    ("hint", "complaint"),
    [("比如：2025年5月20日", "fixed date"), ("比如：2025-05-20", "fixed date"), ("比如：{today}", "placeholder")],
)
def test_a_hint_with_a_fixed_date_or_an_unknown_placeholder_is_a_data_fault(hint: str, complaint: str) -> None:
    with pytest.raises(ValidationError, match=complaint):
        slot("date", hint=hint)


# -- which rules fit which type ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "rules"),
    [
        ("text", {"approximate": True}),
        ("person_name", {"approximate": True}),
        ("text", {"exact_reason": "要准确"}),
        ("date", {"differs_from": ["other"]}),
        ("address", {"differs_from": ["other"]}),
        ("person_name", {"landline": True}),
    ],
)
def test_rules_apply_only_to_their_types(kind: str, rules: dict) -> None:
    with pytest.raises(ValidationError, match="do not apply"):
        slot(kind, validation=rules)


def test_an_exact_reason_contradicts_an_approximate_date() -> None:
    with pytest.raises(ValidationError, match="exact_reason"):
        slot("date", validation={"approximate": True, "exact_reason": "要准确"})


@pytest.mark.parametrize("others", [["nobody"], ["partner_name"], ["partner_id_number", "phone"]])
def test_differs_from_names_another_slot_of_the_same_type(others: list[str]) -> None:
    data = KB.services["marriage-registration"].model_dump(mode="json", exclude_defaults=True)
    partner = next(s for s in data["slots"] if s["name"] == "partner_name")
    partner["validation"] = {"differs_from": others}
    with pytest.raises(ValidationError, match="differs_from"):
        Service.model_validate(data)


# -- a value of another kind is no text ----------------------------------------------------------

HOSPITAL = slot("text", label="出生医院", validation={"min_length": 2, "max_length": 60})
DESCRIPTION = slot("text", label="问题描述", validation={"min_length": 5, "max_length": 1000})


@pytest.mark.parametrize(
    ("said", "kind"),
    [
        ("2026年11月20日", "日期"),
        ("20261120", "日期"),
        ("明天吧", "日期"),
        ("前几天", "日期"),
        ("13800138000", "电话号码"),
        ("020-12345678", "电话号码"),
        ("110101199003074514", "身份证号码"),
        ("123", "数字"),
        ("三", "数字"),
    ],
)
@pytest.mark.parametrize("text_slot", [HOSPITAL, DESCRIPTION], ids=["出生医院", "问题描述"])
def test_a_text_slot_refuses_a_value_of_another_kind(text_slot: Slot, said: str, kind: str) -> None:
    message = refused(parse_value(text_slot, said, TODAY))
    assert kind in message and text_slot.label in message


@pytest.mark.parametrize(
    ("text_slot", "said"),
    [
        # The 几 of 前几天 asks nothing: these are answers, not questions.
        (HOSPITAL, "广州市妇女儿童医疗中心"),
        (HOSPITAL, "在家"),
        (HOSPITAL, "解放军301医院"),
        (DESCRIPTION, "前几天开始路灯一直不亮"),
        (DESCRIPTION, "3号楼门口的井盖坏了"),
        (DESCRIPTION, "十几天了一直没人修"),
    ],
)
def test_a_text_that_mentions_a_date_or_number_is_still_a_text(text_slot: Slot, said: str) -> None:
    assert accepted(parse_value(text_slot, said, TODAY)).value == said


def test_a_text_slot_whose_pattern_asks_for_digits_takes_them() -> None:
    account = slot("text", label="银行卡号", validation={"pattern": r"^\d{12,19}$"})
    assert accepted(parse_value(account, "6222021234567890", TODAY)).value == "6222021234567890"


# -- names -------------------------------------------------------------------------------------

NAME = slot("person_name", label="联系人姓名")


@pytest.mark.parametrize(
    ("said", "kind"),
    [
        ("13800138000", "电话号码"),
        ("110101199003074514", "身份证号码"),
        ("2026年11月20日", "日期"),
        ("三月五号", "日期"),
        ("前几天", "日期"),
        ("123", "数字"),
    ],
)
def test_a_name_slot_refuses_a_value_of_another_kind(said: str, kind: str) -> None:
    message = refused(parse_value(NAME, said, TODAY))
    assert kind in message and "名字" in message


@pytest.mark.parametrize(
    "said",
    ["跳过", "不知道", "不清楚", "转人工", "人工", "没有", "取消", "是的", "同意", "好的", "我自己", "本人", "妈妈", "ok"],
)
def test_words_that_are_no_name_give_no_name(said: str) -> None:
    assert parse_value(NAME, said, TODAY) is None


@pytest.mark.parametrize(
    ("said", "expected"),
    [("John Smith", "John Smith"), ("我叫Anna", "Anna"), ("Mary-Jane O'Neil", "Mary-Jane O'Neil"),
     ("周三", "周三"), ("万千", "万千"), ("王芳", "王芳"), ("买买提·艾力", "买买提·艾力")],
)
def test_names_in_latin_letters_and_names_that_look_like_days(said: str, expected: str) -> None:
    assert accepted(parse_value(NAME, said, TODAY)).value == expected


@pytest.mark.parametrize(("said", "mentions"), [("张Tom", "字母"), ("跳*", "汉字"), ("J", "两个字")])
def test_name_refusals_for_mixed_scripts_and_symbols(said: str, mentions: str) -> None:
    assert mentions in refused(parse_value(NAME, said, TODAY))


# -- command words are no value for any slot -----------------------------------------------------

GENDER = slot("choice", choices=[{"value": "male", "label": "男"}, {"value": "female", "label": "女"}])
MATERIALS = [Material(name="居民身份证", form=MaterialForm.original), Material(name="户口簿", form=MaterialForm.original)]
EVERY_TYPE = [
    slot("text"), slot("text", validation={"min_length": 1}), slot("person_name"), slot("address"),
    slot("id_number"), slot("phone", validation={"landline": True}), slot("date", validation={"approximate": True}),
    slot("number"), slot("money"), GENDER, slot("yes_no"), slot("materials"),
]
COMMANDS = ["跳过", "不知道", "不清楚", "转人工", "人工", "取消", "上一步", "重新开始", "那就跳过吧", "我也不知道",
            "先跳过", "跳过跳过", "不记得了"]


@pytest.mark.parametrize("said", COMMANDS)
@pytest.mark.parametrize("asked", EVERY_TYPE, ids=[s.type.value for s in EVERY_TYPE])
def test_a_command_word_is_no_value_for_any_slot(asked: Slot, said: str) -> None:
    assert parse_value(asked, said, TODAY, MATERIALS) is None


def test_command_words_live_in_one_data_file() -> None:
    assert COMMAND_WORDS_FILE.parent.name == "data" and COMMAND_WORDS_FILE.name == "command_words.yaml"
    assert {"跳过", "不知道", "不清楚", "转人工", "人工", "取消", "上一步", "重新开始"} <= command_words().words


@pytest.mark.parametrize("said", ["跳过这个问题的意思是什么", "不知道为什么路灯不亮", "人工湖边上", "没有", "是的"])
def test_a_longer_answer_or_a_yes_or_no_is_no_command_word(said: str) -> None:
    assert not is_command_word(said)


@pytest.mark.parametrize(("asked", "said", "value"), [(slot("yes_no"), "没有", "no"), (slot("number"), "没有", "0")])
def test_yes_and_no_words_keep_their_meaning_where_they_answer(asked: Slot, said: str, value: str) -> None:
    assert accepted(parse_value(asked, said, TODAY)).value == value


# -- a partner is not the applicant --------------------------------------------------------------

MARRIAGE = {s.name: s for s in KB.services["marriage-registration"].slots}
ME = "110101199003074514"
HER = "110101199203074527"


@pytest.mark.parametrize(
    ("asked", "said", "filled", "other"),
    [
        ("partner_name", "张三", {"applicant_name": "张三"}, "申请人姓名"),
        ("partner_id_number", ME, {"applicant_id_number": ME}, "申请人身份证号码"),
        # Both ways: the applicant corrected to the partner's value is refused too.
        ("applicant_name", "李娜", {"partner_name": "李娜"}, "对方姓名"),
        ("partner_name", "john smith", {"applicant_name": "John Smith"}, "申请人姓名"),
    ],
)
def test_a_value_equal_to_the_one_it_must_differ_from_is_refused(asked: str, said: str, filled: dict,
                                                                  other: str) -> None:
    value = accepted(parse_value(MARRIAGE[asked], said, TODAY))
    message = refused(differs(MARRIAGE[asked], value, filled, MARRIAGE))
    assert other in message and MARRIAGE[asked].label in message


@pytest.mark.parametrize(
    ("asked", "said", "filled"),
    [
        ("partner_name", "李娜", {"applicant_name": "张三"}),
        ("partner_id_number", HER, {"applicant_id_number": ME}),
        ("partner_name", "张三", {}),
        # Slots with no rule between them may share a value.
        ("applicant_name", "张三", {"phone": "张三"}),
    ],
)
def test_a_different_value_or_nothing_to_compare_is_fine(asked: str, said: str, filled: dict) -> None:
    value = accepted(parse_value(MARRIAGE[asked], said, TODAY))
    assert differs(MARRIAGE[asked], value, filled, MARRIAGE) is None


@pytest.mark.parametrize(
    ("service", "name", "others"),
    [
        ("marriage-registration", "partner_name", ["applicant_name"]),
        ("marriage-registration", "partner_id_number", ["applicant_id_number"]),
        ("divorce-registration", "spouse_name", ["applicant_name"]),
        ("divorce-registration", "spouse_id_number", ["applicant_id_number"]),
        ("birth-hukou", "father_id_number", ["mother_id_number"]),
        ("death-hukou-cancel", "applicant_id_number", ["deceased_id_number"]),
        ("property-transfer", "buyer_id_number", ["seller_id_number"]),
        ("vehicle-transfer", "buyer_name", ["seller_name"]),
    ],
)
def test_the_knowledge_base_names_who_must_differ(service: str, name: str, others: list[str]) -> None:
    asked = next(s for s in KB.services[service].slots if s.name == name)
    assert asked.validation.differs_from == others


# -- landlines -----------------------------------------------------------------------------------

CONTACT = slot("phone", validation={"landline": True})


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("020-12345678", "020-12345678"),
        ("02012345678", "020-12345678"),
        ("0755 8888 8888", "0755-88888888"),
        ("座机是010-87654321", "010-87654321"),
        ("13800138000", "13800138000"),
    ],
)
def test_a_slot_that_takes_landlines_keeps_the_area_code(said: str, expected: str) -> None:
    assert accepted(parse_value(CONTACT, said, TODAY)).value == expected


def test_a_landline_without_area_code_is_asked_for_it() -> None:
    assert "区号" in refused(parse_value(CONTACT, "87654321", TODAY))


def test_a_slot_that_sends_text_messages_still_refuses_a_landline() -> None:
    assert "座机" in refused(parse_value(slot("phone"), "020-12345678", TODAY))


@pytest.mark.parametrize("service", ["elderly-allowance", "minimum-living-allowance", "city-issue-report"])
def test_contact_phones_of_people_without_a_mobile_take_landlines(service: str) -> None:
    phone = next(s for s in KB.services[service].slots if s.name == "phone")
    assert accepted(parse_value(phone, "020-12345678", TODAY)).value == "020-12345678"
