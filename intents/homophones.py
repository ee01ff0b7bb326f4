"""Homophone repair: spans that sound like a knowledge-base term but are written wrong (设保卡, 公鸡金).

Pinyin input methods and speech recognisers both get the sound right and the characters wrong. A
span of the text is replaced by a term of the vocabulary when all of these hold:

- its toneless pinyin equals the term's (recognisers often miss tones: 句住证 for 居住证); for two
  characters the tones must agree too, since two toneless syllables collide far too often;
- it shares at least one character with the term (a slip changes some characters, not all);
- it is not itself a term or a word of jieba's dictionary (待办 is a word, not a slip for 代办);
- it does not cut through a dictionary word of the sentence (统一保存 keeps its 一保);
- it does not already read as words: terms and dictionary words end to end (工伤登记 is 工伤 + 登记,
  not a slip for 工商登记; 生育金贴 leaves 贴 alone, so it is one for 生育津贴);
- no changed character is a function word or a province's one-character name (预约吗 is a question,
  not 预约码; 入沪 is not 入户), or part of a frequent word (地保护 is not 低保户); a rare word may be
  the slip itself (公鸡 in 公鸡金).

The vocabulary is passed in (from the knowledge base: names, aliases, keywords, and the words most of
them share), so repair is a pure function of the text and that vocabulary; jieba's dictionary, read
once, stands for common Mandarin.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache

from pypinyin import Style, lazy_pinyin

from intents import mandarin
from knowledge.base import KnowledgeBase
from knowledge.models import Bundle, Service

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
MIN_LENGTH, MAX_LENGTH = 2, 8
# A word of several knowledge-base terms is a domain word (医保, 公积金) unless it is everyday
# Mandarin (一件, 企业), which would attract repairs of ordinary text.
DOMAIN_WORD_TERMS, EVERYDAY_FREQ = 3, 5000
# From this jieba frequency a word inside a span is too common to be the slip (保护 in 地保护).
FREQUENT_WORD = 1000
# Characters never taken for a slip: grammar (预约吗 is a question, not 预约码), and the one-character
# names of provinces (入沪 is entering Shanghai, not 入户).
NEVER_SLIPS = frozenset("的了吗呢吧啊呀嘛么是在和与及或地得着过就都也还又等被把给让向对从沪京津渝冀晋皖闽赣鲁豫鄂湘粤桂琼陕")


@lru_cache(maxsize=65536)
def _sounds(text: str, style: Style) -> frozenset[tuple[str, ...]]:
    """Pinyin of a Han text, one syllable a character: read in context, and character by character."""
    context = tuple(lazy_pinyin(text, style=style))
    alone = tuple(lazy_pinyin(ch, style=style)[0] for ch in text)
    return frozenset({alone, context} if len(context) == len(text) else {alone})


def kb_vocabulary(kb: KnowledgeBase) -> list[str]:
    """Names, aliases and keywords of services and bundles, and the domain words they share."""
    terms: set[str] = set()
    guides: list[Service | Bundle] = [*kb.services.values(), *kb.bundles.values()]
    for item in guides:
        terms |= {item.name, *item.aliases, *getattr(item, "keywords", [])}
    shared = Counter(w for t in terms for w in set(mandarin.words(t)))
    domain = {w for w, n in shared.items() if n >= DOMAIN_WORD_TERMS and mandarin.frequency(w) < EVERYDAY_FREQ}
    return sorted(w for w in terms | domain if MIN_LENGTH <= len(w) <= MAX_LENGTH and _HAN.fullmatch(w))


@dataclass(frozen=True)
class HomophoneRepair:
    """Callable on a text; built once from a vocabulary (from_kb) and shared by every message."""

    vocabulary: frozenset[str]
    by_sound: dict[tuple[str, ...], tuple[str, ...]]  # toneless pinyin → the terms that sound so
    lengths: tuple[int, ...]  # term lengths, longest first

    @classmethod
    def from_terms(cls, terms: Iterable[str]) -> HomophoneRepair:
        vocabulary = frozenset(t for t in terms if MIN_LENGTH <= len(t) <= MAX_LENGTH and _HAN.fullmatch(t))
        by_sound: dict[tuple[str, ...], set[str]] = defaultdict(set)
        for term in vocabulary:
            for sound in _sounds(term, Style.NORMAL):
                by_sound[sound].add(term)
        lengths = tuple(sorted({len(t) for t in vocabulary}, reverse=True))
        return cls(vocabulary, {k: tuple(sorted(v)) for k, v in by_sound.items()}, lengths)

    @classmethod
    def from_kb(cls, kb: KnowledgeBase) -> HomophoneRepair:
        return cls.from_terms(kb_vocabulary(kb))

    def __call__(self, text: str) -> str:
        return _HAN.sub(lambda m: self._repair_run(m.group(0)), text) if self.vocabulary else text

    def _repair_run(self, text: str) -> str:
        sound = lazy_pinyin(text, style=Style.NORMAL) if len(text) >= MIN_LENGTH else []
        if len(sound) != len(text):  # too short, or characters pypinyin cannot read
            return text
        run = _Run(text, sound, mandarin.word_spans(text))
        out: list[str] = []
        i = 0
        while i < len(text):
            step, piece = self._at(run, i)
            out.append(piece)
            i += step
        return "".join(out)

    def _at(self, run: _Run, i: int) -> tuple[int, str]:
        """The longest term or repair starting at i, or the character at i as it is."""
        for length in self.lengths:
            span = run.text[i : i + length]
            if len(span) < length:
                continue
            if span in self.vocabulary:
                return length, span
            term = self._closest(span, tuple(run.sound[i : i + length]))
            if term and self._is_slip(run, i, span, term):
                return length, term
        return 1, run.text[i]

    def _closest(self, span: str, sound: tuple[str, ...]) -> str | None:
        """The term that sounds like the span and shares most characters with it, if only one does."""
        shared = {t: sum(a == b for a, b in zip(span, t)) for t in self.by_sound.get(sound, ())}
        if len(span) == 2 and shared:
            tones = _sounds(span, Style.TONE3)
            shared = {t: n for t, n in shared.items() if tones & _sounds(t, Style.TONE3)}
        best = max(shared.values(), default=0)
        winners = [t for t, n in shared.items() if n == best]
        return winners[0] if best and len(winners) == 1 else None

    def _is_slip(self, run: _Run, start: int, span: str, term: str) -> bool:
        if mandarin.cuts_a_word(start, start + len(span), run.words) or self._reads_as_words(span):
            return False
        changed = [start + k for k, (wrong, right) in enumerate(zip(span, term)) if wrong != right]
        return not any(run.text[i] in NEVER_SLIPS or i in run.in_frequent_word for i in changed)

    def _reads_as_words(self, span: str) -> bool:
        """Whether the span splits wholly into terms and words of two or more characters (工伤 + 登记)."""
        ends = {0}  # where a split into words can end so far
        for end in range(2, len(span) + 1):
            if any(end - start >= 2 and (span[start:end] in self.vocabulary or mandarin.is_word(span[start:end]))
                   for start in ends):
                ends.add(end)
        return len(span) in ends


@dataclass
class _Run:
    """A run of Han characters being repaired: its syllables and its dictionary words."""

    text: str
    sound: list[str]
    words: list[tuple[int, int]]

    @cached_property
    def in_frequent_word(self) -> set[int]:
        return {i for s, e in self.words if mandarin.frequency(self.text[s:e]) >= FREQUENT_WORD for i in range(s, e)}
