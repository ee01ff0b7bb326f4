"""Reading one answer for one slot: accepted values in canonical form, refusals that say what is
wrong, and None where the message holds no answer of that kind."""

from __future__ import annotations

import json
from datetime import date

import pytest
from stdnum.cn import ric

from intents.slot_values import Invalid, Value, parse_value
from knowledge.models import Material, MaterialForm, Slot

TODAY = date(2026, 11, 23)  # a Monday
ID = "110101199003074514"  # born 1990-03-07, a valid checksum


def slot(kind: str, label: str = "测试", **fields) -> Slot:
    return Slot(name="answer", label=label, type=kind, ask="？", **fields)


def id_born(birth: str, region: str = "110101", serial: str = "123") -> str:
    body = region + birth + serial
    return body + ric.calc_check_digit(body + "0")


def accepted(result: Value | Invalid | None) -> Value:
    assert isinstance(result, Value), result
    return result


def refused(result: Value | Invalid | None) -> str:
    assert isinstance(result, Invalid), result
    return result.message


# -- ID numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "said",
    [
        ID,
        "我的身份证号码是110101199003074514",
        "110101 19900307 4514",
        "110101-19900307-4514",
        "１１０１０１１９９００３０７４５１４",
        "幺幺零幺零幺幺九九零零三零七四五幺四",
    ],
)
def test_id_number_accepted_in_the_forms_people_give_it(said: str) -> None:
    assert accepted(parse_value(slot("id_number"), said, TODAY)).value == ID


def test_id_number_with_x_is_upper_cased() -> None:
    number = next(n for n in (id_born("19850615", serial=f"{i:03d}") for i in range(200)) if n.endswith("X"))
    assert accepted(parse_value(slot("id_number"), number.lower(), TODAY)).value == number


@pytest.mark.parametrize(
    ("said", "mentions"),
    [
        ("11010119900307451", "18位"),
        ("1101011990030745141", "18位"),
        ("110101900307451", "15位"),
        ("110101199003074515", "校验"),
        ("110101199013074514", "出生日期"),
        (id_born("20300101"), "出生日期"),
        (id_born("19900307", region="000000"), "地区"),
    ],
)
def test_id_number_refusals_say_what_is_wrong(said: str, mentions: str) -> None:
    assert mentions in refused(parse_value(slot("id_number"), said, TODAY))


def test_id_number_from_a_county_younger_than_its_holder_is_accepted() -> None:
    # 天河区 (440106) was created in 1985; people born before then who registered there carry it.
    number = id_born("19640512", region="440106")
    assert accepted(parse_value(slot("id_number"), number, TODAY)).value == number


def test_id_number_age_limits_use_the_birth_date_inside() -> None:
    adult_only = slot("id_number", validation={"min_age": 18})
    assert "18" in refused(parse_value(adult_only, id_born("20081124"), TODAY))  # 18 tomorrow
    assert accepted(parse_value(adult_only, id_born("20081123"), TODAY))  # 18 today
    child = slot("id_number", validation={"min_age": 5, "max_age": 15})
    assert "15" in refused(parse_value(child, ID, TODAY))


@pytest.mark.parametrize("said", ["要带什么材料？", "不知道", "嗯"])
def test_no_number_is_no_id_answer(said: str) -> None:
    assert parse_value(slot("id_number"), said, TODAY) is None


# -- phone numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "said",
    [
        "13800138000",
        "+86 138 0013 8000",
        "8613800138000",
        "138-0013-8000",
        "电话号码是幺三八零零幺三八零零零",
        "号码是13800138000。",
    ],
)
def test_mobile_numbers_accepted_as_11_digits(said: str) -> None:
    value = accepted(parse_value(slot("phone"), said, TODAY))
    assert value.value == "13800138000"


@pytest.mark.parametrize(
    ("said", "mentions"),
    [
        ("1380013800", "11位"),
        ("138001380001", "11位"),
        ("12345678901", "11位"),
        # A landline cannot take the text message the answer comes by.
        ("020-12345678", "手机"),
        ("02012345678", "手机"),
    ],
)
def test_phone_refusals_ask_for_a_mobile(said: str, mentions: str) -> None:
    assert mentions in refused(parse_value(slot("phone"), said, TODAY))


def test_landline_refusal_says_it_is_a_landline() -> None:
    assert "座机" in refused(parse_value(slot("phone"), "020-12345678", TODAY))


# -- dates ---------------------------------------------------------------------------------------


def test_date_value_is_iso_and_read_back_in_chinese() -> None:
    value = accepted(parse_value(slot("date"), "二〇二四年三月五日", TODAY))
    assert (value.value, value.display) == ("2024-03-05", "2024年3月5日")


