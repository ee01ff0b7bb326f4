"""Score fusion shared by routing and retrieval: saturated BM25 plus dense cosine, per document."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from intents.dense import DenseIndex
from intents.encoder import Encoder
from intents.lexical import LexicalIndex


@dataclass(frozen=True)
class DocScores:
    fused: np.ndarray
    dense: np.ndarray  # cosine in [0, 1] for the `depth` nearest documents, 0 elsewhere
    lexical: np.ndarray  # bm25 / (bm25 + saturation), in [0, 1)


def fuse(
    text: str,
    lexical_index: LexicalIndex,
    dense_index: DenseIndex | None,
    encoder: Encoder | None,
    dense_weight: float | np.ndarray,  # one weight, or one per document
    saturation: float,
    depth: int,
) -> DocScores:
    """Scores of every document for an already-normalised text; no dense part without an encoder."""
    lexical = lexical_index.scores(text)
    lexical = lexical / (lexical + saturation)
    dense = np.zeros_like(lexical)
    if text and dense_index is not None and encoder is not None:
        scores, ids = dense_index.search(encoder.encode_one(text), depth)
        valid = ids >= 0
        dense[ids[valid]] = np.clip(scores[valid], 0.0, 1.0)
    return DocScores(dense_weight * dense + (1 - dense_weight) * lexical, dense, lexical)
