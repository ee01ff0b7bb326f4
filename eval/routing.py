"""Routing evaluation: top-1 / top-3, out-of-scope precision and recall, per-tag accuracy, latency."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from eval.dataset import RoutingExample
from intents.router import Decision, Router


@dataclass
class RoutingReport:
    total: int
    top1: float  # all queries: first candidate in expected, or decision none for out-of-scope
    top3: float  # in-scope queries: an expected id among the first three candidates
    in_scope_top1: float
    oos_precision: float
    oos_recall: float
    by_tag: dict[str, float]
    latency_ms_p50: float
    latency_ms_p95: float
    decisions: dict[str, int]
    errors: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in self.__dict__.items()}


def evaluate_routing(router: Router, rows: list[RoutingExample], warmup: int = 5) -> RoutingReport:
    for row in rows[:warmup]:
        router.route(row.query)
    hits1: list[bool] = []
    hits3_in_scope: list[bool] = []
    hits1_in_scope: list[bool] = []
    predicted_none = expected_none = both_none = 0
    by_tag: dict[str, list[bool]] = defaultdict(list)
    latencies: list[float] = []
    decisions: dict[str, int] = defaultdict(int)
    errors: list[dict] = []
    for row in rows:
        start = time.perf_counter()
        result = router.route(row.query)
        latencies.append((time.perf_counter() - start) * 1000)
        decisions[result.decision.value] += 1
        ids = [c.id for c in result.candidates]
        is_none = result.decision is Decision.none
        hit = row.out_of_scope if is_none else bool(ids) and ids[0] in row.expected
        hits1.append(hit)
        predicted_none += is_none
        expected_none += row.out_of_scope
        both_none += is_none and row.out_of_scope
        if not row.out_of_scope:
            hits1_in_scope.append(hit)
            hits3_in_scope.append((not is_none and any(i in row.expected for i in ids[:3])) or hit)
        by_tag[row.tag or "untagged"].append(hit)
        if not hit:
            errors.append({"query": row.query, "expected": list(row.expected), "decision": result.decision.value, "got": ids[:3], "tag": row.tag})
    mean = lambda xs: float(np.mean(xs)) if xs else 0.0  # noqa: E731
    return RoutingReport(
        total=len(rows),
        top1=mean(hits1),
        top3=mean(hits3_in_scope),
        in_scope_top1=mean(hits1_in_scope),
        oos_precision=both_none / predicted_none if predicted_none else 0.0,
        oos_recall=both_none / expected_none if expected_none else 0.0,
        by_tag={tag: mean(v) for tag, v in sorted(by_tag.items())},
        latency_ms_p50=float(np.percentile(latencies, 50)),
        latency_ms_p95=float(np.percentile(latencies, 95)),
        decisions=dict(decisions),
        errors=errors,
    )
