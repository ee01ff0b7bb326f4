"""A sentence-transformers input module: mean of learned character n-gram embeddings.

Chinese needs no word segmenter at this level: character 1-3-grams carry the words, and unseen
n-grams (typos, dialect) still land in hashed buckets rather than vanishing. The module follows the
sentence-transformers module contract (preprocess, forward, save, load), so a trained model is a
plain SentenceTransformer directory that any code loads by path.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from typing import Any

import torch
from sentence_transformers.base.modules.input_module import InputModule
from torch import nn

from intents.ngrams import VOCAB_FILE, NgramIds


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
        self.ids = NgramIds(vocab, ngram_sizes, num_buckets)
        self.vocab = self.ids.vocab
        self.embedding_dim = embedding_dim
        self.ngram_sizes = list(ngram_sizes)
        self.num_buckets = num_buckets
        self.embedding = nn.EmbeddingBag(self.ids.rows, embedding_dim, mode="mean")

    def token_ids(self, text: str) -> list[int]:
        return self.ids(text)

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
