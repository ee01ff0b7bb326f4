"""The router: from a message to a decision — route, clarify, answer, or none (out of scope).

Scores are fused per document (the trained encoder's cosine, the pretrained encoder's cosine and
saturated BM25: intents/fusion.py), then per target (the best document
of each service, bundle, imported item or policy). A small logistic model turns the score features
into a calibrated confidence that the top candidate is right; the decision thresholds live in a data
file, tuned on eval/data/routing_tune.jsonl (never on the dev set that is reported).
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

import numpy as np

from intents.documents import Doc, DocField, TargetType
from intents.encoder import Encoder
from intents.fusion import combine, nearest, rescale
from intents.index import RoutingIndex
from intents.pretrained import PretrainedEncoder
from intents.rerank import BRACKETED, Candidate as RerankCandidate, Reranker, candidate_features

DEFAULT_POLICY_FILE = Path(__file__).resolve().parent / "data" / "router.json"
# Tuned with an imported catalogue indexed beside our guides (eval/data/routing_gd_tune.jsonl): thirty
# times the candidates, and items the encoder never learnt, shift every score the calibration reads.
IMPORTED_POLICY_FILE = DEFAULT_POLICY_FILE.with_name("router_imported.json")
# A question about facts (materials, time, cost, place, rules) is answered from a passage; a request
# to do something ("社保卡丢了怎么办") is routed.
_FACT_QUESTION = re.compile(
    r"材料|带什么|带啥|要什么|多久|几天|多长时间|时限|费用|多少钱|收费|要钱|在哪|哪里办|去哪|地址|电话|条件|"
    r"政策|规定|标准|能不能|可不可以|是否|可以.{0,12}吗|能.{0,12}吗|[?？]$"
)
# Pretrained query vectors kept by the router (384 floats each: about 3 MB).
QUERY_VECTORS_KEPT = 2048
ROUTABLE = (TargetType.service, TargetType.bundle, TargetType.imported)
# ID numbers, phone numbers, card and account numbers: they say who, never which service, and a message
# that carries them ("我叫张伟，身份证号110101…，电话138…，我要办社保卡") would otherwise score lower on
# every signal (a run of digits is a dozen tokens to BM25 and to the encoders).
_IDENTIFYING_NUMBER = re.compile(r"\d{6,}[\dXx]*")


def _without_name(text: str, name: str) -> str:
    """The message minus the service's own name: "办理医疗费用报销" asks for a service, not about a fee."""
    for part in {name, BRACKETED.sub("", name), *re.split(r"[（()）]", name)}:
        if len(part) >= 2:
            text = text.replace(part, "")
    return text


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
    # The dense weight for imported items' documents (None: dense_weight). The encoder is trained on
    # our own knowledge base only, so on an imported item's words its cosine is weaker evidence.
    imported_dense_weight: float | None = None
    lexical_saturation: float = 6.0  # bm25 / (bm25 + s)
    dense_depth: int = 200
    none_below: float = 0.35  # confidence under which the message is out of scope
    clarify_margin: float = 0.03  # top-2 scores this close → ask which one
    clarify_min: float = 0.5  # …but only when the runner-up is itself a plausible match
    answer_min: float = 0.4  # the fused score an answering passage needs
    # Logistic calibration of P(top candidate correct) from Scored.features(), bias last.
    # The pretrained encoder's share of the fused score (imported items: imported_pretrained_weight,
    # None: the same), and the cosine under which its evidence counts as none (fusion.rescale).
    pretrained_weight: float = 0.4
    imported_pretrained_weight: float | None = None
    pretrained_floor: float = 0.8
    calibration: list[float] = field(default_factory=lambda: [6.0, 1.0, 6.0, 6.0, -6.0, 6.0, -8.0])
    # The re-ranker's weights over intents.rerank.FEATURES (empty: fused order kept) and how many of the
    # best routable targets it reorders; fitted by `govassist tune`.
    rerank: list[float] = field(default_factory=list)
    rerank_depth: int = 20

    @staticmethod
    def default_file(with_imported: bool) -> Path:
        """The shipped policy for an index with or without imported items."""
        return IMPORTED_POLICY_FILE if with_imported and IMPORTED_POLICY_FILE.is_file() else DEFAULT_POLICY_FILE

    @classmethod
    def load(cls, path: Path = DEFAULT_POLICY_FILE) -> RouterPolicy:
        return cls(**json.loads(path.read_text(encoding="utf-8"))) if path.is_file() else cls()

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.__dict__, indent=1) + "\n", encoding="utf-8")


