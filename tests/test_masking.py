"""What personal data looks like where others may see it: read-backs, screens, logs."""

from __future__ import annotations

import pytest

from assistant.privacy.masking import mask, mask_text
from knowledge.models import SlotType


@pytest.mark.parametrize(
    ("kind", "value", "shown"),
    [
        (SlotType.person_name, "张三", "张*"),
        (SlotType.person_name, "欧阳娜娜", "欧***"),
        (SlotType.id_number, "110101199003074514", "110101********4514"),
        (SlotType.id_number, "11010119850615123X", "110101********123X"),
        (SlotType.phone, "13800138000", "138****8000"),
        (SlotType.address, "广东省广州市越秀区东风中路305号", "广东省广州市越秀区****"),
        (SlotType.address, "北京市朝阳区建国路88号", "北京市朝阳区****"),
        (SlotType.address, "上海市浦东新区世纪大道100号", "上海市浦东新区****"),
        (SlotType.address, "广东省东莞市南城街道元美路1号", "广东省东莞市****"),
        (SlotType.text, "6222021234567890", "************7890"),
        (SlotType.text, "6222 0212 3456 7890", "************7890"),
        (SlotType.text, "22334455", "****4455"),
    ],
)
def test_personal_values_are_masked(kind: SlotType, value: str, shown: str) -> None:
    assert mask(kind, value) == shown


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        (SlotType.text, "广州市妇女儿童医疗中心"),
        (SlotType.text, "91440101MA59ABCD1X"),  # a company's code is public
        (SlotType.text, "1234567"),
        (SlotType.date, "2024年3月5日"),
        (SlotType.choice, "随母落户"),
        (SlotType.yes_no, "是"),
        (SlotType.number, "3"),
        (SlotType.money, "1500元"),
        (SlotType.materials, "都准备好了"),
    ],
)
def test_values_that_identify_no_one_are_unchanged(kind: SlotType, value: str) -> None:
    assert mask(kind, value) == value


def test_mask_text_masks_ids_mobiles_and_card_numbers_in_a_message() -> None:
    said = "我叫张三，身份证110101199003074514，电话13800138000，卡号6222021234567890123"
    assert mask_text(said) == "我叫张*，身份证110101********4514，电话138****8000，卡号***************0123"


def test_mask_text_handles_spaced_numbers_and_lower_case_x() -> None:
    assert mask_text("手机 138 0013 8000") == "手机 138****8000"
    assert mask_text("11010119850615123x") == "110101********123x"


@pytest.mark.parametrize("line", ["预约日期20240305，共3人", "办件编号 A2024-0001", "时间 10:30", "金额1500.00元"])
def test_mask_text_leaves_dates_and_short_numbers(line: str) -> None:
    assert mask_text(line) == line


@pytest.mark.parametrize(
    ("said", "shown"),
    [
        ("卡号6222-0212-3456-7894", "卡号************7894"),  # hyphen groups, Luhn check digit fits
        ("No6222021234567894", "No************7894"),  # letters touching the number
        ("尾号 6222 0212 3456 7894 的卡", "尾号 ************7894 的卡"),
    ],
)
def test_mask_text_masks_bank_card_numbers_however_they_are_written(said: str, shown: str) -> None:
    assert mask_text(said) == shown


@pytest.mark.parametrize("line", ["订单2024-0305-1234-5678", "编号 No2024030512345678"])  # Luhn does not fit
def test_mask_text_leaves_hyphenated_numbers_that_are_not_card_numbers(line: str) -> None:
    assert mask_text(line) == line


def test_a_bank_card_number_in_a_text_answer_is_masked_with_hyphens_too() -> None:
    assert mask(SlotType.text, "6222-0212-3456-7894") == "************7894"
