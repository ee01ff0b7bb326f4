"""Learning policy search's weights from known questions (numpy only, seconds on one core).

Each known question gives a matrix of signals (documents × signals, `PolicySearch.features`) and the
document that answers it. The weights maximise the answer's softmax probability among all documents
(a listwise log-loss, with a little L2), by plain gradient descent with Adam. So that a question never
scores against itself, weights are learned out of fold: each question's signals are computed with its
own fold's known questions hidden (`fold_features`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from intents.policy_search import SIGNALS, KnownQuestion, PolicySearch


def fold_of(count: int, folds: int, seed: int = 0) -> np.ndarray:
    """A fold number per question, shuffled with a fixed seed."""
    order = np.random.default_rng(seed).permutation(count)
    out = np.empty(count, dtype=np.int64)
    out[order] = np.arange(count) % folds
    return out


def fold_features(
    search: PolicySearch, questions: Sequence[KnownQuestion], folds: np.ndarray,
    query_vectors: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(questions × documents × signals) and the answering document of each question. `questions` must
    be the search's known questions, in order; each is scored with its own fold's known questions hidden."""
    position = {d: i for i, d in enumerate(search.doc_ids)}
    members = {f: np.flatnonzero(folds == f) for f in np.unique(folds)}
    tensors = [
        search.features(q.query, members[folds[i]], None if query_vectors is None else query_vectors[i])
        for i, q in enumerate(questions)
    ]
    return np.stack(tensors), np.array([position[q.docid] for q in questions])


def learn_weights(
    features: np.ndarray, answers: np.ndarray, active: Sequence[str] = SIGNALS,
    steps: int = 600, rate: float = 0.05, l2: float = 1e-3, temperature: float = 20.0,
) -> dict[str, float]:
    """Weights over the active signals (the rest 0) maximising the answers' softmax likelihood."""
    columns = [SIGNALS.index(s) for s in active]
    x = features[:, :, columns].astype(np.float64) * temperature
    w = np.full(len(columns), 1.0 / len(columns))
    m, v = np.zeros_like(w), np.zeros_like(w)
    rows = np.arange(len(answers))
    for t in range(1, steps + 1):
        s = x @ w
        s -= s.max(axis=1, keepdims=True)
        p = np.exp(s)
        p /= p.sum(axis=1, keepdims=True)
        grad = np.einsum("qd,qdf->f", p, x) - x[rows, answers].sum(axis=0)
        grad = grad / len(answers) + l2 * w
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad**2
        w -= rate * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    scale = np.abs(w).sum() or 1.0
    return {s: round(float(x_) / scale, 4) for s, x_ in zip(active, w)}


def ranks(features: np.ndarray, answers: np.ndarray, weights: dict[str, float]) -> np.ndarray:
    """1-based rank of each question's answer under the weights (ties broken by document order)."""
    w = np.array([weights.get(s, 0.0) for s in SIGNALS])
    scores = features @ w
    right = scores[np.arange(len(answers)), answers]
    ahead = (scores > right[:, None]).sum(axis=1)
    tied_before = ((scores == right[:, None]) & (np.arange(scores.shape[1])[None, :] < answers[:, None])).sum(axis=1)
    return ahead + tied_before + 1


def save_weights(path: Path, weights: dict[str, float], about: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"weights": weights, **about}, ensure_ascii=False, indent=1), encoding="utf-8")


def load_weights(path: Path) -> dict[str, float]:
    return {k: float(v) for k, v in json.loads(path.read_text(encoding="utf-8"))["weights"].items()}
