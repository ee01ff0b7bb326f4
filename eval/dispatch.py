"""Dispatch evaluation: top-1 / top-3 department, per department and per tag, the work-order type
guess, latency; and the latency of any per-transcript function on 1,000-character transcripts (the
copilot's `suggest`).

Call files are JSON Lines of {"text", "dept", "type", "tag"?}: a caller's words, the department the
work order goes to (a `dept` of the knowledge base), and its type. The types are labelled thus: a
question how, where or whether to do something is consult (a lost document included); asking someone
to act now (repair, chase, expedite, change an appointment) is help; displeasure with someone's
conduct (noise, unpaid wages, a rude counter) is complaint; wrongdoing for someone to investigate is
report; a proposal is suggestion. Tags: plain, long (greetings and details), dialect.
dispatch_calls.jsonl is reported; dispatch_tune.jsonl is for tuning (and stands in for past orders).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.cases.workorder_status import WorkOrderType
from eval.dataset import DatasetError, jsonl_rows
from intents.dispatch import DeptScore


@dataclass(frozen=True)
class CallExample:
    text: str
    dept: str
    type: str
    tag: str | None = None


def read_calls(path: Path) -> list[CallExample]:
    rows: list[CallExample] = []
    for number, row in jsonl_rows(path):
        try:
            text, dept, kind = row["text"], row["dept"], row["type"]
            if not all(isinstance(v, str) and v for v in (text, dept, kind)):
                raise ValueError("text, dept and type must be non-empty strings")
            if kind not in {t.value for t in WorkOrderType}:
                raise ValueError(f"type must be one of {', '.join(t.value for t in WorkOrderType)}")
            rows.append(CallExample(text, dept, kind, row.get("tag")))
        except (ValueError, KeyError, TypeError) as exc:
            raise DatasetError(f"{path} line {number}: {exc}") from None
    return rows


def _mean(values: Sequence[bool]) -> float:
    return float(np.mean(values)) if values else 0.0


@dataclass
class DispatchReport:
    total: int
    top1: float
    top3: float
    by_dept: dict[str, float]  # top-1 per expected department
    by_tag: dict[str, float]
    type_accuracy: float | None  # the work-order type guess, where one was given
    latency_ms_p50: float
    latency_ms_p95: float
    errors: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in self.__dict__.items()}


def evaluate_dispatch(
    suggest: Callable[[str], list[DeptScore]],
    rows: Sequence[CallExample],
    guess_type: Callable[[str], str] | None = None,
    warmup: int = 3,
) -> DispatchReport:
    for row in rows[:warmup]:
        suggest(row.text)
    hits1: list[bool] = []
    hits3: list[bool] = []
    types: list[bool] = []
    by_dept: dict[str, list[bool]] = defaultdict(list)
    by_tag: dict[str, list[bool]] = defaultdict(list)
    latencies: list[float] = []
    errors: list[dict] = []
    for row in rows:
        start = time.perf_counter()
        found = suggest(row.text)
        latencies.append((time.perf_counter() - start) * 1000)
        depts = [s.dept for s in found]
        # An empty expected department: nothing should be suggested (the copilot, on a hotline call
        # whose matter the reference cannot name).
        hit = (depts[0] if depts else "") == row.dept
        hits1.append(hit)
        hits3.append(row.dept in depts[:3] if row.dept else not depts)
        by_dept[row.dept].append(hit)
        by_tag[row.tag or "untagged"].append(hit)
        if guess_type is not None:
            types.append(guess_type(row.text) == row.type)
        if not hit:
            errors.append({"text": row.text, "expected": row.dept,
                           "got": [[s.dept, round(s.confidence, 3)] for s in found[:3]]})
    return DispatchReport(
        total=len(rows),
        top1=_mean(hits1),
        top3=_mean(hits3),
        by_dept={d: _mean(v) for d, v in sorted(by_dept.items())},
        by_tag={t: _mean(v) for t, v in sorted(by_tag.items())},
        type_accuracy=_mean(types) if guess_type is not None else None,
        latency_ms_p50=float(np.percentile(latencies, 50)) if latencies else 0.0,
        latency_ms_p95=float(np.percentile(latencies, 95)) if latencies else 0.0,
        errors=errors,
    )


def long_transcripts(rows: Sequence[CallExample], length: int = 1000) -> list[str]:
    """One transcript per call, `length` characters long, ending with that call: the calls before
    it (cyclically) stand for what was said earlier in a long conversation."""
    texts = [r.text for r in rows]
    if not texts or length <= 0:
        return []
    transcripts = []
    for i in range(len(texts)):
        parts, size, j = [texts[i]], len(texts[i]), i
        while size < length:
            j = (j - 1) % len(texts)
            parts.insert(0, texts[j])
            size += len(texts[j])
        transcripts.append("".join(parts)[-length:])
    return transcripts


@dataclass(frozen=True)
class LatencyReport:
    runs: int
    characters: int
    p50_ms: float
    p95_ms: float
    max_ms: float

    def to_dict(self) -> dict:
        return {k: (round(v, 2) if isinstance(v, float) else v) for k, v in self.__dict__.items()}


def benchmark(run: Callable[[str], object], transcripts: Sequence[str], warmup: int = 3) -> LatencyReport:
    for text in transcripts[:warmup]:
        run(text)
    latencies = []
    for text in transcripts:
        start = time.perf_counter()
        run(text)
        latencies.append((time.perf_counter() - start) * 1000)
    return LatencyReport(
        runs=len(latencies),
        characters=max((len(t) for t in transcripts), default=0),
        p50_ms=float(np.percentile(latencies, 50)) if latencies else 0.0,
        p95_ms=float(np.percentile(latencies, 95)) if latencies else 0.0,
        max_ms=max(latencies, default=0.0),
    )
