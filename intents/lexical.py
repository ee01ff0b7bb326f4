"""The lexical index: BM25 over jieba tokens, beside the dense one.

jieba runs with its own Tokenizer instance, taught the knowledge base's names and aliases, so
"社保卡" or "公积金" stays one token; no global jieba state is touched.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import bm25s
import jieba
import numpy as np

jieba.setLogLevel(logging.WARNING)

_KEEP = re.compile(r"[\w]", re.UNICODE)
STOPWORDS = frozenset("的 了 吗 呢 吧 啊 呀 我 你 他 她 我们 你们 是 在 有 和 与 要 想 请问 请 怎么 怎样 如何 什么 哪里 可以 能 一下 这个 那个 就 都 也 还 个".split())


class JiebaTokenizer:
    def __init__(self, user_words: Iterable[str] = ()) -> None:
        self._tok = jieba.Tokenizer()
        self._tok.initialize()
        self.user_words = sorted({w for w in user_words if 2 <= len(w) <= 12 and _KEEP.search(w)})
        for word in self.user_words:
            self._tok.add_word(word, freq=20000)

    def __call__(self, text: str) -> list[str]:
        tokens = [t.strip().lower() for t in self._tok.lcut_for_search(text)]
        return [t for t in tokens if t and _KEEP.search(t) and t not in STOPWORDS]


class LexicalIndex:
    """BM25 scores for every document of the index, by document position."""

    def __init__(self, tokenizer: JiebaTokenizer, bm25: bm25s.BM25) -> None:
        self.tokenizer = tokenizer
        self.bm25 = bm25

    @classmethod
    def build(cls, texts: Sequence[str], tokenizer: JiebaTokenizer) -> LexicalIndex:
        bm25 = bm25s.BM25()
        bm25.index([tokenizer(t) or ["∅"] for t in texts], show_progress=False)
        return cls(tokenizer, bm25)

    def scores(self, text: str) -> np.ndarray:
        tokens = [t for t in self.tokenizer(text) if t in self.bm25.vocab_dict]
        if not tokens:
            return np.zeros(self.bm25.scores["num_docs"], dtype=np.float32)
        return self.bm25.get_scores(tokens).astype(np.float32)

    def save(self, directory: Path) -> None:
        self.bm25.save(str(directory), show_progress=False)
        (directory / "user_words.txt").write_text("\n".join(self.tokenizer.user_words), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex:
        words = (directory / "user_words.txt").read_text(encoding="utf-8").split("\n")
        return cls(JiebaTokenizer(words), bm25s.BM25.load(str(directory), show_progress=False, verbosity=0))
