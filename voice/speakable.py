"""A reply as it should be heard: what reads well on a screen often reads badly aloud.

Symbols, bullets, brackets and web addresses are dropped; masked values are said for what they are
("张某", "尾号四五幺四的身份证号"); phone, ID and tracking numbers are read digit by digit while
dates and amounts stay numbers; a long reply is cut to its first sentences and its question. The
wording lives in voice/data/speech.yaml.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

SPEECH_FILE = Path(__file__).resolve().parent / "data" / "speech.yaml"

_CJK = "\u3400-\u4dbf\u4e00-\u9fff"
_URL = re.compile(
    r"(?:https?://|www\.)[A-Za-z0-9\-._~:/?#@!$&*+,;=%]+"
    r"|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:gov|com|org|net|edu|cn)(?:\.cn)?(?:/[A-Za-z0-9\-._~/?#=&%]*)?"
)
_ASIDE = re.compile(r"[（(]([^（）()]*)[）)]")
_MASKED_ID = re.compile(r"\d{6}\*{4,}(\d{3}[\dXx])")
_MASKED_PHONE = re.compile(r"(?:\+?86)?1\d{2}\*{4}(\d{4})")
_MASKED_TAIL = re.compile(r"\*{3,}(\d{4})")
# A masked name shows one character (its surname) after a label or a space: "姓名：张*". Stars
# after longer text are a masked address ("广州市越秀区****"): the stars are simply not read.
_MASKED_NAME = re.compile(rf"(?<![{_CJK}])([{_CJK}])\*+")
_TRACKING = re.compile(r"(?<![A-Za-z0-9])([A-Z]{1,4})(\d{6,}(?:-\d+)*)(?![A-Za-z0-9])")
_ID = re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])")
_LANDLINE = re.compile(r"(?<![\d-])(0\d{2,3})-(\d{7,8})(?![\d-])")
_DATE = re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_TIME = re.compile(r"(?<![\d:])([01]?\d|2[0-3])[:：]([0-5]\d)(?![\d:])")
_RANGE = re.compile(r"(?<=[\d点分日月])\s*[-~～—–至]\s*(?=\d)")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*[%％]")
_MONEY = re.compile(r"[¥￥]\s*(\d+(?:\.\d+)?)")
_WHOLE_AMOUNT = re.compile(r"(\d)\.00(?=元)")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3})")
_LIST_MARK = re.compile(r"^\s*(?:[·•●▪■◆\-*]+|(\d+)[.．)）、]|[(（](\d+)[)）])\s*")
_SYMBOLS = re.compile(r"[“”‘’\"'「」『』《》〈〉【】\[\]{}<>#*_|~^`=+→←↑↓►▶•·●■◆★☆✓✔✗✘]")
_EMOJI = re.compile("[\U0001f000-\U0001faff\u2600-\u27bf\ufe0f]")
_ASCII_PUNCT = {",": "，", "?": "？", "!": "！", ";": "；", ":": "：", "…": "，"}
_SENTENCE_END = "。！？"
_SENTENCE = re.compile(rf"[^{_SENTENCE_END}]*[{_SENTENCE_END}]+|[^{_SENTENCE_END}]+$")


@dataclass(frozen=True)
class SpeechData:
    digits: dict[str, str]
    masked: dict[str, str]
    labels: dict[str, tuple[str, ...]]
    formats: dict[str, str]
    spell_from: int
    units: tuple[str, ...]
    drop_asides: tuple[str, ...]
    question_cues: tuple[str, ...]
    max_chars: int
    more_on_screen: str

    @classmethod
    def load(cls, path: Path = SPEECH_FILE) -> SpeechData:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cls(
            digits={str(k): str(v) for k, v in raw["digits"].items()},
            masked=dict(raw["masked"]),
            labels={k: tuple(v) for k, v in raw["labels"].items()},
            formats={k: raw[k] for k in ("date", "hour", "hour_minute", "range", "percent", "money")},
            spell_from=int(raw["spell_from_digits"]),
            units=tuple(sorted(raw["units"], key=len, reverse=True)),
            drop_asides=tuple(raw["drop_asides"]),
            question_cues=tuple(raw["question_cues"]),
            max_chars=int(raw["max_chars"]),
            more_on_screen=raw["more_on_screen"],
        )


@lru_cache(maxsize=1)
def default_speech_data() -> SpeechData:
    return SpeechData.load()


def speech_form(reply: str, max_chars: int | None = None, data: SpeechData | None = None) -> str:
    """The reply made speakable; `max_chars` (default from speech.yaml) bounds a long reply."""
    data = data or default_speech_data()
    text = _URL.sub("", reply)
    text = _ASIDE.sub(lambda m: _aside(m.group(1), data), text)
    text = _read_masked(text, data)
    text = _read_numbers(text, data)
    lines = [_clean_line(line) for line in text.splitlines()]
    sentences = _SENTENCE.findall(_join_lines([line for line in lines if line]))
    return _shorten([s.strip() for s in sentences if s.strip()], max_chars or data.max_chars, data)


def spell_digits(digits: str, data: SpeechData | None = None) -> str:
    """Digits as said one by one: "4514" -> "四五幺四"."""
    names = (data or default_speech_data()).digits
    return "".join(names.get(c, c) for c in digits)


def _aside(inner: str, data: SpeechData) -> str:
    inner = inner.strip()
    if not inner or inner.startswith(data.drop_asides):
        return ""
    return f"，{inner}，"


def _labelled(text: str, start: int, kind: str, data: SpeechData) -> bool:
    before = text[max(0, start - 8) : start]
    return any(label in before for label in data.labels.get(kind, ()))


def _read_masked(text: str, data: SpeechData) -> str:
    def tail(kind: str) -> Callable[[re.Match[str]], str]:
        def read(m: re.Match[str]) -> str:
            digits = spell_digits(m.group(1), data)
            template = "tail" if kind == "tail" or _labelled(m.string, m.start(), kind, data) else kind
            return data.masked[template].format(digits=digits)

        return read

    text = _MASKED_ID.sub(tail("id_number"), text)
    text = _MASKED_PHONE.sub(tail("phone"), text)
    text = _MASKED_TAIL.sub(tail("tail"), text)
    text = _MASKED_NAME.sub(lambda m: data.masked["name"].format(surname=m.group(1)), text)
    return text.replace("*", "")


def _read_numbers(text: str, data: SpeechData) -> str:
    fmt = data.formats
    spell = lambda m: spell_digits(m.group(0), data)  # noqa: E731
    text = _TRACKING.sub(lambda m: _tracking(m.group(1), m.group(2), data), text)
    text = _ID.sub(spell, text)
    text = _LANDLINE.sub(lambda m: spell_digits(m.group(1), data) + "，" + spell_digits(m.group(2), data), text)
    text = _DATE.sub(lambda m: fmt["date"].format(year=m.group(1), month=int(m.group(2)), day=int(m.group(3))), text)
    text = _TIME.sub(lambda m: _time(int(m.group(1)), int(m.group(2)), data), text)
    text = _RANGE.sub(fmt["range"], text)
    text = _PERCENT.sub(lambda m: fmt["percent"].format(number=m.group(1)), text)
    text = _MONEY.sub(lambda m: fmt["money"].format(amount=m.group(1)), text)
    text = _WHOLE_AMOUNT.sub(r"\1", _THOUSANDS.sub("", text))
    units = "|".join(re.escape(u) for u in data.units)
    long_run = re.compile(rf"(?<![\d.])\d{{{data.spell_from},}}(?![\d.])(?!\s*(?:{units}))")
    return long_run.sub(spell, text)


def _tracking(letters: str, digits: str, data: SpeechData) -> str:
    # GA20261123-000123: letters one by one, then each digit group digit by digit, with a pause.
    return " ".join(letters) + "，" + "，".join(spell_digits(group, data) for group in digits.split("-"))


def _time(hour: int, minute: int, data: SpeechData) -> str:
    if minute == 0:
        return data.formats["hour"].format(hour=hour)
    return data.formats["hour_minute"].format(hour=hour, minute=minute)


def _clean_line(line: str) -> str:
    mark = _LIST_MARK.match(line)
    if mark:
        number = mark.group(1) or mark.group(2)
        line = (f"{number}、" if number else "") + line[mark.end() :]
    line = _EMOJI.sub("", _SYMBOLS.sub("", line))
    line = "".join(_ASCII_PUNCT.get(c, c) for c in line)
    line = re.sub(r"(?<!\d)\.|\.(?!\d)", "。", line)
    line = re.sub(rf"(?<=[{_CJK}，。！？、；：])\s+|\s+(?=[{_CJK}，。！？、；：])", "", line)
    line = re.sub(r"\s+", " ", line)
    line = re.sub(r"[，、；：]*([。！？])[，、；：。]*", r"\1", line)
    line = re.sub(r"([，、；：])[，、；：]+", r"\1", line)
    return line.strip(" ，、；")


def _join_lines(lines: list[str]) -> str:
    # A line ending in "：" introduces the next; any other line ends a sentence.
    joined = ""
    for line in lines:
        if joined and joined[-1] not in _SENTENCE_END + "：":
            joined += "。"
        joined += line
    if joined and joined[-1] not in _SENTENCE_END:
        joined = joined.rstrip("：，、；") + "。"
    return joined


def _is_question(sentence: str, data: SpeechData) -> bool:
    return sentence.endswith(("？", "?")) or any(cue in sentence for cue in data.question_cues)


def _shorten(sentences: list[str], max_chars: int, data: SpeechData) -> str:
    if sum(map(len, sentences)) <= max_chars:
        return "".join(sentences)
    # The first sentence says what this is about; the questions say what to do next.
    keep = {0} | {i for i, s in enumerate(sentences) if _is_question(s, data)}
    budget = max_chars - sum(len(sentences[i]) for i in keep)
    for i, sentence in enumerate(sentences):
        if i not in keep and len(sentence) <= budget:
            keep.add(i)
            budget -= len(sentence)
        elif i not in keep:
            break
    spoken: list[str] = []
    told = False
    for i, sentence in enumerate(sentences):
        if i in keep:
            spoken.append(sentence)
        elif not told:
            spoken.append(data.more_on_screen)
            told = True
    return "".join(spoken)
