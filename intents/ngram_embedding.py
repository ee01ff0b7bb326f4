"""A sentence-transformers input module: mean of learned character n-gram embeddings.

Chinese needs no word segmenter at this level: character 1-3-grams carry the words, and unseen
n-grams (typos, dialect) still land in hashed buckets rather than vanishing. The module follows the
sentence-transformers module contract (preprocess, forward, save, load), so a trained model is a
plain SentenceTransformer directory that any code loads by path.
"""

from __future__ import annotations

import json
import os
import re
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import torch
from sentence_transformers.base.modules.input_module import InputModule
from torch import nn

_TOKEN = re.compile(r"[a-z]+|[0-9]+|[^\sa-z0-9]", re.IGNORECASE)
VOCAB_FILE = "ngram_vocab.json"


def ngrams(text: str, sizes: Sequence[int]) -> list[str]:
    """Character n-grams of the text's units (a CJK character, a Latin word, a digit run)."""
    units = [u.lower() for u in _TOKEN.findall(text) if not re.fullmatch(r"[，。！？、；：,.!?;:\"'“”‘’（）()《》\-]", u)]
    grams: list[str] = []
    for n in sizes:
        grams += ["".join(units[i : i + n]) for i in range(len(units) - n + 1)]
    return grams


def build_vocab(texts: Iterable[str], sizes: Sequence[int], min_count: int = 1, max_size: int = 200_000) -> list[str]:
    counts = Counter(g for t in texts for g in ngrams(t, sizes))
    kept = [g for g, c in counts.items() if c >= min_count]
    kept.sort(key=lambda g: (-counts[g], g))  # deterministic order
    return kept[:max_size]


class NgramEmbedding(InputModule):
    config_keys: list[str] = ["embedding_dim", "ngram_sizes", "num_buckets"]
    save_in_root: bool = True

    def __init__(
        self,
        vocab: list[str],
        embedding_dim: int = 256,
        ngram_sizes: Sequence[int] = (1, 2, 3),
        num_buckets: int = 20_000,
    ) -> None:
        super().__init__()
        self.vocab = list(vocab)
        self.index = {g: i for i, g in enumerate(self.vocab)}
        self.embedding_dim = embedding_dim
        self.ngram_sizes = list(ngram_sizes)
        self.num_buckets = num_buckets
        self.embedding = nn.EmbeddingBag(len(self.vocab) + num_buckets + 1, embedding_dim, mode="mean")
        # Token 0 of the bucket range is an empty-text placeholder so every bag is non-empty.
        self._empty = len(self.vocab) + num_buckets

    def token_ids(self, text: str) -> list[int]:
        ids = []
        for gram in ngrams(text, self.ngram_sizes):
            idx = self.index.get(gram)
            if idx is None:
                if len(gram) == 1:  # an unseen single character carries little signal alone
                    continue
                idx = len(self.vocab) + zlib.crc32(gram.encode("utf-8")) % self.num_buckets
            ids.append(idx)
        return ids or [self._empty]

    def preprocess(self, inputs: Sequence[str], prompt: str | None = None, **kwargs: Any) -> dict[str, torch.Tensor]:
        texts = self._prepend_prompt(list(inputs), prompt) if prompt else list(inputs)
        all_ids = [self.token_ids(t) for t in texts]
        offsets = [0]
        for ids in all_ids[:-1]:
            offsets.append(offsets[-1] + len(ids))
        return {
            "input_ids": torch.tensor([i for ids in all_ids for i in ids], dtype=torch.long),
            "offsets": torch.tensor(offsets, dtype=torch.long),
        }

    def forward(self, features: dict[str, torch.Tensor], **kwargs: Any) -> dict[str, torch.Tensor]:
        features["sentence_embedding"] = self.embedding(features["input_ids"], features["offsets"])
        return features

    @property
    def max_seq_length(self) -> float:
        return float("inf")

    def get_embedding_dimension(self) -> int:
        return self.embedding_dim

    def get_sentence_embedding_dimension(self) -> int:
        return self.embedding_dim

    def save(self, output_path: str, *args: Any, safe_serialization: bool = True, **kwargs: Any) -> None:
        self.save_config(output_path)
        self.save_torch_weights(output_path, safe_serialization=safe_serialization)
        with open(os.path.join(output_path, VOCAB_FILE), "w", encoding="utf-8") as out:
            json.dump(self.vocab, out, ensure_ascii=False)

    @classmethod
    def load(cls, model_name_or_path: str, subfolder: str = "", **kwargs: Any) -> NgramEmbedding:
        config = cls.load_config(model_name_or_path, subfolder=subfolder, local_files_only=True)
        with open(os.path.join(model_name_or_path, subfolder, VOCAB_FILE), encoding="utf-8") as f:
            vocab = json.load(f)
        module = cls(vocab=vocab, **config)
        cls.load_torch_weights(model_name_or_path, subfolder=subfolder, local_files_only=True, model=module)
        return module
