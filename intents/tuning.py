"""Tune the router on a tuning file: fusion weight, calibration and thresholds.

Only a file written for tuning (eval/data/routing_tune.jsonl) is used here; the dev file that is
reported is never seen. Calibration is a logistic regression of "top candidate is right" on the
score features, so the confidence the router reports is a probability.

A re-ranker (intents/rerank.py) is then fitted on the same rows and the calibration made again.

The fusion weights are searched one at a time over a grid (coordinate ascent, two rounds), each
setting judged after its own calibration and threshold: a full grid over five weights would score
the tuning rows thousands of times. Each row is encoded once (the router's per-message memo).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Protocol

import numpy as np
from sklearn.linear_model import LogisticRegression

from intents.rerank import fit_reranker
from intents.router import Router, RouterPolicy


class RoutingExample(Protocol):
    """A labelled message to tune on (eval.dataset.RoutingExample is one; intents never imports eval)."""

    @property
    def query(self) -> str: ...

    @property
    def expected(self) -> tuple[str, ...]: ...

    @property
    def out_of_scope(self) -> bool: ...


IMPORTED_WEIGHTS: tuple[float | None, ...] = (None, 0.2, 0.3, 0.4, 0.5)
PRETRAINED_WEIGHTS: tuple[float, ...] = (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7)
IMPORTED_PRETRAINED_WEIGHTS: tuple[float | None, ...] = (None, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
PRETRAINED_FLOORS: tuple[float, ...] = (0.7, 0.75, 0.8, 0.85)


def _features(router: Router, rows: Sequence[RoutingExample]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    X, correct, nearest_none = [], [], []
    for row in rows:
        scored = router.score(row.query)
        routable = scored.routable_ids()
        X.append(scored.features())
        correct.append(not row.out_of_scope and bool(routable) and routable[0] in row.expected)
        nearest_none.append(scored.nearest_is_out_of_scope)
    return np.array(X), np.array(correct), np.array(nearest_none)


def _objective(p_correct: np.ndarray, nearest_none: np.ndarray, correct: np.ndarray, oos: np.ndarray, threshold: float) -> float:
    """Accuracy with out-of-scope counted as a class: right route, or right refusal."""
    refuse = (p_correct < threshold) | nearest_none
    return float(np.mean(np.where(oos, refuse, correct & ~refuse)))


def _calibrated(router: Router, rows: Sequence[RoutingExample], oos: np.ndarray) -> tuple[float, RouterPolicy]:
    """The best calibration and threshold for the router's current weights, and the accuracy they reach."""
    X, correct, nearest_none = _features(router, rows)
    if correct.all() or not correct.any():
        return 0.0, router.policy
    model = LogisticRegression(C=10.0, max_iter=1000).fit(X, correct)
    p_correct = model.predict_proba(X)[:, 1]
    # The lowest threshold within one tuning row of the best: a citizen refused while in scope is stranded
    # (a long message with their details is scored lower), a near miss is put right in the next turn, and
    # one row's difference on a few hundred is noise.
    thresholds = [round(float(t), 2) for t in np.arange(0.1, 0.61, 0.05)]
    scores = [_objective(p_correct, nearest_none, correct, oos, t) for t in thresholds]
    enough = max(scores) - 1.0 / len(rows) + 1e-9
    chosen = next(i for i, score in enumerate(scores) if score >= enough)
    calibration = [*map(float, model.coef_[0]), float(model.intercept_[0])]
    return scores[chosen], replace(router.policy, calibration=calibration, none_below=thresholds[chosen])


def tune(
    router: Router,
    rows: Sequence[RoutingExample],
    weights: tuple[float, ...] = (0.4, 0.5, 0.6, 0.7),
    imported_weights: tuple[float | None, ...] | None = None,
    rounds: int = 2,
    log: Callable[[str], None] | None = None,
) -> tuple[RouterPolicy, float]:
    """The best policy on rows; imported_weights are tried for imported items' documents (None: same as ours;
    by default a grid when the index holds imported items). The pretrained weights are searched when the
    router has a pretrained encoder."""
    if imported_weights is None:
        imported_weights = IMPORTED_WEIGHTS if router.has_imported else (None,)
    grids: dict[str, tuple] = {"dense_weight": weights, "imported_dense_weight": imported_weights}
    if router.pretrained is not None:
        grids["pretrained_weight"] = PRETRAINED_WEIGHTS
        grids["pretrained_floor"] = PRETRAINED_FLOORS
        if router.has_imported:
            grids["imported_pretrained_weight"] = IMPORTED_PRETRAINED_WEIGHTS
    grids = {name: grid for name, grid in grids.items() if len(grid) > 1 or getattr(router.policy, name) not in grid}
    oos = np.array([r.out_of_scope for r in rows])
    router.memo_size = max(router.memo_size, 2 * len(rows) + 16)
    best = _calibrated(router, rows, oos)
    for _ in range(rounds):
        improved = False
        for name, grid in grids.items():
            start = best[1]
            for value in grid:
                router.policy = replace(start, **{name: value})
                found = _calibrated(router, rows, oos)
                if found[0] > best[0] + 1e-9:
                    best, improved = found, True
            if log:
                log(f"{name} = {getattr(best[1], name)}: accuracy {best[0]:.4f}")
        if not improved:
            break
    if router.pretrained is not None:
        best = _with_reranker(router, rows, best[1], oos)
        if log:
            log(f"re-ranker fitted: accuracy {best[0]:.4f}")
    router.policy = best[1]
    return best[1], best[0]


def _with_reranker(router: Router, rows: Sequence[RoutingExample], policy: RouterPolicy, oos: np.ndarray) -> tuple[float, RouterPolicy]:
    """The re-ranker fitted on the in-scope rows under policy's fusion weights, then calibrated again
    (the calibration reads the re-ranked first candidate)."""
    router.policy = replace(policy, rerank=[])
    lists, right = [], []
    for row in rows:
        if not row.out_of_scope:
            ids, features = router.rerank_inputs(row.query)
            lists.append(features)
            right.append(np.array([i in row.expected for i in ids], dtype=bool))
    reranker = fit_reranker(lists, right, policy.rerank_depth)
    router.policy = replace(policy, rerank=list(reranker.weights))
    return _calibrated(router, rows, oos)
