"""Homophone repair: slips that sound like a knowledge-base term are repaired, correct text is not."""

from __future__ import annotations

import pytest

from intents.homophones import HomophoneRepair, kb_vocabulary
from intents.normalise import Normaliser


@pytest.fixture(scope="module")
def normalise(knowledge_base) -> Normaliser:
    return Normaliser(repair=HomophoneRepair.from_kb(knowledge_base))


@pytest.mark.parametrize(
    ("typed", "repaired"),
    [
        ("我的设保卡丢了", "我的社保卡丢了"),
        ("公鸡金怎么取", "公积金怎么取"),
        ("深份证到期换领", "身份证到期换领"),
        ("深 份 正 弄 丢 了", "身份证弄丢了"),  # Vosk spacing, and two characters wrong
        ("居民一保怎么参保", "居民医保怎么参保"),
        ("句住证办理条件", "居住证办理条件"),  # the tone is wrong too: jù for jū
        ("新生儿上户扣", "新生儿上户口"),
        ("生育金贴申请", "生育津贴申请"),
        ("失叶金申领", "失业金申领"),
        ("社宝缴费明细", "社保缴费明细"),
        ("无犯最证明", "无犯罪证明"),
    ],
)
def test_slips_that_sound_like_a_term_are_repaired(normalise, typed, repaired):
    assert normalise(typed) == repaired


@pytest.mark.parametrize(
    "correct",
    [
        "社保卡丢了怎么办",
        "统一保存",  # 一保 would cut 统一 and 保存
        "我想买一保险",  # 保 belongs to 保险
        "买一包烟",  # 一包 is a word, and shares no character with 医保
        "要预约吗",  # 吗 is grammar, not the 码 of 预约码
        "人员入沪需满足条件",  # 沪 is Shanghai, not the 户 of 入户
        "工伤登记",  # 伤 belongs to the term 工伤, so this is not 工商登记
        "更有效地保护老年人",  # 地保护 is not 低保户
        "我的待办事项",  # 待办 is a word
        "我生于1950年",
        "检疫站时快速通行",  # 疫站时 cuts 检疫站
        "还能办理婚姻登记吗",
    ],
)
def test_correct_text_is_left_alone(normalise, correct):
    assert normalise(correct) == correct


def test_vocabulary_holds_the_terms_and_the_domain_words_they_share(knowledge_base):
    vocabulary = set(kb_vocabulary(knowledge_base))
    assert {"社保卡", "居住证", "公积金", "医保", "身份证"} <= vocabulary
    assert not {"一件", "企业", "证明"} & vocabulary  # everyday words would attract repairs


def test_without_a_vocabulary_nothing_is_repaired():
    assert HomophoneRepair.from_terms([])("我的设保卡丢了") == "我的设保卡丢了"
