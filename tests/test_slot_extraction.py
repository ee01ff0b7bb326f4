"""Several values from one message, placed by the cue words of their clause, on real guides."""

from __future__ import annotations

from datetime import date

import pytest

from intents.slot_extraction import Extraction, extract, referenced_slot
from knowledge.base import KnowledgeBase, load_knowledge_base
from knowledge.models import Service
from settings import REPO_ROOT

TODAY = date(2026, 11, 23)
MOTHER_ID = "110101199205061228"
FATHER_ID = "110101199003074514"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base(REPO_ROOT / "knowledge")


@pytest.fixture(scope="module")
def sscard(kb: KnowledgeBase) -> Service:
    return kb.services["sscard-apply"]


@pytest.fixture(scope="module")
def birth(kb: KnowledgeBase) -> Service:
    return kb.services["birth-hukou"]


def values(result: Extraction) -> dict[str, str]:
    return {name: value.value for name, value in result.values.items()}


@pytest.mark.parametrize(
    "said",
    [
        "我叫张三，身份证110101199003074514，电话13800138000",
        "我叫张三身份证110101199003074514电话13800138000",
        "我叫张三 身份证号码是 110101 19900307 4514 手机 138 0013 8000",
    ],
)
def test_name_id_and_phone_in_one_message(sscard: Service, said: str) -> None:
    result = extract(sscard.slots, "applicant_name", said, TODAY)
    assert values(result) == {"applicant_name": "张三", "applicant_id_number": FATHER_ID, "phone": "13800138000"}
    assert result.errors == {}


def test_parents_ids_go_where_their_cue_points(birth: Service) -> None:
    said = f"妈妈的身份证号码是{MOTHER_ID}，爸爸的是{FATHER_ID}"
    result = extract(birth.slots, "mother_id_number", said, TODAY)
    assert values(result) == {"mother_id_number": MOTHER_ID, "father_id_number": FATHER_ID}


def test_a_cue_beats_the_question_asked(birth: Service) -> None:
    result = extract(birth.slots, "mother_id_number", f"这是孩子爸爸的：{FATHER_ID}", TODAY)
    assert values(result) == {"father_id_number": FATHER_ID}


@pytest.mark.parametrize("asked", ["mother_id_number", "father_id_number"])
def test_without_a_cue_an_id_answers_the_question_asked(birth: Service, asked: str) -> None:
    assert values(extract(birth.slots, asked, MOTHER_ID, TODAY)) == {asked: MOTHER_ID}


def test_without_a_cue_two_unasked_id_slots_take_nothing(birth: Service) -> None:
    assert values(extract(birth.slots, "baby_name", f"李小宝，{MOTHER_ID}", TODAY)) == {"baby_name": "李小宝"}


def test_names_by_who_they_belong_to(birth: Service) -> None:
    result = extract(birth.slots, "baby_name", "李小宝，妈妈叫王芳，爸爸叫李强", TODAY)
    assert values(result) == {"baby_name": "李小宝", "mother_name": "王芳", "father_name": "李强"}


def test_a_name_and_an_id_in_one_clause_are_both_kept(birth: Service) -> None:
    result = extract(birth.slots, "mother_name", f"妈妈叫王芳身份证{MOTHER_ID}", TODAY)
    assert values(result) == {"mother_name": "王芳", "mother_id_number": MOTHER_ID}


def test_a_calendar_date_fills_the_only_date_slot_but_a_relative_one_is_left(birth: Service) -> None:
    result = extract(birth.slots, "baby_name", "孩子叫李小宝，2024年5月1日出生的", TODAY)
    assert values(result) == {"baby_name": "李小宝", "baby_birth_date": "2024-05-01"}
    result = extract(birth.slots, "baby_name", "我明天去办，孩子叫李小宝", TODAY)
    assert values(result) == {"baby_name": "李小宝"}


def test_a_choice_not_asked_needs_its_label(birth: Service) -> None:
    assert "baby_gender" not in extract(birth.slots, "baby_name", "李小宝，男孩", TODAY).values
    result = extract(birth.slots, "baby_name", "李小宝，性别是男", TODAY)
    assert values(result) == {"baby_name": "李小宝", "baby_gender": "male"}


def test_an_address_not_asked_needs_an_address_word(sscard: Service) -> None:
    result = extract(sscard.slots, "pickup_method", "邮寄，地址是广东省广州市越秀区东风中路305号", TODAY)
    assert values(result) == {"pickup_method": "mail", "address": "广东省广州市越秀区东风中路305号"}


def test_the_asked_slot_gets_what_is_left(sscard: Service) -> None:
    result = extract(sscard.slots, "pickup_method", "电话13800138000，邮寄吧", TODAY)
    assert values(result) == {"phone": "13800138000", "pickup_method": "mail"}


def test_a_wrong_value_for_the_asked_slot_is_an_error(sscard: Service) -> None:
    result = extract(sscard.slots, "applicant_id_number", "110101199003074515", TODAY)
    assert result.values == {}
    assert "校验" in result.errors["applicant_id_number"].message


def test_a_wrong_value_with_a_cue_is_an_error_for_that_slot(sscard: Service) -> None:
    result = extract(sscard.slots, "applicant_name", "张三，电话1380013800", TODAY)
    assert values(result) == {"applicant_name": "张三"}
    assert set(result.errors) == set()  # ten digits have no phone shape: the asked name is not hurt
    result = extract(sscard.slots, "applicant_name", "张三，身份证110101199003074515", TODAY)
    assert values(result) == {"applicant_name": "张三"}
    assert "校验" in result.errors["applicant_id_number"].message


def test_a_filled_slot_is_corrected_only_when_named(sscard: Service) -> None:
    result = extract(sscard.slots, "address", "电话说错了，是13900139000", TODAY, filled={"phone"})
    assert values(result) == {"phone": "13900139000"}
    result = extract(sscard.slots, "pickup_method", "13900139000", TODAY, filled={"phone"})
    assert result.values == {}


def test_one_span_is_never_given_to_two_slots(birth: Service) -> None:
    result = extract(birth.slots, "mother_id_number", MOTHER_ID, TODAY)
    assert list(result.values) == ["mother_id_number"]


def test_materials_answer_the_asked_question(birth: Service) -> None:
    result = extract(birth.slots, "materials_check", "没有结婚证", TODAY, materials=birth.materials)
    assert values(result) == {"materials_check": "[0, 1, 2, 4]"}


def test_a_question_gives_nothing(birth: Service) -> None:
    result = extract(birth.slots, "mother_id_number", "要带什么材料？", TODAY)
    assert result.values == {} and result.errors == {}


@pytest.mark.parametrize(
    ("said", "slot"),
    [
        ("电话说错了，是13900139000", "phone"),
        ("名字不对", "baby_name"),
        ("妈妈的身份证号错了", "mother_id_number"),
        ("孩子妈妈的名字写错了", "mother_name"),
        ("爸爸的名字不对", "father_name"),
        ("出生日期不对", "baby_birth_date"),
        ("落户地址错了", "hukou_address"),
        ("性别弄错了", "baby_gender"),
        ("你好", None),
    ],
)
def test_referenced_slot(birth: Service, said: str, slot: str | None) -> None:
    assert referenced_slot(birth.slots, said) == slot
