"""The router: from a message to a decision — route, clarify, answer, or none (out of scope).

Scores are fused per document (dense cosine and saturated BM25), then per target (the best document
of each service, bundle, imported item or policy). A small logistic model turns the score features
into a calibrated confidence that the top candidate is right; the decision thresholds live in a data
file, tuned on eval/data/routing_tune.jsonl (never on the dev set that is reported).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

import numpy as np

from intents.documents import Doc, DocField, TargetType
from intents.encoder import Encoder
from intents.index import RoutingIndex

DEFAULT_POLICY_FILE = Path(__file__).resolve().parent / "data" / "router.json"
_QUESTION = re.compile(r"[?？吗么]|多少|多久|几天|几个|什么|啥|哪|怎么|如何|能不能|可不可以|是否|要不要|有没有|需不需要|是不是")
ROUTABLE = (TargetType.service, TargetType.bundle, TargetType.imported)


class Decision(str, Enum):
    route = "route"
    clarify = "clarify"
    answer = "answer"
    none = "none"


@dataclass(frozen=True)
class Candidate:
    id: str
    name: str
    type: str
    score: float


@dataclass(frozen=True)
class Answer:
    target_id: str
    text: str
    source: str
    score: float


@dataclass(frozen=True)
class RoutingResult:
    decision: Decision
    confidence: float
    candidates: list[Candidate]
    answer: Answer | None
    normalised: str

    def to_dict(self) -> dict:
        return {
            "decision": self.decision.value,
            "confidence": round(self.confidence, 4),
            "candidates": [{"id": c.id, "name": c.name, "type": c.type, "score": round(c.score, 4)} for c in self.candidates],
            "answer": None if self.answer is None else {
                "id": self.answer.target_id, "text": self.answer.text, "source": self.answer.source, "score": round(self.answer.score, 4)
            },
            "normalised": self.normalised,
        }


@dataclass
class RouterPolicy:
    """Fusion weights and decision thresholds; loaded from (and tuned into) router.json."""

    dense_weight: float = 0.6
    lexical_saturation: float = 6.0  # bm25 / (bm25 + s)
    dense_depth: int = 200
    none_below: float = 0.35  # confidence under which the message is out of scope
    clarify_margin: float = 0.03  # top-2 scores this close → ask which one
    clarify_min: float = 0.5  # …but only when the runner-up is itself a plausible match
    answer_min: float = 0.5  # the fused score an answering passage needs
    # Logistic calibration of P(top candidate correct) from [top, margin, dense_top, lexical_top].
    calibration: list[float] = field(default_factory=lambda: [8.0, 6.0, 2.0, 2.0, -6.0])

    @classmethod
    def load(cls, path: Path = DEFAULT_POLICY_FILE) -> RouterPolicy:
        return cls(**json.loads(path.read_text(encoding="utf-8"))) if path.is_file() else cls()

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.__dict__, indent=1) + "\n", encoding="utf-8")


@dataclass(frozen=True)
class Scored:
    """Per-target scores of one message, before the decision."""

    normalised: str
    target_ids: list[str]
    fused: np.ndarray
    dense: np.ndarray
    lexical: np.ndarray
    best_doc: list[int]

    def features(self) -> np.ndarray:
        top = self.fused[0] if len(self.fused) else 0.0
        second = self.fused[1] if len(self.fused) > 1 else 0.0
        dense = self.dense[0] if len(self.dense) else 0.0
        lexical = self.lexical[0] if len(self.lexical) else 0.0
        return np.array([top, top - second, dense, lexical], dtype=np.float64)


class Router:
    def __init__(
        self,
        index: RoutingIndex,
        encoder: Encoder,
        normalise: Callable[[str], str],
        names: dict[str, str],
        policy: RouterPolicy | None = None,
    ) -> None:
        self.index = index
        self.encoder = encoder
        self.normalise = normalise
        self.names = names
        self.policy = policy or RouterPolicy.load()
        self._types = {d.target_id: d.target_type for d in index.docs}

    def score(self, text: str, routable_only: bool = False) -> Scored:
        """Fuse dense and lexical scores per document, then keep each target's best document."""
        p = self.policy
        normalised = self.normalise(text)
        n_docs = len(self.index.docs)
        lexical = self.index.lexical.scores(normalised)
        lexical = lexical / (lexical + p.lexical_saturation)
        dense = np.zeros(n_docs, dtype=np.float32)
        if normalised:
            scores, ids = self.index.dense.search(self.encoder.encode_one(normalised), p.dense_depth)
            valid = ids >= 0
            dense[ids[valid]] = np.clip(scores[valid], 0.0, 1.0)
        fused = p.dense_weight * dense + (1 - p.dense_weight) * lexical
        order = np.argsort(-fused, kind="stable")
        seen: dict[str, int] = {}
        for doc_pos in order[: max(400, p.dense_depth * 2)]:
            if fused[doc_pos] <= 0:
                break
            doc = self.index.docs[doc_pos]
            if routable_only and doc.target_type not in ROUTABLE:
                continue
            seen.setdefault(doc.target_id, int(doc_pos))
        best_doc = list(seen.values())
        return Scored(
            normalised=normalised,
            target_ids=list(seen.keys()),
            fused=fused[best_doc].astype(np.float64),
            dense=dense[best_doc].astype(np.float64),
            lexical=lexical[best_doc].astype(np.float64),
            best_doc=best_doc,
        )

    def confidence(self, scored: Scored) -> float:
        if not scored.target_ids:
            return 0.0
        w = self.policy.calibration
        z = float(np.dot(w[:-1], scored.features()) + w[-1])
        return 1.0 / (1.0 + math.exp(-z))

    def route(self, text: str) -> RoutingResult:
        p = self.policy
        scored = self.score(text)
        routable = [
            (tid, float(s), pos)
            for tid, s, pos in zip(scored.target_ids, scored.fused, scored.best_doc)
            if self._types.get(tid) in ROUTABLE
        ]
        candidates = [
            Candidate(tid, self.names.get(tid, tid), self._types[tid].value, s) for tid, s, _ in routable[:5]
        ]
        confidence = self.confidence(scored)
        if not scored.normalised or not candidates or confidence < p.none_below:
            return RoutingResult(Decision.none, confidence, candidates[:3], None, scored.normalised)
        top_doc: Doc = self.index.docs[scored.best_doc[0]]
        if (
            _QUESTION.search(scored.normalised)
            and top_doc.field in (DocField.faq, DocField.guide, DocField.policy)
            and scored.fused[0] >= p.answer_min
        ):
            answer = Answer(top_doc.target_id, top_doc.passage, top_doc.source, float(scored.fused[0]))
            return RoutingResult(Decision.answer, confidence, candidates[:3], answer, scored.normalised)
        if len(candidates) > 1 and candidates[1].score >= p.clarify_min and candidates[0].score - candidates[1].score < p.clarify_margin:
            close = [c for c in candidates[:3] if candidates[0].score - c.score < p.clarify_margin * 2]
            return RoutingResult(Decision.clarify, confidence, close, None, scored.normalised)
        return RoutingResult(Decision.route, confidence, candidates[:3], None, scored.normalised)