@pytest.mark.parametrize(
    ("rules", "said", "expected"),
    [
        ({"date_range": "past"}, "3月5号", "2026-03-05"),
        ({"date_range": "past"}, "12月25日", "2025-12-25"),
        ({"date_range": "future"}, "下周三", "2026-12-02"),
        ({"date_range": "future", "max_days_ahead": 14}, "明天", "2026-11-24"),
        ({"date_range": "past", "max_days_ago": 365}, "嗯，就是前天", "2026-11-21"),
    ],
)
def test_dates_within_the_slot_rules_are_accepted(rules: dict, said: str, expected: str) -> None:
    assert accepted(parse_value(slot("date", validation=rules), said, TODAY)).value == expected


@pytest.mark.parametrize(
    ("rules", "said", "mentions"),
    [
        ({"date_range": "past"}, "明天", "还没到"),
        ({"date_range": "future"}, "昨天", "已经过去"),
        ({"date_range": "future", "max_days_ahead": 14}, "12月25日", "14天"),
        ({"date_range": "past", "max_days_ago": 365}, "2020年1月1日", "365天"),
        ({}, "2月30日", "2月30日"),
        ({}, "3月", "具体哪一天"),
        ({}, "13月5日", "12个月"),
    ],
)
def test_date_refusals_say_what_is_wrong(rules: dict, said: str, mentions: str) -> None:
    assert mentions in refused(parse_value(slot("date", validation=rules), said, TODAY))


def test_no_date_said_is_none() -> None:
    assert parse_value(slot("date"), "要带什么材料？", TODAY) is None


# -- numbers and money ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "expected"),
    [("3", "3"), ("3个", "3"), ("三个人", "3"), ("两", "2"), ("一共三个", "3"), ("零", "0"), ("没有", "0"), ("十二", "12")],
)
def test_numbers(said: str, expected: str) -> None:
    count = slot("number", validation={"min": 0, "max": 20})
    assert accepted(parse_value(count, said, TODAY)).value == expected


@pytest.mark.parametrize(
    ("rules", "said", "mentions"),
    [
        ({"min": 0, "max": 10}, "11", "0到10"),
        ({"min": 1}, "0", "1"),
        ({"max": 6}, "七个", "6"),
        ({}, "2.5", "整数"),
    ],
)
def test_number_refusals_name_the_range(rules: dict, said: str, mentions: str) -> None:
    assert mentions in refused(parse_value(slot("number", validation=rules), said, TODAY))


@pytest.mark.parametrize(
    ("said", "value", "display"),
    [
        ("1500", "1500.00", "1500元"),
        ("1500元", "1500.00", "1500元"),
        ("一千五百块", "1500.00", "1500元"),
        ("1.5万", "15000.00", "15000元"),
        ("一万二", "12000.00", "12000元"),
        ("3千", "3000.00", "3000元"),
        ("两千五", "2500.00", "2500元"),
        ("1500.5元", "1500.50", "1500.5元"),
        ("大概八千块左右", "8000.00", "8000元"),
    ],
)
def test_money_in_yuan_with_two_decimals(said: str, value: str, display: str) -> None:
    result = accepted(parse_value(slot("money"), said, TODAY))
    assert (result.value, result.display) == (value, display)


def test_money_outside_the_range_names_it() -> None:
    loan = slot("money", validation={"min": 10000, "max": 10000000})
    assert "10000元到10000000元" in refused(parse_value(loan, "5000", TODAY))


@pytest.mark.parametrize("kind", ["number", "money"])
def test_questions_are_no_amount(kind: str) -> None:
    assert parse_value(slot(kind), "要交多少钱？", TODAY) is None


# -- names ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("张三", "张三"),
        ("我叫张三", "张三"),
        ("名字是欧阳娜娜", "欧阳娜娜"),
        ("孩子叫李小宝吧", "李小宝"),
        ("嗯，王芳", "王芳"),
        ("买买提·艾力", "买买提·艾力"),
        ("买买提.艾力", "买买提·艾力"),
        ("我叫张三，身份证110101199003074514", "张三"),
    ],
)
def test_person_names(said: str, expected: str) -> None:
    assert accepted(parse_value(slot("person_name"), said, TODAY)).value == expected


@pytest.mark.parametrize(
    ("said", "mentions"),
    [("张", "两个字"), ("张3", "数字"), ("张Tom", "字母"), ("张三李四王五", "太长"), ("张@三", "汉字")],
)
def test_person_name_refusals(said: str, mentions: str) -> None:
    assert mentions in refused(parse_value(slot("person_name"), said, TODAY))


