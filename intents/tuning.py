"""Tune the router on a tuning file: fusion weight, calibration and thresholds.

Only a file written for tuning (eval/data/routing_tune.jsonl) is used here; the dev file that is
reported is never seen. Calibration is a logistic regression of "top candidate is right" on the
score features, so the confidence the router reports is a probability.
"""

from __future__ import annotations

from dataclasses import replace
from itertools import product

import numpy as np
from sklearn.linear_model import LogisticRegression

from eval.dataset import RoutingExample
from intents.router import Router, RouterPolicy


IMPORTED_WEIGHTS: tuple[float | None, ...] = (None, 0.2, 0.3, 0.4, 0.5)


def _features(router: Router, rows: list[RoutingExample]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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


def tune(
    router: Router,
    rows: list[RoutingExample],
    weights: tuple[float, ...] = (0.4, 0.5, 0.6, 0.7),
    imported_weights: tuple[float | None, ...] | None = None,
) -> tuple[RouterPolicy, float]:
    """The best policy on rows; imported_weights are tried for imported items' documents (None: same as ours;
    by default a grid when the index holds imported items)."""
    if imported_weights is None:
        imported_weights = IMPORTED_WEIGHTS if router.has_imported else (None,)
    oos = np.array([r.out_of_scope for r in rows])
    best: tuple[float, RouterPolicy] | None = None
    for weight, imported_weight in product(weights, imported_weights):
        router.policy = replace(router.policy, dense_weight=weight, imported_dense_weight=imported_weight)
        X, correct, nearest_none = _features(router, rows)
        model = LogisticRegression(C=10.0, max_iter=1000).fit(X, correct)
        p_correct = model.predict_proba(X)[:, 1]
        for threshold in np.arange(0.1, 0.61, 0.05):
            score = _objective(p_correct, nearest_none, correct, oos, float(threshold))
            if best is None or score > best[0] + 1e-9:
                calibration = [*map(float, model.coef_[0]), float(model.intercept_[0])]
                best = (score, replace(router.policy, calibration=calibration, none_below=round(float(threshold), 2)))
    assert best is not None
    router.policy = best[1]
    return best[1], best[0]
