"""Normalisation: what reaches routing is plain simplified Mandarin, and correct text stays as it is."""

from __future__ import annotations

import opencc
import pytest

from intents.normalise import Normaliser, load_normaliser_data


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
        # misspellings that are not homophones (homophone slips: tests/test_homophones.py)
        ("我的身分证丢了", "我的身份证丢了"),
        ("户囗迁移", "户口迁移"),
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
        "统一保存",  # 一保 is not a slip for 医保 without homophone repair's checks
    ],
)
def test_correct_text_stays_as_it_is(normalise, unchanged):
    assert normalise(unchanged) == unchanged.lower()


@pytest.mark.parametrize(
    ("said", "normalised"),
    [
        # Vosk: words separated by spaces, numbers read out as words
        ("我 的 电话 是 幺 三 八 零 零 幺 三 八 零 零 零", "我的电话是13800138000"),
        ("二 零 二 四 年 三 月 五 号", "2024年3月5号"),
        ("一 九 八 零 年 出生", "1980年出生"),
        ("身份证号 幺 幺 零 幺 零 幺 一 九 八 零 零 一 零 一 幺 二 三 四", "身份证号110101198001011234"),
        ("零零后", "00后"),
        ("我 今年 八十 二 了", "我今年82了"),
        ("一千二百五十 块", "1250块"),
        ("十二个月", "12个月"),
        ("两年", "2年"),
    ],
)
def test_numbers_read_out_become_digits(normalise, said, normalised):
    assert normalise(said) == normalised


@pytest.mark.parametrize(
    "words",
    ["一件事", "一次办", "三个月", "十分", "一下", "统一", "万一", "一一对应", "第一次", "五险一金", "第三代社保卡",
     "一网通办", "三四天", "两三个人", "九九重阳", "零星报销", "星期三", "一张", "二手房"],
)
def test_numerals_that_are_words_stay_words(normalise, words):
    assert normalise(words) == words


@pytest.mark.parametrize(
    ("said", "normalised"),
    [
        # Cantonese, in simplified and traditional script
        ("唔该，我想申请张社保卡，要去边度办？", "请问,我想申请张社保卡,要去哪里办?"),
        ("我喺外地睇病自己俾咗钱，返嚟点报销？", "我在外地看病自己给了钱,回来怎么报销?"),
        ("我諗搞一張社保咭", "我想搞一张社保卡"),
        ("BB出世紙去邊度攞", "婴儿出生证明去哪里领"),
        ("老細欠人工唔出", "老板欠工资不出"),
        # Southwest Mandarin
        ("我失业了，失业金啷个领嘛", "我失业了,失业金怎么领"),
        ("查哈公积金余额", "查一下公积金余额"),
        # Northeastern
        ("身份证丢了上哪整", "身份证丢了去哪办"),
        ("这嘎达能办不", "这里能办不"),
        # Wu
        ("阿拉社保卡寻勿着了，哪能补一张？", "我们社保卡找不到了,怎么补一张?"),
        ("身份证落脱了", "身份证丢掉了"),
        # Min
        ("阮的身份证拍毋见去，按怎补办？", "我的身份证丢了去,怎么补办?"),
        ("汝好，阮老爸过身矣", "你好,我父亲去世了"),
        # Hakka
        ("𠊎个社保卡仰般办", "我个社保卡怎么办"),
        ("换得无", "换得吗"),
    ],
)
def test_dialect_words_become_mandarin(normalise, said, normalised):
    assert normalise(said) == normalised


@pytest.mark.parametrize(
    "mandarin",
    [
        "重点办理",  # 点办 of Cantonese 点办 (how) cuts 重点
        "要点解读",
        "伊拉克",  # Wu 伊拉 (they)
        "阿拉伯",  # Wu 阿拉 (we)
        "需要得到批准",  # Southwest 要得 (OK)
        "复工步伐",  # Wu final 伐 (question)
        "社保在哪能查",  # Wu 哪能 (how)
        "宜家家居",
        "这会使得成本增加",
        "黄汝焜先生",  # Min 汝 (you) in a name
        "bbs论坛",  # Cantonese bb (baby) in a Latin word
        "整个流程要多久",
    ],
)
def test_dialect_words_do_not_fire_inside_mandarin(normalise, mandarin):
    assert normalise(mandarin) == mandarin


def test_every_dialect_entry_works_in_traditional_script_too(normalise):
    s2t = opencc.OpenCC("s2t")
    for word in load_normaliser_data().dialect:
        traditional = s2t.convert(word)
        assert normalise(f"我问{traditional}。") == normalise(f"我问{word}。"), word


@pytest.mark.parametrize("noise", ["", "   ", "\u200b\u200b", "\x00\x01", "。。。"])
def test_empty_and_noise_normalise_to_nothing_or_punctuation(normalise, noise):
    assert normalise(noise).strip("。") == ""