@pytest.mark.parametrize("said", ["为什么要名字？", "不知道", "还没取好"])
def test_no_name_said_is_none(said: str) -> None:
    assert parse_value(slot("person_name"), said, TODAY) is None


# -- addresses -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("广东省广州市越秀区东风中路305号", "广东省广州市越秀区东风中路305号"),
        ("广州市越秀区东风中路305号", "广东省广州市越秀区东风中路305号"),
        ("我家住在越秀区东风中路305号", "广东省广州市越秀区东风中路305号"),
        ("地址是：北京市朝阳区建国路88号", "北京市朝阳区建国路88号"),
        ("上海浦东新区世纪大道100号", "上海市浦东新区世纪大道100号"),
        ("广东省东莞市南城街道元美路1号", "广东省东莞市南城街道元美路1号"),
        # A development zone stands where people expect a district.
        ("江苏省苏州市工业园区星湖街328号", "江苏省苏州市工业园区星湖街328号"),
    ],
)
def test_addresses_are_normalised(said: str, expected: str) -> None:
    value = accepted(parse_value(slot("address", validation={"min_length": 8}), said, TODAY))
    assert value.value == value.display == expected


@pytest.mark.parametrize(
    ("said", "mentions"),
    [
        ("东风中路305号", "区或县"),
        ("四川省成都市", "区或县"),
        ("朝阳区望京街道10号", "哪个城市"),
        ("我家住在天河区", "详细"),
    ],
)
def test_address_refusals(said: str, mentions: str) -> None:
    assert mentions in refused(parse_value(slot("address", validation={"min_length": 8}), said, TODAY))


def test_a_question_is_no_address() -> None:
    assert parse_value(slot("address"), "要带什么材料？", TODAY) is None


# -- free text -----------------------------------------------------------------------------------

CREDIT_CODE = r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$"
PLATE = r"^[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-Z][A-HJ-NP-Z0-9]{5,6}$"


@pytest.mark.parametrize(
    ("pattern", "said", "expected"),
    [
        (CREDIT_CODE, "91440101ma59abcd1x", "91440101MA59ABCD1X"),
        (CREDIT_CODE, "代码是 91440101-MA59ABCD1X", "91440101MA59ABCD1X"),
        (PLATE, "车牌是粤a 12345", "粤A12345"),
        (r"^\d{12,19}$", "卡号6222 0212 3456 7890", "6222021234567890"),
    ],
)
def test_codes_are_found_and_upper_cased_where_the_pattern_wants(pattern: str, said: str, expected: str) -> None:
    assert accepted(parse_value(slot("text", validation={"pattern": pattern}), said, TODAY)).value == expected


@pytest.mark.parametrize(
    ("rules", "said", "mentions"),
    [
        ({"pattern": PLATE}, "A12345", "格式"),
        ({"min_length": 2, "max_length": 10}, "院", "至少"),
        ({"min_length": 2, "max_length": 10}, "广州市妇女儿童医疗中心", "最多10个字"),
    ],
)
def test_text_refusals_name_the_label_and_the_rule(rules: dict, said: str, mentions: str) -> None:
    message = refused(parse_value(slot("text", label="出生医院", validation=rules), said, TODAY))
    assert mentions in message and "出生医院" in message


def test_text_is_stripped() -> None:
    assert accepted(parse_value(slot("text"), "  嗯，广州市妇幼。 ", TODAY)).value == "广州市妇幼"


# -- choices -------------------------------------------------------------------------------------

GENDER = slot(
    "choice",
    choices=[
        {"value": "male", "label": "男", "synonyms": ["男孩", "儿子"]},
        {"value": "female", "label": "女", "synonyms": ["女孩", "闺女"]},
    ],
)
SETTLE = slot(
    "choice",
    choices=[
        {"value": "father", "label": "随父落户", "synonyms": ["跟爸爸", "爸爸户口上"]},
        {"value": "mother", "label": "随母落户", "synonyms": ["跟妈妈", "妈妈户口上"]},
    ],
)
PICKUP = slot(
    "choice",
    choices=[
        {"value": "branch", "label": "到银行网点领取", "synonyms": ["自己去拿"]},
        {"value": "mail", "label": "邮寄到家", "synonyms": ["邮寄"]},
    ],
)