@dataclass(frozen=True)
class Scored:
    """Per-target scores of one message (best document of each target, best first)."""

    normalised: str
    target_ids: list[str]
    target_types: list[TargetType]
    fused: np.ndarray
    dense: np.ndarray
    lexical: np.ndarray
    best_doc: list[int]
    doc_fused: np.ndarray  # fused score of every document
    pretrained: np.ndarray | None = None  # rescaled pretrained cosine of each target's best document

    def positions(self, types: tuple[TargetType, ...]) -> list[int]:
        return [i for i, t in enumerate(self.target_types) if t in types]

    def routable_ids(self) -> list[str]:
        return [self.target_ids[i] for i in self.positions(ROUTABLE)]

    @property
    def nearest_is_out_of_scope(self) -> bool:
        return bool(self.target_types) and self.target_types[0] is TargetType.out_of_scope

    def features(self) -> np.ndarray:
        """[top, margin, dense of top, lexical of top, out-of-scope score, pretrained of top] over routable targets."""
        routable = self.positions(ROUTABLE)
        none = self.positions((TargetType.out_of_scope,))
        top = self.fused[routable[0]] if routable else 0.0
        second = self.fused[routable[1]] if len(routable) > 1 else 0.0
        dense = self.dense[routable[0]] if routable else 0.0
        lexical = self.lexical[routable[0]] if routable else 0.0
        pretrained = self.pretrained[routable[0]] if routable and self.pretrained is not None else 0.0
        none_score = self.fused[none[0]] if none else 0.0
        return np.array([top, top - second, dense, lexical, none_score, pretrained], dtype=np.float64)


@dataclass(frozen=True)
class _TargetScores:
    """One message's scores before any re-ranking: per document, then per target in fused order."""

    parts: DocParts
    pretrained: np.ndarray  # rescaled, per document
    doc_fused: np.ndarray
    fused: np.ndarray  # per target
    best_trained: np.ndarray  # per target: its best document by BM25 + the trained encoder
    best_pretrained: np.ndarray  # …by the pretrained encoder
    best_doc: np.ndarray  # …by the fused score
    order: np.ndarray  # targets with a score, best first


@dataclass(frozen=True)
class DocParts:
    """What fusion reads of one message, per document, before any weight: saturated BM25, the trained
    encoder's cosine, the pretrained encoder's raw cosine (0 outside the nearest `dense_depth`)."""

    lexical: np.ndarray
    dense: np.ndarray
    pretrained: np.ndarray


