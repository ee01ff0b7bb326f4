"""Common Mandarin, as jieba's dictionary knows it: which strings are words, and where they lie.

Dialect replacement and homophone repair both ask it not to cut an ordinary word in two. jieba runs
with its own Tokenizer instance, so words other code teaches jieba do not count as common Mandarin.
"""

from __future__ import annotations

import logging
from functools import lru_cache

import jieba

jieba.setLogLevel(logging.WARNING)


@lru_cache(maxsize=1)
def _tokenizer() -> jieba.Tokenizer:
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def frequency(word: str) -> int:
    return _tokenizer().FREQ.get(word, 0) or 0


def is_word(text: str) -> bool:
    """A dictionary word of two or more characters."""
    return len(text) >= 2 and frequency(text) > 0


def words(text: str) -> list[str]:
    return _tokenizer().lcut(text, HMM=False)


def word_spans(text: str) -> list[tuple[int, int]]:
    """Where the dictionary words of two or more characters lie in the text (start, end)."""
    spans, start = [], 0
    for token in words(text):
        if is_word(token):
            spans.append((start, start + len(token)))
        start += len(token)
    return spans


def cuts_a_word(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    """Whether [start, end) begins or ends inside a word of the text (a word inside it is whole)."""
    return any(s < end and e > start and (s < start or e > end) for s, e in spans)
