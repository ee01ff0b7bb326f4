"""A second look at the best few targets: a small linear model over what is known of each candidate.

Fusion adds the signals with fixed weights for every target alike. Re-ranking reads more of each of the
top candidates: how its score stands against the top one, each signal apart, how well the pretrained
encoder matches its name card and, separately, its ways of asking, and how much of its name the message
repeats. An imported item has a name and little else; our guides have hundreds of ways of asking. The
model is fitted on tuning files only (`govassist tune`, intents/tuning.py), listwise: a softmax over
each message's candidates, pulled towards the right ones.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

FEATURES = (
    "fused", "behind_top", "trained_dense", "lexical", "pretrained", "imported",
    "name_covered", "message_covered", "inverse_rank", "pretrained_card", "pretrained_asking", "pretrained_either",
)
# A bracketed part of a name (a qualifier such as （首次申领）), left out when names are compared; the router
# reads names with the same pattern.
BRACKETED = re.compile(r"[（(].*?[）)]")


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


@dataclass(frozen=True)
class Candidate:
    """What the re-ranker reads of one candidate target."""

    fused: float
    trained_dense: float
    lexical: float
    pretrained: float  # rescaled best-passage cosine, as fused
    imported: bool
    name: str
    pretrained_card: float  # raw cosine of its name card (0 when not among the nearest passages)
    pretrained_asking: float  # raw cosine of its best utterance or FAQ question


def candidate_features(message: str, candidates: Sequence[Candidate]) -> np.ndarray:
    """One row of FEATURES per candidate, best fused first."""
    if not candidates:
        return np.zeros((0, len(FEATURES)))
    said = _bigrams(message)
    top = candidates[0].fused
    rows = []
    for rank, c in enumerate(candidates):
        name = _bigrams(BRACKETED.sub("", c.name))
        shared = len(name & said)
        rows.append([
            c.fused, c.fused - top, c.trained_dense, c.lexical, c.pretrained, float(c.imported),
            shared / max(1, len(name)), shared / max(1, len(said)), 1.0 / (rank + 1),
            c.pretrained_card, c.pretrained_asking, max(c.pretrained_card, c.pretrained_asking),
        ])
    return np.array(rows, dtype=np.float64)


@dataclass(frozen=True)
class Reranker:
    weights: tuple[float, ...]
    depth: int = 20

    def order(self, features: np.ndarray) -> np.ndarray:
        """Candidate positions, best first (stable: ties keep the fused order)."""
        return np.argsort(-(features @ np.asarray(self.weights)), kind="stable")


def fit_reranker(
    lists: Sequence[np.ndarray], right: Sequence[np.ndarray], depth: int, l2: float = 0.01, steps: int = 2000
) -> Reranker:
    """Listwise softmax regression: each message's candidate rows and which of them are right.
    Lists with no right candidate teach nothing and are skipped."""
    pairs = [(x, y.astype(np.float64)) for x, y in zip(lists, right) if len(x) and y.any()]
    if not pairs:
        raise ValueError("no tuning message has a right candidate among those re-ranked")
    stacked = np.concatenate([x for x, _ in pairs])
    mean, scale = stacked.mean(0), stacked.std(0) + 1e-6
    scaled = [((x - mean) / scale, y / y.sum()) for x, y in pairs]
    w = np.zeros(stacked.shape[1])
    for _ in range(steps):  # plain gradient descent: a dozen weights, a few hundred lists
        grad = np.zeros_like(w)
        for x, target in scaled:
            s = x @ w
            p = np.exp(s - s.max())
            grad += x.T @ (p / p.sum() - target)
        w -= 0.1 * (grad / len(scaled) + l2 * w)
    # Back to unscaled features; the constant shifts every candidate alike, so it is dropped.
    return Reranker(tuple(float(v) for v in w / scale), depth)