class Router:
    def __init__(
        self,
        index: RoutingIndex,
        encoder: Encoder,
        normalise: Callable[[str], str],
        names: dict[str, str],
        policy: RouterPolicy | None = None,
        pretrained: PretrainedEncoder | None = None,
        *,
        query_vectors_kept: int = QUERY_VECTORS_KEPT,
    ) -> None:
        if pretrained is not None and index.pretrained is None:
            raise ValueError("a pretrained encoder was given but the index has no pretrained vectors")
        self.index = index
        self.encoder = encoder
        self.pretrained = pretrained
        self.normalise = normalise
        self.names = names
        self.policy = policy or RouterPolicy.load()
        self._imported_docs = np.array([d.target_type is TargetType.imported for d in index.docs], dtype=bool)
        # Targets numbered in order of first appearance; each document's target number.
        position: dict[str, int] = {}
        self._doc_target = np.array([position.setdefault(d.target_id, len(position)) for d in index.docs], dtype=np.int64)
        self._target_ids = list(position)
        self._target_first_doc = np.unique(self._doc_target, return_index=True)[1]
        # The last messages' per-document parts: a message routed, then searched for passages in the same
        # turn, is encoded once. memo_size grows for tuning, which scores the same rows under many weights.
        self._parts: OrderedDict[tuple[str, int, float], DocParts] = OrderedDict()
        self.memo_size = 8
        self._parts_lock = threading.Lock()
        self.encoded = 0  # messages encoded so far (tests read it)
        # For the re-ranker: each target's name card and the documents that are ways of asking.
        self._card_doc = np.full(len(self._target_ids), -1, dtype=np.int64)
        for pos, d in enumerate(index.docs):
            if d.field is DocField.card:
                self._card_doc[self._doc_target[pos]] = pos
        self._asking_docs = np.array([d.field in (DocField.utterance, DocField.faq) for d in index.docs], dtype=bool)
        # The pretrained encoder's vectors of the last distinct messages: it is most of a turn's cost (tens
        # of ms where the rest is a few), and what people say first repeats (quick replies, 我要办理…).
        self._query_vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self.query_vectors_kept = query_vectors_kept
        self.pretrained_encoded = 0  # messages the pretrained encoder ran on (benchmarks read it)

    @property
    def signals(self) -> list[str]:
        """The signals fused, as /api/health names them."""
        active = ["bm25", f"trained-encoder:{self.encoder.identity}"]
        if self.pretrained is not None:
            active.append(f"pretrained-encoder:{self.pretrained.name}:{self.pretrained.identity}")
        return active

    def pretrained_weights(self) -> float | np.ndarray:
        p = self.policy
        if self.pretrained is None:
            return 0.0
        if p.imported_pretrained_weight is None or not self.has_imported:
            return p.pretrained_weight
        return np.where(self._imported_docs, p.imported_pretrained_weight, p.pretrained_weight)

    def doc_parts(self, normalised: str) -> DocParts:
        """Every document's parts for a normalised message (each encoder run once per message)."""
        p = self.policy
        key = (normalised, p.dense_depth, p.lexical_saturation)
        with self._parts_lock:  # requests are served from several threads
            known = self._parts.get(key)
            if known is not None:
                self._parts.move_to_end(key)
                return known
        lexical = self.index.lexical.scores(normalised)
        lexical = (lexical / (lexical + p.lexical_saturation)).astype(np.float32)
        size = len(lexical)
        dense = np.zeros(size, dtype=np.float32)
        pre = np.zeros(size, dtype=np.float32)
        if normalised:
            self.encoded += 1
            dense = nearest(self.index.dense, self.encoder.encode_one(normalised), p.dense_depth, size)
            if self.pretrained is not None and self.index.pretrained is not None:
                pre = nearest(self.index.pretrained, self._pretrained_query(normalised), p.dense_depth, size,
                              self.index.pretrained_rows)
        parts = DocParts(lexical, dense, pre)
        with self._parts_lock:
            self._parts[key] = parts
            while len(self._parts) > self.memo_size:
                self._parts.popitem(last=False)
        return parts

    def _pretrained_query(self, normalised: str) -> np.ndarray:
        """The pretrained encoder's vector of a message, encoded once while it is among the last kept."""
        assert self.pretrained is not None
        with self._parts_lock:
            known = self._query_vectors.get(normalised)
            if known is not None:
                self._query_vectors.move_to_end(normalised)
                return known
        vector = self.pretrained.encode_queries([normalised])[0]
        with self._parts_lock:
            self.pretrained_encoded += 1
            self._query_vectors[normalised] = vector
            while len(self._query_vectors) > self.query_vectors_kept:
                self._query_vectors.popitem(last=False)
        return vector

    @property
    def has_imported(self) -> bool:
        return bool(self._imported_docs.any())

    def dense_weights(self) -> float | np.ndarray:
        """The dense weight of every document: one number, or one per document when imported items weigh differently."""
        p = self.policy
        if p.imported_dense_weight is None or not self.has_imported:
            return p.dense_weight
        return np.where(self._imported_docs, p.imported_dense_weight, p.dense_weight)

    def score(self, text: str) -> Scored:
        """Fuse the scores per target: the best document of each target by BM25 and the trained encoder
        (fused per document), and its best document by the pretrained encoder, then their weighted sum.
        Fusing per target lets an item's name card carry the pretrained evidence while its facts carry
        the words; fused per document, each would dilute the other."""
        normalised = self.normalised(text)
        t = self._target_scores(normalised)
        order = t.order
        if self.policy.rerank and self.pretrained is not None:
            slots, ids, features = self._rerank_rows(normalised, t)
            if len(slots) > 1:
                order = t.order.copy()
                order[slots] = ids[Reranker(tuple(self.policy.rerank), self.policy.rerank_depth).order(features)]
        best_doc = [int(d) for d in t.best_doc[order]]
        return Scored(
            normalised=normalised,
            target_ids=[self._target_ids[i] for i in order],
            target_types=[self.index.docs[pos].target_type for pos in best_doc],
            # Re-ranking changes the order, not the scale: the scores stay in falling order (the new
            # first takes the best score), as the thresholds and the calibration were tuned on it.
            fused=t.fused[t.order].astype(np.float64),
            dense=t.parts.dense[t.best_trained[order]].astype(np.float64),
            lexical=t.parts.lexical[t.best_trained[order]].astype(np.float64),
            best_doc=best_doc,
            doc_fused=t.doc_fused,
            pretrained=t.pretrained[t.best_pretrained[order]].astype(np.float64),
        )

    def _target_scores(self, normalised: str) -> _TargetScores:
        p = self.policy
        parts = self.doc_parts(normalised)
        pretrained = rescale(parts.pretrained, p.pretrained_floor)
        doc_weight = self.pretrained_weights()
        trained = combine(parts.lexical, parts.dense, np.zeros_like(pretrained), self.dense_weights(), 0.0)
        doc_fused = (1 - doc_weight) * trained + doc_weight * pretrained
        best_trained = self._best_of_each_target(trained)
        target_weight = doc_weight[self._target_first_doc] if isinstance(doc_weight, np.ndarray) else doc_weight
        best_pretrained = self._best_of_each_target(pretrained)
        fused = (1 - target_weight) * trained[best_trained] + target_weight * pretrained[best_pretrained]
        order = np.argsort(-fused, kind="stable")[: max(400, p.dense_depth * 2)]
        return _TargetScores(
            parts, pretrained, doc_fused, fused, best_trained, best_pretrained, self._best_of_each_target(doc_fused),
            order[fused[order] > 0],
        )

    def _rerank_rows(self, normalised: str, t: _TargetScores) -> tuple[list[int], np.ndarray, np.ndarray]:
        """The re-ranker's inputs: the places in t.order of the best routable targets, those targets,
        and their feature rows (intents.rerank.FEATURES)."""
        types = [self.index.docs[self._target_first_doc[i]].target_type for i in t.order]
        slots = [i for i, kind in enumerate(types) if kind in ROUTABLE][: self.policy.rerank_depth]
        targets = t.order[slots]
        asking = np.zeros(len(self._target_ids), dtype=np.float64)
        np.maximum.at(asking, self._doc_target[self._asking_docs], t.parts.pretrained[self._asking_docs])
        candidates = [
            RerankCandidate(
                fused=float(t.fused[i]), trained_dense=float(t.parts.dense[t.best_trained[i]]),
                lexical=float(t.parts.lexical[t.best_trained[i]]), pretrained=float(t.pretrained[t.best_pretrained[i]]),
                imported=types[slot] is TargetType.imported, name=self.names.get(self._target_ids[i], ""),
                pretrained_card=float(t.parts.pretrained[card]) if card >= 0 else 0.0, pretrained_asking=float(asking[i]),
            )
            for slot, i, card in zip(slots, targets, self._card_doc[targets])
        ]
        return slots, targets, candidate_features(normalised, candidates)

    def normalised(self, text: str) -> str:
        """The message as it is scored: identifying numbers left out, then normalised."""
        return self.normalise(_IDENTIFYING_NUMBER.sub("", text))

    def rerank_inputs(self, text: str) -> tuple[list[str], np.ndarray]:
        """What the re-ranker reads for a message, in fused order (for fitting it: intents/tuning.py)."""
        normalised = self.normalised(text)
        _, targets, features = self._rerank_rows(normalised, self._target_scores(normalised))
        return [self._target_ids[i] for i in targets], features

    def _best_of_each_target(self, doc_scores: np.ndarray) -> np.ndarray:
        """For every target (in self._target_ids order), the position of its best-scoring document."""
        order = np.argsort(-doc_scores, kind="stable")
        _, first = np.unique(self._doc_target[order], return_index=True)
        return order[first]

    def confidence(self, scored: Scored) -> float:
        if not scored.positions(ROUTABLE):
            return 0.0
        w = self.policy.calibration
        features = scored.features()
        weights = np.zeros(len(features))
        weights[: len(w) - 1] = w[:-1]  # a policy tuned before the pretrained feature gives it no weight
        z = float(np.dot(weights, features) + w[-1])
        return 1.0 / (1.0 + math.exp(-z))

    def _answer(self, scored: Scored, top_target: str) -> Answer | None:
        """The best FAQ or guide passage of the top candidate, or policy section, if it is good enough."""
        for pos in np.argsort(-scored.doc_fused, kind="stable")[:50]:
            doc: Doc = self.index.docs[pos]
            answers = doc.field in (DocField.faq, DocField.guide) and doc.target_id == top_target
            if answers or doc.field is DocField.policy:
                score = float(scored.doc_fused[pos])
                return Answer(doc.target_id, doc.passage, doc.source, score) if score >= self.policy.answer_min else None
        return None

    def passages(self, text: str, k: int = 5) -> list[Answer]:
        """The policy sections that best answer a question, best first (for search and the copilot)."""
        scored = self.score(text)
        found = []
        for pos in np.argsort(-scored.doc_fused, kind="stable")[:200]:
            doc: Doc = self.index.docs[pos]
            if doc.field is DocField.policy and scored.doc_fused[pos] > 0:
                found.append(Answer(doc.target_id, doc.passage, doc.source, float(scored.doc_fused[pos])))
                if len(found) == k:
                    break
        return found

    def route(self, text: str) -> RoutingResult:
        p = self.policy
        scored = self.score(text)
        candidates = [
            Candidate(scored.target_ids[i], self.names.get(scored.target_ids[i], scored.target_ids[i]),
                      scored.target_types[i].value, float(scored.fused[i]))
            for i in scored.positions(ROUTABLE)[:5]
        ]
        confidence = self.confidence(scored)
        if not scored.normalised or not candidates or scored.nearest_is_out_of_scope or confidence < p.none_below:
            return RoutingResult(Decision.none, confidence, candidates[:3], None, scored.normalised)
        asks = _FACT_QUESTION.search(_without_name(scored.normalised, candidates[0].name))
        answer = self._answer(scored, candidates[0].id) if asks else None
        if answer is not None:
            return RoutingResult(Decision.answer, confidence, candidates[:3], answer, scored.normalised)
        if len(candidates) > 1 and candidates[1].score >= p.clarify_min and candidates[0].score - candidates[1].score < p.clarify_margin:
            close = [c for c in candidates[:3] if candidates[0].score - c.score < p.clarify_margin * 2]
            return RoutingResult(Decision.clarify, confidence, close, None, scored.normalised)
        return RoutingResult(Decision.route, confidence, candidates[:3], None, scored.normalised)
