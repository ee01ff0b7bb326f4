"""Normalisation: what reaches routing is plain simplified Mandarin, and correct text stays as it is."""

from __future__ import annotations

import pytest

from intents.normalise import Normaliser


@pytest.fixture(scope="module")
def normalise() -> Normaliser:
    return Normaliser()


@pytest.mark.parametrize(
    ("said", "normalised"),
    [
        # traditional script → simplified
        ("申領社會保障卡需要什麼材料", "申领社会保障卡需要什么材料"),
        ("護照過期了點辦", "护照过期了怎么办"),
        # full-width → half-width
        ("ＡＢＣ１２３", "abc123"),
        # ASR spacing between characters, and digits read one by one
        ("社 保 卡 丢 了", "社保卡丢了"),
        ("电话幺三八零零幺三八零零零", "电话13800138000"),
        ("138 0013 8000", "13800138000"),
        # fillers and trailing particles
        ("嗯，那个，就是说我想办社保卡啊", "我想办社保卡"),
        # numerals that are numbers
        ("我今年八十岁了", "我今年80岁了"),
        ("二零二四年三月五日", "2024年3月5日"),
        # dialect words (Cantonese, Southwest, Northeastern, Wu)
        ("點樣攞身份證", "怎么领身份证"),
        ("社保卡冇咗点算", "社保卡丢了怎么办"),
        ("办低保要啥子材料", "办低保要什么材料"),
        ("咋个办护照", "怎么办护照"),
        ("俺的驾照咋整", "我的驾照怎么办"),
        ("阿拉想办张社保卡哪能办", "我们想办张社保卡怎么办"),
        ("这张证能办伐", "这张证能办吗"),
        # frequent misspellings
        ("我的设保卡丢了", "我的社保卡丢了"),
        ("公鸡金怎么取", "公积金怎么取"),
    ],
)
def test_what_people_say_becomes_plain_mandarin(normalise, said, normalised):
    assert normalise(said) == normalised


@pytest.mark.parametrize(
    "unchanged",
    [
        "社保卡丢了怎么办",
        "一件事一次办",  # 一 as a word, not a number
        "帮我查一下",
        "十分感谢",
        "哪个窗口办理",  # 那个 is a filler, 哪个 is not
        "我想转人工",
        "整个流程要多久",
        "VIP 窗口在哪",
        "公积金提取",
    ],
)
def test_correct_text_stays_as_it_is(normalise, unchanged):
    assert normalise(unchanged) == unchanged.lower()


@pytest.mark.parametrize("noise", ["", "   ", "\u200b\u200b", "\x00\x01", "。。。"])
def test_empty_and_noise_normalise_to_nothing_or_punctuation(normalise, noise):
    assert normalise(noise).strip("。") == ""
