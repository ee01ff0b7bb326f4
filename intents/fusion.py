"""Score fusion shared by routing and retrieval, per document: saturated BM25, the trained encoder's
cosine, and the pretrained encoder's cosine.

    fused = (1 - p) · (d · dense + (1 - d) · lexical) + p · pretrained

d and p are per document or one number each. The pretrained cosine of multilingual-e5 lies in a narrow
band (about 0.75 for unrelated texts up to 1), so it is rescaled from `pretrained_floor` to 1 before
fusing: every part is then in [0, 1], and so is the fused score the router's thresholds read.
"""

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
    pretrained: np.ndarray  # rescaled pretrained cosine in [0, 1] for the `depth` nearest, 0 elsewhere


@dataclass(frozen=True)
class PretrainedPart:
    """The pretrained encoder's share: its index, the document each vector stands for, the query's vector."""

    index: DenseIndex
    rows: np.ndarray
    query: np.ndarray
    weight: float | np.ndarray
    floor: float


def nearest(index: DenseIndex, query: np.ndarray, depth: int, size: int, rows: np.ndarray | None = None) -> np.ndarray:
    """Cosines of the `depth` nearest documents (0 elsewhere), spread over `size` documents; rows maps
    each vector to its document (several vectors of one document: the best counts)."""
    out = np.zeros(size, dtype=np.float32)
    scores, ids = index.search(query, depth)
    valid = ids >= 0
    positions = ids[valid] if rows is None else rows[ids[valid]]
    np.maximum.at(out, positions, np.clip(scores[valid], 0.0, 1.0))
    return out


def rescale(cosine: np.ndarray, floor: float) -> np.ndarray:
    return np.where(cosine > 0, np.clip((cosine - floor) / (1.0 - floor), 0.0, 1.0), 0.0).astype(np.float32)


def combine(
    lexical: np.ndarray, dense: np.ndarray, pretrained: np.ndarray,
    dense_weight: float | np.ndarray, pretrained_weight: float | np.ndarray,
) -> np.ndarray:
    trained = dense_weight * dense + (1 - dense_weight) * lexical
    return (1 - pretrained_weight) * trained + pretrained_weight * pretrained


def fuse(
    text: str,
    lexical_index: LexicalIndex,
    dense_index: DenseIndex | None,
    encoder: Encoder | None,
    dense_weight: float | np.ndarray,  # one weight, or one per document
    saturation: float,
    depth: int,
    pretrained: PretrainedPart | None = None,
    dense_query: np.ndarray | None = None,  # the trained encoder's vector of text, when already computed
) -> DocScores:
    """Scores of every document for an already-normalised text; no dense part without an encoder."""
    lexical = lexical_index.scores(text)
    lexical = lexical / (lexical + saturation)
    dense = np.zeros_like(lexical, dtype=np.float32)
    if text and dense_index is not None and encoder is not None:
        query = dense_query if dense_query is not None else encoder.encode_one(text)
        dense = nearest(dense_index, query, depth, len(lexical))
    pre = np.zeros_like(dense)
    weight: float | np.ndarray = 0.0
    if text and pretrained is not None:
        pre = rescale(nearest(pretrained.index, pretrained.query, depth, len(lexical), pretrained.rows), pretrained.floor)
        weight = pretrained.weight
    return DocScores(combine(lexical, dense, pre, dense_weight, weight), dense, lexical, pre)
