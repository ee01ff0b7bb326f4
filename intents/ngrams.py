"""Text to embedding-row ids for the n-gram encoder, without torch.

The one definition of how a text becomes n-grams and how n-grams become rows of the embedding table:
training (intents/ngram_embedding.py, torch) and serving (intents/ngram_runtime.py, numpy) both use
it, so a served vector is the trained model's vector.
"""

from __future__ import annotations

import json
import re
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

_TOKEN = re.compile(r"[a-z]+|[0-9]+|[^\sa-z0-9]", re.IGNORECASE)
_PUNCTUATION = re.compile(r"[，。！？、；：,.!?;:\"'“”‘’（）()《》\-]")
VOCAB_FILE = "ngram_vocab.json"


def ngrams(text: str, sizes: Sequence[int]) -> list[str]:
    """Character n-grams of the text's units (a CJK character, a Latin word, a digit run)."""
    units = [u.lower() for u in _TOKEN.findall(text) if not _PUNCTUATION.fullmatch(u)]
    grams: list[str] = []
    for n in sizes:
        grams += ["".join(units[i : i + n]) for i in range(len(units) - n + 1)]
    return grams


def build_vocab(texts: Iterable[str], sizes: Sequence[int], min_count: int = 1, max_size: int = 200_000) -> list[str]:
    counts = Counter(g for t in texts for g in ngrams(t, sizes))
    kept = [g for g, c in counts.items() if c >= min_count]
    kept.sort(key=lambda g: (-counts[g], g))  # deterministic order
    return kept[:max_size]


def load_vocab(model_dir: Path) -> list[str]:
    return list(json.loads((model_dir / VOCAB_FILE).read_text(encoding="utf-8")))


class NgramIds:
    """Rows of the table: the vocabulary first, then hashed buckets for unseen n-grams, then one row
    standing for a text with no n-grams at all (so every bag is non-empty)."""

    def __init__(self, vocab: Sequence[str], ngram_sizes: Sequence[int], num_buckets: int) -> None:
        self.vocab = list(vocab)
        self.index = {g: i for i, g in enumerate(self.vocab)}
        self.ngram_sizes = list(ngram_sizes)
        self.num_buckets = num_buckets
        self.empty = len(self.vocab) + num_buckets

    @property
    def rows(self) -> int:
        return len(self.vocab) + self.num_buckets + 1

    def __call__(self, text: str) -> list[int]:
        ids = []
        for gram in ngrams(text, self.ngram_sizes):
            idx = self.index.get(gram)
            if idx is None:
                if len(gram) == 1:  # an unseen single character carries little signal alone
                    continue
                idx = len(self.vocab) + zlib.crc32(gram.encode("utf-8")) % self.num_buckets
            ids.append(idx)
        return ids or [self.empty]
