"""What a complaint or report is about, and who owns it (物业, 邻里, 噪声, 油烟, 商家, 欠薪, 路灯…).

Pure functions of normalised text and of intents/data/complaints.yaml. A matter is found by the words
that name it; a matter denied in the same clause ("不是欠薪，…") is not what the message is about. When
two matters are named equally strongly, none is chosen: the form's own question decides.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

DATA_FILE = Path(__file__).resolve().parent / "data" / "complaints.yaml"

STRONG, WEAK = 2, 1  # what a word that names a matter counts, against one that only leans towards it
_CLAUSE_BREAK = re.compile(r"[，。！？,.!?；;：:\s]")


@dataclass(frozen=True)
class ComplaintMatter:
    key: str
    label: str  # what the person is offered to tap (a chip)
    service_id: str  # the guide it is filed through
    issue_type: str | None  # the value of the guide's `issue_type` choice to prefill, if it has one
    dept: str  # the department a work order is suggested for at 受理
    order_type: str  # a WorkOrderType value: complaint, report, help, suggestion, consult


@dataclass(frozen=True)
class _Word:
    text: str
    matter: int  # index into matters
    weight: int


@dataclass(frozen=True)
class _Vocabulary:
    matters: tuple[ComplaintMatter, ...]
    words: dict[str, tuple[_Word, ...]]  # one word may lean towards several matters (噪音)
    pattern: re.Pattern[str]  # every word, longest first
    cues: re.Pattern[str]  # negation, contrast and question words, longest first
    denials: frozenset[str]
    contrasts: frozenset[str]
    denied_after: re.Pattern[str]
    bare: re.Pattern[str]
    asks: re.Pattern[str]


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@lru_cache(maxsize=1)
def _vocabulary() -> _Vocabulary:
    raw = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))
    matters: list[ComplaintMatter] = []
    words: dict[str, list[_Word]] = {}
    for index, item in enumerate(raw["matters"]):
        matter = ComplaintMatter(
            key=item["key"], label=item["label"], service_id=item["service"], issue_type=item.get("issue_type"),
            dept=item["dept"], order_type=item["order_type"])
        matters.append(matter)
        # The label names its matter too: a tapped chip comes back as its label.
        strong = {matter.label, *re.split(r"[、，,]", matter.label), *item["words"]}
        for text, weight in [*((w, STRONG) for w in strong), *((w, WEAK) for w in item.get("weak") or [])]:
            text = str(text).strip().lower()
            if len(text) >= 1 and not any(w.matter == index for w in words.get(text, [])):
                words.setdefault(text, []).append(_Word(text, index, weight))
    negation, bare = raw["negation"], raw["bare"]
    return _Vocabulary(
        matters=tuple(matters),
        words={k: tuple(v) for k, v in words.items()},
        pattern=re.compile(_alternation(words)),
        cues=re.compile(_alternation([*negation["before"], *negation["contrast"], *negation["question"]])),
        denials=frozenset(negation["before"]),
        contrasts=frozenset(negation["contrast"]),
        denied_after=re.compile(rf"^[^，。！？,.!?；;]{{0,4}}(?:{_alternation(negation['after'])})"),
        bare=re.compile(rf"(?:{_alternation([*bare['asks'], *bare['empty']])}|[\s，。！？,.!?~、；;…])+"),
        asks=re.compile(_alternation(bare["asks"])),
    )


def matters() -> list[ComplaintMatter]:
    """Every matter, in the order they are offered."""
    return list(_vocabulary().matters)


def matter_of(service_id: str, issue_type: str | None) -> ComplaintMatter | None:
    """The matter a filed report is about: its guide and the `issue_type` chosen (None: the guide has
    no such question, as 欠薪投诉). None where the choice names no matter (其他)."""
    return next((m for m in _vocabulary().matters if m.service_id == service_id and m.issue_type == issue_type), None)


def _clause_start(text: str, position: int) -> int:
    breaks = [m.end() for m in _CLAUSE_BREAK.finditer(text, 0, position)]
    return breaks[-1] if breaks else 0


def _denied(vocab: _Vocabulary, text: str, start: int, end: int) -> bool:
    """不是欠薪 / 跟欠薪没关系: denied in its own clause, with no 而是 between the denial and the word."""
    last = None
    for cue in vocab.cues.finditer(text, _clause_start(text, start), start):
        last = cue.group(0)
    if last in vocab.denials:
        return True
    return bool(vocab.denied_after.match(text[end:]))


def _scores(normalised_text: str) -> dict[int, int]:
    vocab = _vocabulary()
    text = normalised_text.lower()
    found = [(m.start(), m.end()) for m in vocab.pattern.finditer(text)]
    scores: dict[int, int] = {}
    for start, end in found:
        if _denied(vocab, text, start, end):
            continue
        for word in vocab.words[text[start:end]]:
            scores[word.matter] = scores.get(word.matter, 0) + word.weight
    return scores


def find_matter(normalised_text: str) -> ComplaintMatter | None:
    """The one matter the text is about; None where it names none, or two equally strongly."""
    scores = _scores(normalised_text)
    if not scores:
        return None
    best = max(scores.values())
    top = [index for index, score in scores.items() if score == best]
    return _vocabulary().matters[top[0]] if len(top) == 1 else None


def is_bare_complaint(normalised_text: str) -> bool:
    """投诉 / 我要举报 / 我要反映个事情: a wish to complain or report that says nothing of what about."""
    vocab = _vocabulary()
    text = normalised_text.lower().strip()
    return bool(text) and vocab.asks.search(text) is not None and vocab.bare.fullmatch(text) is not None
