"""Replies read aloud: what speech_form makes of the assistant's replies, and espeak-ng's WAV."""

from __future__ import annotations

import re
import string
import subprocess

import pytest
import yaml

from assistant.common.messages import MESSAGES_FILE
from tests.voice_support import need_program
from voice.decode import decode_audio
from voice.speakable import default_speech_data
from voice.speech import VOICES, SpeechUnavailable, speech_form, synthesise

# (reply on the screen, what is said)
SPOKEN = [
    ("姓名：张*", "姓名：张某。"),
    ("申请人 欧**", "申请人欧某。"),
    ("身份证号：110101********4514", "身份证号：尾号四五幺四。"),
    ("已收到110101********451X。", "已收到尾号四五幺叉的身份证号。"),
    ("手机：138****8000", "手机：尾号八零零零。"),
    ("会发短信到138****8000。", "会发短信到尾号八零零零的手机号。"),
    ("银行账号：************7890", "银行账号：尾号七八九零。"),
    ("地址：广东省广州市越秀区****", "地址：广东省广州市越秀区。"),
    ("办件编号：GA20261123-000123。", "办件编号：G A，二零二六幺幺二三，零零零幺二三。"),
    ("比如“电话改成13900139000”。", "比如电话改成幺三九零零幺三九零零零。"),
    ("拨打12345咨询。", "拨打幺二三四五咨询。"),
    ("咨询电话：0755-12345678", "咨询电话：零七五五，幺二三四五六七八。"),
    ("预计2026年11月30日前办结。", "预计2026年11月30日前办结。"),
    ("从2026-01-05起施行。", "从2026年1月5日起施行。"),
    ("工本费¥20.00，补贴10000元，共1,500人。", "工本费20元，补贴10000元，共1500人。"),
    ("报销比例80%。", "报销比例百分之80。"),
    ("办理时间：9:00-17:30", "办理时间：9点到17点30分。"),
    ("1-3个工作日办结。", "1到3个工作日办结。"),
    ("网上：国家企业信用信息公示系统（www.gsxt.gov.cn）", "网上：国家企业信用信息公示系统。"),
    ("登录 https://www.gjzwfw.gov.cn/fuwu 办理。", "登录办理。"),
    ("免费办理。\n（来源：国家政务服务平台）", "免费办理。"),
    ("您的名字是？（不清楚可以说“跳过”）", "您的名字是？不清楚可以说跳过。"),
    ("请核对一下：\n· 姓名：张*\n· 性别：男", "请核对一下：姓名：张某。性别：男。"),
    ("您是想办下面哪一项？\n1. 补办社保卡\n2. 换领身份证", "您是想办下面哪一项？1、补办社保卡。2、换领身份证。"),
    ("**重要**：请带《居民户口簿》【原件】👍", "重要：请带居民户口簿原件。"),
]


@pytest.mark.parametrize(("screen", "spoken"), SPOKEN)
def test_speech_form(screen: str, spoken: str) -> None:
    assert speech_form(screen) == spoken


def _filled(template: str) -> str:
    fields = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    sample = {name: "补办社保卡" for name in fields}
    sample.update(number="GA20261123-000123", hotline="12345", online="https://www.gjzwfw.gov.cn", n="1")
    return template.format(**{name: sample[name] for name in fields})


ASSISTANT_MESSAGES = yaml.safe_load(MESSAGES_FILE.read_text(encoding="utf-8"))


@pytest.mark.parametrize("key", sorted(ASSISTANT_MESSAGES))
def test_no_reply_of_the_assistant_is_read_with_symbols_digits_runs_or_addresses(key: str) -> None:
    spoken = speech_form(_filled(str(ASSISTANT_MESSAGES[key])))

    assert not re.search(r"[*#·•“”\"'（）()【】《》<>{}/\\|~_=]|https?|www", spoken)
    assert not re.search(r"\d{5,}", spoken)  # long numbers are read digit by digit


LONG_LIST = (
    "办理“补办社保卡”要准备：\n1. 本人有效身份证件原件\n2. 近期一寸白底免冠彩色照片一张\n3. 原社保卡，如有\n"
    "4. 遗失声明或挂失证明\n5. 居民户口簿首页和本人页\n6. 代办时提供委托书\n7. 代办人的身份证件原件\n"
    "都有就说“都有了”，或者说序号，比如“1、2”。"
)


def test_a_long_reply_keeps_its_opening_and_its_question_and_points_to_the_screen() -> None:
    spoken = speech_form(LONG_LIST, max_chars=80)
    data = default_speech_data()

    assert spoken.startswith("办理补办社保卡要准备：1、本人有效身份证件原件。")
    assert spoken.endswith(data.more_on_screen + "都有就说都有了，或者说序号，比如1、2。")
    assert "7、代办人的身份证件原件" not in spoken


def test_a_long_answer_then_the_next_question_keeps_the_question() -> None:
    answer = "这项业务可以在网上办理，也可以到窗口办理。" * 8
    reply = f"{answer}\n\n我们接着办：请问您的手机号码是多少？"

    spoken = speech_form(reply, max_chars=100)

    assert spoken.endswith("我们接着办：请问您的手机号码是多少？")
    assert len(spoken) <= 100


def test_a_short_reply_is_read_in_full() -> None:
    reply = "好的，已取消“补办社保卡”。"

    assert speech_form(reply, max_chars=100) == "好的，已取消补办社保卡。"


def test_synthesis_produces_a_wav_that_decodes_to_speech_of_plausible_length() -> None:
    need_program("espeak-ng")

    wav = synthesise(speech_form("已提交！办件编号：GA20261123-000123。"))

    assert wav[:4] == b"RIFF" and wav[8:12] == b"WAVE"
    assert 2 < decode_audio(wav).seconds < 20


def test_cantonese_is_spoken_too() -> None:
    need_program("espeak-ng")

    assert decode_audio(synthesise("唔该，我想补领身份证", voice="yue")).seconds > 1


def test_the_mandarin_voice_reads_characters_in_mandarin() -> None:
    # espeak-ng 1.51's plain "cmn" voice says the tone numbers of many characters in English.
    espeak = need_program("espeak-ng")

    phonemes = subprocess.run(
        [espeak, "-q", "-x", "-v", VOICES["cmn"], "社保卡办好了"], capture_output=True, text=True, check=True
    ).stdout

    assert "(en)" not in phonemes


def test_without_espeak_speech_is_unavailable_with_a_chinese_message() -> None:
    with pytest.raises(SpeechUnavailable) as caught:
        synthesise("您好", program="espeak-ng-not-installed")

    assert caught.value.code == "speech_unavailable"
    assert "docs/voice.md" in caught.value.message


@pytest.mark.parametrize("voice", ["cmn; rm -rf /", "--help", ""])
def test_a_voice_name_cannot_carry_options(voice: str) -> None:
    with pytest.raises(ValueError):
        synthesise("您好", voice=voice)