@pytest.mark.parametrize(
    ("choice_slot", "said", "expected"),
    [
        (GENDER, "男", "male"),
        (GENDER, "是个闺女", "female"),
        (GENDER, "1", "male"),
        (GENDER, "２", "female"),
        (GENDER, "第二个", "female"),
        (GENDER, "选2", "female"),
        (GENDER, "一", "male"),
        (GENDER, "MALE", "male"),
        (SETTLE, "落在妈妈户口上吧", "mother"),
        (SETTLE, "随母", "mother"),
        (SETTLE, "随父落户", "father"),
        (PICKUP, "不要邮寄，我自己去拿", "branch"),
        (PICKUP, "邮寄吧", "mail"),
    ],
)
def test_choices_by_number_label_value_or_synonym(choice_slot: Slot, said: str, expected: str) -> None:
    value = accepted(parse_value(choice_slot, said, TODAY))
    label = next(c.label for c in choice_slot.choices if c.value == expected)
    assert (value.value, value.display) == (expected, label)


def test_a_message_naming_two_choices_asks_which() -> None:
    message = refused(parse_value(GENDER, "男孩还是女孩？", TODAY))
    assert "男" in message and "女" in message


def test_a_position_past_the_end_is_refused() -> None:
    assert "2" in refused(parse_value(GENDER, "3", TODAY))


@pytest.mark.parametrize("said", ["要带什么材料？", "第一次办", "不清楚"])
def test_no_choice_named_is_none(said: str) -> None:
    assert parse_value(GENDER, said, TODAY) is None


# -- yes / no ------------------------------------------------------------------------------------

YES = ["好", "好的", "行", "可以", "对", "是", "是的", "嗯", "嗯嗯", "没问题", "有", "要", "同意", "确认", "中",
       "要得", "OK", "对对对", "好吧", "那好吧"]
NO = ["不", "不是", "不对", "不行", "不要", "不用", "没有", "没", "否", "算了", "不同意", "冇", "唔係",
      "不是很好", "好的，不用了", "我不要了", "那就算了"]


@pytest.mark.parametrize(("said", "expected"), [(s, "yes") for s in YES] + [(s, "no") for s in NO])
def test_yes_and_no(said: str, expected: str) -> None:
    value = accepted(parse_value(slot("yes_no"), said, TODAY))
    assert value.value == expected
    assert value.display == ("是" if expected == "yes" else "否")


@pytest.mark.parametrize("said", ["可以吗？", "有点问题", "不知道", "我要问一下办多久", "中山市"])
def test_no_yes_or_no_is_none(said: str) -> None:
    assert parse_value(slot("yes_no"), said, TODAY) is None


# -- materials -----------------------------------------------------------------------------------

MATERIALS = [
    Material(name="《出生医学证明》（或电子出生医学证明）", form=MaterialForm.original),
    Material(name="父母双方居民身份证", form=MaterialForm.original),
    Material(name="拟落户一方的居民户口簿", form=MaterialForm.original),
    Material(name="父母结婚证", form=MaterialForm.original, deferrable=True),
    Material(name="委托书及受托人身份证（亲属代办时）", form=MaterialForm.original, deferrable=True),
]


@pytest.mark.parametrize(
    ("said", "has"),
    [
        ("都有了", [0, 1, 2, 3, 4]),
        ("都带齐了", [0, 1, 2, 3, 4]),
        ("全部", [0, 1, 2, 3, 4]),
        ("都没有", []),
        ("一个都没有", []),
        ("1、2、4", [0, 1, 3]),
        ("1 2 4", [0, 1, 3]),
        ("124", [0, 1, 3]),
        ("一、二、四", [0, 1, 3]),
        ("第一个和第三个", [0, 2]),
        ("除了3都有", [0, 1, 3, 4]),
        ("没有结婚证", [0, 1, 2, 4]),
        ("缺户口本", [0, 1, 3, 4]),
        ("委托书没有，其他都有了", [0, 1, 2, 3]),
        ("身份证和户口本", [1, 2]),
        ("出生证明有，结婚证没有", [0]),
    ],
)
def test_materials_the_person_has(said: str, has: list[int]) -> None:
    value = accepted(parse_value(slot("materials"), said, TODAY, MATERIALS))
    assert json.loads(value.value) == has


def test_materials_read_back_names_them_briefly() -> None:
    value = accepted(parse_value(slot("materials"), "身份证和户口本", TODAY, MATERIALS))
    assert "父母双方居民身份证" in value.display and "（" not in value.display
    assert accepted(parse_value(slot("materials"), "都有了", TODAY, MATERIALS)).display == "都准备好了"


def test_a_material_number_past_the_end_is_refused() -> None:
    assert "5" in refused(parse_value(slot("materials"), "6", TODAY, MATERIALS))


@pytest.mark.parametrize("said", ["要带什么材料？", "嗯"])
def test_no_materials_answer_is_none(said: str) -> None:
    assert parse_value(slot("materials"), said, TODAY, MATERIALS) is None
