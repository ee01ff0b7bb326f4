"""Word lists, messages and text clean-up shared by the slot value readers.

Everything a person reads, and every word list, lives in intents/data/slot_values.yaml; this module
only loads it and offers the small text operations all value types need.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from knowledge.models import SlotType

DATA_FILE = Path(__file__).resolve().parent / "data" / "slot_values.yaml"
COMMAND_WORDS_FILE = Path(__file__).resolve().parent / "data" / "command_words.yaml"

_CONTROL = re.compile(r"[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\ufeff]")
_DIGIT_WORDS = str.maketrans("零〇一二三四五六七八九幺", "001234567891")
# Digits read one by one (幺三八…): a run of three or more, or any run touching written digits.
_SPOKEN = "[零〇一二三四五六七八九幺]"
_SPOKEN_DIGITS = re.compile(rf"(?<=\d){_SPOKEN}+|{_SPOKEN}+(?=\d)|{_SPOKEN}{{3,}}")
# A clause ends at punctuation, or at a space that is not inside a number ("138 0013 8000").
_CLAUSE_BREAK = re.compile(r"[，,。；;！!？?、\n]+|(?<!\d)\s+|\s+(?!\d)")


@dataclass(frozen=True)
class Value:
    """An accepted answer: the canonical form stored, and how to read it back to the person."""

    value: str
    display: str


@dataclass(frozen=True)
class Invalid:
    """An answer that was understood as one but is wrong: one plain sentence saying what is wrong."""

    message: str


@dataclass(frozen=True)
class SlotWords:
    messages: dict[str, dict[str, str]]
    display: dict[str, str]
    question_markers: tuple[str, ...]
    # Words holding a marker that ask nothing: 好几天 says how long, 几十个 how many.
    not_questions: tuple[str, ...]
    # A closing clause that only vouches for the answer before it ("就这个", "没错").
    afterthoughts: frozenset[str]
    fillers: tuple[str, ...]
    trailing_particles: str
    yes_no: dict[str, tuple[str, ...]]
    ordinal_cues: tuple[str, ...]
    number_noise: tuple[str, ...]
    person_name: dict[str, Any]
    address_cues: tuple[str, ...]
    materials: dict[str, Any]
    subject_groups: tuple[tuple[str, ...], ...]
    type_cues: dict[SlotType, tuple[str, ...]]
    value_kinds: dict[str, str]
    example_lead: str

    def say(self, topic: str, key: str, **fields: object) -> str:
        return self.messages[topic][key].format(**fields)


@lru_cache(maxsize=1)
def slot_words(path: Path = DATA_FILE) -> SlotWords:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return SlotWords(
        messages=data["messages"],
        display={str(k): str(v) for k, v in data["display"].items()},
        question_markers=tuple(data["question_markers"]),
        not_questions=tuple(data["not_questions"]),
        afterthoughts=frozenset(data["afterthoughts"]),
        fillers=tuple(longest_first(data["fillers"])),
        trailing_particles="".join(data["trailing_particles"]),
        yes_no={k: tuple(str(w).lower() for w in v) for k, v in data["yes_no"].items()},
        ordinal_cues=tuple(data["ordinal_cues"]),
        number_noise=tuple(longest_first(data["number_noise"])),
        person_name=data["person_name"],
        address_cues=tuple(longest_first(data["address_cues"])),
        materials=data["materials"],
        subject_groups=tuple(tuple(g) for g in data["subject_groups"]),
        type_cues={SlotType(k): tuple(v) for k, v in data["type_cues"].items()},
        value_kinds={str(k): str(v) for k, v in data["value_kinds"].items()},
        example_lead=str(data["example_lead"]),
    )


@dataclass(frozen=True)
class CommandWords:
    """Words that steer the dialogue (跳过, 转人工, 不知道): never a value for any slot."""

    words: frozenset[str]
    lead_in: re.Pattern[str]  # one lead-in word at the start: 那就, 我, 先…


@lru_cache(maxsize=1)
def command_words(path: Path = COMMAND_WORDS_FILE) -> CommandWords:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    words = frozenset(str(w).lower() for group in data["words"].values() for w in group)
    return CommandWords(words=words, lead_in=re.compile(rf"^(?:{alternation(data['lead_ins'])})"))


def is_command_word(text: str) -> bool:
    """Whether the whole answer is a command word, with lead-ins, particles and repeats around it:
    "那就跳过吧", "我也不知道", "跳过跳过"."""
    commands = command_words()
    core = strip_fillers(prepare(text)).lower()
    previous = None
    while core != previous and core not in commands.words:
        previous = core
        core = strip_fillers(commands.lead_in.sub("", core))
    if core in commands.words:
        return True
    repeated = re.fullmatch(r"(.+?)(?:[\s，,]*\1)+", core)
    return repeated is not None and repeated.group(1) in commands.words


def longest_first(words: Iterable[str]) -> list[str]:
    return sorted(set(words), key=len, reverse=True)


def alternation(words: Iterable[str]) -> str:
    """A regex alternative of the words, longest first, so 孩子妈妈 wins over 孩子."""
    return "|".join(re.escape(w) for w in longest_first(words))


def prepare(text: str) -> str:
    """Width, control characters, outer spaces and digits read one by one; nothing else changes."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\s+", " ", _CONTROL.sub("", text)).strip()
    return _SPOKEN_DIGITS.sub(lambda m: m.group(0).translate(_DIGIT_WORDS), text)


def clauses(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-empty clause of the text."""
    spans, start = [], 0
    for brk in _CLAUSE_BREAK.finditer(text):
        if brk.start() > start:
            spans.append((start, brk.start()))
        start = brk.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def is_question(text: str) -> bool:
    words = slot_words()
    if text.rstrip().endswith(("?", "？")):
        return True
    for phrase in words.not_questions:
        text = text.replace(phrase, "")
    return any(m in text for m in words.question_markers)


def strip_fillers(text: str, particles: bool = True) -> str:
    """Drop hesitations at the start of the answer, and punctuation (and particles) at its end."""
    words = slot_words()
    fillers = alternation(words.fillers)
    text = re.sub(rf"^(?:(?:{fillers})[\s，,。.、!！]*)+", "", text.strip())
    ending = re.escape(words.trailing_particles) if particles else ""
    return re.sub(rf"[{ending}\s，,。.!！~]+$", "", text)
